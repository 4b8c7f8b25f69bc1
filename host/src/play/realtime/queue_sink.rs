//! The feeder's end of the feed queue: [`FeedItem`]s (timed events and
//! repositions) and their payload bytes, and [`QueueSink`], the core
//! [`EventSink`] that writes them.
//!
//! *Real-time*: runs on the feeder thread; the queues are wait-free
//! `heapless::spsc` rings the audio thread reads without waiting.

use heapless::spsc::Producer;
use smfplay_core::sched::{EventPool, Full, PoolError, PoolHandle};
use smfplay_core::sequencer::{EventSink, SeekPlan, SongEvent};

use crate::capacities::POOL_BLOCK_BYTES;

/// What the feeder sends the audio thread.
#[derive(Clone, Copy, Debug)]
pub enum FeedItem {
    /// An item at a timeline frame; `payload` bytes precede it in the byte
    /// ring when the item is a sysex or text.
    Event {
        /// Timeline frame.
        tl: u64,
        /// The item (its pool handle is the feeder's; the audio thread
        /// replaces it).
        item: SongEvent,
        /// Payload length.
        payload: u16,
    },
    /// A seek: clear the calendar, set the position.
    Reposition {
        /// Timeline frame of the jump.
        at: u64,
        /// Where the song continues.
        plan: SeekPlan,
    },
}

/// The feed's [`EventSink`]: payloads wait in a small staging pool until
/// their item is queued, then go through the byte ring.
pub struct QueueSink<'q> {
    items: Producer<'q, FeedItem>,
    bytes: Producer<'q, u8>,
    staging: EventPool<16, POOL_BLOCK_BYTES>,
    /// Items queued so far.
    pushed: u64,
}

impl<'q> QueueSink<'q> {
    /// A sink writing into these queues.
    pub fn new(items: Producer<'q, FeedItem>, bytes: Producer<'q, u8>) -> Self {
        Self {
            items,
            bytes,
            staging: EventPool::new(),
            pushed: 0,
        }
    }

    /// Items queued so far.
    pub fn pushed(&self) -> u64 {
        self.pushed
    }

    /// Queues a marker item (a reposition) directly.
    pub fn push_marker(&mut self, item: FeedItem) -> Result<(), FeedItem> {
        self.items.enqueue(item)
    }
}

impl EventSink for QueueSink<'_> {
    fn schedule(&mut self, tl: u64, item: SongEvent) -> Result<(), Full<SongEvent>> {
        if !self.items.ready() {
            return Err(Full(item));
        }
        let mut payload = 0u16;
        if let SongEvent::SysEx { handle: h, .. } | SongEvent::Text(_, h) = item {
            let Some(bytes) = self.staging.get(h) else {
                return Err(Full(item));
            };
            let free = self.bytes.capacity() - self.bytes.len();
            if bytes.len() > free {
                return Err(Full(item));
            }
            for &b in bytes {
                let _ = self.bytes.enqueue(b);
            }
            payload = bytes.len() as u16;
            let _ = self.staging.free(h);
        }
        let _ = self.items.enqueue(FeedItem::Event { tl, item, payload });
        self.pushed += 1;
        Ok(())
    }

    fn alloc_payload(&mut self, bytes: &[u8]) -> Result<PoolHandle, PoolError> {
        self.staging.alloc(bytes)
    }

    fn free_payload(&mut self, handle: PoolHandle) {
        let _ = self.staging.free(handle);
    }
}
