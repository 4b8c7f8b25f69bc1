//! `--verbose` (`-v`, repeatable): what a user debugging a setup needs,
//! on standard error as `host: …` lines: the SoundFont chosen and why, the
//! ALSA parameters negotiated, the priority and memory locking obtained
//! (`-v`); FluidSynth's own warnings (`-v`) and its information and debug
//! lines (`-vv`).
//!
//! *Real-time*: never called on the audio thread (the level is an atomic
//! it may read, but it prints nothing).

use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(0);

/// Sets the level (the number of `-v`).
pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

/// The level (0: not verbose).
pub fn level() -> u8 {
    LEVEL.load(Ordering::Relaxed)
}

/// Prints `line` on standard error when the level is at least `min`.
pub fn say(min: u8, line: &str) {
    if level() >= min {
        eprintln!("host: {line}");
    }
}
