//! The real-time audio test bed (`scripts/audio-testbed`: JACK's dummy
//! driver and a PulseAudio null sink behind ALSA plugins) for the tests
//! that play: its environment, `host play` with it, one test at a time
//! ([`serial`]: they share the paced devices), scratch files, JSON event
//! lines. Not real-time code: test helpers.
//!
//! The tests never start the test bed nor install anything: `scripts/test`
//! starts it before its cargo test stage (and stops it on exit) and sets
//! `SMFPLAY_TESTBED=1`, which `host/build.rs` turns into `cfg(testbed)`.
//! Every test that uses it carries
//!
//! ```text
//! #[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
//! ```
//!
//! so a plain `cargo test` reports it as ignored, with the reason, and
//! [`testbed`] fails a test that forgot the attribute. By hand:
//! `scripts/audio-testbed start && SMFPLAY_TESTBED=1 cargo test -p
//! smfplay-host; scripts/audio-testbed stop`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The SoundFont the tests play with.
pub const SF2: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";
/// The test bed's rate.
pub const RATE: u32 = 48_000;

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The test bed's script.
pub fn script() -> PathBuf {
    repo().join("scripts/audio-testbed")
}

/// The running test bed's environment (read once). Fails, with what to
/// do, when the test was built without `cfg(testbed)` (it lacks the
/// attribute above) or when the test bed is not running; it never starts
/// it.
pub fn testbed() -> &'static Vec<(String, String)> {
    static ENV: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ENV.get_or_init(|| {
        if !cfg!(testbed) {
            panic!(
                "this test uses the audio test bed but runs without SMFPLAY_TESTBED=1: give it \
                 #[cfg_attr(not(testbed), ignore = \"needs the audio test bed: run scripts/test\")]"
            );
        }
        revive_if_died();
        let status = script_command()
            .arg("status")
            .output()
            .expect("run scripts/audio-testbed status");
        assert!(
            status.status.success(),
            "SMFPLAY_TESTBED=1 but the audio test bed is not running: start it with \
             `scripts/audio-testbed start` (stop it after with `scripts/audio-testbed stop`), \
             or run scripts/test\n{}",
            String::from_utf8_lossy(&status.stdout)
        );
        let env = script_command()
            .arg("env")
            .output()
            .expect("audio-testbed env");
        super::export_lines(&env.stdout)
    })
}

/// `scripts/audio-testbed` as the tests run it (`unplug`, `replug`, a
/// restart after killing jackd): never installing packages.
pub fn script_command() -> Command {
    let mut c = Command::new(script());
    c.env("AUDIO_TESTBED_NO_INSTALL", "1");
    c
}

/// One test at a time: they share the paced devices. A test bed that was
/// started (its state directory exists) but whose servers have died since
/// (JACK1 in real-time mode exits after ten late timer wake-ups in a row,
/// which a loaded VM can cause) is started again first, so one death fails
/// at most the test it happened in; a test bed never started is not started.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    if cfg!(testbed) {
        revive_if_died();
    }
    guard
}

/// Starts the test bed's servers again when its state directory exists but
/// `status` says they are not all up (never installs anything).
fn revive_if_died() {
    let dir = std::env::var_os("AUDIO_TESTBED_DIR")
        .map_or_else(|| Path::new("/tmp/audio-testbed").to_path_buf(), Into::into);
    if !dir.is_dir() {
        return;
    }
    let up = script_command()
        .arg("status")
        .output()
        .is_ok_and(|o| o.status.success());
    if !up {
        eprintln!("audio test bed: a server had stopped; starting it again");
        let _ = script_command().arg("start").output();
    }
}

/// A path in this test process's scratch directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smfplay-play-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Writes a fixture into the scratch directory.
pub fn write_fixture(name: &str, bytes: &[u8]) -> PathBuf {
    let p = scratch(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `host` with the test bed's environment (and no configuration file).
pub fn host() -> Command {
    let mut c = super::host();
    for (k, v) in testbed() {
        c.env(k, v);
    }
    c.env_remove("SMFPLAY_STALL");
    c
}

/// `host play --soundfont SF2 ARGS` with the test bed's environment.
pub fn host_play(args: &[&str]) -> Command {
    let mut c = host();
    c.arg("play").args(["--soundfont", SF2]).args(args);
    c
}

/// Runs `host play --soundfont SOUNDFONT ARGS` on the test bed.
pub fn play(args: &[&str]) -> Output {
    host()
        .arg("play")
        .args(["-s", super::soundfont()])
        .args(args)
        .output()
        .expect("run host play")
}

/// The JSON event lines of an output.
pub fn json_events(stdout: &[u8]) -> Vec<serde_json::Value> {
    super::json_lines(&String::from_utf8_lossy(stdout))
}

/// A number field of a JSON event.
pub fn field(event: &serde_json::Value, key: &str) -> Option<f64> {
    event.get(key)?.as_f64()
}

/// The first event of a kind.
pub fn event<'a>(events: &'a [serde_json::Value], kind: &str) -> Option<&'a serde_json::Value> {
    events.iter().find(|e| e["event"] == kind)
}

/// Whether the text (play's standard error) holds a JSON `stats` event
/// with the work figures.
pub fn has_stats_event(text: &str) -> bool {
    super::json_lines(text)
        .iter()
        .any(|e| e["event"] == "stats" && e["work_p99_us"].is_f64())
}

/// Waits for a child, killing it (and failing) after `limit`.
pub fn wait_with_timeout(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "host play did not end within {limit:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
