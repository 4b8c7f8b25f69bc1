//! The streaming reader: finds the `MTrk` chunks without reading them, keeps
//! one [`TrackCursor`] per track and merges the tracks by absolute tick with
//! a [`MergeHeap`] of track heads; each event body is decoded by
//! [`read_body`](super::body).
//!
//! Ties are broken by the lower track index, then by file order inside a
//! track. Format 2 tracks play one after another: each begins at the tick
//! where the previous one ended.
//!
//! # Example
//! ```
//! use smfplay_core::smf::{Reader, ReaderOptions, SliceSource};
//! // Format 0, 96 ticks per quarter, one note and end of track.
//! let file = [
//!     b'M', b'T', b'h', b'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
//!     b'M', b'T', b'r', b'k', 0, 0, 0, 12,
//!     0x00, 0x90, 60, 100, // note on at tick 0
//!     0x60, 0x80, 60, 0,   // note off at tick 96
//!     0x00, 0xFF, 0x2F, 0, // end of track
//! ];
//! let mut reader = Reader::<_, 4, 64, 64>::open(SliceSource::new(&file), ReaderOptions::LENIENT)?;
//! let mut ticks = [0u64; 3];
//! let mut n = 0;
//! while let Some(ev) = reader.next_event()? {
//!     ticks[n] = ev.tick;
//!     n += 1;
//! }
//! assert_eq!(ticks, [0, 96, 96]);
//! # Ok::<(), smfplay_core::smf::Error>(())
//! ```
//!
//! *Real-time*: [`Reader::next_event`] does bounded work: at most one event
//! body, one window refill per byte run, and `O(log TRACKS)` heap steps.
//! It never allocates. Opening scans the chunk headers (one small read per
//! chunk).
//!
//! *Errors*: see [`Error`] and [`Severity`]: in lenient mode (the default)
//! damage inside a track is returned once as a non-fatal error and reading
//! goes on; in strict mode the first problem is fatal.
//!
//! *Panics*: never, whatever the input.

use heapless::Deque;
use midly::{Format, TrackEventKind};

use super::body::{Body, meta_length_ok, read_body, stop_kind};
use super::checkpoint::{ReaderCheckpoint, TrackMark};
use super::diagnostics::Diagnostics;
use super::error::{Error, ErrorKind, Severity};
use super::event::{Event, decode_meta, sysex_kind};
use super::header::{Header, read_layout};
use super::merge_heap::MergeHeap;
use super::source::ByteSource;
use super::track_cursor::{Stop, TrackCursor};

/// How forgiving the reader is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReaderOptions {
    /// Reject any deviation from the SMF specification (chunk past the end
    /// of the file, missing end of track, bytes after it, trailing garbage,
    /// track count mismatch, damaged events) instead of playing what can be
    /// decoded.
    pub strict: bool,
}

impl ReaderOptions {
    /// Plays what can be decoded and reports the rest (the default).
    pub const LENIENT: Self = Self { strict: false };
    /// Rejects the file at the first problem.
    pub const STRICT: Self = Self { strict: true };
}

/// Streaming, merging SMF reader.
///
/// - `TRACKS`: most `MTrk` chunks it reads (more is a fatal error).
/// - `WINDOW`: bytes of read-ahead per track (≥ 8).
/// - `PAYLOAD`: longest sysex, escape or meta payload it delivers; longer
///   ones are skipped whole and reported, never cut.
pub struct Reader<S, const TRACKS: usize, const WINDOW: usize, const PAYLOAD: usize> {
    src: S,
    options: ReaderOptions,
    header: Header,
    cursors: [TrackCursor<WINDOW>; TRACKS],
    /// The tracks by the tick of their next event.
    heap: MergeHeap<TRACKS>,
    /// Format 2: the next track to start when the current one ends.
    next_sequential: usize,
    payload: [u8; PAYLOAD],
    pending: Deque<Error, 4>,
    diagnostics: Diagnostics,
    /// What the chunk scan found (restored by every rewind).
    chunk_diagnostics: Diagnostics,
    failed: bool,
}

