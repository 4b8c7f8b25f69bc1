//! Transport commands, as a user interface sends them.
//!
//! *Real-time*: plain `Copy` data, small enough for a lock-free queue.

use midly::num::u4;

/// A loop range in song ticks: `[start, end)`, `end: None` = to the end of
/// the song.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LoopRange {
    /// First tick of the loop.
    pub start: u64,
    /// Tick where playback goes back to `start` (`None`: the song's end).
    pub end: Option<u64>,
}

impl LoopRange {
    /// The whole song.
    pub const WHOLE_SONG: Self = Self {
        start: 0,
        end: None,
    };
}

/// Where to seek.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SeekTarget {
    /// A song tick.
    Tick(u64),
    /// A song time, in frames of unscaled song time (seconds × sample rate).
    SongFrame(u64),
}

/// What a user can ask of the player.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// No defmt::Format: midly's number and message types do not implement it.
pub enum Command {
    /// Resume after a pause or stop.
    Play,
    /// Pause (sounding notes are released).
    Pause,
    /// Pause or resume.
    TogglePause,
    /// All notes and sound off, back to the start, paused.
    Stop,
    /// Seek with chase.
    Seek(SeekTarget),
    /// Tempo scale in thousandths (250–4000).
    TempoMilli(u32),
    /// Transposition in semitones (±24; never on channel 10).
    Transpose(i8),
    /// Mute or unmute a channel.
    Mute(u4, bool),
    /// Add or remove a channel from the solo set.
    Solo(u4, bool),
    /// Loop a range, or stop looping.
    Loop(Option<LoopRange>),
}
