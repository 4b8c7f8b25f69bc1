//! `host play --max-duration` and `--commands` through the binary, on the
//! audio test bed's paced JACK device (`scripts/audio-testbed`, started
//! here; if it cannot start the tests fail with the reason).

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{TempDir, soundfont};
use smfplay_tests::fixtures;

fn testbed_env() -> &'static Vec<(String, String)> {
    static ENV: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ENV.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/audio-testbed");
        let out = Command::new(&script)
            .arg("start")
            .output()
            .expect("audio-testbed start");
        assert!(
            out.status.success(),
            "the audio test bed did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = Command::new(&script)
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

fn play(args: &[&str]) -> Output {
    let mut c = common::host();
    c.args([
        "play",
        "-d",
        "tb_jack",
        "--period",
        "512",
        "--periods",
        "3",
        "--json",
    ])
    .args(["--soundfont", soundfont()])
    .args(args);
    for (k, v) in testbed_env() {
        c.env(k, v);
    }
    c.output().expect("run host play")
}

fn end_event(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("{\"event\":\"end\""))
        .unwrap_or_else(|| panic!("no end event: {}", String::from_utf8_lossy(&out.stdout)))
        .to_string()
}

fn number(event: &str, key: &str) -> f64 {
    let pat = format!("\"{key}\":");
    let rest = &event[event.find(&pat).expect(key) + pat.len()..];
    rest[..rest.find([',', '}']).unwrap()].parse().unwrap()
}

#[test]
fn play_stops_at_max_duration_with_a_warning_and_exit_0() {
    let dir = TempDir::new("play-max-duration");
    let song = dir.write("dense.mid", &fixtures::dense_16ch(60));
    let out = play(&["--max-duration", "1.5", &song]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "host: {song}: stopped at --max-duration (1.5 s of song time); the song goes on"
        )),
        "{stderr}"
    );
    let end = end_event(&out);
    let song_s = number(&end, "song_s");
    assert!((1.5..1.8).contains(&song_s), "{end}");
    // A song that ends before the cap says nothing about it.
    let short = dir.write("f0.mid", &fixtures::format0_basic());
    let out = play(&["--max-duration", "600", &short]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("max-duration"));
}

#[test]
fn a_command_file_seeks_pauses_and_quits_the_player() {
    let dir = TempDir::new("play-commands");
    let song = dir.write("dense.mid", &fixtures::dense_16ch(60));
    let cmds = dir.write(
        "cmds.txt",
        b"wait 0.5\nseek 40\ntempo 1.5\nmute 10\nbogus line\nwait 0.5\npause\nwait 1\nquit\n",
    );
    let out = play(&["--commands", &cmds, &song]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("cmds.txt line 5: unknown command 'bogus' (ignored)"),
        "{stderr}"
    );
    let end = end_event(&out);
    assert!(end.contains("\"stopped\":true"), "{end}");
    // Sought to 40 s, then about 0.5 s at 1.5× before the pause.
    let song_s = number(&end, "song_s");
    assert!((40.0..42.5).contains(&song_s), "{end}");
    // Wall time: the waits (2 s) and start-up, not the 60 s song.
    assert!(number(&end, "wall_s") < 20.0, "{end}");
}

#[test]
fn a_command_files_settings_carry_to_the_next_file() {
    let dir = TempDir::new("play-commands-carry");
    let song = dir.write("dense.mid", &fixtures::dense_16ch(60));
    // Read before the first song starts: it waits for it, then stays set.
    let cmds = dir.write("cmds.txt", b"tempo 0.5\n");
    let out = play(&["--commands", &cmds, "--max-duration", "2", &song, &song]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let ends: Vec<&str> = std::str::from_utf8(&out.stdout)
        .expect("utf-8 JSON")
        .lines()
        .filter(|l| l.starts_with("{\"event\":\"end\""))
        .collect();
    assert_eq!(ends.len(), 2, "{ends:?}");
    // 2 s of song time at half speed is over 4 s of wall time, in both
    // songs (at 1× it is about 2.8 s: 2 s and the start-up).
    for end in ends {
        let (song_s, wall_s) = (number(end, "song_s"), number(end, "wall_s"));
        assert!((2.0..2.5).contains(&song_s), "{end}");
        assert!(wall_s / song_s > 1.8, "not at half speed: {end}");
    }
}
