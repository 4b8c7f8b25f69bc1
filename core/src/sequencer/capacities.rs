//! Named capacities of [`Sequencer`](super::Sequencer),
//! [`Feed`](super::Feed) and [`Player`](super::Player): what each
//! const generic sizes, and the small-board preset that the firmware, the
//! firmware checksum test and the doc examples share. Not run: types only.
//!
//! Stable Rust cannot size arrays by a trait's associated consts, so a
//! preset is a module of named constants plus type aliases that pass them
//! in order. A capacity set reads, in the generics' order:
//!
//! | name | sizes | where |
//! | --- | --- | --- |
//! | `TRACKS` | `MTrk` chunks the reader merges (more is a fatal error) | reader |
//! | `WINDOW` | bytes of read-ahead per track (≥ 8) | reader |
//! | `PAYLOAD` | longest sysex/meta payload delivered (longer: skipped, reported) | reader |
//! | `EVENTS` | events the calendar holds (look-ahead plus a chase replay) | player |
//! | `SLOTS` | calendar buckets | player |
//! | `BLOCKS` | pool blocks for sysex and texts in flight | player |
//! | `BLOCK_BYTES` | bytes per pool block | player |
//! | `LOOPS` | A–B loop checkpoints: 1, or 0 to save about 4 KiB + `TRACKS` × 26 B | feed |
//! | `CHASE_SYSEX` | bytes of sysex the chase replays after a seek | feed |
//! | `VOICES` | notes that can sound at once (beyond: not played) | player |
//! | `PORTS` | outputs a track's `FF 21` port can route to, 1–16 (1: every event on port 0), each a chase of 16 channels | feed, player |
//!
//! The host's own sets (`host/src/song.rs`) use the same names.

/// A small board's capacities (Cortex-M4 with 8 KiB of RAM for the
/// sequencer, see `scripts/firmware-check`): no loops, 128 bytes of chase
/// sysex, 32 voices.
pub mod small {
    use crate::sequencer::{Feed, Player, Sequencer};

    /// Tracks the reader merges.
    pub const TRACKS: usize = 16;
    /// Bytes of read-ahead window per track.
    pub const WINDOW: usize = 16;
    /// Longest sysex/meta payload the reader delivers.
    pub const PAYLOAD: usize = 64;
    /// Calendar events.
    pub const EVENTS: usize = 64;
    /// Calendar buckets.
    pub const SLOTS: usize = 16;
    /// Pool blocks (sysex and texts in flight).
    pub const BLOCKS: usize = 4;
    /// Bytes per pool block.
    pub const BLOCK_BYTES: usize = 64;
    /// A–B loop checkpoints: none (a small board never loops; saves about
    /// 4.5 KiB).
    pub const LOOPS: usize = 0;
    /// Bytes of sysex the chase keeps for replay after a seek (desktop:
    /// 1 KiB).
    pub const CHASE_SYSEX: usize = 128;
    /// Notes sounding at once (desktop: every key of every channel, 2 048,
    /// in 6 KiB; here 96 bytes). A note struck beyond them is not played.
    pub const VOICES: usize = 32;

    /// The sequencer of source `S` with these capacities.
    pub type SmallSequencer<S> = Sequencer<
        S,
        TRACKS,
        WINDOW,
        PAYLOAD,
        EVENTS,
        SLOTS,
        BLOCKS,
        BLOCK_BYTES,
        LOOPS,
        CHASE_SYSEX,
        VOICES,
    >;
    /// Its file half.
    pub type SmallFeed<S> = Feed<S, TRACKS, WINDOW, PAYLOAD, LOOPS, CHASE_SYSEX>;
    /// Its audio half.
    pub type SmallPlayer = Player<EVENTS, SLOTS, BLOCKS, BLOCK_BYTES, VOICES>;
}
