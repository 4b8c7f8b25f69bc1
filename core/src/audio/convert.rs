//! Sample conversion on the audio hot path: planar `f32` → interleaved device
//! formats, a linear fade and a peak/RMS meter.
//!
//! [`interleave_stereo_i16`] (`S16_LE`, scale 32767: symmetric, so a
//! full-scale signal never clips on its positive peak), [`interleave_stereo_i32`]
//! (`S32_LE`, scale 2^31, saturating), [`interleave_stereo_f32`] (`FLOAT_LE`) and
//! the single-channel [`f32_to_i16`] / [`f32_to_i32`] round to nearest, ties to
//! even, and map NaN to 0, with no per-sample branch and no float → int
//! instruction, so the loops vectorise on baseline SSE2. The rules, why these
//! scales, how the rounding works without `std` and what the assembly shows:
//! `docs/sample-conversion.md` in the repository.
//!
//! # Example
//!
//! ```
//! use smfplay_core::audio::convert::{interleave_stereo_i16, Fade};
//!
//! let mut left = [0.5_f32, 1.0, -1.0, 2.0];
//! let mut right = [0.0_f32; 4];
//! let mut out = [0_i16; 8];
//! // Fade out over 4 frames: gains 1, 0.75, 0.5, 0.25.
//! let mut fade = Fade::new(1.0, 0.0, 4);
//! fade.apply(&mut [&mut left[..], &mut right[..]]);
//! let frames = interleave_stereo_i16(&left, &right, 1.0, &mut out);
//! assert_eq!(frames, 4);
//! assert_eq!(out, [16384, 0, 24575, 0, -16384, 0, 16384, 0]);
//! ```
//!
//! # Real-time
//!
//! Every function is O(n) in the frames converted, branch-free per sample,
//! allocation-free, and touches only its arguments.
//!
//! # Errors
//!
//! None. Length mismatches are not errors: the number of frames converted is
//! `min(left.len(), right.len(), out.len() / 2)` (for the interleaving
//! functions) and is returned; the rest of `out` is left untouched. Callers
//! that need an exact length compare the return value.
//!
//! # Panics
//!
//! Never.

/// Frames per vector block: 16 frames = 32 samples, four AVX or eight SSE
/// vectors of `f32` per block.
const BLOCK: usize = 16;
/// `1.5 · 2^23`: adding it to `|y| ≤ 2^22` rounds `y` to an integer.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// Bit pattern of [`ROUND_MAGIC`].
const ROUND_MAGIC_BITS: i32 = 0x4B40_0000;
/// `2^31` as `f32` (exact).
const TWO_POW_31: f32 = 2_147_483_648.0;

/// `S16` scale for unity gain.
pub const I16_SCALE: f32 = 32767.0;
/// `S32` scale for unity gain (`2^31`, see the module docs for why).
pub const I32_SCALE: f32 = 2_147_483_648.0;

/// One `f32` (already multiplied by the scale) → `i16`, rule in module docs.
#[inline(always)]
fn scaled_to_i16(y: f32) -> i16 {
    // Both clamps let NaN through (comparisons with NaN are false); in this
    // operand order they are single `maxps`/`minps` instructions.
    let y = if y < -32768.0 { -32768.0 } else { y };
    let y = if y > 32767.0 { 32767.0 } else { y };
    let y = if y.is_nan() { 0.0 } else { y };
    // |y| ≤ 32768 ≤ 2^22: exact round-to-nearest-even, see module docs.
    let rounded = (y + ROUND_MAGIC).to_bits() as i32 - ROUND_MAGIC_BITS;
    rounded as i16
}

