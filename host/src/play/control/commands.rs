//! `host play --commands FILE`: transport commands read from a file or a
//! named pipe, one per line, for scripts and the soak test (`scripts/soak`)
//! — the way to drive the player without its terminal.
//!
//! ```text
//! # comment          blank lines and comments are ignored
//! wait 2.5           read the next line 2.5 s later (paces a plain file)
//! seek 30            jump to 30 s of song time (with chase)
//! pause | resume | toggle
//! tempo 1.2          tempo scale, 0.25–4
//! transpose -3       semitones, −24…24
//! mute 10 | unmute 10 | solo 1 | unsolo 1    channels 1–16
//! volume 0.5         output volume, 0–2 (played at most 1.5, as the keys)
//! quit               stop playing (like Ctrl-C, but exit status 0)
//! ```
//!
//! Each line is an [`Action`] that goes through the same
//! [`super::controls::Controls`] as the keys: the settings it makes carry
//! over to the next file like the keys', and a key after it steps from its
//! value. Commands apply to the song playing when they arrive; between
//! songs they wait for the next one. A line that does not parse is reported as a
//! warning (file and line number) and skipped. The file is read to its
//! end: for a named pipe, keep a writer open (`exec 3>pipe`) for as long
//! as commands may come.
//!
//! *Real-time*: not real-time. A reader thread (which may block on the
//! file) parses lines and passes them over a channel; the control thread
//! polls the channel, applies each action to its controls and delivers the
//! effects ([`super::delivery`]) over the lock-free queues, as it does the
//! keys'.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use super::keys::Action;

/// What the reader thread sends.
#[derive(Debug)]
pub enum ScriptItem {
    /// A command.
    Command(Action),
    /// A line that could not be used, or the file that could not be read:
    /// one line for a warning.
    Problem(String),
}

/// Commands arriving from a file.
pub struct CommandScript {
    items: Receiver<ScriptItem>,
}

