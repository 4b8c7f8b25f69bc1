//! The PipeWire test bed (`scripts/pipewire-testbed`: a private PipeWire
//! server with a sink that records what it receives, WirePlumber and a
//! D-Bus session bus; ALSA's `default` leads to it through pipewire-alsa
//! for the processes it runs) for the tests that play through PipeWire:
//! its environment, `host` with it, the sink's recordings, the server's
//! missed cycles, one test at a time ([`serial`]).
//! Not real-time code: test helpers.
//!
//! The tests never start the test bed nor install anything: `scripts/test`
//! starts it around its cargo test stage and sets
//! `SMFPLAY_PIPEWIRE_TESTBED=1`, which `host/build.rs` turns into
//! `cfg(pipewire_testbed)`. Every test that uses it carries
//!
//! ```text
//! #[cfg_attr(not(pipewire_testbed), ignore = "needs the PipeWire test bed: run scripts/test")]
//! ```
//!
//! By hand: `scripts/pipewire-testbed start && SMFPLAY_PIPEWIRE_TESTBED=1
//! cargo test -p smfplay-host --test play_pipewire; scripts/pipewire-testbed
//! stop`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The test bed's script.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/pipewire-testbed")
}

/// Environment variables that would send a client elsewhere than the test
/// bed (another server, another ALSA configuration).
const FOREIGN_ENV: [&str; 7] = [
    "ALSA_CONFIG_PATH",
    "PIPEWIRE_REMOTE",
    "PIPEWIRE_RUNTIME_DIR",
    "PIPEWIRE_NODE",
    "PIPEWIRE_ALSA",
    "PULSE_SERVER",
    "DISPLAY",
];

/// The running test bed's environment (read once): its private `HOME`
/// (whose `.asoundrc` makes ALSA `default` PipeWire), runtime directory and
/// D-Bus address. Fails, saying what to do, when the test was built without
/// `cfg(pipewire_testbed)` or the test bed is not running.
pub fn bed() -> &'static Vec<(String, String)> {
    static ENV: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ENV.get_or_init(|| {
        if !cfg!(pipewire_testbed) {
            panic!(
                "this test uses the PipeWire test bed but runs without \
                 SMFPLAY_PIPEWIRE_TESTBED=1: give it #[cfg_attr(not(pipewire_testbed), \
                 ignore = \"needs the PipeWire test bed: run scripts/test\")]"
            );
        }
        let status = run_script(&["status"]);
        assert!(
            status.status.success(),
            "SMFPLAY_PIPEWIRE_TESTBED=1 but the PipeWire test bed is not running: start it \
             with `scripts/pipewire-testbed start` (stop it after with \
             `scripts/pipewire-testbed stop`), or run scripts/test\n{}",
            String::from_utf8_lossy(&status.stdout)
        );
        super::export_lines(&run_script(&["env"]).stdout)
    })
}

/// Runs `scripts/pipewire-testbed ARGS` (within 30 s).
pub fn run_script(args: &[&str]) -> Output {
    let child = Command::new("timeout")
        .arg("30")
        .arg(script())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scripts/pipewire-testbed");
    child.wait_with_output().expect("scripts/pipewire-testbed")
}

/// One test at a time: they share the sink and its recording.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// `host` with the test bed's environment and no configuration file:
/// `--device default` is ALSA's own lookup of `default`, which the test
/// bed's `~/.asoundrc` sends to PipeWire.
pub fn host() -> Command {
    with_bed(super::host())
}

/// `command` (a `host`, however it is run) with the test bed's environment
/// in place of anything that would send it elsewhere.
pub fn with_bed(mut c: Command) -> Command {
    for v in FOREIGN_ENV {
        c.env_remove(v);
    }
    for (k, v) in bed() {
        c.env(k, v);
    }
    c.env_remove("SMFPLAY_STALL");
    c
}

/// Runs a command, killing it (and failing) when it has not ended within
/// `limit`: nothing here may hang.
pub fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "{cmd:?} did not end within {limit:?} (killed); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("wait")
}

/// The test bed's state directory (as the script computes it).
fn state_dir() -> PathBuf {
    std::env::var_os("PIPEWIRE_TESTBED_DIR")
        .map_or_else(|| PathBuf::from("/tmp/pipewire-testbed"), PathBuf::from)
}

/// The PipeWire server's log, where it says when its graph missed a cycle:
/// "graph not finished" (the test bed runs it with `pw.node` at debug
/// level), a cycle whose samples did not all reach the sink in time. An
/// ALSA client is not told (pipewire-alsa reports an xrun only when its
/// own buffer ran dry), so the tests read it here. PipeWire logs one such
/// line per 2 s at most: [`ServerLog::mark`] waits until 2 s have passed
/// since the previous mark's span ended, so no miss in a span goes
/// unlogged.
pub struct ServerLog {
    at: u64,
}

/// When the last span of the server's log ended.
static SPAN_END: Mutex<Option<Instant>> = Mutex::new(None);

impl ServerLog {
    /// Marks the log's end now (the start of a span to check).
    pub fn mark() -> Self {
        let last = *SPAN_END.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(end) = last {
            let quiet = Duration::from_millis(2_100);
            if let Some(rest) = quiet.checked_sub(end.elapsed()) {
                std::thread::sleep(rest);
            }
        }
        Self {
            at: std::fs::metadata(state_dir().join("pipewire.log")).map_or(0, |m| m.len()),
        }
    }

    /// The cycles PipeWire says its graph missed since the mark; ends the
    /// span.
    pub fn graph_misses(self) -> usize {
        *SPAN_END.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        let log = std::fs::read(state_dir().join("pipewire.log")).unwrap_or_default();
        let since = log.get(self.at as usize..).unwrap_or_default();
        String::from_utf8_lossy(since)
            .lines()
            .filter(|l| l.contains("graph not finished"))
            .count()
    }
}

/// A recording of what the test sink receives, as the graph holds it
/// (32-bit float stereo at 48 kHz), made by the sink itself inside the
/// server (see `scripts/pipewire-testbed`: a recording client such as
/// `pw-record` loses cycles of its own when the machine is loaded).
pub struct Recording {
    child: Option<Child>,
    path: PathBuf,
}

impl Recording {
    /// Starts recording into `path` (raw) and returns once the recorder
    /// reads.
    pub fn start(path: &Path) -> Self {
        let _ = std::fs::remove_file(path);
        let child = Command::new(script())
            .arg("record")
            .arg(path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the recorder");
        let mut rec = Self {
            child: Some(child),
            path: path.to_path_buf(),
        };
        let start = Instant::now();
        while !path.exists() {
            if start.elapsed() > Duration::from_secs(10) {
                rec.finish_child();
                panic!("the recorder did not start within 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        rec
    }

    /// Stops the recorder (SIGINT: it copies what the FIFO still holds
    /// and exits) and returns the recorded interleaved samples.
    pub fn stop(mut self) -> Vec<f64> {
        self.finish_child();
        let bytes = std::fs::read(&self.path).expect("read the recording");
        bytes
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap())))
            .collect()
    }

    fn finish_child(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The script execs the recorder: the child is the recorder itself.
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let start = Instant::now();
        while child.try_wait().ok().flatten().is_none() {
            if start.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the recorder did not stop within 5 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
