//! One track's read position: a fixed window of `WINDOW` bytes refilled from
//! the source, the running status, and the tick of the track's next event.
//!
//! *Real-time*: every call does bounded work: at most one `read_at` of at
//! most `WINDOW` bytes (or of the destination buffer, for payloads).
//!
//! *Panics*: never; all indexing is checked.

use super::source::ByteSource;

/// Why a read stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The chunk (or the file) ended.
    End,
    /// The source failed.
    Io(embedded_io::ErrorKind),
    /// A variable-length quantity ran past 4 bytes.
    VlqTooLong,
}

pub(crate) struct TrackCursor<const WINDOW: usize> {
    window: [u8; WINDOW],
    /// File offset of `window[0]`.
    win_start: u64,
    /// Valid bytes in the window.
    win_len: usize,
    /// Index of the next unread byte in the window.
    idx: usize,
    /// Absolute offset of the first byte of the chunk's data.
    pub(crate) start: u64,
    /// Absolute offset one past the chunk's last byte (clamped to the file).
    pub(crate) end: u64,
    /// Status byte in effect for running status (0 = none).
    pub(crate) running_status: u8,
    /// The track's MIDI port: the last port-number meta event (`FF 21`)
    /// of the track read so far, 0 before one (kept with the running
    /// status: it fits the struct's padding, so it costs no RAM).
    pub(crate) port: u8,
    /// Absolute tick of the pending event (valid while `live`).
    pub(crate) tick: u64,
    /// Absolute offset of the pending event's status byte (for errors).
    pub(crate) event_offset: u64,
    /// The track has more events (false once it ended; false in
    /// [`TrackCursor::EMPTY`], which is all zero bits so that a `static`
    /// reader goes to `.bss`).
    pub(crate) live: bool,
}

impl<const WINDOW: usize> TrackCursor<WINDOW> {
    pub(crate) const EMPTY: Self = Self {
        window: [0; WINDOW],
        win_start: 0,
        win_len: 0,
        idx: 0,
        start: 0,
        end: 0,
        running_status: 0,
        port: 0,
        tick: 0,
        event_offset: 0,
        live: false,
    };

    /// Points the cursor at a chunk's data and forgets everything else.
    pub(crate) fn reset(&mut self, start: u64, end: u64) {
        self.start = start;
        self.end = end;
        self.win_start = start;
        self.win_len = 0;
        self.idx = 0;
        self.running_status = 0;
        self.port = 0;
        self.tick = 0;
        self.event_offset = start;
        self.live = true;
    }

    /// Moves the read position (inside the chunk) and drops the window.
    pub(crate) fn seek_to(&mut self, pos: u64) {
        self.win_start = pos.clamp(self.start, self.end);
        self.win_len = 0;
        self.idx = 0;
    }

    /// Absolute offset of the next unread byte.
    #[inline]
    pub(crate) fn pos(&self) -> u64 {
        self.win_start + self.idx as u64
    }

    /// Bytes left in the chunk.
    #[inline]
    pub(crate) fn remaining(&self) -> u64 {
        self.end.saturating_sub(self.pos())
    }

    #[inline]
    pub(crate) fn byte<S: ByteSource>(&mut self, src: &mut S) -> Result<u8, Stop> {
        if self.idx < self.win_len
            && let Some(&b) = self.window.get(self.idx)
        {
            self.idx += 1;
            return Ok(b);
        }
        self.refill(src)?;
        match self.window.get(self.idx) {
            Some(&b) => {
                self.idx += 1;
                Ok(b)
            }
            None => Err(Stop::End),
        }
    }

    #[cold]
    fn refill<S: ByteSource>(&mut self, src: &mut S) -> Result<(), Stop> {
        let pos = self.pos();
        let left = self.end.saturating_sub(pos);
        if left == 0 {
            return Err(Stop::End);
        }
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(WINDOW);
        let n = src
            .read_at(pos, &mut self.window[..want])
            .map_err(Stop::Io)?;
        self.win_start = pos;
        self.win_len = n;
        self.idx = 0;
        if n == 0 {
            // The file is shorter than the chunk table said: treat as the end.
            self.end = pos;
            return Err(Stop::End);
        }
        Ok(())
    }

