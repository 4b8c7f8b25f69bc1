//! Fixed-size, log-linear histogram of per-period work time.
//!
//! [`TimingHistogram<BUCKETS>`] keeps exact count, min, max and mean, and
//! bucket counts laid out like HdrHistogram with 5 significant bits: 1 µs
//! buckets below 128 µs, then at most 3.1 % wide ([`PERIOD_BUCKETS`] reaches
//! about 1.05 s in 2.2 KiB). So the audio thread can record every period in
//! O(1), and a [`percentile`](TimingHistogram::percentile) is never
//! optimistic: it is the upper bound of the true value's bucket. The bucket
//! formula and the error bound: `docs/timing-histogram.md` in the repository.
//!
//! # Example
//!
//! ```
//! use smfplay_core::timing_histogram::TimingHistogram;
//!
//! let mut h = TimingHistogram::<544>::new();
//! for us in [40_u64, 41, 45, 300, 1200] {
//!     h.record(us * 1000);
//! }
//! assert_eq!(h.count(), 5);
//! assert_eq!(h.max(), Some(1_200_000));
//! assert_eq!(h.percentile(50.0), Some(45_999)); // [45, 46) µs bucket
//! assert_eq!(h.percentile(100.0), Some(1_200_000)); // capped at max
//! ```
//!
//! # Real-time
//!
//! `record` is O(1) (a `leading_zeros`, shifts, one division by 1000) and
//! allocation-free, so the audio thread can call it every period.
//! `percentile`, `merge` and `reset` are O(BUCKETS); `count`, `min`, `max`,
//! `mean` are O(1).
//!
//! # Errors
//!
//! None; an empty histogram answers `None`. Counters saturate instead of
//! wrapping (bucket counts at `u32::MAX`, totals at `u64::MAX`).
//!
//! # Panics
//!
//! Never at run time. `BUCKETS == 0` or `BUCKETS > 1952` (beyond the buckets
//! a `u64` can reach) is a compile-time error.

/// Buckets of the linear region (1 µs each).
const LINEAR: usize = 128;
/// Sub-buckets per power of two above the linear region.
const SUB: usize = 32;
/// log2 of [`SUB`].
const SUB_BITS: u32 = 5;
/// log2 of [`LINEAR`].
const LINEAR_BITS: u32 = 7;
/// Largest useful bucket count: every `u64` µs value has an index below it.
pub const MAX_BUCKETS: usize = LINEAR + SUB * (64 - LINEAR_BITS as usize);

/// A bucket count covering `[0, 2^20)` µs ≈ 1.05 s, enough for any audio
/// period.
pub const PERIOD_BUCKETS: usize = LINEAR + SUB * 13;

/// Histogram of durations; see the [module documentation](self).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TimingHistogram<const BUCKETS: usize> {
    counts: [u32; BUCKETS],
    count: u64,
    sum_ns: u64,
    min_ns: u64,
    max_ns: u64,
}

/// Bucket index of a duration in whole microseconds (unbounded).
const fn index_of_us(us: u64) -> usize {
    if us < LINEAR as u64 {
        us as usize
    } else {
        let k = 63 - us.leading_zeros(); // 2^k ≤ us, k ≥ 7
        let sub = (us >> (k - SUB_BITS)) as usize - SUB; // 0..32
        LINEAR + SUB * (k - LINEAR_BITS) as usize + sub
    }
}

/// `[lower, upper)` in microseconds of bucket `index`. Bounds that do not
/// fit a `u64` saturate at `u64::MAX` (the last possible bucket's upper
/// bound, and indices ≥ [`MAX_BUCKETS`]).
#[must_use]
pub const fn bucket_range_us(index: usize) -> (u64, u64) {
    if index < LINEAR {
        (index as u64, index as u64 + 1)
    } else if index >= MAX_BUCKETS {
        (u64::MAX, u64::MAX)
    } else {
        let octave = (index - LINEAR) / SUB;
        let sub = ((index - LINEAR) % SUB) as u128;
        let shift = octave as u32 + LINEAR_BITS - SUB_BITS; // width = 2^shift, ≤ 58
        let lo = (SUB as u128 + sub) << shift;
        let hi = (SUB as u128 + sub + 1) << shift;
        (sat_u64(lo), sat_u64(hi))
    }
}

const fn sat_u64(x: u128) -> u64 {
    if x > u64::MAX as u128 {
        u64::MAX
    } else {
        x as u64
    }
}

impl<const BUCKETS: usize> TimingHistogram<BUCKETS> {
    const VALID: () = assert!(
        BUCKETS >= 1 && BUCKETS <= MAX_BUCKETS,
        "TimingHistogram needs 1..=1952 buckets"
    );

