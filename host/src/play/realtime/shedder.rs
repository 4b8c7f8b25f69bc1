//! Load shedding: when the audio thread's work nears the period's budget
//! for several periods in a row, lower the voice limit, then turn reverb
//! and chorus off; after a long enough cool spell, step back up.
//!
//! *Real-time*: runs on the audio thread (counters only, no allocation).

use super::synth_control::SynthControl;

/// Load shedding: above this share of the budget a period is "hot"…
pub const SHED_HIGH_PERCENT: u64 = 80;
/// …and this many hot periods in a row shed one step.
pub const SHED_HOT_PERIODS: u32 = 8;
/// Below this share a period is "cool"…
pub const SHED_LOW_PERCENT: u64 = 40;
/// …and this long of cool periods in a row restores one step.
pub const SHED_COOL_MS: u64 = 2_000;

/// Load-shedding state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShedState {
    /// Voice limit now.
    pub polyphony: u32,
    /// Reverb on.
    pub reverb: bool,
    /// Chorus on.
    pub chorus: bool,
}

/// The load shedder's counters and its current step.
pub struct Shedder {
    level: u8,
    hot: u32,
    cool: u64,
    cool_needed: u64,
    /// The period's length in ns: the budget its work is measured against.
    budget_ns: u64,
    base: ShedState,
    now: ShedState,
}

impl Shedder {
    /// No shedding yet, from `base`, for periods of `period` frames at `rate`.
    pub fn new(base: ShedState, period: usize, rate: u32) -> Self {
        let budget_ns = (period as u64 * 1_000_000_000 / u64::from(rate.max(1))).max(1);
        Self {
            level: 0,
            hot: 0,
            cool: 0,
            cool_needed: (SHED_COOL_MS * 1_000_000 / budget_ns).max(1),
            budget_ns,
            base,
            now: base,
        }
    }

    /// The level now (0 = none).
    pub fn level(&self) -> u8 {
        self.level
    }

    /// The state now.
    pub fn state(&self) -> ShedState {
        self.now
    }

    /// Reverb and chorus as allowed now (by the command line and the
    /// keys), at the current level.
    pub fn set_effects(&mut self, synth: &mut impl SynthControl, reverb: bool, chorus: bool) {
        self.base.reverb = reverb;
        self.base.chorus = chorus;
        self.enter(synth, self.state_for(self.level));
    }

    /// Counts a period that worked `work_ns`; when that makes a step,
    /// applies it and returns the new level and state.
    pub fn after_period(
        &mut self,
        synth: &mut impl SynthControl,
        work_ns: u64,
    ) -> Option<(u8, ShedState)> {
        let percent = work_ns * 100 / self.budget_ns;
        if percent >= SHED_HIGH_PERCENT {
            self.hot += 1;
            self.cool = 0;
        } else if percent <= SHED_LOW_PERCENT {
            self.cool += 1;
            self.hot = 0;
        } else {
            self.hot = 0;
        }
        let target = if self.hot >= SHED_HOT_PERIODS && self.level < 3 {
            self.level + 1
        } else if self.cool >= self.cool_needed && self.level > 0 {
            self.level - 1
        } else {
            return None;
        };
        self.hot = 0;
        self.cool = 0;
        self.level = target;
        let state = self.state_for(target);
        self.enter(synth, state);
        Some((target, state))
    }

    /// Sets the synth to `state`, touching only what changes.
    fn enter(&mut self, synth: &mut impl SynthControl, state: ShedState) {
        if state.polyphony != self.now.polyphony {
            synth.set_polyphony(state.polyphony);
        }
        if (state.reverb, state.chorus) != (self.now.reverb, self.now.chorus) {
            synth.set_effects(state.reverb, state.chorus);
        }
        self.now = state;
    }

    fn state_for(&self, level: u8) -> ShedState {
        let b = self.base;
        match level {
            0 => b,
            1 => ShedState {
                polyphony: (b.polyphony / 2).max(16).min(b.polyphony),
                ..b
            },
            2 => ShedState {
                polyphony: (b.polyphony / 4).max(8).min(b.polyphony),
                ..b
            },
            _ => ShedState {
                polyphony: (b.polyphony / 4).max(8).min(b.polyphony),
                reverb: false,
                chorus: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release_tail::VoiceCount;
    use smfplay_core::synth::{Synth, SynthEvent};

    /// Keeps what the shedder sets.
    struct Settings {
        polyphony: u32,
        effects: (bool, bool),
    }

    impl Synth for Settings {
        fn apply(&mut self, _: SynthEvent<'_>) {}
        fn render(&mut self, _: &mut [f32], _: &mut [f32]) {}
    }

    impl VoiceCount for Settings {
        fn active_voices(&self) -> u32 {
            0
        }
    }

    impl SynthControl for Settings {
        fn polyphony(&self) -> u32 {
            self.polyphony
        }
        fn set_polyphony(&mut self, voices: u32) {
            self.polyphony = voices;
        }
        fn set_effects(&mut self, reverb: bool, chorus: bool) {
            self.effects = (reverb, chorus);
        }
    }

    /// Each step is applied to the synth as it is taken, and the keys'
    /// effects switch never turns on what shedding turned off.
    #[test]
    fn steps_reach_the_synth_and_effects_stay_shed() {
        let mut synth = Settings {
            polyphony: 256,
            effects: (true, true),
        };
        let base = ShedState {
            polyphony: 256,
            reverb: true,
            chorus: true,
        };
        // 256 frames at 48 kHz: a 5.33 ms budget.
        let mut shedder = Shedder::new(base, 256, 48_000);
        let hot_ns = 5_333_333 * 90 / 100;
        let mut steps = Vec::new();
        for _ in 0..3 * SHED_HOT_PERIODS {
            if let Some((level, _)) = shedder.after_period(&mut synth, hot_ns) {
                steps.push((level, synth.polyphony, synth.effects));
            }
        }
        assert_eq!(
            steps,
            [
                (1, 128, (true, true)),
                (2, 64, (true, true)),
                (3, 64, (false, false)),
            ]
        );
        shedder.set_effects(&mut synth, true, true);
        assert_eq!(synth.effects, (false, false));
        assert_eq!(shedder.state(), synth_state(&synth));
        // Back down to level 0 when the work cools: effects back on.
        while shedder.level() > 0 {
            let _ = shedder.after_period(&mut synth, 0);
        }
        assert_eq!((synth.polyphony, synth.effects), (256, (true, true)));
    }

    fn synth_state(s: &Settings) -> ShedState {
        ShedState {
            polyphony: s.polyphony,
            reverb: s.effects.0,
            chorus: s.effects.1,
        }
    }
}
