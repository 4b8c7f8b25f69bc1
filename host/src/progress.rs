//! A progress bar on standard error (only when it is a terminal) and the
//! one-line summary at the end of a render.
//!
//! *Real-time*: not real-time; redraws at most 10 times a second.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress of a render in output frames.
pub struct Progress {
    enabled: bool,
    total: u64,
    rate: u32,
    throttle: Throttle,
    drawn: bool,
}

impl Progress {
    /// A bar for `total` frames at `rate`, shown when `show` and standard
    /// error is a terminal.
    pub fn new(show: bool, total: u64, rate: u32) -> Self {
        Self {
            enabled: show && std::io::stderr().is_terminal(),
            total: total.max(1),
            rate: rate.max(1),
            throttle: Throttle::default(),
            drawn: false,
        }
    }

    /// Updates the bar to `done` frames.
    pub fn update(&mut self, done: u64) {
        if !self.enabled {
            return;
        }
        if !self.throttle.ready() {
            return;
        }
        let fraction = (done as f64 / self.total as f64).clamp(0.0, 1.0);
        const WIDTH: usize = 30;
        let filled = (fraction * WIDTH as f64) as usize;
        let bar: String = (0..WIDTH)
            .map(|i| if i < filled { '#' } else { '-' })
            .collect();
        let line = format!(
            "\r[{bar}] {:3.0}% {} / {}",
            fraction * 100.0,
            clock(done as f64 / f64::from(self.rate)),
            clock(self.total as f64 / f64::from(self.rate))
        );
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
        self.drawn = true;
    }

    /// Erases the bar.
    pub fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{:60}\r", "");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Lets a redraw through at most 10 times a second.
#[derive(Default)]
pub struct Throttle {
    last: Option<Instant>,
}

impl Throttle {
    /// Whether a redraw may happen now (then it counts as done).
    pub fn ready(&mut self) -> bool {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
        {
            return false;
        }
        self.last = Some(now);
        true
    }
}

/// `m:ss.t` (or `h:mm:ss.t`).
pub fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    let (h, m, s, t) = (
        tenths / 36_000,
        tenths / 600 % 60,
        tenths / 10 % 60,
        tenths % 10,
    );
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{t}")
    } else {
        format!("{m}:{s:02}.{t}")
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn clocks() {
        assert_eq!(clock(0.0), "0:00.0");
        assert_eq!(clock(61.25), "1:01.3");
        assert_eq!(clock(3725.0), "1:02:05.0");
    }
}
