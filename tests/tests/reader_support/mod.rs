//! A small Standard MIDI File byte builder and a structured file generator
//! shared by the `reader_*` tests (local on purpose: these tests must not
//! depend on the fixture library).
//!
//! The generator keeps the file as a structure ([`GenFile`]) and computes the
//! merged event list a correct reader must yield from that structure alone
//! ([`GenFile::expected`]), never from smfplay's reader.

#![allow(dead_code)]

use midly::live::LiveEvent;
use midly::num::{u4, u7, u24};
use midly::{Fps, MetaMessage, SmpteTime, TrackEventKind};
use smfplay_core::smf::{ByteSource, Error, Reader, ReaderOptions};

/// Encodes a variable-length quantity (at most 28 bits).
pub fn vlq(mut v: u32) -> Vec<u8> {
    assert!(v < 1 << 28, "VLQ out of range");
    let mut out = vec![(v & 0x7F) as u8];
    v >>= 7;
    while v > 0 {
        out.push((v & 0x7F) as u8 | 0x80);
        v >>= 7;
    }
    out.reverse();
    out
}

/// A VLQ padded to exactly `width` bytes (leading 0x80s), which is legal.
pub fn vlq_padded(v: u32, width: usize) -> Vec<u8> {
    let mut out = vlq(v);
    while out.len() < width {
        out.insert(0, 0x80);
    }
    out
}

/// Builds one `MTrk` chunk's data, event by event.
#[derive(Clone, Debug, Default)]
pub struct Track(pub Vec<u8>);

impl Track {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn raw(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }
    pub fn delta(self, d: u32) -> Self {
        self.raw(&vlq(d))
    }
    /// A channel message with its status byte.
    pub fn midi(self, d: u32, status: u8, data: &[u8]) -> Self {
        self.delta(d).raw(&[status]).raw(data)
    }
    /// A channel message under running status (no status byte).
    pub fn running(self, d: u32, data: &[u8]) -> Self {
        self.delta(d).raw(data)
    }
    pub fn meta(self, d: u32, kind: u8, data: &[u8]) -> Self {
        self.delta(d)
            .raw(&[0xFF, kind])
            .raw(&vlq(data.len() as u32))
            .raw(data)
    }
    pub fn sysex(self, d: u32, data: &[u8]) -> Self {
        self.delta(d)
            .raw(&[0xF0])
            .raw(&vlq(data.len() as u32))
            .raw(data)
    }
    pub fn escape(self, d: u32, data: &[u8]) -> Self {
        self.delta(d)
            .raw(&[0xF7])
            .raw(&vlq(data.len() as u32))
            .raw(data)
    }
    pub fn eot(self, d: u32) -> Self {
        self.meta(d, 0x2F, &[])
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A chunk with a four-byte type.
pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// The `MThd` chunk.
pub fn mthd(format: u16, ntracks: u16, division: u16) -> Vec<u8> {
    let mut data = Vec::new();
    data.extend_from_slice(&format.to_be_bytes());
    data.extend_from_slice(&ntracks.to_be_bytes());
    data.extend_from_slice(&division.to_be_bytes());
    chunk(b"MThd", &data)
}

/// A whole SMF with the right track count in its header.
pub fn smf(format: u16, division: u16, tracks: &[Track]) -> Vec<u8> {
    let mut out = mthd(format, tracks.len() as u16, division);
    for t in tracks {
        out.extend(chunk(b"MTrk", t.bytes()));
    }
    out
}

/// Wraps an SMF in a RIFF `RMID` container.
pub fn rmid(smf: &[u8]) -> Vec<u8> {
    let mut data = b"data".to_vec();
    data.extend_from_slice(&(smf.len() as u32).to_le_bytes());
    data.extend_from_slice(smf);
    if smf.len() % 2 == 1 {
        data.push(0);
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((data.len() + 4) as u32).to_le_bytes());
    out.extend_from_slice(b"RMID");
    out.extend(data);
    out
}

// ---------------------------------------------------------------------------
// Driving the reader.

/// One item of a reader's output: an event rendered with `Debug` (every
/// field and payload byte), or an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Event(u64, u16, String),
    Error(Error),
}

impl Item {
    pub fn is_event(&self) -> bool {
        matches!(self, Item::Event(..))
    }
}

/// Everything one read produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// `Err` when `open` failed.
    pub opened: Result<u16, Error>,
    pub items: Vec<Item>,
    /// `next_event` calls, the final `Ok(None)` included.
    pub calls: usize,
}

