//! The sequencer: reader → tempo map → calendar → synth, period by period,
//! with the transport a player needs (pause, seek with chase, loop, tempo
//! scale, transpose, mute and solo).
//!
//! It has two halves that the host may run on two threads:
//! [`Feed`] (the file side: may block on I/O) fills the calendar of a
//! [`Player`] (the audio side: never blocks, bounded work per period).
//! [`Sequencer`] glues them for single-threaded use (offline render,
//! firmware, tests).
//!
//! # Example
//! ```
//! use smfplay_core::sequencer::SequencerConfig;
//! use smfplay_core::sequencer::capacities::small::SmallSequencer;
//! use smfplay_core::smf::{ReaderOptions, SliceSource};
//! use smfplay_core::synth::{Synth, SynthEvent};
//!
//! struct Count(usize);
//! impl Synth for Count {
//!     fn apply(&mut self, _: SynthEvent<'_>) { self.0 += 1 }
//!     fn render(&mut self, l: &mut [f32], r: &mut [f32]) { l.fill(0.0); r.fill(0.0) }
//! }
//! let file = [
//!     b'M', b'T', b'h', b'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
//!     b'M', b'T', b'r', b'k', 0, 0, 0, 12,
//!     0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0,
//! ];
//! let mut seq = SmallSequencer::open(SliceSource::new(&file), ReaderOptions::LENIENT, SequencerConfig::new(48_000, 256))?;
//! let (mut l, mut r) = ([0.0f32; 256], [0.0f32; 256]);
//! let mut synth = Count(0);
//! while !seq.is_finished() {
//!     seq.process(&mut synth, &mut l, &mut r, &mut ())?;
//! }
//! assert_eq!(synth.0, 2); // note on and note off
//! # Ok::<(), smfplay_core::smf::Error>(())
//! ```
//!
//! *Real-time*: [`Player::process`] and [`Feed::fill`] do bounded work
//! ([`MAX_EVENTS_PER_PERIOD`], [`MAX_FEED_EVENTS_PER_PERIOD`]); a seek
//! rescans the file up to its target.

mod active_notes;
mod bar_beat;
pub mod capacities;
mod chase;
mod command;
mod feed;
mod loop_points;
mod observer;
mod player;
mod position;
mod scale_map;
mod song_event;
#[cfg(test)]
mod test_synth;

pub use active_notes::{ALL_NOTES, ActiveNotes, NotesFull};
pub use bar_beat::{BarBeat, BarBeatError, BarLocator, Meter, TimePoint};
pub use chase::{
    CHASE_SYSEX_BYTES, ChaseState, MAX_PORTS, MAX_REPLAY_EVENTS, ReplayEvent, ReplayMode,
    ResetKind, reset_kind,
};
pub use command::{Command, LoopRange, SeekTarget};
pub use feed::{EventSink, Feed, FeedStats, SeekPlan};
pub use loop_points::{FileLoop, LoopConvention, LoopDefect, LoopFinder, LoopPoints};
pub use observer::{Notice, Observer};
pub use player::{MAX_EVENTS_PER_PERIOD, Player, PlayerStats};
pub use position::Position;
pub use scale_map::{MAX_TEMPO_MILLI, MIN_TEMPO_MILLI};
pub use song_event::{SongEvent, TextKind};

use crate::smf::{ByteSource, Error, ReaderOptions};
use crate::synth::Synth;

/// Most events the feed schedules per period (a compile-time bound).
pub const MAX_FEED_EVENTS_PER_PERIOD: usize = 1024;

/// How a sequencer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SequencerConfig {
    /// Sample rate of the output.
    pub sample_rate: u32,
    /// log2 of the calendar's bucket width in frames.
    pub bucket_log2: u32,
    /// Frames of timeline the feed keeps scheduled beyond the current period.
    pub lookahead_frames: u64,
}

impl SequencerConfig {
    /// A configuration for `period` frames per period: buckets the size of
    /// a period, one period of look-ahead.
    pub const fn new(sample_rate: u32, period: u32) -> Self {
        let p = if period == 0 { 1 } else { period };
        let bucket_log2 = u32::BITS - (p - 1).leading_zeros();
        Self {
            sample_rate,
            bucket_log2,
            lookahead_frames: p as u64,
        }
    }
}

/// Feed and player together, for single-threaded use.
///
/// Capacities: see [`capacities`] for what each sizes, and a preset
/// ([`capacities::small::SmallSequencer`]) to start from. `LOOPS`
/// defaults to 1, `CHASE_SYSEX` to [`CHASE_SYSEX_BYTES`], `VOICES` to
/// [`ALL_NOTES`] (every key of every channel), `PORTS` to 1 (every event
/// on port 0; see [`Feed::set_ports`]).
pub struct Sequencer<
    S,
    const TRACKS: usize,
    const WINDOW: usize,
    const PAYLOAD: usize,
    const EVENTS: usize,
    const SLOTS: usize,
    const BLOCKS: usize,
    const BLOCK_BYTES: usize,
    const LOOPS: usize = 1,
    const CHASE_SYSEX: usize = CHASE_SYSEX_BYTES,
    const VOICES: usize = ALL_NOTES,
    const PORTS: usize = 1,
