//! The program names itself as it was started: installed as `smfplay` (the
//! Debian package's /usr/bin/smfplay), its messages, `--version`, `--help`,
//! completions and manual pages say `smfplay`; the development binary
//! `host` says `host`. Run through a symbolic link named `smfplay` to the
//! test build.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::*;

/// A link named `smfplay` to the `host` built for these tests.
struct Smfplay {
    dir: TempDir,
}

impl Smfplay {
    fn new(name: &str) -> Self {
        let dir = TempDir::new(name);
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_host"), dir.path("smfplay"))
            .expect("link smfplay");
        Self { dir }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(self.dir.path("smfplay"));
        c.args(args)
            .env_remove("SMFPLAY_SOUNDFONT")
            .env("XDG_CONFIG_HOME", no_config_home());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run smfplay")
    }
}

fn demo() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/demo.mid");
    p.to_str().expect("utf-8 path").to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version_says_the_name_it_was_started_with() {
    let s = Smfplay::new("name-version");
    let out = s.run(&["--version"]);
    assert_eq!(
        text(&out.stdout),
        format!("smfplay {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = run(&["--version"]);
    assert_eq!(
        text(&out.stdout),
        format!("host {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn errors_start_with_smfplay() {
    let s = Smfplay::new("name-errors");
    let missing = s.dir.s("missing.mid");
    let out = s.run(&["info", &missing]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stderr),
        format!("smfplay: {missing}: no such file or directory\n")
    );
    // The configuration file's errors (printed by main).
    let config = s.dir.write("config.toml", b"sondfont = \"x.sf2\"\n");
    let out = s.run(&["render", "--config", &config, &demo(), "-o", "-"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with(&format!("smfplay: {config}:1: ")),
        "{}",
        text(&out.stderr)
    );
    // A usage error (clap's, made one line).
    let out = s.run(&["render", "--rate", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("smfplay: invalid value '5' for '--rate <HZ>'"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn play_errors_start_with_smfplay_and_name_its_commands() {
    let s = Smfplay::new("name-play");
    let out = s.run(&[
        "play",
        "-s",
        soundfont(),
        "--device",
        "smfplay_no_such_device",
        &demo(),
    ]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let line = err
        .lines()
        .find(|l| !l.starts_with("smfplay: warning:"))
        .unwrap_or_default();
    assert!(
        line.starts_with("smfplay: smfplay_no_such_device: ")
            && line.contains("no such device (`smfplay devices` lists"),
        "{err}"
    );
    assert!(!err.contains("host"), "{err}");

    // A playlist's missing file, reported while the rest plays (on ALSA's null device).
    let missing = s.dir.s("missing.mid");
    let out = s.run(&[
        "play",
        "-q",
        "-s",
        soundfont(),
        "--device",
        "null",
        "--end",
        "0.2",
        &missing,
        &demo(),
    ]);
    assert_eq!(
        text(&out.stderr),
        format!("smfplay: {missing}: no such file or directory\n")
    );
}

#[test]
fn render_summary_starts_with_smfplay() {
    let s = Smfplay::new("name-render");
    let wav = s.dir.s("demo.wav");
    let out = s.run(&[
        "render",
        "-s",
        soundfont(),
        "--end",
        "0.5",
        "-o",
        &wav,
        &demo(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("smfplay: rendered "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_completions_and_manual_pages_say_smfplay() {
    let s = Smfplay::new("name-help");
    let help = text(&s.run(&["play", "--help"]).stdout);
    assert!(help.contains("Usage: smfplay play"), "{help}");
    assert!(help.contains("  smfplay play song.mid"), "{help}");
    assert!(!help.contains("host "), "{help}");

    let bash = text(&s.run(&["completions", "bash"]).stdout);
    assert!(bash.contains("complete -F _smfplay"), "{bash}");
    assert!(!bash.contains("_host"), "{bash}");

    let page = s.run(&["man"]);
    assert!(page.status.success());
    let page = text(&page.stdout);
    assert!(page.contains("\n.TH SMFPLAY 1 "), "{page}");
    assert!(page.contains("smfplay\\-render(1)"), "{page}");

    let out = s.run(&["man", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("smfplay: man: no command 'nosuch' (the commands are play, "),
        "{}",
        text(&out.stderr)
    );
}
