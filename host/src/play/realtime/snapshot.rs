//! The report snapshot: the audio thread's counters and work histogram,
//! filled on request into a box the control thread made.
//!
//! *Real-time*: filled on the audio thread (no allocation: the box comes
//! from the control thread); made and read on the control thread.

use smfplay_core::timing_histogram::{PERIOD_BUCKETS, TimingHistogram};

use super::shedder::ShedState;
use super::thread_stats::ThreadStats;

/// A report snapshot, filled by the audio thread into a box the control
/// thread made (so the audio thread allocates nothing).
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Work per period.
    pub hist: TimingHistogram<PERIOD_BUCKETS>,
    /// `snd_pcm_delay` now.
    pub delay: Option<i64>,
    /// Xruns so far.
    pub xruns: u64,
    /// Events applied after their frame.
    pub late: u64,
    /// Periods that hit the per-period event bound.
    pub deferred_periods: u64,
    /// Payloads dropped because the player's pool was full.
    pub dropped: u64,
    /// Voices sounding.
    pub voices: u32,
    /// Shedding level and state.
    pub shed_level: u8,
    /// Shed state.
    pub shed: ShedState,
    /// Song position in ms.
    pub song_ms: u64,
    /// Periods played.
    pub periods: u64,
    /// How the audio thread was scheduled.
    pub thread: ThreadStats,
}

impl Snapshot {
    /// An empty snapshot.
    pub fn new() -> Self {
        Self {
            hist: TimingHistogram::new(),
            delay: None,
            xruns: 0,
            late: 0,
            deferred_periods: 0,
            dropped: 0,
            voices: 0,
            shed_level: 0,
            shed: ShedState {
                polyphony: 0,
                reverb: false,
                chorus: false,
            },
            song_ms: 0,
            periods: 0,
            thread: ThreadStats::default(),
        }
    }
}

impl Default for Snapshot {
    fn default() -> Self {
        Self::new()
    }
}
