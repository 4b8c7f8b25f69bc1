//! The mapping between timeline frames (unscaled song time, continuing
//! across seeks and loops) and output frames (what the device plays), under
//! a tempo scale that can change while playing without a jump.
//!
//! `out(tl) = base_out + floor((tl − base_tl) × 1000 / milli)`: an event
//! sounds at the floor of its scaled time, as the tempo map floors exact
//! times, so a tempo scale of 1 changes nothing.
//!
//! *Real-time*: O(1) integer math.

/// Slowest tempo scale, in thousandths.
pub const MIN_TEMPO_MILLI: u32 = 250;
/// Fastest tempo scale, in thousandths.
pub const MAX_TEMPO_MILLI: u32 = 4000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ScaleMap {
    base_out: u64,
    base_tl: u64,
    /// Tempo scale in thousandths; 0 stands for 1000 (unscaled), so that
    /// the initial map is all zero bits (a `static` sequencer goes to `.bss`)
    /// and the unscaled case needs no division.
    milli: u32,
}

impl ScaleMap {
    pub(crate) const fn new() -> Self {
        Self {
            base_out: 0,
            base_tl: 0,
            milli: 0,
        }
    }

    pub(crate) const fn milli(&self) -> u32 {
        if self.milli == 0 { 1000 } else { self.milli }
    }

    /// The stored form of a scale: clamped, and 0 for 1000.
    fn stored(milli: u32) -> u32 {
        match milli.clamp(MIN_TEMPO_MILLI, MAX_TEMPO_MILLI) {
            1000 => 0,
            m => m,
        }
    }

    /// Output frame where timeline frame `tl` sounds (`tl` ≥ the base).
    pub(crate) fn out_of(&self, tl: u64) -> u64 {
        if self.milli == 0 {
            return self
                .base_out
                .saturating_add(tl.saturating_sub(self.base_tl));
        }
        // floor(d × 1000 / m) = (d / m) × 1000 + floor((d mod m) × 1000 / m),
        // exactly, in u64 (no u128 division: it is large and slow on small
        // cores); r × 1000 < 4000 × 1000 cannot overflow.
        let (d, m) = (tl.saturating_sub(self.base_tl), u64::from(self.milli));
        let (q, r) = (d / m, d % m);
        self.base_out
            .saturating_add(q.saturating_mul(1000).saturating_add(r * 1000 / m))
    }

    /// The first timeline frame that sounds at or after output frame `out`.
    pub(crate) fn bound(&self, out: u64) -> u64 {
        // Smallest d with floor(d × 1000 / milli) ≥ out − base_out.
        if self.milli == 0 {
            return self
                .base_tl
                .saturating_add(out.saturating_sub(self.base_out));
        }
        // ceil(k × m / 1000) = (k / 1000) × m + ceil((k mod 1000) × m / 1000),
        // exactly, in u64 (as in `out_of`).
        let (k, m) = (out.saturating_sub(self.base_out), u64::from(self.milli));
        let (q, r) = (k / 1000, k % 1000);
        self.base_tl
            .saturating_add(q.saturating_mul(m).saturating_add((r * m).div_ceil(1000)))
    }

    /// Rebases at output frame `out` (every timeline frame before
    /// `bound(out)` has been played) and sets a new scale.
    pub(crate) fn rescale(&mut self, out: u64, milli: u32) {
        let tl = self.bound(out);
        *self = Self {
            base_out: out,
            base_tl: tl,
            milli: Self::stored(milli),
        };
    }

    /// Restarts the mapping: timeline frame `tl` sounds at output `out`.
    pub(crate) fn restart(&mut self, out: u64, tl: u64) {
        self.base_out = out;
        self.base_tl = tl;
    }

    /// Changes the scale without rebasing (while paused).
    pub(crate) fn set_milli(&mut self, milli: u32) {
        self.milli = Self::stored(milli);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_and_out_agree() {
        for milli in [250, 333, 999, 1000, 1001, 1500, 4000] {
            let mut m = ScaleMap::new();
            m.rescale(77, milli);
            assert_eq!(m.milli(), milli);
            for out in 77..600 {
                let b = m.bound(out);
                assert!(m.out_of(b) >= out, "milli {milli} out {out}");
                if b > 77 {
                    // anything before the bound sounds before `out`
                    assert!(m.out_of(b - 1) < out, "milli {milli} out {out}");
                }
            }
        }
    }

    #[test]
    fn u64_arithmetic_equals_the_exact_u128_formula() {
        let samples = [
            0u64,
            1,
            999,
            1000,
            1001,
            48_000,
            123_456_789,
            u64::MAX / 4001,
            u64::MAX / 1000,
            u64::MAX / 3,
            u64::MAX - 1,
            u64::MAX,
        ];
        for milli in [250u32, 333, 999, 1001, 1500, 3999, 4000] {
            let mut m = ScaleMap::new();
            m.set_milli(milli);
            for &x in &samples {
                let out = u128::from(x) * 1000 / u128::from(milli);
                let want_out = u64::try_from(out).unwrap_or(u64::MAX);
                assert_eq!(m.out_of(x), want_out, "out_of({x}) at {milli}");
                let bound = (u128::from(x) * u128::from(milli)).div_ceil(1000);
                let want_bound = u64::try_from(bound).unwrap_or(u64::MAX);
                assert_eq!(m.bound(x), want_bound, "bound({x}) at {milli}");
            }
        }
    }

    #[test]
    fn rescale_is_continuous() {
        let mut m = ScaleMap::new();
        assert_eq!(m.bound(1000), 1000);
        m.rescale(1000, 2000);
        assert_eq!(m.bound(1000), 1000);
        // At 2×, 100 output frames play 200 timeline frames.
        assert_eq!(m.bound(1100), 1200);
        assert_eq!(m.out_of(1199), 1099);
        m.rescale(1100, 500);
        assert_eq!(m.bound(1100), 1200); // no jump at the change
        assert_eq!(m.bound(1300), 1300); // half speed: 100 timeline frames in 200
    }
}
