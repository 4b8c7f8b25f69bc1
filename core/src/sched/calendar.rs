//! A calendar queue of timed events keyed by sample frame, in fixed storage.
//!
//! Buckets of sorted lists on a ring, one bucket per `2^width_log2` frames:
//! a sequencer inserts in frame order, which appends in O(1), and pops what is
//! due each period, so the cost per event does not grow with the number
//! pending (a heap's does). Events come out in exact (frame, insertion)
//! order; one inserted late (before the frames already popped) comes out at
//! the next pop, never lost. Layout, each call's bound and the memory it
//! takes: `docs/calendar-queue.md` in the repository.
//!
//! ```
//! use smfplay_core::sched::Calendar;
//!
//! // 64 events, 16 buckets of 2^8 = 256 frames (one period each).
//! let mut cal: Calendar<u8, 64, 16> = Calendar::new(8);
//! cal.insert(300, b'b').unwrap();
//! cal.insert(10, b'a').unwrap();
//! cal.insert(100_000, b'c').unwrap(); // many turns of the ring ahead
//!
//! // Play one period: everything strictly before frame 512 comes out in order.
//! assert_eq!(cal.pop_due(512), Some((10, b'a')));
//! assert_eq!(cal.pop_due(512), Some((300, b'b')));
//! assert_eq!(cal.pop_due(512), None);
//! assert_eq!(cal.peek_next_frame(), Some(100_000));
//! assert_eq!(cal.pop_due(u64::MAX), Some((100_000, b'c')));
//! ```
//!
//! # Real-time
//!
//! Never allocates, never blocks, every call is bounded: [`Calendar::insert`]
//! is O(1) in frame order, else O(events in its bucket); [`Calendar::pop_due`]
//! is O(1) per event plus at most about 2·`SLOTS` bucket steps;
//! [`Calendar::new`] is a `const fn` (put a large calendar in a `static`).
//!
//! # Errors
//!
//! [`Calendar::insert`] returns [`Full`], which hands the item back, when all
//! `EVENTS` nodes are in use. [`Calendar::reset_cursor`] returns [`NotEmpty`]
//! when events are pending.
//!
//! # Panics
//!
//! Never at run time. `Calendar::new` fails to *compile* (a `const`
//! assertion) unless `SLOTS` is a power of two and `1 <= EVENTS < u32::MAX`.

use core::fmt;

/// The "no node" link. Links are node index + 1, so that an empty calendar
/// is all zero bits (a `static` of it goes to `.bss`, not `.data`).
/// `EVENTS < u32::MAX` (checked at compile time), so [`index`]`(NIL)` is
/// never a valid index and `nodes.get(index(NIL))` is `None`: the arena's
/// `get` doubles as the end-of-list test.
const NIL: u32 = 0;

/// The node index a link points at (`usize::MAX`-ish for [`NIL`]).
#[inline]
const fn index(link: u32) -> usize {
    link.wrapping_sub(1) as usize
}

/// The largest bucket width exponent; larger values given to
/// [`Calendar::new`] are clamped to it (so `frame >> width_log2` never
/// overflows).
pub const MAX_WIDTH_LOG2: u32 = 63;

/// One arena node. A free node has `item == None` and `next` links the free
/// list; a used node's `next` links its bucket's list.
struct Node<T> {
    frame: u64,
    next: u32,
    item: Option<T>,
}

/// A bucket's sorted list: first and last node, `NIL` when empty.
#[derive(Clone, Copy)]
struct Bucket {
    head: u32,
    tail: u32,
}

const EMPTY_BUCKET: Bucket = Bucket {
    head: NIL,
    tail: NIL,
};

/// A calendar queue of up to `EVENTS` items of type `T`, each due at a
/// sample frame, with `SLOTS` buckets. See the [module docs](self).
pub struct Calendar<T, const EVENTS: usize, const SLOTS: usize> {
    nodes: [Node<T>; EVENTS],
    buckets: [Bucket; SLOTS],
    /// Head of the free list of nodes that were used and released.
    free: u32,
    /// Nodes `fresh..EVENTS` were never used (so `new` needs no loop to
    /// build a free list).
    fresh: u32,
    len: u32,
    width_log2: u32,
    /// Start of the current bucket interval; a multiple of the width.
    cursor: u64,
}

/// The calendar is full: every node is in use. Holds the item that could not
/// be inserted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Full(..)")
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("event queue is full")
    }
}

impl<T> core::error::Error for Full<T> {}

#[cfg(feature = "defmt")]
impl<T> defmt::Format for Full<T> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Full(..)")
    }
}

