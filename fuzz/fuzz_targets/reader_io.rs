//! The streaming reader through `IoSource` over an in-memory cursor: the
//! same checks as `reader`, and the result must equal the slice source's.

#![no_main]

mod common;

use std::io::Cursor;

use common::read;
use embedded_io_adapters::std::FromStd;
use libfuzzer_sys::fuzz_target;
use smfplay_core::smf::{IoSource, ReaderOptions, SliceSource};

fuzz_target!(|data: &[u8]| {
    let len = data.len();
    let io = || IoSource::new(FromStd::new(Cursor::new(data)));
    for options in [ReaderOptions::LENIENT, ReaderOptions::STRICT] {
        let via_io = read::<_, 16, 32, 512>(io(), len, options);
        let via_slice = read::<_, 16, 32, 512>(SliceSource::new(data), len, options);
        assert_eq!(via_io, via_slice, "IoSource and SliceSource disagree");
    }
    let lenient = read::<_, 3, 8, 4>(io(), len, ReaderOptions::LENIENT);
    let strict = read::<_, 3, 8, 4>(io(), len, ReaderOptions::STRICT);
    common::check_modes(&lenient, &strict);
});
