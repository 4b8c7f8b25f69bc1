//! `host play` on the real-time audio test bed (`scripts/audio-testbed`:
//! JACK's dummy driver and a PulseAudio null sink behind ALSA plugins, with
//! bit-exact capture of what was written), started and shared through
//! `common::testbed` (if it cannot start, every test fails with the
//! reason — none is skipped; tests run one at a time: they share the
//! paced devices).

// The host modules the reference render uses, compiled into this test.
#[allow(dead_code)]
#[path = "../src/exit.rs"]
mod exit;
#[allow(dead_code)]
#[path = "../src/fluid.rs"]
mod fluid;
#[allow(dead_code)]
#[path = "../src/midi_input.rs"]
mod midi_input;
#[allow(dead_code)]
#[path = "../src/song.rs"]
mod song;

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::testbed::{
    RATE, SF2, event, field, host_play as host, json_events, repo, scratch, serial,
    wait_with_timeout, write_fixture,
};

use smfplay_core::audio::interleave_stereo_i16;
use smfplay_core::sequencer::SequencerConfig;
use smfplay_core::smf::ReaderOptions;

/// The render that `host render` does, with the same library calls as
/// play: the host's `FluidSynth` with the same options, the core sequencer
/// at the host's capacities period by period, S16 conversion at unity
/// gain. (`host render` is written on another branch; this is the same
/// pipeline.)
fn reference_render(file: &Path, period: usize) -> Vec<u8> {
    let file = file.to_path_buf();
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut synth = fluid::FluidSynth::new(&fluid::FluidOptions {
                sample_rate: RATE,
                gain: 0.4,
                reverb: true,
                chorus: true,
                polyphony: None,
                lazy_samples: false,
            })
            .expect("synth");
            synth.load_soundfont(Path::new(SF2)).expect("soundfont");
            let input = midi_input::MidiInput::open(&file).expect("open");
            let mut seq = Box::new(
                song::StandardSequencer::open(
                    input.source,
                    ReaderOptions::LENIENT,
                    SequencerConfig::new(RATE, period as u32),
                )
                .expect("sequencer"),
            );
            let (mut l, mut r) = (vec![0.0f32; period], vec![0.0f32; period]);
            let mut s16 = vec![0i16; period * 2];
            let mut out = Vec::new();
            while !seq.is_finished() {
                seq.process(&mut synth, &mut l, &mut r, &mut ())
                    .expect("process");
                interleave_stereo_i16(&l, &r, 1.0, &mut s16);
                for s in &s16 {
                    out.extend_from_slice(&s.to_le_bytes());
                }
            }
            out
        })
        .unwrap()
        .join()
        .unwrap()
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y)
}

/// Real time, zero xruns at 256×2 frames and 48 kHz on the paced JACK
/// device, and the captured stream equals the render bit for bit.
#[test]
fn plays_in_real_time_without_xruns_and_bit_exact() {
    let _l = serial();
    let midi = write_fixture("dense10.mid", &smfplay_tests::fixtures::dense_16ch(10));
    let reference = reference_render(&midi, 256);
    let song_s = reference.len() as f64 / 4.0 / f64::from(RATE);
    let cap = scratch("dense10.raw");
    let t0 = Instant::now();
    let out = host(&[
        "--device",
        &format!("tb_jack_tee:FILE={}", cap.display()),
        "--period",
        "256",
        "--periods",
        "2",
        "--format",
        "s16",
        "--json",
        "--stats",
        midi.to_str().unwrap(),
    ])
    .output()
    .unwrap();
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
    // The audio loop's wall time covers the song, the 50 ms fade and the
    // drain of the 10.7 ms buffer.
    assert!(
        wall >= song_s * 0.98 && wall <= song_s * 1.02 + 0.07,
        "wall {wall:.3} s for a {song_s:.3} s song"
    );
    assert!(total < song_s + 3.0, "the process took {total:.1} s");
    let captured = std::fs::read(&cap).unwrap();
    assert!(
        captured.len() >= reference.len(),
        "captured {} bytes, render {}",
        captured.len(),
        reference.len()
    );
    assert_eq!(
        first_difference(&captured[..reference.len()], &reference),
        None,
        "the written stream differs from the render"
    );
    assert!(
        stderr.contains("\"event\":\"stats\""),
        "no --stats report: {stderr}"
    );
}

/// The demo song: its first 6 s on the paced device equal the render's.
#[test]
fn demo_song_plays_bit_exact() {
    let _l = serial();
    let midi = repo().join("assets/demo.mid");
    let reference = reference_render(&midi, 256);
    let cap = scratch("demo.raw");
    let out = host(&[
        "--device",
        &format!("tb_jack_tee:FILE={}", cap.display()),
        "--format",
        "s16",
        "--end",
        "6",
        "--json",
        midi.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "exit {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let captured = std::fs::read(&cap).unwrap();
    let n = 6 * RATE as usize * 4;
    assert!(
        captured.len() >= n,
        "captured only {} bytes",
        captured.len()
    );
    assert_eq!(
        first_difference(&captured[..n], &reference[..n]),
        None,
        "the first 6 s differ from the render"
    );
}

/// Unplugging the PulseAudio sink mid-song: one clear error line, exit 5,
/// no hang.
#[test]
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
    let script = repo().join("scripts/audio-testbed");
    let unplug = Command::new(&script).arg("unplug").output().unwrap();
    let t = Instant::now();
    let out = wait_with_timeout(child, Duration::from_secs(10));
    let after = t.elapsed();
    let replug = Command::new(&script).arg("replug").output().unwrap();
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
    assert!(end.contains("\"stopped\":false"), "{end}");
    let xrun_events = events
        .iter()
        .filter(|e| e.starts_with("{\"event\":\"xrun\""))
        .count();
    assert!(xrun_events >= 1, "no xrun events reported");
}

/// SIGUSR1 prints the report while playing; SIGINT then stops with a fade
/// and exit 130; SIGTERM gives 143.
#[test]
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
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "slow stop: {:?}",
            t.elapsed()
        );
        assert!(
            stderr.contains("\"event\":\"stats\"") && stderr.contains("work_p99_us"),
            "no report after SIGUSR1: {stderr}"
        );
        let events = json_events(&out.stdout);
        let end = event(&events, "end").expect("end event");
        assert!(end.contains("\"stopped\":true"), "{end}");
    }
}

/// A playlist: a directory expands to its MIDI files in name order, a bad
/// file is reported and skipped (exit 3 at the end), plain log lines when
/// stdout is not a terminal.
#[test]
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
}

/// The JACK server dies mid-song: a blocking writer would hang forever;
/// play notices within its 1 s watchdog, says so once and exits 5.
#[test]
fn jack_server_death_does_not_hang() {
    let _l = serial();
    let midi = write_fixture("dense15.mid", &smfplay_tests::fixtures::dense_16ch(15));
    let child = host(&["--device", "tb_jack", midi.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    let script = repo().join("scripts/audio-testbed");
    let unplug = Command::new(&script)
        .args(["unplug", "jack"])
        .output()
        .unwrap();
    let t = Instant::now();
    let out = wait_with_timeout(child, Duration::from_secs(10));
    let after = t.elapsed();
    let restart = Command::new(&script).arg("start").output().unwrap();
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
