//! The nastiest generated files through the `host` binary, as processes:
//! `host info` and `host render` end with exit 0 or 3 and one clear line per
//! message (never a panic), within a watchdog's time, and their peak RSS
//! (from `wait4`) does not grow with what the file *declares*: each nasty
//! file is measured against a twin that declares a sane length. Also
//! `--max-duration`: `render` refuses a song longer than it before
//! writing anything.
//!
//! (The core side of the malformed suite, thousands of cases through the
//! reader and the sequencer, is `tests/tests/malformed_generated.rs`.)

mod common;

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{TempDir, soundfont};
use smfplay_tests::fixtures;
use smfplay_tests::smf_writer::{ChunkLen, Division, SmfWriter, TrackWriter, smf, write_vlq};

/// Longest any run may take before the watchdog kills it (a hang guard,
/// not a speed goal: debug builds on a shared machine).
const WATCHDOG: Duration = Duration::from_secs(120);
/// Peak RSS a nasty file may add over its sane twin.
const RSS_SLACK_KIB: i64 = 8 * 1024;

struct Outcome {
    code: Option<i32>,
    stderr: String,
    stdout: String,
    max_rss_kib: i64,
    wall: Duration,
}

/// Runs `host ARGS` with its output in files, waits with `wait4` for its
/// peak RSS, and kills it if it outlives [`WATCHDOG`].
fn run_measured(dir: &TempDir, tag: &str, args: &[&str]) -> Outcome {
    let out_path = dir.path(&format!("{tag}.stdout"));
    let err_path = dir.path(&format!("{tag}.stderr"));
    let t0 = Instant::now();
    let child = common::host()
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("spawn host");
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            while t.elapsed() < WATCHDOG {
                if done.load(Ordering::Acquire) {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            // SAFETY: kill(2) on our own child's pid, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            true
        })
    };
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; the pointers are valid for the call.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    done.store(true, Ordering::Release);
    let killed = watchdog.join().unwrap();
    assert!(
        !killed,
        "host {args:?} ran longer than {WATCHDOG:?}: killed"
    );
    std::mem::forget(child); // reaped by wait4 above
    Outcome {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stderr: std::fs::read_to_string(err_path).unwrap(),
        stdout: std::fs::read_to_string(out_path).unwrap(),
        max_rss_kib: usage.ru_maxrss,
        wall: t0.elapsed(),
    }
}

/// A format 0 file: a note, then `status` followed by a VLQ length
/// `declared` and a few real bytes; the chunk length as given.
fn declaring(status: &[u8], declared: u32, chunk: ChunkLen) -> Vec<u8> {
    let mut body = vec![0x00, 0x90, 60, 100, 0x00];
    body.extend_from_slice(status);
    write_vlq(&mut body, declared);
    body.extend_from_slice(b"only a few bytes are really here");
    let mut w = SmfWriter::new();
    w.header(0, 1, Division::Metrical(96));
    w.chunk(*b"MTrk", &body, chunk);
    w.finish()
}

/// Years of silence: delta 0x0FFFFFFF at 0xFFFFFF µs per quarter, 1 tick per quarter.
fn years_long(delta: u32) -> Vec<u8> {
    let mut t = TrackWriter::new();
    t.tempo(0, 0xFF_FFFF)
        .note_on(0, 0, 60, 100)
        .note_off(delta, 0, 60, 0)
        .end_of_track(0);
    smf(0, Division::Metrical(1), &[t])
}

fn notes_at_one_tick(n: u32) -> Vec<u8> {
    let mut t = TrackWriter::new();
    for i in 0..n {
        t.note_on(
            if i == 0 { 480 } else { 0 },
            (i % 16) as u8,
            (i / 16 % 128) as u8,
            100,
        );
    }
    t.end_of_track(480);
    smf(0, Division::Metrical(480), &[t])
}

fn ntrks(bytes: &[u8], n: u16) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[10..12].copy_from_slice(&n.to_be_bytes());
    b
}

/// (name, nasty file, its sane twin).
fn pairs() -> Vec<(&'static str, Vec<u8>, Vec<u8>)> {
    let f1 = fixtures::format1_multitrack();
    vec![
        (
            "text_declaring_4g",
            declaring(&[0xFF, 0x01], 0xFFFF_FFFF, ChunkLen::Correct),
            declaring(&[0xFF, 0x01], 10, ChunkLen::Correct),
        ),
        (
            "sysex_declaring_256m_chunk_4g",
            declaring(&[0xF0], 0x0FFF_FFFF, ChunkLen::Exact(0xFFFF_FFFF)),
            declaring(&[0xF0], 10, ChunkLen::Correct),
        ),
        (
            "chunk_length_ffffffff",
            fixtures::set_chunk_length(&f1, 1, 0xFFFF_FFFF),
            f1.clone(),
        ),
        (
            // Over 1 024 declared tracks the host opens the file with its
            // wide reader (65 535 narrow cursors, a fixed cost): the twin
            // declares 1 025, so both use it.
            "ntrks_65535",
            ntrks(&f1, 65_535),
            ntrks(&f1, 1025),
        ),
        (
            "notes_100000_at_one_tick",
            notes_at_one_tick(100_000),
            notes_at_one_tick(100),
        ),
    ]
}