/// One `f32` (already multiplied by the scale) → `i32`, rule in module docs.
#[inline(always)]
fn scaled_to_i32(y: f32) -> i32 {
    let y = if y < -TWO_POW_31 { -TWO_POW_31 } else { y };
    let y = if y > TWO_POW_31 { TWO_POW_31 } else { y };
    let y = if y.is_nan() { 0.0 } else { y };
    // `y as i32` would saturate for us, but LLVM scalarises that
    // (`cvttss2si` + fix-ups per sample on SSE2). Instead split y into
    // hi · 2^16 + lo with both halves in the exact range of the magic-number
    // rounding: hi = round_even(y / 2^16) (|y / 2^16| ≤ 2^15, exact), and
    // lo_f = y - hi · 2^16 is exact (|lo_f| ≤ 2^15 and a multiple of y's
    // ulp) and rounded the same way. hi · 2^16 is even, so
    // hi · 2^16 + round_even(lo_f) == round_even(y). The sum is done modulo
    // 2^32, which is exact because the true result fits in i32 — except for
    // y == 2^31, selected to i32::MAX below.
    let hi_sum = y * (1.0 / 65536.0) + ROUND_MAGIC;
    let hi = hi_sum.to_bits() as i32 - ROUND_MAGIC_BITS;
    let lo_f = y - (hi_sum - ROUND_MAGIC) * 65536.0;
    let lo = (lo_f + ROUND_MAGIC).to_bits() as i32 - ROUND_MAGIC_BITS;
    let v = (hi << 16).wrapping_add(lo);
    if y >= TWO_POW_31 { i32::MAX } else { v }
}

/// `x` clamped to `[-1, 1]`, NaN → 0.
#[inline(always)]
fn clip_unit(x: f32) -> f32 {
    let x = if x < -1.0 { -1.0 } else { x };
    let x = if x > 1.0 { 1.0 } else { x };
    if x.is_nan() { 0.0 } else { x }
}

/// Interleaves two planes through `f`; returns the frames written.
#[inline(always)]
fn interleave2<T>(left: &[f32], right: &[f32], out: &mut [T], f: impl Fn(f32) -> T) -> usize {
    let frames = left.len().min(right.len()).min(out.len() / 2);
    let (lb, _) = left.as_chunks::<BLOCK>();
    let (rb, _) = right.as_chunks::<BLOCK>();
    let (ob, _) = out.as_chunks_mut::<{ 2 * BLOCK }>();
    let mut blocks = 0;
    for ((o, l), r) in ob.iter_mut().zip(lb).zip(rb) {
        let (pairs, _) = o.as_chunks_mut::<2>();
        for ((pair, &a), &b) in pairs.iter_mut().zip(l).zip(r) {
            *pair = [f(a), f(b)];
        }
        blocks += 1;
    }
    let done = blocks * BLOCK;
    let (pairs, _) = out.as_chunks_mut::<2>();
    for ((pair, &a), &b) in pairs.iter_mut().zip(left).zip(right).skip(done) {
        *pair = [f(a), f(b)];
    }
    frames
}

/// Maps `input` through `f` into `out`; returns the samples written.
#[inline(always)]
fn map_samples<T>(input: &[f32], out: &mut [T], f: impl Fn(f32) -> T) -> usize {
    let n = input.len().min(out.len());
    let (ib, _) = input.as_chunks::<{ 2 * BLOCK }>();
    let (ob, _) = out.as_chunks_mut::<{ 2 * BLOCK }>();
    let mut blocks = 0;
    for (o, i) in ob.iter_mut().zip(ib) {
        for (o, &x) in o.iter_mut().zip(i) {
            *o = f(x);
        }
        blocks += 1;
    }
    let done = blocks * 2 * BLOCK;
    for (o, &x) in out.iter_mut().zip(input).skip(done) {
        *o = f(x);
    }
    n
}

/// Planar stereo `f32` → interleaved `i16` (`S16`), with `gain`.
///
/// `out[2k] = left[k]`, `out[2k+1] = right[k]` after
/// `clamp(round_even(x * (gain * 32767)), -32768, 32767)`; NaN → 0. Returns the
/// frames written, `min(left.len(), right.len(), out.len() / 2)`.
pub fn interleave_stereo_i16(left: &[f32], right: &[f32], gain: f32, out: &mut [i16]) -> usize {
    let scale = gain * I16_SCALE;
    interleave2(left, right, out, |x| scaled_to_i16(x * scale))
}

/// Planar stereo `f32` → interleaved `i32` (`S32`), with `gain`.
///
/// `sat_i32(round_even(x * (gain * 2^31)))`, NaN → 0; `+1.0` gives
/// `i32::MAX`. Returns the frames written,
/// `min(left.len(), right.len(), out.len() / 2)`.
pub fn interleave_stereo_i32(left: &[f32], right: &[f32], gain: f32, out: &mut [i32]) -> usize {
    let scale = gain * I32_SCALE;
    interleave2(left, right, out, |x| scaled_to_i32(x * scale))
}

