//! `host play`'s own options take effect, on the audio test bed
//! (`common::testbed`): `--loop`, `--shuffle`, `--quiet`, `--period` and
//! `--periods`, `--start`, and `device`/`period` from the configuration
//! file. `tb_null_tee` is not paced (a song plays in a moment) and records
//! every frame written; `tb_jack` is paced like a sound card.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::testbed::{self, play, serial};
use common::*;
use smfplay_tests::fixtures;

/// Lines that start with `prefix` in `host play`'s standard output.
fn lines_starting<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    stdout.lines().filter(|l| l.starts_with(prefix)).collect()
}

/// Plays `file` as S16 on the test bed's `tee` device (`tb_null_tee` or
/// `tb_jack_tee`) recording into `capture`, with `--json` and `args`;
/// returns the `end` event and the frames written.
fn play_captured(
    tee: &str,
    capture: &str,
    args: &[&str],
    file: &str,
) -> (serde_json::Value, Vec<u8>) {
    let dev = format!("{tee}:FILE={capture}");
    let mut all = vec!["-d", dev.as_str(), "--format", "s16", "--json"];
    all.extend_from_slice(args);
    all.push(file);
    let out = play(&all);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events = json_lines(&stdout);
    let end: Vec<_> = events.iter().filter(|e| e["event"] == "end").collect();
    assert_eq!(end.len(), 1, "{stdout}");
    (end[0].clone(), std::fs::read(capture).unwrap())
}

#[test]
fn loop_plays_the_list_again_until_stopped() {
    let _l = serial();
    let dir = TempDir::new("play-loop");
    let a = dir.write("a.mid", &fixtures::format0_basic());
    let b = dir.write("b.mid", &fixtures::format2_sequence());
    let mut child = testbed::host()
        .args([
            "play",
            "-s",
            soundfont(),
            "-d",
            "tb_null_tee:FILE=/dev/null",
        ])
        .args(["--loop", &a, &b])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut played = Vec::new();
    let t = Instant::now();
    while played.len() < 5 {
        let line = rx
            .recv_timeout(Duration::from_secs(60).saturating_sub(t.elapsed()))
            .expect("five songs played within 60 s");
        if let Some(f) = line.strip_prefix("playing ") {
            played.push(f.to_string());
        }
    }
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        played,
        [&a, &b, &a, &b, &a].map(String::clone),
        "the list again, in order"
    );
}

#[test]
fn shuffle_plays_each_file_once_in_another_order() {
    let _l = serial();
    let dir = TempDir::new("play-shuffle");
    let names: Vec<String> = (1..=6)
        .map(|i| {
            let name = format!("song{i}.mid");
            dir.write(&name, &fixtures::format0_basic());
            name
        })
        .collect();
    let d = dir.0.to_str().unwrap().to_string();
    let mut orders = Vec::new();
    // 720 orders: the sorted one every time is a 1 in 720³ chance.
    for _ in 0..3 {
        let out = play(&["-d", "tb_null_tee:FILE=/dev/null", "--shuffle", &d]);
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut order: Vec<String> = lines_starting(&stdout, "playing ")
            .iter()
            .map(|l| l.rsplit('/').next().unwrap().to_string())
            .collect();
        orders.push(order.clone());
        order.sort();
        assert_eq!(order, names, "each file exactly once: {stdout}");
    }
    assert!(
        orders.iter().any(|o| o != &names),
        "--shuffle played the sorted order three times: {orders:?}"
    );
}

