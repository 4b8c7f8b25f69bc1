//! Every error a user can meet on the command line gives one line on
//! standard error naming the file or device and what is wrong, and the
//! exit code documented in the README ("Exit codes"): MIDI inputs (3),
//! SoundFonts (4), audio devices (5), the configuration file (2), and
//! render stopped by a signal (129/130/143, with a valid shorter WAV).
//!
//! Device faults without a sound card: an unknown name, no default device
//! (an ALSA configuration whose default leads nowhere), a busy device (an
//! `LD_PRELOAD` shim answering EBUSY, `common::faults`); a refused rate or
//! period on the test bed's fixed JACK device (`common::testbed`; those
//! tests are ignored unless the test bed runs: `SMFPLAY_TESTBED=1`).

mod common;

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use smfplay_tests::fixtures;

fn run_cmd(mut c: std::process::Command) -> Output {
    c.output().expect("run host")
}

// ---- MIDI inputs: exit 3 ------------------------------------------------

#[test]
fn missing_input_file() {
    let dir = TempDir::new("err-missing");
    let missing = dir.s("nope.mid");
    for cmd in ["info", "dump"] {
        let out = run(&[cmd, &missing]);
        error_line(&out, 3, &missing, &["no such file or directory"]);
    }
    let out = run(&["render", &missing, "-o", &dir.s("o.wav"), "-s", soundfont()]);
    error_line(&out, 3, &missing, &["no such file or directory"]);
    assert!(!dir.path("o.wav").exists(), "no output for a missing input");
}

#[test]
fn unreadable_input_file() {
    let dir = TempDir::new("err-unreadable");
    let f = dir.write("locked.mid", &fixtures::format0_basic());
    std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let out = run_cmd({
        let mut c = host_unprivileged();
        c.args(["info", &f]);
        c
    });
    error_line(&out, 3, &f, &["permission denied"]);
}

#[test]
fn a_directory_is_not_a_midi_file() {
    let dir = TempDir::new("err-dir-input");
    let d = dir.s("");
    let d = d.trim_end_matches('/');
    let out = run(&["info", d]);
    error_line(&out, 3, d, &["is a directory"]);
}

#[test]
fn directory_without_midi_files() {
    let dir = TempDir::new("err-empty-dir");
    dir.write("readme.txt", b"no songs here");
    let d = dir.0.to_str().unwrap();
    // Checked before any device is opened: no sound card needed.
    let out = run(&["play", d, "-s", soundfont(), "--device", "null"]);
    error_line(
        &out,
        3,
        d,
        &["no .mid, .midi, .kar or .rmi files in this directory"],
    );
}

#[test]
fn not_a_midi_file_says_what_it_looks_like() {
    let dir = TempDir::new("err-impostors");
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "song.wav",
            b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0",
            "a WAV audio file",
        ),
        ("song.mp3", b"ID3\x04\0\0\0\0\0\x21", "an MP3 file"),
        (
            "page.mid",
            b"<!DOCTYPE html>\n<html><head><title>x</title>",
            "an HTML page",
        ),
        ("a.zip", b"PK\x03\x04\x14\0\0\0", "a ZIP archive"),
        ("doc.pdf", b"%PDF-1.7\n", "a PDF document"),
        ("notes.txt", b"C D E F G A B c\n", "a text file"),
        ("font.mid", b"RIFF\x04\0\0\0sfbkLIST", "a SoundFont"),
    ];
    for (name, bytes, what) in cases {
        let f = dir.write(name, bytes);
        let out = run(&["info", &f]);
        error_line(&out, 3, &f, &["not a MIDI file", what]);
    }
    let empty = dir.write("empty.mid", b"");
    error_line(&run(&["info", &empty]), 3, &empty, &["the file is empty"]);
}

#[test]
fn damaged_file_says_what_was_skipped() {
    let dir = TempDir::new("err-damaged");
    let cut = dir.write(
        "cut.mid",
        &fixtures::truncated(&fixtures::format1_multitrack(), 900),
    );
    // Lenient (the default): plays what decodes; each warning names the
    // file and the part skipped.
    let out = run(&[
        "render",
        &cut,
        "-o",
        &dir.s("cut.wav"),
        "-q",
        "-s",
        soundfont(),
        "-r",
        "22050",
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr.lines().collect();
    assert!(!warnings.is_empty(), "no warning for a damaged file");
    for w in &warnings {
        assert!(w.starts_with(&format!("host: warning: {cut}: ")), "{w}");
    }
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("track") && w.contains("skipped")),
        "no warning says what was skipped: {stderr}"
    );
    // Strict: refused, one line with where the damage is.
    let out = run(&[
        "render",
        &cut,
        "-o",
        &dir.s("strict.wav"),
        "--strict",
        "-s",
        soundfont(),
    ]);
    error_line(&out, 3, &cut, &["track", "byte"]);
    let out = run(&["info", "--strict", &cut]);
    error_line(&out, 3, &cut, &["track", "byte"]);
}