impl<S: ByteSource, const TRACKS: usize, const WINDOW: usize, const PAYLOAD: usize>
    Reader<S, TRACKS, WINDOW, PAYLOAD>
{
    const CHECK: () = {
        assert!(
            TRACKS >= 1 && TRACKS <= u16::MAX as usize,
            "TRACKS must be 1..=65535"
        );
        assert!(WINDOW >= 8, "WINDOW must be at least 8 bytes");
        assert!(
            PAYLOAD >= 4 && PAYLOAD <= u32::MAX as usize,
            "PAYLOAD must be at least 4 bytes"
        );
    };

    /// A reader of `src` that has not read anything yet: it has no tracks
    /// (it behaves as an empty file) until [`Reader::reopen`]. `const`, so
    /// it can initialise a `static`.
    pub const fn new(src: S) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CHECK;
        Self {
            src,
            options: ReaderOptions::LENIENT,
            header: Header {
                format: Format::SingleTrack,
                timing: midly::Timing::Metrical(midly::num::u15::new(0)),
                declared_tracks: 0,
                tracks: 0,
                rmid: false,
            },
            cursors: [const { TrackCursor::EMPTY }; TRACKS],
            heap: MergeHeap::EMPTY,
            next_sequential: 0,
            payload: [0; PAYLOAD],
            pending: Deque::new(),
            diagnostics: Diagnostics::EMPTY,
            chunk_diagnostics: Diagnostics::EMPTY,
            failed: false,
        }
    }

    /// Opens a file: reads the container and header, finds the tracks and
    /// reads each track's first delta time.
    pub fn open(src: S, options: ReaderOptions) -> Result<Self, Error> {
        let mut reader = Self::new(src);
        reader.reopen(options)?;
        Ok(reader)
    }

    /// Opens the source again, in place (no reader is built on the stack):
    /// forgets everything read, reads the container and header, finds the
    /// tracks and reads each track's first delta time, as
    /// [`Reader::open`] does. On error the reader has no tracks.
    pub fn reopen(&mut self, options: ReaderOptions) -> Result<(), Error> {
        self.options = options;
        self.header.format = Format::SingleTrack;
        self.header.timing = midly::Timing::Metrical(midly::num::u15::new(96));
        self.header.declared_tracks = 0;
        self.header.tracks = 0;
        self.header.rmid = false;
        for cursor in self.cursors.iter_mut() {
            *cursor = TrackCursor::EMPTY;
        }
        self.heap.clear();
        self.next_sequential = 0;
        self.pending.clear();
        self.diagnostics = Diagnostics::EMPTY;
        self.chunk_diagnostics = Diagnostics::EMPTY;
        self.failed = false;
        let opened = self.scan().and_then(|()| self.rewind());
        if opened.is_err() {
            self.header.tracks = 0;
            self.heap.clear();
        }
        opened
    }

    /// The header, with the number of tracks actually found.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// What was tolerated or skipped since open or the last rewind.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// The byte source, for callers that need it back.
    pub fn into_source(self) -> S {
        self.src
    }

    /// Finds the chunks and records each `MTrk`'s extent.
    fn scan(&mut self) -> Result<(), Error> {
        let layout = read_layout(&mut self.src)?;
        self.header = layout.header;
        let end = layout.end;
        let mut pos = layout.first_chunk;
        let mut tracks = 0usize;
        let mut chunk_problems = Diagnostics::default();
        while pos < end {
            let mut hdr = [0u8; 8];
            let n = self
                .src
                .read_at(pos, &mut hdr)
                .map_err(|e| Error::fatal(ErrorKind::Io(e), pos))?;
            if n < 8
                || !hdr[..4]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b' ')
            {
                chunk_problems.trailing_garbage = true;
                self.note_warning(&mut chunk_problems, ErrorKind::TrailingGarbage, None, pos)?;
                break;
            }
            let len = u64::from(u32::from_be_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
            let data = pos + 8;
            let declared_end = data + len;
            if declared_end > end {
                chunk_problems.chunks_past_end += 1;
                let kind = ErrorKind::ChunkPastEnd {
                    declared: len as u32,
                    available: end.saturating_sub(data),
                };
                let track = (&hdr[..4] == b"MTrk").then_some(tracks as u16);
                self.note_warning(&mut chunk_problems, kind, track, pos)?;
            }
            if &hdr[..4] == b"MTrk" {
                let Some(cursor) = self.cursors.get_mut(tracks) else {
                    let kind = ErrorKind::TooManyTracks {
                        capacity: TRACKS as u16,
                    };
                    return Err(Error::fatal(kind, pos));
                };
                cursor.reset(data, declared_end.min(end));
                tracks += 1;
            } else {
                chunk_problems.unknown_chunks += 1;
            }
            pos = declared_end;
        }
        self.header.tracks = tracks as u16;
        if self.header.tracks != self.header.declared_tracks {
            let kind = ErrorKind::TrackCountMismatch {
                declared: self.header.declared_tracks,
                found: self.header.tracks,
            };
            chunk_problems.track_count_mismatch = true;
            self.note_warning(&mut chunk_problems, kind, None, 10)?;
        }
        // Chunk-level findings stay visible after every rewind.
        self.chunk_diagnostics = chunk_problems;
        Ok(())
    }

    /// In strict mode a tolerable problem is fatal; in lenient mode it is
    /// only recorded.
    fn note_warning(
        &self,
        diag: &mut Diagnostics,
        kind: ErrorKind,
        track: Option<u16>,
        offset: u64,
    ) -> Result<(), Error> {
        let error = Error {
            kind,
            track,
            offset,
            severity: Severity::Fatal,
        };
        if self.options.strict {
            return Err(error);
        }
        if diag.first_problem.is_none() {
            diag.first_problem.put(Error {
                severity: Severity::EventSkipped,
                ..error
            });
        }
        Ok(())
    }

    /// The tick of the next event, without reading it (`None` at the end).
    pub fn next_tick(&self) -> Option<u64> {
        if self.failed {
            return None;
        }
        let head = self.heap.head()?;
        self.cursors.get(usize::from(head)).map(|c| c.tick)
    }

    /// Remembers the position before the next event. Non-fatal errors not
    /// yet returned are not part of the checkpoint.
    pub fn checkpoint(&self) -> ReaderCheckpoint<TRACKS> {
        let mut cp = ReaderCheckpoint::EMPTY;
        for (mark, c) in cp.tracks.iter_mut().zip(&self.cursors) {
            *mark = TrackMark {
                pos: c.pos(),
                tick: c.tick,
                event_offset: c.event_offset,
                running_status: c.running_status,
                port: c.port,
                ended: !c.live,
            };
        }
        cp.heap = self.heap;
        cp.next_sequential = self.next_sequential;
        cp.valid = true;
        cp
    }

    /// Returns to a checkpoint taken from this reader. Returns false (and
    /// changes nothing) for a checkpoint that was never taken.
    pub fn restore(&mut self, cp: &ReaderCheckpoint<TRACKS>) -> bool {
        if !cp.valid {
            return false;
        }
        for (c, mark) in self.cursors.iter_mut().zip(&cp.tracks) {
            c.seek_to(mark.pos);
            c.tick = mark.tick;
            c.event_offset = mark.event_offset;
            c.running_status = mark.running_status;
            c.port = mark.port;
            c.live = !mark.ended;
        }
        self.heap = cp.heap;
        self.next_sequential = cp.next_sequential;
        self.pending.clear();
        self.failed = false;
        true
    }

    /// Goes back to the start of the song (for seeks and loops).
    pub fn rewind(&mut self) -> Result<(), Error> {
        self.diagnostics = self.chunk_diagnostics;
        self.pending.clear();
        self.failed = false;
        self.heap.clear();
        self.next_sequential = 0;
        let tracks = usize::from(self.header.tracks);
        for cursor in self.cursors.iter_mut().take(tracks) {
            let (start, end) = (cursor.start, cursor.end);
            cursor.reset(start, end);
        }
        if matches!(self.header.format, Format::Sequential) {
            self.start_next_sequential(0);
        } else {
            for t in 0..tracks {
                self.start_track(t, 0);
            }
        }
        match self.pending.front() {
            Some(e) if e.is_fatal() => Err(*e),
            _ => Ok(()),
        }
    }

    /// Reads track `t`'s first delta and puts it in the heap.
    fn start_track(&mut self, t: usize, base_tick: u64) -> bool {
        let Some(cursor) = self.cursors.get_mut(t) else {
            return false;
        };
        cursor.tick = base_tick;
        if self.advance(t) {
            self.heap.push(t as u16, |t| tick_of(&self.cursors, t));
            true
        } else {
            false
        }
    }

    /// Format 2: starts the next track that has any event.
    fn start_next_sequential(&mut self, base_tick: u64) {
        while self.next_sequential < usize::from(self.header.tracks) {
            let t = self.next_sequential;
            self.next_sequential += 1;
            if self.start_track(t, base_tick) {
                return;
            }
        }
    }

    /// Reads the next delta of track `t`. Returns false when the track is over
    /// (the reason is recorded).
    fn advance(&mut self, t: usize) -> bool {
        let Some(cursor) = self.cursors.get_mut(t) else {
            return false;
        };
        let offset = cursor.pos();
        match cursor.vlq(&mut self.src) {
            Ok(delta) => {
                cursor.tick += u64::from(delta);
                cursor.event_offset = cursor.pos();
                true
            }
            Err(Stop::End) if cursor.pos() >= cursor.end && offset == cursor.pos() => {
                cursor.live = false;
                // Counted by `report` (through `Diagnostics::count`).
                self.report(
                    ErrorKind::MissingEndOfTrack,
                    t,
                    offset,
                    Severity::EventSkipped,
                    true,
                );
                false
            }
            Err(stop) => {
                cursor.live = false;
                self.report(stop_kind(stop), t, offset, Severity::TrackEnded, false);
                false
            }
        }
    }

    /// Records a problem. `warning`s (tolerated deviations) are counted but
    /// not returned in lenient mode; everything is fatal in strict mode.
    fn report(
        &mut self,
        kind: ErrorKind,
        t: usize,
        offset: u64,
        severity: Severity,
        warning: bool,
    ) {
        let mut error = Error {
            kind,
            track: Some(t as u16),
            offset,
            severity,
        };
        if self.options.strict {
            if self.failed {
                // The first fatal error is queued; after it only `Ok(None)`.
                return;
            }
            error.severity = Severity::Fatal;
            self.failed = true;
        } else {
            match severity {
                _ if warning => self.diagnostics.count(kind),
                Severity::TrackEnded => self.diagnostics.tracks_cut += 1,
                Severity::EventSkipped => self.diagnostics.events_skipped += 1,
                Severity::Fatal => {}
            }
        }
        if self.diagnostics.first_problem.is_none() {
            self.diagnostics.first_problem.put(error);
        }
        if warning && !self.options.strict {
            return;
        }
        if self.pending.push_back(error).is_err() {
            self.diagnostics.errors_not_returned += 1;
        }
    }

    /// The next event of the merged stream, `Ok(None)` at the end.
    ///
    /// A non-fatal `Err` reports damage that was skipped; call again to go
    /// on. After a fatal error it returns `Ok(None)`.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, Error> {
        loop {
            if let Some(error) = self.pending.pop_front() {
                return Err(error);
            }
            if self.failed {
                return Ok(None);
            }
            let Some(head) = self.heap.head() else {
                return Ok(None);
            };
            let t = usize::from(head);
            let Some(cursor) = self.cursors.get_mut(t) else {
                return Ok(None);
            };
            let tick = cursor.tick;
            let offset = cursor.event_offset;
            match read_body(cursor, &mut self.src, &mut self.payload) {
                Ok(body) => {
                    if let Body::Meta { kind, len } = body
                        && !meta_length_ok(kind, len)
                    {
                        let kind = ErrorKind::MetaLength {
                            kind,
                            len: len as u32,
                        };
                        self.report(kind, t, offset, Severity::EventSkipped, true);
                    }
                    if let Body::Meta { kind: 0x21, len } = body
                        && let Some(&port) = self.payload.get(..len).and_then(<[u8]>::first)
                        && let Some(c) = self.cursors.get_mut(t)
                    {
                        // The track's port from here on (as aplaymidi reads it).
                        c.port = port & 0x7F;
                    }
                    let port = self.cursors.get(t).map_or(0, |c| c.port);
                    if let Body::Meta { kind: 0x2F, .. } = body {
                        let after = self.cursors.get(t).map_or(0, TrackCursor::remaining);
                        if after > 0 {
                            self.diagnostics.bytes_after_end_of_track += after;
                            let at = cursor_pos(&self.cursors, t);
                            let kind = ErrorKind::DataAfterEndOfTrack(
                                after.min(u64::from(u32::MAX)) as u32,
                            );
                            self.report(kind, t, at, Severity::EventSkipped, true);
                        }
                        if let Some(c) = self.cursors.get_mut(t) {
                            c.live = false;
                        }
                        self.finish_track(tick);
                    } else if self.advance(t) {
                        self.heap.fix_head(|t| tick_of(&self.cursors, t));
                    } else {
                        self.finish_track(tick);
                    }
                    let kind = match body {
                        Body::Midi { channel, message } => {
                            TrackEventKind::Midi { channel, message }
                        }
                        Body::Meta { kind, len } => TrackEventKind::Meta(decode_meta(
                            kind,
                            self.payload.get(..len).unwrap_or(&[]),
                        )),
                        Body::Sys { status, len } => {
                            sysex_kind(status, self.payload.get(..len).unwrap_or(&[]))
                        }
                    };
                    return Ok(Some(Event {
                        tick,
                        track: t as u16,
                        port,
                        kind,
                    }));
                }
                Err((kind, severity)) => {
                    self.report(kind, t, offset, severity, false);
                    if severity == Severity::EventSkipped && self.advance(t) {
                        self.heap.fix_head(|t| tick_of(&self.cursors, t));
                    } else {
                        if let Some(c) = self.cursors.get_mut(t) {
                            c.live = false;
                        }
                        self.finish_track(tick);
                    }
                }
            }
        }
    }

    /// Removes the ended head track from the heap and, in format 2, starts
    /// the next track where this one ended.
    fn finish_track(&mut self, end_tick: u64) {
        self.heap.pop(|t| tick_of(&self.cursors, t));
        if matches!(self.header.format, Format::Sequential) && self.heap.len() == 0 {
            self.start_next_sequential(end_tick);
        }
    }
}

