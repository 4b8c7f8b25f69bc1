//! The host's sequencer capacities: two by the file's track count,
//! ordinary files (up to 1 024 tracks, 512 bytes of read-ahead per track,
//! about 1.5 MiB in all) and files with tens of thousands of tracks
//! (16-byte windows, about 5.5 MiB); the calendar and payload pool, which
//! do not depend on it; and the core's types at those capacities.
//!
//! *Real-time*: constants and type aliases only.

use smfplay_core::sequencer::{ALL_NOTES, MAX_PORTS, Player, Sequencer};

use crate::midi_input::MidiSource;

/// Longest sysex or meta payload delivered (longer ones are skipped whole).
pub const PAYLOAD: usize = 64 * 1024;
/// Calendar capacity: look-ahead plus the largest chase replay.
pub const EVENTS: usize = 8192;
/// Calendar buckets.
pub const SLOTS: usize = 1024;
/// Pool blocks for sysex and text payloads, and their size.
pub const POOL_BLOCKS: usize = 256;
/// Bytes per pool block (longer sysex is reported as dropped).
pub const POOL_BLOCK_BYTES: usize = 1024;

/// Tracks of the capacities for ordinary files; a file declaring more is
/// read with the wide ones.
pub const STANDARD_TRACKS: usize = 1024;
/// Bytes of read-ahead per track for ordinary files.
pub const STANDARD_WINDOW: usize = 512;
/// Tracks of the capacities for files with tens of thousands of tracks.
pub const WIDE_TRACKS: usize = 65_535;
/// Bytes of read-ahead per track for those files.
pub const WIDE_WINDOW: usize = 16;

/// Ports `play --port` routes a file's tracks to (by their `FF 21`): the
/// core's most. The feed's chase keeps 16 channels for each (about 43 KiB
/// in all); with FluidSynth the feed uses one.
pub const PORTS: usize = MAX_PORTS;
/// Notes that can sound at once: every key of every channel of every port
/// (96 KiB of note table), so the table is never full.
pub const VOICES: usize = PORTS * ALL_NOTES;

/// The audio side of the sequencer (calendar and transport) at the
/// host's capacities; it does not depend on the track count.
pub type HostPlayer = Player<EVENTS, SLOTS, POOL_BLOCKS, POOL_BLOCK_BYTES, VOICES, PORTS>;

/// Sequencer for ordinary files.
pub type StandardSequencer = Sequencer<
    MidiSource,
    STANDARD_TRACKS,
    STANDARD_WINDOW,
    PAYLOAD,
    EVENTS,
    SLOTS,
    POOL_BLOCKS,
    POOL_BLOCK_BYTES,
>;
/// Sequencer for files with more than [`STANDARD_TRACKS`] tracks.
pub type WideSequencer = Sequencer<
    MidiSource,
    WIDE_TRACKS,
    WIDE_WINDOW,
    PAYLOAD,
    EVENTS,
    SLOTS,
    POOL_BLOCKS,
    POOL_BLOCK_BYTES,
>;

/// Whether a file's header declares more tracks than the standard
/// capacities hold (so it is read with the wide ones).
pub fn is_wide(head: &[u8]) -> bool {
    head.len() >= 12
        && &head[0..4] == b"MThd"
        && usize::from(u16::from_be_bytes([head[10], head[11]])) > STANDARD_TRACKS
}