#[test]
fn quiet_prints_nothing() {
    let _l = serial();
    let dir = TempDir::new("play-quiet");
    let a = dir.write("a.mid", &fixtures::format0_basic());
    let loud = play(&["-d", "tb_null_tee:FILE=/dev/null", &a]);
    assert!(loud.status.success());
    assert!(
        !loud.stdout.is_empty(),
        "without --quiet it says what plays"
    );
    let out = play(&["-d", "tb_null_tee:FILE=/dev/null", "--quiet", &a]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn period_and_periods_set_the_device_buffer() {
    let _l = serial();
    let dir = TempDir::new("play-period");
    let a = dir.write("a.mid", &fixtures::format0_basic());
    let out = play(&[
        "-d",
        "tb_jack",
        "-p",
        "512",
        "--periods",
        "3",
        "--end",
        "0.3",
        &a,
    ]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("device tb_jack: ")
            && stdout.contains("period 512 frames, buffer 1536 frames"),
        "{stdout}"
    );
    // From the configuration file: the device and the period.
    let cfg = dir.write(
        "c.toml",
        b"device = \"tb_jack\"\nperiod = 1024\nperiods = 2\n",
    );
    let out = play(&["--config", &cfg, "--end", "0.3", &a]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("device tb_jack: ")
            && stdout.contains("period 1024 frames, buffer 2048 frames"),
        "{stdout}"
    );
    // The command line wins over the file.
    let out = play(&["--config", &cfg, "-p", "256", "--end", "0.3", &a]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("period 256 frames, buffer 512 frames"),
        "{stdout}"
    );
}

/// `--start 3 --end 4` plays one second of the song where `--end 4`
/// plays four (counted in frames written to the device), and both end at
/// song position 4 s.
#[test]
fn start_skips_into_the_song() {
    let _l = serial();
    let dir = TempDir::new("play-start");
    let a = dir.write("a.mid", &fixtures::format0_basic());
    let cap = dir.s("cap.raw");
    // Paced, and without reverb and chorus: both ends then have the same
    // release tail (played as `host render` plays it), and the difference
    // is the part skipped.
    let seconds = |extra: &[&str]| -> f64 {
        let args = [&["--end", "4", "--no-reverb", "--no-chorus"], extra].concat();
        let (end, frames) = play_captured("tb_jack_tee", &cap, &args, &a);
        assert_eq!(end["song_s"], 4.0, "{end}");
        frames.len() as f64 / 4.0 / 48_000.0
    };
    let from_0 = seconds(&[]);
    let from_3 = seconds(&["--start", "3"]);
    let skipped = from_0 - from_3;
    assert!(
        (2.95..=3.05).contains(&skipped),
        "--start 3 skipped {skipped:.3} s ({from_0:.3} s vs {from_3:.3} s played)"
    );
}

/// The song's settings reach the player as they reach `render`:
/// `--tempo 2` plays 2 s of song in 1 s, `--transpose 12` an octave up,
/// `--gain 0.8` twice as loud as 0.4, `--mute` of every channel and
/// `--solo` of a channel the song does not use silence.
/// On the paced JACK device: an unpaced one runs the audio thread ahead of
/// the feeder, so events come late and the sound varies from run to run.
#[test]
fn song_settings_take_effect_in_play() {
    let _l = serial();
    let dir = TempDir::new("play-song-settings");
    let a = dir.write("a.mid", &fixtures::format0_basic());
    let cap = dir.s("cap.raw");
    let capture = |extra: &[&str]| -> Wav {
        let args = [&["--no-reverb", "--no-chorus"], extra].concat();
        let (end, frames) = play_captured("tb_jack_tee", &cap, &args, &a);
        assert_eq!(end["late"], 0, "events came late: {end}");
        raw_s16_stereo(&frames, 48_000)
    };
    // What `host render` writes with the same settings, in frames.
    let rendered = |extra: &[&str]| -> usize {
        let wav = dir.s("r.wav");
        let args = [
            &["render", &a, "-o", &wav, "-q", "-s", soundfont()][..],
            &[
                "-r",
                "48000",
                "--format",
                "s16",
                "--no-reverb",
                "--no-chorus",
            ],
            extra,
        ]
        .concat();
        let out = run(&args);
        assert!(out.status.success(), "{out:?}");
        parse_wav(&std::fs::read(&wav).unwrap()).frames()
    };
    // `--tempo 2` plays the 2 s to the end point in 1 s; after it both
    // streams have the release tail of what sounds there (as render
    // writes it), which differs with the tempo: so each stream is as long
    // as render's with the same settings, and the fast one much shorter.
    let base = capture(&["--end", "2"]);
    let fast = capture(&["--end", "2", "--tempo", "2"]);
    assert_eq!(base.frames(), rendered(&["--end", "2"]), "--end 2");
    assert_eq!(
        fast.frames(),
        rendered(&["--end", "2", "--tempo", "2"]),
        "--end 2 --tempo 2"
    );
    assert!(
        base.frames().saturating_sub(fast.frames()) >= 46_000,
        "--tempo 2 did not play the 2 s in 1 s: {} vs {} frames",
        fast.frames(),
        base.frames()
    );
    let up = capture(&["--end", "0.5", "--transpose", "12"]);
    let (f0, f1) = (pitch_hz(&base, 0.03, 0.2), pitch_hz(&up, 0.03, 0.2));
    assert!((f0 / 261.6 - 1.0).abs() < 0.03, "C4 played at {f0} Hz");
    assert!((f1 / 523.3 - 1.0).abs() < 0.03, "--transpose 12: {f1} Hz");
    // Over the song's first 1.9 s (what comes after is the fade and silence).
    let first = |w: &Wav| {
        let mut w = w.clone();
        w.samples.truncate(19 * 4_800 * 2);
        rms(&w)
    };
    let loud = capture(&["--end", "2", "--gain", "0.8"]);
    let ratio = first(&loud) / first(&base);
    assert!((1.9..=2.1).contains(&ratio), "--gain 0.8 vs 0.4: ×{ratio}");
    let all: Vec<String> = (1..=16).map(|c| c.to_string()).collect();
    let muted = capture(&["--end", "1", "--mute", &all.join(",")]);
    assert!(muted.frames() > 0);
    assert!(
        muted.samples.iter().all(|&x| x == 0.0),
        "every channel muted is silence"
    );
    // The song plays on channel 1 only: soloing channel 10 silences it.
    let solo_10 = capture(&["--end", "1", "--solo", "10"]);
    assert!(solo_10.frames() > 0);
    assert!(
        solo_10.samples.iter().all(|&x| x == 0.0),
        "--solo 10 lets nothing of channel 1 through"
    );
}

/// `-` plays a song from standard input.
#[test]
fn plays_from_standard_input() {
    use std::io::Write;
    let _l = serial();
    let mut child = testbed::host()
        .args([
            "play",
            "-s",
            soundfont(),
            "-d",
            "tb_null_tee:FILE=/dev/null",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&fixtures::format0_basic()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(lines_starting(&stdout, "playing -").len(), 1, "{stdout}");
    assert_eq!(lines_starting(&stdout, "end -").len(), 1, "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("host: -:"),
        "an error about the input: {stderr}"
    );
}