/// The tick of track `t`'s next event (`u64::MAX` for no such track).
#[inline]
fn tick_of<const W: usize>(cursors: &[TrackCursor<W>], t: u16) -> u64 {
    cursors.get(usize::from(t)).map_or(u64::MAX, |c| c.tick)
}

fn cursor_pos<const W: usize>(cursors: &[TrackCursor<W>], t: usize) -> u64 {
    cursors.get(t).map_or(0, TrackCursor::pos)
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use midly::{MetaMessage, TrackEventKind};

    use super::{Reader, ReaderOptions};
    use crate::smf::test_file::{EOT, notes, smf};
    use crate::smf::{ErrorKind, Severity, SliceSource};

    type Small<'a> = Reader<SliceSource<'a>, 4, 8, 16>;

    /// `(tick, track, key)` of every note-on; panics on an error.
    fn merged(reader: &mut Small<'_>) -> Vec<(u64, u16, u8)> {
        let mut out = Vec::new();
        while let Some(ev) = reader.next_event().expect("no error") {
            if let TrackEventKind::Midi { message, .. } = ev.kind
                && let midly::MidiMessage::NoteOn { key, .. } = message
            {
                out.push((ev.tick, ev.track, key.as_int()));
            }
        }
        out
    }

    #[test]
    fn merges_tracks_by_tick_ties_to_the_lower_track() {
        let t0 = notes(&[(10, 1), (0, 2), (20, 3)]);
        let t1 = notes(&[(0, 10), (10, 11), (40, 12)]);
        let t2 = notes(&[(30, 20)]);
        let file = smf(1, &[&t0, &t1, &t2]);
        let mut reader = Small::open(SliceSource::new(&file), ReaderOptions::STRICT).unwrap();
        assert_eq!(reader.header().tracks, 3);
        assert_eq!(reader.next_tick(), Some(0));
        assert_eq!(
            merged(&mut reader),
            [
                (0, 1, 10),
                (10, 0, 1),
                (10, 0, 2),
                (10, 1, 11),
                (30, 0, 3),
                (30, 2, 20),
                (50, 1, 12)
            ]
        );
        assert_eq!(reader.next_tick(), None);
        assert!(reader.diagnostics().is_clean());
    }

    #[test]
    fn format_2_plays_tracks_one_after_another() {
        let t0 = notes(&[(5, 1), (5, 2)]);
        let t1 = notes(&[(3, 3)]);
        let file = smf(2, &[&t0, &t1]);
        let mut reader = Small::open(SliceSource::new(&file), ReaderOptions::STRICT).unwrap();
        // Track 1 starts at tick 10, where track 0's end of track is.
        assert_eq!(merged(&mut reader), [(5, 0, 1), (10, 0, 2), (13, 1, 3)]);
    }

    #[test]
    fn checkpoint_and_rewind_come_back_to_the_same_events() {
        let t0 = notes(&[(1, 1), (1, 2), (1, 3)]);
        let t1 = notes(&[(2, 4), (2, 5)]);
        let file = smf(1, &[&t0, &t1]);
        let mut reader = Small::open(SliceSource::new(&file), ReaderOptions::STRICT).unwrap();
        let whole = merged(&mut reader);
        reader.rewind().unwrap();
        reader.next_event().unwrap();
        reader.next_event().unwrap();
        let cp = reader.checkpoint();
        let rest = merged(&mut reader);
        assert_eq!(rest[..], whole[2..]);
        assert!(reader.restore(&cp));
        assert_eq!(merged(&mut reader), rest);
        assert!(!reader.restore(&super::ReaderCheckpoint::EMPTY));
    }

    #[test]
    fn each_track_keeps_its_port_through_checkpoints_and_rewinds() {
        // Track 0: note 1, FF 21 02, note 2, note 6, FF 21 03, note 3.
        // Track 1 never says: port 0.
        let t0 = [
            1, 0x90, 1, 1, 0, 0xFF, 0x21, 1, 2, 1, 0x90, 2, 1, 1, 0x90, 6, 1, 0, 0xFF, 0x21, 1, 3,
            8, 0x90, 3, 1, 0, 0xFF, 0x2F, 0,
        ];
        let t1 = notes(&[(2, 4), (2, 5)]);
        let file = smf(1, &[&t0, &t1]);
        let mut reader = Small::open(SliceSource::new(&file), ReaderOptions::STRICT).unwrap();
        let ports = |reader: &mut Small<'_>| {
            let mut out = Vec::new();
            while let Some(ev) = reader.next_event().expect("no error") {
                if let TrackEventKind::Midi { message, .. } = ev.kind
                    && let midly::MidiMessage::NoteOn { key, .. } = message
                {
                    out.push((key.as_int(), ev.port));
                }
            }
            out
        };
        let whole = ports(&mut reader);
        assert_eq!(whole, [(1, 0), (2, 2), (4, 0), (6, 2), (5, 0), (3, 3)]);
        reader.rewind().unwrap();
        for _ in 0..3 {
            reader.next_event().unwrap(); // note 1, FF 21 02, note 2
        }
        let cp = reader.checkpoint();
        assert_eq!(ports(&mut reader), whole[2..]);
        // Track 0 ended on port 3: the checkpoint brings back port 2.
        assert!(reader.restore(&cp));
        assert_eq!(ports(&mut reader), whole[2..]);
        reader.rewind().unwrap();
        assert_eq!(ports(&mut reader), whole, "back to port 0");
    }

    #[test]
    fn damage_ends_one_track_leniently_and_the_file_strictly() {
        // Track 0 opens with a data byte: no running status to use.
        let t0 = [5, 0x3C, 0x40, 0, 0xFF, 0x2F, 0];
        let t1 = notes(&[(0, 1), (10, 2)]);
        let file = smf(1, &[&t0, &t1]);
        let mut lenient = Small::open(SliceSource::new(&file), ReaderOptions::LENIENT).unwrap();
        assert!(lenient.next_event().unwrap().is_some());
        let error = lenient.next_event().unwrap_err();
        assert_eq!(error.kind, ErrorKind::MissingRunningStatus(0x3C));
        assert_eq!(
            (error.track, error.severity),
            (Some(0), Severity::TrackEnded)
        );
        assert_eq!(merged(&mut lenient), [(10, 1, 2)]);
        assert_eq!(lenient.diagnostics().tracks_cut, 1);

        let mut strict = Small::open(SliceSource::new(&file), ReaderOptions::STRICT).unwrap();
        strict.next_event().unwrap();
        assert_eq!(strict.next_event().unwrap_err().severity, Severity::Fatal);
        assert!(strict.next_event().unwrap().is_none());
    }

    #[test]
    fn a_missing_end_of_track_is_counted_not_returned() {
        let t0 = [0, 0x90, 1, 1];
        let file = smf(0, &[&t0]);
        let mut reader = Small::open(SliceSource::new(&file), ReaderOptions::LENIENT).unwrap();
        assert_eq!(merged(&mut reader), [(0, 0, 1)]);
        assert_eq!(reader.diagnostics().tracks_without_end, 1);
        assert_eq!(
            reader.diagnostics().first_problem().map(|e| e.kind),
            Some(ErrorKind::MissingEndOfTrack)
        );
    }

    #[test]
    fn meta_payloads_are_delivered_and_more_tracks_than_capacity_is_fatal() {
        let t0 = [0, 0xFF, 0x51, 3, 0x07, 0xA1, 0x20, 0, 0xFF, 0x2F, 0];
        let file = smf(0, &[&t0]);
        let mut reader = Small::open(SliceSource::new(&file), ReaderOptions::STRICT).unwrap();
        let ev = reader.next_event().unwrap().unwrap();
        assert_eq!(
            ev.kind,
            TrackEventKind::Meta(MetaMessage::Tempo(500_000.into()))
        );

        let eot: &[u8] = &EOT;
        let file = smf(1, &[eot; 5]);
        let error = Small::open(SliceSource::new(&file), ReaderOptions::LENIENT)
            .err()
            .unwrap();
        assert_eq!(error.kind, ErrorKind::TooManyTracks { capacity: 4 });
    }
}
