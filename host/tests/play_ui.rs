//! The live display and its keys, driven for real: `host play` runs in a
//! tmux pane (120×40) on the audio test bed (`common/testbed.rs`, as
//! `play_testbed.rs`: ignored, with the reason, unless the test bed runs
//! and `SMFPLAY_TESTBED=1`), keys go in with `send-keys`, and the screen is read
//! back with `capture-pane`. Waits poll the pane with generous limits (a
//! busy 2-core CI machine); only "the clock stands still while paused"
//! needs a fixed wait.
//!
//! tmux comes from `scripts/setup`; a missing tmux fails the test with
//! that message.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::testbed::{RATE, SF2, scratch, serial, testbed, write_fixture};
use smfplay_tests::smf_writer::{Division, RunningStatus, TextKind, smf};
use smfplay_tests::timeline::Timeline;

/// How long any one thing may take to show on the screen.
const LIMIT: Duration = Duration::from_secs(30);
const TPQ: u16 = 480;

/// A tmux server of our own (its own socket) with one pane (120×40
/// unless said) running `host play`, killed on drop.
struct Pane {
    socket: PathBuf,
    dir: PathBuf,
}

impl Pane {
    /// Runs `host play ARGS` in a new pane. The script around it saves
    /// `stty -g` before and after, then prints the exit code (after, so a
    /// test that saw `EXIT=` finds `stty.after` written), then keeps the
    /// pane open (it traps SIGINT, as an interactive shell survives a
    /// Ctrl-C meant for its foreground program).
    fn play(name: &str, args: &[&str]) -> Self {
        Self::play_sized(name, 120, args)
    }

