//! Opening a MIDI input: a file (streamed through the core's `IoSource`, so
//! memory does not grow with the file) or standard input (read into memory,
//! up to a limit, since a pipe cannot seek).
//!
//! *Real-time*: not real-time (file I/O); the player reads on its feeder thread.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use embedded_io::ErrorKind;
use embedded_io_adapters::std::FromStd;
use smfplay_core::smf::{ByteSource, IoSource, SliceSource};

use crate::exit::{HostError, Kind, describe_io};

/// Largest MIDI file accepted on standard input.
pub const STDIN_LIMIT: usize = 64 << 20;

/// Bytes of a MIDI input, from a file or memory.
pub enum MidiSource {
    /// A file, read in windows.
    File(IoSource<FromStd<File>>),
    /// Standard input, held in memory.
    Memory(Vec<u8>),
}

impl ByteSource for MidiSource {
    fn byte_len(&mut self) -> Result<u64, ErrorKind> {
        match self {
            MidiSource::File(f) => f.byte_len(),
            MidiSource::Memory(m) => SliceSource::new(m).byte_len(),
        }
    }

    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        match self {
            MidiSource::File(f) => f.read_at(pos, buf),
            MidiSource::Memory(m) => SliceSource::new(m).read_at(pos, buf),
        }
    }
}

/// An opened input with the name to show for it.
pub struct MidiInput {
    /// The bytes.
    pub source: MidiSource,
    /// The path as given (`-` for standard input).
    pub path: PathBuf,
    /// The first bytes, to say what a non-MIDI file looks like.
    pub head: Vec<u8>,
}

impl MidiInput {
    /// Opens a file, or standard input for `-`.
    pub fn open(path: &Path) -> Result<Self, HostError> {
        let err = |m: String| HostError::file(Kind::Input, path, m);
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(STDIN_LIMIT as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| err(format!("cannot read standard input: {}", describe_io(&e))))?;
            if bytes.len() > STDIN_LIMIT {
                return Err(err(format!(
                    "standard input is larger than {} MiB",
                    STDIN_LIMIT >> 20
                )));
            }
            let head = bytes.iter().copied().take(64).collect();
            return Ok(Self {
                source: MidiSource::Memory(bytes),
                path: path.into(),
                head,
            });
        }
        let meta = std::fs::metadata(path).map_err(|e| err(describe_io(&e)))?;
        if meta.is_dir() {
            return Err(err("is a directory, not a MIDI file".into()));
        }
        let mut file = File::open(path).map_err(|e| err(describe_io(&e)))?;
        let mut head = vec![0u8; 64];
        let n = read_up_to(&mut file, &mut head).map_err(|e| err(describe_io(&e)))?;
        head.truncate(n);
        Ok(Self {
            source: MidiSource::File(IoSource::new(FromStd::new(file))),
            path: path.into(),
            head,
        })
    }
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// What a file's first bytes look like, for "not a MIDI file" messages.
pub fn describe_content(head: &[u8]) -> String {
    let starts = |m: &[u8]| head.starts_with(m);
    let text_start = String::from_utf8_lossy(&head[..head.len().min(64)]).to_ascii_lowercase();
    let text_start = text_start.trim_start_matches('\u{feff}').trim_start();
    let what = if head.is_empty() {
        "it is empty"
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        "it looks like a WAV audio file"
    } else if starts(b"RIFF") && head.get(8..12) == Some(b"sfbk") {
        "it looks like a SoundFont, not a song"
    } else if starts(b"ID3") || (head.len() > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
        "it looks like an MP3 file"
    } else if starts(b"OggS") {
        "it looks like an Ogg audio file"
    } else if starts(b"fLaC") {
        "it looks like a FLAC audio file"
    } else if starts(b"PK\x03\x04") {
        "it looks like a ZIP archive (unpack it first)"
    } else if starts(b"\x1f\x8b") {
        "it looks like a gzip archive (unpack it first)"
    } else if starts(b"%PDF") {
        "it looks like a PDF document"
    } else if text_start.starts_with("<!doctype html") || text_start.starts_with("<html") {
        "it looks like an HTML page (a download that saved the web page?)"
    } else if text_start.starts_with("<?xml") {
        "it looks like an XML file (MusicXML?)"
    } else if starts(b"MThd") {
        "it starts like a MIDI file"
    } else if head
        .iter()
        .take(64)
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "it looks like a text file"
    } else {
        "it does not start with MThd or RIFF RMID"
    };
    what.to_string()
}

#[cfg(test)]
mod tests {
    use super::describe_content;

    #[test]
    fn names_common_impostors() {
        assert!(describe_content(b"RIFF\0\0\0\0WAVEfmt ").contains("WAV"));
        assert!(describe_content(b"ID3\x04\0").contains("MP3"));
        assert!(describe_content(b"<!DOCTYPE html><html>").contains("HTML"));
        assert!(describe_content(b"PK\x03\x04....").contains("ZIP"));
        assert!(describe_content(b"").contains("empty"));
        assert!(describe_content(b"hello world\n").contains("text"));
    }
}
