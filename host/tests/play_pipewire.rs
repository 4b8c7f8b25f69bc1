//! `host play --device default` through PipeWire, the path most users have
//! (Raspberry Pi OS bookworm, most desktops: ALSA's `default` is
//! pipewire-alsa): on the PipeWire test bed (`scripts/pipewire-testbed`, a
//! private server with a sink that records what it receives, shared
//! through `common::pipewire`; ignored, with the reason, unless it runs
//! and `SMFPLAY_PIPEWIRE_TESTBED=1`).
//!
//! What the sink received must be `host render`'s samples bit for bit over
//! the whole song, with 0 xruns, at the periods and in the sample formats
//! checked here, also with real time through the real rtkit-daemon when the
//! kernel refuses it (a desktop user's lot); a server that is not running
//! or hangs gives one line and exit 5, never a hang.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::pipewire::{Recording, ServerLog, host, output_within, run_script, serial};
use common::rtkit_daemon::{RealRtkit, watch_for_realtime};
use common::testbed;

/// The SoundFont the tests play with.
const SF2: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";

/// The songs: 2 s and 5 s of the demo (3.5 s and 8 s with their release
/// tails; sound from the first period on).
const SHORT: [&str; 2] = ["--end", "2"];
const LONG: [&str; 2] = ["--end", "5"];

/// A path in this test process's scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smfplay-pipewire-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo.mid")
}