/// [`Calendar::reset_cursor`] was called while events are pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NotEmpty;

impl fmt::Display for NotEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("event queue is not empty")
    }
}

impl core::error::Error for NotEmpty {}

/// What the cursor's bucket says about the next event.
enum Probe {
    /// The head of this slot is the earliest pending event and it is due.
    Due(usize),
    /// Nothing is due before the given frame.
    NotDue,
    /// The cursor's interval is empty and wholly before the given frame: the
    /// cursor was moved on to the next interval.
    Advanced,
}

impl<T, const EVENTS: usize, const SLOTS: usize> Calendar<T, EVENTS, SLOTS> {
    /// An empty calendar whose buckets are `2^width_log2` frames wide
    /// (clamped to [`MAX_WIDTH_LOG2`]), with the cursor at frame 0.
    ///
    /// A good width is the audio period rounded up to a power of two, or
    /// smaller when many events are pending (see the module docs).
    ///
    /// Fails to compile unless `SLOTS` is a power of two and
    /// `1 <= EVENTS < u32::MAX`.
    pub const fn new(width_log2: u32) -> Self {
        const {
            assert!(
                SLOTS.is_power_of_two(),
                "Calendar: SLOTS must be a power of two"
            );
            assert!(
                EVENTS >= 1 && (EVENTS as u64) < (u32::MAX as u64),
                "Calendar: EVENTS must be at least 1 and below u32::MAX"
            );
        }
        let width_log2 = if width_log2 > MAX_WIDTH_LOG2 {
            MAX_WIDTH_LOG2
        } else {
            width_log2
        };
        Self {
            nodes: [const {
                Node {
                    frame: 0,
                    next: NIL,
                    item: None,
                }
            }; EVENTS],
            buckets: [EMPTY_BUCKET; SLOTS],
            free: NIL,
            fresh: 0,
            len: 0,
            width_log2,
            cursor: 0,
        }
    }

    /// Number of pending events.
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether no event is pending.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether all `EVENTS` nodes are in use (the next insert fails).
    pub const fn is_full(&self) -> bool {
        self.len as usize >= EVENTS
    }

    /// The most events that can be pending at once: `EVENTS`.
    pub const fn capacity(&self) -> usize {
        EVENTS
    }

    /// The bucket width exponent in force (after clamping).
    pub const fn width_log2(&self) -> u32 {
        self.width_log2
    }

    /// The frame up to which buckets have been scanned: the start of the
    /// current bucket interval. An insert earlier than this is *late* (it
    /// still comes out at the next [`Calendar::pop_due`]).
    pub const fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Width of a bucket in frames. `width_log2 <= 63`, so no overflow.
    #[inline]
    fn width(&self) -> u64 {
        1u64 << self.width_log2
    }

    /// Start of the bucket interval holding `frame`.
    #[inline]
    fn align(&self, frame: u64) -> u64 {
        (frame >> self.width_log2) << self.width_log2
    }

    /// The bucket of `frame`. Always `< SLOTS` (the mask), so indexing
    /// `buckets` with it cannot panic. Truncating to `usize` keeps the low
    /// bits, which are all the mask keeps anyway.
    #[inline]
    fn slot_of(&self, frame: u64) -> usize {
        ((frame >> self.width_log2) as usize) & (SLOTS - 1)
    }

    /// Schedule `item` at `frame`.
    ///
    /// Events at the same frame come out in insertion order. A frame before
    /// the [cursor](Calendar::cursor) (already-passed time) is accepted and
    /// comes out at the next [`Calendar::pop_due`].
    ///
    /// O(1) when `frame` is at or after the last event of its bucket,
    /// else a walk of that bucket's list (see the module docs).
    ///
    /// # Errors
    ///
    /// [`Full`] with the item when all `EVENTS` nodes are in use.
    pub fn insert(&mut self, frame: u64, item: T) -> Result<(), Full<T>> {
        let slot = if frame < self.cursor {
            // Late: file it in the cursor's bucket, where it sorts first.
            self.slot_of(self.cursor)
        } else {
            self.slot_of(frame)
        };
        let n = self.alloc_node(frame, item).map_err(Full)?;
        let bucket = self.buckets[slot];
        match self.nodes.get_mut(index(bucket.tail)) {
            None => {
                // Empty bucket.
                self.buckets[slot] = Bucket { head: n, tail: n };
            }
            Some(tail) if frame >= tail.frame => {
                // The common case: append.
                tail.next = n;
                self.buckets[slot].tail = n;
            }
            Some(_) => {
                // Walk to the first node with a later frame (after all
                // equal frames, keeping insertion order).
                let mut prev = NIL;
                let mut cur = bucket.head;
                while let Some(node) = self.nodes.get(index(cur)) {
                    if node.frame > frame {
                        break;
                    }
                    prev = cur;
                    cur = node.next;
                }
                if let Some(node) = self.nodes.get_mut(index(n)) {
                    node.next = cur;
                }
                match self.nodes.get_mut(index(prev)) {
                    Some(p) => p.next = n,
                    None => self.buckets[slot].head = n,
                }
                if cur == NIL {
                    // Unreachable (frame < tail.frame), kept for robustness.
                    self.buckets[slot].tail = n;
                }
            }
        }
        self.len = self.len.saturating_add(1);
        Ok(())
    }

