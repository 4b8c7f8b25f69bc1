//! `host play --max-duration` and `--commands` through the binary, on the
//! audio test bed's paced JACK device (`scripts/audio-testbed`, shared
//! through `common::testbed`; ignored, with the reason, unless the test bed
//! runs and `SMFPLAY_TESTBED=1`), one at a time.

mod common;

use std::process::Output;

use common::testbed::{self, event, field, json_events, serial};
use common::{TempDir, soundfont};
use smfplay_tests::fixtures;

fn play(args: &[&str]) -> Output {
    let _one_at_a_time = serial();
    let mut c = testbed::host();
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
    c.output().expect("run host play")
}

fn end_event(out: &Output) -> serde_json::Value {
    let events = json_events(&out.stdout);
    event(&events, "end")
        .unwrap_or_else(|| panic!("no end event: {}", String::from_utf8_lossy(&out.stdout)))
        .clone()
}

fn number(event: &serde_json::Value, key: &str) -> f64 {
    field(event, key).unwrap_or_else(|| panic!("no {key} in {event}"))
}

#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn play_stops_at_max_duration_with_a_warning_and_exit_0() {
    let dir = TempDir::new("play-max-duration");
    let song = dir.write("dense.mid", &fixtures::dense_16ch(60));
    let out = play(&["--max-duration", "1.5", &song]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "host: warning: {song}: stopped at --max-duration (1.5 s of song time); the song goes on"
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
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
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
    assert_eq!(end["stopped"], true, "{end}");
    // Sought to 40 s, then about 0.5 s at 1.5× before the pause.
    let song_s = number(&end, "song_s");
    assert!((40.0..42.5).contains(&song_s), "{end}");
    // Wall time: the waits (2 s) and start-up, not the 60 s song.
    assert!(number(&end, "wall_s") < 20.0, "{end}");
}

#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn a_command_files_settings_carry_to_the_next_file() {
    let dir = TempDir::new("play-commands-carry");
    let song = dir.write("dense.mid", &fixtures::dense_16ch(60));
    // Read before the first song starts: it waits for it, then stays set.
    let cmds = dir.write("cmds.txt", b"tempo 0.5\n");
    let out = play(&["--commands", &cmds, "--max-duration", "2", &song, &song]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let events = json_events(&out.stdout);
    let ends: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "end").collect();
    assert_eq!(ends.len(), 2, "{ends:?}");
    // 2 s of song time at half speed is over 4 s of wall time, in both
    // songs (at 1× it is about 2.8 s: 2 s and the start-up).
    for end in ends {
        let (song_s, wall_s) = (number(end, "song_s"), number(end, "wall_s"));
        assert!((2.0..2.5).contains(&song_s), "{end}");
        assert!(wall_s / song_s > 1.8, "not at half speed: {end}");
    }
}

/// `play --json` decodes lyrics as `dump` does (Latin-1, UTF-8 with emoji
/// and combining marks, Shift-JIS): one decoder (issue 14).
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn play_json_lyrics_read_as_dump_reads_them() {
    let dir = common::TempDir::new("play-texts");
    let song = dir.write("texts.mid", &common::encoded_texts_song());
    let out = play(&[&song]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let events = json_events(&out.stdout);
    let lyrics: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "lyric")
        .map(|e| e["text"].as_str().expect("text"))
        .collect();
    assert_eq!(lyrics, common::DECODED_LYRICS);
    assert!(
        events
            .iter()
            .filter(|e| e["event"] == "lyric")
            .all(|e| e["time_s"] == 0.0)
    );
}
