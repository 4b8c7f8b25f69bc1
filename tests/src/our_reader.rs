//! Runs smfplay's streaming reader over a whole file and collects what it
//! yields, for tests that compare it with other parsers.

use midly::TrackEventKind;
use smfplay_core::smf::{Diagnostics, Error, Header, Reader, ReaderOptions, SliceSource};

/// Capacities for ordinary files (what a desktop player would choose).
pub type StandardReader<'a> = Reader<SliceSource<'a>, 1024, 256, 65536>;
/// Capacities for files with tens of thousands of tracks: narrow windows.
pub type ManyTrackReader<'a> = Reader<SliceSource<'a>, 65535, 16, 4096>;

/// Everything a full read produced.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    /// The header, unless opening failed.
    pub header: Option<Header>,
    /// Every event in merged order, as (tick, track, event rendered with
    /// `Debug`, which spells out every field and payload byte).
    pub events: Vec<(u64, u16, String)>,
    /// Non-fatal and fatal errors in the order they were returned.
    pub errors: Vec<Error>,
    /// The reader's diagnostics at the end.
    pub diagnostics: Diagnostics,
}

/// Calls `visit` for every event (the event borrows the reader) and
/// collects errors; returns the outcome without the events.
///
/// Runs on a scoped thread with a large stack: the readers hold their
/// cursors by value (hundreds of KiB for the many-track capacities).
pub fn read_with<F>(bytes: &[u8], options: ReaderOptions, visit: F) -> ReadOutcome
where
    F: FnMut(u64, u16, &TrackEventKind<'_>) + Send,
{
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(scope, || read_here(bytes, options, visit))
            .expect("spawn reader thread")
            .join()
            .expect("reader thread panicked")
    })
}

fn read_here<F>(bytes: &[u8], options: ReaderOptions, mut visit: F) -> ReadOutcome
where
    F: FnMut(u64, u16, &TrackEventKind<'_>),
{
    // Decide the capacities from the MThd track count hint; the reader
    // itself reports if the file has more chunks than that.
    let many = bytes.len() > 13 && u16::from_be_bytes([bytes[10], bytes[11]]) > 1024;
    if many {
        let r = ManyTrackReader::open(SliceSource::new(bytes), options);
        drive(r, &mut visit)
    } else {
        let r = StandardReader::open(SliceSource::new(bytes), options);
        drive(r, &mut visit)
    }
}

fn drive<const T: usize, const W: usize, const P: usize>(
    opened: Result<Reader<SliceSource<'_>, T, W, P>, Error>,
    mut visit: impl FnMut(u64, u16, &TrackEventKind<'_>),
) -> ReadOutcome {
    let mut out = ReadOutcome::default();
    let mut reader = match opened {
        Ok(r) => r,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    out.header = Some(*reader.header());
    loop {
        match reader.next_event() {
            Ok(Some(ev)) => visit(ev.tick, ev.track, &ev.kind),
            Ok(None) => break,
            Err(e) => out.errors.push(e),
        }
    }
    out.diagnostics = *reader.diagnostics();
    out
}

/// Reads a whole file and renders every event.
pub fn read_all(bytes: &[u8], options: ReaderOptions) -> ReadOutcome {
    let mut events = Vec::new();
    let mut out = read_with(bytes, options, |tick, track, kind| {
        events.push((tick, track, format!("{kind:?}")));
    });
    out.events = events;
    out
}

/// Runs `f` on a thread with a large stack (the many-track reader holds
/// 65 535 cursors by value).
pub fn with_big_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn reader thread")
        .join()
        .expect("reader thread panicked")
}
