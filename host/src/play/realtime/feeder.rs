//! The feeder thread: owns the song's reader, tempo map and chase state
//! (the core's [`Feed`]) and keeps the audio thread's queue filled a
//! fixed look-ahead beyond the play head. It may block on file I/O; the
//! audio thread never waits for it.
//!
//! What crosses to the audio thread ([`FeedItem`], in one FIFO):
//! - `Event`: a timeline frame and a core [`SongEvent`] item; a sysex or
//!   text payload travels first, byte by byte, through a second lock-free
//!   ring (bytes before the item, so the audio thread finds them complete);
//! - `Reposition`: a seek happened: the audio thread drops its calendar and
//!   sets the position. Items queued before it are stale and are dropped by
//!   that same clear, because the queue is FIFO — no generation number is
//!   needed with a single queue.
//!
//! *Real-time*: this thread is not real-time; it only talks to the audio
//! thread through `heapless::spsc` queues and atomics.

use std::sync::atomic::Ordering;
use std::time::Duration;

use heapless::spsc::{Consumer, Producer};
use smfplay_core::sched::{EventPool, Full, PoolError, PoolHandle};
use smfplay_core::sequencer::{
    EventSink, Feed, FeedStats, MAX_FEED_EVENTS_PER_PERIOD, SeekPlan, SeekTarget, SongEvent,
};
use smfplay_core::smf::{Error, Header};

use crate::capacities::{
    PAYLOAD, POOL_BLOCK_BYTES, STANDARD_TRACKS, STANDARD_WINDOW, WIDE_TRACKS, WIDE_WINDOW, is_wide,
    open_on_big_stack, reader_options,
};
use crate::exit::HostError;
use crate::midi_input::{MidiInput, MidiSource};
use crate::play::Shared;

/// What the feeder sends the audio thread.
#[derive(Clone, Copy, Debug)]
pub enum FeedItem {
    /// An item at a timeline frame; `payload` bytes precede it in the byte
    /// ring when the item is a sysex or text.
    Event {
        /// Timeline frame.
        tl: u64,
        /// The item (its pool handle is the feeder's; the audio thread
        /// replaces it).
        item: SongEvent,
        /// Payload length.
        payload: u16,
    },
    /// A seek: clear the calendar, set the position.
    Reposition {
        /// Timeline frame of the jump.
        at: u64,
        /// Where the song continues.
        plan: SeekPlan,
    },
}

/// Feed capacities for ordinary files (as the host's `Song`).
pub type StandardFeed = Feed<MidiSource, STANDARD_TRACKS, STANDARD_WINDOW, PAYLOAD>;
/// Feed capacities for files with more than 1 024 tracks.
pub type WideFeed = Feed<MidiSource, WIDE_TRACKS, WIDE_WINDOW, PAYLOAD>;

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
        let MidiInput { source, path, head } = input;
        let options = reader_options(strict);
        let wide = is_wide(&head);
        let stack = if wide { 256 << 20 } else { 64 << 20 };
        open_on_big_stack(&path, &head, "open", stack, move || {
            // Built in its box and opened in place: `Feed::open` would
            // build the feed (7.7 MB for the standard capacities) on this
            // thread's stack and copy it into the box, touching ~23 MB,
            // ~5 600 page faults at every song's start.
            Ok(if wide {
                let mut feed = Box::write(Box::new_uninit(), Feed::new(source));
                feed.reopen(options, rate)?;
                AnyFeed::Wide(feed)
            } else {
                let mut feed = Box::write(Box::new_uninit(), Feed::new(source));
                feed.reopen(options, rate)?;
                AnyFeed::Standard(feed)
            })
        })
    }

    /// The file's header.
    pub fn header(&self) -> Header {
        each!(self, f => *f.header())
    }

    /// Counters.
    pub fn stats(&self) -> FeedStats {
        each!(self, f => *f.stats())
    }

    /// The first damage skipped, if any.
    pub fn first_problem(&self) -> Option<Error> {
        each!(self, f => f.first_problem())
    }

    fn fill(&mut self, sink: &mut QueueSink<'_>, horizon: u64) -> Result<(), Error> {
        each!(self, f => f.fill(sink, horizon, MAX_FEED_EVENTS_PER_PERIOD))
    }

    fn rescan(&mut self, target: SeekTarget) -> Result<SeekPlan, Error> {
        each!(self, f => f.rescan(target))
    }

    fn resume_at(&mut self, sink: &mut QueueSink<'_>, at: u64, plan: &SeekPlan) {
        each!(self, f => f.resume_at(sink, at, plan))
    }
}

/// The feed's [`EventSink`]: payloads wait in a small staging pool until
/// their item is queued, then go through the byte ring.
pub struct QueueSink<'q> {
    items: Producer<'q, FeedItem>,
    bytes: Producer<'q, u8>,
    staging: EventPool<16, POOL_BLOCK_BYTES>,
    /// Items queued so far.
    pushed: u64,
}

