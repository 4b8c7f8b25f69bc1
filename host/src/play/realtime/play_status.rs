//! The play status the threads share: the audio thread publishes its play
//! head and counters for the feeder, the display and the report; the
//! feeder says when it is primed; the control thread tells the feeder to
//! stop.
//!
//! *Real-time*: atomics only; the audio thread stores without waiting.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64};

/// The play status of one song: what the audio thread publishes (play
/// head, tempo, counters, what the display shows), the feeder's priming
/// and the control thread's stop for the feeder. Atomics only.
pub struct PlayStatus {
    /// Timeline frame played up to (audio → feeder).
    pub timeline_now: AtomicU64,
    /// Tempo scale in thousandths (audio → feeder).
    pub tempo_milli: AtomicU32,
    /// Paused (audio → feeder).
    pub paused: AtomicBool,
    /// The audio loop runs.
    pub started: AtomicBool,
    /// The feeder has filled its look-ahead once (feeder → control).
    pub primed: AtomicBool,
    /// The feeder should return (control → feeder).
    pub stop_feeder: AtomicBool,
    /// Song position in ms.
    pub song_ms: AtomicU64,
    /// Periods played.
    pub periods: AtomicU64,
    /// Late events.
    pub late: AtomicU64,
    /// Xruns.
    pub xruns: AtomicU64,
    /// Load-shedding level.
    pub shed_level: AtomicU8,
    /// Most work in one period since the control thread last took it (ns).
    pub work_peak_ns: AtomicU64,
    /// Bar (high 32 bits) and beat (low 32 bits), from 1.
    pub bar_beat: AtomicU64,
    /// Song tempo (µs per quarter, before the tempo scale).
    pub us_per_quarter: AtomicU32,
    /// Time signature: numerator << 8 | denominator as a power of two.
    pub signature: AtomicU32,
    /// Voices sounding.
    pub voices: AtomicU32,
    /// Channel masks: sounding (bits 0–15), muted (16–31), soloed (32–47).
    pub channels: AtomicU64,
}

impl PlayStatus {
    /// Fresh state for a song.
    pub fn new() -> Self {
        Self {
            timeline_now: AtomicU64::new(0),
            tempo_milli: AtomicU32::new(1000),
            paused: AtomicBool::new(false),
            started: AtomicBool::new(false),
            primed: AtomicBool::new(false),
            stop_feeder: AtomicBool::new(false),
            song_ms: AtomicU64::new(0),
            periods: AtomicU64::new(0),
            late: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            shed_level: AtomicU8::new(0),
            work_peak_ns: AtomicU64::new(0),
            bar_beat: AtomicU64::new((1 << 32) | 1),
            us_per_quarter: AtomicU32::new(500_000),
            signature: AtomicU32::new((4 << 8) | 2),
            voices: AtomicU32::new(0),
            channels: AtomicU64::new(0),
        }
    }
}

impl Default for PlayStatus {
    fn default() -> Self {
        Self::new()
    }
}