    /// [`Pane::play`] in a pane `columns` wide.
    fn play_sized(name: &str, columns: u16, args: &[&str]) -> Self {
        let dir = scratch(&format!("ui-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("tmux.sock");
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let script = format!(
            "trap : INT\n\
             stty -g > '{d}/stty.before'\n\
             '{host}' play --soundfont '{SF2}' {args}\n\
             code=$?\n\
             stty -g > '{d}/stty.after'\n\
             echo \"EXIT=$code\"\n\
             exec sleep 600\n",
            d = dir.display(),
            host = env!("CARGO_BIN_EXE_host"),
            args = quoted.join(" "),
        );
        let script_path = dir.join("run.sh");
        std::fs::write(&script_path, script).unwrap();
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&socket).args([
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &columns.to_string(),
            "-y",
            "40",
            "sh",
        ]);
        c.arg(&script_path);
        for (k, v) in testbed() {
            c.env(k, v);
        }
        c.env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env_remove("SMFPLAY_STALL")
            .env_remove("TMUX");
        let out = c
            .output()
            .expect("run tmux (scripts/setup installs it: apt-get install tmux)");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { socket, dir }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    /// Sends keys (tmux key names: `Space`, `Right`, `PPage`, `q`…).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Polls the screen until `ok` holds; returns that screen.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                t.elapsed() < LIMIT,
                "waited {LIMIT:?} for {what}; the screen:\n{}",
                s.trim_end()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for `host` to end; returns its exit code.
    fn exit_code(&self) -> i32 {
        let s = self.wait_for("host to exit", |s| s.contains("EXIT="));
        let line = s.lines().find(|l| l.starts_with("EXIT=")).unwrap();
        line["EXIT=".len()..].trim().parse().unwrap()
    }

    /// Whether tmux shows the cursor in the pane.
    fn cursor_visible(&self) -> bool {
        self.tmux(&["display-message", "-p", "#{cursor_flag}"])
            .trim()
            == "1"
    }

    /// The pid of `host` (the child of the pane's shell).
    fn host_pid(&self) -> i32 {
        let sh = self.tmux(&["display-message", "-p", "#{pane_pid}"]);
        let sh = sh.trim();
        let children =
            std::fs::read_to_string(format!("/proc/{sh}/task/{sh}/children")).unwrap_or_default();
        children
            .split_whitespace()
            .filter_map(|c| c.parse::<i32>().ok())
            .find(|c| {
                std::fs::read_to_string(format!("/proc/{c}/comm"))
                    .is_ok_and(|comm| comm.trim() == "host")
            })
            .expect("host runs in the pane")
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// `m:ss.s` → ms.
fn parse_clock(s: &str) -> Option<u64> {
    let (m, rest) = s.split_once(':')?;
    let (sec, tenth) = rest.split_once('.')?;
    Some(
        m.parse::<u64>().ok()? * 60_000
            + sec.parse::<u64>().ok()? * 1000
            + tenth.parse::<u64>().ok()? * 100,
    )
}

/// The elapsed time on the progress line (`[###---] 0:05.4 / 0:59.7`).
fn elapsed_ms(screen: &str) -> Option<u64> {
    let line = screen
        .lines()
        .find(|l| l.starts_with('[') && l.contains(" / "))?;
    let after = line.rsplit_once("] ")?.1;
    parse_clock(after.split(" / ").next()?)
}

/// The voices figure of the display.
fn voices(screen: &str) -> Option<u32> {
    let line = screen.lines().find(|l| l.starts_with("voices "))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn header_line(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.starts_with("smfplay "))
        .unwrap_or("")
}

/// Sustained organ notes on one channel (0-based `ch`): a new note every
/// beat (0.5 s), each held 3 s, for `seconds`, then `gap` seconds of
/// nothing before the end of the track. At any time in the music several
/// notes sound, so a seek always cuts through held notes.
fn held_notes(ch: u8, seconds: u64, gap: u64) -> Vec<u8> {
    let q = u64::from(TPQ);
    let mut t = Timeline::new();
    t.tempo(0, 500_000).program(0, ch, 19);
    let beats = seconds * 2;
    for b in 0..beats {
        let len = (6 * q).min((beats - b) * q);
        t.note(b * q, len, ch, 48 + (b % 12) as u8 * 2, 100);
    }
    let end = (seconds + gap) * 2 * q;
    let track = t.render(RunningStatus::Compliant, end);
    smf(0, Division::Metrical(TPQ), &[track])
}

fn stty_restored(p: &Pane) {
    let (before, after) = (p.file("stty.before"), p.file("stty.after"));
    assert!(!before.trim().is_empty(), "no stty -g before");
    assert_eq!(before, after, "the terminal settings were not restored");
    assert!(p.cursor_visible(), "the cursor is still hidden");
}

/// Space pauses: the clock stands still across a second and `(paused)`
/// shows; space again resumes and the clock moves on. `+`, `t`/`T`, ↑,
/// `r` and `l` show their settings. `q` then exits 0 with the terminal as
/// it was (same `stty -g`, cursor shown).
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn pause_stops_the_clock_and_q_restores_the_terminal() {
    let _l = serial();
    let midi = write_fixture("ui-pause.mid", &smfplay_tests::fixtures::dense_16ch(60));
    let p = Pane::play("pause", &["--device", "tb_jack", midi.to_str().unwrap()]);
    p.wait_for("playing past 1 s", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 1000)
    });
    assert!(
        !p.cursor_visible(),
        "the cursor shows while the display runs"
    );
    p.keys(&["Space"]);
    let s = p.wait_for("(paused)", |s| header_line(s).ends_with("(paused)"));
    // The pause lands within a period; read the clock once it shows.
    std::thread::sleep(Duration::from_millis(300));
    let t1 = elapsed_ms(&p.screen()).unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let s2 = p.screen();
    let t2 = elapsed_ms(&s2).unwrap();
    assert_eq!(t1, t2, "the clock moved while paused:\n{s}\n{s2}");
    assert!(header_line(&s2).ends_with("(paused)"));
    p.keys(&["Space"]);
    p.wait_for("the clock to move after resume", |s| {
        header_line(s).ends_with("(playing)") && elapsed_ms(s).is_some_and(|t| t >= t2 + 500)
    });
    // Tempo (as the audio thread applied it), transpose, volume, effects
    // and loop show what the keys set.
    p.keys(&["+", "+", "t", "t", "T", "Up", "r", "l"]);
    p.wait_for("the settings the keys changed", |s| {
        s.contains("120.0 BPM x1.10 = 132.0")
            && s.contains("transpose +1")
            && s.contains("volume 110%  fx off  loop on")
    });
    p.keys(&["q"]);
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
    stty_restored(&p);
}

/// A `--commands` file and the keys change the same settings: the display
/// shows what the file set, and a key then steps from the file's value
/// (not from the command line's).
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn keys_step_from_what_a_command_file_set() {
    let _l = serial();
    let midi = write_fixture("ui-commands.mid", &smfplay_tests::fixtures::dense_16ch(60));
    let cmds = write_fixture("ui-commands.txt", b"tempo 1.2\ntranspose -3\nvolume 0.5\n");
    let p = Pane::play(
        "commands",
        &[
            "--device",
            "tb_jack",
            "--commands",
            cmds.to_str().unwrap(),
            midi.to_str().unwrap(),
        ],
    );
    p.wait_for("the settings the file set", |s| {
        s.contains("x1.20") && s.contains("transpose -3") && s.contains("volume 50%")
    });
    p.keys(&["+", "t", "Down"]);
    p.wait_for("the keys stepping from them", |s| {
        s.contains("x1.25") && s.contains("transpose -2") && s.contains("volume 40%")
    });
    p.keys(&["q"]);
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
    stty_restored(&p);
}

/// Seeks, done while paused so that only the seek can move the clock:
/// → is 5 s on, ← 5 s back, PgUp 30 s back (to the start at most), and
/// quick presses add up. After seeking through held notes and resuming,
/// none hangs: in the song's silent tail the voices fall to 0 before the
/// end.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn seek_moves_the_position_and_no_note_hangs() {
    let _l = serial();
    // 20 s of held notes, then 8 s of silence.
    let midi = write_fixture("ui-seek.mid", &held_notes(0, 20, 8));
    let p = Pane::play("seek", &["--device", "tb_jack", midi.to_str().unwrap()]);
    let s = p.wait_for("playing past 1 s", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 1000)
    });
    assert!(s.contains(" / 0:28.0"), "song length shown:\n{s}");
    p.keys(&["Space"]);
    p.wait_for("(paused)", |s| header_line(s).ends_with("(paused)"));
    std::thread::sleep(Duration::from_millis(300));
    let t0 = elapsed_ms(&p.screen()).unwrap();
    let at = |target: u64| move |s: &str| elapsed_ms(s).is_some_and(|t| t.abs_diff(target) <= 100);
    p.keys(&["Right"]);
    p.wait_for("the seek 5 s on", at(t0 + 5000));
    // Two presses in a row: the second counts from the first's target.
    p.keys(&["Right", "Right"]);
    p.wait_for("the seek 10 s on", at(t0 + 15_000));
    p.keys(&["Left"]);
    p.wait_for("the seek 5 s back", at(t0 + 10_000));
    p.keys(&["PPage"]);
    p.wait_for("the seek back to the start", at(0));
    p.keys(&["Right", "Right", "Right"]);
    let s = p.wait_for("the seek to 15 s", at(15_000));
    assert!(header_line(&s).ends_with("(paused)"), "{s}");
    p.keys(&["Space"]);
    p.wait_for("notes after resuming", |s| {
        voices(s).is_some_and(|v| v > 0) && elapsed_ms(s).is_some_and(|t| t < 19_000)
    });
    // The music ends at 20 s; by the end (28 s) every voice must be gone.
    let s = p.wait_for("the silent tail", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 21_500)
    });
    assert!(
        elapsed_ms(&s).unwrap() < 27_000,
        "the tail went by unseen:\n{s}"
    );
    let s = p.wait_for("no voice in the silent tail", |s| {
        voices(s) == Some(0) && elapsed_ms(s).is_some_and(|t| t < 27_900)
    });
    assert!(
        s.lines().any(|l| l.starts_with("ch  ") && !l.contains('#')),
        "a channel still sounds:\n{s}"
    );
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
    stty_restored(&p);
}

