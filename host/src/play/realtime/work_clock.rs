//! The clock the engine times its per-period work with: the real one, or
//! a scripted one in the shedding tests.
//!
//! *Real-time*: read on the audio thread (`Instant::now` is a vDSO read).

use std::time::Instant;

/// Where the engine reads the time of its per-period work (the share of
/// the budget that drives load shedding, and the device-write lengths).
/// The real clock is [`MonotonicClock`]; tests drive the work directly.
pub trait WorkClock {
    /// Now (a period's work starts, or it is done and the write starts).
    fn now(&mut self) -> Instant;
}

/// The real clock: `Instant::now()` (a vDSO read, no system call).
#[derive(Clone, Copy, Debug, Default)]
pub struct MonotonicClock;

impl WorkClock for MonotonicClock {
    #[inline]
    fn now(&mut self) -> Instant {
        Instant::now()
    }
}
