//! Positions as musicians say them: `17:1` (bar:beat), `17:1:240`
//! (bar:beat:tick) or seconds (`90`, `12.5`), parsed from what a user types
//! ([`TimePoint::parse`]), and the [`Meter`] that turns a bar:beat into a
//! song tick and back from the file's time signatures ([`BarLocator`] finds
//! one position in a single pass over the file).
//!
//! Bars count as the player's display counts them (see `Position`): from
//! 1, restarting the count of beats at each time signature; a beat is the
//! signature's denominator note (a quarter in 4/4, an eighth in 6/8).
//!
//! *Real-time*: O(1) per call, no allocation; parsing is for start-up and
//! the control thread.

use core::fmt;

/// Bar, beat and tick within the beat: `17:1:0` is the first tick of bar 17.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BarBeat {
    /// Bar, from 1.
    pub bar: u32,
    /// Beat in the bar, from 1.
    pub beat: u32,
    /// Ticks after the beat, from 0.
    pub tick: u32,
}

impl BarBeat {
    /// The start of bar `bar`.
    pub const fn bar(bar: u32) -> Self {
        Self {
            bar,
            beat: 1,
            tick: 0,
        }
    }

    /// Parses `bar:beat` or `bar:beat:tick` (bar and beat from 1).
    pub fn parse(s: &str) -> Result<Self, BarBeatError> {
        let mut parts = s.trim().split(':');
        let mut number = |what: &'static str| -> Result<Option<u32>, BarBeatError> {
            match parts.next() {
                None => Ok(None),
                Some(p) => p
                    .trim()
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| BarBeatError::NotANumber(what)),
            }
        };
        let bar = number("bar")?.ok_or(BarBeatError::NotANumber("bar"))?;
        let beat = number("beat")?.ok_or(BarBeatError::NotANumber("beat"))?;
        let tick = number("tick")?.unwrap_or(0);
        if number("tick")?.is_some() {
            return Err(BarBeatError::TooManyParts);
        }
        if bar == 0 {
            return Err(BarBeatError::Zero("bar"));
        }
        if beat == 0 {
            return Err(BarBeatError::Zero("beat"));
        }
        Ok(Self { bar, beat, tick })
    }
}

impl fmt::Display for BarBeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bar, self.beat)?;
        if self.tick > 0 {
            write!(f, ":{}", self.tick)?;
        }
        Ok(())
    }
}

/// A time as a user gives it: seconds of song time, or a bar:beat.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimePoint {
    /// Seconds of song time (unscaled by the tempo setting).
    Seconds(f64),
    /// A bar:beat(:tick).
    Bars(BarBeat),
}

impl TimePoint {
    /// `17:1`, `17:1:240` or a number of seconds (`90`, `12.5`).
    pub fn parse(s: &str) -> Result<Self, BarBeatError> {
        let s = s.trim();
        if s.contains(':') {
            return BarBeat::parse(s).map(Self::Bars);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Self::Seconds(v)),
            Ok(v) if v < 0.0 => Err(BarBeatError::BeforeTheStart),
            _ => Err(BarBeatError::NotATime),
        }
    }
}

impl fmt::Display for TimePoint {
    /// As the user wrote it: `90`, `12.5`, `17:1`, `17:1:240`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Seconds(s) => write!(f, "{s}"),
            Self::Bars(bb) => write!(f, "{bb}"),
        }
    }
}

/// Why a position was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BarBeatError {
    /// Neither seconds nor bar:beat.
    NotATime,
    /// A negative number of seconds.
    BeforeTheStart,
    /// A part that is not a whole number (which part).
    NotANumber(&'static str),
    /// Bar or beat 0 (they count from 1).
    Zero(&'static str),
    /// More than bar:beat:tick.
    TooManyParts,
    /// A beat past the bar's last beat (the beat, the beats in that bar).
    BeatPastBar(u32, u32),
    /// A tick past the beat's length (the tick, the ticks in a beat).
    TickPastBeat(u32, u64),
}

impl fmt::Display for BarBeatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NotATime => write!(
                f,
                "not a time: give seconds (90, 12.5) or bar:beat (17:1, 17:1:240)"
            ),
            Self::BeforeTheStart => {
                write!(f, "before the song's start: the value must be ≥ 0 seconds")
            }
            Self::NotANumber(what) => {
                write!(f, "the {what} is not a whole number (bar:beat, e.g. 17:1)")
            }
            Self::Zero(what) => write!(f, "the {what} counts from 1"),
            Self::TooManyParts => write!(f, "too many parts: bar:beat or bar:beat:tick"),
            Self::BeatPastBar(beat, beats) => {
                write!(f, "beat {beat} is past the bar's {beats} beats")
            }
            Self::TickPastBeat(tick, ticks) => {
                write!(f, "tick {tick} is past the beat's {ticks} ticks")
            }
        }
    }
}