/// Peak of 16-bit stereo frames `[from, to)` of a raw capture.
fn peak(raw: &[u8], from: usize, to: usize) -> i32 {
    raw[from * 4..to * 4]
        .chunks_exact(2)
        .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])).abs())
        .max()
        .unwrap_or(0)
}

/// Muting the only channel that plays silences the output: the capture
/// has sound before the key and none from 2.5 s after it (release and
/// reverb tails gone) until quit. Channel 12 is muted with shift+2 (`@`).
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn muting_a_channel_silences_it() {
    let _l = serial();
    let midi = write_fixture("ui-mute.mid", &held_notes(11, 40, 1));
    let cap = scratch("ui-mute.raw");
    let _ = std::fs::remove_file(&cap);
    let device = format!("tb_jack_tee:FILE={}", cap.display());
    let p = Pane::play(
        "mute",
        &[
            "--device",
            &device,
            "--format",
            "s16",
            midi.to_str().unwrap(),
        ],
    );
    p.wait_for("channel 12 sounding", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 2000)
            && s.lines()
                .find(|l| l.starts_with("ch  "))
                .is_some_and(|l| l.get(4 + 11 * 3..4 + 12 * 3) == Some("  #"))
    });
    p.keys(&["@"]);
    let s = p.wait_for("channel 12 muted", |s| {
        s.lines()
            .find(|l| l.starts_with("ch  "))
            .is_some_and(|l| l.get(4 + 11 * 3..4 + 12 * 3) == Some(" M."))
    });
    let muted_at = elapsed_ms(&s).unwrap();
    p.wait_for("4 s after muting", |s| {
        elapsed_ms(s).is_some_and(|t| t >= muted_at + 4000)
    });
    p.keys(&["q"]);
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
    let raw = std::fs::read(&cap).unwrap();
    let frames = raw.len() / 4;
    let rate = RATE as usize;
    assert!(frames > 6 * rate, "captured only {frames} frames");
    let before = peak(&raw, rate / 2, 2 * rate);
    assert!(
        before > 1000,
        "channel 12 did not play before the mute (peak {before})"
    );
    // From 2.5 s after the mute to the quit (the capture ends with the
    // 50 ms fade and the drain).
    let from = (muted_at as usize + 2500) * rate / 1000;
    let to = frames - rate / 10;
    assert!(to > from + rate, "too little captured after the mute");
    let after = peak(&raw, from, to);
    assert!(
        after < 40,
        "sound after muting the only channel (peak {after})"
    );
}

