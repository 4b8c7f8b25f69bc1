//! Real-time scheduling for the audio thread: `SCHED_FIFO` and locked
//! memory. Refusals are recorded (the control thread warns once, and about
//! memory only when what the audio loop touches could not be locked
//! either) and playback goes on at normal priority.
//!
//! When `mlockall` is not possible (a small `RLIMIT_MEMLOCK`, typically
//! 8 MiB, of which FluidSynth's own `synth.lock-memory` already takes the
//! SoundFont's samples), [`lock_hot`] locks what the loop touches and fits:
//! the top of the audio thread's stack and the period's buffers and queues
//! (locking also faults them in, so the first periods take no page faults).
//!
//! *Real-time*: called once when the audio thread starts, before its loop.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

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
static TOLD: AtomicU8 = AtomicU8::new(0);
/// Bytes the last [`lock_hot`] locked.
static HOT_BYTES: AtomicU64 = AtomicU64::new(0);
/// Whether the last [`lock_hot`] locked everything it was given and the
/// stack ([`GRANTED`]) or not ([`REFUSED`]); [`UNTRIED`] before it ran.
static HOT: AtomicU8 = AtomicU8::new(UNTRIED);

/// Top of the audio thread's stack locked by [`lock_hot`].
const HOT_STACK: usize = 256 * 1024;

/// A memory region: address and length in bytes.
pub type Region = (usize, usize);

/// The region an object occupies.
pub fn region_of<T: ?Sized>(x: &T) -> Region {
    (
        std::ptr::from_ref(x).cast::<u8>() as usize,
        std::mem::size_of_val(x),
    )
}

/// Regions locked by [`lock_hot`]; unlocked when dropped (the next song
/// has new buffers, so locks must not pile up against the limit).
pub struct HotLock {
    regions: [Region; HOT_REGIONS],
    count: usize,
}

/// Most regions [`lock_hot`] takes (the stack is one).
pub const HOT_REGIONS: usize = 12;

impl Drop for HotLock {
    fn drop(&mut self) {
        for &(addr, len) in &self.regions[..self.count] {
            // SAFETY: unlocking a range this process locked.
            unsafe { libc::munlock(addr as *const libc::c_void, len) };
        }
    }
}

/// When memory is not all locked, locks the calling thread's stack top and
/// `regions`, each as far as `RLIMIT_MEMLOCK` allows (a region that does not
/// fit is skipped). Call on the audio thread after [`lock_memory`].
pub fn lock_hot(regions: &[Region]) -> HotLock {
    let mut lock = HotLock {
        regions: [(0, 0); HOT_REGIONS],
        count: 0,
    };
    if LOCKED.load(Ordering::Relaxed) == GRANTED {
        HOT.store(GRANTED, Ordering::Release);
        return lock;
    }
    let mut total = 0u64;
    let stack = this_stack_top(HOT_STACK);
    let mut complete = stack.is_some();
    for &(addr, len) in stack.iter().chain(regions) {
        if len == 0 {
            continue;
        }
        // SAFETY: the range is memory this process owns (a live object or
        // its own stack); mlock only pins it.
        if lock.count < HOT_REGIONS && unsafe { libc::mlock(addr as *const libc::c_void, len) } == 0
        {
            lock.regions[lock.count] = (addr, len);
            lock.count += 1;
            total += len as u64;
        } else {
            complete = false;
        }
    }
    HOT_BYTES.store(total, Ordering::Relaxed);
    HOT.store(if complete { GRANTED } else { REFUSED }, Ordering::Release);
    lock
}

/// The top `want` bytes of the calling thread's stack (where it runs).
fn this_stack_top(want: usize) -> Option<Region> {
    // SAFETY: pthread_getattr_np fills an attribute object that is then
    // read and destroyed.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if rc != 0 || size == 0 {
            return None;
        }
        let take = want.min(size);
        Some((addr as usize + size - take, take))
    }
}

