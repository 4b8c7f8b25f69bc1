//! Real-time scheduling for the audio thread: `SCHED_FIFO` and locked
//! memory. Refusals are recorded (the control thread warns once) and
//! playback goes on at normal priority.
//!
//! *Real-time*: called once when the audio thread starts, before its loop.

use std::sync::atomic::{AtomicU8, Ordering};

/// `SCHED_FIFO` priority of the audio thread (FluidSynth's default for its
/// own audio thread; below a JACK server's usual 70).
pub const PRIORITY: i32 = 60;

/// Below this `RLIMIT_MEMLOCK`, memory is not locked: `mlockall(MCL_FUTURE)`
/// under a small limit would make later allocations fail.
const MIN_MEMLOCK: u64 = 1 << 30;

const UNTRIED: u8 = 0;
const GRANTED: u8 = 1;
const REFUSED: u8 = 2;

static SCHED: AtomicU8 = AtomicU8::new(UNTRIED);
static LOCKED: AtomicU8 = AtomicU8::new(UNTRIED);
static WARNED: AtomicU8 = AtomicU8::new(0);

/// Asks for `SCHED_FIFO` for the calling thread; returns whether granted.
pub fn make_realtime() -> bool {
    if std::env::var_os("SMFPLAY_NO_RT").is_some() {
        SCHED.store(REFUSED, Ordering::Relaxed);
        return false;
    }
    let param = libc::sched_param {
        sched_priority: PRIORITY,
    };
    // SAFETY: plain system call on the calling thread.
    let rc = unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
    SCHED.store(if rc == 0 { GRANTED } else { REFUSED }, Ordering::Relaxed);
    rc == 0
}

/// Locks the process's memory once (later calls do nothing).
// rlim_t is 32 bits on armhf.
#[allow(clippy::unnecessary_cast)]
pub fn lock_memory() {
    if LOCKED.load(Ordering::Relaxed) != UNTRIED {
        return;
    }
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls.
    let ok = unsafe {
        if libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut lim) == 0
            && lim.rlim_cur != libc::RLIM_INFINITY
            && (lim.rlim_cur as u64) < MIN_MEMLOCK
        {
            // Raise the soft limit as far as allowed (root: unlimited).
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            let unlimited = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            if libc::setrlimit(libc::RLIMIT_MEMLOCK, &unlimited) != 0 {
                libc::setrlimit(libc::RLIMIT_MEMLOCK, &raised);
            }
            libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut lim);
        }
        (lim.rlim_cur == libc::RLIM_INFINITY || lim.rlim_cur as u64 >= MIN_MEMLOCK)
            && libc::mlockall(libc::MCL_CURRENT | libc::MCL_FUTURE) == 0
    };
    LOCKED.store(if ok { GRANTED } else { REFUSED }, Ordering::Relaxed);
}

/// The warning to print, once, if something was refused (`None` when all
/// was granted or it was already said).
pub fn warning_once() -> Option<String> {
    let sched = SCHED.load(Ordering::Relaxed);
    let locked = LOCKED.load(Ordering::Relaxed);
    if sched != REFUSED && locked != REFUSED {
        return None;
    }
    if WARNED.swap(1, Ordering::Relaxed) != 0 {
        return None;
    }
    let mut parts = Vec::new();
    if sched == REFUSED {
        parts.push(format!(
            "real-time priority (SCHED_FIFO {PRIORITY}) refused"
        ));
    }
    if locked == REFUSED {
        parts.push("memory not locked (RLIMIT_MEMLOCK too small)".to_string());
    }
    Some(format!(
        "warning: {}; playing on, but a busy machine may cause dropouts (add the user to the `audio` group with rtprio and memlock limits)",
        parts.join(", ")
    ))
}

/// Whether the audio thread runs `SCHED_FIFO`.
pub fn is_realtime() -> bool {
    SCHED.load(Ordering::Relaxed) == GRANTED
}

/// Whether memory is locked.
pub fn is_locked() -> bool {
    LOCKED.load(Ordering::Relaxed) == GRANTED
}
