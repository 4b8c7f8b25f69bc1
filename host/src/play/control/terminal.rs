//! The terminal while the live display runs: keys without Enter and
//! without echo (`ICANON` and `ECHO` off; `ISIG` stays on, so Ctrl-C is
//! still SIGINT, but Ctrl-Z is disabled), non-blocking reads, a hidden cursor — and the terminal
//! put back as it was on every way out: [`RawTerminal`]'s drop (normal end
//! and errors), a panic hook (which runs before the release profile's
//! abort), and the second stop signal's immediate exit
//! ([`restore_from_signal`], async-signal-safe).
//!
//! Between rounds the control thread waits for a key with `poll(2)`
//! ([`RawTerminal::wait_for_keys`]), so a key is acted on as it is typed.
//!
//! *Real-time*: control thread only (and the signal handler's restore).

use std::os::fd::AsFd;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::stdio::{stdin, stdout};
use rustix::termios::{LocalModes, OptionalActions, SpecialCodeIndex, Termios};

/// The settings to restore, saved once.
static SAVED: OnceLock<Termios> = OnceLock::new();
/// Whether the terminal is changed now.
static CHANGED: AtomicBool = AtomicBool::new(false);

/// Shows the cursor and resets colours.
const SHOW_CURSOR: &[u8] = b"\x1b[0m\x1b[?25h";
/// Hides the cursor.
pub const HIDE_CURSOR: &str = "\x1b[?25l";

/// Raw keys on standard input and a hidden cursor on standard output,
/// until dropped.
pub struct RawTerminal {
    keys: bool,
}

impl RawTerminal {
    /// Takes over the terminal: keys only if standard input is a terminal.
    pub fn enter() -> Self {
        // A player started in the background (`&`) would be stopped by
        // SIGTTOU/SIGTTIN when it touches the terminal: no keys then.
        let keys = stdin_is_terminal() && in_foreground() && save_and_set_raw();
        CHANGED.store(true, Ordering::SeqCst);
        install_panic_hook();
        write_out(HIDE_CURSOR.as_bytes());
        Self { keys }
    }

    /// Whether keys are read.
    pub fn has_keys(&self) -> bool {
        self.keys
    }

    /// Waits until a key is typed, `timeout` passes or a signal comes.
    /// Without keys (or once the terminal hung up) it just sleeps.
    pub fn wait_for_keys(&mut self, timeout: std::time::Duration) {
        if self.keys {
            match wait_readable(stdin(), timeout) {
                Input::Ready | Input::Quiet => return,
                // Hung up: no more keys, and no busy loop on a dead fd.
                Input::Closed => self.keys = false,
            }
        }
        std::thread::sleep(timeout);
    }

    /// Reads what was typed, without waiting; empty when nothing was.
    pub fn read_keys(&self, buf: &mut [u8; 64]) -> usize {
        if !self.keys {
            return 0;
        }
        // VMIN = VTIME = 0 makes the read return at once.
        rustix::io::read(stdin(), &mut buf[..]).unwrap_or(0)
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        restore();
    }
}

fn stdin_is_terminal() -> bool {
    rustix::termios::isatty(stdin())
}

fn in_foreground() -> bool {
    rustix::termios::tcgetpgrp(stdin()).is_ok_and(|p| p == rustix::process::getpgrp())
}

fn save_and_set_raw() -> bool {
    let Ok(t) = rustix::termios::tcgetattr(stdin()) else {
        return false;
    };
    let mut raw = SAVED.get_or_init(|| t).clone();
    raw.local_modes &= !(LocalModes::ICANON | LocalModes::ECHO);
    // Ctrl-Z would stop the player with the terminal still changed (and
    // the device running dry): it does nothing while the display runs.
    raw.special_codes[SpecialCodeIndex::VSUSP] = 0;
    raw.special_codes[SpecialCodeIndex::VMIN] = 0;
    raw.special_codes[SpecialCodeIndex::VTIME] = 0;
    rustix::termios::tcsetattr(stdin(), OptionalActions::Now, &raw).is_ok()
}

