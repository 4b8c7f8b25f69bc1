//! RIFF/WAVE writer over `embedded_io::Write`, without allocation.
//!
//! [`WavWriter`] writes 16-bit integer PCM or 32-bit IEEE float, any rate and
//! channel count (`WAVE_FORMAT_EXTENSIBLE` beyond two). The sizes come first
//! in the file, so [`WavWriter::new`] writes placeholders that
//! [`finish_seekable`](WavWriter::finish_seekable) patches, and
//! [`WavWriter::new_with_length`] writes the final sizes up front for an
//! output that cannot seek (a pipe). A write that would pass the format's
//! 4 GiB limit is refused ([`WavError::TooLarge`]), never wrapped. Header
//! layouts and what readers make of unpatched sizes: `docs/wav-format.md` in
//! the repository.
//!
//! # Example
//!
//! ```
//! use smfplay_core::wav::{SampleFormat, WavSpec, WavWriter};
//!
//! let mut file = [0_u8; 64];
//! let spec = WavSpec::new(2, 48_000, SampleFormat::I16);
//! let mut wav = WavWriter::new_with_length(&mut file[..], spec, 2)?;
//! wav.write_frames_i16(&[1, -1, 2, -2])?;
//! let (_rest, data_bytes) = wav.finish()?;
//! assert_eq!(data_bytes, 8);
//! assert_eq!(&file[..4], b"RIFF");
//! assert_eq!(&file[4..8], &(36_u32 + 8).to_le_bytes());
//! # Ok::<(), smfplay_core::wav::WavError<embedded_io::SliceWriteError>>(())
//! ```
//!
//! # Real-time
//!
//! No allocation; each write converts through a 512-byte stack buffer and
//! issues one `write_all` per 512 bytes. Whether that blocks depends on `W`
//! (rendering to a file belongs off the audio thread).
//!
//! # Errors
//!
//! [`WavError`]: invalid spec, wrong sample type, partial frames, the 4 GiB
//! limit, a declared length not met, or the writer's own error. After an
//! [`Io`](WavError::Io) error the output's contents are unspecified (part of
//! a write may have landed).
//!
//! # Panics
//!
//! Never.

use embedded_io::{Seek, SeekFrom, Write};

/// Sample encoding of a WAV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SampleFormat {
    /// 16-bit signed integer PCM (format tag 1).
    I16,
    /// 32-bit IEEE float (format tag 3), nominal range `[-1.0, 1.0]`.
    F32,
}

impl SampleFormat {
    /// Bytes per sample (2 or 4).
    #[must_use]
    pub const fn bytes(self) -> u16 {
        match self {
            Self::I16 => 2,
            Self::F32 => 4,
        }
    }

    /// WAVE format tag / sub-format code.
    const fn tag(self) -> u16 {
        match self {
            Self::I16 => 1,
            Self::F32 => 3,
        }
    }
}

/// Channel count, sample rate and sample format of a WAV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WavSpec {
    /// Interleaved channels per frame (1 or more).
    pub channels: u16,
    /// Frames per second (1 or more).
    pub sample_rate: u32,
    /// Sample encoding.
    pub format: SampleFormat,
}

impl WavSpec {
    /// A spec; validated when a writer is created.
    #[must_use]
    pub const fn new(channels: u16, sample_rate: u32, format: SampleFormat) -> Self {
        Self {
            channels,
            sample_rate,
            format,
        }
    }

    /// Bytes per frame, or `None` if it overflows the 16-bit `block_align`.
    #[must_use]
    pub const fn block_align(&self) -> Option<u16> {
        self.channels.checked_mul(self.format.bytes())
    }
}

/// Error of [`WavWriter`]; `E` is the underlying writer's error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WavError<E> {
    /// The writer (or seeker) failed.
    Io(E),
    /// Zero channels, zero sample rate, or a byte rate / block size that
    /// overflows its header field.
    InvalidSpec,
    /// The data would push the RIFF size past `u32::MAX` (4 GiB); nothing of
    /// the refused write was written.
    TooLarge,
    /// `write_frames_i16` on an `F32` file or `write_frames_f32` on an `I16`
    /// file.
    FormatMismatch,
    /// The sample count is not a multiple of the channel count.
    PartialFrame,
    /// More frames than declared to `new_with_length` (refused, nothing
    /// written), or fewer at `finish`.
    LengthMismatch {
        /// Frames declared up front.
        declared: u32,
        /// Frames written (or that would have been).
        written: u64,
    },
    /// `finish_seekable` found the stream position before the header it
    /// wrote (the writer was moved behind our back).
    SeekMismatch,
}

