//! Regression tests for bugs found in the streaming reader by the
//! robustness tests and the fuzzer. Each test names the bug and holds its
//! (minimised) input inline.

use smfplay_core::smf::{ErrorKind, Reader, ReaderOptions, SliceSource};

type Small<'a> = Reader<SliceSource<'a>, 4, 16, 16>;

fn drain(r: &mut Small<'_>) {
    for _ in 0..1000 {
        if let Ok(None) = r.next_event() {
            return;
        }
    }
    panic!("reader did not end");
}

/// A track without end-of-track was counted twice in
/// `Diagnostics::tracks_without_end` (once in `advance`, once by `report`
/// through `Diagnostics::count`).
#[test]
fn track_without_end_is_counted_once() {
    #[rustfmt::skip]
    let file = [
        b'M', b'T', b'h', b'd', 0, 0, 0, 6, 0, 1, 0, 2, 0, 96,
        b'M', b'T', b'r', b'k', 0, 0, 0, 0, // empty track
        b'M', b'T', b'r', b'k', 0, 0, 0, 4, 0x00, 0x90, 60, 100, // no end of track
    ];
    let mut r = Small::open(SliceSource::new(&file), ReaderOptions::LENIENT).unwrap();
    drain(&mut r);
    let d = r.diagnostics();
    assert_eq!(d.tracks_without_end, 2, "{d:?}");
    assert_eq!(
        d.first_problem().map(|e| e.kind),
        Some(ErrorKind::MissingEndOfTrack)
    );
    // And again after a rewind (chunk diagnostics are restored, track ones
    // recounted).
    r.rewind().unwrap();
    drain(&mut r);
    assert_eq!(r.diagnostics().tracks_without_end, 2);
}

/// In strict mode a skipped event whose track then failed at its next delta
/// queued two fatal errors, so the call after the first fatal error
/// returned another error instead of `Ok(None)` (as `next_event`
/// documents).
#[test]
fn strict_mode_returns_one_fatal_error_then_the_end() {
    #[rustfmt::skip]
    let file = [
        b'M', b'T', b'h', b'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
        b'M', b'T', b'r', b'k', 0, 0, 0, 6,
        0x00, 0xF8,             // a system real-time byte: skipped event
        0x80, 0x80, 0x80, 0x80, // then a delta longer than 4 bytes
    ];
    let mut r = Small::open(SliceSource::new(&file), ReaderOptions::STRICT).unwrap();
    let first = r.next_event().expect_err("a fatal error");
    assert_eq!(first.kind, ErrorKind::SystemMessageInFile(0xF8));
    assert!(first.is_fatal());
    assert_eq!(r.next_event().ok(), Some(None));
    // Lenient mode reports both and ends the track.
    let mut r = Small::open(SliceSource::new(&file), ReaderOptions::LENIENT).unwrap();
    let kinds: Vec<_> = std::iter::from_fn(|| r.next_event().err().map(|e| e.kind)).collect();
    assert_eq!(
        kinds,
        [ErrorKind::SystemMessageInFile(0xF8), ErrorKind::VlqTooLong]
    );
}