> {
    feed: Feed<S, TRACKS, WINDOW, PAYLOAD, LOOPS, CHASE_SYSEX, PORTS>,
    player: Player<EVENTS, SLOTS, BLOCKS, BLOCK_BYTES, VOICES, PORTS>,
    lookahead: u64,
}

impl<
    S: ByteSource,
    const TRACKS: usize,
    const WINDOW: usize,
    const PAYLOAD: usize,
    const EVENTS: usize,
    const SLOTS: usize,
    const BLOCKS: usize,
    const BLOCK_BYTES: usize,
    const LOOPS: usize,
    const CHASE_SYSEX: usize,
    const VOICES: usize,
    const PORTS: usize,
>
    Sequencer<
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
        PORTS,
    >
{
    /// A sequencer of `src` that has not opened it yet: it plays an empty
    /// song until [`Sequencer::reopen`]. `const`, so a firmware can keep
    /// the sequencer in a `static` and open it in place:
    ///
    /// ```
    /// # use smfplay_core::sequencer::SequencerConfig;
    /// # use smfplay_core::smf::{ReaderOptions, SliceSource};
    /// use smfplay_core::sequencer::capacities::small::SmallSequencer;
    /// # let file = [b'M', b'T', b'h', b'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
    /// #     b'M', b'T', b'r', b'k', 0, 0, 0, 4, 0x00, 0xFF, 0x2F, 0];
    /// let mut seq = SmallSequencer::new(SliceSource::new(&file));
    /// seq.reopen(ReaderOptions::LENIENT, SequencerConfig::new(48_000, 256))?;
    /// # Ok::<(), smfplay_core::smf::Error>(())
    /// ```
    pub const fn new(src: S) -> Self {
        Self {
            feed: Feed::new(src),
            player: Player::idle(),
            lookahead: 0,
        }
    }

    /// Opens a file for playback at output frame 0.
    pub fn open(src: S, options: ReaderOptions, config: SequencerConfig) -> Result<Self, Error> {
        let mut seq = Self::new(src);
        seq.reopen(options, config)?;
        Ok(seq)
    }

    /// Opens the source again, in place, for playback at output frame 0, as
    /// [`Sequencer::open`] does, but field by field: its stack use is that
    /// of reading the header, not the sequencer's size. Sounding notes are
    /// forgotten, not released (silence the synth first if it plays). On
    /// error the sequencer plays an empty song.
    pub fn reopen(&mut self, options: ReaderOptions, config: SequencerConfig) -> Result<(), Error> {
        let opened = self.feed.reopen(options, config.sample_rate);
        self.player.reset(
            self.feed.header().timing,
            config.sample_rate,
            config.bucket_log2,
        );
        self.lookahead = config.lookahead_frames;
        opened
    }

    /// Plays one period of `left.len()` frames.
    pub fn process(
        &mut self,
        synth: &mut impl Synth,
        left: &mut [f32],
        right: &mut [f32],
        observer: &mut impl Observer,
    ) -> Result<(), Error> {
        let n = left.len().min(right.len()) as u64;
        let horizon = self.player.timeline_after(n).saturating_add(self.lookahead);
        let filled = self
            .feed
            .fill(&mut self.player, horizon, MAX_FEED_EVENTS_PER_PERIOD);
        self.player.process(synth, left, right, observer);
        filled
    }

    /// Carries out a transport command (before the next period).
    pub fn command(&mut self, synth: &mut impl Synth, command: Command) -> Result<(), Error> {
        match command {
            Command::Play => self.player.resume(),
            Command::Pause => self.player.pause(synth),
            Command::TogglePause => {
                if self.player.is_paused() {
                    self.player.resume();
                } else {
                    self.player.pause(synth);
                }
            }
            Command::Stop => {
                self.player.silence(synth, self.feed.ports());
                self.player.pause(synth);
                self.feed.seek(&mut self.player, SeekTarget::Tick(0))?;
            }
            Command::Seek(target) => self.feed.seek(&mut self.player, target)?,
            Command::TempoMilli(m) => self.player.set_tempo_milli(m),
            Command::Transpose(t) => self.player.set_transpose(t),
            Command::Mute(ch, on) => self.player.set_muted(synth, ch, on),
            Command::Solo(ch, on) => self.player.set_solo(synth, ch, on),
            Command::Loop(range) => self.feed.set_loop(&mut self.player, range)?,
        }
        Ok(())
    }

    /// After `turns` loop turns the song plays on to its end (0: never):
    /// see [`Feed::set_loop_turns`].
    pub fn set_loop_turns(&mut self, turns: u32) {
        self.feed.set_loop_turns(turns);
    }

    /// Whether the song has been played to its end (never, while looping).
    pub fn is_finished(&self) -> bool {
        self.player.is_ended() && self.feed.is_done()
    }

    /// The play head.
    pub fn position(&self) -> Position {
        self.player.position()
    }

    /// The audio half.
    pub fn player(&self) -> &Player<EVENTS, SLOTS, BLOCKS, BLOCK_BYTES, VOICES, PORTS> {
        &self.player
    }

    /// The file half.
    pub fn feed(&self) -> &Feed<S, TRACKS, WINDOW, PAYLOAD, LOOPS, CHASE_SYSEX, PORTS> {
        &self.feed
    }

    /// Routes events to `outputs` ports: see [`Feed::set_ports`].
    pub fn set_ports(&mut self, outputs: usize) {
        self.feed.set_ports(outputs);
    }
}
