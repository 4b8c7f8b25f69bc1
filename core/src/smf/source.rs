//! Where the reader's bytes come from: any `embedded_io::Read + Seek`
//! (a file, an SD card, a flash driver) or a byte slice in RAM or flash.
//!
//! The reader asks for bytes by absolute offset ([`ByteSource::read_at`]);
//! each track cursor refills its own fixed window from there, so no source
//! ever has to hold more than one window's worth of data at a time.
//!
//! # Example
//! ```
//! use smfplay_core::smf::{ByteSource, SliceSource};
//! let mut src = SliceSource::new(b"MThd");
//! let mut buf = [0u8; 2];
//! assert_eq!(src.read_at(2, &mut buf), Ok(2));
//! assert_eq!(&buf, b"hd");
//! ```
//!
//! *Real-time*: [`SliceSource`] is a bounded `memcpy`. [`IoSource`] is only
//! as real-time as the `Read + Seek` it wraps (a file may block).
//!
//! *Errors*: I/O errors are reported as [`embedded_io::ErrorKind`].
//!
//! *Panics*: never.

use embedded_io::{Error as _, ErrorKind, Read, Seek, SeekFrom};

/// Random-access byte input for the reader.
pub trait ByteSource {
    /// Total length in bytes (the reader clamps chunk lengths to it).
    fn byte_len(&mut self) -> Result<u64, ErrorKind>;

    /// Reads up to `buf.len()` bytes starting at absolute offset `pos`.
    /// Returns how many were read; fewer than asked only at the end.
    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, ErrorKind>;
}

/// A file that sits in memory or in memory-mapped flash.
#[derive(Clone, Copy, Debug)]
pub struct SliceSource<'a> {
    bytes: &'a [u8],
}

impl<'a> SliceSource<'a> {
    /// Wraps a byte slice.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }
}

impl ByteSource for SliceSource<'_> {
    fn byte_len(&mut self) -> Result<u64, ErrorKind> {
        Ok(self.bytes.len() as u64)
    }

    #[inline]
    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let start = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        let available = self.bytes.get(start..).unwrap_or(&[]);
        let n = buf.len().min(available.len());
        buf[..n].copy_from_slice(&available[..n]);
        Ok(n)
    }
}

/// Any `embedded_io::Read + Seek` (use `embedded-io-adapters` for
/// `std::fs::File`). Remembers its position so sequential refills of one
/// track need no seek.
#[derive(Debug)]
pub struct IoSource<R> {
    inner: R,
    pos: Option<u64>,
}

impl<R: Read + Seek> IoSource<R> {
    /// Wraps a reader; it may be positioned anywhere.
    pub const fn new(inner: R) -> Self {
        Self { inner, pos: None }
    }

    /// Gives the wrapped reader back.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read + Seek> ByteSource for IoSource<R> {
    fn byte_len(&mut self) -> Result<u64, ErrorKind> {
        self.pos = None;
        self.inner.seek(SeekFrom::End(0)).map_err(|e| e.kind())
    }

    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if self.pos != Some(pos) {
            self.pos = None;
            self.inner
                .seek(SeekFrom::Start(pos))
                .map_err(|e| e.kind())?;
            self.pos = Some(pos);
        }
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.pos = None;
                    return Err(e.kind());
                }
            }
        }
        self.pos = Some(pos + filled as u64);
        Ok(filled)
    }
}

impl<S: ByteSource + ?Sized> ByteSource for &mut S {
    fn byte_len(&mut self) -> Result<u64, ErrorKind> {
        (**self).byte_len()
    }
    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        (**self).read_at(pos, buf)
    }
}
