//! Static-capacity tests of the streaming reader with tiny capacities
//! (`TRACKS` 2–3, `WINDOW` 8–16, `PAYLOAD` 4–8): every limit is reached
//! exactly and one past it, windows refill in the middle of events, VLQs
//! and payloads, and the results match a reader with big capacities, a
//! rewound reader, and the same file read through `IoSource`.

mod reader_support;

use std::io::Cursor;

use embedded_io_adapters::std::FromStd;
use midly::MetaMessage;
use midly::TrackEventKind;
use reader_support::*;
use smfplay_core::smf::{ErrorKind, IoSource, Reader, ReaderOptions, Severity, SliceSource};

type Tiny<'a> = Reader<SliceSource<'a>, 2, 8, 4>;
type Tiny3<'a> = Reader<SliceSource<'a>, 3, 8, 8>;
type CursorSource = IoSource<FromStd<Cursor<Vec<u8>>>>;

const LIMIT: usize = 100_000;

fn io(bytes: &[u8]) -> CursorSource {
    IoSource::new(FromStd::new(Cursor::new(bytes.to_vec())))
}

fn lenient<const T: usize, const W: usize, const P: usize>(bytes: &[u8]) -> Run {
    run::<_, T, W, P>(SliceSource::new(bytes), ReaderOptions::LENIENT, LIMIT)
}

fn strict<const T: usize, const W: usize, const P: usize>(bytes: &[u8]) -> Run {
    run::<_, T, W, P>(SliceSource::new(bytes), ReaderOptions::STRICT, LIMIT)
}

fn note_track(n: u8) -> Track {
    let mut t = Track::new().midi(0, 0x90, &[60, 100]);
    for i in 0..n {
        t = t.running(10, &[61 + i, 90]);
    }
    t.midi(5, 0x80, &[60, 0]).eot(0)
}

fn end_of_track() -> String {
    format!("{:?}", TrackEventKind::Meta(MetaMessage::EndOfTrack))
}

#[test]
fn more_tracks_than_capacity_is_fatal_too_many_tracks() {
    let file = smf(1, DIVISION, &[note_track(1), note_track(2), note_track(3)]);
    for options in [ReaderOptions::LENIENT, ReaderOptions::STRICT] {
        let err = Tiny::open(SliceSource::new(&file), options)
            .err()
            .expect("three tracks cannot fit a two-track reader");
        assert_eq!(err.kind, ErrorKind::TooManyTracks { capacity: 2 });
        assert_eq!(err.severity, Severity::Fatal);
        // The third MTrk chunk's header is where the problem is.
        let third = 14 + 2 * 8 + note_track(1).0.len() + note_track(2).0.len();
        assert_eq!(err.offset, third as u64);
    }
    // Even when the header admits to only two tracks.
    let mut lying = file.clone();
    lying[11] = 2;
    let err = Tiny::open(SliceSource::new(&lying), ReaderOptions::LENIENT).err();
    assert_eq!(
        err.map(|e| e.kind),
        Some(ErrorKind::TooManyTracks { capacity: 2 })
    );
}

#[test]
fn exactly_capacity_tracks_are_all_read() {
    let file = smf(1, DIVISION, &[note_track(3), note_track(4)]);
    let tiny = lenient::<2, 8, 4>(&file);
    assert_eq!(tiny.opened, Ok(2));
    assert!(tiny.errors().is_empty(), "{:?}", tiny.errors());
    assert_eq!(tiny.items, lenient::<16, 256, 256>(&file).items);
    assert_eq!(tiny.event_count(), 6 + 7);
    let file3 = smf(1, DIVISION, &[note_track(1), note_track(0), note_track(2)]);
    let tiny3 = strict::<3, 8, 8>(&file3);
    assert_eq!(tiny3.opened, Ok(3));
    assert_eq!(tiny3.items, strict::<16, 256, 256>(&file3).items);
}