impl CommandScript {
    /// Starts reading `path` on its own thread (it may block on a pipe until
    /// a writer opens it; the thread ends at the end of the file, or with
    /// the process).
    pub fn start(path: &Path) -> std::io::Result<Self> {
        let (tx, items) = channel();
        let path: PathBuf = path.to_path_buf();
        std::thread::Builder::new()
            .name("commands".into())
            .spawn(move || {
                let name = path.display().to_string();
                let file = match std::fs::File::open(&path) {
                    Ok(f) => f,
                    Err(e) => {
                        let _ = tx.send(ScriptItem::Problem(format!(
                            "{name}: cannot read commands: {}",
                            crate::exit::describe_io(&e)
                        )));
                        return;
                    }
                };
                for (n, line) in BufReader::new(file).lines().enumerate() {
                    let Ok(line) = line else { break };
                    let item = match parse_line(&line) {
                        Ok(Line::Nothing) => continue,
                        Ok(Line::Wait(d)) => {
                            std::thread::sleep(d);
                            continue;
                        }
                        Ok(Line::Command(c)) => ScriptItem::Command(c),
                        Err(why) => {
                            ScriptItem::Problem(format!("{name} line {}: {why} (ignored)", n + 1))
                        }
                    };
                    if tx.send(item).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Self { items })
    }

    /// The next item that has arrived, if any (never blocks).
    pub fn poll(&self) -> Option<ScriptItem> {
        self.items.try_recv().ok()
    }
}

/// What a line says.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// Blank or a comment.
    Nothing,
    /// Wait before reading on.
    Wait(Duration),
    /// A command.
    Command(Action),
}

/// Parses one line of a command file.
pub fn parse_line(line: &str) -> Result<Line, String> {
    let line = line.split('#').next().unwrap_or("").trim();
    let mut words = line.split_whitespace();
    let Some(verb) = words.next() else {
        return Ok(Line::Nothing);
    };
    let arg = words.next();
    if let Some(extra) = words.next() {
        return Err(format!("unexpected '{extra}' after '{verb}'"));
    }
    let number = |lo: f64, hi: f64| -> Result<f64, String> {
        let a = arg.ok_or_else(|| format!("'{verb}' needs a number"))?;
        let v: f64 = a
            .parse()
            .map_err(|_| format!("'{a}' is not a number (after '{verb}')"))?;
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{verb} {v} is outside {lo}–{hi}"))
        }
    };
    // Channels 1–16 on the line, 0–15 in an action.
    let channel = || -> Result<u8, String> { Ok(number(1.0, 16.0)? as u8 - 1) };
    let no_arg = |a: Action| match arg {
        None => Ok(Line::Command(a)),
        Some(x) => Err(format!("'{verb}' takes no argument (got '{x}')")),
    };
    let command = |a: Action| Ok(Line::Command(a));
    match verb {
        "wait" => Ok(Line::Wait(Duration::from_secs_f64(number(0.0, 86_400.0)?))),
        "seek" => command(Action::SeekTo((number(0.0, 1e9)? * 1000.0).round() as u64)),
        "pause" => no_arg(Action::Pause),
        "resume" | "play" => no_arg(Action::Resume),
        "toggle" => no_arg(Action::TogglePause),
        "tempo" => command(Action::SetTempo(
            (number(0.25, 4.0)? * 1000.0).round() as u32
        )),
        "transpose" => command(Action::SetTranspose(number(-24.0, 24.0)? as i8)),
        "mute" => command(Action::SetMute(channel()?, true)),
        "unmute" => command(Action::SetMute(channel()?, false)),
        "solo" => command(Action::SetSolo(channel()?, true)),
        "unsolo" => command(Action::SetSolo(channel()?, false)),
        "volume" => command(Action::SetVolume((number(0.0, 2.0)? * 100.0).round() as u32)),
        "quit" => no_arg(Action::Quit),
        other => Err(format!("unknown command '{other}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play::control::controls::Effect;

    fn cmd(line: &str) -> Action {
        match parse_line(line) {
            Ok(Line::Command(c)) => c,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    #[test]
    fn every_command_parses_to_an_action() {
        assert_eq!(cmd("seek 30.5"), Action::SeekTo(30_500));
        assert_eq!(cmd("pause"), Action::Pause);
        assert_eq!(cmd("  resume  # go on"), Action::Resume);
        assert_eq!(cmd("play"), Action::Resume);
        assert_eq!(cmd("toggle"), Action::TogglePause);
        assert_eq!(cmd("tempo 1.2"), Action::SetTempo(1200));
        assert_eq!(cmd("transpose -3"), Action::SetTranspose(-3));
        assert_eq!(cmd("mute 10"), Action::SetMute(9, true));
        assert_eq!(cmd("unmute 1"), Action::SetMute(0, false));
        assert_eq!(cmd("solo 16"), Action::SetSolo(15, true));
        assert_eq!(cmd("unsolo 2"), Action::SetSolo(1, false));
        assert_eq!(cmd("volume 0.5"), Action::SetVolume(50));
        assert_eq!(cmd("quit"), Action::Quit);
        assert_eq!(
            parse_line("wait 0.25"),
            Ok(Line::Wait(Duration::from_millis(250)))
        );
        assert_eq!(parse_line("   # only a comment"), Ok(Line::Nothing));
        assert_eq!(parse_line(""), Ok(Line::Nothing));
    }

    /// The command a line sends is the one the keys send for the same
    /// change: both go through `Controls::apply`.
    #[test]
    fn a_line_and_the_keys_send_the_same_command_for_the_same_change() {
        use crate::play::control::controls::Controls;
        use crate::play::control::keys::{Key, action};
        let fresh = || Controls::new(1.0, 0, &[], &[], false);
        let by_keys = |keys: &[Key]| {
            let mut c = fresh();
            let last = keys
                .iter()
                .map(|&k| c.apply(action(k)))
                .last()
                .expect("at least one key");
            (last, c)
        };
        let by_line = |line: &str| {
            let mut c = fresh();
            (c.apply(cmd(line)), c)
        };
        let plus = Key::Char('+');
        for (keys, line) in [
            (vec![plus; 4], "tempo 1.2"),
            (vec![Key::Char('-'); 2], "tempo 0.9"),
            (vec![Key::Char('T'); 3], "transpose -3"),
            (vec![Key::Down; 5], "volume 0.5"),
            (vec![Key::Up; 3], "volume 1.3"),
            (vec![Key::Char('3')], "mute 3"),
            (vec![Key::Char('3'), Key::Char('3')], "unmute 3"),
            (vec![Key::Char('s'), Key::Char('^')], "solo 16"),
            (vec![Key::Char(' ')], "toggle"),
            (vec![Key::Char('q')], "quit"),
        ] {
            let (key_effects, key_state) = by_keys(&keys);
            let (line_effects, line_state) = by_line(line);
            assert_eq!(key_effects, line_effects, "{line:?} vs {keys:?}");
            assert!(
                matches!(line_effects[..], [Effect::Audio(_)] | [Effect::Quit]),
                "{line:?}: {line_effects:?}"
            );
            assert_eq!(key_state, line_state, "{line:?} vs {keys:?}");
        }
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        for (line, says) in [
            ("jump 3", "unknown command 'jump'"),
            ("seek", "'seek' needs a number"),
            ("seek soon", "'soon' is not a number"),
            ("tempo 9", "outside 0.25–4"),
            ("mute 17", "outside 1–16"),
            ("mute 0", "outside 1–16"),
            ("pause now", "takes no argument"),
            ("seek 3 4", "unexpected '4'"),
            ("wait -1", "outside 0–86400"),
            ("seek NaN", "outside"),
        ] {
            let e = parse_line(line).expect_err(line);
            assert!(e.contains(says), "{line:?}: {e:?} should say {says:?}");
        }
    }

    #[test]
    fn a_file_is_read_in_order_with_its_waits_and_problems() {
        let dir = std::env::temp_dir().join(format!("smfplay-commands-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cmds.txt");
        std::fs::write(&path, "pause\nwait 0.05\nbogus\nseek 2\n").unwrap();
        let script = CommandScript::start(&path).unwrap();
        let mut got = Vec::new();
        let t = std::time::Instant::now();
        while got.len() < 3 && t.elapsed() < Duration::from_secs(5) {
            match script.poll() {
                Some(ScriptItem::Command(c)) => got.push(format!("{c:?}")),
                Some(ScriptItem::Problem(p)) => got.push(p),
                None => std::thread::sleep(Duration::from_millis(1)),
            }
        }
        assert!(
            t.elapsed() >= Duration::from_millis(50),
            "the wait was skipped"
        );
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].contains("Pause"), "{got:?}");
        assert!(
            got[1].ends_with("cmds.txt line 3: unknown command 'bogus' (ignored)"),
            "{got:?}"
        );
        assert_eq!(got[2], "SeekTo(2000)");
        let missing = CommandScript::start(&dir.join("nope")).unwrap();
        let t = std::time::Instant::now();
        let problem = loop {
            if let Some(ScriptItem::Problem(p)) = missing.poll() {
                break p;
            }
            assert!(t.elapsed() < Duration::from_secs(5), "no problem reported");
            std::thread::sleep(Duration::from_millis(1));
        };
        assert!(problem.contains("nope: cannot read commands"), "{problem}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
