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
