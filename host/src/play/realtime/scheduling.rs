//! Real-time scheduling for the audio thread: `SCHED_FIFO` and locked
//! memory. Refusals are recorded (the control thread warns once, and about
//! memory only when what the audio loop touches could not be locked
//! either) and playback goes on at normal priority.
//!
//! `SCHED_FIFO` is asked of the kernel first (allowed to root, or by
//! `RLIMIT_RTPRIO`). When the kernel says `EPERM`, the audio thread only
//! publishes its kernel thread id ([`rustix::thread::gettid`]) and goes on
//! into its loop; the control thread, at its next round (within 50 ms),
//! asks rtkit for real-time priority over the system D-Bus (rtkit-daemon
//! grants `SCHED_RR` at its `MaxRealtimePriority`, 20, by default)
//! ([`crate::play::control::rtkit`]) and records the outcome here
//! ([`ask_rtkit_if_needed`]). The D-Bus request is not made on the audio
//! thread, not even before its loop: it connects, allocates and may wait
//! for rtkit (which asks polkit) up to its timeout, and the song must not
//! start late for it; a few periods at normal priority cost nothing.
//!
//! rtkit only grants threads of processes whose `RLIMIT_RTTIME` is at most
//! its `RTTimeUSecMax` (200 ms by default): a real-time thread that runs
//! that long without blocking is killed (`SIGKILL`) by the kernel, and gets
//! `SIGXCPU` at the soft limit. We set the hard limit to rtkit's maximum
//! and the soft one to half of it; the `SIGXCPU` handler
//! ([`drop_realtime_from_signal`]) puts the audio thread back to normal
//! priority, so the process is never killed, and the control thread warns
//! once. The audio thread blocks in every device write, so this only
//! happens on a device that does not pace (ALSA's `null`) or a machine so
//! overloaded that one period's work takes 100 ms.
//!
//! When `mlockall` is not possible (a small `RLIMIT_MEMLOCK`, typically
//! 8 MiB, of which FluidSynth's own `synth.lock-memory` already takes the
//! SoundFont's samples), [`lock_hot`] locks what the loop touches and fits:
//! the top of the audio thread's stack and the period's buffers and queues
//! (locking also faults them in, so the first periods take no page faults).
//!
//! *Real-time*: [`make_realtime`], [`lock_memory`] and [`lock_hot`] run
//! once on the audio thread, before its loop; [`drop_realtime_from_signal`]
//! is async-signal-safe; [`ask_rtkit_if_needed`] and the words for the
//! warnings and reports run on the control thread only (D-Bus, allocation,
//! locks).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU32, AtomicU64, Ordering};

/// `SCHED_FIFO` priority of the audio thread (FluidSynth's default for its
/// own audio thread; below a JACK server's usual 70).
pub const PRIORITY: i32 = 60;

/// Below this `RLIMIT_MEMLOCK`, memory is not locked: `mlockall(MCL_FUTURE)`
/// under a small limit would make later allocations fail.
const MIN_MEMLOCK: u64 = 1 << 30;

const UNTRIED: u8 = 0;
const GRANTED: u8 = 1;
const REFUSED: u8 = 2;
/// The kernel refused `SCHED_FIFO` (`EPERM`): rtkit is to be asked.
const ASK_RTKIT: u8 = 3;
/// rtkit granted `SCHED_FIFO`.
const BY_RTKIT: u8 = 4;

static SCHED: AtomicU8 = AtomicU8::new(UNTRIED);
/// The audio thread's kernel thread id, published for rtkit (0: none).
static AUDIO_TID: AtomicI32 = AtomicI32::new(0);
/// The `SCHED_FIFO` priority the audio thread runs at (0: normal).
static PRIORITY_NOW: AtomicU32 = AtomicU32::new(0);
/// Set by the `SIGXCPU` handler when it took real-time priority back.
static DROPPED: AtomicBool = AtomicBool::new(false);
static DROP_WARNED: AtomicBool = AtomicBool::new(false);
/// Why real time was refused, in words for the warning (control side).
static REFUSAL: Mutex<String> = Mutex::new(String::new());
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

/// Whether `SMFPLAY_NO_RT` says not to ask for real-time priority at all.
fn not_asked_for() -> bool {
    std::env::var_os("SMFPLAY_NO_RT").is_some()
}

