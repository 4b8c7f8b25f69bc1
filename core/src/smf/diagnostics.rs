//! What the reader tolerated or skipped: counts per kind of damage and
//! the first problem. Not run per event beyond a counter increment
//! (real-time safe).

use super::error::{Error, ErrorKind, ErrorSlot};

/// What the reader tolerated or skipped so far (since open or rewind).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Diagnostics {
    /// Chunks whose declared length ran past the end of the file.
    pub chunks_past_end: u16,
    /// Chunks of unknown type that were skipped.
    pub unknown_chunks: u16,
    /// Bytes after the last chunk that did not form a chunk.
    pub trailing_garbage: bool,
    /// The header's track count differs from the `MTrk` chunks found.
    pub track_count_mismatch: bool,
    /// Meta events whose payload length is wrong for their type (decoded as
    /// far as possible, as midly does).
    pub bad_meta_lengths: u32,
    /// Tracks that ended without an end-of-track event.
    pub tracks_without_end: u16,
    /// Tracks whose rest was skipped because of damage.
    pub tracks_cut: u16,
    /// Events skipped (over-long payloads, system messages).
    pub events_skipped: u32,
    /// Bytes found after end-of-track events inside their chunks (ignored).
    pub bytes_after_end_of_track: u64,
    /// Non-fatal errors that could not be queued for `next_event` to return
    /// (they are still counted above).
    pub errors_not_returned: u32,
    /// The first problem of any kind (see [`Diagnostics::first_problem`]).
    pub(super) first_problem: ErrorSlot,
}

impl Diagnostics {
    /// Nothing tolerated or skipped (the same as `Default`).
    pub const EMPTY: Self = Self {
        chunks_past_end: 0,
        unknown_chunks: 0,
        trailing_garbage: false,
        track_count_mismatch: false,
        bad_meta_lengths: 0,
        tracks_without_end: 0,
        tracks_cut: 0,
        events_skipped: 0,
        bytes_after_end_of_track: 0,
        errors_not_returned: 0,
        first_problem: ErrorSlot::NONE,
    };

    /// The first problem of any kind.
    pub const fn first_problem(&self) -> Option<Error> {
        self.first_problem.get()
    }

    /// Whether anything at all was tolerated or skipped.
    pub fn is_clean(&self) -> bool {
        self.first_problem.is_none() && self.unknown_chunks == 0
    }

    /// Counts a tolerated deviation of `kind`.
    pub(super) fn count(&mut self, kind: ErrorKind) {
        match kind {
            ErrorKind::MetaLength { .. } => self.bad_meta_lengths += 1,
            ErrorKind::MissingEndOfTrack => self.tracks_without_end += 1,
            _ => {}
        }
    }
}
