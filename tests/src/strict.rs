//! What `midly` 0.5.3 would say about a file with its `strict` feature on.
//!
//! `midly`'s strictness is a compile-time crate feature. Cargo unifies
//! features, so enabling it here would also make the lenient reference model
//! ([`crate::reference`]) and smfplay-core's own use of `midly` strict. This
//! module therefore re-implements the checks behind midly's
//! `cfg!(feature = "strict")` sites, on top of lenient `midly` where it can:
//!
//! - the file is an SMF (`MThd` first) or an RMID wrapping one;
//! - every chunk has a complete 8-byte chunk header and its declared length
//!   fits in the file (no "reached eof before chunk ended"), including any
//!   bytes after the last track, which must form complete chunks;
//! - no second `MThd`;
//! - the number of `MTrk` chunks equals the header's `ntrks`, and a format 0
//!   file has exactly one;
//! - every track parses to its very end: delta times and lengths are VLQs of
//!   at most 4 bytes that don't run past the chunk, a channel event without a
//!   status byte has a running status that no meta/sysex/escape event has
//!   cancelled (midly resets running status on those), no system common or
//!   real-time status bytes, data bytes below `0x80`, complete meta/sysex
//!   payloads, meta contents midly can decode (checked with lenient midly
//!   itself), and channel prefix / port values in range.
//!
//! It does not require end-of-track events: neither does midly, strict or
//! not.

use crate::smf_writer::channel_data_len;