impl Run {
    pub fn events(&self) -> Vec<&Item> {
        self.items.iter().filter(|i| i.is_event()).collect()
    }
    pub fn errors(&self) -> Vec<Error> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Error(e) => Some(*e),
                Item::Event(..) => None,
            })
            .collect()
    }
    pub fn event_count(&self) -> usize {
        self.items.iter().filter(|i| i.is_event()).count()
    }
}

/// Reads everything a reader yields; panics after `limit` calls (a hang).
pub fn drain<S: ByteSource, const T: usize, const W: usize, const P: usize>(
    reader: &mut Reader<S, T, W, P>,
    limit: usize,
) -> (Vec<Item>, usize) {
    let mut items = Vec::new();
    let mut calls = 0;
    loop {
        calls += 1;
        assert!(calls <= limit, "reader still going after {limit} calls");
        match reader.next_event() {
            Ok(Some(ev)) => items.push(Item::Event(ev.tick, ev.track, format!("{:?}", ev.kind))),
            Ok(None) => break,
            Err(e) => items.push(Item::Error(e)),
        }
    }
    (items, calls)
}

/// Opens and drains.
pub fn run<S: ByteSource, const T: usize, const W: usize, const P: usize>(
    src: S,
    options: ReaderOptions,
    limit: usize,
) -> Run {
    match Reader::<S, T, W, P>::open(src, options) {
        Ok(mut r) => {
            let tracks = r.header().tracks;
            let (items, calls) = drain(&mut r, limit);
            Run {
                opened: Ok(tracks),
                items,
                calls,
            }
        }
        Err(e) => Run {
            opened: Err(e),
            items: Vec::new(),
            calls: 0,
        },
    }
}

// ---------------------------------------------------------------------------
// Structured generator and its expected output.

/// A meta event the generator can write, with the value it must decode to.
#[derive(Clone, Debug)]
pub enum GenMeta {
    SequenceNumber(Option<u16>),
    /// Types 0x01..=0x09 and 0x7F (sequencer specific): free bytes.
    Text(u8, Vec<u8>),
    MidiChannel(u8),
    MidiPort(u8),
    Tempo(u32),
    /// hour, minute, second, frame, subframe, fps code (0..=3).
    Smpte(u8, u8, u8, u8, u8, u8),
    TimeSignature(u8, u8, u8, u8),
    KeySignature(i8, bool),
    /// A type with no meaning in the spec (never 0x2F).
    Unknown(u8, Vec<u8>),
}

impl GenMeta {
    pub fn encode(&self) -> (u8, Vec<u8>) {
        match self {
            GenMeta::SequenceNumber(None) => (0x00, vec![]),
            GenMeta::SequenceNumber(Some(n)) => (0x00, n.to_be_bytes().to_vec()),
            GenMeta::Text(k, d) => (*k, d.clone()),
            GenMeta::MidiChannel(c) => (0x20, vec![*c]),
            GenMeta::MidiPort(p) => (0x21, vec![*p]),
            GenMeta::Tempo(t) => (0x51, t.to_be_bytes()[1..].to_vec()),
            GenMeta::Smpte(h, m, s, f, sf, fps) => (0x54, vec![(fps << 5) | h, *m, *s, *f, *sf]),
            GenMeta::TimeSignature(a, b, c, d) => (0x58, vec![*a, *b, *c, *d]),
            GenMeta::KeySignature(sf, minor) => (0x59, vec![*sf as u8, u8::from(*minor)]),
            GenMeta::Unknown(k, d) => (*k, d.clone()),
        }
    }

