//! Property tests of the streaming reader.
//!
//! (a) Random valid files (formats 0/1/2, 1–8 tracks, every kind of event:
//!     channel messages with and without running status, running status
//!     across meta and sysex events, sysex, escapes, every meta type, long
//!     and padded deltas, unknown chunks, RMID wrappers) are read exactly as
//!     the generator's own merged list says, with big and tiny capacities
//!     and through `IoSource`.
//! (b) Random byte mutations of such files never panic, and every read ends
//!     within [`bound`] results; strict mode yields a prefix of lenient
//!     mode's events; rewinding reproduces the stream.
//!
//! The bound: every event and every skipped event consumes at least two
//! bytes of its track chunk (a delta of ≥ 1 byte and a status or data byte
//! of ≥ 1), chunks are disjoint and come after the 14-byte `MThd` and an
//! 8-byte header each, and each track ends at most once with an error (or
//! a strict-mode warning). So a file of `len` bytes with `n` tracks yields
//! at most `(len − 14 − 8n) / 2 + n` events and errors, and `next_event` is
//! called at most once more (its final `Ok(None)`).
//! `call_bound_is_reached_exactly` shows the bound is tight.

mod reader_support;

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};

use embedded_io_adapters::std::FromStd;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};
use reader_support::*;
use smfplay_core::smf::{ErrorKind, IoSource, Reader, ReaderOptions, Severity, SliceSource};

/// Most events plus errors a file of `len` bytes with `tracks` tracks can
/// produce (see the module documentation).
fn bound(len: usize, tracks: u16) -> usize {
    let tracks = usize::from(tracks);
    len.saturating_sub(14 + 8 * tracks) / 2 + tracks
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..=max)
}

fn meta() -> impl Strategy<Value = GenMeta> {
    const KNOWN: &[u8] = &[
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x20, 0x21, 0x2F, 0x51, 0x54, 0x58, 0x59, 0x7F,
    ];
    prop_oneof![
        prop::option::of(any::<u16>()).prop_map(GenMeta::SequenceNumber),
        (prop_oneof![1u8..=9, Just(0x7F)], bytes(20)).prop_map(|(k, d)| GenMeta::Text(k, d)),
        (0u8..16).prop_map(GenMeta::MidiChannel),
        (0u8..128).prop_map(GenMeta::MidiPort),
        (0u32..1 << 24).prop_map(GenMeta::Tempo),
        (0u8..24, 0u8..60, 0u8..60, 0u8..24, 0u8..100, 0u8..4)
            .prop_map(|(h, m, s, f, sf, fps)| GenMeta::Smpte(h, m, s, f, sf, fps)),
        any::<[u8; 4]>().prop_map(|[a, b, c, d]| GenMeta::TimeSignature(a, b, c, d)),
        (-7i8..=7, any::<bool>()).prop_map(|(sf, mi)| GenMeta::KeySignature(sf, mi)),
        (
            any::<u8>().prop_filter("unknown meta type", |k| !KNOWN.contains(k)),
            bytes(12)
        )
            .prop_map(|(k, d)| GenMeta::Unknown(k, d)),
    ]
}

fn kind() -> impl Strategy<Value = GenKind> {
    // Few distinct statuses, so running status applies often.
    let status = (
        prop_oneof![4 => Just(0x9u8), 1 => 0x8u8..=0xE],
        prop_oneof![3 => Just(0u8), 1 => 0u8..16],
    )
        .prop_map(|(hi, ch)| (hi << 4) | ch);
    prop_oneof![
        8 => (status, 0u8..128, 0u8..128).prop_map(|(s, a, b)| GenKind::Midi(s, a, b)),
        1 => bytes(40).prop_map(GenKind::SysEx),
        1 => bytes(40).prop_map(GenKind::Escape),
        3 => meta().prop_map(GenKind::Meta),
    ]
}

fn delta() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0u32..50, 2 => 0u32..20_000, 1 => 0u32..1 << 28]
}

fn event() -> impl Strategy<Value = GenEvent> {
    (
        delta(),
        kind(),
        prop::bool::weighted(0.8),
        prop_oneof![6 => Just(1usize), 1 => 1usize..=4],
    )
        .prop_map(|(delta, kind, running, delta_width)| GenEvent {
            delta,
            kind,
            running,
            delta_width,
        })
}

fn track() -> impl Strategy<Value = GenTrack> {
    (prop::collection::vec(event(), 0..30), delta())
        .prop_map(|(events, eot_delta)| GenTrack { events, eot_delta })
}