/// Planar stereo `f32` → interleaved `f32` (`FLOAT`), times `gain`.
///
/// With `clip`, each result is clamped to `[-1.0, 1.0]` and NaN becomes
/// `0.0`; without, values (and NaN) pass through. Returns the frames written,
/// `min(left.len(), right.len(), out.len() / 2)`.
pub fn interleave_stereo_f32(
    left: &[f32],
    right: &[f32],
    gain: f32,
    clip: bool,
    out: &mut [f32],
) -> usize {
    if clip {
        interleave2(left, right, out, |x| clip_unit(x * gain))
    } else {
        interleave2(left, right, out, |x| x * gain)
    }
}

/// `f32` samples (any layout) → `i16`, same rule as
/// [`interleave_stereo_i16`]. Returns `min(input.len(), out.len())`.
pub fn f32_to_i16(input: &[f32], gain: f32, out: &mut [i16]) -> usize {
    let scale = gain * I16_SCALE;
    map_samples(input, out, |x| scaled_to_i16(x * scale))
}

/// `f32` samples (any layout) → `i32`, same rule as
/// [`interleave_stereo_i32`]. Returns `min(input.len(), out.len())`.
pub fn f32_to_i32(input: &[f32], gain: f32, out: &mut [i32]) -> usize {
    let scale = gain * I32_SCALE;
    map_samples(input, out, |x| scaled_to_i32(x * scale))
}

/// A linear gain ramp spread over any number of periods, e.g. a fade-out
/// before stopping so the last period does not end in a click.
///
/// Frame `k` of the ramp (counting from the first frame ever passed to
/// [`apply`](Self::apply)) is multiplied by `from + (to - from) * k / frames`;
/// frames after the ramp are multiplied by `to`. So the first frame keeps the
/// gain `from` and the gain reaches `to` exactly one frame after the ramp.
/// The gain is computed from `k`, not accumulated, so there is no drift
/// (exact for ramps shorter than 2^24 frames, ~5.8 minutes at 48 kHz).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Fade {
    from: f32,
    to: f32,
    frames: u32,
    done: u32,
}

impl Fade {
    /// A ramp from gain `from` to gain `to` over `frames` frames
    /// (`frames == 0` applies `to` at once).
    #[must_use]
    pub const fn new(from: f32, to: f32, frames: u32) -> Self {
        Self {
            from,
            to,
            frames,
            done: 0,
        }
    }

    /// A fade-out from unity to silence over `frames` frames.
    #[must_use]
    pub const fn out(frames: u32) -> Self {
        Self::new(1.0, 0.0, frames)
    }

    /// Whether the ramp is over (only `to` is applied from now on).
    #[must_use]
    pub const fn is_finished(&self) -> bool {
        self.done >= self.frames
    }

    /// The gain the next frame will get.
    #[must_use]
    pub fn gain(&self) -> f32 {
        if self.is_finished() {
            self.to
        } else {
            let step = (self.to - self.from) / self.frames as f32;
            self.from + step * self.done as f32
        }
    }

    /// Applies the next `n` frames of the ramp to every plane in `channels`
    /// (the same gain for frame `k` of every plane), where `n` is the length
    /// of the shortest plane; returns `n`. With no planes, returns 0 and the
    /// ramp does not advance.
    pub fn apply(&mut self, channels: &mut [&mut [f32]]) -> usize {
        let Some(n) = channels.iter().map(|c| c.len()).min() else {
            return 0;
        };
        let ramp_left = self.frames.saturating_sub(self.done) as usize;
        let ramp = n.min(ramp_left);
        if ramp > 0 {
            let step = (self.to - self.from) / self.frames as f32;
            let (from, start) = (self.from, self.done as f32);
            for ch in channels.iter_mut() {
                for (k, s) in ch.iter_mut().take(ramp).enumerate() {
                    *s *= from + step * (start + k as f32);
                }
            }
        }
        let to = self.to;
        for ch in channels.iter_mut() {
            for s in ch.iter_mut().take(n).skip(ramp) {
                *s *= to;
            }
        }
        // `ramp ≤ ramp_left ≤ u32::MAX`; saturate the done counter at the end.
        self.done = self.done.saturating_add(ramp as u32);
        n
    }
}

