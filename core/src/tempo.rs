//! Exact tick → sample-frame conversion.
//!
//! A [`TempoMap`] follows the song's tempo changes in tick order and turns
//! any tick at or after the last change into a sample frame with integer
//! math. It keeps the exact rational position of the last tempo change
//! (a `u128` numerator over a fixed denominator), so after any number of
//! tempo changes a frame is the floor of the exact rational answer: never
//! more than 1 frame early, never late, and no drift.
//!
//! For metrical timing the frame of tick `t` is
//! `Σ (ticks in segment × µs per quarter × rate) / (ticks per quarter × 10⁶)`;
//! for SMPTE timing it is `t × rate / (fps × ticks per frame)` and tempo
//! events are ignored, as the SMF spec says. 29.97 fps drop-frame counts
//! 107 892 frames per hour, i.e. exactly 29.97 frames per second
//! (`2997 / 100`), which is the rate used.
//!
//! # Example
//! ```
//! use midly::{Timing, num::u15};
//! use smfplay_core::tempo::TempoMap;
//! let mut map = TempoMap::new(Timing::Metrical(u15::new(480)), 48_000);
//! assert_eq!(map.frame_at(480), 24_000); // 120 BPM: a quarter is 0.5 s
//! map.set_tempo(480, 250_000); // 240 BPM from beat 2
//! assert_eq!(map.frame_at(960), 36_000);
//! ```
//!
//! *Real-time*: O(1) per call, no allocation; one `u128` multiply and one
//! division (done in `u64` whenever the numbers fit).
//!
//! *Panics*: never (arithmetic saturates far beyond any real song length).

use midly::{Fps, Timing};

/// Default tempo of a MIDI file: 120 BPM.
pub const DEFAULT_US_PER_QUARTER: u32 = 500_000;

/// Streaming tick → frame converter; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TempoMap {
    sample_rate: u32,
    metrical: bool,
    /// Denominator of every position: ticks per quarter × 10⁶, or
    /// fps numerator × ticks per frame.
    den: u64,
    /// Numerator added per tick in the current segment.
    per_tick: u64,
    /// Tick where the current segment starts.
    seg_tick: u64,
    /// Exact numerator of `seg_tick`'s frame.
    seg_num: u128,
    us_per_quarter: u32,
    ignored_tempos: u32,
}

impl TempoMap {
    /// A placeholder before the timing is known (every tick at frame 0,
    /// tempo 0), for `const` construction; replaced by [`TempoMap::new`]
    /// on open. All zero bits, so that a `static` sequencer goes to `.bss`
    /// (`den` 0 is read as 1).
    pub(crate) const UNSET: Self = Self {
        sample_rate: 0,
        metrical: false,
        den: 0,
        per_tick: 0,
        seg_tick: 0,
        seg_num: 0,
        us_per_quarter: 0,
        ignored_tempos: 0,
    };

    /// A map at tick 0 with the default tempo (120 BPM).
    pub fn new(timing: Timing, sample_rate: u32) -> Self {
        let (metrical, den, per_tick) = match timing {
            Timing::Metrical(tpq) => (
                true,
                tpq.as_int() as u64 * 1_000_000,
                DEFAULT_US_PER_QUARTER as u64 * sample_rate as u64,
            ),
            Timing::Timecode(fps, ticks_per_frame) => {
                let (num, den) = match fps {
                    Fps::Fps24 => (24, 1),
                    Fps::Fps25 => (25, 1),
                    Fps::Fps29 => (2997, 100),
                    Fps::Fps30 => (30, 1),
                };
                (
                    false,
                    num * ticks_per_frame as u64,
                    sample_rate as u64 * den,
                )
            }
        };
        // A zero division is rejected by the reader; keep the map defined anyway.
        let den = if den == 0 { 1 } else { den };
        Self {
            sample_rate,
            metrical,
            den,
            per_tick,
            seg_tick: 0,
            seg_num: 0,
            us_per_quarter: DEFAULT_US_PER_QUARTER,
            ignored_tempos: 0,
        }
    }

    /// The sample rate frames are counted at.
    pub const fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The tempo now in effect, in microseconds per quarter note.
    pub const fn us_per_quarter(&self) -> u32 {
        self.us_per_quarter
    }

    /// Tempo events that were ignored (tempo 0, or any tempo under SMPTE
    /// timing).
    pub const fn ignored_tempos(&self) -> u32 {
        self.ignored_tempos
    }