/// Asks the kernel for `SCHED_FIFO` for the calling thread; returns
/// whether granted. When refused for want of permission, publishes the
/// thread's id for the control thread to ask rtkit
/// ([`ask_rtkit_if_needed`]).
pub fn make_realtime() -> bool {
    if not_asked_for() {
        set_refusal("not asked for (SMFPLAY_NO_RT is set)".to_string());
        SCHED.store(REFUSED, Ordering::Release);
        return false;
    }
    AUDIO_TID.store(
        rustix::thread::gettid().as_raw_nonzero().get(),
        Ordering::Relaxed,
    );
    let param = libc::sched_param {
        sched_priority: PRIORITY,
    };
    // SAFETY: plain system call on the calling thread.
    let rc = unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
    let state = match rc {
        0 => {
            PRIORITY_NOW.store(PRIORITY as u32, Ordering::Relaxed);
            GRANTED
        }
        libc::EPERM => ASK_RTKIT,
        _ => REFUSED,
    };
    SCHED.store(state, Ordering::Release);
    rc == 0
}

/// The audio thread is ending: its id is no longer published (the
/// `SIGXCPU` handler must not touch a thread id the kernel may reuse).
pub fn audio_thread_ended() {
    AUDIO_TID.store(0, Ordering::Relaxed);
}

/// The control thread's part: when the kernel refused the audio thread
/// `SCHED_FIFO`, asks rtkit for it (once a song; not again after rtkit
/// refused). Blocks for the D-Bus round trip. Never on the audio thread.
pub fn ask_rtkit_if_needed() {
    if SCHED.load(Ordering::Acquire) != ASK_RTKIT {
        return;
    }
    let direct = format!("the kernel's RLIMIT_RTPRIO is {}", rtprio_limit());
    let tid = AUDIO_TID.load(Ordering::Relaxed);
    if RTKIT_REFUSED.load(Ordering::Relaxed) || tid == 0 {
        // rtkit already refused this run (the warning says why), or the
        // song ended before the control thread came round.
        if tid == 0 {
            set_refusal(format!("{direct}; the song ended before rtkit was asked"));
        }
        SCHED.store(REFUSED, Ordering::Release);
        return;
    }
    // Installed before asking: rtkit's grant starts the RLIMIT_RTTIME count.
    crate::play::control::signals::install_rttime_handler();
    match crate::play::control::rtkit::make_thread_realtime(tid, PRIORITY as u32) {
        Ok(granted) => {
            PRIORITY_NOW.store(granted.priority, Ordering::Relaxed);
            if DROPPED.load(Ordering::Relaxed) {
                // SIGXCPU came already.
                PRIORITY_NOW.store(0, Ordering::Relaxed);
            }
            *RTKIT_GRANT.lock().unwrap_or_else(|p| p.into_inner()) = granted.words();
            *RTKIT_POLICY.lock().unwrap_or_else(|p| p.into_inner()) = granted.policy;
            SCHED.store(BY_RTKIT, Ordering::Release);
        }
        // rtkit granted, and the thread reached the soft RLIMIT_RTTIME
        // before the grant was read back: the drop warning says it.
        Err(_) if DROPPED.load(Ordering::Relaxed) => {
            PRIORITY_NOW.store(0, Ordering::Relaxed);
            SCHED.store(BY_RTKIT, Ordering::Release);
        }
        Err(why) => {
            RTKIT_REFUSED.store(true, Ordering::Relaxed);
            set_refusal(format!("{direct}, and rtkit: {why}"));
            SCHED.store(REFUSED, Ordering::Release);
        }
    }
}

/// rtkit refused once: not asked again this run.
static RTKIT_REFUSED: AtomicBool = AtomicBool::new(false);

/// How rtkit's grant is said by `--verbose` (control side).
static RTKIT_GRANT: Mutex<String> = Mutex::new(String::new());
/// The policy rtkit chose (`SCHED_RR` by default).
static RTKIT_POLICY: Mutex<&str> = Mutex::new("");

/// The soft and hard `RLIMIT_RTPRIO`, in words ("0", "0/95").
fn rtprio_limit() -> String {
    use rustix::process::{Resource, getrlimit};
    let lim = getrlimit(Resource::Rtprio);
    let word = |v: Option<u64>| v.map_or_else(|| "unlimited".to_string(), |v| v.to_string());
    if lim.current == lim.maximum {
        word(lim.current)
    } else {
        format!("{}/{}", word(lim.current), word(lim.maximum))
    }
}

fn set_refusal(why: String) {
    *REFUSAL.lock().unwrap_or_else(|p| p.into_inner()) = why;
}

