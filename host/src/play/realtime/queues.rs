//! The seven lock-free queues between play's three threads, made in one
//! place and split into each thread's ends (the player and its unit tests
//! use the same set-up).
//!
//! *Real-time*: the queues are `heapless::spsc` (wait-free, no allocation
//! once made); [`PlayQueues::new`] allocates and runs before any thread.

use heapless::spsc::{Consumer, Producer, Queue};
use smfplay_core::sequencer::SeekTarget;

use super::messages::{AudioCmd, Report};
use super::queue_sink::{FeedItem, QueueSink};
use super::snapshot::Snapshot;

/// Feed items queued ahead (capacity − 1).
pub const FEED_QUEUE: usize = 8192;
/// Payload bytes queued ahead.
pub const BYTE_RING: usize = 64 * 1024;
/// Commands queued.
pub const CMD_QUEUE: usize = 64;
/// Reports queued.
pub const REPORT_QUEUE: usize = 512;
/// Seeks queued.
pub const SEEK_QUEUE: usize = 8;
/// Snapshot boxes in flight.
pub const SNAP_QUEUE: usize = 4;

/// The queues of one song (boxed: the feed queue alone is ~200 KiB).
pub struct PlayQueues {
    items: Queue<FeedItem, FEED_QUEUE>,
    bytes: Queue<u8, BYTE_RING>,
    commands: Queue<AudioCmd, CMD_QUEUE>,
    reports: Queue<Report, REPORT_QUEUE>,
    seeks: Queue<SeekTarget, SEEK_QUEUE>,
    snap_requests: Queue<Box<Snapshot>, SNAP_QUEUE>,
    snap_replies: Queue<Box<Snapshot>, SNAP_QUEUE>,
}

/// The feeder thread's ends.
pub struct FeederEnds<'q> {
    /// Items and payload bytes out.
    pub sink: QueueSink<'q>,
    /// Seek targets in.
    pub seeks: Consumer<'q, SeekTarget>,
}

/// The audio thread's ends.
pub struct AudioEnds<'q> {
    /// Feed items.
    pub items: Consumer<'q, FeedItem>,
    /// Payload bytes.
    pub bytes: Consumer<'q, u8>,
    /// Commands.
    pub commands: Consumer<'q, AudioCmd>,
    /// Reports.
    pub reports: Producer<'q, Report>,
    /// Empty snapshot boxes from the control thread.
    pub snap_requests: Consumer<'q, Box<Snapshot>>,
    /// Filled snapshot boxes back.
    pub snap_replies: Producer<'q, Box<Snapshot>>,
}

/// The control thread's ends.
pub struct ControlEnds<'q> {
    /// Commands to the audio thread.
    pub commands: Producer<'q, AudioCmd>,
    /// Reports from the audio thread.
    pub reports: Consumer<'q, Report>,
    /// Seek targets to the feeder.
    pub seeks: Producer<'q, SeekTarget>,
    /// Empty snapshot boxes to the audio thread.
    pub snap_requests: Producer<'q, Box<Snapshot>>,
    /// Filled snapshot boxes back.
    pub snap_replies: Consumer<'q, Box<Snapshot>>,
}

impl PlayQueues {
    /// Empty queues, on the heap (built in place: no large stack frame).
    pub fn new() -> Box<Self> {
        Box::new(Self {
            items: Queue::new(),
            bytes: Queue::new(),
            commands: Queue::new(),
            reports: Queue::new(),
            seeks: Queue::new(),
            snap_requests: Queue::new(),
            snap_replies: Queue::new(),
        })
    }

    /// Each thread's ends.
    pub fn split(&mut self) -> (FeederEnds<'_>, AudioEnds<'_>, ControlEnds<'_>) {
        let (items_p, items_c) = self.items.split();
        let (bytes_p, bytes_c) = self.bytes.split();
        let (cmd_p, cmd_c) = self.commands.split();
        let (reports_p, reports_c) = self.reports.split();
        let (seeks_p, seeks_c) = self.seeks.split();
        let (snap_req_p, snap_req_c) = self.snap_requests.split();
        let (snap_rep_p, snap_rep_c) = self.snap_replies.split();
        (
            FeederEnds {
                sink: QueueSink::new(items_p, bytes_p),
                seeks: seeks_c,
            },
            AudioEnds {
                items: items_c,
                bytes: bytes_c,
                commands: cmd_c,
                reports: reports_p,
                snap_requests: snap_req_c,
                snap_replies: snap_rep_p,
            },
            ControlEnds {
                commands: cmd_p,
                reports: reports_c,
                seeks: seeks_p,
                snap_requests: snap_req_p,
                snap_replies: snap_rep_c,
            },
        )
    }
}
