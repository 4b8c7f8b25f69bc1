//! [`AnyFeed`]: the core's [`Feed`] at the host's capacities, standard or
//! wide as the file's track count asks, behind one type.
//!
//! *Real-time*: runs on the feeder thread (not real-time: it reads the
//! file and may block on I/O); it only reaches the audio thread through
//! its [`QueueSink`].

use smfplay_core::sequencer::{
    CHASE_SYSEX_BYTES, Feed, FeedStats, LoopRange, MAX_FEED_EVENTS_PER_PERIOD, SeekPlan, SeekTarget,
};
use smfplay_core::smf::{Error, Header};

use super::queue_sink::QueueSink;
use crate::capacities::{
    PAYLOAD, PORTS, STANDARD_TRACKS, STANDARD_WINDOW, WIDE_TRACKS, WIDE_WINDOW,
};
use crate::exit::HostError;
use crate::midi_input::{MidiInput, MidiSource};
use crate::opening::open_by_width;

/// Feed capacities for ordinary files (as the host's `AnySequencer`, with
/// [`PORTS`] ports for `play --port`).
pub type StandardFeed =
    Feed<MidiSource, STANDARD_TRACKS, STANDARD_WINDOW, PAYLOAD, 1, CHASE_SYSEX_BYTES, PORTS>;
/// Feed capacities for files with more than 1 024 tracks.
pub type WideFeed =
    Feed<MidiSource, WIDE_TRACKS, WIDE_WINDOW, PAYLOAD, 1, CHASE_SYSEX_BYTES, PORTS>;

/// An opened song feed.
pub enum AnyFeed {
    /// Up to 1 024 tracks.
    Standard(Box<StandardFeed>),
    /// More.
    Wide(Box<WideFeed>),
}

macro_rules! each {
    ($self:expr, $f:ident => $e:expr) => {
        match $self {
            AnyFeed::Standard($f) => $e,
            AnyFeed::Wide($f) => $e,
        }
    };
}

impl AnyFeed {
    /// Opens `input` (on a thread with stack room for the reader).
    pub fn open(input: MidiInput, strict: bool, rate: u32) -> Result<Self, HostError> {
        open_by_width(
            input,
            strict,
            "open",
            (64 << 20, 256 << 20),
            move |source, options, wide| {
                // Built in its box and opened in place: `Feed::open` would
                // build the feed (7.7 MB for the standard capacities) on
                // this thread's stack and copy it into the box, touching
                // ~23 MB, ~5 600 page faults at every song's start.
                // One port until `set_ports` says more (FluidSynth's case).
                Ok(if wide {
                    let mut feed = Box::write(Box::new_uninit(), Feed::new(source));
                    feed.reopen(options, rate)?;
                    feed.set_ports(1);
                    AnyFeed::Wide(feed)
                } else {
                    let mut feed = Box::write(Box::new_uninit(), Feed::new(source));
                    feed.reopen(options, rate)?;
                    feed.set_ports(1);
                    AnyFeed::Standard(feed)
                })
            },
        )
    }

    /// The file's header.
    pub fn header(&self) -> Header {
        each!(self, f => *f.header())
    }

    /// Counters.
    pub fn stats(&self) -> FeedStats {
        each!(self, f => *f.stats())
    }

    pub fn fill(&mut self, sink: &mut QueueSink<'_>, horizon: u64) -> Result<(), Error> {
        each!(self, f => f.fill(sink, horizon, MAX_FEED_EVENTS_PER_PERIOD))
    }

    pub fn rescan(&mut self, target: SeekTarget) -> Result<SeekPlan, Error> {
        each!(self, f => f.rescan(target))
    }

    /// Sets or clears the loop; true when the caller must rescan to arm
    /// it (see the core's `Feed::set_loop_range`).
    pub fn set_loop_range(&mut self, range: Option<LoopRange>) -> bool {
        each!(self, f => f.set_loop_range(range))
    }

    /// Routes the song to `outputs` ports (`--port`'s count; 1 for
    /// FluidSynth): see the core's `Feed::set_ports`.
    pub fn set_ports(&mut self, outputs: usize) {
        each!(self, f => f.set_ports(outputs))
    }

    /// Loop turns before the song plays on (0: forever).
    pub fn set_loop_turns(&mut self, turns: u32) {
        each!(self, f => f.set_loop_turns(turns))
    }

    pub fn resume_at(&mut self, sink: &mut QueueSink<'_>, at: u64, plan: &SeekPlan) {
        each!(self, f => f.resume_at(sink, at, plan))
    }
}
