//! Loops and bar:beat positions through `host render` and `host info`: for
//! each in-file loop convention `render --loops N` is exactly the song with
//! the loop written out N times (length and samples), `info` names the
//! loop, `--loop-range` does the same for any range, `--start` in bars is
//! the same as in seconds, and bad positions are one clear line.

mod common;

use common::*;
use smfplay_core::sequencer::LoopConvention;
use smfplay_tests::loop_songs::{self, looped, unrolled};

fn render(mid: &str, out: &str, extra: &[&str]) -> Wav {
    // 32 kHz: every event of the loop songs is on a whole frame, and the
    // renders are quick.
    let mut args = vec![
        "render",
        mid,
        "-o",
        out,
        "-q",
        "-s",
        soundfont(),
        "-r",
        "32000",
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
    parse_wav(&std::fs::read(out).expect("read WAV"))
}

/// Frames of the song at 32 kHz up to `tick` with no loop: 120 BPM for
/// bars 1–2, 100 BPM for bars 3–5, 150 BPM after (see `loop_songs`).
fn frame(tick: u64) -> u64 {
    let bar = loop_songs::BAR;
    let seg = |from: u64, to: u64, us: u64| {
        tick.clamp(from, to).saturating_sub(from) * us * 32_000 / (480 * 1_000_000)
    };
    seg(0, 2 * bar, 500_000) + seg(2 * bar, 5 * bar, 600_000) + seg(5 * bar, u64::MAX, 400_000)
}

/// The same frames, sample for sample.
fn assert_same(a: &Wav, b: &Wav, what: &str) {
    assert_eq!(a.frames(), b.frames(), "{what}: the lengths differ");
    assert!(a.samples == b.samples, "{what}: the samples differ");
}

/// A directory for one test with the song without loop marks in it.
fn plain_song(test: &str) -> (TempDir, String) {
    let dir = TempDir::new(test);
    let mid = dir.write("n.mid", &looped(None));
    (dir, mid)
}

#[test]
fn render_loops_n_times_exactly_as_the_loop_written_out() {
    let dir = TempDir::new("loops-render");
    for (i, convention) in LoopConvention::ALL.into_iter().enumerate() {
        let mid = dir.write(&format!("l{i}.mid"), &looped(Some(convention)));
        let plain = dir.write(&format!("u{i}.mid"), &unrolled(Some(convention), 3));
        let info = String::from_utf8(run_ok(&["info", &mid])).unwrap();
        let bars = if convention == LoopConvention::Cc111 {
            "bars 5:1–11:1"
        } else {
            "bars 5:1–9:1"
        };
        let line = format!("Loop:        {bars} ({})", convention.name());
        assert!(
            info.contains(&line),
            "{convention:?}: no {line:?} in\n{info}"
        );
        let dry = ["--no-reverb", "--no-chorus"];
        let looped3 = render(&mid, &dir.s("l.wav"), &["--loops", "3", dry[0], dry[1]]);
        let written = render(&plain, &dir.s("u.wav"), &dry);
        // intro + 3 × loop + outro, then the same release tail.
        let (a, b) = (
            frame(loop_songs::LOOP_START),
            frame(loop_songs::loop_end(Some(convention))),
        );
        let body = frame(loop_songs::SONG_END) + 2 * (b - a);
        assert!(
            looped3.frames() as u64 > body,
            "{convention:?}: {} frames",
            looped3.frames()
        );
        assert_eq!(looped3.frames(), written.frames(), "{convention:?}: length");
        assert_same(&looped3, &written, &format!("{convention:?}"));
    }
    // With reverb and chorus, the state replayed at each turn (CC 91/93
    // among the controllers) moves the effects' input a little: the same
    // length, and the same samples up to the first turn.
    let mid = dir.write("wet.mid", &looped(Some(LoopConvention::Markers)));
    let plain = dir.write("wet-u.mid", &unrolled(Some(LoopConvention::Markers), 2));
    let looped2 = render(&mid, &dir.s("l.wav"), &["--loops", "2"]);
    let written = render(&plain, &dir.s("u.wav"), &[]);
    assert_eq!(looped2.frames(), written.frames(), "wet: length");
    let turn = 2 * frame(loop_songs::LOOP_END) as usize;
    assert!(
        looped2.samples[..turn] == written.samples[..turn],
        "wet: before the turn"
    );
    // --loops 1 (the default) plays straight through.
    let once = render(&mid, &dir.s("once.wav"), &[]);
    let straight = render(&dir.write("n.mid", &looped(None)), &dir.s("n.wav"), &[]);
    assert_same(&once, &straight, "--loops 1 is not the song played through");
}

#[test]
fn loop_range_in_bars_or_seconds_loops_that_range() {
    let (dir, mid) = plain_song("loops-range");
    let info = String::from_utf8(run_ok(&["info", &mid])).unwrap();
    assert!(info.contains("Loop:        none"), "{info}");
    let dry = ["--no-reverb", "--no-chorus"];
    let written = render(
        &dir.write("u.mid", &unrolled(Some(LoopConvention::Markers), 2)),
        &dir.s("u.wav"),
        &dry,
    );
    let bars = render(
        &mid,
        &dir.s("b.wav"),
        &["--loop-range", "5:1-9:1", "--loops", "2", dry[0], dry[1]],
    );
    assert_same(
        &bars,
        &written,
        "--loop-range in bars differs from the loop written out",
    );
    // Bar 5 is at 8.8 s, bar 9 at 8.8 + 2.4 + 3 × 1.6 = 16 s.
    let secs = render(
        &mid,
        &dir.s("s.wav"),
        &["--loop-range", "8.8-16", "--loops", "2", dry[0], dry[1]],
    );
    assert_same(&secs, &written, "--loop-range in seconds differs");
}

#[test]
fn start_and_end_in_bars_are_the_same_as_in_seconds() {
    let (dir, mid) = plain_song("loops-bars");
    let bars = render(&mid, &dir.s("b.wav"), &["--start", "3:1", "--end", "9:1"]);
    let secs = render(&mid, &dir.s("s.wav"), &["--start", "4", "--end", "16"]);
    assert_same(&bars, &secs, "bars and seconds differ");
    let beat = render(
        &mid,
        &dir.s("t.wav"),
        &["--start", "2:3:240", "--end", "9:1"],
    );
    let secs = render(&mid, &dir.s("u.wav"), &["--start", "3.25", "--end", "16"]);
    assert_same(&beat, &secs, "bar:beat:tick and seconds differ");
}

#[test]
fn bad_positions_and_marks_are_one_clear_line() {
    let (dir, mid) = plain_song("loops-errors");
    let out_wav = dir.s("x.wav");
    let render_with = |option: &str, value: &str| {
        run(&[
            "render",
            &mid,
            "-o",
            &out_wav,
            "-s",
            soundfont(),
            option,
            value,
        ])
    };
    let out = render_with("--start", "3:5");
    error_line(
        &out,
        2,
        &mid,
        &["--start", "beat 5 is past the bar's 4 beats"],
    );
    let out = render_with("--loop-range", "9:1-5:1");
    error_line(&out, 2, &mid, &["--loop-range", "after its start"]);
    // Refused by the option's parser (clap), before the file is read.
    let out = render_with("--start", "0:1");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the bar counts from 1"));
    // Two loop starts: a warning, and the song plays straight through.
    let mut t = smfplay_tests::timeline::Timeline::new();
    t.control(0, 0, 116, 0)
        .control(960, 0, 116, 0)
        .control(1920, 0, 117, 0)
        .note(0, 480, 0, 60, 90);
    let bytes = smfplay_tests::smf_writer::smf(
        0,
        smfplay_tests::smf_writer::Division::Metrical(480),
        &[t.render(smfplay_tests::smf_writer::RunningStatus::Compliant, 3840)],
    );
    let nested = dir.write("nested.mid", &bytes);
    let out = run(&[
        "render",
        &nested,
        "-o",
        &dir.s("x.wav"),
        "-q",
        "-s",
        soundfont(),
        "--loops",
        "5",
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("loop points ignored"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("a second loop start at 1:3"),
        "{stderr}"
    );
    let wav = parse_wav(&std::fs::read(dir.s("x.wav")).unwrap());
    assert!(
        (wav.frames() as u64) < 48_000 * 6,
        "played {} frames",
        wav.frames()
    );
}