    /// An empty histogram.
    #[must_use]
    pub const fn new() -> Self {
        let () = Self::VALID;
        Self {
            counts: [0; BUCKETS],
            count: 0,
            sum_ns: 0,
            min_ns: u64::MAX,
            max_ns: 0,
        }
    }

    /// Bucket that a duration of `ns` nanoseconds falls into (clamped to
    /// the last bucket).
    #[must_use]
    pub const fn bucket_index(ns: u64) -> usize {
        let i = index_of_us(ns / 1000);
        if i < BUCKETS { i } else { BUCKETS - 1 }
    }

    /// Records one duration. O(1).
    pub fn record(&mut self, ns: u64) {
        if let Some(c) = self.counts.get_mut(Self::bucket_index(ns)) {
            *c = c.saturating_add(1);
        }
        self.count = self.count.saturating_add(1);
        self.sum_ns = self.sum_ns.saturating_add(ns);
        self.min_ns = self.min_ns.min(ns);
        self.max_ns = self.max_ns.max(ns);
    }

    /// Number of recorded durations.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.count
    }

    /// Shortest recorded duration (exact), `None` if empty.
    #[must_use]
    pub const fn min(&self) -> Option<u64> {
        if self.count == 0 {
            None
        } else {
            Some(self.min_ns)
        }
    }

    /// Longest recorded duration (exact), `None` if empty.
    #[must_use]
    pub const fn max(&self) -> Option<u64> {
        if self.count == 0 {
            None
        } else {
            Some(self.max_ns)
        }
    }

    /// Mean duration in ns, rounded down (exact unless the sum saturated at
    /// `u64::MAX` ns ≈ 584 years), `None` if empty.
    #[must_use]
    pub const fn mean(&self) -> Option<u64> {
        self.sum_ns.checked_div(self.count)
    }

    /// Count in bucket `index` (`None` past the end).
    #[must_use]
    pub fn bucket_count(&self, index: usize) -> Option<u32> {
        self.counts.get(index).copied()
    }

    /// Upper bound (ns) of the nearest-rank `p`-th percentile, `p` in
    /// `[0, 100]` (clamped; NaN is treated as 0); `None` if empty. See the
    /// module docs for the error bound. O(BUCKETS).
    #[must_use]
    pub fn percentile(&self, p: f32) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let p = if p > 100.0 { 100.0 } else { p };
        let p = if p > 0.0 { p } else { 0.0 }; // NaN → 0
        // rank = ceil(p/100 · count), at least 1, at most count.
        let exact = f64::from(p) / 100.0 * self.count as f64;
        let floor = exact as u64;
        let rank = if (floor as f64) < exact {
            floor + 1
        } else {
            floor
        };
        let rank = rank.clamp(1, self.count);
        let mut seen = 0_u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                if i + 1 == BUCKETS {
                    // The last bucket also holds everything beyond its
                    // range; max is ≥ all of it and, without overflow, in
                    // the same bucket.
                    return Some(self.max_ns);
                }
                let upper_us = bucket_range_us(i).1;
                let upper_ns = upper_us.saturating_mul(1000).saturating_sub(1);
                return Some(upper_ns.min(self.max_ns));
            }
        }
        // Bucket counts saturated below the total: answer with the max.
        Some(self.max_ns)
    }

    /// Adds every count of `other` into `self`. O(BUCKETS).
    pub fn merge(&mut self, other: &Self) {
        for (a, &b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(b);
        }
        self.count = self.count.saturating_add(other.count);
        self.sum_ns = self.sum_ns.saturating_add(other.sum_ns);
        self.min_ns = self.min_ns.min(other.min_ns);
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// Empties the histogram. O(BUCKETS).
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

impl<const BUCKETS: usize> Default for TimingHistogram<BUCKETS> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::test_rng::Rng;
    use std::vec::Vec;

    type H = TimingHistogram<PERIOD_BUCKETS>;

    #[test]
    fn bucket_edges() {
        assert_eq!(bucket_range_us(0), (0, 1));
        assert_eq!(bucket_range_us(127), (127, 128));
        assert_eq!(bucket_range_us(128), (128, 132));
        assert_eq!(bucket_range_us(159), (252, 256));
        assert_eq!(bucket_range_us(160), (256, 264));
        assert_eq!(bucket_range_us(PERIOD_BUCKETS - 1), (1_032_192, 1_048_576));
        assert_eq!(bucket_range_us(MAX_BUCKETS - 1), (63 << 58, u64::MAX));
        // Buckets tile the line: each starts where the previous ended, and
        // every boundary value maps to the bucket it starts.
        for i in 1..MAX_BUCKETS {
            let (lo, hi) = bucket_range_us(i);
            assert_eq!(lo, bucket_range_us(i - 1).1, "bucket {i}");
            assert!(hi > lo);
            assert_eq!(index_of_us(lo), i);
            assert_eq!(index_of_us(hi - 1), i);
            if i >= LINEAR {
                assert!((hi - lo) * 32 <= lo, "width ≤ 1/32 of lower bound");
            }
        }
        assert_eq!(index_of_us(u64::MAX), MAX_BUCKETS - 1);
        assert_eq!(bucket_range_us(MAX_BUCKETS), (u64::MAX, u64::MAX));
        assert_eq!(bucket_range_us(usize::MAX), (u64::MAX, u64::MAX));
        // ns → bucket: 999 ns is still the 0 µs bucket, 1000 the next.
        assert_eq!(H::bucket_index(999), 0);
        assert_eq!(H::bucket_index(1000), 1);
        assert_eq!(H::bucket_index(128_000), 128);
        assert_eq!(H::bucket_index(u64::MAX), PERIOD_BUCKETS - 1);
        assert_eq!(TimingHistogram::<4>::bucket_index(10_000), 3);
    }

    #[test]
    fn empty_and_basic_stats() {
        let mut h = H::new();
        assert_eq!((h.min(), h.max(), h.mean()), (None, None, None));
        assert_eq!(h.percentile(50.0), None);
        for ns in [5_000, 1_000, 3_000] {
            h.record(ns);
        }
        assert_eq!(h.count(), 3);
        assert_eq!(
            (h.min(), h.max(), h.mean()),
            (Some(1000), Some(5000), Some(3000))
        );
        assert_eq!(h.bucket_count(3), Some(1));
        assert_eq!(h.bucket_count(PERIOD_BUCKETS), None);
        assert_eq!(h.percentile(0.0), Some(1999));
        assert_eq!(h.percentile(f32::NAN), Some(1999));
        assert_eq!(h.percentile(34.0), Some(3999));
        assert_eq!(h.percentile(100.0), Some(5000));
        assert_eq!(h.percentile(1e9), Some(5000));
        h.reset();
        assert_eq!(h, H::new());
    }

    /// Deterministic pseudo-random durations spanning ns to seconds.
    fn samples(seed: u64, n: usize) -> Vec<u64> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                // Log-uniform-ish: pick a magnitude, then a value below it.
                let mag = 1 + rng.below(31);
                rng.below(1 << mag)
            })
            .collect()
    }

    #[test]
    fn percentiles_against_sorted_reference() {
        for (seed, n) in [(1, 1), (2, 7), (3, 100), (4, 1000), (5, 10_000)] {
            let data = samples(seed, n);
            let mut h = H::new();
            for &d in &data {
                h.record(d);
            }
            let mut sorted = data.clone();
            sorted.sort_unstable();
            let max = *sorted.last().unwrap();
            for p in [
                0.0_f32, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 100.0,
            ] {
                let rank = ((f64::from(p) / 100.0 * n as f64).ceil() as usize).clamp(1, n);
                let v = sorted[rank - 1];
                let r = h.percentile(p).unwrap();
                assert!(r >= v, "p{p}: {r} < true {v}");
                assert!(r <= max);
                let us = v / 1000;
                if us < 1 << 20 {
                    let bound = 1000 * core::cmp::max(1, us / 32);
                    assert!(r - v < bound, "p{p}: {r} vs true {v} (bound {bound})");
                }
            }
            assert_eq!(h.mean(), Some(data.iter().sum::<u64>() / n as u64));
        }
    }

    #[test]
    fn merge_equals_recording_everything() {
        let (a, b) = (samples(7, 500), samples(8, 300));
        let (mut ha, mut hb, mut all) = (H::new(), H::new(), H::new());
        a.iter().for_each(|&d| ha.record(d));
        b.iter().for_each(|&d| hb.record(d));
        a.iter().chain(&b).for_each(|&d| all.record(d));
        ha.merge(&hb);
        assert_eq!(ha, all);
        let mut empty = H::new();
        empty.merge(&H::new());
        assert_eq!(empty.min(), None);
    }

    #[test]
    fn overflow_goes_to_last_bucket_and_max_stays_exact() {
        let mut h = TimingHistogram::<130>::new(); // covers [0, 136) µs
        h.record(10_000_000_000);
        h.record(1_000);
        assert_eq!(h.bucket_count(129), Some(1));
        assert_eq!(h.max(), Some(10_000_000_000));
        assert_eq!(h.percentile(100.0), Some(10_000_000_000));
        h.record(u64::MAX);
        assert_eq!(h.mean(), Some(u64::MAX / 3)); // sum saturated
    }
}
