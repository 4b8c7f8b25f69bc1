//! The reader's merge heap: a binary min-heap of track indices keyed by
//! (tick of the track's next event, track index), so the head is the track
//! whose event comes next and ties go to the lower track.
//!
//! *Real-time*: fixed capacity, no allocation; `O(log TRACKS)` per step.

/// A min-heap of up to `TRACKS` track indices. The key of a track is read
/// through the `tick` function each call is given (the tracks' cursors
/// own the ticks), so a track's tick may only grow while it is the head
/// (then call [`MergeHeap::fix_head`]).
#[derive(Clone, Copy)]
pub(super) struct MergeHeap<const TRACKS: usize> {
    slots: [u16; TRACKS],
    len: usize,
}

impl<const TRACKS: usize> MergeHeap<TRACKS> {
    /// No track.
    pub(super) const EMPTY: Self = Self {
        slots: [0; TRACKS],
        len: 0,
    };

    /// Forgets every track.
    pub(super) fn clear(&mut self) {
        self.len = 0;
    }

    /// Tracks in the heap.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The track whose event comes next.
    pub(super) fn head(&self) -> Option<u16> {
        self.slots.first().copied().filter(|_| self.len > 0)
    }

    /// Adds track `t` (ignored when the heap is full).
    pub(super) fn push(&mut self, t: u16, tick: impl Fn(u16) -> u64) {
        let Some(slot) = self.slots.get_mut(self.len) else {
            return;
        };
        *slot = t;
        self.len += 1;
        let key = |t: u16| (tick(t), t);
        let mut i = self.len - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if key(self.slots[i]) < key(self.slots[parent]) {
                self.slots.swap(i, parent);
                i = parent;
            } else {
                break;
            }
        }
    }

    /// Removes the head.
    pub(super) fn pop(&mut self, tick: impl Fn(u16) -> u64) {
        if self.len == 0 {
            return;
        }
        self.len -= 1;
        self.slots[0] = self.slots[self.len];
        self.fix_head(tick);
    }

    /// Restores heap order after the head's tick grew.
    #[inline]
    pub(super) fn fix_head(&mut self, tick: impl Fn(u16) -> u64) {
        let len = self.len.min(TRACKS);
        let heap = &mut self.slots[..len];
        let key = |t: u16| (tick(t), t);
        let mut i = 0;
        loop {
            let left = 2 * i + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && key(heap[right]) < key(heap[left]) {
                right
            } else {
                left
            };
            if key(heap[child]) < key(heap[i]) {
                heap.swap(child, i);
                i = child;
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MergeHeap;

    /// Pops every track, advancing none: the order the reader merges in.
    fn drain<const N: usize>(heap: &mut MergeHeap<N>, ticks: &[u64]) -> ([u16; N], usize) {
        let tick = |t: u16| ticks[usize::from(t)];
        let (mut out, mut n) = ([0; N], 0);
        while let Some(t) = heap.head() {
            out[n] = t;
            n += 1;
            heap.pop(tick);
        }
        (out, n)
    }

    #[test]
    fn pops_by_tick_then_by_lower_track() {
        let ticks = [30, 10, 20, 10, 0];
        let mut heap = MergeHeap::<5>::EMPTY;
        for t in [0, 1, 2, 3, 4] {
            heap.push(t, |t| ticks[usize::from(t)]);
        }
        assert_eq!(heap.len(), 5);
        assert_eq!(drain(&mut heap, &ticks), ([4, 1, 3, 2, 0], 5));
        assert_eq!(heap.head(), None);
    }

    #[test]
    fn fix_head_moves_a_grown_head_behind_the_others() {
        let mut ticks = [5, 7, 9];
        let mut heap = MergeHeap::<3>::EMPTY;
        for t in [2, 0, 1] {
            heap.push(t, |t| ticks[usize::from(t)]);
        }
        assert_eq!(heap.head(), Some(0));
        ticks[0] = 8;
        heap.fix_head(|t| ticks[usize::from(t)]);
        assert_eq!(heap.head(), Some(1));
        ticks[1] = 9;
        heap.fix_head(|t| ticks[usize::from(t)]);
        // Track 0 (tick 8), then the tie at 9 goes to track 1.
        assert_eq!(drain(&mut heap, &ticks), ([0, 1, 2], 3));
    }

    #[test]
    fn a_full_heap_ignores_a_push_and_pop_of_empty_is_harmless() {
        let ticks = [1, 2, 0];
        let mut heap = MergeHeap::<2>::EMPTY;
        heap.pop(|t| ticks[usize::from(t)]);
        for t in [0, 1, 2] {
            heap.push(t, |t| ticks[usize::from(t)]);
        }
        assert_eq!(heap.len(), 2);
        assert_eq!(drain(&mut heap, &ticks), ([0, 1], 2));
        heap.push(2, |t| ticks[usize::from(t)]);
        heap.clear();
        assert_eq!(heap.head(), None);
    }
}