/// Largest `|x|` in `samples` (NaN ignored; 0.0 for an empty slice).
#[must_use]
pub fn peak(samples: &[f32]) -> f32 {
    let mut lanes = [0.0_f32; 8];
    let (blocks, rest) = samples.as_chunks::<8>();
    for b in blocks {
        for (m, &x) in lanes.iter_mut().zip(b) {
            let a = x.abs();
            *m = if a > *m { a } else { *m };
        }
    }
    let mut m = 0.0_f32;
    for &a in lanes.iter().chain(rest.iter()) {
        let a = a.abs();
        m = if a > m { a } else { m };
    }
    m
}

/// Sum of `x²` over `samples`, accumulated in eight `f32` lanes (so it
/// vectorises; the result differs from a sequential sum by rounding only).
#[must_use]
pub fn sum_of_squares(samples: &[f32]) -> f32 {
    let mut lanes = [0.0_f32; 8];
    let (blocks, rest) = samples.as_chunks::<8>();
    for b in blocks {
        for (acc, &x) in lanes.iter_mut().zip(b) {
            *acc += x * x;
        }
    }
    let mut sum = 0.0;
    for &l in &lanes {
        sum += l;
    }
    for &x in rest {
        sum += x * x;
    }
    sum
}

/// Root mean square of `samples` (0.0 for an empty slice).
#[must_use]
pub fn rms(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    sqrt(sum_of_squares(samples) / samples.len() as f32)
}