fn refusal() -> String {
    REFUSAL.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The `SIGXCPU` handler's work: the audio thread ran the soft
/// `RLIMIT_RTTIME` without blocking; it goes back to normal priority
/// before the hard limit's `SIGKILL`. Async-signal-safe (one system call
/// and atomics).
pub fn drop_realtime_from_signal() {
    let tid = AUDIO_TID.load(Ordering::Relaxed);
    if tid == 0 {
        return;
    }
    let param = libc::sched_param { sched_priority: 0 };
    // rtkit set SCHED_RESET_ON_FORK, which an unprivileged process may not
    // clear: it is kept. (`RLIMIT_RTTIME` only counts real-time threads,
    // so the signal means rtkit's grant.)
    let policy = libc::SCHED_OTHER | libc::SCHED_RESET_ON_FORK;
    // SAFETY: a plain system call on a thread of this process (a process
    // may always lower its own threads to SCHED_OTHER); async-signal-safe.
    if unsafe { libc::sched_setscheduler(tid, policy, &param) } == 0 {
        PRIORITY_NOW.store(0, Ordering::Relaxed);
        DROPPED.store(true, Ordering::Relaxed);
    }
}

/// The warning, once a run, after the `SIGXCPU` handler took real-time
/// priority back (`None` otherwise).
pub fn dropped_warning_once() -> Option<String> {
    if !DROPPED.load(Ordering::Relaxed) || DROP_WARNED.swap(true, Ordering::Relaxed) {
        return None;
    }
    Some(format!(
        "real-time priority dropped: the audio thread ran {} ms without waiting for the device \
         (RLIMIT_RTTIME, as rtkit requires); playing on at normal priority (a device that does \
         not pace, such as `null`, or a machine too busy for one period)",
        crate::play::control::rtkit::soft_rttime_us() / 1000
    ))
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
    if hot == UNTRIED || sched == UNTRIED || sched == ASK_RTKIT {
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
        let why = refusal();
        parts.push(if why.is_empty() {
            format!("real-time priority (SCHED_FIFO {PRIORITY}) refused")
        } else {
            format!("real-time priority (SCHED_FIFO {PRIORITY}) refused: {why}")
        });
    }
    if locked == REFUSED {
        parts.push(format!(
            "the audio thread's memory not locked (RLIMIT_MEMLOCK too small; locked {})",
            lock_words()
        ));
    }
    Some(format!(
        "{}; playing on, but a busy machine may cause dropouts ({})",
        parts.join(", "),
        if sched == REFUSED && not_asked_for() {
            "unset SMFPLAY_NO_RT to ask for it"
        } else if sched == REFUSED {
            "install rtkit (Debian package `rtkit`), or add the user to the `audio` group with \
             `@audio - rtprio 95` and `@audio - memlock unlimited` in /etc/security/limits.conf"
        } else {
            "add the user to the `audio` group with `@audio - memlock unlimited` in \
             /etc/security/limits.conf"
        }
    ))
}

/// For `--verbose`, once the audio thread has tried: the priority and
/// memory locking it obtained (`None` before, or once said).
pub fn obtained_once() -> Option<String> {
    let sched = SCHED.load(Ordering::Acquire);
    if sched == UNTRIED || sched == ASK_RTKIT || TOLD.swap(1, Ordering::Relaxed) != 0 {
        return None;
    }
    let priority = match sched {
        GRANTED => format!("SCHED_FIFO priority {PRIORITY} (sched_setscheduler)"),
        BY_RTKIT if PRIORITY_NOW.load(Ordering::Relaxed) == 0 => {
            "normal priority (rtkit's real-time given back at SIGXCPU)".to_string()
        }
        BY_RTKIT => format!(
            "{} priority {} through rtkit ({})",
            RTKIT_POLICY.lock().unwrap_or_else(|p| p.into_inner()),
            PRIORITY_NOW.load(Ordering::Relaxed),
            RTKIT_GRANT.lock().unwrap_or_else(|p| p.into_inner())
        ),
        _ => format!("normal priority (SCHED_FIFO refused: {})", refusal()),
    };
    Some(format!(
        "audio thread: {priority}; memory locked: {}",
        lock_words()
    ))
}

/// Whether the audio thread runs `SCHED_FIFO`.
pub fn is_realtime() -> bool {
    priority() > 0
}

/// The audio thread's `SCHED_FIFO` priority (0: normal priority).
pub fn priority() -> u32 {
    match SCHED.load(Ordering::Acquire) {
        GRANTED | BY_RTKIT => PRIORITY_NOW.load(Ordering::Relaxed),
        _ => 0,
    }
}

/// Who granted real-time priority: `"kernel"` (`sched_setscheduler`),
/// `"rtkit"`, or `None`.
pub fn granted_by() -> Option<&'static str> {
    match SCHED.load(Ordering::Acquire) {
        GRANTED => Some("kernel"),
        BY_RTKIT if PRIORITY_NOW.load(Ordering::Relaxed) > 0 => Some("rtkit"),
        _ => None,
    }
}

/// Whether memory is locked.
pub fn is_locked() -> bool {
    LOCKED.load(Ordering::Relaxed) == GRANTED
}
