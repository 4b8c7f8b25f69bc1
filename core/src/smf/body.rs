//! Decoding one event body at a track cursor: status (with running
//! status), data bytes, meta and sysex payloads, and the system messages a
//! file may not hold (skipped).
//!
//! *Real-time*: bounded work (one payload at most), no allocation.

use midly::MidiMessage;
use midly::PitchBend;
use midly::num::{u4, u7, u14};

use super::error::{ErrorKind, Severity};
use super::source::ByteSource;
use super::track_cursor::{Stop, TrackCursor};

/// A decoded event body whose payload (if any) sits in the reader's buffer.
pub(super) enum Body {
    Midi { channel: u4, message: MidiMessage },
    Meta { kind: u8, len: usize },
    Sys { status: u8, len: usize },
}

pub(super) fn stop_kind(stop: Stop) -> ErrorKind {
    match stop {
        Stop::End => ErrorKind::TruncatedEvent,
        Stop::Io(e) => ErrorKind::Io(e),
        Stop::VlqTooLong => ErrorKind::VlqTooLong,
    }
}

/// Whether a meta event's payload has the length its type requires.
pub(super) fn meta_length_ok(kind: u8, len: usize) -> bool {
    match kind {
        0x00 => len == 0 || len == 2,
        0x20 | 0x21 => len == 1,
        0x2F => len == 0,
        0x51 => len == 3,
        0x54 => len == 5,
        0x58 => len == 4,
        0x59 => len == 2,
        _ => true,
    }
}

/// Number of data bytes of a channel message, by status high nibble.
#[inline]
fn data_len(status: u8) -> usize {
    match status >> 4 {
        0xC | 0xD => 1,
        _ => 2,
    }
}

/// Reads one event body (status and data) at the cursor. On error returns
/// what went wrong and whether the track can go on.
#[inline]
pub(super) fn read_body<S: ByteSource, const W: usize, const P: usize>(
    cursor: &mut TrackCursor<W>,
    src: &mut S,
    payload: &mut [u8; P],
) -> Result<Body, (ErrorKind, Severity)> {
    let track_ended = |stop: Stop| (stop_kind(stop), Severity::TrackEnded);
    let first = cursor.byte(src).map_err(track_ended)?;
    let (status, mut data0) = if first < 0x80 {
        if cursor.running_status == 0 {
            return Err((ErrorKind::MissingRunningStatus(first), Severity::TrackEnded));
        }
        (cursor.running_status, Some(first))
    } else {
        (first, None)
    };
    match status {
        0x80..=0xEF => {
            cursor.running_status = status;
            let d0 = match data0.take() {
                Some(d) => d,
                None => data_byte(cursor, src)?,
            };
            let d1 = if data_len(status) == 2 {
                data_byte(cursor, src)?
            } else {
                0
            };
            Ok(Body::Midi {
                channel: u4::from(status & 0x0F),
                message: channel_message(status, d0, d1),
            })
        }
        0xFF => {
            // Running status survives meta and sysex events: the spec says it
            // should be cancelled, but real files rely on it and cancelling
            // gains nothing for files that follow the spec.
            let kind = cursor.byte(src).map_err(track_ended)?;
            let len = read_payload(cursor, src, payload)?;
            Ok(Body::Meta { kind, len })
        }
        0xF0 | 0xF7 => {
            let len = read_payload(cursor, src, payload)?;
            Ok(Body::Sys { status, len })
        }
        _ => {
            // System common / real-time bytes cannot live in a file: skip the
            // message with its defined data bytes.
            let extra = match status {
                0xF1 | 0xF3 => 1,
                0xF2 => 2,
                _ => 0,
            };
            cursor.skip(extra).map_err(track_ended)?;
            Err((
                ErrorKind::SystemMessageInFile(status),
                Severity::EventSkipped,
            ))
        }
    }
}

#[inline]
fn data_byte<S: ByteSource, const W: usize>(
    cursor: &mut TrackCursor<W>,
    src: &mut S,
) -> Result<u8, (ErrorKind, Severity)> {
    let b = cursor
        .byte(src)
        .map_err(|stop| (stop_kind(stop), Severity::TrackEnded))?;
    if b >= 0x80 {
        return Err((ErrorKind::UnexpectedStatusByte(b), Severity::TrackEnded));
    }
    Ok(b)
}

