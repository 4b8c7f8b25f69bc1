//! The reference model of the differential test: `midly` plus the merge
//! rules of smfplay's reader.
//!
//! [`parse`] reads a file with `midly::Smf::parse` (lenient, RMID unwrapped
//! by midly) and [`merge`] flattens its tracks into one list of events in
//! playing order. The events borrow from the input bytes, so a test can
//! compare them with another reader's `midly::TrackEventKind<'_>` values by
//! plain equality.
//!
//! Merge rules (the reader under test follows the same ones):
//!
//! - ticks are absolute, as `u64`, summed from each track's delta times;
//! - formats 0 and 1 (and any other non-sequential file): all tracks are
//!   merged by absolute tick; ties go to the lower track index first, then to
//!   file order within a track;
//! - format 2: tracks play one after another; track `i + 1`'s ticks are
//!   offset by the absolute tick at which track `i` ended (the tick of its
//!   last event, normally its end-of-track; an empty track ends where it
//!   starts);
//! - every event is included: channel, sysex, escape and meta events,
//!   end-of-track too.
//!
//! Note what `midly` does with files it cannot fully read (lenient mode): a
//! track stops silently at its first unreadable event (for example a channel
//! event relying on running status after a meta or sysex event), a chunk
//! length past the end of file is cut to the end of file, and unknown or
//! broken chunks are skipped. The reference inherits those behaviours.

use midly::{Format, Header, Smf, Track, TrackEventKind};

/// One event of the merged event list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefEvent<'a> {
    /// Absolute tick (format 2: including the offset of earlier tracks).
    pub tick: u64,
    /// Index of the track (`MTrk` chunk, in file order) the event came from.
    pub track: u16,
    /// The event itself, borrowing from the input bytes.
    pub kind: TrackEventKind<'a>,
}

/// A file parsed by the reference model.
#[derive(Clone, Debug)]
pub struct Reference<'a> {
    /// `midly`'s parse of the file.
    pub smf: Smf<'a>,
    /// All events of all tracks, merged per the module's rules.
    pub events: Vec<RefEvent<'a>>,
}

impl<'a> Reference<'a> {
    /// The file's header.
    pub fn header(&self) -> Header {
        self.smf.header
    }

    /// The tick of the last event (0 for a file without events).
    pub fn end_tick(&self) -> u64 {
        self.events.last().map_or(0, |e| e.tick)
    }
}

/// The playing time in seconds of a metrical (ticks per quarter note) file
/// at its last event, following its tempo events (120 bpm until the first).
/// Returns `None` for SMPTE-timed files.
pub fn duration_seconds(r: &Reference<'_>) -> Option<f64> {
    let midly::Timing::Metrical(tpq) = r.smf.header.timing else {
        return None;
    };
    let tpq = f64::from(tpq.as_int());
    let (mut secs, mut last, mut tempo) = (0.0, 0u64, 500_000.0);
    for e in &r.events {
        secs += (e.tick - last) as f64 * tempo / 1e6 / tpq;
        last = e.tick;
        if let TrackEventKind::Meta(midly::MetaMessage::Tempo(t)) = e.kind {
            tempo = f64::from(t.as_int());
        }
    }
    Some(secs)
}

/// Parses `bytes` with `midly::Smf::parse` and merges its tracks.
pub fn parse(bytes: &[u8]) -> midly::Result<Reference<'_>> {
    let smf = Smf::parse(bytes)?;
    let events = merge(smf.header.format, &smf.tracks);
    Ok(Reference { smf, events })
}

/// Merges parsed tracks into one event list (see the module docs for the
/// rules).
pub fn merge<'a>(format: Format, tracks: &[Track<'a>]) -> Vec<RefEvent<'a>> {
    let total: usize = tracks.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    let mut offset = 0u64;
    for (i, track) in tracks.iter().enumerate() {
        let index = u16::try_from(i).expect("more than 65536 tracks");
        let mut tick = offset;
        for ev in track {
            tick += u64::from(ev.delta.as_int());
            out.push(RefEvent {
                tick,
                track: index,
                kind: ev.kind,
            });
        }
        if format == Format::Sequential {
            offset = tick;
        }
    }
    if format != Format::Sequential {
        // Stable: events of one track stay in file order.
        out.sort_by_key(|e| (e.tick, e.track));
    }
    out
}