    /// Tick where the current tempo segment starts.
    pub const fn segment_start(&self) -> u64 {
        self.seg_tick
    }

    /// Applies a tempo change at `tick` (ticks must not go backwards; an
    /// earlier tick is taken as the current segment's start). Returns false
    /// when the change is ignored: a tempo of 0 (it would stop time) or SMPTE
    /// timing (where tempo events do not affect time).
    pub fn set_tempo(&mut self, tick: u64, us_per_quarter: u32) -> bool {
        if !self.metrical || us_per_quarter == 0 {
            self.ignored_tempos = self.ignored_tempos.saturating_add(1);
            return false;
        }
        let tick = tick.max(self.seg_tick);
        self.seg_num = self.numerator_at(tick);
        self.seg_tick = tick;
        self.us_per_quarter = us_per_quarter;
        self.per_tick = u64::from(us_per_quarter) * u64::from(self.sample_rate);
        true
    }

    #[inline]
    fn numerator_at(&self, tick: u64) -> u128 {
        let ticks = tick.saturating_sub(self.seg_tick);
        self.seg_num
            .saturating_add(u128::from(ticks) * u128::from(self.per_tick))
    }

    /// The frame of `tick`: the floor of the exact rational position.
    #[inline]
    pub fn frame_at(&self, tick: u64) -> u64 {
        let num = self.numerator_at(tick);
        let den = self.den.max(1);
        match u64::try_from(num) {
            Ok(n) => n / den,
            Err(_) => u64::try_from(num / u128::from(den)).unwrap_or(u64::MAX),
        }
    }

    /// The exact position of `tick` as `(numerator, denominator)` frames.
    pub fn exact_frame_at(&self, tick: u64) -> (u128, u64) {
        (self.numerator_at(tick), self.den.max(1))
    }

    /// The first tick whose frame is at or after `frame`, assuming no tempo
    /// change between the current segment's start and that tick (the caller
    /// applies tempo changes in order while it scans, as a seek does).
    pub fn tick_at_or_after(&self, frame: u64) -> u64 {
        let target = u128::from(frame) * u128::from(self.den.max(1));
        if target <= self.seg_num || self.per_tick == 0 {
            return self.seg_tick;
        }
        // Smallest t with seg_num + t * per_tick >= target, so that
        // frame_at(seg_tick + t) = floor(num / den) >= frame.
        let per_tick = u128::from(self.per_tick);
        let ticks = (target - self.seg_num).div_ceil(per_tick);
        self.seg_tick
            .saturating_add(u64::try_from(ticks).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use midly::num::u15;

    #[test]
    fn smpte_ignores_tempo() {
        let mut map = TempoMap::new(Timing::Timecode(Fps::Fps25, 40), 48_000);
        assert_eq!(map.frame_at(1000), 48_000); // 25 fps × 40 = 1000 ticks/s
        assert!(!map.set_tempo(0, 1));
        assert_eq!(map.frame_at(1000), 48_000);
        let drop = TempoMap::new(Timing::Timecode(Fps::Fps29, 100), 2997);
        assert_eq!(drop.frame_at(2997 * 100), 2997 * 100); // 29.97 × 100 ticks/s
    }

    #[test]
    fn zero_tempo_is_ignored() {
        let mut map = TempoMap::new(Timing::Metrical(u15::new(96)), 44_100);
        assert!(!map.set_tempo(10, 0));
        assert_eq!(map.ignored_tempos(), 1);
        assert_eq!(map.frame_at(96), 22_050);
    }

    #[test]
    fn tick_at_or_after_inverts_frame_at() {
        let mut map = TempoMap::new(Timing::Metrical(u15::new(7)), 44_100);
        map.set_tempo(5, 333_333);
        for frame in (0..200_000).step_by(997) {
            let t = map.tick_at_or_after(frame);
            assert!(map.frame_at(t) >= frame || t == map.segment_start());
            if t > map.segment_start() {
                assert!(map.frame_at(t - 1) < frame);
            }
        }
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let mut map = TempoMap::new(Timing::Metrical(u15::new(1)), 384_000);
        map.set_tempo(u64::MAX / 2, 0xFF_FFFF);
        let f = map.frame_at(u64::MAX);
        assert!(f > 0);
    }
}