#[test]
fn payload_of_exactly_capacity_is_delivered_whole() {
    let track = Track::new()
        .sysex(0, &[1, 2, 3, 0xF7])
        .escape(1, &[0xF3, 4, 5, 6])
        .meta(1, 0x01, b"abcd")
        .meta(1, 0x7F, &[9, 8, 7, 6])
        .eot(0);
    let file = smf(0, DIVISION, &[track]);
    for run in [lenient::<2, 8, 4>(&file), strict::<2, 8, 4>(&file)] {
        let rendered: Vec<_> = run
            .items
            .iter()
            .map(|i| match i {
                Item::Event(_, _, s) => s.clone(),
                Item::Error(e) => panic!("unexpected error {e}"),
            })
            .collect();
        assert_eq!(
            rendered,
            [
                format!("{:?}", TrackEventKind::SysEx(&[1, 2, 3, 0xF7])),
                format!("{:?}", TrackEventKind::Escape(&[0xF3, 4, 5, 6])),
                format!("{:?}", TrackEventKind::Meta(MetaMessage::Text(b"abcd"))),
                format!(
                    "{:?}",
                    TrackEventKind::Meta(MetaMessage::SequencerSpecific(&[9, 8, 7, 6]))
                ),
                end_of_track(),
            ]
        );
    }
}

#[test]
fn payload_one_past_capacity_is_skipped_whole_and_the_track_goes_on() {
    // Each over-long kind, followed by a note that must still arrive.
    let cases: [(&str, Track); 3] = [
        ("sysex", Track::new().sysex(0, &[1, 2, 3, 4, 0xF7])),
        ("escape", Track::new().escape(0, &[1, 2, 3, 4, 5])),
        ("meta", Track::new().meta(0, 0x05, b"la-la")),
    ];
    for (what, head) in cases {
        let track = head.midi(7, 0x91, &[64, 1]).eot(3);
        let file = smf(1, DIVISION, &[track, note_track(0)]);
        let run = lenient::<2, 8, 4>(&file);
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{what}: {:?}", run.items);
        let e = errors[0];
        assert_eq!(
            e.kind,
            ErrorKind::PayloadTooLong {
                len: 5,
                capacity: 4
            },
            "{what}"
        );
        assert_eq!(e.severity, Severity::EventSkipped, "{what}");
        assert_eq!(e.track, Some(0), "{what}");
        // The event's status byte follows MThd, the MTrk header and a
        // one-byte delta.
        assert_eq!(e.offset, 14 + 8 + 1, "{what}");
        // Everything else arrives, in order, at the right ticks.
        let events: Vec<_> = run
            .events()
            .into_iter()
            .map(|i| match i {
                Item::Event(tick, t, _) => (*tick, *t),
                Item::Error(_) => unreachable!(),
            })
            .collect();
        assert_eq!(events, [(0, 1), (5, 1), (5, 1), (7, 0), (10, 0)], "{what}");
        assert_eq!(
            run.items[0],
            Item::Error(e),
            "{what}: error comes first (tick 0, track 0)"
        );
        // PAYLOAD 5 delivers it.
        let roomy = lenient::<2, 8, 5>(&file);
        assert!(roomy.errors().is_empty(), "{what}");
        assert_eq!(roomy.event_count(), 6, "{what}");
        // Strict mode stops there.
        let s = strict::<2, 8, 4>(&file);
        assert_eq!(s.event_count(), 0, "{what}: {:?}", s.items);
        assert_eq!(s.errors().len(), 1, "{what}");
        assert!(s.errors()[0].is_fatal(), "{what}");
    }
}

/// A track whose events straddle every window alignment: 4-byte deltas,
/// payloads of exactly `PAYLOAD` (8) bytes, running status, metas. Shifted
/// by a leading text event of 0..=16 bytes.
fn straddling_track(shift: usize) -> GenTrack {
    let ev = |delta, kind, running, delta_width| GenEvent {
        delta,
        kind,
        running,
        delta_width,
    };
    GenTrack {
        events: vec![
            ev(
                0,
                GenKind::Meta(GenMeta::Text(0x01, vec![b'x'; shift])),
                false,
                1,
            ),
            ev(0x0FFF_FFFF, GenKind::Midi(0x90, 60, 100), false, 4),
            ev(1, GenKind::Midi(0x90, 62, 100), true, 4),
            ev(
                200,
                GenKind::SysEx(vec![0x41, 0x10, 0x42, 0x12, 0x40, 0, 0x7F, 0xF7]),
                false,
                2,
            ),
            ev(3, GenKind::Midi(0x90, 64, 100), true, 3),
            ev(0x4000, GenKind::Meta(GenMeta::Tempo(500_000)), false, 3),
            ev(0, GenKind::Midi(0xE3, 0x7F, 0x40), false, 1),
            ev(0x7F, GenKind::Escape(vec![0xF8; 8]), false, 1),
            ev(5, GenKind::Midi(0xC3, 9, 0), false, 4),
            ev(5, GenKind::Midi(0xC3, 10, 0), true, 4),
            ev(0, GenKind::Meta(GenMeta::Smpte(1, 2, 3, 4, 5, 1)), false, 2),
            ev(
                0x3FFF,
                GenKind::Meta(GenMeta::Unknown(0x60, vec![1; 8])),
                false,
                2,
            ),
        ],
        eot_delta: 0x20_0000,
    }
}

