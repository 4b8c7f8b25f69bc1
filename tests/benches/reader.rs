//! Throughput of the streaming reader against midly's in-memory parse.
//!
//! A ~10 MB, 16-track format-1 file is generated with a seeded PRNG
//! (running status, realistic deltas, controllers, pitch bends, a few metas
//! and sysex). Three ways to get its merged event stream:
//!
//! - `streaming/slice`: `Reader<SliceSource, 16, 256, 256>`;
//! - `streaming/io_file`: the same through `IoSource` over a
//!   `std::fs::File` (via `embedded-io-adapters`);
//! - `midly/parse_merge`: `midly::Smf::parse` (single-threaded: midly
//!   without its `parallel` feature) and a k-way merge of the tracks by
//!   (tick, track) into one `Vec`.
//!
//! Run: `cargo bench -p smfplay-tests --bench reader`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use embedded_io_adapters::std::FromStd;
use midly::{Smf, TrackEventKind};
use smfplay_core::smf::{IoSource, Reader, ReaderOptions, SliceSource};
use smfplay_tests::rng::Rng;

const TRACKS: usize = 16;
const TARGET_BYTES: usize = 10 << 20;

fn vlq(out: &mut Vec<u8>, mut v: u32) {
    let mut buf = [0u8; 4];
    let mut i = 3;
    buf[i] = (v & 0x7F) as u8;
    v >>= 7;
    while v > 0 {
        i -= 1;
        buf[i] = (v & 0x7F) as u8 | 0x80;
        v >>= 7;
    }
    out.extend_from_slice(&buf[i..]);
}

fn track(rng: &mut Rng, index: usize, bytes: usize) -> Vec<u8> {
    let mut t = Vec::with_capacity(bytes + 64);
    let channel = (index % 16) as u8;
    let mut status = 0u8;
    let emit = |t: &mut Vec<u8>, status_now: &mut u8, s: u8, data: &[u8]| {
        if *status_now != s {
            t.push(s);
            *status_now = s;
        }
        t.extend_from_slice(data);
    };
    // Track name and, in track 0, tempo and time signature.
    t.extend_from_slice(&[0x00, 0xFF, 0x03, 0x04]);
    t.extend_from_slice(format!("tr{index:02}").as_bytes());
    if index == 0 {
        t.extend_from_slice(&[0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20]);
        t.extend_from_slice(&[0x00, 0xFF, 0x58, 0x04, 4, 2, 24, 8]);
    }
    while t.len() < bytes {
        // Chords (delta 0), eighths, sixteenths, quarters, sometimes long rests.
        let delta = match rng.below(16) {
            0..=5 => 0,
            6..=9 => 60,
            10..=12 => 120,
            13 | 14 => 240,
            _ => rng.below(2000) as u32,
        };
        vlq(&mut t, delta);
        let key = 36 + rng.below(60) as u8;
        match rng.below(100) {
            0..=44 => emit(
                &mut t,
                &mut status,
                0x90 | channel,
                &[key, 1 + rng.below(126) as u8],
            ),
            45..=84 => emit(&mut t, &mut status, 0x90 | channel, &[key, 0]),
            85..=92 => emit(
                &mut t,
                &mut status,
                0xB0 | channel,
                &[rng.below(120) as u8, rng.below(128) as u8],
            ),
            93..=96 => {
                let v = rng.below(1 << 14) as u16;
                emit(
                    &mut t,
                    &mut status,
                    0xE0 | channel,
                    &[(v & 0x7F) as u8, (v >> 7) as u8],
                );
            }
            97 => emit(&mut t, &mut status, 0xC0 | channel, &[rng.below(128) as u8]),
            98 => {
                // A text marker, then a note with its status byte (midly
                // cancels running status after meta events).
                t.extend_from_slice(&[0xFF, 0x06, 0x04, b'm', b'a', b'r', b'k']);
                vlq(&mut t, 0);
                t.extend_from_slice(&[0x90 | channel, key, 64]);
                status = 0x90 | channel;
            }
            _ => {
                t.extend_from_slice(&[
                    0xF0, 0x0A, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7,
                ]);
                // midly cancels running status after sysex and meta events
                // (as the spec says), so the next message has its status.
                status = 0;
            }
        }
    }
    t.extend_from_slice(&[0x00, 0xFF, 0x2F, 0x00]);
    t
}

