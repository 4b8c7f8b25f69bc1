//! `host play` on the real-time audio test bed (`scripts/audio-testbed`:
//! JACK's dummy driver and a PulseAudio null sink behind ALSA plugins, with
//! bit-exact capture of what was written), shared through
//! `common::testbed` (ignored, with the reason, unless the test bed runs
//! and `SMFPLAY_TESTBED=1`; if it is said to run and does not, every test
//! fails with the reason; tests run one at a time: they share the paced
//! devices).

mod common;

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::testbed::{
    RATE, SF2, event, field, has_stats_event, host_play as host, json_events, repo, scratch,
    script_command, serial, wait_with_timeout, write_fixture,
};

/// What `host render -f s16` writes for `file` with these options (the
/// same SoundFont, rate and gain as the `host` play commands here): the
/// WAV's sample data.
fn render(file: &Path, period: usize, options: &[&str]) -> Vec<u8> {
    let wav = scratch("reference.wav");
    let out = common::host()
        .arg("render")
        .args(["--soundfont", SF2, "--rate", "48000", "-f", "s16", "-q"])
        .args(["--period", &period.to_string()])
        .args(options)
        .arg("-o")
        .arg(&wav)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "host render failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    wav_data(&std::fs::read(&wav).unwrap())
}

/// The `data` chunk of a RIFF/WAVE file.
fn wav_data(wav: &[u8]) -> Vec<u8> {
    assert_eq!(&wav[..4], b"RIFF", "not a WAV file");
    assert_eq!(&wav[8..12], b"WAVE", "not a WAV file");
    let mut at = 12;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let len = u32::from_le_bytes(wav[at + 4..at + 8].try_into().unwrap()) as usize;
        if id == b"data" {
            return wav[at + 8..at + 8 + len].to_vec();
        }
        at += 8 + len + (len & 1);
    }
    panic!("no data chunk in the WAV file");
}

/// Plays `file` through the paced tee device with these options and
/// returns (exit status, stdout, stderr, the captured stream).
fn play_captured(file: &Path, name: &str, options: &[&str]) -> (Output, Vec<u8>) {
    let cap = scratch(name);
    let device = format!("tb_jack_tee:FILE={}", cap.display());
    let out = host(&["--device", &device, "--format", "s16"])
        .args(options)
        .arg(file)
        .output()
        .unwrap();
    let captured = std::fs::read(&cap).unwrap();
    (out, captured)
}

/// The played stream equals the render, whole (the release tail ends
/// both the same way).
fn assert_same_stream(captured: &[u8], rendered: &[u8], what: &str) {
    assert_eq!(
        first_difference(captured, rendered),
        None,
        "{what}: the written stream differs from `host render`'s"
    );
    assert_eq!(
        captured.len(),
        rendered.len(),
        "{what}: played {} frames, render wrote {}",
        captured.len() / 4,
        rendered.len() / 4
    );
}

/// The first byte where `a` and `b` differ, over their common length.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y)
}

/// Real time, zero xruns at 256×2 frames and 48 kHz on the paced JACK
/// device, and the captured stream equals `host render`'s bit for bit,
/// release tail and end included.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn plays_in_real_time_without_xruns_and_bit_exact() {
    let _l = serial();
    let midi = write_fixture("dense10.mid", &smfplay_tests::fixtures::dense_16ch(10));
    let reference = render(&midi, 256, &[]);
    let song_s = reference.len() as f64 / 4.0 / f64::from(RATE);
    let t0 = Instant::now();
    let (out, captured) = play_captured(
        &midi,
        "dense10.raw",
        &["--period", "256", "--periods", "2", "--json", "--stats"],
    );
    let total = t0.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {}: {stderr}", out.status);
    let events = json_events(&out.stdout);
    let end = event(&events, "end").expect("an end event");
    let wall = field(end, "wall_s").unwrap();
    let xruns = field(end, "xruns").unwrap();
    let late = field(end, "late").unwrap();
    eprintln!("song {song_s:.3} s, audio wall {wall:.3} s, process {total:.3} s, {end}\n{stderr}");
    assert_eq!(xruns, 0.0, "xruns at 256x2: {end}");
    assert_eq!(late, 0.0, "late events: {end}");
    // The audio loop's wall time covers the song with its tail, and the
    // drain of the 10.7 ms buffer.
    assert!(
        wall >= song_s * 0.98 && wall <= song_s * 1.02 + 0.02,
        "wall {wall:.3} s for a {song_s:.3} s song"
    );
    assert!(total < song_s + 3.0, "the process took {total:.1} s");
    assert_same_stream(&captured, &reference, "dense10");
    assert!(has_stats_event(&stderr), "no --stats report: {stderr}");
}