#[test]
fn window_refills_mid_event_mid_vlq_and_mid_payload_change_nothing() {
    for shift in 0..=16 {
        let gen_file = GenFile {
            format: 1,
            division: DIVISION,
            tracks: vec![straddling_track(shift), straddling_track(16 - shift)],
            unknown_chunks: false,
            rmid: false,
        };
        let file = gen_file.encode();
        let want =
            |capacity| -> Vec<_> { gen_file.expected(capacity).into_iter().map(Ok).collect() };
        let big = lenient::<16, 256, 256>(&file);
        assert_eq!(as_expected(&big.items), want(256), "shift {shift}");
        // The leading text of up to 16 bytes is too long for PAYLOAD 8 and
        // is reported in place; everything else is identical.
        let w8 = lenient::<2, 8, 8>(&file);
        assert_eq!(as_expected(&w8.items), want(8), "WINDOW 8, shift {shift}");
        let w9 = lenient::<3, 9, 8>(&file);
        assert_eq!(w9.items, w8.items, "WINDOW 9, shift {shift}");
        let w16 = lenient::<2, 16, 16>(&file);
        assert_eq!(w16.items, big.items, "WINDOW 16, shift {shift}");
        let w16s = strict::<2, 16, 16>(&file);
        assert_eq!(w16s.items, big.items, "WINDOW 16 strict, shift {shift}");
        // With PAYLOAD 4 the 8-byte payloads are skipped, still in place.
        let p4 = lenient::<2, 8, 4>(&file);
        assert_eq!(as_expected(&p4.items), want(4), "PAYLOAD 4, shift {shift}");
    }
}

#[test]
fn empty_track_chunk_is_a_track_without_end() {
    let file = smf(1, DIVISION, &[Track::new(), note_track(1)]);
    let run = lenient::<2, 8, 4>(&file);
    assert_eq!(run.opened, Ok(2));
    // A missing end of track is tolerated silently in lenient mode...
    assert!(run.errors().is_empty(), "{:?}", run.items);
    assert_eq!(run.items, lenient::<16, 256, 256>(&file).items);
    assert_eq!(run.event_count(), 4);
    let mut r = Tiny::open(SliceSource::new(&file), ReaderOptions::LENIENT).unwrap();
    drain(&mut r, LIMIT);
    let d = r.diagnostics();
    assert_eq!(d.tracks_without_end, 1, "{d:?}");
    assert_eq!(
        d.first_problem().map(|e| e.kind),
        Some(ErrorKind::MissingEndOfTrack)
    );
    // ...and fatal in strict mode (open reads each track's first delta).
    let err = Tiny::open(SliceSource::new(&file), ReaderOptions::STRICT).err();
    assert_eq!(
        err.map(|e| (e.kind, e.track)),
        Some((ErrorKind::MissingEndOfTrack, Some(0)))
    );
    // Two empty tracks: nothing at all, no panic.
    let both = smf(1, DIVISION, &[Track::new(), Track::new()]);
    let run = lenient::<2, 8, 4>(&both);
    assert_eq!((run.opened, run.items.len(), run.calls), (Ok(2), 0, 1));
}

#[test]
fn zero_tracks_read_nothing() {
    let file = smf(1, DIVISION, &[]);
    for run in [lenient::<2, 8, 4>(&file), strict::<2, 8, 4>(&file)] {
        assert_eq!(run.opened, Ok(0));
        assert!(run.items.is_empty());
        assert_eq!(run.calls, 1);
    }
    // Format 2 with no track.
    let file = smf(2, DIVISION, &[]);
    assert_eq!(lenient::<2, 8, 4>(&file).items, []);
    // Header says 2 tracks, there are none: only a diagnostic.
    let lying = mthd(1, 2, DIVISION);
    let run = lenient::<2, 8, 4>(&lying);
    assert_eq!((run.opened, run.items.len()), (Ok(0), 0));
    let err = Tiny::open(SliceSource::new(&lying), ReaderOptions::STRICT).err();
    assert_eq!(
        err.map(|e| e.kind),
        Some(ErrorKind::TrackCountMismatch {
            declared: 2,
            found: 0
        })
    );
}