    pub fn expected(&self) -> MetaMessage<'_> {
        match self {
            GenMeta::SequenceNumber(n) => MetaMessage::TrackNumber(*n),
            GenMeta::Text(k, d) => {
                let d = d.as_slice();
                match k {
                    0x01 => MetaMessage::Text(d),
                    0x02 => MetaMessage::Copyright(d),
                    0x03 => MetaMessage::TrackName(d),
                    0x04 => MetaMessage::InstrumentName(d),
                    0x05 => MetaMessage::Lyric(d),
                    0x06 => MetaMessage::Marker(d),
                    0x07 => MetaMessage::CuePoint(d),
                    0x08 => MetaMessage::ProgramName(d),
                    0x09 => MetaMessage::DeviceName(d),
                    0x7F => MetaMessage::SequencerSpecific(d),
                    _ => unreachable!("text kind {k:#x}"),
                }
            }
            GenMeta::MidiChannel(c) => MetaMessage::MidiChannel(u4::new(*c)),
            GenMeta::MidiPort(p) => MetaMessage::MidiPort(u7::new(*p)),
            GenMeta::Tempo(t) => MetaMessage::Tempo(u24::new(*t)),
            GenMeta::Smpte(h, m, s, f, sf, fps) => {
                let fps = [Fps::Fps24, Fps::Fps25, Fps::Fps29, Fps::Fps30][usize::from(*fps)];
                MetaMessage::SmpteOffset(SmpteTime::new(*h, *m, *s, *f, *sf, fps).expect("valid"))
            }
            GenMeta::TimeSignature(a, b, c, d) => MetaMessage::TimeSignature(*a, *b, *c, *d),
            GenMeta::KeySignature(sf, minor) => MetaMessage::KeySignature(*sf, *minor),
            GenMeta::Unknown(k, d) => MetaMessage::Unknown(*k, d),
        }
    }
}

#[derive(Clone, Debug)]
pub enum GenKind {
    /// Status 0x80..=0xEF and its data bytes (the second is ignored for
    /// 0xC_/0xD_).
    Midi(u8, u8, u8),
    SysEx(Vec<u8>),
    Escape(Vec<u8>),
    Meta(GenMeta),
}

impl GenKind {
    /// Payload length of sysex, escape and meta events.
    pub fn payload_len(&self) -> Option<usize> {
        match self {
            GenKind::Midi(..) => None,
            GenKind::SysEx(d) | GenKind::Escape(d) => Some(d.len()),
            GenKind::Meta(m) => Some(m.encode().1.len()),
        }
    }

    pub fn expected(&self) -> TrackEventKind<'_> {
        match self {
            GenKind::Midi(status, d0, d1) => {
                // midly's own decoder of wire bytes, not the reader's.
                let bytes = [*status, *d0, *d1];
                let len = if matches!(status >> 4, 0xC | 0xD) {
                    2
                } else {
                    3
                };
                match LiveEvent::parse(&bytes[..len]) {
                    Ok(LiveEvent::Midi { channel, message }) => {
                        TrackEventKind::Midi { channel, message }
                    }
                    other => panic!("not a channel message: {other:?}"),
                }
            }
            GenKind::SysEx(d) => TrackEventKind::SysEx(d),
            GenKind::Escape(d) => TrackEventKind::Escape(d),
            GenKind::Meta(m) => TrackEventKind::Meta(m.expected()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct GenEvent {
    pub delta: u32,
    pub kind: GenKind,
    /// Omit the status byte when running status allows it.
    pub running: bool,
    /// Write the delta with this many bytes (≥ its minimal width).
    pub delta_width: usize,
}

#[derive(Clone, Debug)]
pub struct GenTrack {
    pub events: Vec<GenEvent>,
    pub eot_delta: u32,
}

impl GenTrack {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut status_in_effect: Option<u8> = None;
        for ev in &self.events {
            let width = ev.delta_width.max(vlq(ev.delta).len()).min(4);
            out.extend(vlq_padded(ev.delta, width));
            match &ev.kind {
                GenKind::Midi(status, d0, d1) => {
                    if !(ev.running && status_in_effect == Some(*status)) {
                        out.push(*status);
                    }
                    // The reader keeps running status across meta and
                    // sysex events, so only channel messages change it.
                    status_in_effect = Some(*status);
                    out.push(*d0);
                    if !matches!(status >> 4, 0xC | 0xD) {
                        out.push(*d1);
                    }
                }
                GenKind::SysEx(d) | GenKind::Escape(d) => {
                    out.push(if matches!(ev.kind, GenKind::SysEx(_)) {
                        0xF0
                    } else {
                        0xF7
                    });
                    out.extend(vlq(d.len() as u32));
                    out.extend_from_slice(d);
                }
                GenKind::Meta(m) => {
                    let (kind, data) = m.encode();
                    out.extend([0xFF, kind]);
                    out.extend(vlq(data.len() as u32));
                    out.extend(data);
                }
            }
        }
        out.extend(vlq(self.eot_delta));
        out.extend([0xFF, 0x2F, 0x00]);
        out
    }
}

#[derive(Clone, Debug)]
pub struct GenFile {
    /// 0, 1 or 2 (format 0 has exactly one track).
    pub format: u16,
    pub division: u16,
    pub tracks: Vec<GenTrack>,
    /// Put an unknown chunk (which readers must skip) before each track.
    pub unknown_chunks: bool,
    pub rmid: bool,
}

/// What a correct reader yields for one generated event: the event, or
/// (when its payload is longer than the reader's capacity) a skip error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    Event(u64, u16, String),
    /// Track, declared payload length.
    TooLong(u16, u32),
}

impl GenFile {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = mthd(self.format, self.tracks.len() as u16, self.division);
        for (i, t) in self.tracks.iter().enumerate() {
            if self.unknown_chunks {
                out.extend(chunk(b"XUNK", &vec![i as u8; i % 5]));
            }
            out.extend(chunk(b"MTrk", &t.encode()));
        }
        if self.rmid { rmid(&out) } else { out }
    }

