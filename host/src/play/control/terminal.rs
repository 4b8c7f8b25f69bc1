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

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// The settings to restore, saved once.
static SAVED: OnceLock<libc::termios> = OnceLock::new();
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
            match wait_readable(libc::STDIN_FILENO, timeout) {
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
        // SAFETY: reads into a live buffer of its length; VMIN = VTIME = 0
        // makes the read return at once.
        let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        n.max(0) as usize
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        restore();
    }
}

fn stdin_is_terminal() -> bool {
    // SAFETY: plain query.
    unsafe { libc::isatty(libc::STDIN_FILENO) == 1 }
}

fn in_foreground() -> bool {
    // SAFETY: plain queries.
    unsafe { libc::tcgetpgrp(libc::STDIN_FILENO) == libc::getpgrp() }
}

fn save_and_set_raw() -> bool {
    // SAFETY: tcgetattr fills a zeroed termios.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } != 0 {
        return false;
    }
    let saved = *SAVED.get_or_init(|| t);
    let mut raw = saved;
    raw.c_lflag &= !(libc::ICANON | libc::ECHO);
    // Ctrl-Z would stop the player with the terminal still changed (and
    // the device running dry): it does nothing while the display runs.
    raw.c_cc[libc::VSUSP] = 0;
    raw.c_cc[libc::VMIN] = 0;
    raw.c_cc[libc::VTIME] = 0;
    // SAFETY: sets the terminal from a valid termios.
    unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw) == 0 }
}

fn write_out(bytes: &[u8]) {
    // SAFETY: write(2) of a live buffer (async-signal-safe).
    unsafe {
        libc::write(libc::STDOUT_FILENO, bytes.as_ptr().cast(), bytes.len());
    }
}

/// Puts the terminal back (once; later calls do nothing).
pub fn restore() {
    if !CHANGED.swap(false, Ordering::SeqCst) {
        return;
    }
    if let Some(t) = SAVED.get() {
        // SAFETY: the settings read at start.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t) };
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
pub fn wait_readable(fd: libc::c_int, timeout: std::time::Duration) -> Input {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: one live pollfd.
    let n = unsafe { libc::poll(&mut p, 1, ms) };
    if n <= 0 {
        // Timed out, or interrupted by a signal (the caller looks at it).
        Input::Quiet
    } else if p.revents & libc::POLLIN != 0 {
        Input::Ready
    } else {
        Input::Closed
    }
}

/// Columns and rows of the terminal on standard output, if it is one.
pub fn size() -> Option<(usize, usize)> {
    // SAFETY: TIOCGWINSZ fills a zeroed winsize.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_col > 0).then_some((usize::from(ws.ws_col), usize::from(ws.ws_row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipe() -> (libc::c_int, libc::c_int) {
        let mut fds = [0; 2];
        // SAFETY: fills two fds.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        (fds[0], fds[1])
    }

    /// A typed byte ends the wait (well before a 60 s timeout); nothing
    /// typed waits the timeout out; a hang-up is told apart, so the
    /// control loop does not spin on it.
    #[test]
    fn waiting_for_keys_wakes_on_input_and_on_hang_up() {
        use std::time::{Duration, Instant};
        let (r, w) = pipe();
        let t = Instant::now();
        assert_eq!(wait_readable(r, Duration::from_millis(30)), Input::Quiet);
        assert!(t.elapsed() >= Duration::from_millis(30));
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            // SAFETY: writes one byte from a live buffer.
            assert_eq!(unsafe { libc::write(w, b"q".as_ptr().cast(), 1) }, 1);
            w
        });
        let t = Instant::now();
        assert_eq!(wait_readable(r, Duration::from_secs(60)), Input::Ready);
        assert!(t.elapsed() < Duration::from_secs(60));
        let w = writer.join().unwrap();
        // Unread input stays ready; once read and the writer is gone, the
        // fd is hung up.
        assert_eq!(wait_readable(r, Duration::ZERO), Input::Ready);
        let mut b = [0u8; 4];
        // SAFETY: reads into a live buffer; closes our own fds.
        unsafe {
            assert_eq!(libc::read(r, b.as_mut_ptr().cast(), b.len()), 1);
            libc::close(w);
        }
        assert_eq!(wait_readable(r, Duration::from_secs(60)), Input::Closed);
        // SAFETY: our own fd.
        unsafe { libc::close(r) };
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