    /// Take a node off the free list (or the never-used tail of the arena)
    /// and fill it; `Err(item)` when none is left.
    fn alloc_node(&mut self, frame: u64, item: T) -> Result<u32, T> {
        let from_free = self.free != NIL;
        let idx = if from_free {
            self.free
        } else if (self.fresh as usize) < EVENTS {
            // fresh < EVENTS < u32::MAX: cannot overflow.
            self.fresh + 1
        } else {
            return Err(item);
        };
        let Some(node) = self.nodes.get_mut(index(idx)) else {
            return Err(item);
        };
        if from_free {
            self.free = node.next;
        } else {
            // fresh < EVENTS < u32::MAX: cannot overflow.
            self.fresh = self.fresh.saturating_add(1);
        }
        node.frame = frame;
        node.next = NIL;
        node.item = Some(item);
        Ok(idx)
    }

    /// Remove the earliest pending event if its frame is before `before`,
    /// returning `(frame, item)`; `None` when nothing is due.
    ///
    /// Events come out in (frame, insertion) order. Call it in a loop each
    /// period with the frame that ends the period. `before` normally never
    /// decreases; a smaller value is allowed and just finds fewer events due.
    ///
    /// Bounded: see the module docs (amortised O(1), at most about
    /// 2·`SLOTS` bucket steps in one call).
    pub fn pop_due(&mut self, before: u64) -> Option<(u64, T)> {
        if self.len == 0 {
            // Nothing pending: every interval before `before`'s is empty, so
            // the cursor may skip to it (O(1), saves a scan later).
            let target = self.align(before);
            if target > self.cursor {
                self.cursor = target;
            }
            return None;
        }
        for _ in 0..SLOTS {
            match self.probe(before) {
                Probe::Due(slot) => return self.pop_head(slot),
                Probe::NotDue => return None,
                Probe::Advanced => {}
            }
        }
        // A whole turn of empty intervals: every pending event is at least
        // a turn ahead. Jump to the earliest one (or to `before`) at once.
        let earliest = self.min_head_frame()?;
        let target = self.align(earliest.min(before));
        if target > self.cursor {
            self.cursor = target;
        }
        match self.probe(before) {
            Probe::Due(slot) => self.pop_head(slot),
            Probe::NotDue | Probe::Advanced => None,
        }
    }

    /// Look at the cursor's bucket. Its head is the earliest pending event
    /// when it falls before the end of the cursor's interval: every event
    /// earlier than the cursor (late) is in this bucket and sorts first, and
    /// the events of this interval are all in this bucket too.
    fn probe(&mut self, before: u64) -> Probe {
        let slot = self.slot_of(self.cursor);
        let end = self.cursor.saturating_add(self.width());
        if let Some(head) = self.nodes.get(index(self.buckets[slot].head))
            && head.frame < end
        {
            return if head.frame < before {
                Probe::Due(slot)
            } else {
                Probe::NotDue
            };
        }
        if end >= before {
            // Everything pending is at or after `end`, hence not due. Stay
            // here: the next interval may still receive events before it.
            return Probe::NotDue;
        }
        self.cursor = end;
        Probe::Advanced
    }

    /// Unlink and release the head of `slot`'s list.
    fn pop_head(&mut self, slot: usize) -> Option<(u64, T)> {
        let head = self.buckets[slot].head;
        let node = self.nodes.get_mut(index(head))?;
        let frame = node.frame;
        let item = node.item.take();
        let next = node.next;
        node.next = self.free;
        self.free = head;
        self.buckets[slot].head = next;
        if next == NIL {
            self.buckets[slot].tail = NIL;
        }
        self.len = self.len.saturating_sub(1);
        item.map(|item| (frame, item))
    }

    /// The smallest frame among the bucket heads: the earliest pending
    /// frame, since every list is sorted. O(`SLOTS`).
    fn min_head_frame(&self) -> Option<u64> {
        self.buckets
            .iter()
            .filter_map(|b| self.nodes.get(index(b.head)))
            .map(|n| n.frame)
            .min()
    }

