//! The messages between the audio thread and the control thread: the
//! commands it takes ([`AudioCmd`]), the reports it sends ([`Report`])
//! and why its loop ended ([`End`]).
//!
//! *Real-time*: plain `Copy`/fixed-size data, moved through lock-free queues.

use smfplay_core::sequencer::{Command, TextKind};

use super::alsa_output::Lost;
use super::shedder::ShedState;

/// Longest text carried in a report.
pub const TEXT_BYTES: usize = 120;

/// What the control thread asks of the audio thread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AudioCmd {
    /// A transport command for the player (pause, tempo, transpose, mute, solo).
    Transport(Command),
    /// Output volume (gain applied at conversion).
    Volume(f32),
    /// Reverb and chorus on or off (never on when the command line turned
    /// them off; load shedding may still turn them off).
    Effects(bool),
    /// Stop: all notes off, fade, end.
    Quit,
}

/// Why the audio loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The song played to its end.
    Finished,
    /// Asked to quit.
    Quit,
    /// The device was lost.
    Lost(Lost),
}

/// What the audio thread tells the control thread.
#[derive(Clone, Debug)]
pub enum Report {
    /// A lyric, marker, cue or text at its song time (µs).
    Text(TextKind, heapless::Vec<u8, TEXT_BYTES>, u64),
    /// A tempo change (µs per quarter) at its song time (µs).
    Tempo(u32, u64),
    /// Xruns recovered in one write, and the total so far.
    Xrun(u32, u64),
    /// A load-shedding step: level (0 = none) and what it means.
    Shed(u8, ShedState),
    /// A key signature (sharps > 0, flats < 0; minor) at its song time (µs).
    Key(i8, bool, u64),
}