/// A playlist of three files plays in order; `n` skips to the next, `p`
/// goes back.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn playlist_of_three_plays_in_order_and_n_skips() {
    let _l = serial();
    let dir = scratch("ui-list");
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.mid");
    let b = dir.join("b.mid");
    let c = dir.join("c.mid");
    std::fs::write(&a, smfplay_tests::fixtures::dense_16ch(60)).unwrap();
    std::fs::write(&b, smfplay_tests::fixtures::dense_16ch(4)).unwrap();
    std::fs::write(&c, smfplay_tests::fixtures::dense_16ch(4)).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let (a, b, c) = (path(&a), path(&b), path(&c));
    let p = Pane::play("list", &["--device", "tb_jack", &a, &b, &c]);
    let first = p.wait_for("a.mid playing", |s| header_line(s).contains("[1/3]"));
    assert!(header_line(&first).contains("a.mid"), "{first}");
    p.wait_for("a.mid past 1 s", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 1000)
    });
    p.keys(&["n"]);
    let second = p.wait_for("b.mid playing", |s| header_line(s).contains("[2/3]"));
    assert!(header_line(&second).contains("b.mid"), "{second}");
    // `p` goes back to a.mid, `n` forward again.
    p.keys(&["p"]);
    let back = p.wait_for("a.mid again", |s| header_line(s).contains("[1/3]"));
    assert!(header_line(&back).contains("a.mid"), "{back}");
    p.wait_for("a.mid past 0.5 s", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 500)
    });
    p.keys(&["n"]);
    p.wait_for("b.mid again", |s| header_line(s).contains("[2/3]"));
    // b.mid ends by itself; c.mid follows, then the program ends.
    let third = p.wait_for("c.mid playing", |s| header_line(s).contains("[3/3]"));
    assert!(header_line(&third).contains("c.mid"), "{third}");
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
    stty_restored(&p);
}