impl<E: core::fmt::Debug> core::fmt::Display for WavError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "WAV output failed: {e:?}"),
            Self::InvalidSpec => f.write_str("invalid WAV spec (channels, rate or block size)"),
            Self::TooLarge => f.write_str("WAV data would exceed the 4 GiB RIFF limit"),
            Self::FormatMismatch => f.write_str("sample type does not match the WAV format"),
            Self::PartialFrame => f.write_str("sample count is not a whole number of frames"),
            Self::LengthMismatch { declared, written } => write!(
                f,
                "WAV header declares {declared} frames but {written} were written"
            ),
            Self::SeekMismatch => f.write_str("WAV stream position is before its header"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for WavError<E> {}

/// Largest header we write (float, extensible).
const MAX_HEADER: usize = 80;
/// Size placeholder for unknown lengths.
const UNKNOWN: u32 = 0xFFFF_FFFF;
/// Stack buffer for sample conversion.
const BUF: usize = 512;

/// Byte offsets of the patchable fields in a header.
#[derive(Clone, Copy, Debug)]
struct Layout {
    header_len: u32,
    /// Offset of the `fact` sample count, if there is a `fact` chunk.
    fact_at: Option<u32>,
    /// Offset of the `data` chunk size.
    data_size_at: u32,
    block_align: u16,
}

impl Layout {
    /// Largest data size that keeps the RIFF size within `u32`, rounded down
    /// to whole frames.
    fn max_data(&self) -> u32 {
        let max = u32::MAX - (self.header_len - 8);
        max - max % u32::from(self.block_align)
    }
}

/// Little-endian header assembler.
struct Header {
    bytes: [u8; MAX_HEADER],
    len: usize,
}

impl Header {
    fn put(&mut self, b: &[u8]) {
        for &x in b {
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = x;
            }
            self.len += 1;
        }
    }
    fn u16(&mut self, v: u16) {
        self.put(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
}

/// Builds the header for `spec` with sizes for `frames` (or placeholders).
fn build_header<E>(spec: &WavSpec, frames: Option<u32>) -> Result<(Header, Layout), WavError<E>> {
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(WavError::InvalidSpec);
    }
    let block_align = spec.block_align().ok_or(WavError::InvalidSpec)?;
    let byte_rate = spec
        .sample_rate
        .checked_mul(u32::from(block_align))
        .ok_or(WavError::InvalidSpec)?;
    let extensible = spec.channels > 2;
    let float = spec.format == SampleFormat::F32;
    let fmt_len: u32 = match (extensible, float) {
        (false, false) => 16,
        (false, true) => 18,
        (true, _) => 40,
    };
    let header_len = 12 + 8 + fmt_len + if float { 12 } else { 0 } + 8;
    let layout = Layout {
        header_len,
        fact_at: float.then_some(12 + 8 + fmt_len + 8),
        data_size_at: header_len - 4,
        block_align,
    };
    let data_bytes = match frames {
        Some(n) => {
            let bytes = u64::from(n) * u64::from(block_align);
            if bytes > u64::from(layout.max_data()) {
                return Err(WavError::TooLarge);
            }
            Some(bytes as u32)
        }
        None => None,
    };
    let riff_size = data_bytes.map_or(UNKNOWN, |d| header_len - 8 + d);
    let bits = spec.format.bytes() * 8;

    let mut h = Header {
        bytes: [0; MAX_HEADER],
        len: 0,
    };
    h.put(b"RIFF");
    h.u32(riff_size);
    h.put(b"WAVE");
    h.put(b"fmt ");
    h.u32(fmt_len);
    h.u16(if extensible {
        0xFFFE
    } else {
        spec.format.tag()
    });
    h.u16(spec.channels);
    h.u32(spec.sample_rate);
    h.u32(byte_rate);
    h.u16(block_align);
    h.u16(bits);
    if fmt_len >= 18 {
        h.u16((fmt_len - 18) as u16); // cbSize: 0 or 22
    }
    if extensible {
        h.u16(bits); // wValidBitsPerSample
        h.u32(0); // dwChannelMask: no speaker assignment
        h.u16(spec.format.tag()); // sub-format GUID {0000000X-0000-0010-8000-00AA00389B71}
        h.put(&[
            0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
        ]);
    }
    if float {
        h.put(b"fact");
        h.u32(4);
        h.u32(frames.unwrap_or(UNKNOWN));
    }
    h.put(b"data");
    h.u32(data_bytes.unwrap_or(UNKNOWN));
    Ok((h, layout))
}

/// Streaming WAV writer; see the [module documentation](self).
#[derive(Debug)]
pub struct WavWriter<W> {
    writer: W,
    spec: WavSpec,
    layout: Layout,
    data_bytes: u32,
    declared_frames: Option<u32>,
}

impl<W: Write> WavWriter<W> {
    /// Writes a header with `0xFFFF_FFFF` size placeholders (patched by
    /// [`finish_seekable`](Self::finish_seekable)).
    ///
    /// # Errors
    ///
    /// [`WavError::InvalidSpec`], or [`WavError::Io`] if the header write
    /// fails.
    pub fn new(writer: W, spec: WavSpec) -> Result<Self, WavError<W::Error>> {
        Self::start(writer, spec, None)
    }

    /// Writes a header with the final sizes for exactly `frames` frames, for
    /// outputs that cannot seek back (pipes, stdout).
    ///
    /// # Errors
    ///
    /// [`WavError::TooLarge`] if `frames` does not fit the 4 GiB limit,
    /// [`WavError::InvalidSpec`], or [`WavError::Io`].
    pub fn new_with_length(
        writer: W,
        spec: WavSpec,
        frames: u64,
    ) -> Result<Self, WavError<W::Error>> {
        let frames = u32::try_from(frames).map_err(|_| WavError::TooLarge)?;
        Self::start(writer, spec, Some(frames))
    }

    fn start(
        mut writer: W,
        spec: WavSpec,
        frames: Option<u32>,
    ) -> Result<Self, WavError<W::Error>> {
        let (header, layout) = build_header(&spec, frames)?;
        let bytes = header.bytes.get(..header.len).unwrap_or(&header.bytes);
        writer.write_all(bytes).map_err(WavError::Io)?;
        Ok(Self {
            writer,
            spec,
            layout,
            data_bytes: 0,
            declared_frames: frames,
        })
    }

    /// The spec this file was started with.
    #[must_use]
    pub const fn spec(&self) -> &WavSpec {
        &self.spec
    }

    /// Header size in bytes (44, 58, 68 or 80).
    #[must_use]
    pub const fn header_len(&self) -> u32 {
        self.layout.header_len
    }

    /// Bytes of sample data written so far.
    #[must_use]
    pub const fn data_bytes(&self) -> u32 {
        self.data_bytes
    }

    /// Frames written so far.
    #[must_use]
    pub const fn frames_written(&self) -> u32 {
        self.data_bytes / self.layout.block_align as u32
    }

    /// Appends interleaved 16-bit frames (`samples.len()` must be a multiple
    /// of the channel count).
    ///
    /// # Errors
    ///
    /// [`WavError::FormatMismatch`] unless the format is `I16`;
    /// [`WavError::PartialFrame`], [`WavError::TooLarge`] and
    /// [`WavError::LengthMismatch`] before anything is written;
    /// [`WavError::Io`].
    pub fn write_frames_i16(&mut self, samples: &[i16]) -> Result<(), WavError<W::Error>> {
        if self.spec.format != SampleFormat::I16 {
            return Err(WavError::FormatMismatch);
        }
        self.write_le(samples, i16::to_le_bytes)
    }

    /// Appends interleaved 32-bit float frames (`samples.len()` must be a
    /// multiple of the channel count).
    ///
    /// # Errors
    ///
    /// As [`write_frames_i16`](Self::write_frames_i16), with `F32`.
    pub fn write_frames_f32(&mut self, samples: &[f32]) -> Result<(), WavError<W::Error>> {
        if self.spec.format != SampleFormat::F32 {
            return Err(WavError::FormatMismatch);
        }
        self.write_le(samples, f32::to_le_bytes)
    }

    fn write_le<T: Copy, const S: usize>(
        &mut self,
        samples: &[T],
        to_le: impl Fn(T) -> [u8; S],
    ) -> Result<(), WavError<W::Error>> {
        if !samples
            .len()
            .is_multiple_of(usize::from(self.spec.channels))
        {
            return Err(WavError::PartialFrame);
        }
        let bytes = samples.len() as u64 * S as u64;
        let total = u64::from(self.data_bytes) + bytes;
        if let Some(declared) = self.declared_frames {
            let written = total / u64::from(self.layout.block_align);
            if written > u64::from(declared) {
                return Err(WavError::LengthMismatch { declared, written });
            }
        }
        if total > u64::from(self.layout.max_data()) {
            return Err(WavError::TooLarge);
        }
        let mut buf = [0_u8; BUF];
        for chunk in samples.chunks(BUF / S) {
            let mut n = 0;
            for (dst, &s) in buf.as_chunks_mut::<S>().0.iter_mut().zip(chunk) {
                *dst = to_le(s);
                n += S;
            }
            // n = chunk.len() * S ≤ BUF by construction of the chunks.
            let bytes = buf.get(..n).unwrap_or(&buf);
            self.writer.write_all(bytes).map_err(WavError::Io)?;
            self.data_bytes += n as u32;
        }
        Ok(())
    }

    /// Flushes and returns the writer and the data byte count, leaving the
    /// header as written by `new` (placeholders) or `new_with_length`.
    ///
    /// # Errors
    ///
    /// [`WavError::LengthMismatch`] if `new_with_length` declared more frames
    /// than were written (the writer is dropped; use
    /// [`into_inner`](Self::into_inner) to keep it), or [`WavError::Io`].
    pub fn finish(mut self) -> Result<(W, u32), WavError<W::Error>> {
        if let Some(declared) = self.declared_frames
            && declared != self.frames_written()
        {
            return Err(WavError::LengthMismatch {
                declared,
                written: u64::from(self.frames_written()),
            });
        }
        self.writer.flush().map_err(WavError::Io)?;
        Ok((self.writer, self.data_bytes))
    }

    /// Returns the writer without flushing or checking anything.
    #[must_use]
    pub fn into_inner(self) -> W {
        self.writer
    }
}

impl<W: Write + Seek> WavWriter<W> {
    /// Patches the RIFF, `fact` and `data` sizes with what was actually
    /// written (overriding any length declared to `new_with_length`), seeks
    /// back to the end of the data, flushes, and returns the writer and the
    /// data byte count. The header may start anywhere in the stream: its
    /// position is derived from the current one.
    ///
    /// # Errors
    ///
    /// [`WavError::SeekMismatch`] if the stream is positioned before the end
    /// of what we wrote; [`WavError::Io`].
    pub fn finish_seekable(mut self) -> Result<(W, u32), WavError<W::Error>> {
        let end = self.writer.stream_position().map_err(WavError::Io)?;
        let written = u64::from(self.layout.header_len) + u64::from(self.data_bytes);
        let start = end.checked_sub(written).ok_or(WavError::SeekMismatch)?;
        let riff_size = self.layout.header_len - 8 + self.data_bytes;
        let frames = self.frames_written();
        let mut patch = |at: u32, value: u32| -> Result<(), WavError<W::Error>> {
            self.writer
                .seek(SeekFrom::Start(start + u64::from(at)))
                .map_err(WavError::Io)?;
            self.writer
                .write_all(&value.to_le_bytes())
                .map_err(WavError::Io)
        };
        patch(4, riff_size)?;
        if let Some(at) = self.layout.fact_at {
            patch(at, frames)?;
        }
        patch(self.layout.data_size_at, self.data_bytes)?;
        self.writer
            .seek(SeekFrom::Start(end))
            .map_err(WavError::Io)?;
        self.writer.flush().map_err(WavError::Io)?;
        Ok((self.writer, self.data_bytes))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use embedded_io::{ErrorType, SliceWriteError};
    use std::vec::Vec;

    /// What our tiny test parser extracts from a WAV file.
    #[derive(Debug, Default, PartialEq)]
    struct Parsed {
        riff_size: u32,
        format_tag: u16,
        channels: u16,
        sample_rate: u32,
        byte_rate: u32,
        block_align: u16,
        bits: u16,
        cb_size: Option<u16>,
        valid_bits: Option<u16>,
        sub_format: Option<[u8; 16]>,
        fact_frames: Option<u32>,
        data_offset: usize,
        data_size: u32,
    }

    fn le16(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }
    fn le32(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// Walks the RIFF chunk list independently of the writer's layout code.
    fn parse(b: &[u8]) -> Parsed {
        assert_eq!(&b[0..4], b"RIFF");
        assert_eq!(&b[8..12], b"WAVE");
        let mut p = Parsed {
            riff_size: le32(b, 4),
            ..Parsed::default()
        };
        let mut at = 12;
        loop {
            let id = &b[at..at + 4];
            let size = le32(b, at + 4);
            let body = at + 8;
            match id {
                b"fmt " => {
                    p.format_tag = le16(b, body);
                    p.channels = le16(b, body + 2);
                    p.sample_rate = le32(b, body + 4);
                    p.byte_rate = le32(b, body + 8);
                    p.block_align = le16(b, body + 12);
                    p.bits = le16(b, body + 14);
                    if size >= 18 {
                        p.cb_size = Some(le16(b, body + 16));
                    }
                    if size >= 40 {
                        p.valid_bits = Some(le16(b, body + 18));
                        assert_eq!(le32(b, body + 20), 0, "channel mask");
                        p.sub_format = Some(b[body + 24..body + 40].try_into().unwrap());
                    }
                }
                b"fact" => {
                    assert_eq!(size, 4);
                    p.fact_frames = Some(le32(b, body));
                }
                b"data" => {
                    p.data_offset = body;
                    p.data_size = size;
                    return p;
                }
                other => panic!("unexpected chunk {other:?}"),
            }
            at = body + size as usize + (size as usize & 1);
        }
    }

    /// Fixed-capacity seekable byte sink.
    struct Cursor {
        buf: Vec<u8>,
        pos: usize,
    }
    impl ErrorType for Cursor {
        type Error = SliceWriteError;
    }
    impl Write for Cursor {
        fn write(&mut self, b: &[u8]) -> Result<usize, Self::Error> {
            let end = self.pos + b.len();
            if end > self.buf.len() {
                self.buf.resize(end, 0);
            }
            self.buf[self.pos..end].copy_from_slice(b);
            self.pos = end;
            Ok(b.len())
        }
        fn flush(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
    }
    impl Seek for Cursor {
        fn seek(&mut self, pos: SeekFrom) -> Result<u64, Self::Error> {
            self.pos = match pos {
                SeekFrom::Start(p) => p as usize,
                SeekFrom::End(d) => (self.buf.len() as i64 + d) as usize,
                SeekFrom::Current(d) => (self.pos as i64 + d) as usize,
            };
            Ok(self.pos as u64)
        }
    }

    const GUID_TAIL: [u8; 14] = [
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ];

    #[test]
    fn pcm16_stereo_header_round_trip() {
        let mut out = [0_u8; 44 + 12];
        let spec = WavSpec::new(2, 44_100, SampleFormat::I16);
        let mut w = WavWriter::new_with_length(&mut out[..], spec, 3).unwrap();
        assert_eq!(w.header_len(), 44);
        w.write_frames_i16(&[1, -1, 256, -256, i16::MAX, i16::MIN])
            .unwrap();
        let (_, bytes) = w.finish().unwrap();
        assert_eq!(bytes, 12);
        let p = parse(&out);
        assert_eq!(
            p,
            Parsed {
                riff_size: 36 + 12,
                format_tag: 1,
                channels: 2,
                sample_rate: 44_100,
                byte_rate: 176_400,
                block_align: 4,
                bits: 16,
                data_offset: 44,
                data_size: 12,
                ..Parsed::default()
            }
        );
        assert_eq!(
            &out[44..],
            &[1, 0, 0xFF, 0xFF, 0, 1, 0, 0xFF, 0xFF, 0x7F, 0x00, 0x80]
        );
    }

    #[test]
    fn float_mono_has_cb_size_and_fact() {
        let mut c = Cursor {
            buf: Vec::new(),
            pos: 0,
        };
        let spec = WavSpec::new(1, 96_000, SampleFormat::F32);
        let mut w = WavWriter::new(&mut c, spec).unwrap();
        assert_eq!(w.header_len(), 58);
        w.write_frames_f32(&[0.5, -1.0, 0.25]).unwrap();
        w.write_frames_f32(&[1.0]).unwrap();
        let (_, bytes) = w.finish_seekable().unwrap();
        assert_eq!(bytes, 16);
        assert_eq!(c.pos, 58 + 16, "positioned at the end of the data");
        let p = parse(&c.buf);
        assert_eq!(p.format_tag, 3);
        assert_eq!(p.cb_size, Some(0));
        assert_eq!(p.fact_frames, Some(4));
        assert_eq!((p.data_offset, p.data_size), (58, 16));
        assert_eq!(p.riff_size as usize, c.buf.len() - 8);
        assert_eq!((p.bits, p.block_align, p.byte_rate), (32, 4, 384_000));
        assert_eq!(&c.buf[58..62], &0.5_f32.to_le_bytes());
    }

    #[test]
    fn unpatched_stream_keeps_placeholders() {
        let mut out = [0_u8; 58 + 8];
        let spec = WavSpec::new(2, 48_000, SampleFormat::F32);
        let mut w = WavWriter::new(&mut out[..], spec).unwrap();
        w.write_frames_f32(&[0.0, 0.0]).unwrap();
        let (_, bytes) = w.finish().unwrap();
        assert_eq!(bytes, 8);
        let p = parse(&out);
        assert_eq!(p.riff_size, 0xFFFF_FFFF);
        assert_eq!(p.fact_frames, Some(0xFFFF_FFFF));
        assert_eq!(p.data_size, 0xFFFF_FFFF);
    }

    #[test]
    fn multichannel_uses_extensible() {
        for (format, code, len) in [(SampleFormat::I16, 1_u8, 68), (SampleFormat::F32, 3, 80)] {
            let mut c = Cursor {
                buf: std::vec![0xAA; 7], // header need not start at 0
                pos: 7,
            };
            let spec = WavSpec::new(6, 48_000, format);
            let mut w = WavWriter::new(&mut c, spec).unwrap();
            assert_eq!(w.header_len(), len);
            match format {
                SampleFormat::I16 => w.write_frames_i16(&[7; 12]).unwrap(),
                _ => w.write_frames_f32(&[0.0; 12]).unwrap(),
            }
            w.finish_seekable().unwrap();
            let p = parse(&c.buf[7..]);
            assert_eq!(p.format_tag, 0xFFFE);
            assert_eq!(p.cb_size, Some(22));
            assert_eq!(p.valid_bits, Some(format.bytes() * 8));
            let mut guid = [0_u8; 16];
            guid[0] = code;
            guid[2..].copy_from_slice(&GUID_TAIL);
            assert_eq!(p.sub_format, Some(guid));
            assert_eq!(p.block_align, 6 * format.bytes());
            assert_eq!(p.data_size, 12 * u32::from(format.bytes()));
            assert_eq!(p.data_offset, len as usize);
            assert_eq!(p.riff_size as usize, c.buf.len() - 7 - 8);
            assert_eq!(p.fact_frames, (format == SampleFormat::F32).then_some(2));
        }
    }

    #[test]
    fn errors() {
        let mut out = [0_u8; 128];
        let bad = |spec| {
            let mut o = [0_u8; 128];
            WavWriter::new(&mut o[..], spec).map(|_| ()).unwrap_err()
        };
        assert_eq!(
            bad(WavSpec::new(0, 48_000, SampleFormat::I16)),
            WavError::InvalidSpec
        );
        assert_eq!(
            bad(WavSpec::new(2, 0, SampleFormat::I16)),
            WavError::InvalidSpec
        );
        assert_eq!(
            bad(WavSpec::new(u16::MAX, 8000, SampleFormat::F32)),
            WavError::InvalidSpec
        );
        assert_eq!(
            bad(WavSpec::new(2, u32::MAX, SampleFormat::I16)),
            WavError::InvalidSpec
        );

        let spec = WavSpec::new(2, 48_000, SampleFormat::I16);
        let mut w = WavWriter::new(&mut out[..], spec).unwrap();
        assert_eq!(
            w.write_frames_f32(&[0.0, 0.0]),
            Err(WavError::FormatMismatch)
        );
        assert_eq!(w.write_frames_i16(&[0, 0, 0]), Err(WavError::PartialFrame));
        assert_eq!(w.data_bytes(), 0, "refused writes write nothing");

        // Declared length: more is refused, fewer fails at finish.
        let mut w = WavWriter::new_with_length(&mut out[..], spec, 1).unwrap();
        assert_eq!(
            w.write_frames_i16(&[0; 4]),
            Err(WavError::LengthMismatch {
                declared: 1,
                written: 2
            })
        );
        assert!(matches!(
            w.finish(),
            Err(WavError::LengthMismatch {
                declared: 1,
                written: 0
            })
        ));

        // Output too small → Io.
        let mut tiny = [0_u8; 10];
        assert_eq!(
            WavWriter::new(&mut tiny[..], spec).map(|_| ()),
            Err(WavError::Io(SliceWriteError::Full))
        );
        let e: WavError<SliceWriteError> = WavError::TooLarge;
        assert_eq!(
            std::format!("{e}"),
            "WAV data would exceed the 4 GiB RIFF limit"
        );
    }

    #[test]
    fn four_gib_limit_is_refused_not_wrapped() {
        let mut out = [0_u8; 128];
        let spec = WavSpec::new(2, 48_000, SampleFormat::I16);
        // 44-byte header: RIFF size = 36 + data ≤ u32::MAX.
        let max_frames = (u64::from(u32::MAX) - 36) / 4;
        assert!(WavWriter::new_with_length(&mut out[..], spec, max_frames).is_ok());
        assert_eq!(
            WavWriter::new_with_length(&mut out[..], spec, max_frames + 1).map(|_| ()),
            Err(WavError::TooLarge)
        );
        assert_eq!(
            WavWriter::new_with_length(&mut out[..], spec, u64::MAX).map(|_| ()),
            Err(WavError::TooLarge)
        );
        let p = {
            let mut o = [0_u8; 44];
            WavWriter::new_with_length(&mut o[..], spec, max_frames).unwrap();
            parse(&o)
        };
        assert_eq!(u64::from(p.riff_size), 36 + max_frames * 4);
        assert!(p.riff_size >= u32::MAX - 3);

        // Streaming: a writer that has (notionally) written up to the limit
        // refuses the next frame.
        let mut w = WavWriter::new(&mut out[..], spec).unwrap();
        w.data_bytes = (max_frames * 4) as u32;
        assert_eq!(w.write_frames_i16(&[0, 0]), Err(WavError::TooLarge));
        assert_eq!(u64::from(w.data_bytes), max_frames * 4);
    }

    #[test]
    fn large_writes_are_chunked_correctly() {
        let samples: Vec<i16> = (0..3001).map(|i| (i * 7) as i16).collect();
        let mut c = Cursor {
            buf: Vec::new(),
            pos: 0,
        };
        let spec = WavSpec::new(1, 8000, SampleFormat::I16);
        let mut w = WavWriter::new(&mut c, spec).unwrap();
        w.write_frames_i16(&samples).unwrap();
        assert_eq!(w.frames_written(), 3001);
        w.finish_seekable().unwrap();
        let p = parse(&c.buf);
        assert_eq!(p.data_size, 6002);
        let back: Vec<i16> = c.buf[44..]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(back, samples);
    }
}
