//! Helpers of the host's CLI tests: run the `host` binary, temporary
//! directories, a small WAV reader and audio measurements.
#![allow(dead_code)]

pub mod faults;
pub mod pipewire;
pub mod private_bus;
pub mod rtkit_daemon;
pub mod stand_ins;
pub mod testbed;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The SoundFont the tests render with (package `timgm6mb-soundfont`,
/// installed by `scripts/setup`).
pub const SOUNDFONT: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";

/// The SoundFont's path; panics with a clear message when it is missing
/// (tests never pass silently without it).
pub fn soundfont() -> &'static str {
    assert!(
        Path::new(SOUNDFONT).is_file(),
        "{SOUNDFONT} is missing: run scripts/setup (Debian package timgm6mb-soundfont)"
    );
    SOUNDFONT
}

/// The `host` binary built by cargo for these tests, with no SoundFont
/// from the environment and no configuration file (the user's own must
/// not change what the tests see).
pub fn host() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_host"));
    c.env_remove("SMFPLAY_SOUNDFONT")
        .env("XDG_CONFIG_HOME", no_config_home())
        .env(
            "SMFPLAY_SYSTEM_CONFIG",
            "/nonexistent/smfplay-system-config.toml",
        );
    c
}

/// An `XDG_CONFIG_HOME` that holds no configuration (a directory that
/// does not exist, under the temporary directory anyone may look in).
pub fn no_config_home() -> PathBuf {
    std::env::temp_dir().join("smfplay-tests-no-config-home")
}

/// `host` as an unprivileged user when the tests run as root (root reads
/// files whatever their mode, so "unreadable" needs another user);
/// `setpriv` is util-linux's, on every Debian.
pub fn host_unprivileged() -> Command {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return host();
    }
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(binary_anyone_can_run())
        .env_remove("SMFPLAY_SOUNDFONT")
        // Not no_config_home(): root's runs may have created that one
        // (libpulse makes $XDG_CONFIG_HOME/pulse, mode 0700).
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("smfplay-tests-no-config-home-unprivileged"),
        );
    c
}

/// A copy of the `host` binary in the temporary directory, which any user
/// can reach (the build directory may sit under a home only root enters).
fn binary_anyone_can_run() -> &'static Path {
    use std::os::unix::fs::PermissionsExt;
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        // Copies left by earlier runs whose process is gone are removed.
        for entry in std::fs::read_dir(std::env::temp_dir())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix("smfplay-host-bin-"))
                .and_then(|p| p.parse::<i32>().ok())
            else {
                continue;
            };
            // SAFETY: signal 0 only checks that the process exists.
            let gone = unsafe { libc::kill(pid, 0) } != 0
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
            if gone {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = std::env::temp_dir().join(format!("smfplay-host-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the binary's directory");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = dir.join("host");
        std::fs::copy(env!("CARGO_BIN_EXE_host"), &bin).expect("copy the host binary");
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    })
}

/// The one error line of a failed run: asserts the exit code, that
/// standard error holds exactly one line besides warnings (`host:
/// warning: …`, about other things, such as real-time limits), that it
/// starts with `host: SUBJECT: ` and contains every one of `words`.
/// Returns the line.
pub fn error_line(out: &Output, code: i32, subject: &str, words: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit {:?}, want {code}; stderr: {stderr}",
        out.status
    );
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("host: warning:"))
        .collect();
    assert_eq!(lines.len(), 1, "want one error line, got: {stderr}");
    let line = lines[0];
    assert!(
        line.starts_with(&format!("host: {subject}: ")),
        "the line does not name {subject}: {line}"
    );
    for w in words {
        assert!(line.contains(w), "no {w:?} in: {line}");
    }
    line.to_string()
}

/// The `host: warning:` lines of standard error.
pub fn warnings(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("host: warning:"))
        .map(str::to_string)
        .collect()
}

/// `host` as root without `CAP_SYS_NICE` and with `RLIMIT_RTPRIO` 0 (a
/// desktop user's lot: the kernel refuses it `SCHED_FIFO`), still root
/// for what else root may reach (a private sound server's socket).
/// util-linux's `prlimit` and `setpriv`: the capability leaves the
/// bounding and inheritable sets, so `host` does not get it back at exec.
pub fn host_without_sys_nice() -> Command {
    let bin = host();
    let mut c = Command::new("prlimit");
    c.args(["--rtprio=0:0", "setpriv"])
        .args(["--inh-caps=-sys_nice", "--bounding-set=-sys_nice", "--"])
        .arg(bin.get_program());
    for (k, v) in bin.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c
}

