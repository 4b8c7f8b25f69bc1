//! A reader's saved position between two events (for A–B loops): each
//! track's cursor state (with its `FF 21` port) and the merge heap. Copying it is real-time safe.

use super::merge_heap::MergeHeap;

/// A reader's position between two events: enough to come back to it
/// without rescanning the file (A–B loops). `TRACKS × 26` bytes or so.
#[derive(Clone, Copy)]
pub struct ReaderCheckpoint<const TRACKS: usize> {
    pub(super) tracks: [TrackMark; TRACKS],
    pub(super) heap: MergeHeap<TRACKS>,
    pub(super) next_sequential: usize,
    pub(super) valid: bool,
}

#[derive(Clone, Copy)]
pub(super) struct TrackMark {
    pub(super) pos: u64,
    pub(super) tick: u64,
    pub(super) event_offset: u64,
    pub(super) running_status: u8,
    /// The track's port (`FF 21`) at the checkpoint.
    pub(super) port: u8,
    pub(super) ended: bool,
}

impl<const TRACKS: usize> ReaderCheckpoint<TRACKS> {
    /// A checkpoint that restores nothing until one is taken.
    pub const EMPTY: Self = Self {
        tracks: [TrackMark {
            pos: 0,
            tick: 0,
            event_offset: 0,
            running_status: 0,
            port: 0,
            ended: true,
        }; TRACKS],
        heap: MergeHeap::EMPTY,
        next_sequential: 0,
        valid: false,
    };

    /// Whether this checkpoint was taken.
    pub const fn is_valid(&self) -> bool {
        self.valid
    }
}
