//! What can go wrong while reading a MIDI file, and where.
//!
//! Every error names what was wrong ([`ErrorKind`]), where (track index and
//! absolute byte offset in the file) and how bad it is ([`Severity`]): the
//! reader's default, lenient mode goes on after anything short of
//! [`Severity::Fatal`], the way real players do; strict mode stops at the
//! first problem.
//!
//! *Real-time*: plain `Copy` data.

use core::fmt;

/// How much of the file is lost by an error (midly's `Invalid`/`Malformed`
/// distinction, made finer so that a player can go on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Severity {
    /// One event was skipped; its track goes on.
    EventSkipped,
    /// The rest of one track is unreadable and skipped; what came before it
    /// was delivered and the other tracks go on.
    TrackEnded,
    /// Nothing more can be read from this file.
    Fatal,
}

/// What was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The byte source failed.
    Io(embedded_io::ErrorKind),
    /// The file is empty.
    Empty,
    /// The file starts neither with `MThd` nor with a RIFF `RMID` wrapper;
    /// these are its first four bytes.
    NotMidi([u8; 4]),
    /// A RIFF file whose form type is not `RMID` (these four bytes instead).
    RiffNotRmid([u8; 4]),
    /// A RIFF `RMID` file without a `data` chunk.
    RmidWithoutData,
    /// The `MThd` chunk is shorter than its 6 bytes.
    HeaderTooShort,
    /// SMF format other than 0, 1 or 2.
    UnsupportedFormat(u16),
    /// Division of 0 ticks per quarter note or 0 ticks per SMPTE frame.
    ZeroDivision,
    /// SMPTE division with a frame rate other than 24, 25, 29 (29.97) or 30.
    BadSmpteFps(u8),
    /// More `MTrk` chunks than the reader's `TRACKS` capacity.
    TooManyTracks {
        /// The reader's capacity.
        capacity: u16,
    },
    /// A chunk declares more bytes than the file holds (tolerated in lenient
    /// mode: the chunk is read up to the end of the file).
    ChunkPastEnd {
        /// Declared length.
        declared: u32,
        /// Bytes actually left in the file.
        available: u64,
    },
    /// Bytes after the last chunk that do not form a chunk.
    TrailingGarbage,
    /// A track has no end-of-track event (tolerated in lenient mode).
    MissingEndOfTrack,
    /// Bytes follow the end-of-track event inside its chunk (ignored in
    /// lenient mode).
    DataAfterEndOfTrack(u32),
    /// A meta event whose payload length is wrong for its type (tolerated
    /// in lenient mode: decoded as far as possible).
    MetaLength {
        /// Meta type byte.
        kind: u8,
        /// Payload length found.
        len: u32,
    },
    /// The header's track count differs from the `MTrk` chunks found
    /// (tolerated in lenient mode).
    TrackCountMismatch {
        /// Tracks declared in `MThd`.
        declared: u16,
        /// `MTrk` chunks found.
        found: u16,
    },
    /// The track ends in the middle of an event.
    TruncatedEvent,
    /// A variable-length quantity longer than 4 bytes.
    VlqTooLong,
    /// A data byte was expected but a status byte came (the message is cut).
    UnexpectedStatusByte(u8),
    /// A data byte with no running status to apply it to.
    MissingRunningStatus(u8),
    /// A system common or real-time status (0xF1–0xF6, 0xF8–0xFE), which a
    /// MIDI file cannot carry.
    SystemMessageInFile(u8),
    /// A sysex, escape or meta payload longer than the reader's `PAYLOAD`
    /// capacity: the event is skipped whole, never cut.
    PayloadTooLong {
        /// Declared payload length.
        len: u32,
        /// The reader's capacity.
        capacity: u32,
    },
}

/// An error with the place it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Error {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Track index (0-based, in file order), when the error is in a track.
    pub track: Option<u16>,
    /// Absolute byte offset in the file where the faulty item starts.
    pub offset: u64,
    /// How much is lost.
    pub severity: Severity,
}

/// An `Option<Error>` kept as a flag and an error, so that "no error" is
/// all zero bits (`Option<Error>`'s `None` is not: it uses a spare value of
/// `track`'s tag). Lets a `const` reader or sequencer in a `static` go to
/// `.bss` instead of costing its size in flash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct ErrorSlot {
    set: bool,
    error: Error,
}

impl ErrorSlot {
    /// No error (all zero bits: the placeholder is the first variant of
    /// each enum with every number 0).
    pub(crate) const NONE: Self = Self {
        set: false,
        error: Error {
            kind: ErrorKind::Io(embedded_io::ErrorKind::Other),
            track: None,
            offset: 0,
            severity: Severity::EventSkipped,
        },
    };