/// What is locked, in words for the report.
pub fn lock_words() -> String {
    if is_locked() {
        "all (mlockall)".to_string()
    } else {
        let kib = HOT_BYTES.load(Ordering::Relaxed) / 1024;
        if kib == 0 {
            "no".to_string()
        } else {
            format!("the audio thread's stack and buffers ({kib} KiB)")
        }
    }
}

/// Bytes locked by [`lock_hot`] (0 with `mlockall`).
pub fn hot_bytes() -> u64 {
    HOT_BYTES.load(Ordering::Relaxed)
}

/// Asks for `SCHED_FIFO` for the calling thread; returns whether granted.
pub fn make_realtime() -> bool {
    if std::env::var_os("SMFPLAY_NO_RT").is_some() {
        SCHED.store(REFUSED, Ordering::Release);
        return false;
    }
    let param = libc::sched_param {
        sched_priority: PRIORITY,
    };
    // SAFETY: plain system call on the calling thread.
    let rc = unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
    SCHED.store(if rc == 0 { GRANTED } else { REFUSED }, Ordering::Release);
    rc == 0
}

/// Locks the process's memory once (later calls do nothing).
pub fn lock_memory() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    if LOCKED.load(Ordering::Relaxed) != UNTRIED {
        return;
    }
    let enough = |lim: &Rlimit| lim.current.is_none_or(|c| c >= MIN_MEMLOCK);
    let mut lim = getrlimit(Resource::Memlock);
    if !enough(&lim) {
        // Raise the soft limit as far as allowed (root: unlimited).
        let unlimited = Rlimit {
            current: None,
            maximum: None,
        };
        let raised = Rlimit {
            current: lim.maximum,
            maximum: lim.maximum,
        };
        if setrlimit(Resource::Memlock, unlimited).is_err() {
            let _ = setrlimit(Resource::Memlock, raised);
        }
        lim = getrlimit(Resource::Memlock);
    }
    let ok = enough(&lim)
        && rustix::mm::mlockall(
            rustix::mm::MlockAllFlags::CURRENT | rustix::mm::MlockAllFlags::FUTURE,
        )
        .is_ok();
    LOCKED.store(if ok { GRANTED } else { REFUSED }, Ordering::Relaxed);
}

/// The warning to print, once, if something was refused (`None` when all
/// was granted or it was already said).
pub fn warning_once() -> Option<String> {
    // Nothing to say before the audio thread has tried both (it locks
    // what its loop touches after `mlockall` was refused).
    let hot = HOT.load(Ordering::Acquire);
    let sched = SCHED.load(Ordering::Acquire);
    if hot == UNTRIED || sched == UNTRIED {
        return None;
    }
    // Memory not all locked matters only when what the audio loop touches
    // could not be locked either.
    let locked = match LOCKED.load(Ordering::Relaxed) {
        REFUSED if hot == GRANTED => GRANTED,
        other => other,
    };
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
        parts.push(format!(
            "the audio thread's memory not locked (RLIMIT_MEMLOCK too small; locked {})",
            lock_words()
        ));
    }
    Some(format!(
        "{}; playing on, but a busy machine may cause dropouts (add the user to the `audio` group with rtprio and memlock limits)",
        parts.join(", ")
    ))
}

/// For `--verbose`, once the audio thread has tried: the priority and
/// memory locking it obtained (`None` before, or once said).
pub fn obtained_once() -> Option<String> {
    if SCHED.load(Ordering::Relaxed) == UNTRIED || TOLD.swap(1, Ordering::Relaxed) != 0 {
        return None;
    }
    let priority = if is_realtime() {
        format!("SCHED_FIFO priority {PRIORITY}")
    } else {
        "normal priority (SCHED_FIFO refused)".to_string()
    };
    Some(format!(
        "audio thread: {priority}; memory locked: {}",
        lock_words()
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