/// `√x` for `x ≥ 0` without `std` (relative error < 1e-6 for normal `x`);
/// 0.0 for `x ≤ 0` or NaN, `x` itself for `+∞`.
#[must_use]
pub fn sqrt(x: f32) -> f32 {
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    if x == f32::INFINITY {
        return x;
    }
    // Halving the exponent gives an initial guess within ~6 %; each Newton
    // step squares the relative error.
    let mut y = f32::from_bits((x.to_bits() >> 1) + 0x1FC0_0000);
    for _ in 0..4 {
        y = 0.5 * (y + x / y);
    }
    y
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// Reference for the S16 rule in f64 with std rounding.
    fn ref_i16(y: f32) -> i16 {
        if y.is_nan() {
            return 0;
        }
        let r = (y as f64).round_ties_even();
        r.clamp(-32768.0, 32767.0) as i16
    }

    fn ref_i32(y: f32) -> i32 {
        if y.is_nan() {
            return 0;
        }
        let r = (y as f64).round_ties_even();
        r.clamp(i32::MIN as f64, i32::MAX as f64) as i32
    }

    /// Every integer k in and around the i16 range, the ties k ± 0.5 and the
    /// floats either side of each: every i16 outcome and every rounding edge.
    fn edge_values() -> Vec<f32> {
        let mut v = Vec::new();
        for k in -32800..=32800_i32 {
            for base in [k as f32, k as f32 + 0.5] {
                v.push(base);
                v.push(base.next_up());
                v.push(base.next_down());
            }
        }
        v.extend([
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            1e-30,
            -1e-30,
            0.49999997,
            -0.49999997,
            1e9,
            -1e9,
        ]);
        v
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive: far too slow interpreted; the other conversion tests drive the same kernels under Miri"
    )]
    fn i16_rounding_matches_reference_for_every_outcome() {
        let mut seen = std::vec![false; 65536];
        for y in edge_values() {
            let got = scaled_to_i16(y);
            assert_eq!(got, ref_i16(y), "y = {y:?}");
            seen[(got as i32 + 32768) as usize] = true;
        }
        assert!(
            seen.iter().all(|&s| s),
            "not every i16 outcome was produced"
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive: far too slow interpreted; the other conversion tests drive the same kernels under Miri"
    )]
    fn i16_kernel_matches_scalar_rule_via_public_api() {
        // Through the vectorised block loop and the remainder loop.
        let vals = edge_values();
        let scaled: Vec<f32> = vals.iter().map(|&y| y / I16_SCALE).collect();
        let mut out = std::vec![0_i16; scaled.len()];
        assert_eq!(f32_to_i16(&scaled, 1.0, &mut out), scaled.len());
        for (&x, &o) in scaled.iter().zip(&out) {
            assert_eq!(o, ref_i16(x * I16_SCALE), "x = {x:?}");
        }
    }

    #[test]
    fn i16_full_scale_and_clipping() {
        let l = [
            1.0,
            -1.0,
            1.5,
            -1.5,
            0.0,
            f32::NAN,
            0.5 / 32767.0,
            1.5 / 32767.0,
        ];
        let r = [0.0; 8];
        let mut out = [7_i16; 16];
        assert_eq!(interleave_stereo_i16(&l, &r, 1.0, &mut out), 8);
        let left: Vec<i16> = out.iter().step_by(2).copied().collect();
        assert_eq!(left, [32767, -32767, 32767, -32768, 0, 0, 0, 2]);
        assert!(out.iter().skip(1).step_by(2).all(|&s| s == 0));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive: far too slow interpreted; the other conversion tests drive the same kernels under Miri"
    )]
    fn i32_rounding_matches_reference() {
        let mut vals = edge_values();
        // Around 2^22 and 2^23, where the rounding path switches.
        for base in [
            4_194_304.0_f32,
            8_388_608.0,
            2_147_483_648.0,
            1_073_741_824.0,
        ] {
            let mut x = base;
            let mut y = base;
            for _ in 0..8 {
                vals.extend([x, -x, y, -y]);
                x = x.next_up();
                y = y.next_down();
            }
            vals.extend([base - 0.5, base + 0.5, base - 1.5, -base + 0.5]);
        }
        for &y in &vals {
            assert_eq!(scaled_to_i32(y), ref_i32(y), "y = {y:?}");
        }
        let input: Vec<f32> = vals.iter().map(|&y| y / I32_SCALE).collect();
        let mut out = std::vec![0_i32; input.len()];
        assert_eq!(f32_to_i32(&input, 1.0, &mut out), input.len());
        for (&x, &o) in input.iter().zip(&out) {
            assert_eq!(o, ref_i32(x * I32_SCALE), "x = {x:?}");
        }
    }

    /// Every 997th f32 bit pattern (4.3 million values: all exponents, all
    /// signs, NaNs and infinities) through both kernels.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive: far too slow interpreted; the other conversion tests drive the same kernels under Miri"
    )]
    fn strided_bit_patterns_match_reference() {
        for bits in (0..=u32::MAX).step_by(997) {
            let y = f32::from_bits(bits);
            assert_eq!(scaled_to_i16(y), ref_i16(y), "bits {bits:#x}");
            assert_eq!(scaled_to_i32(y), ref_i32(y), "bits {bits:#x}");
        }
    }

    /// All 2^32 f32 bit patterns; ~1 minute in release:
    /// `cargo test -p smfplay-core --release --lib -- --ignored exhaustive`.
    #[test]
    #[ignore = "slow: 2^32 inputs"]
    fn exhaustive_bit_patterns_match_reference() {
        for bits in 0..=u32::MAX {
            let y = f32::from_bits(bits);
            assert_eq!(scaled_to_i16(y), ref_i16(y), "bits {bits:#x}");
            assert_eq!(scaled_to_i32(y), ref_i32(y), "bits {bits:#x}");
        }
    }

    #[test]
    fn i32_full_scale() {
        let l = [1.0, -1.0, 2.0, f32::NAN, 0.5];
        let r = [-1.0, 1.0, -2.0, 0.0, -0.5];
        let mut out = [0_i32; 10];
        assert_eq!(interleave_stereo_i32(&l, &r, 1.0, &mut out), 5);
        assert_eq!(
            out,
            [
                i32::MAX,
                i32::MIN,
                i32::MIN,
                i32::MAX,
                i32::MAX,
                i32::MIN,
                0,
                0,
                1 << 30,
                -(1 << 30)
            ]
        );
    }

    #[test]
    fn interleave_layout_gain_and_lengths() {
        for frames in [0, 1, 15, 16, 17, 33, 64, 100] {
            let l: Vec<f32> = (0..frames).map(|i| i as f32 / 1000.0).collect();
            let r: Vec<f32> = (0..frames).map(|i| -(i as f32) / 1000.0).collect();
            let mut o16 = std::vec![0_i16; 2 * frames + 1];
            let mut o32 = std::vec![0_i32; 2 * frames];
            let mut of = std::vec![0_f32; 2 * frames];
            assert_eq!(interleave_stereo_i16(&l, &r, 0.5, &mut o16), frames);
            assert_eq!(interleave_stereo_i32(&l, &r, 0.5, &mut o32), frames);
            assert_eq!(interleave_stereo_f32(&l, &r, 0.5, false, &mut of), frames);
            for k in 0..frames {
                assert_eq!(o16[2 * k], ref_i16(l[k] * (0.5 * I16_SCALE)));
                assert_eq!(o16[2 * k + 1], ref_i16(r[k] * (0.5 * I16_SCALE)));
                assert_eq!(o32[2 * k], ref_i32(l[k] * (0.5 * I32_SCALE)));
                assert_eq!(of[2 * k], l[k] * 0.5);
                assert_eq!(of[2 * k + 1], r[k] * 0.5);
            }
            assert_eq!(o16[2 * frames], 0, "slot past the frames untouched");
        }
    }

    #[test]
    fn short_output_writes_what_fits() {
        let l = [0.5_f32; 40];
        let r = [0.25_f32; 30];
        let mut out = [0_i16; 41]; // room for 20 frames and one spare sample
        assert_eq!(interleave_stereo_i16(&l, &r, 1.0, &mut out), 20);
        assert_eq!(out[39], 8192);
        assert_eq!(out[40], 0);
        let mut big = [0_i32; 100];
        assert_eq!(interleave_stereo_i32(&l, &r, 1.0, &mut big), 30);
        assert_eq!(big[60], 0);
        let mut none: [f32; 1] = [9.0];
        assert_eq!(interleave_stereo_f32(&l, &r, 1.0, true, &mut none), 0);
        assert_eq!(none, [9.0]);
    }

    #[test]
    fn f32_clip() {
        let l = [2.0, -2.0, 0.5, f32::NAN];
        let r = [f32::INFINITY, f32::NEG_INFINITY, -0.5, 1.0];
        let mut out = [0.0_f32; 8];
        interleave_stereo_f32(&l, &r, 1.0, true, &mut out);
        assert_eq!(out, [1.0, 1.0, -1.0, -1.0, 0.5, -0.5, 0.0, 1.0]);
        interleave_stereo_f32(&l, &r, 1.0, false, &mut out);
        assert_eq!(out[0], 2.0);
        assert!(out[6].is_nan());
    }

    #[test]
    fn fade_spans_periods_and_ends_at_target() {
        let mut fade = Fade::out(6);
        let mut gains = Vec::new();
        for _ in 0..3 {
            let mut l = [1.0_f32; 4];
            let mut r = [2.0_f32; 4];
            assert_eq!(fade.apply(&mut [&mut l[..], &mut r[..]]), 4);
            for (a, b) in l.iter().zip(&r) {
                assert_eq!(*b, 2.0 * a);
                gains.push(*a);
            }
        }
        let want = [
            1.0,
            5.0 / 6.0,
            4.0 / 6.0,
            0.5,
            2.0 / 6.0,
            1.0 / 6.0,
            0.0,
            0.0,
        ];
        for (g, w) in gains.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{gains:?}");
        }
        assert!(gains[6..].iter().all(|&g| g == 0.0));
        assert!(fade.is_finished());
        assert_eq!(fade.gain(), 0.0);
        assert_eq!(fade.apply(&mut []), 0);
        let mut instant = Fade::new(1.0, 0.5, 0);
        let mut s = [4.0_f32; 2];
        instant.apply(&mut [&mut s[..]]);
        assert_eq!(s, [2.0, 2.0]);
    }

    #[test]
    fn meters() {
        let s: Vec<f32> = (0..37)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        assert_eq!(peak(&s), 0.5);
        assert!((rms(&s) - 0.5).abs() < 1e-6);
        let mut t = s.clone();
        t[20] = -0.9;
        t[3] = f32::NAN;
        assert_eq!(peak(&t), 0.9);
        assert_eq!(peak(&[]), 0.0);
        assert_eq!(rms(&[]), 0.0);
        for x in [1e-20_f32, 1e-6, 0.01, 0.5, 1.0, 2.0, 1234.5, 3e30] {
            let want = (x as f64).sqrt();
            assert!(((sqrt(x) as f64) - want).abs() / want < 1e-6, "sqrt({x})");
        }
        assert_eq!(sqrt(-1.0), 0.0);
        assert_eq!(sqrt(f32::INFINITY), f32::INFINITY);
    }
}