#[test]
fn track_of_only_end_of_track() {
    for format in [0, 1, 2] {
        let file = smf(format, DIVISION, &[Track::new().eot(0)]);
        for run in [lenient::<2, 8, 4>(&file), strict::<2, 8, 4>(&file)] {
            assert_eq!(
                run.items,
                [Item::Event(0, 0, end_of_track())],
                "format {format}"
            );
        }
        let late = smf(format, DIVISION, &[Track::new().eot(0x0FFF_FFFF)]);
        let run = lenient::<2, 8, 4>(&late);
        assert_eq!(run.items, [Item::Event(0x0FFF_FFFF, 0, end_of_track())]);
    }
    // Format 2: each track starts where the previous one ended.
    let file = smf(
        2,
        DIVISION,
        &[Track::new().eot(10), Track::new().eot(0), note_track(0)],
    );
    let run = lenient::<3, 8, 4>(&file);
    let ticks: Vec<_> = run
        .items
        .iter()
        .map(|i| match i {
            Item::Event(tick, t, _) => (*tick, *t),
            Item::Error(e) => panic!("{e}"),
        })
        .collect();
    assert_eq!(ticks, [(10, 0), (10, 1), (10, 2), (15, 2), (15, 2)]);
}

/// Files that exercise every path: valid, format 2, damaged, truncated,
/// RMID, over-long payloads.
fn assorted_files() -> Vec<(&'static str, Vec<u8>)> {
    let valid = GenFile {
        format: 1,
        division: DIVISION,
        tracks: vec![straddling_track(3), straddling_track(7)],
        unknown_chunks: true,
        rmid: false,
    };
    let sequential = GenFile {
        format: 2,
        ..valid.clone()
    };
    let rmid_file = GenFile {
        rmid: true,
        ..valid.clone()
    };
    let damaged = smf(
        1,
        DIVISION,
        &[
            Track::new()
                .midi(0, 0x90, &[60, 100])
                .raw(&[0x00, 0xF8])
                .sysex(1, &[1, 2, 3, 4, 5, 6, 7, 8, 9])
                .running(1, &[61, 100])
                .raw(&[0x00, 0x90, 0x90])
                .eot(0),
            note_track(2).raw(&[1, 2, 3]),
        ],
    );
    let mut truncated = valid.encode();
    truncated.truncate(truncated.len() - 20);
    vec![
        ("valid", valid.encode()),
        ("format 2", sequential.encode()),
        ("rmid", rmid_file.encode()),
        ("damaged", damaged),
        ("truncated", truncated),
    ]
}

#[test]
fn rewind_gives_the_identical_stream_again() {
    fn check<const T: usize, const W: usize, const P: usize>(name: &str, file: &[u8]) {
        for options in [ReaderOptions::LENIENT, ReaderOptions::STRICT] {
            let Ok(mut r) = Reader::<_, T, W, P>::open(SliceSource::new(file), options) else {
                continue;
            };
            let (first, _) = drain(&mut r, LIMIT);
            let diagnostics = *r.diagnostics();
            r.rewind().expect("rewind after a full read");
            let (second, _) = drain(&mut r, LIMIT);
            assert_eq!(first, second, "{name} {options:?}");
            assert_eq!(*r.diagnostics(), diagnostics, "{name} {options:?}");
            // Rewind in the middle of the stream.
            r.rewind().unwrap();
            for _ in 0..first.len() / 2 {
                let _ = r.next_event();
            }
            r.rewind().unwrap();
            let (third, _) = drain(&mut r, LIMIT);
            assert_eq!(first, third, "{name} {options:?} (mid-stream rewind)");
        }
    }
    for (name, file) in assorted_files() {
        check::<2, 8, 4>(name, &file);
        check::<3, 16, 8>(name, &file);
        check::<16, 256, 256>(name, &file);
    }
}