    /// The merged stream: by (tick, track, file order) for formats 0 and 1;
    /// track after track for format 2, each starting at the tick where the
    /// previous one's end-of-track event lies. Payloads longer than
    /// `payload_capacity` become [`Expected::TooLong`].
    pub fn expected(&self, payload_capacity: usize) -> Vec<Expected> {
        let eot = GenKind::Meta(GenMeta::Unknown(0x2F, vec![]));
        let mut all: Vec<(u64, u16, usize, Expected)> = Vec::new();
        let mut base = 0u64;
        for (t, track) in self.tracks.iter().enumerate() {
            let mut tick = if self.format == 2 { base } else { 0 };
            let events = track
                .events
                .iter()
                .map(|e| (e.delta, &e.kind))
                .chain(std::iter::once((track.eot_delta, &eot)));
            for (i, (delta, kind)) in events.enumerate() {
                tick += u64::from(delta);
                let item = match kind.payload_len() {
                    Some(len) if len > payload_capacity => Expected::TooLong(t as u16, len as u32),
                    _ => {
                        let rendered = match kind {
                            GenKind::Meta(GenMeta::Unknown(0x2F, _)) => {
                                format!("{:?}", TrackEventKind::Meta(MetaMessage::EndOfTrack))
                            }
                            k => format!("{:?}", k.expected()),
                        };
                        Expected::Event(tick, t as u16, rendered)
                    }
                };
                all.push((tick, t as u16, i, item));
            }
            base = tick;
        }
        if self.format != 2 {
            all.sort_by_key(|&(tick, t, i, _)| (tick, t, i));
        }
        all.into_iter().map(|(.., e)| e).collect()
    }
}

/// A reader's items in the vocabulary of [`Expected`] (errors other than
/// `PayloadTooLong` are kept as `Err` so a comparison shows them).
pub fn as_expected(items: &[Item]) -> Vec<Result<Expected, Error>> {
    items
        .iter()
        .map(|i| match i {
            Item::Event(tick, t, s) => Ok(Expected::Event(*tick, *t, s.clone())),
            Item::Error(e) => match e.kind {
                smfplay_core::smf::ErrorKind::PayloadTooLong { len, .. }
                    if e.track.is_some()
                        && e.severity == smfplay_core::smf::Severity::EventSkipped =>
                {
                    Ok(Expected::TooLong(e.track.unwrap_or(0), len))
                }
                _ => Err(*e),
            },
        })
        .collect()
}

/// Default metrical division.
pub const DIVISION: u16 = 96;
