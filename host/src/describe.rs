//! Readable forms of MIDI events and texts, for `host dump` and `host info`.
//!
//! *Real-time*: not real-time (allocates strings).

use std::fmt::Write;

use midly::{MetaMessage, MidiMessage, TrackEventKind};
use smfplay_core::sequencer::{ResetKind, reset_kind};

/// A MIDI text as a string (the one decoder: [`crate::text_decode`]).
pub fn text(bytes: &[u8]) -> String {
    crate::text_decode::decode(bytes).into_owned()
}

/// The name of a GM/GS/XG reset.
pub fn reset_name(kind: ResetKind) -> &'static str {
    match kind {
        ResetKind::Gm => "GM System On",
        ResetKind::Gm2 => "GM2 System On",
        ResetKind::Gs => "GS Reset",
        ResetKind::Xg => "XG System On",
    }
}

/// A note number as a name with octave (60 = C4).
pub fn note_name(key: u8) -> String {
    const NAMES: [&str; 12] = [
        "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
    ];
    format!(
        "{}{}",
        NAMES[usize::from(key % 12)],
        i32::from(key / 12) - 1
    )
}

fn bytes_hex(out: &mut String, data: &[u8]) {
    const SHOWN: usize = 32;
    for (i, b) in data.iter().take(SHOWN).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    if data.len() > SHOWN {
        let _ = write!(out, " … ({} bytes)", data.len());
    }
}

fn quoted(out: &mut String, label: &str, data: &[u8]) {
    let _ = write!(out, "{label} {:?}", text(data));
}

/// One event in a readable form, e.g. `note-on ch 1 C4 (60) vel 100`.
pub fn event(kind: &TrackEventKind<'_>) -> String {
    let mut s = String::new();
    match *kind {
        TrackEventKind::Midi { channel, message } => {
            let ch = channel.as_int() + 1;
            let _ = match message {
                MidiMessage::NoteOn { key, vel } => write!(
                    s,
                    "note-on ch {ch} {} ({key}) vel {vel}",
                    note_name(key.as_int())
                ),
                MidiMessage::NoteOff { key, vel } => write!(
                    s,
                    "note-off ch {ch} {} ({key}) vel {vel}",
                    note_name(key.as_int())
                ),
                MidiMessage::Aftertouch { key, vel } => write!(
                    s,
                    "key-pressure ch {ch} {} ({key}) {vel}",
                    note_name(key.as_int())
                ),
                MidiMessage::Controller { controller, value } => {
                    write!(s, "control ch {ch} cc {controller} = {value}")
                }
                MidiMessage::ProgramChange { program } => write!(s, "program ch {ch} {program}"),
                MidiMessage::ChannelAftertouch { vel } => {
                    write!(s, "channel-pressure ch {ch} {vel}")
                }
                MidiMessage::PitchBend { bend } => {
                    write!(s, "pitch-bend ch {ch} {:+}", bend.as_int())
                }
            };
        }
        TrackEventKind::SysEx(data) => {
            s.push_str("sysex F0 ");
            bytes_hex(&mut s, data);
            if let Some(kind) = reset_kind(data) {
                let _ = write!(s, " ({})", reset_name(kind));
            }
        }
        TrackEventKind::Escape(data) => {
            s.push_str("escape F7 ");
            bytes_hex(&mut s, data);
        }
        TrackEventKind::Meta(meta) => meta_event(&mut s, meta),
    }
    s
}

fn meta_event(s: &mut String, meta: MetaMessage<'_>) {
    let _ = match meta {
        MetaMessage::TrackNumber(n) => match n {
            Some(n) => write!(s, "sequence-number {n}"),
            None => write!(s, "sequence-number (none)"),
        },
        MetaMessage::Text(d) => {
            quoted(s, "text", d);
            Ok(())
        }
        MetaMessage::Copyright(d) => {
            quoted(s, "copyright", d);
            Ok(())
        }
        MetaMessage::TrackName(d) => {
            quoted(s, "track-name", d);
            Ok(())
        }
        MetaMessage::InstrumentName(d) => {
            quoted(s, "instrument-name", d);
            Ok(())
        }
        MetaMessage::Lyric(d) => {
            quoted(s, "lyric", d);
            Ok(())
        }
        MetaMessage::Marker(d) => {
            quoted(s, "marker", d);
            Ok(())
        }
        MetaMessage::CuePoint(d) => {
            quoted(s, "cue-point", d);
            Ok(())
        }
        MetaMessage::ProgramName(d) => {
            quoted(s, "program-name", d);
            Ok(())
        }
        MetaMessage::DeviceName(d) => {
            quoted(s, "device-name", d);
            Ok(())
        }
        MetaMessage::MidiChannel(c) => write!(s, "midi-channel-prefix {}", c.as_int() + 1),
        MetaMessage::MidiPort(p) => write!(s, "midi-port {p}"),
        MetaMessage::EndOfTrack => write!(s, "end-of-track"),
        MetaMessage::Tempo(us) => write!(
            s,
            "tempo {} µs/quarter ({:.3} BPM)",
            us.as_int(),
            60_000_000.0 / f64::from(us.as_int().max(1))
        ),
        MetaMessage::SmpteOffset(t) => write!(
            s,
            "smpte-offset {:02}:{:02}:{:02}:{:02}.{:02} ({} fps)",
            t.hour(),
            t.minute(),
            t.second(),
            t.frame(),
            t.subframe(),
            t.fps().as_f32()
        ),
        MetaMessage::TimeSignature(n, d, clocks, n32) => write!(
            s,
            "time-signature {n}/{} ({clocks} clocks per click, {n32} 32nds per quarter)",
            1u32.checked_shl(u32::from(d)).unwrap_or(0)
        ),
        MetaMessage::KeySignature(sf, minor) => write!(s, "key-signature {}", key_name(sf, minor)),
        MetaMessage::SequencerSpecific(d) => {
            s.push_str("sequencer-specific ");
            bytes_hex(s, d);
            Ok(())
        }
        MetaMessage::Unknown(kind, d) => {
            let _ = write!(s, "meta 0x{kind:02X} ");
            bytes_hex(s, d);
            Ok(())
        }
    };
}

/// A key signature's name, e.g. `D major (2 sharps)`.
pub fn key_name(sharps: i8, minor: bool) -> String {
    const MAJOR: [&str; 15] = [
        "Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#",
    ];
    const MINOR: [&str; 15] = [
        "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#",
    ];
    let idx = usize::try_from(i16::from(sharps) + 7)
        .ok()
        .filter(|&i| i < 15);
    let count = match sharps {
        0 => "no sharps or flats".to_string(),
        n if n > 0 => format!("{n} sharp{}", if n == 1 { "" } else { "s" }),
        n => format!("{} flat{}", -n, if n == -1 { "" } else { "s" }),
    };
    match idx {
        Some(i) => format!(
            "{} {} ({count})",
            if minor { MINOR[i] } else { MAJOR[i] },
            if minor { "minor" } else { "major" }
        ),
        None => format!("{count}, {}", if minor { "minor" } else { "major" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(note_name(60), "C4");
        assert_eq!(note_name(0), "C-1");
        assert_eq!(key_name(2, false), "D major (2 sharps)");
        assert_eq!(key_name(-3, true), "C minor (3 flats)");
        assert_eq!(text(b"caf\xe9"), "café");
    }
}
