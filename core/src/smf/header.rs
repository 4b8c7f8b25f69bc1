//! The file's container (plain SMF or RIFF `RMID`) and its `MThd` header.
//!
//! *Real-time*: a handful of small reads at open time.

use midly::num::u15;
use midly::{Format, Fps, Timing};

use super::error::{Error, ErrorKind};
use super::source::ByteSource;

/// What the `MThd` chunk says, plus what the chunk scan found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// SMF format: 0 (one track), 1 (parallel tracks) or 2 (sequential).
    pub format: Format,
    /// Ticks per quarter note, or SMPTE frames per second × ticks per frame.
    pub timing: Timing,
    /// Track count declared in `MThd` (may disagree with the file).
    pub declared_tracks: u16,
    /// `MTrk` chunks actually found.
    pub tracks: u16,
    /// The SMF sits inside a RIFF `RMID` wrapper.
    pub rmid: bool,
}

/// Where the SMF lies in the file and what its header says.
pub(crate) struct Layout {
    pub(crate) header: Header,
    /// Offset of the first chunk after `MThd`.
    pub(crate) first_chunk: u64,
    /// End of the SMF data (end of the RMID `data` chunk, or of the file).
    pub(crate) end: u64,
}

fn read_exact<S: ByteSource>(src: &mut S, pos: u64, buf: &mut [u8]) -> Result<usize, Error> {
    src.read_at(pos, buf)
        .map_err(|e| Error::fatal(ErrorKind::Io(e), pos))
}

/// Reads the container and the `MThd` chunk.
pub(crate) fn read_layout<S: ByteSource>(src: &mut S) -> Result<Layout, Error> {
    let file_len = src
        .byte_len()
        .map_err(|e| Error::fatal(ErrorKind::Io(e), 0))?;
    if file_len == 0 {
        return Err(Error::fatal(ErrorKind::Empty, 0));
    }
    let mut head = [0u8; 12];
    let n = read_exact(src, 0, &mut head)?;
    let magic = [head[0], head[1], head[2], head[3]];

    let (smf_start, smf_end, rmid) = match &magic {
        b"MThd" => (0, file_len, false),
        b"RIFF" => {
            let form = [head[8], head[9], head[10], head[11]];
            if n < 12 || &form != b"RMID" {
                return Err(Error::fatal(ErrorKind::RiffNotRmid(form), 8));
            }
            let riff_len = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
            let riff_end = (8 + riff_len).min(file_len);
            let (start, end) = find_rmid_data(src, 12, riff_end)?;
            (start, end, true)
        }
        _ => return Err(Error::fatal(ErrorKind::NotMidi(magic), 0)),
    };

    let mut mthd = [0u8; 14];
    let n = read_exact(src, smf_start, &mut mthd)?;
    if &mthd[0..4] != b"MThd" {
        let m = [mthd[0], mthd[1], mthd[2], mthd[3]];
        return Err(Error::fatal(ErrorKind::NotMidi(m), smf_start));
    }
    let mthd_len = u64::from(u32::from_be_bytes([mthd[4], mthd[5], mthd[6], mthd[7]]));
    if mthd_len < 6 || n < 14 || smf_start + 14 > smf_end {
        return Err(Error::fatal(ErrorKind::HeaderTooShort, smf_start));
    }
    let format_raw = u16::from_be_bytes([mthd[8], mthd[9]]);
    let declared_tracks = u16::from_be_bytes([mthd[10], mthd[11]]);
    let division = u16::from_be_bytes([mthd[12], mthd[13]]);
    let at = smf_start + 8;
    let format = match format_raw {
        0 => Format::SingleTrack,
        1 => Format::Parallel,
        2 => Format::Sequential,
        other => return Err(Error::fatal(ErrorKind::UnsupportedFormat(other), at)),
    };
    let timing = decode_division(division).map_err(|kind| Error::fatal(kind, at + 4))?;
    Ok(Layout {
        header: Header {
            format,
            timing,
            declared_tracks,
            tracks: 0,
            rmid,
        },
        first_chunk: smf_start.saturating_add(8).saturating_add(mthd_len),
        end: smf_end,
    })
}

/// Decodes the `MThd` division field.
pub(crate) fn decode_division(division: u16) -> Result<Timing, ErrorKind> {
    if division & 0x8000 != 0 {
        let [hi, ticks_per_frame] = division.to_be_bytes();
        let fps = (hi as i8).unsigned_abs();
        let fps = match fps {
            24 => Fps::Fps24,
            25 => Fps::Fps25,
            29 => Fps::Fps29,
            30 => Fps::Fps30,
            other => return Err(ErrorKind::BadSmpteFps(other)),
        };
        if ticks_per_frame == 0 {
            return Err(ErrorKind::ZeroDivision);
        }
        Ok(Timing::Timecode(fps, ticks_per_frame))
    } else if division == 0 {
        Err(ErrorKind::ZeroDivision)
    } else {
        Ok(Timing::Metrical(u15::new(division)))
    }
}

/// Finds the `data` sub-chunk of a RIFF `RMID` file (little-endian lengths,
/// odd lengths padded). Each step moves forward by at least 8 bytes, so the
/// walk is bounded by the file size.
fn find_rmid_data<S: ByteSource>(src: &mut S, mut pos: u64, end: u64) -> Result<(u64, u64), Error> {
    while pos + 8 <= end {
        let mut hdr = [0u8; 8];
        if read_exact(src, pos, &mut hdr)? < 8 {
            break;
        }
        let len = u64::from(u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
        let data = pos + 8;
        if &hdr[0..4] == b"data" {
            return Ok((data, (data + len).min(end)));
        }
        pos = data + len + (len & 1);
    }
    Err(Error::fatal(ErrorKind::RmidWithoutData, 12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisions() {
        assert_eq!(decode_division(480), Ok(Timing::Metrical(u15::new(480))));
        assert_eq!(decode_division(0), Err(ErrorKind::ZeroDivision));
        // -25 fps, 40 ticks per frame
        assert_eq!(
            decode_division(0xE728),
            Ok(Timing::Timecode(Fps::Fps25, 40))
        );
        assert_eq!(decode_division(0xE300), Err(ErrorKind::ZeroDivision));
        assert_eq!(
            decode_division(0xE828),
            Ok(Timing::Timecode(Fps::Fps24, 40))
        );
        assert_eq!(
            decode_division(0xE350),
            Ok(Timing::Timecode(Fps::Fps29, 80))
        );
        assert_eq!(decode_division(0xE928), Err(ErrorKind::BadSmpteFps(23)));
    }
}