/// Checks `bytes` as strict `midly` would; `Err` carries a short reason.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let smf = match bytes.get(..4) {
        Some(b"RIFF") => unwrap_rmid(bytes)?,
        Some(b"MThd") => bytes,
        _ => return Err("not a midi file".into()),
    };
    let mut pos = 0usize;
    let mut ntrks = None;
    let mut format = 0u16;
    let mut tracks = 0usize;
    while pos < smf.len() {
        if smf.len() - pos < 8 {
            return Err(format!("incomplete chunk header at byte {pos}"));
        }
        let id = &smf[pos..pos + 4];
        let len = u32::from_be_bytes(smf[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body_start = pos + 8;
        if smf.len() - body_start < len {
            return Err(format!("chunk at byte {pos} ends past end of file"));
        }
        let body = &smf[body_start..body_start + len];
        match id {
            b"MThd" => {
                if ntrks.is_some() {
                    return Err("duplicate header".into());
                }
                if body.len() < 6 {
                    return Err("header chunk too short".into());
                }
                format = u16::from_be_bytes([body[0], body[1]]);
                if format > 2 {
                    return Err("invalid smf format".into());
                }
                ntrks = Some(u16::from_be_bytes([body[2], body[3]]));
                if body[4] & 0x80 != 0 && ![0xE8, 0xE7, 0xE3, 0xE2].contains(&body[4]) {
                    return Err("invalid smpte fps".into());
                }
            }
            b"MTrk" => {
                check_track(body).map_err(|e| format!("track {tracks}: {e}"))?;
                tracks += 1;
            }
            _ => {}
        }
        pos = body_start + len;
    }
    let ntrks = ntrks.ok_or("no header")?;
    if usize::from(ntrks) != tracks {
        return Err(format!("header declares {ntrks} tracks, file has {tracks}"));
    }
    if format == 0 && tracks != 1 {
        return Err(format!("format 0 file with {tracks} tracks"));
    }
    Ok(())
}

/// midly's RMID unwrapping (identical in strict and lenient mode).
fn unwrap_rmid(bytes: &[u8]) -> Result<&[u8], String> {
    fn chunks(mut raw: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
        std::iter::from_fn(move || {
            if raw.len() < 8 {
                return None;
            }
            let id = &raw[..4];
            let len = u32::from_le_bytes(raw[4..8].try_into().unwrap()) as usize;
            raw = &raw[8..];
            let data = &raw[..len.min(raw.len())];
            raw = &raw[data.len()..];
            if len % 2 == 1 && !raw.is_empty() {
                raw = &raw[1..];
            }
            Some((id, data))
        })
    }
    let (id, riff) = chunks(bytes).next().ok_or("no main riff chunk")?;
    if id != b"RIFF" || riff.get(..4) != Some(b"RMID") {
        return Err("not an rmid riff file".into());
    }
    chunks(&riff[4..])
        .find(|(id, _)| *id == b"data")
        .map(|(_, d)| d)
        .ok_or_else(|| "no rmid data chunk".into())
}

/// Reads a VLQ of at most 4 bytes.
fn read_vlq(raw: &[u8], pos: &mut usize) -> Result<u32, String> {
    let mut v = 0u32;
    for _ in 0..4 {
        let b = *raw.get(*pos).ok_or("eof in varlen int")?;
        *pos += 1;
        v = (v << 7) | u32::from(b & 0x7F);
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(format!("varlen int longer than 4 bytes ending at {}", *pos))
}

fn check_track(raw: &[u8]) -> Result<(), String> {
    let mut pos = 0usize;
    let mut running: Option<u8> = None;
    while pos < raw.len() {
        read_vlq(raw, &mut pos)?;
        let at = pos;
        let first = *raw.get(pos).ok_or("eof before status")?;
        let status = if first < 0x80 {
            running.ok_or(format!(
                "event at byte {at} has no status and no running status is active"
            ))?
        } else {
            pos += 1;
            first
        };
        match status {
            0x80..=0xEF => {
                running = Some(status);
                let n = channel_data_len(status);
                let data = raw.get(pos..pos + n).ok_or("truncated channel event")?;
                if data.iter().any(|b| b & 0x80 != 0) {
                    return Err(format!("data byte with top bit set at {pos}"));
                }
                pos += n;
            }
            0xF0 | 0xF7 | 0xFF => {
                running = None;
                let kind = if status == 0xFF {
                    let k = *raw.get(pos).ok_or("eof before meta type")?;
                    pos += 1;
                    Some(k)
                } else {
                    None
                };
                let len = read_vlq(raw, &mut pos)? as usize;
                if raw.len() - pos < len {
                    return Err("incomplete varlen slice".into());
                }
                let data = &raw[pos..pos + len];
                pos += len;
                if let Some(k) = kind {
                    check_meta(k, data)?;
                }
            }
            _ => return Err(format!("status {status:#04X} not allowed in an SMF")),
        }
    }
    Ok(())
}

fn check_meta(kind: u8, data: &[u8]) -> Result<(), String> {
    match (kind, data.first()) {
        (0x20, Some(&c)) if c > 0x0F => return Err("channel prefix above 15".into()),
        (0x21, Some(&p)) if p > 0x7F => return Err("port above 127".into()),
        _ => {}
    }
    // Let (lenient) midly decode the meta event on its own: it yields no
    // event if the contents are invalid (bad SMPTE time, short key
    // signature...).
    let mut ev = vec![0x00, 0xFF, kind];
    crate::smf_writer::write_vlq(&mut ev, data.len() as u32);
    ev.extend_from_slice(data);
    match midly::EventIter::new(&ev).next() {
        Some(Ok(_)) => Ok(()),
        _ => Err(format!("meta event {kind:#04X} has invalid contents")),
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::smf_writer::{Division, RunningStatus, TrackWriter, smf};

    #[test]
    fn accepts_plain_file_and_rejects_running_status_after_meta() {
        let build = |mode| {
            let mut t = TrackWriter::with_running_status(mode);
            t.note_on(0, 0, 60, 1)
                .tempo(0, 500_000)
                .note_on(0, 0, 61, 1);
            t.end_of_track(0);
            smf(0, Division::Metrical(96), &[t])
        };
        assert_eq!(check(&build(RunningStatus::Compliant)), Ok(()));
        assert!(check(&build(RunningStatus::AcrossMetaSysex)).is_err());
    }

    #[test]
    fn rejects_bad_smpte_offset_and_long_vlq() {
        let mut t = TrackWriter::new();
        t.smpte_offset(0, 0, 0, 0, 40, 0);
        assert!(check(&smf(0, Division::Metrical(96), &[t])).is_err());
        let mut t = TrackWriter::new();
        t.pad_next_delta(5).end_of_track(0);
        assert!(check(&smf(0, Division::Metrical(96), &[t])).is_err());
        let mut t = TrackWriter::new();
        t.pad_next_delta(4).end_of_track(0);
        assert_eq!(check(&smf(0, Division::Metrical(96), &[t])), Ok(()));
    }
}