/// Ctrl-C (SIGINT; the display keeps ISIG on) and SIGTERM stop with 130
/// and 143, and leave the terminal as it was; so does a second SIGTERM
/// during the 50 ms fade of the first (the immediate exit).
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn ctrl_c_and_sigterm_restore_the_terminal() {
    let _l = serial();
    let midi = write_fixture("ui-signal.mid", &smfplay_tests::fixtures::dense_16ch(60));
    for (how, code) in [("ctrl-c", 130), ("sigterm", 143), ("sigterm-twice", 143)] {
        let p = Pane::play(how, &["--device", "tb_jack", midi.to_str().unwrap()]);
        p.wait_for("playing past 1 s", |s| {
            elapsed_ms(s).is_some_and(|t| t >= 1000)
        });
        assert!(
            !p.cursor_visible(),
            "the cursor shows while the display runs"
        );
        if how == "ctrl-c" {
            p.keys(&["C-c"]);
        } else {
            let pid = p.host_pid();
            // SAFETY: signals to the host process this test started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            if how == "sigterm-twice" {
                std::thread::sleep(Duration::from_millis(5));
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
        }
        assert_eq!(p.exit_code(), code, "{how}: {}", p.screen());
        stty_restored(&p);
    }
}

/// A `.kar` file, in a 60-column pane: its text events are the lyric line
/// (`\\` and `/` start a new one; a line ending in CR LF stays until the
/// next begins; a tab is a space; control sequences are not shown);
/// `@` tags are not lyrics, the `@T` title is in the header (the path's
/// directory left out to make room); markers show as text. At 40 columns
/// the header keeps the file's name and state, and all 16 channels show.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn karaoke_lyrics_title_and_narrow_terminals() {
    let _l = serial();
    let q = u64::from(TPQ);
    let mut t = Timeline::new();
    t.tempo(0, 500_000)
        .text(0, TextKind::Text, "@KMIDI KARAOKE FILE")
        .text(0, TextKind::Text, "@TTest song")
        .text(0, TextKind::Text, "@I Free use of this file is granted")
        .text(0, TextKind::Marker, "Verse")
        .text(q, TextKind::Text, "\\Twin")
        .text(2 * q, TextKind::Text, "kle twin")
        .text(3 * q, TextKind::Text, "kle\r\n")
        .text(8 * q, TextKind::Marker, "Chorus")
        .text(8 * q, TextKind::Text, "/\u{1b}[2J\u{1b}[31mLit")
        .text(9 * q, TextKind::Text, "tle\tstar");
    for b in 0..12 {
        t.note(b * q, q, 0, 60 + b as u8, 90);
    }
    let track = t.render(RunningStatus::Compliant, 12 * q);
    let midi = write_fixture("ui-song.kar", &smf(0, Division::Metrical(TPQ), &[track]));
    let p = Pane::play_sized("kar", 60, &["--device", "tb_jack", midi.to_str().unwrap()]);
    let s = p.wait_for("the first lyric line", |s| {
        s.lines().any(|l| l == "lyric: Twinkle twinkle")
    });
    assert!(s.lines().any(|l| l == "text:  marker Verse"), "{s}");
    assert!(
        header_line(&s) == "smfplay Test song — ui-song.kar  (playing)",
        "the title and the file's name in the header:\n{s}"
    );
    // The line stays after its CR LF, until the next line begins.
    let s = p.wait_for("past the first line's end", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 2500)
    });
    assert!(s.lines().any(|l| l == "lyric: Twinkle twinkle"), "{s}");
    let s = p.wait_for("the second lyric line", |s| {
        s.lines().any(|l| l == "lyric: Little star")
    });
    assert!(s.lines().any(|l| l == "text:  marker Chorus"), "{s}");
    assert!(!s.contains("Free use") && !s.contains("[2J"), "{s}");
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
    drop(p);

    let p = Pane::play_sized(
        "narrow",
        40,
        &["--device", "tb_jack", midi.to_str().unwrap()],
    );
    let s = p.wait_for("playing at 40 columns", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 500)
    });
    assert_eq!(header_line(&s), "", "no `smfplay ` at 40 columns:\n{s}");
    let head = s.lines().find(|l| l.contains("(playing)")).unwrap_or("");
    assert!(head.contains("ui-song.kar"), "the file's name:\n{s}");
    let keys: usize = s
        .lines()
        .filter_map(|l| l.strip_prefix("key "))
        .map(|l| l.split_whitespace().count())
        .sum();
    assert_eq!(keys, 16, "every channel at 40 columns:\n{s}");
    assert!(s.lines().all(|l| l.chars().count() <= 40), "{s}");
    p.keys(&["q"]);
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
}