    /// Reads a variable-length quantity (at most 4 bytes, 28 bits).
    #[inline]
    pub(crate) fn vlq<S: ByteSource>(&mut self, src: &mut S) -> Result<u32, Stop> {
        let mut value: u32 = 0;
        for _ in 0..4 {
            let b = self.byte(src)?;
            value = (value << 7) | u32::from(b & 0x7F);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Stop::VlqTooLong)
    }

    /// Skips `n` bytes; `Err(End)` (with the cursor at the chunk's end) when
    /// fewer are left.
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), Stop> {
        let pos = self.pos();
        if n > self.end.saturating_sub(pos) {
            self.win_start = self.end;
            self.win_len = 0;
            self.idx = 0;
            return Err(Stop::End);
        }
        let in_window = (self.win_len - self.idx) as u64;
        if n <= in_window {
            self.idx += n as usize;
        } else {
            self.win_start = pos + n;
            self.win_len = 0;
            self.idx = 0;
        }
        Ok(())
    }

    /// Fills `dst` with the next `dst.len()` bytes of the chunk, or fails
    /// with `End` (cursor at the chunk's end) when fewer are left.
    pub(crate) fn read_into<S: ByteSource>(
        &mut self,
        src: &mut S,
        dst: &mut [u8],
    ) -> Result<(), Stop> {
        if dst.len() as u64 > self.remaining() {
            self.skip(u64::MAX)?;
            return Err(Stop::End);
        }
        let in_window = self.window.get(self.idx..self.win_len).unwrap_or(&[]);
        let first = in_window.len().min(dst.len());
        let (head, rest) = dst.split_at_mut(first);
        head.copy_from_slice(&in_window[..first]);
        self.idx += first;
        if rest.is_empty() {
            return Ok(());
        }
        // The window is exhausted: read the rest straight into `dst`.
        let pos = self.pos();
        let n = src.read_at(pos, rest).map_err(Stop::Io)?;
        self.win_start = pos + n as u64;
        self.win_len = 0;
        self.idx = 0;
        if n < rest.len() {
            self.end = self.win_start;
            return Err(Stop::End);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smf::SliceSource;

    #[test]
    fn window_refills_across_boundaries() {
        let data: [u8; 10] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut src = SliceSource::new(&data);
        let mut c = TrackCursor::<3>::EMPTY;
        c.reset(1, 9);
        let mut got = [0u8; 8];
        for slot in &mut got {
            *slot = c.byte(&mut src).unwrap();
        }
        assert_eq!(got, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.byte(&mut src), Err(Stop::End));
    }

    #[test]
    fn vlq_limits() {
        let data = [0x81, 0x80, 0x80, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F];
        let mut src = SliceSource::new(&data);
        let mut c = TrackCursor::<2>::EMPTY;
        c.reset(0, data.len() as u64);
        assert_eq!(c.vlq(&mut src), Ok(0x0020_0000));
        assert_eq!(c.vlq(&mut src), Err(Stop::VlqTooLong));
    }

    #[test]
    fn read_into_and_skip_past_window() {
        let data: [u8; 12] = core::array::from_fn(|i| i as u8);
        let mut src = SliceSource::new(&data);
        let mut c = TrackCursor::<4>::EMPTY;
        c.reset(0, 12);
        assert_eq!(c.byte(&mut src), Ok(0));
        let mut buf = [0u8; 6];
        c.read_into(&mut src, &mut buf).unwrap();
        assert_eq!(buf, [1, 2, 3, 4, 5, 6]);
        c.skip(2).unwrap();
        assert_eq!(c.byte(&mut src), Ok(9));
        assert_eq!(c.skip(3), Err(Stop::End));
        assert_eq!(c.byte(&mut src), Err(Stop::End));
        let mut big = [0u8; 1];
        assert_eq!(c.read_into(&mut src, &mut big), Err(Stop::End));
    }

    #[test]
    fn file_shorter_than_chunk_ends_cleanly() {
        let data = [1u8, 2, 3];
        let mut src = SliceSource::new(&data);
        let mut c = TrackCursor::<8>::EMPTY;
        c.reset(0, 100);
        for want in 1..=3 {
            assert_eq!(c.byte(&mut src), Ok(want));
        }
        assert_eq!(c.byte(&mut src), Err(Stop::End));
    }
}
