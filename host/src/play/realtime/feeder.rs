//! The feeder thread: owns the song's reader, tempo map and chase state
//! (the core's `Feed`, through [`AnyFeed`]) and keeps the audio thread's
//! queue filled a fixed look-ahead beyond the play head. It may block on file I/O; the
//! audio thread never waits for it.
//!
//! What crosses to the audio thread ([`FeedItem`], in one FIFO, written
//! by [`super::queue_sink::QueueSink`]):
//! - `Event`: a timeline frame and a core `SongEvent`; a sysex or
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

use smfplay_core::sequencer::FeedStats;
use smfplay_core::smf::Error;

use super::any_feed::AnyFeed;
use super::play_status::PlayStatus;
use super::queue_sink::FeedItem;
use super::queues::FeederEnds;

/// How the feeder ended.
pub struct FeedOutcome {
    /// Counters.
    pub stats: FeedStats,
    /// A fatal read error (the song was ended there).
    pub error: Option<Error>,
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

/// The feeder loop: runs until `status.stop_feeder` is set.
pub fn run(
    feed: &mut AnyFeed,
    ends: FeederEnds<'_>,
    status: &PlayStatus,
    lookahead_s: f64,
    rate: u32,
    period: usize,
) -> FeedOutcome {
    crate::play::control::signals::block_in_this_thread();
    let FeederEnds {
        mut sink,
        mut seeks,
    } = ends;
    let mut error = None;
    let nap = nap(lookahead_s, period, rate);
    while !status.stop_feeder.load(Ordering::Acquire) {
        if let Some(target) = seeks.dequeue() {
            match feed.rescan(target) {
                Ok(plan) => {
                    let now = status.timeline_now.load(Ordering::Acquire);
                    let running = status.started.load(Ordering::Acquire)
                        && !status.paused.load(Ordering::Acquire);
                    // Land the jump a little ahead of the play head, so the
                    // replay is in the calendar when its frame is played.
                    let margin = if running {
                        2 * period as u64 * u64::from(status.tempo_milli.load(Ordering::Relaxed))
                            / 1000
                    } else {
                        0
                    };
                    let at = now + margin;
                    let mut marker = FeedItem::Reposition { at, plan };
                    while let Err(m) = sink.push_marker(marker) {
                        marker = m;
                        if status.stop_feeder.load(Ordering::Acquire) {
                            break;
                        }
                        std::thread::sleep(nap);
                    }
                    feed.resume_at(&mut sink, at, &plan);
                }
                Err(e) => error = Some(e),
            }
        }
        let now = status.timeline_now.load(Ordering::Acquire);
        let milli = u64::from(status.tempo_milli.load(Ordering::Relaxed).max(250));
        let ahead = ((lookahead_s * f64::from(rate)) as u64 * milli / 1000).max(4 * period as u64);
        let before = sink.pushed();
        if let Err(e) = feed.fill(&mut sink, now + ahead) {
            error = Some(e);
        }
        if sink.pushed() == before {
            status.primed.store(true, Ordering::Release);
            std::thread::sleep(nap);
        }
    }
    FeedOutcome {
        stats: feed.stats(),
        error,
    }
}