/// The song's length on the progress line (`… / 0:42.0`).
fn total_ms(screen: &str) -> Option<u64> {
    let line = screen
        .lines()
        .find(|l| l.starts_with('[') && l.contains(" / "))?;
    parse_clock(line.rsplit_once(" / ")?.1.trim())
}

/// PgDn past the song's end, then PgUp while its end is pending: the song
/// plays on from there (the seek back cancels the end). Meanwhile the
/// clock never shows more than the song's length, and the length is
/// `host info`'s (41.97 s: `0:42.0`, as `info` rounds it).
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn seeking_back_after_running_past_the_end_plays_on() {
    let _l = serial();
    let q = u64::from(TPQ);
    let mut t = Timeline::new();
    t.tempo(0, 500_000).program(0, 0, 19);
    for b in 0..80 {
        t.note(b * q, 2 * q, 0, 48 + (b % 12) as u8 * 2, 100);
    }
    // 41.97 s: 40291 ticks at 960 ticks a second.
    let track = t.render(RunningStatus::Compliant, 40_291);
    let midi = write_fixture(
        "ui-overshoot.mid",
        &smf(0, Division::Metrical(TPQ), &[track]),
    );
    let info = Command::new(env!("CARGO_BIN_EXE_host"))
        .args(["info", midi.to_str().unwrap()])
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(info.contains("Duration:    0:42.0 "), "{info}");
    let p = Pane::play(
        "overshoot",
        &[
            "--device",
            "tb_jack",
            "--start",
            "20",
            midi.to_str().unwrap(),
        ],
    );
    let s = p.wait_for("playing past 20.5 s", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 20_500)
    });
    assert_eq!(total_ms(&s), Some(42_000), "the length is info's:\n{s}");
    p.keys(&["NPage"]);
    let s = p.wait_for("the seek past the end", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 41_000)
    });
    assert!(
        elapsed_ms(&s).unwrap() <= 42_000,
        "the clock passed the song's length:\n{s}"
    );
    std::thread::sleep(Duration::from_millis(300));
    p.keys(&["PPage"]);
    let back = p.wait_for("the seek back", |s| {
        elapsed_ms(s).is_some_and(|t| t < 30_000)
    });
    let from = elapsed_ms(&back).unwrap();
    // Before the fix the song ended (exit) within 3 s of the overshoot.
    let s = p.wait_for("the song playing on 4 s later", |s| {
        s.contains("EXIT=") || elapsed_ms(s).is_some_and(|t| t >= from + 4000)
    });
    assert!(
        !s.contains("EXIT=") && header_line(&s).ends_with("(playing)"),
        "the song ended after the seek back:\n{s}"
    );
    p.keys(&["q"]);
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
}

/// The status line under the channel strip (a message, or the solo
/// prompt).
fn solo_prompt(screen: &str) -> bool {
    screen.contains("solo: press a channel key")
}

