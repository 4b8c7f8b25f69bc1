//! What the player tells the user interface as events are played.
//!
//! *Real-time*: `Observer` implementations run on the audio thread; the
//! host's forwards notices over a lock-free queue.

use super::song_event::TextKind;

/// Something the user may want to see, at a frame offset in the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice<'a> {
    /// Lyric, marker, cue or text.
    Text(TextKind, &'a [u8]),
    /// Tempo change (microseconds per quarter, before the tempo scale).
    Tempo(u32),
    /// Time signature (numerator, denominator as a power of two).
    TimeSignature(u8, u8),
    /// Key signature (sharps > 0 / flats < 0, minor).
    KeySignature(i8, bool),
    /// Playback continued at `tick` after a seek or a loop turn.
    Jumped {
        /// Song tick.
        tick: u64,
        /// A loop turn rather than a seek.
        looped: bool,
    },
    /// The last event was played.
    End,
}

/// Receives notices; every method has an empty default.
pub trait Observer {
    /// Called for each notice, with its frame offset in the period.
    fn notice(&mut self, offset: u32, notice: Notice<'_>) {
        let _ = (offset, notice);
    }
}

impl Observer for () {}