/// The variables of a test bed script's `env` output (`export K='V'`
/// lines).
pub fn export_lines(text: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

/// Runs `host ARGS`, returning its output.
pub fn run(args: &[&str]) -> Output {
    host().args(args).output().expect("run host")
}

/// `host info`'s duration (`0:01.0`).
pub fn info_duration(mid: &str) -> String {
    let text = String::from_utf8(run_ok(&["info", mid])).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Duration:"))
        .expect("a duration line");
    line.split_whitespace().next().unwrap().to_string()
}

/// Runs `host ARGS` and asserts success; returns stdout.
pub fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = run(args);
    assert!(
        out.status.success(),
        "host {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A fresh temporary directory for one test, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("smfplay-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    /// A path in the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to `name` and returns the path as a string.
    pub fn write(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write temp file");
        p.to_str().expect("utf-8 path").to_string()
    }

    /// `name`'s path as a string.
    pub fn s(&self, name: &str) -> String {
        self.path(name).to_str().expect("utf-8 path").to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A decoded stereo WAV.
#[derive(Debug, Clone)]
pub struct Wav {
    pub rate: u32,
    pub channels: u16,
    pub format_tag: u16,
    pub bits: u16,
    /// Declared sizes (RIFF, data) as in the header.
    pub riff_size: u32,
    pub data_size: u32,
    /// Offset of the sample data.
    pub data_offset: usize,
    /// Interleaved samples as f64 in [-1, 1].
    pub samples: Vec<f64>,
}

impl Wav {
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels)
    }

    /// Per-frame max of |left|, |right|.
    pub fn mono_abs(&self) -> Vec<f64> {
        self.samples
            .chunks(usize::from(self.channels))
            .map(|f| f.iter().fold(0.0f64, |m, x| m.max(x.abs())))
            .collect()
    }
}

/// Parses a RIFF/WAVE file (PCM 16 or IEEE float 32; extensible too). A
/// data size of 0xFFFFFFFF means "to the end of the file".
pub fn parse_wav(bytes: &[u8]) -> Wav {
    assert!(
        bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE",
        "not a WAV"
    );
    let u16le = |p: usize| u16::from_le_bytes([bytes[p], bytes[p + 1]]);
    let u32le = |p: usize| u32::from_le_bytes(bytes[p..p + 4].try_into().unwrap());
    let riff_size = u32le(4);
    let mut pos = 12;
    let (mut rate, mut channels, mut tag, mut bits) = (0, 0, 0, 0);
    loop {
        assert!(pos + 8 <= bytes.len(), "no data chunk");
        let id = &bytes[pos..pos + 4];
        let size = u32le(pos + 4);
        if id == b"fmt " {
            tag = u16le(pos + 8);
            channels = u16le(pos + 10);
            rate = u32le(pos + 12);
            bits = u16le(pos + 22);
            if tag == 0xFFFE {
                tag = u16le(pos + 8 + 24);
            }
        }
        if id == b"data" {
            let start = pos + 8;
            let end = if size == u32::MAX {
                bytes.len()
            } else {
                (start + size as usize).min(bytes.len())
            };
            let data = &bytes[start..end];
            let samples = match (tag, bits) {
                (1, 16) => data
                    .chunks_exact(2)
                    .map(|c| f64::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
                    .collect(),
                (3, 32) => data
                    .chunks_exact(4)
                    .map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap())))
                    .collect(),
                other => panic!("unsupported WAV format {other:?}"),
            };
            return Wav {
                rate,
                channels,
                format_tag: tag,
                bits,
                riff_size,
                data_size: size,
                data_offset: start,
                samples,
            };
        }
        pos += 8 + size as usize + (size as usize & 1);
    }
}

