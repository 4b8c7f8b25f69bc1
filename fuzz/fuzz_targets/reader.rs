//! The streaming reader over a slice: lenient and strict, tiny and normal
//! capacities; every read is rewound and re-read. Checks: no panic, bounded
//! output, ticks never go back, strict ⊆ lenient, rewind is exact, and
//! tiny capacities agree with normal ones when neither hit a limit.

#![no_main]

mod common;

use common::{Item, read};
use libfuzzer_sys::fuzz_target;
use smfplay_core::smf::{ErrorKind, ReaderOptions, SliceSource};

fuzz_target!(|data: &[u8]| {
    let len = data.len();
    let src = || SliceSource::new(data);
    let lenient = read::<_, 64, 256, 4096>(src(), len, ReaderOptions::LENIENT);
    let strict = read::<_, 64, 256, 4096>(src(), len, ReaderOptions::STRICT);
    common::check_modes(&lenient, &strict);
    let tiny = read::<_, 3, 8, 4>(src(), len, ReaderOptions::LENIENT);
    let tiny_strict = read::<_, 3, 8, 4>(src(), len, ReaderOptions::STRICT);
    common::check_modes(&tiny, &tiny_strict);

    // Capacity limits aside, the window size changes nothing.
    let limited = |o: &common::Outcome| {
        matches!(o.opened, Err(e) if matches!(e.kind, ErrorKind::TooManyTracks { .. }))
            || o.items.iter().any(|i| {
                matches!(i, Item::Error(e) if matches!(e.kind, ErrorKind::PayloadTooLong { .. }))
            })
    };
    if !limited(&tiny) && !limited(&lenient) {
        assert_eq!(tiny, lenient, "tiny and normal capacities disagree");
    }
    let narrow = read::<_, 64, 8, 4096>(src(), len, ReaderOptions::LENIENT);
    assert_eq!(narrow, lenient, "WINDOW 8 and 256 disagree");
});