/// The channel message of status byte `status` (`0x80..=0xEF`; the channel
/// nibble is ignored) with data bytes `d0` and `d1` (`d1` unused by program
/// change and channel pressure; pitch bend is `d0` LSB, `d1` MSB). Data
/// bytes are taken modulo 128.
#[inline]
fn channel_message(status: u8, d0: u8, d1: u8) -> MidiMessage {
    let (a, b) = (u7::from(d0), u7::from(d1));
    match status >> 4 {
        0x8 => MidiMessage::NoteOff { key: a, vel: b },
        0x9 => MidiMessage::NoteOn { key: a, vel: b },
        0xA => MidiMessage::Aftertouch { key: a, vel: b },
        0xB => MidiMessage::Controller {
            controller: a,
            value: b,
        },
        0xC => MidiMessage::ProgramChange { program: a },
        0xD => MidiMessage::ChannelAftertouch { vel: a },
        _ => MidiMessage::PitchBend {
            bend: PitchBend(u14::from((u16::from(d1) << 7) | u16::from(d0))),
        },
    }
}

/// Reads a length-prefixed payload into `payload`, or skips it whole when it
/// does not fit.
fn read_payload<S: ByteSource, const W: usize, const P: usize>(
    cursor: &mut TrackCursor<W>,
    src: &mut S,
    payload: &mut [u8; P],
) -> Result<usize, (ErrorKind, Severity)> {
    let track_ended = |stop: Stop| (stop_kind(stop), Severity::TrackEnded);
    let len = cursor.vlq(src).map_err(track_ended)?;
    match payload.get_mut(..len as usize) {
        Some(dst) => {
            cursor.read_into(src, dst).map_err(track_ended)?;
            Ok(len as usize)
        }
        None => {
            cursor.skip(u64::from(len)).map_err(track_ended)?;
            Err((
                ErrorKind::PayloadTooLong {
                    len,
                    capacity: P as u32,
                },
                Severity::EventSkipped,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use midly::MidiMessage;
    use midly::num::{u7, u14};

    use super::{Body, channel_message, meta_length_ok, read_body};
    use crate::smf::SliceSource;
    use crate::smf::error::{ErrorKind, Severity};
    use crate::smf::track_cursor::TrackCursor;

    /// Reads bodies from `bytes` (a track's data, no delta times) until
    /// the first error (at most five); returns what was read and that
    /// error.
    fn bodies(bytes: &[u8]) -> ([Option<Body>; 5], (ErrorKind, Severity)) {
        let mut src = SliceSource::new(bytes);
        let mut cursor = TrackCursor::<8>::EMPTY;
        cursor.reset(0, bytes.len() as u64);
        let mut payload = [0u8; 4];
        let mut out = [None, None, None, None, None];
        for slot in &mut out {
            match read_body(&mut cursor, &mut src, &mut payload) {
                Ok(body) => *slot = Some(body),
                Err(e) => return (out, e),
            }
        }
        panic!("more than five bodies")
    }

    fn midi(body: &Option<Body>) -> (u8, MidiMessage) {
        match body {
            Some(Body::Midi { channel, message }) => (channel.as_int(), *message),
            _ => panic!("not a channel message"),
        }
    }

    #[test]
    fn channel_messages_decode_every_kind() {
        let (a, b) = (u7::new(60), u7::new(100));
        assert_eq!(
            channel_message(0x83, 60, 100),
            MidiMessage::NoteOff { key: a, vel: b }
        );
        assert_eq!(
            channel_message(0x9F, 60, 100),
            MidiMessage::NoteOn { key: a, vel: b }
        );
        assert_eq!(
            channel_message(0xA0, 60, 100),
            MidiMessage::Aftertouch { key: a, vel: b }
        );
        assert_eq!(
            channel_message(0xB0, 60, 100),
            MidiMessage::Controller {
                controller: a,
                value: b
            }
        );
        assert_eq!(
            channel_message(0xC0, 60, 0),
            MidiMessage::ProgramChange { program: a }
        );
        assert_eq!(
            channel_message(0xD0, 60, 0),
            MidiMessage::ChannelAftertouch { vel: a }
        );
        // Pitch bend: LSB first, then MSB.
        assert_eq!(
            channel_message(0xE0, 0x01, 0x40),
            MidiMessage::PitchBend {
                bend: midly::PitchBend(u14::new(0x2001))
            }
        );
    }

    #[test]
    fn running_status_carries_over_and_survives_a_meta_event() {
        // Note on ch 2, running-status note, meta (text "hi"), running
        // status again, then the end of the data.
        let (got, end) = bodies(&[0x92, 60, 100, 62, 0, 0xFF, 0x01, 2, b'h', b'i', 64, 1]);
        assert_eq!(midi(&got[0]).0, 2);
        assert_eq!(
            midi(&got[1]).1,
            MidiMessage::NoteOn {
                key: u7::new(62),
                vel: u7::new(0)
            }
        );
        assert!(matches!(got[2], Some(Body::Meta { kind: 0x01, len: 2 })));
        assert_eq!(
            midi(&got[3]),
            (
                2,
                MidiMessage::NoteOn {
                    key: u7::new(64),
                    vel: u7::new(1)
                }
            )
        );
        assert_eq!(end, (ErrorKind::TruncatedEvent, Severity::TrackEnded));
    }

    #[test]
    fn one_data_byte_for_program_change_and_channel_pressure() {
        let (got, _) = bodies(&[0xC1, 5, 0xD1, 7, 0xC1, 9]);
        assert_eq!(
            midi(&got[0]).1,
            MidiMessage::ProgramChange {
                program: u7::new(5)
            }
        );
        assert_eq!(
            midi(&got[1]).1,
            MidiMessage::ChannelAftertouch { vel: u7::new(7) }
        );
        assert_eq!(
            midi(&got[2]).1,
            MidiMessage::ProgramChange {
                program: u7::new(9)
            }
        );
    }

    #[test]
    fn data_without_running_status_ends_the_track() {
        let (got, end) = bodies(&[0x3C, 0x40]);
        assert!(got[0].is_none());
        assert_eq!(
            end,
            (ErrorKind::MissingRunningStatus(0x3C), Severity::TrackEnded)
        );
    }

    #[test]
    fn a_status_byte_where_data_belongs_ends_the_track() {
        let (_, end) = bodies(&[0x90, 60, 0x80]);
        assert_eq!(
            end,
            (ErrorKind::UnexpectedStatusByte(0x80), Severity::TrackEnded)
        );
    }

    #[test]
    fn sysex_fits_and_an_over_long_one_is_skipped_whole() {
        // F0 of 3 bytes (fits the 4-byte payload), then F7 of 5 bytes.
        let (got, end) = bodies(&[0xF0, 3, 1, 2, 0xF7, 0xF7, 5, 1, 2, 3, 4, 5, 0xC0, 1]);
        assert!(matches!(
            got[0],
            Some(Body::Sys {
                status: 0xF0,
                len: 3
            })
        ));
        assert_eq!(
            end,
            (
                ErrorKind::PayloadTooLong {
                    len: 5,
                    capacity: 4
                },
                Severity::EventSkipped
            )
        );
        // Skipped whole: the next body is the program change after it.
        let mut src = SliceSource::new(&[0xF7, 5, 1, 2, 3, 4, 5, 0xC0, 1]);
        let mut cursor = TrackCursor::<8>::EMPTY;
        cursor.reset(0, 9);
        let mut payload = [0u8; 4];
        assert!(read_body(&mut cursor, &mut src, &mut payload).is_err());
        let body = read_body(&mut cursor, &mut src, &mut payload).ok();
        assert_eq!(
            midi(&body).1,
            MidiMessage::ProgramChange {
                program: u7::new(1)
            }
        );
    }

    #[test]
    fn system_messages_are_skipped_with_their_data_bytes() {
        // Song position (2 data bytes) then a note.
        let mut src = SliceSource::new(&[0xF2, 1, 2, 0x90, 60, 1]);
        let mut cursor = TrackCursor::<8>::EMPTY;
        cursor.reset(0, 6);
        let mut payload = [0u8; 4];
        assert_eq!(
            read_body(&mut cursor, &mut src, &mut payload).err(),
            Some((ErrorKind::SystemMessageInFile(0xF2), Severity::EventSkipped))
        );
        let body = read_body(&mut cursor, &mut src, &mut payload).ok();
        assert_eq!(midi(&body).0, 0);
    }

    #[test]
    fn meta_lengths_by_type() {
        assert!(meta_length_ok(0x51, 3) && !meta_length_ok(0x51, 2));
        assert!(meta_length_ok(0x2F, 0) && !meta_length_ok(0x2F, 1));
        assert!(meta_length_ok(0x00, 0) && meta_length_ok(0x00, 2) && !meta_length_ok(0x00, 1));
        assert!(meta_length_ok(0x58, 4) && meta_length_ok(0x01, 100));
    }
}