/// The merged events rendered as `(tick, track, Debug of the event)`, the
/// form `our_reader::read_all` produces, for event-by-event comparison.
pub fn rendered(bytes: &[u8]) -> midly::Result<Vec<(u64, u16, String)>> {
    let parsed = parse(bytes)?;
    Ok(parsed
        .events
        .iter()
        .map(|e| (e.tick, e.track, format!("{:?}", e.kind)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smf_writer::{Division, TextKind, TrackWriter, smf};
    use midly::MetaMessage;
    use midly::num::{u4, u7};

    fn on(ch: u8, key: u8) -> TrackEventKind<'static> {
        TrackEventKind::Midi {
            channel: u4::new(ch),
            message: midly::MidiMessage::NoteOn {
                key: u7::new(key),
                vel: u7::new(100),
            },
        }
    }

    const EOT: TrackEventKind<'static> = TrackEventKind::Meta(MetaMessage::EndOfTrack);

    fn ticks_tracks_kinds<'a>(evs: &[RefEvent<'a>]) -> Vec<(u64, u16, TrackEventKind<'a>)> {
        evs.iter().map(|e| (e.tick, e.track, e.kind)).collect()
    }

    /// Track 0: notes 60 @0, 61 @10, EOT @20.
    /// Track 1: note 70 @0, 71 @10, 72 @10, EOT @15.
    fn two_tracks(format: u16) -> Vec<u8> {
        let mut a = TrackWriter::new();
        a.note_on(0, 0, 60, 100)
            .note_on(10, 0, 61, 100)
            .end_of_track(10);
        let mut b = TrackWriter::new();
        b.note_on(0, 1, 70, 100)
            .note_on(10, 1, 71, 100)
            .note_on(0, 1, 72, 100)
            .end_of_track(5);
        smf(format, Division::Metrical(96), &[a, b])
    }

    #[test]
    fn format1_merges_by_tick_then_track_then_file_order() {
        let bytes = two_tracks(1);
        let r = parse(&bytes).unwrap();
        assert_eq!(
            ticks_tracks_kinds(&r.events),
            vec![
                (0, 0, on(0, 60)),
                (0, 1, on(1, 70)),
                (10, 0, on(0, 61)),
                (10, 1, on(1, 71)),
                (10, 1, on(1, 72)),
                (15, 1, EOT),
                (20, 0, EOT),
            ]
        );
        assert_eq!(r.end_tick(), 20);
    }

    #[test]
    fn format0_with_extra_tracks_merges_like_format1() {
        let bytes = two_tracks(0);
        let r = parse(&bytes).unwrap();
        assert_eq!(r.events.len(), 7);
        assert_eq!(
            r.events[1],
            RefEvent {
                tick: 0,
                track: 1,
                kind: on(1, 70)
            }
        );
    }

    #[test]
    fn format2_plays_tracks_in_sequence() {
        let bytes = two_tracks(2);
        let r = parse(&bytes).unwrap();
        assert_eq!(
            ticks_tracks_kinds(&r.events),
            vec![
                (0, 0, on(0, 60)),
                (10, 0, on(0, 61)),
                (20, 0, EOT),
                (20, 1, on(1, 70)),
                (30, 1, on(1, 71)),
                (30, 1, on(1, 72)),
                (35, 1, EOT),
            ]
        );
    }

    #[test]
    fn format2_offset_uses_last_event_even_without_end_of_track() {
        let mut a = TrackWriter::new();
        a.note_on(7, 0, 60, 100);
        let empty = TrackWriter::new();
        let mut c = TrackWriter::new();
        c.note_on(3, 0, 61, 100).end_of_track(0);
        let bytes = smf(2, Division::Metrical(96), &[a, empty, c]);
        let r = parse(&bytes).unwrap();
        assert_eq!(
            ticks_tracks_kinds(&r.events),
            vec![(7, 0, on(0, 60)), (10, 2, on(0, 61)), (10, 2, EOT)]
        );
    }

    #[test]
    fn meta_and_sysex_events_are_included_and_borrow_input() {
        let mut t = TrackWriter::new();
        t.text(0, TextKind::TrackName, b"name")
            .sysex(0, &[0x7E, 0x7F, 0x09, 0x01, 0xF7])
            .end_of_track(0);
        let bytes = smf(0, Division::Metrical(96), &[t]);
        let r = parse(&bytes).unwrap();
        assert_eq!(
            r.events[0].kind,
            TrackEventKind::Meta(MetaMessage::TrackName(b"name"))
        );
        assert_eq!(
            r.events[1].kind,
            TrackEventKind::SysEx(&[0x7E, 0x7F, 0x09, 0x01, 0xF7])
        );
        assert_eq!(r.events[2].kind, EOT);
    }

    #[test]
    fn large_deltas_accumulate_in_u64() {
        let mut t = TrackWriter::new();
        for _ in 0..40 {
            t.note_on(0x0FFF_FFFF, 0, 60, 1);
        }
        let bytes = smf(0, Division::Metrical(96), &[t]);
        let r = parse(&bytes).unwrap();
        assert_eq!(r.end_tick(), 40 * 0x0FFF_FFFF);
        assert!(r.end_tick() > u64::from(u32::MAX));
    }
}
