//! The sequencer's own cost per period (reader → tempo map → calendar →
//! dispatch), with a synth that does nothing, so that only sequencing is
//! measured. Periods of 64, 256 and 1024 frames at 48 kHz on the dense
//! 16-channel fixture (≈160 events/s) and on a 4× denser 16-track file.
//!
//! Besides criterion's mean per period, one extra pass records every
//! period's time in the core's `TimingHistogram` and prints p50/p99/max and
//! the mean as a share of the period's duration.
//!
//! Run: `cargo bench -p smfplay-tests --bench sequencer`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use smfplay_core::sequencer::{Sequencer, SequencerConfig};
use smfplay_core::smf::{ReaderOptions, SliceSource};
use smfplay_core::synth::{Synth, SynthEvent};
use smfplay_core::timing_histogram::{PERIOD_BUCKETS, TimingHistogram};
use smfplay_tests::fixtures;

const RATE: u32 = 48_000;

/// A synth that only counts what it is given.
struct NullSynth(u64);
impl Synth for NullSynth {
    fn apply(&mut self, _: SynthEvent<'_>) {
        self.0 += 1;
    }
    fn render(&mut self, left: &mut [f32], _: &mut [f32]) {
        black_box(left);
    }
}

/// The capacities the figures in BENCHMARKS.md were measured with.
mod bench_capacities {
    /// Tracks the reader holds.
    pub const TRACKS: usize = 64;
    /// Read-ahead bytes per track.
    pub const WINDOW: usize = 256;
    /// Longest sysex or meta payload.
    pub const PAYLOAD: usize = 4096;
    /// Calendar capacity.
    pub const EVENTS: usize = 4096;
    /// Calendar buckets.
    pub const SLOTS: usize = 512;
    /// Payload pool blocks.
    pub const BLOCKS: usize = 64;
    /// Bytes per payload pool block.
    pub const BLOCK_BYTES: usize = 512;
}
use bench_capacities::*;

type Seq<'a> =
    Sequencer<SliceSource<'a>, TRACKS, WINDOW, PAYLOAD, EVENTS, SLOTS, BLOCKS, BLOCK_BYTES>;

/// Plays the whole file; returns (periods, events applied).
fn play(song: &[u8], period: usize, mut each: impl FnMut(Duration)) -> (u64, u64) {
    let mut seq = Box::new(
        Seq::open(
            SliceSource::new(song),
            ReaderOptions::LENIENT,
            SequencerConfig::new(RATE, period as u32),
        )
        .unwrap(),
    );
    let mut synth = NullSynth(0);
    let (mut l, mut r) = (vec![0.0f32; period], vec![0.0f32; period]);
    let mut periods = 0;
    while !seq.is_finished() {
        let t = Instant::now();
        seq.process(&mut synth, &mut l, &mut r, &mut ()).unwrap();
        each(t.elapsed());
        periods += 1;
    }
    (periods, synth.0)
}

fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("dense_16ch_60s", fixtures::dense_16ch(60)),
        ("large_16track_1MB", fixtures::large_16track(1_000_000)),
    ]
}

fn per_period(c: &mut Criterion) {
    let mut group = c.benchmark_group("sequencer_per_period");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    for (name, song) in files() {
        for period in [64usize, 256, 1024] {
            group.bench_with_input(BenchmarkId::new(name, period), &period, |b, &period| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        let (periods, _) = play(&song, period, |_| {});
                        total += start.elapsed() / periods as u32;
                    }
                    total
                });
            });
        }
    }
    group.finish();

    // Distribution of per-period times (one pass each), against the budget.
    println!("\nper-period work, whole song, null synth (TimingHistogram, {RATE} Hz):");
    println!(
        "{:<20} {:>6} {:>9} {:>8} {:>8} {:>8} {:>9} {:>10}",
        "file", "period", "events", "mean", "p50", "p99", "max", "mean/budget"
    );
    for (name, song) in files() {
        for period in [64usize, 256, 1024] {
            let mut hist = TimingHistogram::<PERIOD_BUCKETS>::new();
            let start = Instant::now();
            let (periods, events) = play(&song, period, |d| hist.record(d.as_nanos() as u64));
            let mean_ns = start.elapsed().as_nanos() as f64 / periods as f64;
            let budget_ns = period as f64 * 1e9 / f64::from(RATE);
            let us = |ns: Option<u64>| ns.map_or(0.0, |n| n as f64 / 1000.0);
            println!(
                "{:<20} {:>6} {:>9} {:>6.2}µs {:>6.2}µs {:>6.2}µs {:>7.2}µs {:>9.3}%",
                name,
                period,
                events,
                mean_ns / 1000.0,
                us(hist.percentile(50.0)),
                us(hist.percentile(99.0)),
                us(hist.max()),
                100.0 * mean_ns / budget_ns
            );
        }
    }
}

criterion_group!(benches, per_period);
criterion_main!(benches);