/// The time signature in force and where it started: bar:beat ↔ tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Meter {
    /// Ticks per quarter (for SMPTE files, ticks per second / 2: a
    /// "quarter" of half a second, as the play head counts).
    tpq: u64,
    sig_tick: u64,
    /// Bars before `sig_tick`.
    sig_bars: u32,
    numerator: u8,
    denominator_pow2: u8,
}

impl Meter {
    /// 4/4 from tick 0.
    pub fn new(timing: midly::Timing) -> Self {
        let tpq = match timing {
            midly::Timing::Metrical(t) => u64::from(t.as_int()),
            midly::Timing::Timecode(fps, tpf) => u64::from(fps.as_int()) * u64::from(tpf) / 2,
        };
        Self {
            tpq: tpq.max(1),
            sig_tick: 0,
            sig_bars: 0,
            numerator: 4,
            denominator_pow2: 2,
        }
    }

    /// Ticks in one beat of the signature in force.
    pub fn ticks_per_beat(&self) -> u64 {
        ((self.tpq * 4) >> self.denominator_pow2.min(6)).max(1)
    }

    /// Ticks in one bar of the signature in force.
    pub fn ticks_per_bar(&self) -> u64 {
        self.ticks_per_beat() * u64::from(self.numerator.max(1))
    }

    /// A time signature at `tick` (ticks in order): bars count on from it.
    pub fn time_signature(&mut self, tick: u64, numerator: u8, denominator_pow2: u8) {
        self.sig_bars = self.bar_beat(tick).bar.saturating_sub(1);
        self.sig_tick = tick;
        self.numerator = numerator.max(1);
        self.denominator_pow2 = denominator_pow2.min(6);
    }

    /// The bar:beat:tick of `tick` (at or after the last signature).
    pub fn bar_beat(&self, tick: u64) -> BarBeat {
        let since = tick.saturating_sub(self.sig_tick);
        let (per_bar, per_beat) = (self.ticks_per_bar(), self.ticks_per_beat());
        let bar = u64::from(self.sig_bars) + since / per_bar + 1;
        let in_bar = since % per_bar;
        BarBeat {
            bar: u32::try_from(bar).unwrap_or(u32::MAX),
            beat: (in_bar / per_beat) as u32 + 1,
            tick: (in_bar % per_beat) as u32,
        }
    }

    /// The tick of `at`, counted with the signature in force (the caller
    /// makes sure no later signature comes before it: see [`BarLocator`]).
    /// A bar before the signature's first counts back with it.
    pub fn tick_of(&self, at: BarBeat) -> Result<u64, BarBeatError> {
        if at.beat > u32::from(self.numerator) {
            return Err(BarBeatError::BeatPastBar(at.beat, self.numerator.into()));
        }
        let per_beat = self.ticks_per_beat();
        if u64::from(at.tick) >= per_beat {
            return Err(BarBeatError::TickPastBeat(at.tick, per_beat));
        }
        let bars = i128::from(at.bar) - 1 - i128::from(self.sig_bars);
        let tick = i128::from(self.sig_tick)
            + bars * i128::from(self.ticks_per_bar())
            + i128::from(at.beat - 1) * i128::from(per_beat)
            + i128::from(at.tick);
        Ok(u64::try_from(tick.max(0)).unwrap_or(u64::MAX))
    }
}

/// Finds the tick of one bar:beat in one pass over the file's time
/// signatures (in tick order), however the meter changes before it.
#[derive(Clone, Copy, Debug)]
pub struct BarLocator {
    target: BarBeat,
    meter: Meter,
    found: Option<Result<u64, BarBeatError>>,
}

impl BarLocator {
    /// Looks for `target` in a file of `timing`.
    pub fn new(target: BarBeat, timing: midly::Timing) -> Self {
        Self {
            target,
            meter: Meter::new(timing),
            found: None,
        }
    }

    /// A time signature at `tick`.
    pub fn time_signature(&mut self, tick: u64, numerator: u8, denominator_pow2: u8) {
        if self.found.is_none() && self.target.bar < self.meter.bar_beat(tick).bar {
            // The target's bar lies before this signature: the meter in
            // force says where.
            self.found = Some(self.meter.tick_of(self.target));
        }
        self.meter.time_signature(tick, numerator, denominator_pow2);
    }