/// The problems `host info` lists, one line each.
fn info_problems(file: &str) -> Vec<String> {
    let out = run(&["info", file]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip_while(|l| !l.starts_with("Problems:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_string())
        .collect()
}

/// `play` reports a damaged file's problems as `render` does: one
/// `host: warning: FILE: …` line per problem, `host info`'s words, when the
/// file starts (so also when `--end` comes before the damage); with
/// `--json` each is a `warning` event before the song's `start`.
#[test]
fn play_says_what_damage_was_skipped() {
    let dir = TempDir::new("err-play-damaged");
    // Two tracks, each with a system common message (F2) no MIDI file
    // may carry: two events skipped.
    let track = [
        0x00, 0x90, 0x3C, 0x64, 0x00, 0xF2, 0x00, 0x00, 0x60, 0x80, 0x3C, 0x00, 0x00, 0xFF, 0x2F,
        0x00,
    ];
    let mut two = b"MThd\0\0\0\x06\0\x01\0\x02\0\x60".to_vec();
    for _ in 0..2 {
        two.extend_from_slice(b"MTrk\0\0\0\x10");
        two.extend_from_slice(&track);
    }
    let two = dir.write("two.mid", &two);
    let cut = dir.write(
        "cut.mid",
        &fixtures::truncated(&fixtures::format1_multitrack(), 900),
    );
    let warnings = |out: &Output| -> Vec<String> {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("host: warning: "))
            .map(str::to_string)
            .collect()
    };
    for file in [&two, &cut] {
        let render = run(&[
            "render",
            file,
            "-o",
            &dir.s("x.wav"),
            "-q",
            "-s",
            soundfont(),
            "-r",
            "22050",
        ]);
        assert!(render.status.success(), "{render:?}");
        let said = warnings(&render);
        let listed = info_problems(file);
        assert_eq!(said.len(), listed.len(), "{said:?} {listed:?}");
        for (w, p) in said.iter().zip(&listed) {
            assert_eq!(*w, format!("host: warning: {file}: {p}"));
        }
        // Played to the end, or stopped before the damage: the same lines.
        for extra in [&[][..], &["--end", "0.01"][..]] {
            let mut args = vec!["play", file.as_str(), "-s", soundfont(), "--device", "null"];
            args.extend_from_slice(extra);
            let out = run(&args);
            assert!(out.status.success(), "{out:?}");
            assert_eq!(warnings(&out), said, "{extra:?}");
        }
        let out = run(&[
            "play",
            file,
            "-s",
            soundfont(),
            "--device",
            "null",
            "--json",
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let events = json_lines(&stdout);
        let start = events
            .iter()
            .position(|e| e["event"] == "start")
            .expect("a start event");
        let json_warnings: Vec<&serde_json::Value> = events[..start]
            .iter()
            .filter(|e| e["event"] == "warning")
            .collect();
        assert_eq!(json_warnings.len(), said.len(), "{stdout}");
        assert_eq!(
            json_warnings[0]["message"].as_str().unwrap(),
            said[0].strip_prefix("host: warning: ").unwrap()
        );
    }
}

/// With `--json`, an error about the device is an `error` event too, as an
/// error about a file is (and the stderr line stays).
#[test]
fn play_json_device_errors_are_events() {
    let dir = TempDir::new("json-device-error");
    let mid = dir.write("song.mid", &fixtures::format0_basic());
    let out = run(&[
        "play",
        &mid,
        "-s",
        soundfont(),
        "--device",
        "hw:97,0",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let e = json_lines(&stdout)
        .into_iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("no error event: {stdout}"));
    assert_eq!(e["code"], 5);
    assert!(
        e["message"].as_str().unwrap().starts_with("hw:97,0: "),
        "{e}"
    );
    error_line(&out, 5, "hw:97,0", &[]);
}

// ---- SoundFonts: exit 4 -------------------------------------------------

fn render_with_soundfont(dir: &TempDir, sf: &str) -> Output {
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    run(&["render", &mid, "-o", &dir.s("o.wav"), "-q", "-s", sf])
}

#[test]
fn bad_soundfonts() {
    let dir = TempDir::new("err-soundfont");
    let real = std::fs::read(soundfont()).unwrap();
    // Missing.
    let missing = dir.s("missing.sf2");
    error_line(
        &render_with_soundfont(&dir, &missing),
        4,
        &missing,
        &["no such file"],
    );
    // Not a SoundFont: a WAV and a MIDI file.
    let wav = dir.write("wav.sf2", b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0");
    error_line(
        &render_with_soundfont(&dir, &wav),
        4,
        &wav,
        &["not a SoundFont 2 file", "WAV"],
    );
    let mid = dir.write("song.sf2", &fixtures::format0_basic());
    error_line(
        &render_with_soundfont(&dir, &mid),
        4,
        &mid,
        &["not a SoundFont 2 file"],
    );
    // Truncated: the real SoundFont cut in the middle of its samples.
    let cut = dir.write("cut.sf2", &real[..real.len() / 2]);
    let out = render_with_soundfont(&dir, &cut);
    error_line(
        &out,
        4,
        &cut,
        &["truncated", &format!("has {} bytes", real.len() / 2)],
    );
    // Damaged inside, at full length: the sample data chunk's name broken.
    let mut broken = real.clone();
    let at = broken
        .windows(4)
        .position(|w| w == b"sdta")
        .expect("an sdta chunk");
    broken[at..at + 4].copy_from_slice(b"xxxx");
    let broken = dir.write("broken.sf2", &broken);
    error_line(
        &render_with_soundfont(&dir, &broken),
        4,
        &broken,
        &["damaged"],
    );
    // A directory.
    let d = dir.path("fonts");
    std::fs::create_dir_all(&d).unwrap();
    let d = d.to_str().unwrap().to_string();
    error_line(&render_with_soundfont(&dir, &d), 4, &d, &["is a directory"]);
    // $SMFPLAY_SOUNDFONT naming a missing file.
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let out = run_cmd({
        let mut c = host();
        c.args(["render", &mid, "-o", &dir.s("e.wav"), "-q"])
            .env("SMFPLAY_SOUNDFONT", &missing);
        c
    });
    error_line(&out, 4, &missing, &["no such file"]);
}

#[test]
fn unreadable_soundfont() {
    let dir = TempDir::new("err-sf-unreadable");
    let sf = dir.write("locked.sf2", &std::fs::read(soundfont()).unwrap());
    std::fs::set_permissions(&sf, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let out = run_cmd({
        let mut c = host_unprivileged();
        c.args(["render", &mid, "-o", "-", "-q", "-s", &sf])
            .stdout(Stdio::null());
        c
    });
    error_line(&out, 4, &sf, &["permission denied"]);
}

// ---- The configuration file: exit 2 ---------------------------------------

#[test]
fn bad_configuration_files() {
    let dir = TempDir::new("err-config");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let cases: &[(&str, &str, &str)] = &[
        (
            "rate = 48000\nsondfont = \"/x.sf2\"\n",
            ":2: ",
            "unknown key 'sondfont'",
        ),
        (
            "# comment\n\nrate = 8000\n",
            ":3: ",
            "rate: 8000 is outside 22050–96000",
        ),
        (
            "gain = \"loud\"\n",
            ":1: ",
            "gain: invalid type: string \"loud\", expected a number",
        ),
        (
            "[render]\n\nmute = [0]\n",
            ":3: ",
            "render.mute: channel 0 is outside 1–16",
        ),
        (
            "[render]\nsolo = [1, 2]\n[rendr]\n",
            ":3: ",
            "did you mean 'render'",
        ),
        ("device = hw:1\n", ":1: ", "string values must be quoted"),
        ("rate = 048000\n", ":1: ", "rate"),
    ];
    for (i, (text, line, what)) in cases.iter().enumerate() {
        let cfg = dir.write(&format!("c{i}.toml"), text.as_bytes());
        let out = run(&[
            "render",
            &mid,
            "-o",
            &dir.s("o.wav"),
            "-s",
            soundfont(),
            "--config",
            &cfg,
        ]);
        error_line(
            &out,
            2,
            &format!("{cfg}{}", line.trim_end_matches(": ")),
            &[what],
        );
        assert!(!dir.path("o.wav").exists());
        // --no-config ignores it.
        let out = run(&[
            "render",
            &mid,
            "-o",
            &dir.s("o.wav"),
            "-q",
            "-s",
            soundfont(),
            "--no-config",
            "-r",
            "22050",
        ]);
        assert!(out.status.success(), "{:?}", out);
        std::fs::remove_file(dir.path("o.wav")).unwrap();
    }
    // A --config FILE that is not there.
    let missing = dir.s("missing.toml");
    // The same rule for every command (issue 17, item 9).
    for args in [
        vec!["info", &mid],
        vec!["dump", &mid],
        vec!["devices"],
        vec!["render", &mid, "-o", "-"],
        vec!["play", &mid],
    ] {
        let mut args = args;
        args.extend(["--config", &missing]);
        let out = run(&args);
        error_line(&out, 2, &missing, &["no such file"]);
    }
}

/// Where a bad SoundFont path came from: the environment variable, or the
/// configuration file and its line (issue 17, item 9).
#[test]
fn soundfont_errors_say_where_the_path_came_from() {
    let dir = TempDir::new("err-sf-origin");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let mut c = host();
    c.args(["render", &mid, "-o", "-", "-q"])
        .env("SMFPLAY_SOUNDFONT", "/nope.sf2");
    let out = run_cmd(c);
    error_line(
        &out,
        4,
        "/nope.sf2",
        &["no such file", "$SMFPLAY_SOUNDFONT"],
    );
    let cfg = dir.write("c.toml", b"# mine\nsoundfont = \"~/nope.sf2\"\n");
    let mut c = host();
    c.args(["render", &mid, "-o", "-", "-q", "--config", &cfg])
        .env("HOME", "/home/someone");
    let out = run_cmd(c);
    error_line(
        &out,
        4,
        &format!("{cfg}:2"),
        &["soundfont: /home/someone/nope.sf2: no such file"],
    );
}

/// A configuration with a `[render]` table, an array, a hexadecimal number
/// and multi-line strings is read and obeyed (issue 14); the system file
/// comes first, the user's file overrides it.
#[test]
fn toml_tables_arrays_and_the_system_file() {
    let dir = TempDir::new("config-toml");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let system = dir.write(
        "system.toml",
        b"rate = 0xAC44 # 44100\ngain = 0.3\n[render]\nrate = 48000\n",
    );
    let user = dir.write(
        "user.toml",
        format!(
            "soundfont = \"\"\"\n{}\"\"\"\n[render]\nrate = 22_050\nmute = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]\n",
            soundfont()
        )
        .as_bytes(),
    );
    let render = |config: &str| {
        let mut c = host();
        c.env("SMFPLAY_SYSTEM_CONFIG", &system).args([
            "render",
            &mid,
            "-o",
            &dir.s("o.wav"),
            "-q",
            "-s",
            soundfont(),
            "--config",
            config,
        ]);
        let out = run_cmd(c);
        assert!(out.status.success(), "{out:?}");
        read_wav(dir.path("o.wav"))
    };
    let silent = render(&user);
    assert_eq!(silent.rate, 22_050, "[render] rate of the user's file");
    assert!(!silent.samples.is_empty());
    assert!(
        silent.samples.iter().all(|&x| x == 0.0),
        "every channel muted"
    );
    // Only the system file (the user's is empty): its [render] table.
    let empty = dir.write("empty.toml", b"");
    let w = render(&empty);
    assert_eq!(w.rate, 48_000, "[render] of the system file");
    assert!(w.samples.iter().any(|&x| x != 0.0));
}

/// Command line > environment > file > built-in, and the default location.
#[test]
fn configuration_precedence() {
    let dir = TempDir::new("config-precedence");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let home = dir.path("xdg");
    std::fs::create_dir_all(home.join("smfplay")).unwrap();
    let write_config =
        |text: String| std::fs::write(home.join("smfplay/config.toml"), text).unwrap();
    let render = |extra: &[&str], env_sf: Option<&str>| -> Output {
        let mut c = host();
        c.env("XDG_CONFIG_HOME", &home)
            .args(["render", &mid, "-o", &dir.s("o.wav"), "-q"])
            .args(extra);
        if let Some(sf) = env_sf {
            c.env("SMFPLAY_SOUNDFONT", sf);
        }
        c.output().unwrap()
    };
    // The file's rate and SoundFont are used…
    write_config(format!(
        "soundfont = \"{}\"\nrate = 22050\ngain = 0.2\n",
        soundfont()
    ));
    let out = render(&[], None);
    assert!(out.status.success(), "{out:?}");
    let quiet = read_wav(dir.path("o.wav"));
    assert_eq!(quiet.rate, 22_050, "rate from the file");
    // …the command line wins over it…
    let out = render(&["-r", "44100", "-g", "0.4"], None);
    assert!(out.status.success(), "{out:?}");
    let loud = read_wav(dir.path("o.wav"));
    assert_eq!(loud.rate, 44_100, "rate from the command line");
    // (gain 0.4 from the command line against 0.2 from the file, at the
    // same rate: twice as loud)
    let out = render(&["-g", "0.4"], None);
    assert!(out.status.success());
    let loud22 = read_wav(dir.path("o.wav"));
    let peak = |w: &Wav| w.samples.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let ratio = peak(&loud22) / peak(&quiet);
    assert!(
        (1.8..=2.2).contains(&ratio),
        "gain 0.4 vs 0.2: ratio {ratio}"
    );
    // …and the environment's SoundFont wins over the file's.
    write_config("soundfont = \"/nonexistent/from-config.sf2\"\nrate = 22050\n".into());
    let out = render(&[], None);
    let config_file = home.join("smfplay/config.toml");
    error_line(
        &out,
        4,
        &format!("{}:1", config_file.display()),
        &["soundfont: /nonexistent/from-config.sf2: no such file"],
    );
    let out = render(&[], Some(soundfont()));
    assert!(
        out.status.success(),
        "SMFPLAY_SOUNDFONT beats the file: {out:?}"
    );
    let out = render(&["-s", soundfont()], Some("/nonexistent/env.sf2"));
    assert!(
        out.status.success(),
        "--soundfont beats the environment: {out:?}"
    );
    // reverb = false in the file is --no-reverb.
    write_config(format!(
        "soundfont = \"{}\"\nrate = 22050\nreverb = false\nchorus = false\n",
        soundfont()
    ));
    assert!(render(&[], None).status.success());
    let dry_file = std::fs::read(dir.path("o.wav")).unwrap();
    let out = run(&[
        "render",
        &mid,
        "-o",
        &dir.s("dry.wav"),
        "-q",
        "-s",
        soundfont(),
        "-r",
        "22050",
        "--no-reverb",
        "--no-chorus",
    ]);
    assert!(out.status.success());
    assert_eq!(dry_file, std::fs::read(dir.path("dry.wav")).unwrap());
}

// ---- Shell completions ------------------------------------------------------

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let script = String::from_utf8(run_ok(&["completions", shell])).unwrap();
        // (fish writes options as `-l soundfont`)
        for word in ["play", "render", "soundfont", "device", "no-config"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    // Bash loads it and registers the completion for `host`.
    let script = run_ok(&["completions", "bash"]);
    let dir = TempDir::new("completions");
    let f = dir.write("host.bash", &script);
    let out = std::process::Command::new("bash")
        .args(["-c", &format!("source {f} && complete -p host")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("_host"));
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

// ---- render stopped by a signal ---------------------------------------------

/// A signal mid-render ends it between periods with the documented code,
/// and the file is a valid WAV whose header sizes match what was written.
#[test]
fn render_stopped_by_a_signal_keeps_a_valid_wav() {
    let dir = TempDir::new("render-signals");
    // 10 minutes of dense music: several seconds of rendering.
    let mid = dir.write("long.mid", &fixtures::dense_16ch(600));
    for (sig, code, name) in [
        (libc::SIGINT, 130, "SIGINT"),
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGHUP, 129, "SIGHUP"),
    ] {
        let wav = dir.s(&format!("{name}.wav"));
        let child = host()
            .args([
                "render",
                &mid,
                "-o",
                &wav,
                "-q",
                "-s",
                soundfont(),
                "-r",
                "22050",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until audio is being written (past the 256 KiB buffer).
        let t = Instant::now();
        while std::fs::metadata(&wav).map_or(0, |m| m.len()) < 512 * 1024 {
            assert!(t.elapsed() < Duration::from_secs(60), "render never wrote");
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as i32, sig) };
        let out = child.wait_with_output().unwrap();
        let line = error_line(
            &out,
            code,
            &mid,
            &["stopped by", name, "holds what was rendered"],
        );
        let bytes = std::fs::read(&wav).unwrap();
        let w = parse_wav(&bytes);
        assert_eq!(w.riff_size as usize + 8, bytes.len(), "RIFF size: {line}");
        assert_eq!(
            w.data_offset + w.data_size as usize,
            bytes.len(),
            "data size matches the file"
        );
        assert_eq!(w.data_size % 4, 0, "whole frames");
        let secs = w.frames() as f64 / 22_050.0;
        assert!(
            secs > 1.0 && secs < 590.0,
            "{secs} s: a partial render, not empty and not the whole song"
        );
    }
}

// ---- play stopped while it loads ---------------------------------------------

/// A stop signal while the SoundFont loads (here a FIFO nobody writes to:
/// the load waits as on a slow disk) exits at once with the signal's code
/// and says nothing: nothing was playing.
#[test]
fn play_stopped_while_the_soundfont_loads() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("play-signal-loading");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    for (sig, code, name) in [
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGINT, 130, "SIGINT"),
        (libc::SIGHUP, 129, "SIGHUP"),
    ] {
        let fifo = dir.0.join(format!("{name}.sf2"));
        let c_fifo = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0);
        let child = host()
            .args([
                "play",
                &mid,
                "-s",
                fifo.to_str().unwrap(),
                "--device",
                "null",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The FIFO opens for writing (without waiting) once host has it
        // open for reading: host is then loading the SoundFont.
        let t = Instant::now();
        let writer = loop {
            // SAFETY: a NUL-terminated path; the fd is closed below.
            let fd = unsafe { libc::open(c_fifo.as_ptr(), libc::O_WRONLY | libc::O_NONBLOCK) };
            if fd >= 0 {
                break fd;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "host never opened the SoundFont"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as i32, sig) };
        let out = testbed::wait_with_timeout(child, Duration::from_secs(10));
        // SAFETY: our own fd.
        unsafe { libc::close(writer) };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
        assert_eq!(stderr, "", "{name}: a stop while loading says nothing");
    }
}

// ---- Audio devices: exit 5 ----------------------------------------------------

fn play_on(device: &str, dir: &TempDir) -> std::process::Command {
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let mut c = host();
    c.args(["play", &mid, "-s", soundfont(), "--device", device]);
    c
}

#[test]
fn unknown_device() {
    let dir = TempDir::new("err-no-device");
    for name in ["smfplay_no_such_device", "hw:99"] {
        let out = run_cmd(play_on(name, &dir));
        error_line(&out, 5, name, &["no such device", "host devices"]);
    }
}

/// No card and no sound server: the default device leads nowhere.
#[test]
fn no_default_device() {
    let dir = TempDir::new("err-no-default");
    let conf = dir.write(
        "asound.conf",
        b"pcm.!default { type empty slave.pcm \"smfplay_no_such_pcm\" }\n",
    );
    let mut c = play_on("default", &dir);
    c.env(
        "ALSA_CONFIG_PATH",
        format!("/usr/share/alsa/alsa.conf:{conf}"),
    )
    .env_remove("PULSE_SERVER");
    let out = run_cmd(c);
    error_line(&out, 5, "default", &["no sound card or sound server found"]);
}

#[test]
fn busy_device_says_what_to_try() {
    let dir = TempDir::new("err-busy");
    let mut c = play_on("null", &dir);
    faults::fail_pcm_open(&mut c, "null", libc::EBUSY);
    let out = run_cmd(c);
    error_line(&out, 5, "null", &["busy", "try --device default"]);
}

/// A sound server's plugin with no server behind it (pipewire-alsa says
/// "host is down" without a socket, "connection refused" with one left by a
/// server that died): one line that says to start the server or name a
/// card (the real thing: `host/tests/play_pipewire.rs`).
#[test]
fn no_sound_server_says_what_to_do() {
    for errno in [libc::EHOSTDOWN, libc::ECONNREFUSED] {
        let dir = TempDir::new("err-no-server");
        let mut c = play_on("null", &dir);
        faults::fail_pcm_open(&mut c, "null", errno);
        let out = run_cmd(c);
        error_line(
            &out,
            5,
            "null",
            &[
                "no sound server answers",
                "systemctl --user start pipewire",
                "--device",
            ],
        );
    }
}

// On the test bed: tb_jack_hw is JACK's raw plugin, FLOAT_LE at the
// server's 48 kHz only, periods in multiples of the JACK period.

#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn device_refusing_the_rate_says_what_it_offers() {
    let _l = testbed::serial();
    let dir = TempDir::new("err-rate");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let out = testbed::play(&[&mid, "-d", "tb_jack_hw", "-r", "44100"]);
    let words = [
        "does not play at 44100 Hz",
        "48000 Hz only",
        "try --rate 48000",
    ];
    error_line(&out, 5, "tb_jack_hw", &words);
}

#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn device_refusing_the_period_says_what_it_offers() {
    let _l = testbed::serial();
    let dir = TempDir::new("err-period");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let out = testbed::play(&[&mid, "-d", "tb_jack_hw", "-p", "16"]);
    let words = [
        "does not take 16-frame periods",
        "it offers",
        "try --period",
    ];
    let line = error_line(&out, 5, "tb_jack_hw", &words);
    // The same from the configuration file.
    let cfg = dir.write("c.toml", b"period = 16\n");
    let out = testbed::play(&[&mid, "-d", "tb_jack_hw", "--config", &cfg]);
    assert_eq!(error_line(&out, 5, "tb_jack_hw", &[]), line);
    // The built-in period adapts to the device instead.
    let out = testbed::play(&[&mid, "-d", "tb_jack_hw", "--end", "0.2"]);
    assert!(out.status.success(), "{out:?}");
}

/// `play --strict` refuses a damaged file with one line saying where the
/// damage is (exit 3); without it the file plays with a warning.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn play_strict_refuses_a_damaged_file() {
    let _l = testbed::serial();
    let dir = TempDir::new("err-play-strict");
    let cut = dir.write(
        "cut.mid",
        &fixtures::truncated(&fixtures::format1_multitrack(), 900),
    );
    let play = |extra: &[&str]| {
        let mut args = vec!["-d", "tb_null_tee:FILE=/dev/null", &cut];
        args.extend_from_slice(extra);
        testbed::play(&args)
    };
    let out = play(&["--strict"]);
    error_line(&out, 3, &cut, &["track", "byte"]);
    let out = play(&[]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("host: warning: {cut}: ")) && stderr.contains("skipped"),
        "no warning about the damage: {stderr}"
    );
}

/// A playlist with a missing file: one line for it, the others play, exit 3.
#[test]
#[cfg_attr(not(testbed), ignore = "needs the audio test bed: run scripts/test")]
fn playlist_with_a_missing_file() {
    let _l = testbed::serial();
    let dir = TempDir::new("err-playlist");
    let ok = dir.write("ok.mid", &fixtures::format0_basic());
    let missing = dir.s("gone.mid");
    let out = testbed::play(&[&missing, &ok, "-d", "tb_null_tee:FILE=/dev/null"]);
    error_line(&out, 3, &missing, &["no such file or directory"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("end ") && l.contains("ok.mid")),
        "{stdout}"
    );
}

// ---- render's output: exit 6 ----------------------------------------------

#[test]
fn render_output_errors() {
    let dir = TempDir::new("err-output");
    let ok = dir.write("ok.mid", &fixtures::format0_basic());
    let render = |out: &str| run(&["render", &ok, "-o", out, "-q", "-s", soundfont()]);
    let no_dir = dir.s("no/such/dir.wav");
    error_line(
        &render(&no_dir),
        6,
        &no_dir,
        &["cannot create", "no such file or directory"],
    );
    let d = dir.0.to_str().unwrap();
    error_line(&render(d), 6, d, &["is a directory"]);
    // Disk full at the first write.
    error_line(
        &render("/dev/full"),
        6,
        "/dev/full",
        &["no space left on device"],
    );
    assert!(
        std::path::Path::new("/dev/full").exists(),
        "a device is never removed"
    );
    // A directory the user may not write in.
    let locked = dir.s("out.wav");
    let out = run_cmd({
        let mut c = host_unprivileged();
        c.args(["render", &ok, "-o", &locked, "-q", "-s", soundfont()]);
        c
    });
    error_line(&out, 6, &locked, &["cannot create", "permission denied"]);
}

/// A write error in the middle of a render (here the file-size limit, as
/// a full disk would) removes the partial file: exit 6, one line.
#[test]
fn render_write_error_midway_removes_the_partial_file() {
    use std::os::unix::process::CommandExt;
    let dir = TempDir::new("render-write-error");
    let mid = dir.write("long.mid", &fixtures::dense_16ch(60));
    let wav = dir.s("out.wav");
    let mut c = host();
    c.args(["render", &mid, "-o", &wav, "-q", "-s", soundfont()]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(|| {
            // 2 MB, then EFBIG (not the default SIGXFSZ, which would kill).
            let limit = libc::rlimit {
                rlim_cur: 2_000_000,
                rlim_max: 2_000_000,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = c.output().unwrap();
    error_line(&out, 6, &wav, &["cannot write", "too large"]);
    assert!(!dir.path("out.wav").exists(), "the partial WAV is removed");
}

/// `--verbose` says which SoundFont was chosen and why; `--help` ends with
/// the exit codes.
#[test]
fn verbose_says_why_and_help_ends_with_exit_codes() {
    let dir = TempDir::new("verbose");
    let mid = dir.write("ok.mid", &fixtures::format0_basic());
    let out = run(&["-v", "render", &mid, "-o", "-", "-q", "-s", soundfont()]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "host: SoundFont {} (given by --soundfont)",
            soundfont()
        )),
        "{stderr}"
    );
    let mut c = host();
    c.args(["render", &mid, "-o", "-", "-q", "--verbose"])
        .env("SMFPLAY_SOUNDFONT", soundfont());
    let out = run_cmd(c);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(from $SMFPLAY_SOUNDFONT)"), "{stderr}");
    // Not verbose: nothing.
    let out = run(&["render", &mid, "-o", "-", "-q", "-s", soundfont()]);
    assert!(out.stderr.is_empty(), "{out:?}");
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    let tail: Vec<&str> = help.trim_end().lines().rev().take(9).collect();
    assert!(tail.last().unwrap().starts_with("Exit codes:"), "{help}");
    assert!(tail[0].contains("SIGTERM"), "{help}");
}

/// `--port` and `host ports` without a kernel sequencer (this machine's
/// case: `scripts/kernel-seq-test` covers the ports of a real one, and an
/// unknown port there): one line naming it, exit 5.
#[test]
fn no_sequencer_for_port_and_ports() {
    if std::path::Path::new("/dev/snd/seq").exists() {
        eprintln!("skipped: this machine has an ALSA sequencer");
        return;
    }
    let song = fixtures::format0_basic();
    let dir = TempDir::new("err-no-seq");
    let file = dir.write("song.mid", &song);
    let mut play = host();
    play.args(["play", "-q", "--port", "14:0"]).arg(&file);
    let mut ports = host();
    ports.arg("ports");
    for c in [play, ports] {
        error_line(&run_cmd(c), 5, "/dev/snd/seq", &["no ALSA sequencer"]);
    }
}
/// More `--port`s than the core routes to (16): one line, exit 2, before
/// the sequencer is opened.
#[test]
fn more_ports_than_routed_is_a_usage_error() {
    let song = fixtures::format0_basic();
    let dir = TempDir::new("err-ports");
    let file = dir.write("song.mid", &song);
    let ports = (0..17)
        .map(|i| format!("{i}:0"))
        .collect::<Vec<_>>()
        .join(",");
    let mut play = host();
    play.args(["play", "-q", "--port", &ports]).arg(&file);
    error_line(&run_cmd(play), 2, "--port", &["17 ports given, at most 16"]);
}

// ---- A reader that stops reading ------------------------------------------

/// Runs `host ARGS` with standard output a pipe whose reader is already
/// gone (`host … | head -1` once head has exited): every write fails with
/// EPIPE.
fn run_into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    host()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run host")
}

/// `host devices | head -1`, `host completions bash | head -1`, `host info
/// x.mid | head -1`, `host render x.mid -o - | head -c 1000`: the command
/// stops quietly with exit 0 (README, "Exit codes"), no panic, no error.
#[test]
fn a_closed_pipe_stops_quietly() {
    let dir = TempDir::new("closed-pipe");
    let mid = dir.write("song.mid", &fixtures::format0_basic());
    for args in [
        vec!["devices"],
        vec!["completions", "bash"],
        vec!["info", &mid],
        vec!["dump", &mid],
        vec!["render", &mid, "-o", "-", "-q", "-s", soundfont()],
    ] {
        let out = run_into_closed_pipe(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "host {args:?}: exit {:?}; stderr: {stderr}",
            out.status
        );
        assert!(stderr.is_empty(), "host {args:?} said: {stderr}");
    }
}

// ---- Command-line mistakes: one line, exit 2 --------------------------------

/// clap's errors are one `host: …` line (no blank line, no usage, no
/// hint), ranges written `22050–96000`, exit 2.
#[test]
fn command_line_mistakes_are_one_line() {
    let dir = TempDir::new("usage-one-line");
    let mid = dir.write("song.mid", &fixtures::format0_basic());
    let wav = dir.s("out.wav");
    let out = run(&["render", &mid, "-o", &wav, "--rate", "8000"]);
    error_line(
        &out,
        2,
        "invalid value '8000' for '--rate <HZ>'",
        &["8000 is not in 22050–96000"],
    );
    let out = run(&["render", &mid, "--strat", "5"]);
    error_line(
        &out,
        2,
        "unexpected argument '--strat' found (a similar argument exists",
        &["--start"],
    );
    // A negative time is a value, not a file name to pass after `--`.
    for option in ["--start", "--end"] {
        let out = run(&["render", &mid, "-o", &wav, option, "-5"]);
        let line = error_line(
            &out,
            2,
            &format!("invalid value '-5' for '{option} <TIME>'"),
            &["must be ≥ 0"],
        );
        assert!(!line.contains("-- -5"), "{line}");
    }
    assert!(!dir.path("out.wav").exists());
}

/// `--start` at or past the song's end: render refuses with the song's
/// length (exit 2, no output), as it refuses `--end` before `--start`.
#[test]
fn render_start_past_the_end_says_the_length() {
    let dir = TempDir::new("start-past-end");
    let mid = dir.write("song.mid", &fixtures::format0_basic());
    let length = info_duration(&mid);
    let wav = dir.s("out.wav");
    let out = run(&[
        "render",
        &mid,
        "-o",
        &wav,
        "--start",
        "100",
        "-s",
        soundfont(),
    ]);
    let line = error_line(&out, 2, &mid, &["--start 100 is past the end of the song"]);
    assert!(line.contains(&format!("it lasts {length}")), "{line}");
    assert!(
        !dir.path("out.wav").exists(),
        "no WAV for nothing to render"
    );
}

/// Standard input is named "standard input" in errors, not `-`; it can be
/// read once: `host play - -` is refused before anything plays (exit 2),
/// not after the first song.
#[test]
fn standard_input_is_named_and_read_once() {
    for (args, code, words) in [
        (&["info", "-"][..], 3, "empty"),
        (
            &["play", "-", "-", "-s", soundfont(), "--device", "null"][..],
            2,
            "given more than once",
        ),
    ] {
        let out = host().args(args).stdin(Stdio::null()).output().unwrap();
        error_line(&out, code, "standard input", &[words]);
    }
}

/// The real-time warning is said once a run, however many songs play, and
/// not about memory when the audio loop's own memory could be locked (as
/// on this machine's 8 MiB `RLIMIT_MEMLOCK`, where `mlockall` is refused).
#[test]
fn realtime_warning_once_and_only_when_it_matters() {
    let dir = TempDir::new("rt-warning");
    let a = dir.write("a.mid", &fixtures::format0_basic());
    let b = dir.write("b.mid", &fixtures::format0_basic());
    let args = [
        "play",
        &a,
        &b,
        "-s",
        soundfont(),
        "--device",
        "null",
        "--end",
        "0.2",
    ];
    let out = host()
        .args(args)
        .env("SMFPLAY_NO_RT", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("host: warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("real-time priority (SCHED_FIFO 60) refused"),
        "{stderr}"
    );
    assert!(!warnings[0].contains("memory"), "{stderr}");
    // The advice fits the cause: the variable, not rtkit or limits.conf.
    assert!(
        warnings[0].contains("unset SMFPLAY_NO_RT") && !warnings[0].contains("rtkit"),
        "{stderr}"
    );
}
