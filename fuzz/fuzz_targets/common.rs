//! What both fuzz targets check on every input.

#![allow(dead_code)]

use std::hash::{DefaultHasher, Hash, Hasher};

use smfplay_core::smf::{ByteSource, Error, Reader, ReaderOptions};

#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    /// Tick, track and a hash of the event (every field and payload byte):
    /// much cheaper than rendering it, which matters for executions/s.
    Event(u64, u16, u64),
    Error(Error),
}

#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub opened: Result<u16, Error>,
    pub items: Vec<Item>,
}

impl Outcome {
    pub fn events(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| matches!(i, Item::Event(..)))
    }
}

/// Most `next_event` results (events and errors) a file of `len` bytes with
/// `tracks` tracks can produce: every event and every skipped event
/// consumes at least two bytes of its track chunk (a delta and a status
/// byte), the chunks are disjoint and follow a 14-byte `MThd` and 8-byte
/// chunk headers, and each track ends at most once with an error (see
/// `tests/tests/reader_proptest.rs`, where the bound is shown reached).
pub fn bound(len: usize, tracks: u16) -> usize {
    let tracks = usize::from(tracks);
    len.saturating_sub(14 + 8 * tracks) / 2 + tracks
}

fn drain<S: ByteSource, const T: usize, const W: usize, const P: usize>(
    r: &mut Reader<S, T, W, P>,
    len: usize,
) -> Vec<Item> {
    let limit = bound(len, r.header().tracks);
    let mut items = Vec::new();
    let mut last_tick = 0;
    loop {
        match r.next_event() {
            Ok(Some(ev)) => {
                assert!(ev.tick >= last_tick, "ticks go back");
                last_tick = ev.tick;
                assert!(ev.track < r_tracks_hint(T), "track index out of range");
                let mut h = DefaultHasher::new();
                ev.kind.hash(&mut h);
                items.push(Item::Event(ev.tick, ev.track, h.finish()));
            }
            Ok(None) => break,
            Err(e) => items.push(Item::Error(e)),
        }
        assert!(
            items.len() <= limit,
            "more than {limit} results from {len} bytes"
        );
    }
    // Ended readers stay ended.
    assert!(matches!(r.next_event(), Ok(None)));
    items
}

fn r_tracks_hint(t: usize) -> u16 {
    u16::try_from(t).unwrap_or(u16::MAX)
}

/// Opens, reads everything, rewinds and reads again (must be identical).
pub fn read<S: ByteSource, const T: usize, const W: usize, const P: usize>(
    src: S,
    len: usize,
    options: ReaderOptions,
) -> Outcome {
    match Reader::<S, T, W, P>::open(src, options) {
        Err(e) => {
            assert!(e.is_fatal(), "open failed with a non-fatal error");
            Outcome {
                opened: Err(e),
                items: Vec::new(),
            }
        }
        Ok(mut r) => {
            let tracks = r.header().tracks;
            let first = drain(&mut r, len);
            let diagnostics = *r.diagnostics();
            r.rewind().expect("rewind of an opened file");
            let second = drain(&mut r, len);
            assert_eq!(first, second, "rewind changed the stream");
            assert_eq!(*r.diagnostics(), diagnostics, "rewind changed diagnostics");
            Outcome {
                opened: Ok(tracks),
                items: first,
            }
        }
    }
}

/// Strict mode yields a prefix of lenient mode's events, and its first
/// error is fatal and its last item.
pub fn check_modes(lenient: &Outcome, strict: &Outcome) {
    let l: Vec<_> = lenient.events().collect();
    let s: Vec<_> = strict.events().collect();
    assert!(
        s.len() <= l.len(),
        "strict yielded more events than lenient"
    );
    assert_eq!(
        s[..],
        l[..s.len()],
        "strict events are not a prefix of lenient's"
    );
    if let Some(first) = strict
        .items
        .iter()
        .position(|i| matches!(i, Item::Error(_)))
    {
        let after = &strict.items[first..];
        assert!(matches!(after[0], Item::Error(e) if e.is_fatal()));
        assert_eq!(after.len(), 1, "strict mode went on after an error");
    }
    if lenient.opened.is_err() {
        assert!(
            strict.opened.is_err(),
            "strict opened what lenient could not"
        );
    }
}