    /// The target's tick, once every signature has been seen.
    pub fn finish(&self) -> Result<u64, BarBeatError> {
        self.found
            .unwrap_or_else(|| self.meter.tick_of(self.target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use midly::Timing;
    use midly::num::u15;

    const T480: Timing = Timing::Metrical(u15::new(480));

    #[test]
    fn parses_bar_beat_tick_and_seconds() {
        assert_eq!(BarBeat::parse("17:1"), Ok(BarBeat::bar(17)));
        let bb = BarBeat {
            bar: 3,
            beat: 2,
            tick: 240,
        };
        assert_eq!(BarBeat::parse(" 3:2:240 "), Ok(bb));
        assert_eq!(TimePoint::parse("12.5"), Ok(TimePoint::Seconds(12.5)));
        assert_eq!(TimePoint::parse("90"), Ok(TimePoint::Seconds(90.0)));
        assert_eq!(
            TimePoint::parse("5:1"),
            Ok(TimePoint::Bars(BarBeat::bar(5)))
        );
        assert_eq!(format!("{bb}"), "3:2:240");
        assert_eq!(format!("{}", BarBeat::bar(5)), "5:1");
    }

    #[test]
    fn refuses_what_is_not_a_position() {
        assert_eq!(BarBeat::parse("0:1"), Err(BarBeatError::Zero("bar")));
        assert_eq!(BarBeat::parse("1:0"), Err(BarBeatError::Zero("beat")));
        assert_eq!(BarBeat::parse("1:2:3:4"), Err(BarBeatError::TooManyParts));
        assert_eq!(BarBeat::parse("x:1"), Err(BarBeatError::NotANumber("bar")));
        assert_eq!(BarBeat::parse("1:"), Err(BarBeatError::NotANumber("beat")));
        assert_eq!(
            BarBeat::parse("1:-2"),
            Err(BarBeatError::NotANumber("beat"))
        );
        assert_eq!(TimePoint::parse("-3"), Err(BarBeatError::BeforeTheStart));
        assert_eq!(TimePoint::parse("inf"), Err(BarBeatError::NotATime));
        assert_eq!(TimePoint::parse(""), Err(BarBeatError::NotATime));
        let m = Meter::new(T480);
        assert_eq!(
            m.tick_of(BarBeat::parse("2:5").unwrap()),
            Err(BarBeatError::BeatPastBar(5, 4))
        );
        assert_eq!(
            m.tick_of(BarBeat::parse("2:1:480").unwrap()),
            Err(BarBeatError::TickPastBeat(480, 480))
        );
    }

    #[test]
    fn meter_maps_both_ways_across_signatures() {
        let mut m = Meter::new(T480);
        assert_eq!(m.tick_of(BarBeat::bar(3)), Ok(480 * 8));
        m.time_signature(480 * 8, 3, 2); // 3/4 from bar 3
        assert_eq!(m.bar_beat(480 * 11), BarBeat::bar(4));
        assert_eq!(m.tick_of(BarBeat::bar(4)), Ok(480 * 11));
        m.time_signature(480 * 14, 6, 3); // 6/8 from bar 5
        let bb = BarBeat {
            bar: 6,
            beat: 2,
            tick: 0,
        };
        assert_eq!(m.bar_beat(480 * 14 + 240 * 7), bb);
        assert_eq!(m.tick_of(bb), Ok(480 * 14 + 240 * 7));
    }

    #[test]
    fn locator_uses_the_signature_in_force_at_the_target() {
        let find = |target: &str| {
            let mut l = BarLocator::new(BarBeat::parse(target).unwrap(), T480);
            l.time_signature(0, 4, 2);
            l.time_signature(480 * 8, 3, 2); // bar 3 on: 3/4
            l.time_signature(480 * 14, 7, 3); // bar 5 on: 7/8
            l.finish()
        };
        assert_eq!(find("2:4"), Ok(480 * 7));
        assert_eq!(find("3:1"), Ok(480 * 8));
        assert_eq!(find("4:3"), Ok(480 * 13));
        assert_eq!(find("4:4"), Err(BarBeatError::BeatPastBar(4, 3)));
        assert_eq!(find("5:7"), Ok(480 * 14 + 240 * 6));
        assert_eq!(find("7:1"), Ok(480 * 14 + 240 * 14));
        // A beat the 4/4 before would not have, in the 5/4 bar it names.
        let mut l = BarLocator::new(BarBeat::parse("3:5").unwrap(), T480);
        l.time_signature(480 * 8, 5, 2);
        assert_eq!(l.finish(), Ok(480 * 12));
    }
}