#[test]
fn slice_source_and_io_source_give_identical_results() {
    fn check<const T: usize, const W: usize, const P: usize>(name: &str, file: &[u8]) {
        for options in [ReaderOptions::LENIENT, ReaderOptions::STRICT] {
            let slice = run::<_, T, W, P>(SliceSource::new(file), options, LIMIT);
            let cursor = run::<_, T, W, P>(io(file), options, LIMIT);
            assert_eq!(slice, cursor, "{name} {options:?} T{T} W{W} P{P}");
        }
    }
    for (name, file) in assorted_files() {
        check::<2, 8, 4>(name, &file);
        check::<3, 9, 8>(name, &file);
        check::<16, 256, 256>(name, &file);
    }
    // Opening errors agree too.
    for bad in [
        &b""[..],
        b"MTh",
        b"RIFF\0\0\0\0RMID",
        b"MThd\0\0\0\x06\0\x03\0\x01\0\x60",
    ] {
        let a = Tiny::open(SliceSource::new(bad), ReaderOptions::LENIENT).err();
        let b = Reader::<_, 2, 8, 4>::open(io(bad), ReaderOptions::LENIENT).err();
        assert_eq!(a, b, "{bad:?}");
        assert!(a.is_some_and(|e| e.is_fatal()));
    }
}

/// A `std::io` file that fails after a number of reads or seeks, seen
/// through `IoSource` (so the adapter's error mapping is covered too).
struct Flaky {
    inner: Cursor<Vec<u8>>,
    ops_left: usize,
}

impl Flaky {
    fn tick(&mut self) -> std::io::Result<()> {
        if self.ops_left == 0 {
            return Err(std::io::Error::other("flash went away"));
        }
        self.ops_left -= 1;
        Ok(())
    }
}

impl std::io::Read for Flaky {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.tick()?;
        // Short reads, to exercise IoSource's fill loop.
        let n = buf.len().min(5);
        self.inner.read(&mut buf[..n])
    }
}

impl std::io::Seek for Flaky {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.tick()?;
        self.inner.seek(pos)
    }
}

#[test]
fn failing_source_is_reported_as_io_errors_never_a_panic() {
    let file = &assorted_files()[0].1;
    let full = lenient::<2, 8, 16>(file);
    assert!(full.errors().is_empty());
    let mut completed = false;
    for ops in 0..2000 {
        let src = IoSource::new(FromStd::new(Flaky {
            inner: Cursor::new(file.clone()),
            ops_left: ops,
        }));
        let run = run::<_, 2, 8, 16>(src, ReaderOptions::LENIENT, LIMIT);
        match run.opened {
            Err(e) => assert!(matches!(e.kind, ErrorKind::Io(_)), "{e}"),
            Ok(_) => {
                // Every error is an I/O error that ends its track, and each
                // track delivers a prefix of what it holds.
                for e in run.errors() {
                    assert!(matches!(e.kind, ErrorKind::Io(_)), "{e}");
                    assert_eq!(e.severity, Severity::TrackEnded);
                }
                for t in 0..2u16 {
                    let of_track = |r: &Run| -> Vec<Item> {
                        r.items
                            .iter()
                            .filter(|i| matches!(i, Item::Event(_, tt, _) if *tt == t))
                            .cloned()
                            .collect()
                    };
                    let (got, all) = (of_track(&run), of_track(&full));
                    assert_eq!(got[..], all[..got.len()], "ops {ops} track {t}");
                }
                if run.items == full.items {
                    completed = true;
                    break;
                }
            }
        }
    }
    assert!(completed, "never read the whole file");
}

#[test]
fn reader_sizes_fit_a_small_target() {
    use std::mem::size_of;
    let tiny = size_of::<Tiny<'static>>();
    let tiny3 = size_of::<Tiny3<'static>>();
    let host16 = size_of::<Reader<SliceSource<'static>, 16, 256, 256>>();
    let host64 = size_of::<Reader<SliceSource<'static>, 64, 256, 256>>();
    let io16 = size_of::<Reader<CursorSource, 16, 256, 256>>();
    println!("size_of Reader<SliceSource, 2, 8, 4>     = {tiny} bytes");
    println!("size_of Reader<SliceSource, 3, 8, 8>     = {tiny3} bytes");
    println!("size_of Reader<SliceSource, 16, 256, 256> = {host16} bytes");
    println!("size_of Reader<SliceSource, 64, 256, 256> = {host64} bytes");
    println!("size_of Reader<IoSource<Cursor>, 16, 256, 256> = {io16} bytes");
    assert!(host16 <= 8 * 1024, "16-track reader is {host16} bytes");
    // Per track: the window plus a few words of cursor state and a heap slot.
    let per_track = (host64 - host16) / 48;
    assert!(per_track <= 256 + 96, "{per_track} bytes per track");
    assert!(tiny <= 512, "tiny reader is {tiny} bytes");
}