/// Options that play and render share (tempo, transpose, mute, no
/// reverb) and a start point: the whole stream is still render's, whatever
/// each side's period.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn options_and_start_play_bit_exact() {
    let _l = serial();
    let midi = repo().join("assets/demo.mid");
    let options = [
        "--tempo",
        "1.5",
        "--transpose",
        "2",
        "--mute",
        "10",
        "--no-reverb",
        "--start",
        "44",
    ];
    let reference = render(&midi, 1024, &options);
    let mut args = vec!["--period", "256", "--periods", "3"];
    args.extend(options);
    let (out, captured) = play_captured(&midi, "demo-options.raw", &args);
    assert!(
        out.status.success(),
        "exit {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // 44 s into a 59.8 s song at 1.5× is about 10.5 s plus the tail.
    let seconds = reference.len() as f64 / 4.0 / f64::from(RATE);
    assert!((10.0..14.0).contains(&seconds), "rendered {seconds:.2} s");
    assert_same_stream(&captured, &reference, "demo with options");
}

/// `--end` cuts where render cuts (notes released and pedals lifted on
/// the frame where the song reaches the end point, then the release
/// tail): the whole stream is render's, at another tempo too.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn end_point_plays_bit_exact() {
    let _l = serial();
    let midi = repo().join("assets/demo.mid");
    for (name, options) in [
        ("demo-end.raw", &["--end", "6"][..]),
        (
            "demo-start-end.raw",
            &["--start", "30", "--end", "36.0101", "--tempo", "0.7"][..],
        ),
    ] {
        let reference = render(&midi, 128, options);
        let mut args = vec!["--json"];
        args.extend(options);
        let (out, captured) = play_captured(&midi, name, &args);
        assert!(
            out.status.success(),
            "exit {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_stream(&captured, &reference, &format!("demo {options:?}"));
    }
}

/// Unplugging the PulseAudio sink mid-song: one clear error line, exit 5,
/// no hang.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn device_loss_gives_a_clear_error_and_exit_5() {
    let _l = serial();
    let midi = write_fixture("dense20.mid", &smfplay_tests::fixtures::dense_16ch(20));
    let child = host(&[
        "--device",
        "tb_pulse",
        "--periods",
        "3",
        midi.to_str().unwrap(),
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let unplug = script_command().arg("unplug").output().unwrap();
    let t = Instant::now();
    let out = wait_with_timeout(child, Duration::from_secs(10));
    let after = t.elapsed();
    let replug = script_command().arg("replug").output().unwrap();
    assert!(unplug.status.success(), "unplug failed");
    assert!(replug.status.success(), "replug failed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "exit {}: {stderr}", out.status);
    assert!(after < Duration::from_secs(4), "took {after:?} to notice");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("host: tb_pulse:"))
        .collect();
    assert_eq!(errors.len(), 1, "want one error line, got: {stderr}");
    assert!(errors[0].contains("audio device"), "{}", errors[0]);
}

/// Deliberate stalls of the audio thread (40 ms against a 10.7 ms buffer)
/// give counted xruns that are recovered: the song plays to its end.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn stalls_give_counted_and_recovered_xruns() {
    let _l = serial();
    let midi = write_fixture("dense4.mid", &smfplay_tests::fixtures::dense_16ch(4));
    let out = host(&["--device", "tb_jack", "--json", midi.to_str().unwrap()])
        .env("SMFPLAY_STALL", "40@100x3")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {}: {stderr}", out.status);
    let events = json_events(&out.stdout);
    let end = event(&events, "end").expect("end event");
    let xruns = field(end, "xruns").unwrap();
    assert!(xruns >= 3.0, "three 40 ms stalls gave {xruns} xruns: {end}");
    assert_eq!(end["stopped"], false, "{end}");
    let xrun_events = events.iter().filter(|e| e["event"] == "xrun").count();
    assert!(xrun_events >= 1, "no xrun events reported");
}

