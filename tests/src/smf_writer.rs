//! A byte-level Standard MIDI File writer for test fixtures.
//!
//! Unlike a well-behaved writer (such as `midly`'s), this one writes exactly
//! what it is told, so tests can produce the odd and broken files that exist
//! in the wild:
//!
//! - running status per track ([`RunningStatus`]) or per event
//!   ([`TrackWriter::midi_with_status`]), including running status carried
//!   *across* meta and sysex events, which the SMF 1.0 spec forbids but many
//!   real files use;
//! - any chunk length ([`ChunkLen`]): correct, off by some delta, or any
//!   exact value such as `0` or `0xFFFF_FFFF`;
//! - tracks without an end-of-track event (simply don't call
//!   [`TrackWriter::end_of_track`]), unknown chunks between tracks, raw
//!   garbage anywhere ([`SmfWriter::raw`]);
//! - any header values, including SMPTE divisions ([`Division`]) and
//!   header lengths other than 6;
//! - canonical and deliberately over-long variable-length quantities
//!   ([`write_vlq`], [`write_vlq_padded`], [`TrackWriter::pad_next_delta`]);
//! - sysex (`F0 <len> ...`) and escape (`F7 <len> ...`) events and every
//!   meta event type, plus unknown ones;
//! - RMID files: an SMF wrapped in a RIFF `RMID` form ([`rmid_wrap`]).
//!
//! Every function here is deterministic and std-only.

/// How a [`TrackWriter`] decides whether to omit a channel event's status byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunningStatus {
    /// Always write the status byte.
    Never,
    /// Omit the status byte when it equals the previous channel event's status
    /// and no meta or sysex event came in between (what the SMF spec allows
    /// and what `midly` can read).
    Compliant,
    /// Omit the status byte when it equals the previous channel event's
    /// status, even if meta, sysex or escape events came in between. The SMF
    /// spec says meta/sysex events cancel running status, but many real
    /// files rely on it surviving them. `midly` cannot read such tracks.
    AcrossMetaSysex,
}

/// The kinds of text meta events, `FF 01` to `FF 09`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// `FF 01`: free text.
    Text = 0x01,
    /// `FF 02`: copyright notice.
    Copyright = 0x02,
    /// `FF 03`: sequence or track name.
    TrackName = 0x03,
    /// `FF 04`: instrument name.
    InstrumentName = 0x04,
    /// `FF 05`: lyric.
    Lyric = 0x05,
    /// `FF 06`: marker.
    Marker = 0x06,
    /// `FF 07`: cue point.
    CuePoint = 0x07,
    /// `FF 08`: program name.
    ProgramName = 0x08,
    /// `FF 09`: device (port) name.
    DeviceName = 0x09,
}

impl TextKind {
    /// All nine text kinds, in meta type order.
    pub const ALL: [TextKind; 9] = [
        TextKind::Text,
        TextKind::Copyright,
        TextKind::TrackName,
        TextKind::InstrumentName,
        TextKind::Lyric,
        TextKind::Marker,
        TextKind::CuePoint,
        TextKind::ProgramName,
        TextKind::DeviceName,
    ];
}

/// The division (time base) field of the header chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Division {
    /// Ticks per quarter note (bit 15 clear; values above `0x7FFF` are
    /// written as given, which makes them read as SMPTE).
    Metrical(u16),
    /// SMPTE time code: `fps` is 24, 25, 29 (29.97 drop frame) or 30 and is
    /// written as the negative `i8` in the high byte; any other value is
    /// written the same way, for damaged headers.
    Smpte {
        /// Frames per second (positive; the writer negates it).
        fps: u8,
        /// Ticks per frame (low byte).
        ticks_per_frame: u8,
    },
    /// The raw 16-bit field.
    Raw(u16),
}

impl Division {
    /// The 16-bit big-endian value stored in the header.
    pub fn to_u16(self) -> u16 {
        match self {
            Division::Metrical(tpq) => tpq,
            Division::Smpte {
                fps,
                ticks_per_frame,
            } => {
                let hi = (fps as i8).wrapping_neg() as u8;
                u16::from_be_bytes([hi, ticks_per_frame])
            }
            Division::Raw(v) => v,
        }
    }
}

