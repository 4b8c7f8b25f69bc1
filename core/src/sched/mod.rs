//! Scheduling in fixed storage: a calendar queue of timed events and a pool
//! for their large payloads.
//!
//! ```
//! use smfplay_core::sched::{Calendar, EventPool, PoolHandle};
//!
//! #[derive(Debug, PartialEq)]
//! enum Ev {
//!     Short([u8; 3]),
//!     Sysex(PoolHandle),
//! }
//!
//! let mut pool: EventPool<4, 64> = EventPool::new();
//! let mut cal: Calendar<Ev, 256, 64> = Calendar::new(8); // 256-frame buckets
//!
//! let sysex = pool.alloc(&[0xF0, 0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7]).unwrap();
//! cal.insert(0, Ev::Sysex(sysex)).unwrap();
//! cal.insert(480, Ev::Short([0x90, 60, 100])).unwrap();
//!
//! // One audio period of 256 frames.
//! while let Some((_frame, ev)) = cal.pop_due(256) {
//!     if let Ev::Sysex(h) = ev {
//!         assert_eq!(pool.get(h).map(<[u8]>::len), Some(9));
//!         pool.free(h).unwrap();
//!     }
//! }
//! assert_eq!(cal.len(), 1);
//! ```
//!
//! - [`Calendar`]: events keyed by sample frame, popped in (frame,
//!   insertion) order once due; amortised O(1) insert and pop.
//! - [`EventPool`]: fixed byte blocks behind generation-checked
//!   [`PoolHandle`]s, O(1) alloc and free.
//!
//! *Real-time*: nothing here allocates or blocks, and every call is bounded
//! (see each module for the bounds).
//!
//! *Errors*: a full calendar hands the item back in [`Full`]; the pool
//! reports [`PoolError`]. [`Calendar::reset_cursor`] on a non-empty calendar
//! is [`NotEmpty`].
//!
//! *Panics*: never at run time; bad capacities fail to compile.

pub mod calendar;
pub mod pool;

pub use calendar::{Calendar, Full, NotEmpty};
pub use pool::{EventPool, PoolError, PoolHandle};