/// Raw interleaved S16 stereo frames (a test-bed capture) as a [`Wav`].
pub fn raw_s16_stereo(bytes: &[u8], rate: u32) -> Wav {
    Wav {
        rate,
        channels: 2,
        format_tag: 1,
        bits: 16,
        riff_size: 0,
        data_size: bytes.len() as u32,
        data_offset: 0,
        samples: bytes
            .chunks_exact(2)
            .map(|c| f64::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
            .collect(),
    }
}

/// Reads and parses a WAV file.
pub fn read_wav(path: impl AsRef<Path>) -> Wav {
    parse_wav(&std::fs::read(path.as_ref()).expect("read WAV"))
}

/// RMS of each `window`-frame window (both channels).
pub fn rms_envelope(w: &Wav, window: usize) -> Vec<f64> {
    let ch = usize::from(w.channels);
    w.samples
        .chunks(window * ch)
        .filter(|c| c.len() == window * ch)
        .map(|c| (c.iter().map(|x| x * x).sum::<f64>() / c.len() as f64).sqrt())
        .collect()
}

/// The fundamental (Hz) of the left channel between `from` and `to`
/// seconds: the shortest lag whose autocorrelation comes within 10 % of
/// the best one between 60 and 1500 Hz.
pub fn pitch_hz(w: &Wav, from: f64, to: f64) -> f64 {
    let rate = f64::from(w.rate);
    let left: Vec<f64> = w.samples.iter().step_by(2).copied().collect();
    let x = &left[(from * rate) as usize..(to * rate) as usize];
    let (lo, hi) = ((rate / 1500.0) as usize, (rate / 60.0) as usize);
    let ac: Vec<f64> = (lo..=hi)
        .map(|lag| x.iter().zip(&x[lag..]).map(|(a, b)| a * b).sum::<f64>())
        .collect();
    let best = ac.iter().cloned().fold(f64::MIN, f64::max);
    // The first peak that comes close to the best.
    let lag = (1..ac.len() - 1)
        .find(|&i| ac[i] >= 0.9 * best && ac[i] >= ac[i - 1] && ac[i] >= ac[i + 1])
        .expect("a pitch")
        + lo;
    rate / lag as f64
}

pub fn rms(w: &Wav) -> f64 {
    (w.samples.iter().map(|x| x * x).sum::<f64>() / w.samples.len() as f64).sqrt()
}

/// Pearson correlation of the common prefix of two series.
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let ma = a.iter().sum::<f64>() / n as f64;
    let mb = b.iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Onsets: the first frame above `threshold` after at least `gap` frames
/// at or below it (the start counts as silence).
pub fn onsets(w: &Wav, threshold: f64, gap: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quiet = gap;
    for (i, a) in w.mono_abs().into_iter().enumerate() {
        if a > threshold {
            if quiet >= gap {
                out.push(i);
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    out
}

/// A JSON document (`host info --json`), parsed with `serde_json`.
pub fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The JSON lines of an output (`--json` of play, dump, devices): every
/// line that starts with `{`, each parsed with `serde_json` (a line that is
/// not JSON fails the test).
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(parse_json)
        .collect()
}

/// A one-track file whose texts are a Latin-1 track name and lyric, a
/// UTF-8 lyric with emoji and combining marks, and a Shift-JIS karaoke
/// line (the track name of music21's `test04.mid`, in the corpus).
pub fn encoded_texts_song() -> Vec<u8> {
    let mut track = Vec::new();
    let mut meta = |kind: u8, text: &[u8]| {
        track.extend_from_slice(&[0x00, 0xFF, kind, text.len() as u8]);
        track.extend_from_slice(text);
    };
    meta(0x03, b"caf\xe9");
    meta(0x05, b"cr\xe8me br\xfbl\xe9e ");
    meta(0x05, "e\u{301}to\u{308}ile 🎤🎶 ".as_bytes());
    meta(
        0x05,
        b"\x83x\x81[\x83g\x81[\x83x\x83\x93\x81@\x8c\xf0\x8b\xbf\x8b\xc8",
    );
    track.extend_from_slice(&[
        0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00,
    ]);
    let mut smf = b"MThd\0\0\0\x06\0\0\0\x01\x01\xe0MTrk".to_vec();
    smf.extend_from_slice(&(track.len() as u32).to_be_bytes());
    smf.extend_from_slice(&track);
    smf
}

/// The lyrics as they must read everywhere.
pub const DECODED_LYRICS: [&str; 3] = [
    "crème brûlée ",
    "e\u{301}to\u{308}ile 🎤🎶 ",
    "ベートーベン\u{3000}交響曲",
];
