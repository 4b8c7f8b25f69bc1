//! The monotonic timer that paces `host play --port`'s engine thread (one
//! period ahead of the sequencer queue it fills): an origin on
//! `CLOCK_MONOTONIC`, each output frame's time after it, and absolute sleeps.
//!
//! *Real-time rules* (this thread is not the audio thread, it has its
//! own): it sleeps only with `clock_nanosleep(CLOCK_MONOTONIC,
//! TIMER_ABSTIME)`, so a wake-up that comes late never shifts the times
//! after it (no drift accumulates); it reads the clock through the vDSO
//! (no system call); no allocation, no lock. [`sleep_until_ns`] returns how
//! late the thread woke.

/// Nanoseconds on `CLOCK_MONOTONIC`.
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime fills the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Sleeps until `deadline_ns` on `CLOCK_MONOTONIC` (returns at once if it
/// has passed); returns how late the thread woke, in ns.
pub fn sleep_until_ns(deadline_ns: u64) -> u64 {
    let ts = libc::timespec {
        tv_sec: (deadline_ns / 1_000_000_000) as libc::time_t,
        tv_nsec: (deadline_ns % 1_000_000_000) as libc::c_long,
    };
    loop {
        if now_ns() >= deadline_ns {
            break;
        }
        // SAFETY: a valid timespec; no remaining-time output with TIMER_ABSTIME.
        let r = unsafe {
            libc::clock_nanosleep(
                libc::CLOCK_MONOTONIC,
                libc::TIMER_ABSTIME,
                &ts,
                std::ptr::null_mut(),
            )
        };
        // EINTR (a signal): sleep again to the same deadline.
        if r != libc::EINTR {
            break;
        }
    }
    now_ns().saturating_sub(deadline_ns)
}

/// Output frames at a fixed rate from an origin on the monotonic clock.
#[derive(Clone, Copy, Debug)]
pub struct Pacer {
    origin_ns: u64,
    rate: u32,
}

impl Pacer {
    /// Frame 0 is `lead_ns` from now.
    pub fn start(rate: u32, lead_ns: u64) -> Self {
        Self {
            origin_ns: now_ns() + lead_ns,
            rate: rate.max(1),
        }
    }

    /// When output frame `frame` is due, in ns on the monotonic clock.
    pub fn due_ns(&self, frame: u64) -> u64 {
        let rate = u64::from(self.rate);
        self.origin_ns + frame / rate * 1_000_000_000 + frame % rate * 1_000_000_000 / rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_map_to_exact_nanoseconds() {
        let p = Pacer {
            origin_ns: 1_000,
            rate: 48_000,
        };
        assert_eq!(p.due_ns(0), 1_000);
        assert_eq!(p.due_ns(48_000), 1_000_001_000);
        assert_eq!(p.due_ns(24), 501_000);
        // No overflow after days of frames.
        assert_eq!(
            p.due_ns(48_000 * 86_400 * 30),
            1_000 + 86_400 * 30 * 1_000_000_000
        );
    }

    #[test]
    fn sleeping_reaches_the_deadline_and_never_returns_early() {
        let t = now_ns();
        let late = sleep_until_ns(t + 2_000_000);
        assert!(now_ns() >= t + 2_000_000);
        assert!(late < 1_000_000_000);
        // A deadline in the past returns at once.
        assert!(sleep_until_ns(t) >= 2_000_000);
    }
}
