//! The real-time audio test bed (`scripts/audio-testbed`: JACK's dummy
//! driver and a PulseAudio null sink behind ALSA plugins) for the tests
//! that play. It is started once per test binary (idempotent; it installs
//! its packages when missing); if it cannot start, every test that needs
//! it fails with the reason — none is skipped. Tests that use it run one
//! at a time ([`serial`]): they share the paced devices.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The test bed's script.
pub fn script() -> PathBuf {
    repo().join("scripts/audio-testbed")
}

/// Starts the test bed once; returns its environment.
pub fn env() -> &'static Vec<(String, String)> {
    static ENV: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ENV.get_or_init(|| {
        let out = Command::new(script())
            .arg("start")
            .output()
            .expect("run scripts/audio-testbed start");
        assert!(
            out.status.success(),
            "the audio test bed did not start ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let env = Command::new(script())
            .arg("env")
            .output()
            .expect("audio-testbed env");
        String::from_utf8_lossy(&env.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
            .collect()
    })
}

/// Holds the test bed for one test.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// `host` with the test bed's environment (and no configuration file).
pub fn host() -> Command {
    let mut c = super::host();
    for (k, v) in env() {
        c.env(k, v);
    }
    c
}

/// Runs `host play -s SOUNDFONT ARGS` on the test bed.
pub fn play(args: &[&str]) -> Output {
    host()
        .arg("play")
        .args(["-s", super::soundfont()])
        .args(args)
        .output()
        .expect("run host play")
}