fn assert_clear(o: &Outcome, what: &str) {
    assert!(
        matches!(o.code, Some(0 | 3)),
        "{what}: exit {:?}, stderr {}",
        o.code,
        o.stderr
    );
    assert!(!o.stderr.contains("panicked"), "{what}: {}", o.stderr);
    for line in o.stderr.lines() {
        assert!(line.starts_with("host: "), "{what}: unclear line {line:?}");
    }
}

#[test]
fn info_and_render_of_nasty_files_end_cleanly_in_memory_that_ignores_declared_lengths() {
    let sf = soundfont();
    let dir = TempDir::new("malformed-host");
    let mut table = Vec::new();
    for (name, nasty, twin) in pairs() {
        let nasty_path = dir.write(&format!("{name}.mid"), &nasty);
        let twin_path = dir.write(&format!("{name}-twin.mid"), &twin);
        for (cmd, extra) in [("info", vec![]), ("render", vec!["-q", "-s", sf])] {
            let run = |path: &str, tag: &str| {
                let wav = dir.s(&format!("{tag}.wav"));
                let mut args = vec![cmd, path];
                if cmd == "render" {
                    args.extend(["-o", &wav]);
                }
                args.extend(&extra);
                let args: Vec<&str> = args.into_iter().collect();
                run_measured(&dir, tag, &args)
            };
            let n = run(&nasty_path, &format!("{name}-{cmd}"));
            let t = run(&twin_path, &format!("{name}-{cmd}-twin"));
            assert_clear(&n, &format!("{cmd} {name}"));
            assert_clear(&t, &format!("{cmd} {name} (twin)"));
            table.push(format!(
                "{cmd} {name}: exit {:?}, peak RSS {} KiB (twin {} KiB), {:.2} s",
                n.code,
                n.max_rss_kib,
                t.max_rss_kib,
                n.wall.as_secs_f64()
            ));
            assert!(
                n.max_rss_kib - t.max_rss_kib <= RSS_SLACK_KIB,
                "{cmd} {name}: peak RSS {} KiB, its twin {} KiB",
                n.max_rss_kib,
                t.max_rss_kib
            );
        }
    }
    for line in &table {
        println!("{line}");
    }
}

#[test]
fn render_refuses_a_song_longer_than_max_duration_before_writing_anything() {
    let sf = soundfont();
    let dir = TempDir::new("max-duration");
    let years = dir.write("years.mid", &years_long(0x0FFF_FFFF));
    let wav = dir.s("years.wav");
    let o = run_measured(&dir, "years", &["render", &years, "-o", &wav, "-s", sf]);
    assert_eq!(o.code, Some(3), "{}", o.stderr);
    let lines: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", o.stderr);
    assert!(
        lines[0].starts_with(&format!("host: {years}: the song lasts "))
            && lines[0].contains("years")
            && lines[0].contains("longer than --max-duration (4 h)"),
        "{}",
        lines[0]
    );
    assert!(!Path::new(&wav).exists(), "a WAV was created");

    // `host info` describes it at once: its duration is a scan, not a play.
    let o = run_measured(&dir, "years-info", &["info", &years, "--json"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let json: serde_json::Value = serde_json::from_str(&o.stdout).expect("info --json is JSON");
    let secs = json["duration_seconds"]
        .as_f64()
        .expect("duration_seconds in the JSON");
    // 0x0FFFFFFF quarters of 16.777215 s.
    let expected = f64::from(0x0FFF_FFFFu32) * 16.777_215;
    assert!(
        (secs - expected).abs() / expected < 1e-6,
        "{secs} vs {expected}"
    );

    // An ordinary song against a small cap: refused, unless --end fits it.
    let song = dir.write("f0.mid", &fixtures::format0_basic());
    let out = dir.s("f0.wav");
    let o = run_measured(
        &dir,
        "cap",
        &[
            "render",
            &song,
            "-o",
            &out,
            "-s",
            sf,
            "--max-duration",
            "0.5",
        ],
    );
    assert_eq!(o.code, Some(3), "{}", o.stderr);
    assert!(
        o.stderr.contains("longer than --max-duration (0.5 s)"),
        "{}",
        o.stderr
    );
    let o = run_measured(
        &dir,
        "cap-end",
        &[
            "render",
            &song,
            "-o",
            &out,
            "-s",
            sf,
            "-q",
            "--max-duration",
            "0.5",
            "--end",
            "0.4",
        ],
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(Path::new(&out).exists());
}