fn generate() -> Vec<u8> {
    let mut rng = Rng::new(0x5EED_1234_ABCD_0001);
    let mut file = b"MThd\0\0\0\x06\0\x01".to_vec();
    file.extend_from_slice(&(TRACKS as u16).to_be_bytes());
    file.extend_from_slice(&480u16.to_be_bytes());
    for i in 0..TRACKS {
        let t = track(&mut rng, i, TARGET_BYTES / TRACKS);
        file.extend_from_slice(b"MTrk");
        file.extend_from_slice(&(t.len() as u32).to_be_bytes());
        file.extend_from_slice(&t);
    }
    file
}

type Host<S> = Reader<S, 16, 256, 256>;

/// Reads the whole stream; returns (events, checksum).
fn stream<S: smfplay_core::smf::ByteSource>(mut r: Host<S>) -> (u64, u64) {
    let (mut n, mut sum) = (0u64, 0u64);
    loop {
        match r.next_event() {
            Ok(Some(ev)) => {
                n += 1;
                sum = sum.wrapping_add(ev.tick ^ u64::from(ev.track));
                if let TrackEventKind::Midi { message, .. } = ev.kind {
                    black_box(message);
                }
            }
            Ok(None) => return (n, sum),
            Err(e) => panic!("{e}"),
        }
    }
}

/// midly: parse everything, then merge the tracks by (tick, track).
fn midly_merge(bytes: &[u8]) -> Vec<(u64, u16, TrackEventKind<'_>)> {
    let smf = Smf::parse(bytes).expect("midly parses the bench file");
    let mut merged = Vec::with_capacity(smf.tracks.iter().map(Vec::len).sum());
    let mut next = vec![0usize; smf.tracks.len()];
    let mut heap = BinaryHeap::with_capacity(smf.tracks.len());
    let mut ticks = vec![0u64; smf.tracks.len()];
    for (t, track) in smf.tracks.iter().enumerate() {
        if let Some(ev) = track.first() {
            ticks[t] = u64::from(ev.delta.as_int());
            heap.push(Reverse((ticks[t], t as u16)));
        }
    }
    while let Some(Reverse((tick, t))) = heap.pop() {
        let ti = usize::from(t);
        let track = &smf.tracks[ti];
        merged.push((tick, t, track[next[ti]].kind));
        next[ti] += 1;
        if let Some(ev) = track.get(next[ti]) {
            ticks[ti] += u64::from(ev.delta.as_int());
            heap.push(Reverse((ticks[ti], t)));
        }
    }
    merged
}

fn temp_file(bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("smfplay-bench-{}.mid", std::process::id()));
    std::fs::write(&path, bytes).expect("write the bench file");
    path
}

fn bench(c: &mut Criterion) {
    let bytes = generate();
    let path = temp_file(&bytes);
    let (events, sum) =
        stream(Host::open(SliceSource::new(&bytes), ReaderOptions::STRICT).unwrap());
    let merged = midly_merge(&bytes);
    assert_eq!(
        merged.len() as u64,
        events,
        "midly and smfplay count differently"
    );
    let midly_sum = merged
        .iter()
        .fold(0u64, |s, (tick, t, _)| s.wrapping_add(tick ^ u64::from(*t)));
    assert_eq!(midly_sum, sum, "midly and smfplay merge differently");
    drop(merged);
    println!(
        "bench file: {} bytes, {} tracks, {events} events ({:.2} bytes/event)",
        bytes.len(),
        TRACKS,
        bytes.len() as f64 / events as f64
    );
    println!(
        "size_of Reader<SliceSource, 16, 256, 256> = {} bytes; Reader<SliceSource, 64, 256, 256> = {} bytes",
        std::mem::size_of::<Reader<SliceSource<'static>, 16, 256, 256>>(),
        std::mem::size_of::<Reader<SliceSource<'static>, 64, 256, 256>>()
    );

    let mut group = c.benchmark_group("reader");
    group.throughput(Throughput::Elements(events));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(3));
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("streaming/slice", |b| {
        b.iter(|| {
            stream(Host::open(SliceSource::new(black_box(&bytes)), ReaderOptions::LENIENT).unwrap())
        })
    });
    group.bench_function("streaming/io_file", |b| {
        b.iter(|| {
            let file = std::fs::File::open(&path).unwrap();
            let src = IoSource::new(FromStd::new(file));
            stream(Host::open(src, ReaderOptions::LENIENT).unwrap())
        })
    });
    group.bench_function("midly/parse_merge", |b| {
        b.iter(|| midly_merge(black_box(&bytes)).len())
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
