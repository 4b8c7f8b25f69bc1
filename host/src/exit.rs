//! The host's errors: one clear line each, with the exit code a script can
//! test (documented in the README's "Exit codes").
//!
//! *Real-time*: not used on the audio thread (which reports through atomics
//! and queues); errors are formatted on the control thread.

use std::fmt;
use std::path::Path;

/// Exit codes.
pub mod code {
    /// Success.
    pub const OK: i32 = 0;
    /// Something else went wrong (a bug, or an unexpected system error).
    pub const OTHER: i32 = 1;
    /// Bad command line (clap's own code).
    pub const USAGE: i32 = 2;
    /// A MIDI input file is missing, unreadable, not MIDI, or damaged under `--strict`.
    pub const INPUT: i32 = 3;
    /// No usable SoundFont.
    pub const SOUNDFONT: i32 = 4;
    /// The audio device is missing, busy, refuses the settings, or was lost.
    pub const DEVICE: i32 = 5;
    /// The output file cannot be written (render).
    pub const OUTPUT: i32 = 6;
    /// Stopped by SIGHUP (128 + 1).
    pub const SIGHUP: i32 = 129;
    /// Stopped by SIGINT, e.g. Ctrl-C (128 + 2).
    pub const SIGINT: i32 = 130;
    /// Stopped by SIGTERM (128 + 15).
    pub const SIGTERM: i32 = 143;
}

/// Which part of the system failed: decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// MIDI input.
    Input,
    /// SoundFont.
    SoundFont,
    /// Audio device.
    Device,
    /// Output file.
    Output,
    /// Standard output's reader stopped reading (`host devices | head -1`):
    /// not an error, the command stops quietly with exit code 0.
    ReaderGone,
    /// The command line (exit 2).
    Usage,
    /// Anything else.
    Other,
}

/// A host error: what failed, about what (a file or device name), and why.
#[derive(Debug, Clone)]
pub struct HostError {
    /// Which part failed.
    pub kind: Kind,
    /// The file or device the error is about.
    pub subject: String,
    /// What is wrong, in one line.
    pub message: String,
}

impl HostError {
    /// An error about `subject`.
    pub fn new(kind: Kind, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            subject: subject.into(),
            message: message.into(),
        }
    }

    /// An error about a file (`-` is named "standard input").
    pub fn file(kind: Kind, path: &Path, message: impl Into<String>) -> Self {
        Self::new(kind, display_name(path), message)
    }

    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            Kind::Input => code::INPUT,
            Kind::SoundFont => code::SOUNDFONT,
            Kind::Device => code::DEVICE,
            Kind::Output => code::OUTPUT,
            Kind::ReaderGone => code::OK,
            Kind::Usage => code::USAGE,
            Kind::Other => code::OTHER,
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the message holds (printed through
        // `crate::printable`: no terminal control sequences either).
        let message = self.message.replace(['\n', '\r'], " ");
        if self.subject.is_empty() {
            write!(f, "{message}")
        } else {
            write!(f, "{}: {message}", self.subject)
        }
    }
}

impl std::error::Error for HostError {}

/// The name to show for an input path: `-` is "standard input".
pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// A write to standard output failed: a reader that stopped reading
/// (`| head`) ends the command quietly ([`Kind::ReaderGone`]); anything
/// else is an output error (exit 6).
pub fn stdout_error(e: &std::io::Error) -> HostError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        HostError::new(
            Kind::ReaderGone,
            "standard output",
            "the reader stopped reading",
        )
    } else {
        HostError::new(Kind::Output, "standard output", describe_io(e))
    }
}

/// Writes `text` to standard output and flushes it (see [`stdout_error`]).
pub fn print(text: &[u8]) -> Result<(), HostError> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text)
        .and_then(|()| out.flush())
        .map_err(|e| stdout_error(&e))
}

/// Describes an I/O error the way a user reads it ("no such file", …).
pub fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "is a directory".into(),
        K::StorageFull => "no space left on device".into(),
        _ => {
            let text = e.to_string();
            // Strip Rust's " (os error N)" suffix: the words say it.
            text.split(" (os error")
                .next()
                .unwrap_or(&text)
                .to_lowercase()
        }
    }
}