    /// The error, if one was kept.
    pub(crate) const fn get(&self) -> Option<Error> {
        if self.set { Some(self.error) } else { None }
    }

    /// Keeps `error`.
    pub(crate) fn put(&mut self, error: Error) {
        self.set = true;
        self.error = error;
    }

    /// Whether no error is kept.
    pub(crate) const fn is_none(&self) -> bool {
        !self.set
    }
}

impl Default for ErrorSlot {
    fn default() -> Self {
        Self::NONE
    }
}

impl Error {
    pub(crate) const fn fatal(kind: ErrorKind, offset: u64) -> Self {
        Self {
            kind,
            track: None,
            offset,
            severity: Severity::Fatal,
        }
    }

    /// Whether the reader can go on after this error.
    pub const fn is_fatal(&self) -> bool {
        matches!(self.severity, Severity::Fatal)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ErrorKind::Io(kind) => write!(f, "read error ({kind:?})"),
            ErrorKind::Empty => f.write_str("the file is empty"),
            ErrorKind::NotMidi(magic) => {
                f.write_str("not a MIDI file (it starts with ")?;
                write_magic(f, magic)?;
                f.write_str(" instead of \"MThd\")")
            }
            ErrorKind::RiffNotRmid(form) => {
                f.write_str("a RIFF file of type ")?;
                write_magic(f, form)?;
                f.write_str(", not a RIFF MIDI (RMID) file")
            }
            ErrorKind::RmidWithoutData => f.write_str("RIFF MIDI (RMID) file without a data chunk"),
            ErrorKind::HeaderTooShort => f.write_str("MIDI header (MThd) is shorter than 6 bytes"),
            ErrorKind::UnsupportedFormat(format) => {
                write!(
                    f,
                    "unsupported MIDI file format {format} (only 0, 1 and 2 exist)"
                )
            }
            ErrorKind::ZeroDivision => f.write_str("division (ticks per beat or per frame) is 0"),
            ErrorKind::BadSmpteFps(fps) => {
                write!(
                    f,
                    "SMPTE division with {fps} frames per second (24, 25, 29 or 30 expected)"
                )
            }
            ErrorKind::TooManyTracks { capacity } => {
                write!(f, "more than {capacity} tracks, the most this player reads")
            }
            ErrorKind::ChunkPastEnd {
                declared,
                available,
            } => write!(
                f,
                "chunk declares {declared} bytes but only {available} are left in the file (truncated?)"
            ),
            ErrorKind::TrailingGarbage => f.write_str("bytes after the last chunk are not a chunk"),
            ErrorKind::MissingEndOfTrack => f.write_str("track has no end-of-track event"),
            ErrorKind::DataAfterEndOfTrack(n) => {
                write!(f, "{n} bytes after the end-of-track event")
            }
            ErrorKind::MetaLength { kind, len } => {
                write!(
                    f,
                    "meta event 0x{kind:02X} has {len} data bytes, the wrong length for its type"
                )
            }
            ErrorKind::TrackCountMismatch { declared, found } => {
                let tracks = if declared == 1 { "track" } else { "tracks" };
                write!(
                    f,
                    "header declares {declared} {tracks} but the file has {found}"
                )
            }
            ErrorKind::TruncatedEvent => f.write_str("track ends in the middle of an event"),
            ErrorKind::VlqTooLong => f.write_str("variable-length number longer than 4 bytes"),
            ErrorKind::UnexpectedStatusByte(b) => {
                write!(f, "status byte 0x{b:02X} where a data byte was expected")
            }
            ErrorKind::MissingRunningStatus(b) => {
                write!(f, "data byte 0x{b:02X} with no running status")
            }
            ErrorKind::SystemMessageInFile(b) => {
                write!(f, "system message 0x{b:02X}, which MIDI files cannot carry")
            }
            ErrorKind::PayloadTooLong { len, capacity } => write!(
                f,
                "{len}-byte sysex/meta event is longer than the {capacity} bytes this player holds; skipped"
            ),
        }
    }
}

fn write_magic(f: &mut fmt::Formatter<'_>, magic: [u8; 4]) -> fmt::Result {
    f.write_str("\"")?;
    for b in magic {
        if b.is_ascii_graphic() || b == b' ' {
            write!(f, "{}", b as char)?;
        } else {
            write!(f, "\\x{b:02X}")?;
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.track {
            Some(track) => write!(f, "track {track}, byte {}: {}", self.offset, self.kind),
            None => write!(f, "byte {}: {}", self.offset, self.kind),
        }
    }
}

impl core::error::Error for Error {}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::EventSkipped => "event skipped",
            Severity::TrackEnded => "rest of track skipped",
            Severity::Fatal => "fatal",
        })
    }
}
