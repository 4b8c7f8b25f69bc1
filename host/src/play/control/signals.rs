//! Signals: SIGINT, SIGTERM and SIGHUP ask for a clean stop (a second one
//! restores the terminal and exits at once); SIGUSR1 asks for a report.
//! The handlers only store to atomics (and `_exit` on the second stop
//! signal, which is async-signal-safe); the control thread does the rest.
//!
//! `play` installs them first thing, before the SoundFont loads and the
//! device opens ([`install_handlers_while_loading`]):
//! a stop signal then exits at once with its code (130/143/129), since a
//! SoundFont load is one long library call that cannot be interrupted and
//! nothing is playing or drawn yet. [`begin_playback`] ends that phase;
//! from then on a stop is clean (notes off, fade, drain).
//!
//! The audio and feeder threads block these signals ([`block_in_this_thread`])
//! so that they are delivered to the control thread and never interrupt
//! a device write.
//!
//! *Real-time*: the handlers are async-signal-safe; the rest runs on the
//! control thread, except [`block_in_this_thread`], called once as the
//! audio and feeder threads start, before the audio loop.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static STOP: AtomicI32 = AtomicI32::new(0);
static REPORT: AtomicBool = AtomicBool::new(false);
/// Still loading (SoundFont, device): a stop signal exits at once.
static LOADING: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(sig: libc::c_int) {
    let before = STOP.swap(sig, Ordering::SeqCst);
    if LOADING.load(Ordering::SeqCst) {
        // Nothing plays and the terminal is untouched yet.
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(128 + sig) };
    }
    if before != 0 {
        // Asked twice: stop now, with the terminal put back first (the
        // live display's restore is async-signal-safe).
        super::terminal::restore_from_signal();
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(128 + sig) };
    }
}

extern "C" fn on_report(_: libc::c_int) {
    REPORT.store(true, Ordering::SeqCst);
}

extern "C" fn on_rttime(_: libc::c_int) {
    crate::play::realtime::scheduling::drop_realtime_from_signal();
}

/// Installs the `SIGXCPU` handler (real-time priority given back when the
/// audio thread reached the soft `RLIMIT_RTTIME`).
pub fn install_rttime_handler() {
    install(libc::SIGXCPU, on_rttime);
}

fn install(sig: libc::c_int, handler: extern "C" fn(libc::c_int)) {
    // SAFETY: a zeroed sigaction with a handler that only touches atomics.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler as usize;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Installs the handlers in the loading phase: a stop exits at once until
/// [`begin_playback`].
pub fn install_handlers_while_loading() {
    LOADING.store(true, Ordering::SeqCst);
    install_handlers();
}

/// Installs the handlers: a stop is asked for, and done by the caller.
pub fn install_handlers() {
    install(libc::SIGINT, on_stop);
    install(libc::SIGTERM, on_stop);
    install(libc::SIGHUP, on_stop);
    install(libc::SIGUSR1, on_report);
}

/// Ends the loading phase: from now on a stop signal asks for a clean
/// stop. A signal that came in before is still seen by [`stop_requested`].
pub fn begin_playback() {
    LOADING.store(false, Ordering::SeqCst);
}

/// The stop signal received, if any.
pub fn stop_requested() -> Option<i32> {
    match STOP.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Whether a report was asked for since the last call.
pub fn take_report_request() -> bool {
    REPORT.swap(false, Ordering::SeqCst)
}

/// Blocks the handled signals in the calling thread.
pub fn block_in_this_thread() {
    // SAFETY: builds a signal set and masks it for this thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGUSR1] {
            libc::sigaddset(&mut set, s);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// The signal's name, e.g. "SIGINT".
pub fn name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// The exit code for a stop signal (128 + its number, as documented in
/// the README's exit codes).
pub fn exit_code(sig: i32) -> i32 {
    use crate::exit::code;
    match sig {
        libc::SIGINT => code::SIGINT,
        libc::SIGTERM => code::SIGTERM,
        libc::SIGHUP => code::SIGHUP,
        other => 128 + other,
    }
}
