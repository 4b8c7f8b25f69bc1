//! Events as the reader yields them: midly's vocabulary plus the absolute
//! tick, the track they came from and that track's port (`FF 21`).
//!
//! *Real-time*: plain data; decoding a meta event is a bounded `match`.

use midly::num::{u4, u7, u24};
use midly::{Fps, MetaMessage, SmpteTime, TrackEventKind};

/// One event of the merged stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// Absolute tick from the start of the song (for format 2, from the
    /// start of the first track: each track begins where the previous ended).
    pub tick: u64,
    /// Track index in file order.
    pub track: u16,
    /// The track's MIDI port: set by the track's last port-number meta
    /// event (`FF 21`, 0–127) before this event, 0 until one comes. A
    /// player with several outputs sends the event to output
    /// `port % outputs` (as aplaymidi does).
    pub port: u8,
    /// The event, borrowing sysex and meta payloads from the reader.
    pub kind: TrackEventKind<'a>,
}

/// Decodes a meta event the way midly does, except that malformed fixed-size
/// payloads (a key signature shorter than 2 bytes, an impossible SMPTE
/// offset) become [`MetaMessage::Unknown`] instead of ending the track.
pub(crate) fn decode_meta(kind: u8, data: &[u8]) -> MetaMessage<'_> {
    match (kind, data) {
        (0x00, [hi, lo, ..]) => MetaMessage::TrackNumber(Some(u16::from_be_bytes([*hi, *lo]))),
        (0x00, _) => MetaMessage::TrackNumber(None),
        (0x01, _) => MetaMessage::Text(data),
        (0x02, _) => MetaMessage::Copyright(data),
        (0x03, _) => MetaMessage::TrackName(data),
        (0x04, _) => MetaMessage::InstrumentName(data),
        (0x05, _) => MetaMessage::Lyric(data),
        (0x06, _) => MetaMessage::Marker(data),
        (0x07, _) => MetaMessage::CuePoint(data),
        (0x08, _) => MetaMessage::ProgramName(data),
        (0x09, _) => MetaMessage::DeviceName(data),
        (0x20, [ch, ..]) => MetaMessage::MidiChannel(u4::from(*ch)),
        (0x21, [port, ..]) => MetaMessage::MidiPort(u7::from(*port)),
        (0x2F, _) => MetaMessage::EndOfTrack,
        (0x51, [a, b, c, ..]) => MetaMessage::Tempo(u24::from(u32::from_be_bytes([0, *a, *b, *c]))),
        (0x54, [hour_fps, minute, second, frame, subframe, ..]) => {
            let fps = match (hour_fps >> 5) & 3 {
                0 => Fps::Fps24,
                1 => Fps::Fps25,
                2 => Fps::Fps29,
                _ => Fps::Fps30,
            };
            match SmpteTime::new(hour_fps & 0x1F, *minute, *second, *frame, *subframe, fps) {
                Some(t) => MetaMessage::SmpteOffset(t),
                None => MetaMessage::Unknown(kind, data),
            }
        }
        (0x58, [n, d, c, b, ..]) => MetaMessage::TimeSignature(*n, *d, *c, *b),
        (0x59, [sf, mi, ..]) => MetaMessage::KeySignature(*sf as i8, *mi != 0),
        (0x7F, _) => MetaMessage::SequencerSpecific(data),
        _ => MetaMessage::Unknown(kind, data),
    }
}

/// Returns the event's kind with the same payload bytes, so callers can
/// match without caring whether the payload came from a slice or a window.
pub(crate) fn sysex_kind(status: u8, data: &[u8]) -> TrackEventKind<'_> {
    if status == 0xF0 {
        TrackEventKind::SysEx(data)
    } else {
        TrackEventKind::Escape(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_kinds() {
        assert_eq!(
            decode_meta(0x51, &[0x07, 0xA1, 0x20]),
            MetaMessage::Tempo(u24::new(500_000))
        );
        assert_eq!(
            decode_meta(0x58, &[4, 2]),
            MetaMessage::Unknown(0x58, &[4, 2])
        );
        assert_eq!(
            decode_meta(0x59, &[0xFE, 1]),
            MetaMessage::KeySignature(-2, true)
        );
        assert_eq!(decode_meta(0x59, &[]), MetaMessage::Unknown(0x59, &[]));
        assert_eq!(decode_meta(0x00, &[]), MetaMessage::TrackNumber(None));
        assert_eq!(
            decode_meta(0x00, &[1, 2]),
            MetaMessage::TrackNumber(Some(0x102))
        );
        assert_eq!(decode_meta(0x2F, &[]), MetaMessage::EndOfTrack);
        assert_eq!(decode_meta(0x05, b"la"), MetaMessage::Lyric(b"la"));
        assert_eq!(decode_meta(0x60, b"x"), MetaMessage::Unknown(0x60, b"x"));
    }
}