    /// The frame of the earliest pending event, `None` when empty.
    ///
    /// O(1) when that event is in the cursor's bucket interval (or late),
    /// else O(`SLOTS`).
    pub fn peek_next_frame(&self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let slot = self.slot_of(self.cursor);
        let end = self.cursor.saturating_add(self.width());
        if let Some(head) = self.nodes.get(index(self.buckets[slot].head))
            && head.frame < end
        {
            return Some(head.frame);
        }
        self.min_head_frame()
    }

    /// Remove every pending event, handing each to `f` as `(frame, item)`,
    /// bucket by bucket starting at the cursor's: in frame order within a
    /// bucket, otherwise in no particular order. Use
    /// `while let Some(e) = cal.pop_due(u64::MAX)` for exact order.
    ///
    /// O(`len` + `SLOTS`). The cursor is kept.
    pub fn drain(&mut self, mut f: impl FnMut(u64, T)) {
        let start = self.slot_of(self.cursor);
        for k in 0..SLOTS {
            let slot = start.wrapping_add(k) & (SLOTS - 1);
            let mut cur = self.buckets[slot].head;
            self.buckets[slot] = EMPTY_BUCKET;
            while let Some(node) = self.nodes.get_mut(index(cur)) {
                let next = node.next;
                let frame = node.frame;
                let item = node.item.take();
                node.next = self.free;
                self.free = cur;
                cur = next;
                if let Some(item) = item {
                    f(frame, item);
                }
            }
        }
        self.len = 0;
    }

    /// Empties the calendar in place and sets its bucket width and cursor
    /// as [`Calendar::new`] does (without building one on the stack).
    /// O(`EVENTS` + `SLOTS`).
    pub fn reset(&mut self, width_log2: u32) {
        for node in self.nodes.iter_mut() {
            node.frame = 0;
            node.next = NIL;
            node.item = None;
        }
        self.buckets = [EMPTY_BUCKET; SLOTS];
        self.free = NIL;
        self.fresh = 0;
        self.len = 0;
        self.width_log2 = width_log2.min(MAX_WIDTH_LOG2);
        self.cursor = 0;
    }

    /// Remove (and drop) every pending event. O(`len` + `SLOTS`). The
    /// cursor is kept; see [`Calendar::reset_cursor`] for seeks.
    pub fn clear(&mut self) {
        self.drain(|_, _| {});
    }

    /// Keep only the events for which `keep(frame, &mut item)` returns
    /// `true` (it may also change the items it keeps), like
    /// `Vec::retain_mut`. Order is unchanged. Removed items are dropped.
    ///
    /// For example, muting a channel drops its pending note-ons and keeps
    /// its note-offs. O(`len` + `SLOTS`).
    pub fn retain(&mut self, mut keep: impl FnMut(u64, &mut T) -> bool) {
        for slot in 0..SLOTS {
            let mut prev = NIL;
            let mut cur = self.buckets[slot].head;
            while let Some(node) = self.nodes.get_mut(index(cur)) {
                let next = node.next;
                let kept = match node.item.as_mut() {
                    Some(item) => keep(node.frame, item),
                    None => false,
                };
                if kept {
                    prev = cur;
                } else {
                    node.item = None;
                    node.next = self.free;
                    self.free = cur;
                    self.len = self.len.saturating_sub(1);
                    match self.nodes.get_mut(index(prev)) {
                        Some(p) => p.next = next,
                        None => self.buckets[slot].head = next,
                    }
                }
                cur = next;
            }
            self.buckets[slot].tail = prev;
        }
    }

    /// Move the cursor to the bucket interval holding `frame`, for a seek:
    /// clear the calendar, reset the cursor to the new play position, then
    /// insert from there. (Moving the cursor back while events are pending
    /// would misfile late events; moving it forward would hide events, so it
    /// must be empty.)
    ///
    /// Not needed for forward jumps of the play head: [`Calendar::pop_due`]
    /// handles those. It matters after a seek *backwards*, where every
    /// insert would otherwise be late and land in one bucket.
    ///
    /// # Errors
    ///
    /// [`NotEmpty`] when events are pending; nothing is changed.
    pub fn reset_cursor(&mut self, frame: u64) -> Result<(), NotEmpty> {
        if self.len != 0 {
            return Err(NotEmpty);
        }
        self.cursor = self.align(frame);
        Ok(())
    }
}