/// write(2) to standard output (async-signal-safe: a plain system call).
fn write_out(bytes: &[u8]) {
    let _ = rustix::io::write(stdout(), bytes);
}

/// Puts the terminal back (once; later calls do nothing).
pub fn restore() {
    if !CHANGED.swap(false, Ordering::SeqCst) {
        return;
    }
    if let Some(t) = SAVED.get() {
        let _ = rustix::termios::tcsetattr(stdin(), OptionalActions::Now, t);
    }
    write_out(SHOW_CURSOR);
}

/// [`restore`] from a signal handler: only atomics, `tcsetattr` and
/// `write`, which are async-signal-safe.
pub fn restore_from_signal() {
    restore();
    write_out(b"\r\n");
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            write_out(b"\r\n");
            previous(info);
        }));
    });
}

/// What waiting for input found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Something to read.
    Ready,
    /// Nothing before the timeout, or a signal came.
    Quiet,
    /// Hung up, or not readable at all.
    Closed,
}

/// Waits up to `timeout` for input on `fd` (`poll(2)`).
pub fn wait_readable(fd: impl AsFd, timeout: std::time::Duration) -> Input {
    let mut p = [PollFd::new(&fd, PollFlags::IN)];
    let timeout = Timespec {
        tv_sec: timeout.as_secs().min(i32::MAX as u64) as _,
        tv_nsec: timeout.subsec_nanos().into(),
    };
    let n = rustix::event::poll(&mut p, Some(&timeout)).unwrap_or(0);
    if n == 0 {
        // Timed out, or interrupted by a signal (the caller looks at it).
        Input::Quiet
    } else if p[0].revents().contains(PollFlags::IN) {
        Input::Ready
    } else {
        Input::Closed
    }
}

/// Columns and rows of the terminal on standard output, if it is one.
pub fn size() -> Option<(usize, usize)> {
    let ws = rustix::termios::tcgetwinsize(stdout()).ok()?;
    (ws.ws_col > 0).then_some((usize::from(ws.ws_col), usize::from(ws.ws_row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A typed byte ends the wait (well before a 60 s timeout); nothing
    /// typed waits the timeout out; a hang-up is told apart, so the
    /// control loop does not spin on it.
    #[test]
    fn waiting_for_keys_wakes_on_input_and_on_hang_up() {
        use std::time::{Duration, Instant};
        let (r, w) = rustix::pipe::pipe().unwrap();
        let t = Instant::now();
        assert_eq!(wait_readable(&r, Duration::from_millis(30)), Input::Quiet);
        assert!(t.elapsed() >= Duration::from_millis(30));
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            assert_eq!(rustix::io::write(&w, b"q").unwrap(), 1);
            w
        });
        let t = Instant::now();
        assert_eq!(wait_readable(&r, Duration::from_secs(60)), Input::Ready);
        assert!(t.elapsed() < Duration::from_secs(60));
        let w = writer.join().unwrap();
        // Unread input stays ready; once read and the writer is gone, the
        // fd is hung up.
        assert_eq!(wait_readable(&r, Duration::ZERO), Input::Ready);
        let mut b = [0u8; 4];
        assert_eq!(rustix::io::read(&r, &mut b).unwrap(), 1);
        drop(w);
        assert_eq!(wait_readable(&r, Duration::from_secs(60)), Input::Closed);
    }

    /// A panic while the display runs puts the terminal back (the hook
    /// runs before unwinding, and before the release profile's abort).
    #[test]
    fn a_panic_restores_the_terminal() {
        let term = RawTerminal::enter();
        assert!(CHANGED.load(Ordering::SeqCst));
        let result = std::panic::catch_unwind(|| panic!("test panic with the display up"));
        assert!(result.is_err());
        assert!(
            !CHANGED.load(Ordering::SeqCst),
            "the panic hook did not restore the terminal"
        );
        drop(term);
    }
}