/// `host render` of the demo with `options` in WAV format `s16` or `f32`
/// (the play commands' SoundFont, rate and gain): its interleaved samples.
fn render(format: &str, options: &[&str]) -> Vec<f64> {
    let wav = scratch(&format!("reference-{format}.wav"));
    let mut cmd = common::host();
    cmd.arg("render")
        .args(["--soundfont", SF2, "--rate", "48000", "-f", format, "-q"])
        .args(options)
        .arg("-o")
        .arg(&wav)
        .arg(demo());
    let out = output_within(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "host render failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    common::read_wav(&wav).samples
}

/// What the sink must receive when play sends `format`, as the 32-bit
/// floats the sink holds: render's s16 samples (PipeWire's s16 → f32 is
/// exact, ÷32768), render's floats themselves, or for s32 the integers
/// play sends (the core's rule, ×2³¹) as PipeWire 0.3 converts them: to
/// 24 bits (an arithmetic shift right by 8), ÷2²³.
fn expected(format: &str, song: &[&str]) -> Vec<f64> {
    match format {
        "s16" => render("s16", song),
        "f32" => render("f32", song),
        "s32" => render("f32", song)
            .into_iter()
            .map(|x| {
                let mut i = [0i32];
                smfplay_core::audio::convert::f32_to_i32(&[x as f32], 1.0, &mut i);
                f64::from((i[0] >> 8) as f32 / 8_388_608.0)
            })
            .collect(),
        other => panic!("no format {other}"),
    }
}

/// One play on `default`, what the sink received recorded.
struct Take {
    /// Play's exit status and output.
    out: Output,
    /// What the sink received (interleaved 32-bit floats).
    recording: Vec<f64>,
    /// Cycles PipeWire's graph missed meanwhile (see [`ServerLog`]).
    graph_misses: usize,
    /// The audio thread's real-time priority, once seen real-time in
    /// `/proc` (`None`: never).
    audio_realtime: Option<u32>,
}

/// Plays `song` with `player` (`host` with the test bed's environment, see
/// [`host`]; a stall hook in it, if any) at `period`×`periods` frames in
/// `format` while what the sink receives is recorded.
fn play_recorded(
    mut player: Command,
    period: u32,
    periods: u32,
    format: &str,
    song: &[&str],
) -> Take {
    let log = ServerLog::mark();
    let recording = Recording::start(&scratch(&format!(
        "capture-{period}x{periods}-{format}.raw"
    )));
    player
        .arg("play")
        .args(["--device", "default", "--soundfont", SF2, "--json"])
        .args(["--period", &period.to_string()])
        .args(["--periods", &periods.to_string()])
        .args(["--format", format])
        .args(song)
        .arg(demo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = player.spawn().expect("run host");
    let audio_realtime = watch_for_realtime(&mut child, "audio", Duration::from_secs(30));
    let out = testbed::wait_with_timeout(child, Duration::from_secs(30));
    // The last cycle reaches the sink a graph cycle later.
    std::thread::sleep(Duration::from_millis(300));
    let recording = recording.stop();
    Take {
        out,
        recording,
        graph_misses: log.graph_misses(),
        audio_realtime,
    }
}

/// Play's `end` event (it must have ended well, with one).
fn end_event(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    common::json_lines(&String::from_utf8_lossy(&out.stdout))
        .into_iter()
        .find(|e| e["event"] == "end")
        .unwrap_or_else(|| {
            panic!(
                "no end event; exit {}, stderr: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// Where one channel of the recording departs from the song.
#[derive(Debug, PartialEq)]
enum Departure {
    /// What a cycle the graph missed leaves: at a cycle's start (song frame
    /// `at`), `silence` frames of silence, then the song again `skipped`
    /// frames further on (both whole cycles; `skipped` frames are lost).
    /// Seen here: a cycle lost, silence put in, silence in a cycle's place,
    /// and in one take the right channel a cycle ahead of the left one.
    Cycles {
        channel: usize,
        at: usize,
        silence: usize,
        skipped: usize,
    },
    /// Anything else: other samples than the song's, part of a cycle, the
    /// song cut short, sound after its end.
    Wrong {
        channel: usize,
        at: usize,
        what: String,
    },
}

/// Reads the recording (interleaved stereo) against the song, channel by
/// channel: silence, the song's samples (bit for bit), then only silence.
/// The song's place is found by its first sound; where a channel departs
/// from it, the departure is named if it is one a missed graph cycle of
/// `cycle` frames leaves (see [`Departure::Cycles`]) and the reading goes
/// on after it. Returns the departures (none: the recording is the song).
fn read_recording(recording: &[f64], song: &[f64], cycle: usize) -> Vec<Departure> {
    let first_sound = |s: &[f64]| s.iter().position(|&x| x != 0.0).map(|i| i / 2);
    let (Some(song_start), Some(heard)) = (first_sound(song), first_sound(recording)) else {
        let what = "the song or the recording is silent".to_string();
        return vec![Departure::Wrong {
            channel: 0,
            at: 0,
            what,
        }];
    };
    let Some(offset) = heard.checked_sub(song_start) else {
        let what = format!("the recording sounds at frame {heard}, before the song can");
        return vec![Departure::Wrong {
            channel: 0,
            at: 0,
            what,
        }];
    };
    let mut out = Vec::new();
    for channel in 0..2 {
        let rec: Vec<u64> = recording
            .iter()
            .skip(channel)
            .step_by(2)
            .map(|x| x.to_bits())
            .collect();
        let want: Vec<u64> = song
            .iter()
            .skip(channel)
            .step_by(2)
            .map(|x| x.to_bits())
            .collect();
        read_channel(
            &rec[offset.min(rec.len())..],
            &want,
            cycle,
            channel,
            &mut out,
        );
    }
    out
}

/// [`read_recording`] for one channel (samples as bits, the recording from
/// the song's first frame on).
fn read_channel(rec: &[u64], song: &[u64], cycle: usize, channel: usize, out: &mut Vec<Departure>) {
    const ZERO: u64 = 0;
    let wrong = |at, what| Departure::Wrong { channel, at, what };
    // The recording from `j` is the song from `i` for a cycle (or to the
    // song's end, not at it).
    let resumes = |j: usize, i: usize| {
        let n = cycle.min(song.len().saturating_sub(i));
        n > 0 && rec.get(j..j + n) == song.get(i..i + n)
    };
    let (mut i, mut j) = (0, 0);
    // Where the recording has matched the song since (its frame).
    let mut matched_from = 0;
    while i < song.len() {
        if rec.get(j) == Some(&song[i]) {
            i += 1;
            j += 1;
            continue;
        }
        let Some(&got) = rec.get(j) else {
            out.push(wrong(
                i,
                format!(
                    "the recording ends {} frames before the song",
                    song.len() - i
                ),
            ));
            return;
        };
        let what = format!(
            "recording {}, render {}",
            f64::from_bits(got),
            f64::from_bits(song[i])
        );
        // A missed cycle starts where a cycle starts (the recorder writes
        // whole cycles, and play's first frame starts one): back to the
        // start of this cycle, when it matched since then (the song may be
        // silent where the silence began).
        let back = j % cycle;
        let (at, from) = if back <= j - matched_from {
            (i - back, j - back)
        } else {
            (i, j)
        };
        let zeros = rec[from..].iter().take_while(|&&x| x == ZERO).count();
        // The smallest departure that explains it, in whole cycles.
        let found = (from % cycle == 0)
            .then(|| {
                (1..=200usize).find_map(|total| {
                    (0..=total.min(zeros / cycle))
                        .map(|s| (s, total - s))
                        .find(|&(s, l)| resumes(from + s * cycle, at + l * cycle))
                        .map(|(s, l)| (s * cycle, l * cycle))
                })
            })
            .flatten();
        let Some((silence, skipped)) = found else {
            out.push(wrong(i, what));
            return;
        };
        (i, j) = (at, from);
        out.push(Departure::Cycles {
            channel,
            at: i,
            silence,
            skipped,
        });
        i += skipped;
        j += silence;
        matched_from = j;
    }
    if let Some(k) = rec.get(j..).and_then(|r| r.iter().position(|&x| x != ZERO)) {
        out.push(wrong(
            i,
            format!("sound in the recording {k} frames after the song's end"),
        ));
    }
}

/// Takes of one check at most (see [`assert_bit_exact`]).
const TAKES: usize = 8;

/// Plays `song` with `player` (a fresh `host` command with the test bed's
/// environment each time) at `period`×`periods` in `format` until a take
/// is exact, and returns that take:
/// the recording is the render bit for bit, first sound to last, and
/// play counts 0 xruns. PipeWire's graph can miss a cycle when the machine
/// does not run it in time (measured on this 2-vCPU VM while other builds
/// run: often at 64-frame cycles); that cycle's samples are lost or
/// silence is put in, and pipewire-alsa does not tell play (0 xruns). A
/// take in which the server logged such a miss, and whose every departure
/// from the render is one a missed cycle leaves, is taken again (up to
/// [`TAKES`] times); so is a take in which play itself counted xruns (it
/// was late: after the stream's recovery the recording's alignment is no
/// longer the song's, so its samples are not judged). Any other departure
/// fails at once: wrong samples or a part of a cycle in a take without an
/// xrun, or any departure in a take without a logged miss or an xrun.
fn assert_bit_exact(
    player: impl Fn() -> Command,
    period: u32,
    periods: u32,
    format: &str,
    song_options: &[&str],
) -> Take {
    let song = expected(format, song_options);
    let mut disturbed = Vec::new();
    for _ in 0..TAKES {
        let take = play_recorded(player(), period, periods, format, song_options);
        let end = end_event(&take.out);
        // The graph runs at the shortest latency asked: play's period, or the
        // recording sink's 256 frames.
        let departures = read_recording(&take.recording, &song, period.min(256) as usize);
        eprintln!(
            "{period}x{periods} {format}: graph misses {}, xruns {}, departures {departures:?}",
            take.graph_misses, end["xruns"]
        );
        let what = format!(
            "{period}x{periods} {format} ({} graph misses logged, {end})",
            take.graph_misses
        );
        let xruns = end["xruns"].as_u64().unwrap_or(u64::MAX);
        if xruns == 0
            && let Some(wrong) = departures
                .iter()
                .find(|d| matches!(d, Departure::Wrong { .. }))
        {
            panic!("{what}: the recording is not the render: {wrong:?}");
        }
        if departures.is_empty() && xruns == 0 {
            assert_eq!(end["stopped"], false, "{what}");
            return take;
        }
        assert!(
            take.graph_misses > 0 || xruns > 0,
            "{what}: the recording departs from the render ({departures:?}), and neither \
             PipeWire's graph missed a cycle nor play counted an xrun"
        );
        disturbed.push(format!(
            "{} misses, xruns {}: {departures:?}",
            take.graph_misses, end["xruns"]
        ));
    }
    panic!(
        "{period}x{periods} {format}: PipeWire's graph missed cycles in each of {TAKES} takes, \
         so none could show play exact (is the machine overloaded?): {disturbed:#?}"
    );
}

/// The smallest period the plugin takes for a stream (64 frames at
/// 48 kHz) and the default one in s16, and `--format f32` and `s32`: what
/// the sink received is the render, sample for sample (for s32, as
/// PipeWire converts it), with no xrun.
#[test]
#[cfg_attr(
    not(pipewire_testbed),
    ignore = "needs the PipeWire test bed: run scripts/test"
)]
fn pipewire_default_plays_bit_exact_at_64x2_and_256x2_in_each_format() {
    let _l = serial();
    for (period, format, song) in [
        (64, "s16", SHORT),
        (256, "s16", LONG),
        (256, "f32", LONG),
        (256, "s32", SHORT),
    ] {
        assert_bit_exact(host, period, 2, format, &song);
    }
}

/// As a Raspberry Pi OS desktop user has it: the kernel refuses
/// `SCHED_FIFO` (`host` runs without `CAP_SYS_NICE`, `RLIMIT_RTPRIO` 0)
/// and the real rtkit-daemon on a private system bus (see
/// `common::rtkit_daemon`) grants real time: the audio thread is seen
/// real-time at rtkit's maximum in `/proc` and `--verbose` says it came
/// through rtkit, no warning, and what the sink received is the render
/// bit for bit with 0 xruns.
#[test]
#[cfg_attr(
    not(pipewire_testbed),
    ignore = "needs the PipeWire test bed and root: run scripts/test"
)]
fn pipewire_default_with_real_time_through_rtkit_plays_bit_exact() {
    let _l = serial();
    let rtkit = RealRtkit::start("pipewire-rtkit");
    let desktop_user = || {
        let mut c = common::pipewire::with_bed(common::host_without_sys_nice());
        c.env("DBUS_SYSTEM_BUS_ADDRESS", &rtkit.bus.address)
            .env_remove("SMFPLAY_NO_RT")
            .arg("-v");
        c
    };
    let take = assert_bit_exact(desktop_user, 256, 2, "s16", &SHORT);
    let stderr = String::from_utf8_lossy(&take.out.stderr);
    assert_eq!(
        take.audio_realtime,
        Some(20),
        "the audio thread, real-time at rtkit's maximum (20); stderr: {stderr}"
    );
    assert!(
        stderr.contains("audio thread: SCHED_RR priority 20 through rtkit"),
        "{stderr}"
    );
    assert_eq!(
        common::warnings(&take.out),
        Vec::<String>::new(),
        "{stderr}"
    );
}

/// The reading catches a gap play makes: an audio thread that stalls
/// (40 ms against a 10.7 ms buffer) is counted as xruns through the
/// plugin, and the recording departs from the render there.
#[test]
#[cfg_attr(
    not(pipewire_testbed),
    ignore = "needs the PipeWire test bed: run scripts/test"
)]
fn pipewire_stalls_are_xruns_and_fail_the_comparison() {
    let _l = serial();
    let song = expected("s16", &SHORT);
    let mut stalling = host();
    stalling.env("SMFPLAY_STALL", "40@100x2");
    let take = play_recorded(stalling, 256, 2, "s16", &SHORT);
    let end = end_event(&take.out);
    assert!(
        end["xruns"].as_u64().is_some_and(|x| x >= 1),
        "no xrun counted: {end}"
    );
    let departures = read_recording(&take.recording, &song, 256);
    eprintln!("stalled play: {end}, {departures:?}");
    assert!(!departures.is_empty(), "a stalled play passed as bit-exact");
}