/// SIGUSR1 prints the report while playing; SIGINT then stops with a fade
/// and exit 130; SIGTERM gives 143.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn signals_report_and_stop_cleanly() {
    let _l = serial();
    let midi = write_fixture("dense8.mid", &smfplay_tests::fixtures::dense_16ch(8));
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let child = host(&["--device", "tb_jack", "--json", midi.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        std::thread::sleep(Duration::from_millis(1500));
        // SAFETY: signals to our own child.
        unsafe { libc::kill(pid, libc::SIGUSR1) };
        std::thread::sleep(Duration::from_millis(300));
        let t = Instant::now();
        unsafe { libc::kill(pid, sig) };
        let out = wait_with_timeout(child, Duration::from_secs(5));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "signal {sig}: {stderr}");
        // A stop takes a fade (50 ms), the drain of the buffer and a
        // control tick; 3 s leaves room for a busy machine, and a stop
        // that does not come is caught well before the 5 s limit.
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "slow stop: {:?}",
            t.elapsed()
        );
        assert!(
            has_stats_event(&stderr),
            "no report after SIGUSR1: {stderr}"
        );
        let events = json_events(&out.stdout);
        let end = event(&events, "end").expect("end event");
        assert_eq!(end["stopped"], true, "{end}");
    }
}

/// A playlist: a directory expands to its MIDI files in name order, a bad
/// file is reported and skipped (exit 3 at the end), plain log lines when
/// stdout is not a terminal.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn playlist_of_a_directory_and_a_bad_file() {
    let _l = serial();
    let dir = scratch("list");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("b.mid"), smfplay_tests::fixtures::format0_basic()).unwrap();
    std::fs::write(dir.join("a.mid"), smfplay_tests::fixtures::all_meta_kinds()).unwrap();
    std::fs::write(dir.join("notes.txt"), b"not a song").unwrap();
    let bad = scratch("bad.mid");
    std::fs::write(&bad, b"hello, not MIDI").unwrap();
    let out = host(&[
        "--device",
        "tb_null_tee:FILE=/dev/null",
        bad.to_str().unwrap(),
        dir.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stderr.contains("not a MIDI file"), "{stderr}");
    let played: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("playing "))
        .collect();
    assert_eq!(played.len(), 2, "{stdout}");
    assert!(
        played[0].ends_with("a.mid") && played[1].ends_with("b.mid"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("end ")).count(),
        2,
        "{stdout}"
    );
}

#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn devices_lists_the_test_bed() {
    let _l = serial();
    let out = common::testbed::host().arg("devices").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("tb_jack ") && l.contains("paced")),
        "{stdout}"
    );
    // What a user can play on: not libasound2-plugins' converters (the
    // test bed installs them), which only feed another device.
    for converter in [
        "lavrate",
        "samplerate",
        "speexrate",
        "speex",
        "upmix",
        "vdownmix",
    ] {
        assert!(
            !stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(converter)),
            "{converter} listed: {stdout}"
        );
    }
}

/// The JACK server dies mid-song: a blocking writer would hang forever;
/// play notices within its 1 s watchdog, says so once and exits 5.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn jack_server_death_does_not_hang() {
    let _l = serial();
    let midi = write_fixture("dense15.mid", &smfplay_tests::fixtures::dense_16ch(15));
    let child = host(&["--device", "tb_jack", midi.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    let unplug = script_command().args(["unplug", "jack"]).output().unwrap();
    let t = Instant::now();
    let out = wait_with_timeout(child, Duration::from_secs(10));
    let after = t.elapsed();
    let restart = script_command().arg("start").output().unwrap();
    assert!(unplug.status.success(), "unplug jack failed");
    assert!(
        restart.status.success(),
        "test bed restart failed: {}",
        String::from_utf8_lossy(&restart.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "exit {}: {stderr}", out.status);
    assert!(after < Duration::from_secs(4), "took {after:?} to notice");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("host: tb_jack:"))
        .collect();
    assert_eq!(errors.len(), 1, "want one error line, got: {stderr}");
}

/// A file's own loop (CC 116/117) and an A–B `--loop-range`, played with
/// `--loops`: the whole stream, every turn from B back to A included, is
/// render's bit for bit (the turn is seamless: no reset, no gap).
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn loops_play_bit_exact() {
    use smfplay_core::sequencer::LoopConvention;
    use smfplay_tests::loop_songs::looped;
    let _l = serial();
    let cases: [(&str, Vec<u8>, &[&str]); 2] = [
        (
            "loop-cc116",
            looped(Some(LoopConvention::Cc116And117)),
            &["--loops", "2", "--start", "5:1", "--tempo", "2"],
        ),
        (
            "loop-ab",
            looped(None),
            &[
                "--loop-range",
                "6:1-7:1",
                "--loops",
                "3",
                "--start",
                "5:1",
                "--tempo",
                "2",
            ],
        ),
    ];
    for (name, bytes, options) in cases {
        let midi = write_fixture(&format!("{name}.mid"), &bytes);
        let reference = render(&midi, 256, options);
        let (out, captured) = play_captured(&midi, &format!("{name}.raw"), options);
        assert!(
            out.status.success(),
            "exit {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_stream(&captured, &reference, name);
    }
}