impl<'q> QueueSink<'q> {
    /// A sink writing into these queues.
    pub fn new(items: Producer<'q, FeedItem>, bytes: Producer<'q, u8>) -> Self {
        Self {
            items,
            bytes,
            staging: EventPool::new(),
            pushed: 0,
        }
    }

    fn push_marker(&mut self, item: FeedItem) -> Result<(), FeedItem> {
        self.items.enqueue(item)
    }
}

impl EventSink for QueueSink<'_> {
    fn schedule(&mut self, tl: u64, item: SongEvent) -> Result<(), Full<SongEvent>> {
        if !self.items.ready() {
            return Err(Full(item));
        }
        let mut payload = 0u16;
        if let SongEvent::SysEx(h) | SongEvent::Text(_, h) = item {
            let Some(bytes) = self.staging.get(h) else {
                return Err(Full(item));
            };
            let free = self.bytes.capacity() - self.bytes.len();
            if bytes.len() > free {
                return Err(Full(item));
            }
            for &b in bytes {
                let _ = self.bytes.enqueue(b);
            }
            payload = bytes.len() as u16;
            let _ = self.staging.free(h);
        }
        let _ = self.items.enqueue(FeedItem::Event { tl, item, payload });
        self.pushed += 1;
        Ok(())
    }

    fn alloc_payload(&mut self, bytes: &[u8]) -> Result<PoolHandle, PoolError> {
        self.staging.alloc(bytes)
    }

    fn free_payload(&mut self, handle: PoolHandle) {
        let _ = self.staging.free(handle);
    }
}

/// How the feeder ended.
pub struct FeedOutcome {
    /// Counters.
    pub stats: FeedStats,
    /// A fatal read error (the song was ended there).
    pub error: Option<Error>,
    /// The first damage skipped (`stats.read_errors` counts them all).
    pub first_problem: Option<Error>,
}

/// How long the feeder sleeps when the look-ahead is full: an eighth of
/// the look-ahead (31 ms at 0.25 s), so the queue never holds less than
/// seven eighths of it, at least a period and at most 50 ms (a seek waits
/// at most that long). Each wake-up costs a context switch: with half a
/// period, as before, the feeder woke 375 times a second at 256 frames.
fn nap(lookahead_s: f64, period: usize, rate: u32) -> Duration {
    let period_us = period as u64 * 1_000_000 / u64::from(rate.max(1));
    let eighth_us = (lookahead_s * 1e6 / 8.0) as u64;
    Duration::from_micros(eighth_us.clamp(period_us.min(50_000), 50_000))
}

/// The feeder loop: runs until `shared.stop_feeder` is set.
pub fn run(
    feed: &mut AnyFeed,
    mut sink: QueueSink<'_>,
    mut seeks: Consumer<'_, SeekTarget>,
    shared: &Shared,
    lookahead_s: f64,
    rate: u32,
    period: usize,
) -> FeedOutcome {
    crate::play::control::signals::block_in_this_thread();
    let mut error = None;
    let nap = nap(lookahead_s, period, rate);
    while !shared.stop_feeder.load(Ordering::Acquire) {
        if let Some(target) = seeks.dequeue() {
            match feed.rescan(target) {
                Ok(plan) => {
                    let now = shared.timeline_now.load(Ordering::Acquire);
                    let running = shared.started.load(Ordering::Acquire)
                        && !shared.paused.load(Ordering::Acquire);
                    // Land the jump a little ahead of the play head, so the
                    // replay is in the calendar when its frame is played.
                    let margin = if running {
                        2 * period as u64 * u64::from(shared.tempo_milli.load(Ordering::Relaxed))
                            / 1000
                    } else {
                        0
                    };
                    let at = now + margin;
                    let mut marker = FeedItem::Reposition { at, plan };
                    while let Err(m) = sink.push_marker(marker) {
                        marker = m;
                        if shared.stop_feeder.load(Ordering::Acquire) {
                            break;
                        }
                        std::thread::sleep(nap);
                    }
                    feed.resume_at(&mut sink, at, &plan);
                }
                Err(e) => error = Some(e),
            }
        }
        let now = shared.timeline_now.load(Ordering::Acquire);
        let milli = u64::from(shared.tempo_milli.load(Ordering::Relaxed).max(250));
        let ahead = ((lookahead_s * f64::from(rate)) as u64 * milli / 1000).max(4 * period as u64);
        let before = sink.pushed;
        if let Err(e) = feed.fill(&mut sink, now + ahead) {
            error = Some(e);
        }
        if sink.pushed == before {
            shared.primed.store(true, Ordering::Release);
            std::thread::sleep(nap);
        }
    }
    FeedOutcome {
        stats: feed.stats(),
        error,
        first_problem: feed.first_problem(),
    }
}
