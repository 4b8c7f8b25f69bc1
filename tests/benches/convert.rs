//! f32 → S16/S32 interleaving: smfplay-core's vectorised converters against
//! a naive scalar loop (per-sample `if` clamping, `as` cast, indexing).
//!
//! `cargo bench -p smfplay-tests --bench convert`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use smfplay_core::audio::{interleave_stereo_i16, interleave_stereo_i32};

/// The loop a first draft would contain.
#[inline(never)]
#[allow(
    clippy::manual_clamp,
    reason = "the per-sample `if` is what is measured"
)]
fn naive_i16(left: &[f32], right: &[f32], gain: f32, out: &mut [i16]) -> usize {
    let frames = left.len().min(right.len()).min(out.len() / 2);
    for i in 0..frames {
        let mut l = left[i] * gain * 32767.0;
        if l > 32767.0 {
            l = 32767.0;
        } else if l < -32768.0 {
            l = -32768.0;
        }
        let mut r = right[i] * gain * 32767.0;
        if r > 32767.0 {
            r = 32767.0;
        } else if r < -32768.0 {
            r = -32768.0;
        }
        out[2 * i] = l as i16;
        out[2 * i + 1] = r as i16;
    }
    frames
}

#[inline(never)]
#[allow(
    clippy::manual_clamp,
    reason = "the per-sample `if` is what is measured"
)]
fn naive_i32(left: &[f32], right: &[f32], gain: f32, out: &mut [i32]) -> usize {
    let frames = left.len().min(right.len()).min(out.len() / 2);
    for i in 0..frames {
        let mut l = left[i] * gain * 2_147_483_648.0;
        if l > 2_147_483_520.0 {
            l = 2_147_483_520.0;
        } else if l < -2_147_483_648.0 {
            l = -2_147_483_648.0;
        }
        let mut r = right[i] * gain * 2_147_483_648.0;
        if r > 2_147_483_520.0 {
            r = 2_147_483_520.0;
        } else if r < -2_147_483_648.0 {
            r = -2_147_483_648.0;
        }
        out[2 * i] = l as i32;
        out[2 * i + 1] = r as i32;
    }
    frames
}

/// A synth-like signal: two detuned sines with ~10 % of samples overdriven.
fn signal(frames: usize) -> (Vec<f32>, Vec<f32>) {
    let l = (0..frames)
        .map(|i| 1.1 * (i as f32 * 0.031).sin())
        .collect();
    let r = (0..frames)
        .map(|i| 1.1 * (i as f32 * 0.047 + 1.0).sin())
        .collect();
    (l, r)
}

fn bench(c: &mut Criterion) {
    for frames in [64_usize, 256, 1024] {
        let (l, r) = signal(frames);
        let mut o16 = vec![0_i16; 2 * frames];
        let mut o32 = vec![0_i32; 2 * frames];

        let mut g = c.benchmark_group("f32_to_s16");
        g.throughput(Throughput::Elements(frames as u64));
        g.bench_function(BenchmarkId::new("smfplay", frames), |b| {
            b.iter(|| interleave_stereo_i16(black_box(&l), black_box(&r), 0.8, black_box(&mut o16)))
        });
        g.bench_function(BenchmarkId::new("naive", frames), |b| {
            b.iter(|| naive_i16(black_box(&l), black_box(&r), 0.8, black_box(&mut o16)))
        });
        g.finish();

        let mut g = c.benchmark_group("f32_to_s32");
        g.throughput(Throughput::Elements(frames as u64));
        g.bench_function(BenchmarkId::new("smfplay", frames), |b| {
            b.iter(|| interleave_stereo_i32(black_box(&l), black_box(&r), 0.8, black_box(&mut o32)))
        });
        g.bench_function(BenchmarkId::new("naive", frames), |b| {
            b.iter(|| naive_i32(black_box(&l), black_box(&r), 0.8, black_box(&mut o32)))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = bench
}
criterion_main!(benches);