impl<T, const EVENTS: usize, const SLOTS: usize> fmt::Debug for Calendar<T, EVENTS, SLOTS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("len", &self.len)
            .field("capacity", &EVENTS)
            .field("slots", &SLOTS)
            .field("width_log2", &self.width_log2)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::test_rng::Rng;
    use std::vec::Vec;

    /// Pop everything due before `before`.
    fn pop_all<T, const E: usize, const S: usize>(
        cal: &mut Calendar<T, E, S>,
        before: u64,
    ) -> Vec<(u64, T)> {
        let mut out = Vec::new();
        while let Some(e) = cal.pop_due(before) {
            out.push(e);
        }
        out
    }

    #[test]
    fn full_hands_item_back() {
        let mut cal: Calendar<u32, 2, 2> = Calendar::new(4);
        assert_eq!(cal.capacity(), 2);
        cal.insert(1, 10).unwrap();
        cal.insert(2, 20).unwrap();
        assert!(cal.is_full());
        assert_eq!(cal.insert(3, 30), Err(Full(30)));
        assert_eq!(cal.len(), 2);
        // Freeing one node makes room again.
        assert_eq!(cal.pop_due(u64::MAX), Some((1, 10)));
        cal.insert(3, 30).unwrap();
        assert_eq!(pop_all(&mut cal, u64::MAX), [(2, 20), (3, 30)]);
    }

    #[test]
    fn full_error_formats() {
        extern crate std;
        use std::format;
        let e = Full(5u8);
        assert_eq!(format!("{e}"), "event queue is full");
        assert_eq!(format!("{e:?}"), "Full(..)");
        assert_eq!(format!("{NotEmpty}"), "event queue is not empty");
        let _: &dyn core::error::Error = &e;
    }

    #[test]
    fn empty_pops_none() {
        let mut cal: Calendar<u32, 2, 2> = Calendar::new(4);
        assert!(cal.is_empty());
        assert_eq!(cal.pop_due(0), None);
        assert_eq!(cal.pop_due(1_000), None);
        assert_eq!(cal.pop_due(u64::MAX), None);
        assert_eq!(cal.peek_next_frame(), None);
        assert_eq!(cal.len(), 0);
    }

    #[test]
    fn not_due_stays_pending() {
        let mut cal: Calendar<u32, 3, 2> = Calendar::new(4);
        cal.insert(20, 1).unwrap();
        assert_eq!(cal.pop_due(20), None, "before is exclusive");
        assert_eq!(cal.pop_due(0), None);
        assert_eq!(cal.pop_due(21), Some((20, 1)));
    }

    #[test]
    fn wraps_around_ring_many_turns() {
        // 2 buckets of 4 frames: a turn is 8 frames. Run 1000 turns with a
        // couple of events per turn, one period (3 frames) at a time.
        let mut cal: Calendar<u64, 3, 2> = Calendar::new(2);
        let mut next_insert = 0u64;
        let mut expected = 0u64;
        let mut head = 0u64;
        while head < 8_000 {
            while cal.len() < 3 {
                cal.insert(next_insert, next_insert).unwrap();
                next_insert += 5;
            }
            head += 3;
            for (frame, item) in pop_all(&mut cal, head) {
                assert_eq!(frame, item);
                assert_eq!(frame, expected);
                assert!(frame < head);
                expected += 5;
            }
        }
        assert!(expected > 7_900);
    }

    #[test]
    fn far_future_events_wait_for_their_turn() {
        // Turn = 2 buckets × 4 frames = 8 frames. Events 3, 5 and 10 turns
        // ahead share buckets with nearer ones.
        let mut cal: Calendar<&str, 3, 2> = Calendar::new(2);
        cal.insert(80, "ten turns").unwrap();
        cal.insert(24, "three turns").unwrap();
        cal.insert(41, "five turns").unwrap();
        for head in 1..=24 {
            assert_eq!(cal.pop_due(head), None, "nothing before {head}");
        }
        assert_eq!(cal.pop_due(25), Some((24, "three turns")));
        for head in 25..=41 {
            assert_eq!(cal.pop_due(head), None, "nothing before {head}");
        }
        assert_eq!(cal.pop_due(42), Some((41, "five turns")));
        assert_eq!(cal.pop_due(80), None);
        assert_eq!(cal.peek_next_frame(), Some(80));
        assert_eq!(cal.pop_due(81), Some((80, "ten turns")));
        assert!(cal.is_empty());
    }

    #[test]
    fn far_future_in_same_bucket_as_due_event() {
        // Frames 1 and 1 + 2 turns land in the same bucket; only the first
        // is due.
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(2);
        cal.insert(17, 2).unwrap();
        cal.insert(1, 1).unwrap();
        assert_eq!(pop_all(&mut cal, 17), [(1, 1)]);
        assert_eq!(pop_all(&mut cal, 18), [(17, 2)]);
    }

    #[test]
    fn same_frame_keeps_insertion_order() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(3);
        cal.insert(7, 1).unwrap();
        cal.insert(7, 2).unwrap();
        cal.insert(7, 3).unwrap();
        assert_eq!(pop_all(&mut cal, 8), [(7, 1), (7, 2), (7, 3)]);
        // Also when equal frames are inserted behind a later one (walk).
        cal.insert(9, 9).unwrap();
        cal.insert(8, 1).unwrap();
        cal.insert(8, 2).unwrap();
        assert_eq!(pop_all(&mut cal, 100), [(8, 1), (8, 2), (9, 9)]);
    }

    #[test]
    fn out_of_order_inserts_come_out_sorted() {
        let mut cal: Calendar<u64, 3, 2> = Calendar::new(3);
        // All in one bucket interval, then across buckets and turns.
        for frames in [[5u64, 3, 1], [30, 12, 2], [100, 1, 50]] {
            for f in frames {
                cal.insert(f, f).unwrap();
            }
            let mut sorted = frames;
            sorted.sort_unstable();
            let got: Vec<u64> = pop_all(&mut cal, u64::MAX)
                .into_iter()
                .map(|(f, _)| f)
                .collect();
            assert_eq!(got, sorted);
            cal.reset_cursor(0).unwrap();
        }
    }

    #[test]
    fn late_inserts_come_out_next() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(2);
        cal.insert(100, 0).unwrap();
        assert_eq!(cal.pop_due(90), None);
        // The cursor has moved past 40; inserts at 40 and 10 are late.
        assert!(cal.cursor() > 40);
        cal.insert(40, 1).unwrap();
        cal.insert(10, 2).unwrap();
        assert_eq!(cal.peek_next_frame(), Some(10));
        assert_eq!(cal.pop_due(90), Some((10, 2)));
        assert_eq!(cal.pop_due(90), Some((40, 1)));
        assert_eq!(cal.pop_due(90), None);
        // Late with an empty queue too.
        assert_eq!(cal.pop_due(101), Some((100, 0)));
        assert_eq!(cal.pop_due(1_000), None);
        cal.insert(3, 3).unwrap();
        assert_eq!(cal.pop_due(1_000), Some((3, 3)));
        // Even if `before` went backwards, a late event is due once
        // `before` is past it.
        cal.insert(5, 5).unwrap();
        assert_eq!(cal.pop_due(4), None);
        assert_eq!(cal.pop_due(6), Some((5, 5)));
    }

    #[test]
    fn pop_after_big_jump() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(2);
        cal.insert(1_000_000, 1).unwrap();
        cal.insert(5_000_000_000, 2).unwrap();
        cal.insert(7, 0).unwrap();
        assert_eq!(cal.pop_due(8), Some((7, 0)));
        // Jump 10^12 frames: both older events are due, in order.
        assert_eq!(cal.pop_due(1_000_000_000_000), Some((1_000_000, 1)));
        assert_eq!(cal.pop_due(1_000_000_000_000), Some((5_000_000_000, 2)));
        assert_eq!(cal.pop_due(1_000_000_000_000), None);
        // A jump that finds the next event still ahead stops short of it.
        cal.insert(2_000_000_000_000, 3).unwrap();
        assert_eq!(cal.pop_due(1_999_999_999_999), None);
        assert!(cal.cursor() <= 1_999_999_999_999);
        assert_eq!(cal.pop_due(2_000_000_000_001), Some((2_000_000_000_000, 3)));
    }

    #[test]
    fn extreme_frames_do_not_panic() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(200);
        assert_eq!(cal.width_log2(), MAX_WIDTH_LOG2);
        cal.insert(u64::MAX, 1).unwrap();
        cal.insert(u64::MAX - 1, 0).unwrap();
        cal.insert(0, 2).unwrap();
        assert_eq!(cal.pop_due(u64::MAX), Some((0, 2)));
        assert_eq!(cal.pop_due(u64::MAX), Some((u64::MAX - 1, 0)));
        assert_eq!(cal.pop_due(u64::MAX), None, "u64::MAX is never < before");
        assert_eq!(cal.peek_next_frame(), Some(u64::MAX));

        let mut cal: Calendar<u8, 2, 1> = Calendar::new(0);
        cal.insert(u64::MAX - 1, 0).unwrap();
        assert_eq!(cal.pop_due(u64::MAX), Some((u64::MAX - 1, 0)));
        cal.insert(3, 1).unwrap(); // late
        assert_eq!(cal.pop_due(u64::MAX), Some((3, 1)));
    }

    #[test]
    fn clear_and_reuse() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(2);
        for round in 0..5u8 {
            cal.insert(30, round).unwrap();
            cal.insert(2, round).unwrap();
            cal.insert(17, round).unwrap();
            assert!(cal.is_full());
            cal.clear();
            assert!(cal.is_empty());
            assert_eq!(cal.pop_due(u64::MAX), None);
            cal.reset_cursor(0).unwrap();
        }
        cal.insert(4, 4).unwrap();
        cal.insert(1, 1).unwrap();
        cal.insert(9, 9).unwrap();
        assert_eq!(pop_all(&mut cal, u64::MAX), [(1, 1), (4, 4), (9, 9)]);
    }

    #[test]
    fn clear_drops_items() {
        extern crate std;
        use std::rc::Rc;
        let tracker = Rc::new(());
        let mut cal: Calendar<Rc<()>, 3, 2> = Calendar::new(2);
        cal.insert(1, tracker.clone()).unwrap();
        cal.insert(100, tracker.clone()).unwrap();
        assert_eq!(Rc::strong_count(&tracker), 3);
        cal.clear();
        assert_eq!(Rc::strong_count(&tracker), 1);
        cal.insert(1, tracker.clone()).unwrap();
        drop(cal);
        assert_eq!(Rc::strong_count(&tracker), 1);
    }

    #[test]
    fn reset_cursor_requires_empty() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(2);
        cal.insert(1_000, 1).unwrap();
        assert_eq!(cal.pop_due(999), None);
        assert_eq!(cal.reset_cursor(0), Err(NotEmpty));
        assert_eq!(cal.pop_due(1_001), Some((1_000, 1)));
        // Seek back: without the reset these would all be late.
        assert_eq!(cal.reset_cursor(0), Ok(()));
        assert_eq!(cal.cursor(), 0);
        cal.insert(9, 2).unwrap();
        cal.insert(1, 1).unwrap();
        assert_eq!(pop_all(&mut cal, 10), [(1, 1), (9, 2)]);
        cal.reset_cursor(13).unwrap();
        assert_eq!(cal.cursor(), 12, "aligned down to the bucket width");
    }

    #[test]
    fn retain_removes_matching() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(2);
        cal.insert(5, 1).unwrap();
        cal.insert(6, 2).unwrap();
        cal.insert(40, 3).unwrap();
        cal.retain(|_, item| {
            *item *= 10;
            *item != 20
        });
        assert_eq!(cal.len(), 2);
        cal.insert(7, 4).unwrap(); // appends after the kept tail
        assert_eq!(pop_all(&mut cal, u64::MAX), [(5, 10), (7, 4), (40, 30)]);
        cal.insert(1, 1).unwrap();
        cal.retain(|_, _| false);
        assert!(cal.is_empty());
        assert_eq!(cal.pop_due(u64::MAX), None);
        cal.insert(2, 2).unwrap();
        assert_eq!(cal.pop_due(u64::MAX), Some((2, 2)));
    }

    #[test]
    fn drain_hands_everything_out() {
        let mut cal: Calendar<u8, 3, 2> = Calendar::new(2);
        cal.insert(5, 1).unwrap();
        cal.insert(600, 2).unwrap();
        cal.insert(6, 3).unwrap();
        let mut got = Vec::new();
        cal.drain(|f, i| got.push((f, i)));
        got.sort_unstable();
        assert_eq!(got, [(5, 1), (6, 3), (600, 2)]);
        assert!(cal.is_empty());
        cal.insert(1, 1).unwrap();
        assert_eq!(cal.pop_due(2), Some((1, 1)));
    }

    #[test]
    fn single_event_single_slot() {
        let mut cal: Calendar<u8, 1, 1> = Calendar::new(0);
        cal.insert(3, 3).unwrap();
        assert_eq!(cal.insert(4, 4), Err(Full(4)));
        assert_eq!(cal.pop_due(3), None);
        assert_eq!(cal.pop_due(4), Some((3, 3)));
    }

    #[test]
    fn usable_in_a_static_initializer() {
        static CAL: Calendar<u32, 4, 2> = Calendar::new(8);
        assert!(CAL.is_empty());
        assert_eq!(CAL.capacity(), 4);
    }

    /// The reference: a plain list of (frame, seq, item), earliest
    /// (frame, seq) first.
    #[derive(Default)]
    struct Model {
        events: Vec<(u64, u64, u32)>,
        seq: u64,
    }

    impl Model {
        fn insert(&mut self, frame: u64, item: u32) {
            self.events.push((frame, self.seq, item));
            self.seq += 1;
        }
        fn earliest(&self) -> Option<usize> {
            (0..self.events.len()).min_by_key(|&i| (self.events[i].0, self.events[i].1))
        }
        fn pop_due(&mut self, before: u64) -> Option<(u64, u32)> {
            let i = self.earliest()?;
            if self.events[i].0 < before {
                let (f, _, item) = self.events.remove(i);
                Some((f, item))
            } else {
                None
            }
        }
    }

    /// Random inserts, pops, peeks, retains, clears and seeks, checked
    /// against [`Model`] after every step.
    fn model_run<const E: usize, const S: usize>(seed: u64, width_log2: u32, steps: usize) {
        let mut rng = Rng::new(seed);
        let mut cal: Calendar<u32, E, S> = Calendar::new(width_log2);
        let mut model = Model::default();
        let turn = (S as u64) << width_log2;
        let mut head = rng.below(1_000);
        let mut next_item = 0u32;
        let mut popped = 0usize;
        for step in 0..steps {
            let op = rng.below(100);
            if op < 45 {
                // Insert: near the head, behind it (late), or turns ahead.
                let frame = match rng.below(10) {
                    0 => head.saturating_sub(rng.below(3 * turn + 1)),
                    1 => head + rng.below(20 * turn + 1),
                    2 => head, // same frame as others, often
                    _ => head + rng.below(2 * turn + 1),
                };
                let item = next_item;
                next_item += 1;
                let full = model.events.len() >= E;
                match cal.insert(frame, item) {
                    Ok(()) => {
                        assert!(!full, "step {step}: accepted past capacity");
                        model.insert(frame, item);
                    }
                    Err(Full(back)) => {
                        assert!(full, "step {step}: full too early");
                        assert_eq!(back, item);
                    }
                }
            } else if op < 85 {
                // Advance the play head (usually a little, sometimes a
                // jump, rarely backwards) and pop what is due.
                head = match rng.below(20) {
                    0 => head + rng.below(50 * turn + 1),
                    1 => head.saturating_sub(rng.below(turn + 1)),
                    _ => head + rng.below(turn / 2 + 2),
                };
                loop {
                    let want = model.pop_due(head);
                    let got = cal.pop_due(head);
                    assert_eq!(got, want, "step {step}: pop_due({head})");
                    if got.is_none() {
                        break;
                    }
                    popped += 1;
                }
            } else if op < 93 {
                // A single pop with a random `before`.
                let before = head.saturating_sub(turn) + rng.below(4 * turn + 1);
                let want = model.pop_due(before);
                assert_eq!(cal.pop_due(before), want, "step {step}: pop_due({before})");
                popped += usize::from(want.is_some());
            } else if op < 96 {
                let modulus = 2 + rng.below(3) as u32;
                cal.retain(|_, item| *item % modulus != 0);
                model.events.retain(|e| e.2 % modulus != 0);
            } else if op < 98 {
                // Seek: clear, move the cursor anywhere (often backwards).
                cal.clear();
                model.events.clear();
                head = rng.below(head + 10 * turn + 1);
                cal.reset_cursor(head).unwrap();
            } else {
                let want = model.earliest().map(|i| model.events[i].0);
                assert_eq!(cal.peek_next_frame(), want, "step {step}: peek");
                if !cal.is_empty() {
                    assert_eq!(cal.reset_cursor(0), Err(NotEmpty));
                }
            }
            assert_eq!(cal.len(), model.events.len(), "step {step}: len");
            assert_eq!(cal.is_full(), model.events.len() == E);
        }
        // Drain in order at the end.
        loop {
            let want = model.pop_due(u64::MAX);
            assert_eq!(cal.pop_due(u64::MAX), want);
            if want.is_none() {
                break;
            }
        }
        assert!(popped > steps / 10, "the run popped too little: {popped}");
    }

    #[test]
    fn model_matches_sorted_reference() {
        // Interpreted under Miri: fewer, shorter runs of the same shapes.
        let (seeds, steps): (u64, usize) = if cfg!(miri) { (2, 300) } else { (8, 4_000) };
        for seed in 1..=seeds {
            let s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            model_run::<3, 2>(s, 2, steps);
            model_run::<2, 1>(s ^ 1, 0, steps / 2);
            model_run::<8, 4>(s ^ 2, 3, steps);
            model_run::<16, 8>(s ^ 3, 1, steps);
            model_run::<64, 16>(s ^ 4, 4, steps);
        }
    }
}