/// `n n` pressed together skips two files (presses add up, as seek presses
/// do); `s` then a key that is not a channel key cancels the solo prompt,
/// and the next channel key mutes again.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn n_presses_add_up_and_a_stray_key_cancels_solo() {
    let _l = serial();
    let song = held_notes(0, 30, 1);
    let files: Vec<String> = (1..=4)
        .map(|i| {
            write_fixture(&format!("ui-nn-{i}.mid"), &song)
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut args = vec!["--device", "tb_jack"];
    args.extend(files.iter().map(String::as_str));
    let p = Pane::play("nn", &args);
    p.wait_for("the first file past 0.5 s", |s| {
        header_line(s).contains("[1/4]") && elapsed_ms(s).is_some_and(|t| t >= 500)
    });
    p.keys(&["n", "n"]);
    let s = p.wait_for("another file", |s| {
        !header_line(s).contains("[1/4]") && elapsed_ms(s).is_some_and(|t| t >= 300)
    });
    assert!(
        header_line(&s).contains("[3/4]") && header_line(&s).contains("ui-nn-3.mid"),
        "`n n` did not skip two files:\n{s}"
    );
    p.keys(&["s"]);
    p.wait_for("the solo prompt", solo_prompt);
    p.keys(&["x"]);
    p.wait_for("the prompt gone after a stray key", |s| !solo_prompt(s));
    p.keys(&["1"]);
    let s = p.wait_for("channel 1 muted", |s| {
        s.lines()
            .find(|l| l.starts_with("ch  "))
            .is_some_and(|l| l.get(4..6) == Some(" M"))
    });
    assert!(!solo_prompt(&s), "{s}");
    p.keys(&["q"]);
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
}

/// The loop line of the display (`A-B loop bars 1:3–2:3  turns 2 …`).
fn loop_line(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.starts_with("A-B loop "))
}

/// The turns figure of the loop line.
fn turns(screen: &str) -> Option<u32> {
    let line = loop_line(screen)?;
    let after = line.split("turns ").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

/// `[` and `]` set an A–B loop at the play head: the display shows it and
/// counts its turns while the clock stays inside it; `\` clears it and the
/// song plays on; `.` and `,` jump a bar on and back.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn loop_keys_set_a_and_b_and_the_loop_repeats() {
    let _l = serial();
    // 20 s of held notes (120 BPM, 4/4: a bar is 2 s), then 8 s of silence.
    let midi = write_fixture("ui-loop.mid", &held_notes(0, 20, 8));
    let p = Pane::play("loop", &["--device", "tb_jack", midi.to_str().unwrap()]);
    p.wait_for("playing past 1 s", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 1000)
    });
    p.keys(&["-l", "["]);
    // A at 1 s: bar 1, beat 3 (and a few ticks); B still to come.
    p.wait_for("A shown", |s| {
        loop_line(s).is_some_and(|l| l.contains("A 1:3") && l.contains("(B: ])"))
    });
    p.wait_for("playing past 3 s", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 3000)
    });
    p.keys(&["-l", "]"]);
    p.wait_for("the loop shown", |s| {
        loop_line(s).is_some_and(|l| l.contains("bars 1:3"))
    });
    // It turns back to A (1 s) at B (3 s): two turns, never past B.
    let s = p.wait_for("two turns", |s| turns(s).is_some_and(|t| t >= 2));
    let t = elapsed_ms(&s).unwrap();
    assert!(
        (900..3300).contains(&t),
        "the clock left the loop: {t} ms\n{s}"
    );
    p.keys(&["-l", "\\"]);
    p.wait_for("the loop cleared", |s| loop_line(s).is_none());
    p.wait_for("playing on past B", |s| {
        elapsed_ms(s).is_some_and(|t| t >= 4000)
    });
    p.keys(&["Space"]);
    p.wait_for("(paused)", |s| header_line(s).ends_with("(paused)"));
    let bar = |s: &str| -> Option<u32> {
        let line = s.lines().find(|l| l.starts_with("bar "))?;
        line[4..].split(':').next()?.parse().ok()
    };
    let b0 = bar(&p.screen()).unwrap();
    p.keys(&["-l", "."]);
    p.wait_for("a bar on", |s| bar(s) == Some(b0 + 1));
    p.keys(&["-l", ","]);
    p.keys(&["-l", ","]);
    p.wait_for("two bars back", |s| bar(s) == Some(b0 - 1));
    p.keys(&["q"]);
    assert_eq!(p.exit_code(), 0, "{}", p.screen());
    stty_restored(&p);
}
