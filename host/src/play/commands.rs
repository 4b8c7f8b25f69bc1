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
//! volume 0.5         output volume, 0–2
//! quit               stop playing (like Ctrl-C, but exit status 0)
//! ```
//!
//! Commands apply to the song playing when they arrive; between songs they
//! wait for the next one. A line that does not parse is reported as a
//! warning (file and line number) and skipped. The file is read to its
//! end: for a named pipe, keep a writer open (`exec 3>pipe`) for as long
//! as commands may come.
//!
//! *Real-time*: not real-time. A reader thread (which may block on the
//! file) parses lines and passes them over a channel; the control thread
//! polls the channel and turns each into the lock-free queue items the
//! audio thread and the feeder already take.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use midly::num::u4;
use smfplay_core::sequencer::Command;

use super::audio_thread::AudioCmd;

/// One parsed line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScriptCommand {
    /// For the audio thread.
    Audio(AudioCmd),
    /// For the feeder: a song time in seconds.
    Seek(f64),
}

/// What the reader thread sends.
#[derive(Debug)]
pub enum ScriptItem {
    /// A command.
    Command(ScriptCommand),
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
    Command(ScriptCommand),
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
    let channel = || -> Result<u4, String> { Ok(u4::new(number(1.0, 16.0)? as u8 - 1)) };
    let no_arg = |c: ScriptCommand| match arg {
        None => Ok(Line::Command(c)),
        Some(a) => Err(format!("'{verb}' takes no argument (got '{a}')")),
    };
    let transport = |c: Command| Line::Command(ScriptCommand::Audio(AudioCmd::Transport(c)));
    match verb {
        "wait" => Ok(Line::Wait(Duration::from_secs_f64(number(0.0, 86_400.0)?))),
        "seek" => Ok(Line::Command(ScriptCommand::Seek(number(0.0, 1e9)?))),
        "pause" => no_arg(ScriptCommand::Audio(AudioCmd::Transport(Command::Pause))),
        "resume" | "play" => no_arg(ScriptCommand::Audio(AudioCmd::Transport(Command::Play))),
        "toggle" => no_arg(ScriptCommand::Audio(AudioCmd::Transport(
            Command::TogglePause,
        ))),
        "tempo" => Ok(transport(Command::TempoMilli(
            (number(0.25, 4.0)? * 1000.0).round() as u32,
        ))),
        "transpose" => Ok(transport(Command::Transpose(number(-24.0, 24.0)? as i8))),
        "mute" => Ok(transport(Command::Mute(channel()?, true))),
        "unmute" => Ok(transport(Command::Mute(channel()?, false))),
        "solo" => Ok(transport(Command::Solo(channel()?, true))),
        "unsolo" => Ok(transport(Command::Solo(channel()?, false))),
        "volume" => Ok(Line::Command(ScriptCommand::Audio(AudioCmd::Volume(
            number(0.0, 2.0)? as f32,
        )))),
        "quit" => no_arg(ScriptCommand::Audio(AudioCmd::Quit)),
        other => Err(format!("unknown command '{other}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> ScriptCommand {
        match parse_line(line) {
            Ok(Line::Command(c)) => c,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    fn transport(line: &str) -> Command {
        match cmd(line) {
            ScriptCommand::Audio(AudioCmd::Transport(c)) => c,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    #[test]
    fn every_command_parses_to_what_the_threads_take() {
        assert_eq!(cmd("seek 30.5"), ScriptCommand::Seek(30.5));
        assert_eq!(transport("pause"), Command::Pause);
        assert_eq!(transport("  resume  # go on"), Command::Play);
        assert_eq!(transport("toggle"), Command::TogglePause);
        assert_eq!(transport("tempo 1.2"), Command::TempoMilli(1200));
        assert_eq!(transport("transpose -3"), Command::Transpose(-3));
        assert_eq!(transport("mute 10"), Command::Mute(u4::new(9), true));
        assert_eq!(transport("unmute 1"), Command::Mute(u4::new(0), false));
        assert_eq!(transport("solo 16"), Command::Solo(u4::new(15), true));
        assert_eq!(transport("unsolo 2"), Command::Solo(u4::new(1), false));
        assert!(matches!(cmd("volume 0.5"), ScriptCommand::Audio(AudioCmd::Volume(v)) if v == 0.5));
        assert!(matches!(cmd("quit"), ScriptCommand::Audio(AudioCmd::Quit)));
        assert_eq!(
            parse_line("wait 0.25"),
            Ok(Line::Wait(Duration::from_millis(250)))
        );
        assert_eq!(parse_line("   # only a comment"), Ok(Line::Nothing));
        assert_eq!(parse_line(""), Ok(Line::Nothing));
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
        assert_eq!(got[2], "Seek(2.0)");
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