/// The reading itself: a recording that is the song; the song with a
/// cycle lost, with silence put in or in its place, with one channel a
/// cycle ahead; and with one sample wrong by its last bit, or half a cycle
/// lost.
#[test]
fn reading_a_recording_names_each_departure() {
    let song: Vec<f64> = (0..4_096)
        .map(|i| f64::from((i * 7919) % 2001 - 1000) / 32_768.0)
        .collect();
    let mut recording = vec![0.0; 2 * 64 * 3];
    recording.extend(&song);
    recording.extend(vec![0.0; 256]);
    let cycles = |at, silence, skipped| {
        (0..2)
            .map(|channel| Departure::Cycles {
                channel,
                at,
                silence,
                skipped,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(read_recording(&recording, &song, 64), []);
    let at = 2 * (64 * 3 + 640);
    let mut lost = recording.clone();
    lost.drain(at..at + 128);
    assert_eq!(read_recording(&lost, &song, 64), cycles(640, 0, 64));
    let mut put_in = recording.clone();
    put_in.splice(at..at, vec![0.0; 256]);
    assert_eq!(read_recording(&put_in, &song, 64), cycles(640, 128, 0));
    let mut instead = recording.clone();
    instead[at..at + 128].fill(0.0);
    assert_eq!(read_recording(&instead, &song, 64), cycles(640, 64, 64));
    // Left: a cycle of silence, then the cycle after the next; right: the
    // next cycle a cycle early.
    let mut ahead = recording.clone();
    for k in 0..64 {
        ahead[at + 2 * k] = 0.0;
        ahead[at + 2 * k + 1] = recording[at + 128 + 2 * k + 1];
    }
    ahead.drain(at + 128..at + 256);
    assert_eq!(
        read_recording(&ahead, &song, 64),
        [
            Departure::Cycles {
                channel: 0,
                at: 640,
                silence: 64,
                skipped: 128
            },
            Departure::Cycles {
                channel: 1,
                at: 640,
                silence: 0,
                skipped: 64
            },
        ]
    );
    // Silence in a cycle's place where the song starts the cycle silent:
    // the departure is still found at the cycle's start.
    let mut quiet_start = song.clone();
    quiet_start[2 * 640..2 * 643].fill(0.0);
    let mut quiet_recording = vec![0.0; 2 * 64 * 3];
    quiet_recording.extend(&quiet_start);
    quiet_recording.extend(vec![0.0; 256]);
    quiet_recording[at..at + 128].fill(0.0);
    assert_eq!(
        read_recording(&quiet_recording, &quiet_start, 64),
        cycles(640, 64, 64)
    );
    let mut wrong = recording.clone();
    wrong[at + 5] = f64::from_bits(wrong[at + 5].to_bits() ^ 1);
    assert!(matches!(
        read_recording(&wrong, &song, 64)[..],
        [Departure::Wrong {
            channel: 1,
            at: 642,
            ..
        }]
    ));
    let mut half = recording.clone();
    half.drain(at + 64..at + 128);
    assert!(matches!(
        read_recording(&half, &song, 64)[..],
        [
            Departure::Wrong { channel: 0, .. },
            Departure::Wrong { channel: 1, .. }
        ]
    ));
}

/// No server: its socket is not there (PipeWire is not running), or is
/// left by a server that died (nobody listens): one line naming the
/// device and what to do, exit 5, at once.
#[test]
#[cfg_attr(
    not(pipewire_testbed),
    ignore = "needs the PipeWire test bed: run scripts/test"
)]
fn pipewire_server_not_running_is_one_line_and_exit_5() {
    let _l = serial();
    let no_socket = scratch("runtime-without-server");
    let stale = scratch("runtime-with-stale-socket");
    for dir in [&no_socket, &stale] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let socket = stale.join("pipewire-0");
    let _ = std::fs::remove_file(&socket);
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    for runtime in [no_socket, stale] {
        let mut play = play_default();
        play.env("XDG_RUNTIME_DIR", &runtime);
        assert_one_line_and_exit_5(
            play,
            Duration::from_secs(5),
            &["no sound server answers", "PipeWire", "--device"],
        );
    }
}

/// `host play --device default` of the demo song on the test bed.
fn play_default() -> Command {
    let mut cmd = host();
    cmd.arg("play")
        .args(["--device", "default", "--soundfont", SF2])
        .arg(demo());
    cmd
}

/// `play` ends within `limit` (killed, failing, at twice that) with one
/// line about `default` holding `words`, and exit 5.
fn assert_one_line_and_exit_5(play: Command, limit: Duration, words: &[&str]) {
    let t = Instant::now();
    let out = output_within(play, limit * 2);
    let line = common::error_line(&out, 5, "default", words);
    eprintln!("{line} ({:?})", t.elapsed());
    assert!(t.elapsed() < limit, "took {:?}", t.elapsed());
}

/// A server that hangs (stopped with SIGSTOP): play neither hangs in
/// opening the device nor in writing to it; one line, exit 5.
#[test]
#[cfg_attr(
    not(pipewire_testbed),
    ignore = "needs the PipeWire test bed: run scripts/test"
)]
fn pipewire_server_that_hangs_is_one_line_and_exit_5() {
    let _l = serial();
    /// Thaws the server however the test ends.
    struct Thaw;
    impl Drop for Thaw {
        fn drop(&mut self) {
            let _ = run_script(&["thaw"]);
        }
    }
    let frozen = run_script(&["freeze"]);
    assert!(frozen.status.success(), "freeze failed");
    let _thaw = Thaw;
    assert_one_line_and_exit_5(
        play_default(),
        Duration::from_secs(8),
        &["stopped playing", "restart its sound server"],
    );
}
