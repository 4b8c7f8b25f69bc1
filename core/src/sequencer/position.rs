//! Where the play head is in musical terms: song tick, song seconds and
//! bar:beat, followed from the tempo, time signature and jump markers as
//! they are played (not as they are read ahead).
//!
//! *Real-time*: O(1), no allocation.

/// A position the user can read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Position {
    /// Song tick.
    pub tick: u64,
    /// Frames of unscaled song time since the start of the song (divide by
    /// the sample rate for seconds).
    pub song_frame: u64,
    /// Frames played out since the sequencer started (what the device got).
    pub output_frame: u64,
    /// Bar, from 1.
    pub bar: u32,
    /// Beat in the bar, from 1.
    pub beat: u32,
    /// Tempo in microseconds per quarter note.
    pub us_per_quarter: u32,
    /// Time signature numerator.
    pub numerator: u8,
    /// Time signature denominator as a power of two.
    pub denominator_pow2: u8,
}

/// Follows tick and bar:beat from the markers the player meets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PositionClock {
    /// Ticks per quarter (metrical) — for SMPTE files, ticks per second / 2
    /// at 120 BPM is used so that bars still count something sensible.
    tpq: u64,
    /// Ticks per second for SMPTE timing (tempo ignored), else 0.
    smpte_ticks_per_second: u64,
    rate: u64,
    seg_tick: u64,
    seg_song_frame: u64,
    us_per_quarter: u32,
    sig_tick: u64,
    sig_bar: u32,
    numerator: u8,
    denominator_pow2: u8,
}

impl PositionClock {
    /// A placeholder before the timing is known, for `const` construction;
    /// replaced by [`PositionClock::new`] on open. All zero bits (so a
    /// `static` sequencer goes to `.bss`): every division guards against
    /// the zeros, and it reports tick 0, bar 1, beat 1.
    pub(crate) const UNSET: Self = Self {
        tpq: 0,
        smpte_ticks_per_second: 0,
        rate: 0,
        seg_tick: 0,
        seg_song_frame: 0,
        us_per_quarter: 0,
        sig_tick: 0,
        sig_bar: 0,
        numerator: 0,
        denominator_pow2: 0,
    };

    pub(crate) fn new(timing: midly::Timing, rate: u32) -> Self {
        let (tpq, smpte) = match timing {
            midly::Timing::Metrical(t) => (u64::from(t.as_int()).max(1), 0),
            midly::Timing::Timecode(fps, tpf) => {
                let tps = u64::from(fps.as_int()) * u64::from(tpf);
                (tps.max(2) / 2, tps.max(1))
            }
        };
        Self {
            tpq,
            smpte_ticks_per_second: smpte,
            rate: u64::from(rate).max(1),
            seg_tick: 0,
            seg_song_frame: 0,
            us_per_quarter: crate::tempo::DEFAULT_US_PER_QUARTER,
            sig_tick: 0,
            sig_bar: 0,
            numerator: 4,
            denominator_pow2: 2,
        }
    }

    /// Tick at an unscaled song frame at or after the segment start.
    pub(crate) fn tick_at(&self, song_frame: u64) -> u64 {
        let df = u128::from(song_frame.saturating_sub(self.seg_song_frame));
        let ticks = if self.smpte_ticks_per_second > 0 {
            df * u128::from(self.smpte_ticks_per_second) / u128::from(self.rate.max(1))
        } else {
            df * u128::from(self.tpq) * 1_000_000
                / (u128::from(self.us_per_quarter.max(1)) * u128::from(self.rate.max(1)))
        };
        self.seg_tick
            .saturating_add(u64::try_from(ticks).unwrap_or(u64::MAX))
    }

    pub(crate) fn tempo(&mut self, tick: u64, song_frame: u64, us_per_quarter: u32) {
        self.seg_tick = tick;
        self.seg_song_frame = song_frame;
        if us_per_quarter > 0 {
            self.us_per_quarter = us_per_quarter;
        }
    }

    fn ticks_per_bar(&self) -> u64 {
        // numerator beats of (4 / 2^den) quarters each.
        let quarter_x4 = self.tpq * 4;
        let beat = quarter_x4 >> self.denominator_pow2.min(6);
        (beat.max(1)) * u64::from(self.numerator.max(1))
    }

    fn ticks_per_beat(&self) -> u64 {
        ((self.tpq * 4) >> self.denominator_pow2.min(6)).max(1)
    }

    /// A time signature change at `tick`, counting bars from where it is.
    /// Returns the bars before `tick`.
    pub(crate) fn time_signature(&mut self, tick: u64, numerator: u8, denominator_pow2: u8) -> u32 {
        let bars_before = self.bar_beat(tick).0.saturating_sub(1);
        self.set_signature(tick, bars_before, numerator, denominator_pow2);
        bars_before
    }

    /// Sets the signature in force from `tick`, with `bars_before` bars
    /// before it (as the feed, which reads every signature, counted them).
    pub(crate) fn set_signature(
        &mut self,
        tick: u64,
        bars_before: u32,
        numerator: u8,
        denominator_pow2: u8,
    ) {
        self.sig_bar = bars_before;
        self.sig_tick = tick;
        self.numerator = numerator.max(1);
        self.denominator_pow2 = denominator_pow2.min(6);
    }

    /// The signature in force: (tick, bars before it, numerator, denominator power).
    pub(crate) fn signature(&self) -> (u64, u32, u8, u8) {
        (
            self.sig_tick,
            self.sig_bar,
            self.numerator,
            self.denominator_pow2,
        )
    }

    /// Continues at `tick` after a seek or loop (the feed sends the
    /// signature in force right after the jump).
    pub(crate) fn jump(&mut self, tick: u64, song_frame: u64, us_per_quarter: u32) {
        self.tempo(tick, song_frame, us_per_quarter);
    }

    /// (bar, beat), both from 1.
    pub(crate) fn bar_beat(&self, tick: u64) -> (u32, u32) {
        let since = tick.saturating_sub(self.sig_tick);
        let bar = self.sig_bar as u64 + since / self.ticks_per_bar() + 1;
        let beat = (since % self.ticks_per_bar()) / self.ticks_per_beat() + 1;
        (u32::try_from(bar).unwrap_or(u32::MAX), beat as u32)
    }

    pub(crate) fn position(&self, song_frame: u64, output_frame: u64) -> Position {
        let tick = self.tick_at(song_frame);
        let (bar, beat) = self.bar_beat(tick);
        Position {
            tick,
            song_frame,
            output_frame,
            bar,
            beat,
            us_per_quarter: self.us_per_quarter,
            numerator: self.numerator,
            denominator_pow2: self.denominator_pow2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use midly::num::u15;

    #[test]
    fn bars_and_beats_follow_signatures() {
        let mut c = PositionClock::new(midly::Timing::Metrical(u15::new(480)), 48_000);
        assert_eq!(c.bar_beat(0), (1, 1));
        assert_eq!(c.bar_beat(480 * 5), (2, 2));
        c.time_signature(480 * 8, 3, 2); // 3/4 from bar 3
        assert_eq!(c.bar_beat(480 * 8), (3, 1));
        assert_eq!(c.bar_beat(480 * 11), (4, 1));
        c.time_signature(480 * 14, 6, 3); // 6/8 from bar 5
        assert_eq!(c.bar_beat(480 * 14 + 240 * 7), (6, 2));
        assert_eq!(c.tick_at(24_000), 480); // 120 BPM
        c.tempo(480, 24_000, 250_000);
        assert_eq!(c.tick_at(36_000), 960);
    }
}