fn file() -> impl Strategy<Value = GenFile> {
    let division = prop_oneof![
        3 => 1u16..0x8000,
        1 => prop_oneof![Just(0xE8u16), Just(0xE7), Just(0xE3), Just(0xE2)]
            .prop_flat_map(|fps| (Just(fps), 1u16..256))
            .prop_map(|(fps, tpf)| fps << 8 | tpf),
    ];
    (0u16..3)
        .prop_flat_map(move |format| {
            let n = if format == 0 { 1..=1 } else { 1..=8 };
            (
                Just(format),
                division.clone(),
                prop::collection::vec(track(), n),
                prop::bool::weighted(0.2),
                prop::bool::weighted(0.2),
            )
        })
        .prop_map(|(format, division, tracks, unknown_chunks, rmid)| GenFile {
            format,
            division,
            tracks,
            unknown_chunks,
            rmid,
        })
}

fn io(bytes: &[u8]) -> IoSource<FromStd<Cursor<Vec<u8>>>> {
    IoSource::new(FromStd::new(Cursor::new(bytes.to_vec())))
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn expected_ok(
    gen_file: &GenFile,
    payload: usize,
) -> Vec<Result<Expected, smfplay_core::smf::Error>> {
    gen_file.expected(payload).into_iter().map(Ok).collect()
}

const LIMIT: usize = 1_000_000;

proptest! {
    #![proptest_config(config(1000))]

    /// (a) The reader yields exactly the generator's merged list, in
    /// lenient and strict mode, from a slice and through `IoSource`.
    #[test]
    fn valid_files_read_as_generated(gen_file in file()) {
        let bytes = gen_file.encode();
        let want = expected_ok(&gen_file, 64);
        for options in [ReaderOptions::LENIENT, ReaderOptions::STRICT] {
            let slice = run::<_, 8, 256, 64>(SliceSource::new(&bytes), options, LIMIT);
            prop_assert_eq!(slice.opened, Ok(gen_file.tracks.len() as u16));
            prop_assert_eq!(as_expected(&slice.items), want.clone());
            let via_io = run::<_, 8, 256, 64>(io(&bytes), options, LIMIT);
            prop_assert_eq!(via_io, slice);
        }
    }

    /// (a) Tiny windows and payload buffers give the same stream; payloads
    /// longer than the buffer are reported in their place.
    #[test]
    fn valid_files_read_the_same_with_tiny_capacities(gen_file in file()) {
        let bytes = gen_file.encode();
        let w8 = run::<_, 8, 8, 8>(SliceSource::new(&bytes), ReaderOptions::LENIENT, LIMIT);
        prop_assert_eq!(as_expected(&w8.items), expected_ok(&gen_file, 8));
        let w13 = run::<_, 8, 13, 5>(SliceSource::new(&bytes), ReaderOptions::LENIENT, LIMIT);
        prop_assert_eq!(as_expected(&w13.items), expected_ok(&gen_file, 5));
        for e in w13.errors() {
            prop_assert_eq!(e.severity, Severity::EventSkipped);
        }
        // Big payload buffer, tiny window: identical to the big reader.
        let w8_big = run::<_, 8, 8, 64>(io(&bytes), ReaderOptions::STRICT, LIMIT);
        prop_assert_eq!(as_expected(&w8_big.items), expected_ok(&gen_file, 64));
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Overwrite(Index, u8),
    Truncate(Index),
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => any::<u8>(),
        1 => prop::sample::select(vec![0x00, 0x7F, 0x80, 0x81, 0xF0, 0xF7, 0xF8, 0xFF, 0x2F, 0x90]),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        2 => (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<Index>().prop_map(Mutation::Delete),
        3 => (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::Overwrite(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match m {
            Mutation::Flip(i, bit) => bytes[i.index(len)] ^= 1 << bit,
            Mutation::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
            Mutation::Delete(i) => {
                bytes.remove(i.index(bytes.len()));
            }
            Mutation::Overwrite(i, b) => bytes[i.index(len)] = *b,
            Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len())),
        }
    }
    bytes
}

/// The largest fraction of [`bound`] any mutated file reached, in 1/1000.
static TIGHTEST: AtomicUsize = AtomicUsize::new(0);

fn check_mutated<const T: usize, const W: usize, const P: usize>(
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    let len = bytes.len();
    let mut lenient_events = None;
    for options in [ReaderOptions::LENIENT, ReaderOptions::STRICT] {
        let Ok(mut r) = Reader::<_, T, W, P>::open(SliceSource::new(bytes), options) else {
            prop_assert!(
                options.strict || lenient_events.is_none(),
                "lenient failed to open what strict opened"
            );
            lenient_events = Some(Vec::new());
            continue;
        };
        let tracks = r.header().tracks;
        let limit = bound(len, tracks);
        // One call more than the bound allows, so an overrun is seen.
        let (items, calls) = drain(&mut r, limit + 2);
        prop_assert!(
            items.len() <= limit,
            "{} results from {len} bytes and {tracks} tracks (bound {limit})",
            items.len()
        );
        prop_assert_eq!(calls, items.len() + 1);
        if let Some(permille) = (items.len() * 1000).checked_div(limit) {
            TIGHTEST.fetch_max(permille, Ordering::Relaxed);
        }
        let mut last = 0;
        for item in &items {
            if let Item::Event(tick, t, _) = item {
                prop_assert!(*tick >= last, "tick went back");
                prop_assert!(*t < tracks);
                last = *tick;
            }
        }
        // After the end, still the end.
        prop_assert!(matches!(r.next_event(), Ok(None)));
        // Rewind reproduces the stream.
        r.rewind()
            .map_err(|e| TestCaseError::fail(format!("rewind: {e}")))?;
        let (again, _) = drain(&mut r, limit + 2);
        prop_assert_eq!(&again, &items);
        let events: Vec<Item> = items.iter().filter(|i| i.is_event()).cloned().collect();
        match &lenient_events {
            None => lenient_events = Some(events),
            Some(lenient) => {
                prop_assert!(events.len() <= lenient.len(), "strict yielded more events");
                prop_assert_eq!(&events[..], &lenient[..events.len()]);
                // Strict mode's first error is fatal and its last item.
                if let Some(first) = items.iter().position(|i| !i.is_event()) {
                    let rest = &items[first..];
                    prop_assert!(rest.len() == 1, "strict went on: {:?}", rest);
                    prop_assert!(matches!(rest[0], Item::Error(e) if e.is_fatal()));
                }
            }
        }
    }
    Ok(())
}

/// (b) Mutated files: no panic, bounded output, strict ⊆ lenient, rewind
/// exact, IoSource equal to SliceSource.
#[test]
fn mutated_files_end_within_the_bound() {
    let strategy = (file(), prop::collection::vec(mutation(), 1..6));
    let mut runner = TestRunner::new(config(4000));
    runner
        .run(&strategy, |(gen_file, mutations)| {
            let bytes = mutate(gen_file.encode(), &mutations);
            check_mutated::<8, 256, 64>(&bytes)?;
            check_mutated::<3, 8, 4>(&bytes)?;
            check_mutated::<16, 9, 16>(&bytes)?;
            let slice =
                run::<_, 8, 16, 16>(SliceSource::new(&bytes), ReaderOptions::LENIENT, LIMIT);
            let via_io = run::<_, 8, 16, 16>(io(&bytes), ReaderOptions::LENIENT, LIMIT);
            prop_assert_eq!(via_io, slice);
            Ok(())
        })
        .unwrap();
    println!(
        "tightest mutated file reached {:.1}% of the call bound",
        TIGHTEST.load(Ordering::Relaxed) as f64 / 10.0
    );
}

/// The bound is tight: one track of `k` skipped system messages (`00 F8`,
/// two bytes each) cut by a lone delta yields `k` errors plus one
/// track-ending error, `(len − 14 − 8) / 2 + 1` in all.
#[test]
fn call_bound_is_reached_exactly() {
    for k in [0usize, 1, 7, 100] {
        let mut data = [0x00, 0xF8].repeat(k);
        data.push(0x00);
        let file = smf(1, DIVISION, &[Track(data)]);
        let out = run::<_, 2, 8, 4>(SliceSource::new(&file), ReaderOptions::LENIENT, LIMIT);
        assert_eq!(out.items.len(), bound(file.len(), 1), "k {k}");
        assert_eq!(out.calls, bound(file.len(), 1) + 1);
        let kinds: Vec<_> = out.errors().iter().map(|e| (e.kind, e.severity)).collect();
        let mut want = vec![(ErrorKind::SystemMessageInFile(0xF8), Severity::EventSkipped); k];
        want.push((ErrorKind::TruncatedEvent, Severity::TrackEnded));
        assert_eq!(kinds, want);
    }
    // Events alone: running-status program changes are two bytes each.
    let mut data = vec![0x00, 0xC0, 0x00];
    data.extend([0x00, 0x01].repeat(50));
    data.push(0x00);
    let file = smf(1, DIVISION, &[Track(data)]);
    let out = run::<_, 2, 8, 4>(SliceSource::new(&file), ReaderOptions::LENIENT, LIMIT);
    assert_eq!(out.event_count(), 51);
    assert_eq!(out.items.len(), bound(file.len(), 1) - 1);
}
