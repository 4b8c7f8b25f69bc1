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
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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

/// `-` plays a song from standard input, named so.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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
    // Named "standard input", not `-`.
    assert_eq!(
        lines_starting(&stdout, "playing "),
        ["playing standard input"],
        "{stdout}"
    );
    assert_eq!(
        lines_starting(&stdout, "end standard input").len(),
        1,
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("host: standard input:"),
        "an error about the input: {stderr}"
    );
}

/// A music library sorted into subdirectories plays all the way down, in
/// natural order (`track2` before `track10`); `--no-recursive` keeps to
/// the directory itself.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn directories_play_recursively_in_natural_order() {
    let _l = serial();
    let dir = TempDir::new("play-library");
    for sub in ["Artist 10", "Artist 2/Album", ".hidden"] {
        std::fs::create_dir_all(dir.path(sub)).unwrap();
    }
    let song = fixtures::format0_basic();
    for name in [
        "track10.mid",
        "track2.mid",
        "Artist 10/a.mid",
        "Artist 2/Album/b.kar",
        ".hidden/no.mid",
    ] {
        dir.write(name, &song);
    }
    let root = dir.s("");
    let played = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["-d", "tb_null_tee:FILE=/dev/null"];
        args.extend_from_slice(extra);
        args.push(&root);
        let out = play(&args);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("playing "))
            .map(|f| f.strip_prefix(&root).unwrap_or(f).to_string())
            .collect()
    };
    assert_eq!(
        played(&[]),
        [
            "Artist 2/Album/b.kar",
            "Artist 10/a.mid",
            "track2.mid",
            "track10.mid"
        ]
    );
    assert_eq!(played(&["--no-recursive"]), ["track2.mid", "track10.mid"]);
}

/// `--json` gives every event its exact song time, as `host dump` does
/// (to the output frame): lyrics not rounded to the audio period (on a
/// paced device, at 1x and at 3x), tempo and key changes with a `time_s`
/// too.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn json_events_have_their_exact_song_time() {
    use smfplay_tests::smf_writer::{Division, RunningStatus, TextKind, smf};
    use smfplay_tests::timeline::Timeline;
    let _l = serial();
    let dir = TempDir::new("json-times");
    // 480 ticks a quarter at 120 BPM: a tick is 1/960 s. Times that fall
    // between two 256-frame periods at 48 kHz.
    let mut t = Timeline::new();
    t.tempo(0, 500_000)
        .text(7, TextKind::Lyric, "one ")
        .meta(301, 0x59, &[2, 0])
        .text(421, TextKind::Lyric, "two ")
        .tempo(611, 400_000)
        .text(800, TextKind::Lyric, "three");
    t.note(0, 900, 0, 60, 90);
    let mid = dir.write(
        "times.mid",
        &smf(
            0,
            Division::Metrical(480),
            &[t.render(RunningStatus::Never, 960)],
        ),
    );
    // From `host dump`: tick, seconds, track, description.
    let dump = String::from_utf8(run_ok(&["dump", &mid])).unwrap();
    let dumped: Vec<(String, f64)> = dump
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let what = f[3];
            let kind = ["lyric", "tempo", "key"]
                .into_iter()
                .find(|k| what.starts_with(k))?;
            Some((kind.to_string(), f[1].parse().unwrap()))
        })
        .collect();
    assert_eq!(dumped.len(), 6, "{dump}");
    for tempo in ["1", "3"] {
        let out = play(&["-d", "tb_jack", "--json", "--tempo", tempo, &mid]);
        assert!(out.status.success(), "{out:?}");
        let events = testbed::json_events(&out.stdout);
        let played: Vec<(String, f64)> = events
            .iter()
            .filter_map(|j| {
                let kind = j["event"].as_str()?.to_string();
                ["lyric", "tempo", "key"]
                    .contains(&kind.as_str())
                    .then(|| (kind, j["time_s"].as_f64().expect("time_s")))
            })
            .collect();
        assert_eq!(played.len(), dumped.len(), "tempo {tempo}: {events:#?}");
        for ((k1, t1), (k2, t2)) in dumped.iter().zip(&played) {
            assert_eq!(k1, k2, "tempo {tempo}");
            // Within an output frame (3 song frames at 3x) and the µs
            // the times are written to.
            let frame: f64 = tempo.parse::<f64>().unwrap() / 48_000.0;
            assert!(
                (t1 - t2).abs() < frame + 1e-6,
                "tempo {tempo}: {k1} at {t2}, dump says {t1}"
            );
        }
    }
}

/// `--start` past a song's end: play warns with the song's length and goes
/// on to the next file (exit 0); the next one starts there.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn start_past_the_end_warns_and_plays_the_next() {
    let _l = serial();
    let dir = TempDir::new("start-past-end");
    let short = dir.write("short.mid", &fixtures::format0_basic());
    let long = dir.write("long.mid", &fixtures::dense_16ch(8));
    let out = play(&[
        "-d",
        "tb_null_tee:FILE=/dev/null",
        "--start",
        "6",
        &short,
        &long,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let length = info_duration(&short);
    assert!(
        stderr.contains(&format!(
            "host: warning: {short}: --start 6 is past the end of the song (it lasts {length}); skipped"
        )),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        lines_starting(&stdout, "playing "),
        [format!("playing {long}")]
    );
}