/// The length field written for a chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkLen {
    /// The true length of the chunk body.
    Correct,
    /// The true length plus this delta, wrapping modulo 2^32 (so `-1` on an
    /// empty body gives `0xFFFF_FFFF`).
    Delta(i64),
    /// Exactly this value, whatever the body length.
    Exact(u32),
}

impl ChunkLen {
    /// The value to write for a body of `actual` bytes.
    pub fn resolve(self, actual: usize) -> u32 {
        match self {
            ChunkLen::Correct => actual as u32,
            ChunkLen::Delta(d) => (actual as i64).wrapping_add(d) as u32,
            ChunkLen::Exact(v) => v,
        }
    }
}

/// Appends the canonical (shortest) variable-length quantity for `value`.
///
/// Values above `0x0FFF_FFFF` (the SMF maximum) are still written, in five
/// bytes, so tests can produce them.
pub fn write_vlq(out: &mut Vec<u8>, value: u32) {
    write_vlq_padded(out, value, 1);
}

/// Appends a variable-length quantity for `value` using at least `width`
/// bytes (1 to 5), padding with leading `0x80` bytes. A width above the
/// canonical one produces a valid-but-over-long VLQ (up to 4 bytes) or an
/// invalid 5-byte one, which many readers (including `midly`) reject or
/// misread.
pub fn write_vlq_padded(out: &mut Vec<u8>, value: u32, width: usize) {
    assert!((1..=5).contains(&width), "VLQ width must be 1..=5");
    let mut groups = [0u8; 5];
    let mut n = 0;
    let mut v = value;
    loop {
        groups[n] = (v & 0x7F) as u8;
        n += 1;
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    let n = n.max(width);
    for i in (0..n).rev() {
        let cont = if i == 0 { 0 } else { 0x80 };
        out.push(groups[i] | cont);
    }
}

/// The canonical VLQ bytes of `value`.
pub fn vlq(value: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(5);
    write_vlq(&mut v, value);
    v
}

/// Number of data bytes following a channel status byte.
pub fn channel_data_len(status: u8) -> usize {
    match status & 0xF0 {
        0xC0 | 0xD0 => 1,
        _ => 2,
    }
}

/// Builds the body of one `MTrk` chunk, event by event.
///
/// Every event method takes the delta time in ticks from the previous event.
/// The writer keeps the absolute tick ([`TrackWriter::tick`]) so callers can
/// place events at absolute positions with [`TrackWriter::delta_to`].
#[derive(Clone, Debug)]
pub struct TrackWriter {
    buf: Vec<u8>,
    mode: RunningStatus,
    /// Last channel status written or implied (what a reader that carries
    /// running status across meta/sysex would have).
    last_channel_status: Option<u8>,
    /// Whether a meta/sysex/escape event came after `last_channel_status`.
    interrupted: bool,
    tick: u64,
    events: usize,
    pad_next: Option<usize>,
}

impl Default for TrackWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl TrackWriter {
    /// An empty track that always writes status bytes.
    pub fn new() -> Self {
        Self::with_running_status(RunningStatus::Never)
    }

    /// An empty track using the given running-status policy.
    pub fn with_running_status(mode: RunningStatus) -> Self {
        TrackWriter {
            buf: Vec::new(),
            mode,
            last_channel_status: None,
            interrupted: false,
            tick: 0,
            events: 0,
            pad_next: None,
        }
    }

    /// Changes the running-status policy for the following events.
    pub fn set_running_status(&mut self, mode: RunningStatus) -> &mut Self {
        self.mode = mode;
        self
    }

    /// The absolute tick of the last event written.
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// Number of events written so far.
    pub fn event_count(&self) -> usize {
        self.events
    }

    /// The delta from the current tick to absolute tick `abs`
    /// (panics if `abs` is in the past or the delta exceeds 32 bits).
    pub fn delta_to(&self, abs: u64) -> u32 {
        assert!(abs >= self.tick, "delta_to: tick {abs} < {}", self.tick);
        u32::try_from(abs - self.tick).expect("delta exceeds u32")
    }

    /// Makes the next event's delta time use at least `width` VLQ bytes
    /// (see [`write_vlq_padded`]); `5` produces an invalid SMF.
    pub fn pad_next_delta(&mut self, width: usize) -> &mut Self {
        self.pad_next = Some(width);
        self
    }

    fn delta(&mut self, delta: u32) {
        let width = self.pad_next.take().unwrap_or(1);
        write_vlq_padded(&mut self.buf, delta, width);
        self.tick += u64::from(delta);
        self.events += 1;
    }

    /// A channel event (`status` in `0x80..=0xEF`, `data` its 1 or 2 data
    /// bytes), writing or omitting the status byte per the track's policy.
    pub fn midi(&mut self, delta: u32, status: u8, data: &[u8]) -> &mut Self {
        let omit = match self.mode {
            RunningStatus::Never => false,
            RunningStatus::Compliant => {
                self.last_channel_status == Some(status) && !self.interrupted
            }
            RunningStatus::AcrossMetaSysex => self.last_channel_status == Some(status),
        };
        self.midi_with_status(delta, status, data, !omit)
    }

    /// A channel event that writes its status byte if `write_status`, and
    /// relies on running status otherwise, whatever the track policy says.
    /// (With `write_status == false` the caller is responsible for the
    /// previous status being `status`.)
    pub fn midi_with_status(
        &mut self,
        delta: u32,
        status: u8,
        data: &[u8],
        write_status: bool,
    ) -> &mut Self {
        assert!((0x80..=0xEF).contains(&status), "not a channel status");
        self.delta(delta);
        if write_status {
            self.buf.push(status);
        }
        self.buf.extend_from_slice(data);
        self.last_channel_status = Some(status);
        self.interrupted = false;
        self
    }

    /// `8n key vel`.
    pub fn note_off(&mut self, delta: u32, ch: u8, key: u8, vel: u8) -> &mut Self {
        self.midi(delta, 0x80 | (ch & 15), &[key, vel])
    }

    /// `9n key vel` (a velocity of 0 is a note-off by convention).
    pub fn note_on(&mut self, delta: u32, ch: u8, key: u8, vel: u8) -> &mut Self {
        self.midi(delta, 0x90 | (ch & 15), &[key, vel])
    }

    /// `An key pressure`.
    pub fn aftertouch(&mut self, delta: u32, ch: u8, key: u8, pressure: u8) -> &mut Self {
        self.midi(delta, 0xA0 | (ch & 15), &[key, pressure])
    }

    /// `Bn controller value`.
    pub fn control(&mut self, delta: u32, ch: u8, controller: u8, value: u8) -> &mut Self {
        self.midi(delta, 0xB0 | (ch & 15), &[controller, value])
    }

    /// `Cn program`.
    pub fn program(&mut self, delta: u32, ch: u8, program: u8) -> &mut Self {
        self.midi(delta, 0xC0 | (ch & 15), &[program])
    }

    /// `Dn pressure`.
    pub fn channel_pressure(&mut self, delta: u32, ch: u8, pressure: u8) -> &mut Self {
        self.midi(delta, 0xD0 | (ch & 15), &[pressure])
    }

    /// `En lsb msb` with a 14-bit value (`0x2000` is centre).
    pub fn pitch_bend(&mut self, delta: u32, ch: u8, value: u16) -> &mut Self {
        let v = value & 0x3FFF;
        self.midi(delta, 0xE0 | (ch & 15), &[(v & 0x7F) as u8, (v >> 7) as u8])
    }

    /// A sysex event `F0 <len> data`; `data` is everything after `F0`,
    /// normally ending in `F7` (omit it for the first packet of a
    /// multi-packet message).
    pub fn sysex(&mut self, delta: u32, data: &[u8]) -> &mut Self {
        self.varlen_event(delta, &[0xF0], data)
    }

    /// An escape event `F7 <len> data` (a sysex continuation packet, or any
    /// bytes to send verbatim).
    pub fn escape(&mut self, delta: u32, data: &[u8]) -> &mut Self {
        self.varlen_event(delta, &[0xF7], data)
    }

    /// A meta event `FF type <len> data`.
    pub fn meta(&mut self, delta: u32, kind: u8, data: &[u8]) -> &mut Self {
        self.varlen_event(delta, &[0xFF, kind], data)
    }

    fn varlen_event(&mut self, delta: u32, prefix: &[u8], data: &[u8]) -> &mut Self {
        self.delta(delta);
        self.buf.extend_from_slice(prefix);
        write_vlq(
            &mut self.buf,
            u32::try_from(data.len()).expect("event too long"),
        );
        self.buf.extend_from_slice(data);
        self.interrupted = true;
        self
    }

    /// `FF 00 02 ss ss`: sequence number.
    pub fn sequence_number(&mut self, delta: u32, n: u16) -> &mut Self {
        self.meta(delta, 0x00, &n.to_be_bytes())
    }

    /// `FF 01..09 <len> text`.
    pub fn text(&mut self, delta: u32, kind: TextKind, text: &[u8]) -> &mut Self {
        self.meta(delta, kind as u8, text)
    }

    /// `FF 20 01 cc`: MIDI channel prefix.
    pub fn channel_prefix(&mut self, delta: u32, ch: u8) -> &mut Self {
        self.meta(delta, 0x20, &[ch])
    }

    /// `FF 21 01 pp`: MIDI port.
    pub fn port(&mut self, delta: u32, port: u8) -> &mut Self {
        self.meta(delta, 0x21, &[port])
    }

    /// `FF 2F 00`: end of track.
    pub fn end_of_track(&mut self, delta: u32) -> &mut Self {
        self.meta(delta, 0x2F, &[])
    }

    /// `FF 51 03 tt tt tt`: tempo in µs per quarter note (24 bits).
    pub fn tempo(&mut self, delta: u32, us_per_qn: u32) -> &mut Self {
        assert!(us_per_qn <= 0xFF_FFFF, "tempo exceeds 24 bits");
        self.meta(delta, 0x51, &us_per_qn.to_be_bytes()[1..])
    }

    /// `FF 54 05 hr mn se fr ff`: SMPTE offset. `hr` carries the frame-rate
    /// code in bits 5–6 (0 = 24, 1 = 25, 2 = 29.97 drop, 3 = 30 fps).
    pub fn smpte_offset(
        &mut self,
        delta: u32,
        hr: u8,
        mn: u8,
        se: u8,
        fr: u8,
        ff: u8,
    ) -> &mut Self {
        self.meta(delta, 0x54, &[hr, mn, se, fr, ff])
    }

    /// `FF 58 04 nn dd cc bb`: time signature (`dd` is the power of two of
    /// the denominator).
    pub fn time_signature(&mut self, delta: u32, nn: u8, dd: u8, cc: u8, bb: u8) -> &mut Self {
        self.meta(delta, 0x58, &[nn, dd, cc, bb])
    }

    /// `FF 59 02 sf mi`: key signature (`sf` sharps if positive, flats if
    /// negative; `minor`).
    pub fn key_signature(&mut self, delta: u32, sf: i8, minor: bool) -> &mut Self {
        self.meta(delta, 0x59, &[sf as u8, u8::from(minor)])
    }

    /// `FF 7F <len> data`: sequencer-specific.
    pub fn sequencer_specific(&mut self, delta: u32, data: &[u8]) -> &mut Self {
        self.meta(delta, 0x7F, data)
    }

    /// Appends raw bytes (no delta, no bookkeeping).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// The track body written so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The track body.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Builds a whole file chunk by chunk.
#[derive(Clone, Debug, Default)]
pub struct SmfWriter {
    out: Vec<u8>,
}

impl SmfWriter {
    /// An empty file.
    pub fn new() -> Self {
        SmfWriter { out: Vec::new() }
    }

    /// Appends a standard 6-byte `MThd` chunk.
    pub fn header(&mut self, format: u16, ntrks: u16, division: Division) -> &mut Self {
        self.header_with(format, ntrks, division, &[], ChunkLen::Correct)
    }

    /// Appends an `MThd` chunk with `extra` bytes after the six standard
    /// ones and the given length field.
    pub fn header_with(
        &mut self,
        format: u16,
        ntrks: u16,
        division: Division,
        extra: &[u8],
        len: ChunkLen,
    ) -> &mut Self {
        let mut body = Vec::with_capacity(6 + extra.len());
        body.extend_from_slice(&format.to_be_bytes());
        body.extend_from_slice(&ntrks.to_be_bytes());
        body.extend_from_slice(&division.to_u16().to_be_bytes());
        body.extend_from_slice(extra);
        self.chunk(*b"MThd", &body, len)
    }

    /// Appends an `MTrk` chunk with the correct length.
    pub fn track(&mut self, track: &TrackWriter) -> &mut Self {
        self.chunk(*b"MTrk", track.bytes(), ChunkLen::Correct)
    }

    /// Appends an `MTrk` chunk with the given length field.
    pub fn track_with_len(&mut self, track: &TrackWriter, len: ChunkLen) -> &mut Self {
        self.chunk(*b"MTrk", track.bytes(), len)
    }

    /// Appends any chunk: `id`, big-endian length field, `body`.
    pub fn chunk(&mut self, id: [u8; 4], body: &[u8], len: ChunkLen) -> &mut Self {
        self.out.extend_from_slice(&id);
        self.out
            .extend_from_slice(&len.resolve(body.len()).to_be_bytes());
        self.out.extend_from_slice(body);
        self
    }

    /// Appends raw bytes (garbage, partial chunks...).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.extend_from_slice(bytes);
        self
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> &[u8] {
        &self.out
    }

    /// The finished file.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// A whole well-formed SMF: `MThd` with `ntrks = tracks.len()` followed by
/// one `MTrk` per track.
pub fn smf(format: u16, division: Division, tracks: &[TrackWriter]) -> Vec<u8> {
    let mut w = SmfWriter::new();
    w.header(format, tracks.len() as u16, division);
    for t in tracks {
        w.track(t);
    }
    w.finish()
}

/// Appends one RIFF chunk (little-endian length, pad byte if odd).
fn riff_chunk(out: &mut Vec<u8>, id: &[u8; 4], body: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
}

/// Wraps an SMF into an RMID file:
/// `RIFF <size> RMID [LIST <size> INFO (<id> <size> <zstr>)*] data <size> <smf> [pad] [DISP <size> <type> <text>]`.
///
/// `info` entries (e.g. `(*b"INAM", b"Title")`) go into a `LIST`/`INFO`
/// chunk before `data` if non-empty; each value is written NUL-terminated.
/// `disp`, if given, becomes a `DISP` chunk of type 1 (`CF_TEXT`) after
/// `data`. All sizes are little-endian; odd chunks get a pad byte.
pub fn rmid_wrap(smf: &[u8], info: &[([u8; 4], &[u8])], disp: Option<&[u8]>) -> Vec<u8> {
    let mut form = Vec::new();
    form.extend_from_slice(b"RMID");
    if !info.is_empty() {
        let mut list = Vec::new();
        list.extend_from_slice(b"INFO");
        for (id, value) in info {
            let mut z = value.to_vec();
            z.push(0);
            riff_chunk(&mut list, id, &z);
        }
        riff_chunk(&mut form, b"LIST", &list);
    }
    riff_chunk(&mut form, b"data", smf);
    if let Some(text) = disp {
        let mut d = 1u32.to_le_bytes().to_vec();
        d.extend_from_slice(text);
        riff_chunk(&mut form, b"DISP", &d);
    }
    let mut out = Vec::with_capacity(form.len() + 8);
    riff_chunk(&mut out, b"RIFF", &form);
    out
}

/// Locations of the chunks of an SMF (after any RIFF wrapper is removed by
/// the caller): `(id, offset of the length field, declared length)`.
/// Stops at the first incomplete chunk header.
pub fn chunk_table(bytes: &[u8]) -> Vec<([u8; 4], usize, u32)> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 8 <= bytes.len() {
        let id: [u8; 4] = bytes[pos..pos + 4].try_into().unwrap();
        let len = u32::from_be_bytes(bytes[pos + 4..pos + 8].try_into().unwrap());
        out.push((id, pos + 4, len));
        pos = pos.saturating_add(8).saturating_add(len as usize);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vlq_canonical_and_padded() {
        assert_eq!(vlq(0), [0x00]);
        assert_eq!(vlq(0x7F), [0x7F]);
        assert_eq!(vlq(0x80), [0x81, 0x00]);
        assert_eq!(vlq(0x2000), [0xC0, 0x00]);
        assert_eq!(vlq(0x3FFF), [0xFF, 0x7F]);
        assert_eq!(vlq(0x4000), [0x81, 0x80, 0x00]);
        assert_eq!(vlq(0x0FFF_FFFF), [0xFF, 0xFF, 0xFF, 0x7F]);
        assert_eq!(vlq(0x1000_0000), [0x81, 0x80, 0x80, 0x80, 0x00]);
        let mut v = Vec::new();
        write_vlq_padded(&mut v, 5, 5);
        assert_eq!(v, [0x80, 0x80, 0x80, 0x80, 0x05]);
    }

    #[test]
    fn smpte_division_bytes() {
        for (fps, hi) in [(24u8, 0xE8u8), (25, 0xE7), (29, 0xE3), (30, 0xE2)] {
            let d = Division::Smpte {
                fps,
                ticks_per_frame: 40,
            };
            assert_eq!(d.to_u16().to_be_bytes(), [hi, 40]);
        }
    }

    #[test]
    fn running_status_modes() {
        let build = |mode| {
            let mut t = TrackWriter::with_running_status(mode);
            t.note_on(0, 0, 60, 100).note_on(0, 0, 64, 100);
            t.text(0, TextKind::Marker, b"m");
            t.note_on(0, 0, 67, 100);
            t.into_bytes()
        };
        assert_eq!(
            build(RunningStatus::Never),
            [
                0, 0x90, 60, 100, 0, 0x90, 64, 100, 0, 0xFF, 6, 1, b'm', 0, 0x90, 67, 100
            ]
        );
        assert_eq!(
            build(RunningStatus::Compliant),
            [
                0, 0x90, 60, 100, 0, 64, 100, 0, 0xFF, 6, 1, b'm', 0, 0x90, 67, 100
            ]
        );
        assert_eq!(
            build(RunningStatus::AcrossMetaSysex),
            [
                0, 0x90, 60, 100, 0, 64, 100, 0, 0xFF, 6, 1, b'm', 0, 67, 100
            ]
        );
    }

    #[test]
    fn chunk_lengths() {
        let mut w = SmfWriter::new();
        w.chunk(*b"JUNK", b"abc", ChunkLen::Correct)
            .chunk(*b"JUNK", b"abc", ChunkLen::Delta(-1))
            .chunk(*b"JUNK", b"", ChunkLen::Delta(-1))
            .chunk(*b"JUNK", b"abc", ChunkLen::Exact(0));
        let b = w.finish();
        assert_eq!(&b[4..8], &[0, 0, 0, 3]);
        assert_eq!(&b[15..19], &[0, 0, 0, 2]);
        assert_eq!(&b[26..30], &[0xFF; 4]);
        assert_eq!(&b[34..38], &[0, 0, 0, 0]);
    }

    #[test]
    fn rmid_layout() {
        let smf = [1u8, 2, 3];
        let r = rmid_wrap(&smf, &[], None);
        assert_eq!(&r[0..4], b"RIFF");
        assert_eq!(
            u32::from_le_bytes(r[4..8].try_into().unwrap()) as usize,
            r.len() - 8
        );
        assert_eq!(&r[8..12], b"RMID");
        assert_eq!(&r[12..16], b"data");
        assert_eq!(&r[16..20], &3u32.to_le_bytes());
        assert_eq!(&r[20..23], &smf);
        assert_eq!(r[23], 0, "pad byte");
        assert_eq!(r.len(), 24);
    }
}
