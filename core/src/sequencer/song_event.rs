//! What the calendar holds: events with their payloads moved to the pool,
//! and markers the feed adds (jumps for seeks and loops, the song's end).
//!
//! *Real-time*: plain `Copy` data (24 bytes).

use midly::MidiMessage;
use midly::num::u4;

use crate::sched::PoolHandle;

/// Kinds of text a player shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TextKind {
    /// Lyric meta event (or a `.kar` text event).
    Lyric,
    /// Marker meta event.
    Marker,
    /// Cue point meta event.
    CuePoint,
    /// Plain text meta event.
    Text,
}

/// One item of the calendar, keyed by timeline frame.
///
/// `repr(u8)` with discriminants from 1: `Option<SongEvent>::None` (a free
/// calendar node) is then the zero tag, so an empty calendar is all zero
/// bits and a `static` sequencer goes to `.bss` instead of costing its size
/// in flash (`scripts/firmware-check` checks this). Fields are declared
/// small first so that each variant packs into 24 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
// No defmt::Format: midly's number and message types do not implement it.
pub enum SongEvent {
    /// A channel message for the synth.
    Midi {
        /// The output port (the track's `FF 21` port, folded into the
        /// feed's port count: 0 with one output).
        port: u8,
        /// Channel 0–15.
        channel: u4,
        /// The message.
        message: MidiMessage,
    } = 1,
    /// A system exclusive message in the pool (bytes after `F0`).
    SysEx {
        /// The output port, as for [`SongEvent::Midi`].
        port: u8,
        /// The message's bytes in the pool.
        handle: PoolHandle,
    },
    /// A tempo change at `tick` (for the position clock).
    Tempo {
        /// Microseconds per quarter note.
        us_per_quarter: u32,
        /// Song tick of the change.
        tick: u64,
    },
    /// A time signature at `tick` (for bar:beat).
    TimeSignature {
        /// Beats per bar.
        numerator: u8,
        /// Beat unit as a power of two (2 = quarter).
        denominator_pow2: u8,
        /// Bars before `tick` (bar numbers count from 1).
        bars_before: u32,
        /// Song tick.
        tick: u64,
    },
    /// A key signature (sharps > 0, flats < 0).
    KeySignature {
        /// Sharps (positive) or flats (negative).
        sharps: i8,
        /// Minor key.
        minor: bool,
    },
    /// Text to show, in the pool.
    Text(TextKind, PoolHandle),
    /// The song continues at `tick` (a seek or a loop): sounding notes are
    /// released here and the chase events that follow restore the state.
    Jump {
        /// The jump is a loop turn (not a seek).
        looped: bool,
        /// Tempo in effect there.
        us_per_quarter: u32,
        /// Song tick where playback continues.
        tick: u64,
        /// Frame of that tick in unscaled song time.
        song_frame: u64,
    },
    /// No more events: the song is over once this frame is reached.
    End,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_into_24_bytes_and_none_costs_nothing() {
        // A calendar node holds an `Option<SongEvent>`: the zero tag is its
        // `None` (discriminants from 1), so it needs no extra byte.
        assert_eq!(core::mem::size_of::<SongEvent>(), 24);
        assert_eq!(core::mem::size_of::<Option<SongEvent>>(), 24);
    }
}
