//! The fixture generators against `midly`: valid fixtures parse (leniently
//! and strictly, except the ones midly is known to misread), damaged ones
//! fail or partially parse as documented, and each fixture has the
//! properties its documentation promises.

use std::collections::BTreeSet;

use midly::num::u4;
use midly::{Format, MetaMessage, MidiMessage, Timing, TrackEventKind};
use smfplay_tests::fixtures::{self, GM_RESET, GS_RESET, XG_RESET};
use smfplay_tests::reference::{self, RefEvent};
use smfplay_tests::smf_writer::{channel_data_len, chunk_table};
use smfplay_tests::strict;

/// Valid fixtures that `midly` cannot read correctly.
const MIDLY_MISREADS: &[&str] = &["running_status_across_meta"];

#[test]
fn valid_fixtures_parse_with_midly_lenient_and_strict() {
    for (name, bytes) in fixtures::all_valid() {
        let r = reference::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!r.events.is_empty(), "{name}: no events");
        let strict = strict::check(&bytes);
        if MIDLY_MISREADS.contains(&name) {
            assert!(
                strict.is_err(),
                "{name}: expected strict midly to reject it"
            );
            continue;
        }
        assert_eq!(strict, Ok(()), "{name}");
        // Every track is complete and ends with exactly one end-of-track.
        for (i, track) in r.smf.tracks.iter().enumerate() {
            let eot = TrackEventKind::Meta(MetaMessage::EndOfTrack);
            assert_eq!(track.last().map(|e| e.kind), Some(eot), "{name} track {i}");
            let n = track.iter().filter(|e| e.kind == eot).count();
            assert_eq!(n, 1, "{name} track {i}: end-of-track count");
        }
    }
}

#[test]
fn fixture_names_are_unique_and_generators_deterministic() {
    let valid = fixtures::all_valid();
    let damaged = fixtures::all_damaged();
    let names: BTreeSet<_> = valid.iter().chain(&damaged).map(|(n, _)| *n).collect();
    assert_eq!(names.len(), valid.len() + damaged.len());
    for ((n1, a), (_, b)) in valid.iter().zip(fixtures::all_valid()) {
        assert!(*a == b, "{n1} is not deterministic");
    }
    for ((n1, a), (_, b)) in damaged.iter().zip(fixtures::all_damaged()) {
        assert!(*a == b, "{n1} is not deterministic");
    }
}

fn get<'a>(all: &'a [(&str, Vec<u8>)], name: &str) -> &'a [u8] {
    &all.iter().find(|d| d.0 == name).unwrap().1
}

fn events(bytes: &[u8]) -> Vec<RefEvent<'_>> {
    reference::parse(bytes).unwrap().events
}

/// Re-inserts every status byte that a track omits by running status,
/// carrying running status across meta/sysex/escape events (what smfplay's
/// reader and most players do). Returns the explicit track body.
fn expand_running_status(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut running = 0u8;
    let vlq = |pos: &mut usize, out: &mut Vec<u8>| {
        let mut v = 0usize;
        loop {
            let b = body[*pos];
            out.push(b);
            *pos += 1;
            v = (v << 7) | usize::from(b & 0x7F);
            if b & 0x80 == 0 {
                return v;
            }
        }
    };
    while pos < body.len() {
        vlq(&mut pos, &mut out);
        let mut status = body[pos];
        if status < 0x80 {
            status = running;
        } else {
            pos += 1;
        }
        out.push(status);
        match status {
            0x80..=0xEF => {
                running = status;
                let n = channel_data_len(status);
                out.extend_from_slice(&body[pos..pos + n]);
                pos += n;
            }
            _ => {
                if status == 0xFF {
                    out.push(body[pos]);
                    pos += 1;
                }
                let len = vlq(&mut pos, &mut out);
                out.extend_from_slice(&body[pos..pos + len]);
                pos += len;
            }
        }
    }
    out
}

#[test]
fn running_status_across_meta_is_misread_by_midly_and_equals_explicit_file() {
    let rs = fixtures::running_status_across_meta();
    let explicit = fixtures::running_status_across_meta_explicit();
    assert!(rs.len() < explicit.len());

    // Expanding running status across meta/sysex gives the explicit file.
    let mut expanded = Vec::new();
    for (id, off, len) in chunk_table(&rs) {
        let body = &rs[off + 4..off + 4 + len as usize];
        let body = if &id == b"MTrk" {
            expand_running_status(body)
        } else {
            body.to_vec()
        };
        expanded.extend_from_slice(&id);
        expanded.extend_from_slice(&(body.len() as u32).to_be_bytes());
        expanded.extend_from_slice(&body);
    }
    assert!(
        expanded == explicit,
        "expanded running status != explicit file"
    );

    // midly reads the explicit file fully, but stops the running-status
    // file's track silently at the first channel event after a meta event
    // that omits its status byte: it yields a strict prefix, without an
    // end-of-track.
    let full = events(&explicit);
    let cut = events(&rs);
    assert!(strict::check(&explicit).is_ok());
    assert!(cut.len() < full.len());
    assert_eq!(cut[..], full[..cut.len()]);
    assert!(matches!(
        cut.last().unwrap().kind,
        TrackEventKind::Meta(MetaMessage::Lyric(b"Row "))
    ));
    assert_eq!(cut.len(), 4, "name, program, note-on, lyric");
}

#[test]
fn damaged_fixtures_fail_or_partially_parse_as_documented() {
    // (name, lenient midly parses, strict midly accepts)
    let expect: &[(&str, bool, bool)] = &[
        ("truncated_header", false, false),
        ("truncated_mid_track", true, false),
        ("truncated_in_chunk_header", true, false),
        ("chunk_length_plus_one", true, false),
        ("chunk_length_minus_one", true, false),
        ("chunk_length_zero", true, false),
        ("chunk_length_ffffffff", true, false),
        ("garbage_after_end", true, false),
        ("missing_end_of_track", true, true),
        ("chunk_length_past_eof", true, false),
        ("overlong_vlq_5byte", true, false),
        ("ntrks_mismatch", true, false),
        ("no_initial_status", true, false),
        ("system_common_in_track", true, false),
        ("format_3", false, false),
    ];
    let damaged = fixtures::all_damaged();
    assert_eq!(damaged.len(), expect.len());
    for ((name, bytes), (ename, lenient, strict_ok)) in damaged.iter().zip(expect) {
        assert_eq!(name, ename);
        let r = reference::parse(bytes);
        assert_eq!(r.is_ok(), *lenient, "{name}: lenient {:?}", r.err());
        assert_eq!(strict::check(bytes).is_ok(), *strict_ok, "{name}: strict");
    }

    let f1 = fixtures::format1_multitrack();
    let f1_events = events(&f1);

    // Truncation keeps a prefix of each track's events.
    let cut = get(&damaged, "truncated_mid_track").to_vec();
    let r = reference::parse(&cut).unwrap();
    let whole = reference::parse(&f1).unwrap();
    assert!(r.smf.tracks.len() <= whole.smf.tracks.len());
    let last = r.smf.tracks.len() - 1;
    assert!(r.smf.tracks[last].len() < whole.smf.tracks[last].len());
    for (a, b) in r.smf.tracks.iter().zip(&whole.smf.tracks) {
        assert_eq!(a[..], b[..a.len()]);
    }
    let r = reference::parse(get(&damaged, "truncated_in_chunk_header")).unwrap();
    assert_eq!(r.smf.tracks[..], whole.smf.tracks[..1]);

    // Garbage after the end is ignored; a length past EOF is cut to EOF.
    assert_eq!(events(get(&damaged, "garbage_after_end")), f1_events);
    let f0 = fixtures::format0_basic();
    assert_eq!(events(get(&damaged, "chunk_length_past_eof")), events(&f0));
    assert_eq!(events(get(&damaged, "ntrks_mismatch")), f1_events);

    // A wrong length on track 1 damages track 1 and what follows, not track 0.
    for n in [
        "chunk_length_plus_one",
        "chunk_length_minus_one",
        "chunk_length_zero",
    ] {
        let b = get(&damaged, n);
        let r = reference::parse(b).unwrap();
        assert_eq!(r.smf.tracks[0], whole.smf.tracks[0], "{n}");
        assert_ne!(r.smf.tracks[1..], whole.smf.tracks[1..], "{n}");
    }
    let b = get(&damaged, "chunk_length_ffffffff").to_vec();
    let r = reference::parse(&b).unwrap();
    assert_eq!(
        r.smf.tracks.len(),
        2,
        "track 1 swallows the rest of the file"
    );

    // Missing end of track: the second track just stops after its last note-off.
    let b = get(&damaged, "missing_end_of_track").to_vec();
    let r = reference::parse(&b).unwrap();
    let t1 = &r.smf.tracks[1];
    assert!(matches!(
        t1.last().unwrap().kind,
        TrackEventKind::Midi { .. }
    ));
    assert_eq!(t1.len(), 9);

    let r = reference::parse(get(&damaged, "no_initial_status")).unwrap();
    assert!(r.smf.tracks[0].is_empty());
    let r = reference::parse(get(&damaged, "system_common_in_track")).unwrap();
    assert_eq!(r.smf.tracks[0].len(), 1);
    // midly reads 4 of the 5 VLQ bytes, then misreads the rest.
    let r = reference::parse(get(&damaged, "overlong_vlq_5byte")).unwrap();
    assert_ne!(r.smf.tracks[0].len(), 4);
}

#[test]
fn format_specific_fixtures() {
    let b = fixtures::format0_basic();
    let r = reference::parse(&b).unwrap();
    assert_eq!(r.smf.header.format, Format::SingleTrack);
    assert_eq!(r.smf.tracks.len(), 1);

    let b = fixtures::format1_multitrack();
    let r = reference::parse(&b).unwrap();
    assert_eq!(r.smf.header.format, Format::Parallel);
    assert_eq!(r.smf.tracks.len(), 5);
    let tempos = r.smf.tracks[0]
        .iter()
        .filter(|e| matches!(e.kind, TrackEventKind::Meta(MetaMessage::Tempo(_))))
        .count();
    assert_eq!(tempos, 5);
    assert!(r.events.iter().any(|e| matches!(
        e.kind,
        TrackEventKind::Midi { channel, .. } if channel == 9
    )));

    // Format 2: tracks follow each other (1, 2 and 3 bars of 96 tpq).
    let b = fixtures::format2_sequence();
    let r = reference::parse(&b).unwrap();
    assert_eq!(r.smf.header.format, Format::Sequential);
    let ends: Vec<u64> = r
        .events
        .iter()
        .filter(|e| e.kind == TrackEventKind::Meta(MetaMessage::EndOfTrack))
        .map(|e| e.tick)
        .collect();
    assert_eq!(ends, [384, 384 + 768, 384 + 768 + 1152]);
    assert!(r.events.windows(2).all(|w| w[0].track <= w[1].track));
    assert_eq!(
        r.events[0].kind,
        TrackEventKind::Meta(MetaMessage::TrackNumber(Some(0)))
    );
}

#[test]
fn many_tracks_interleave_on_all_channels() {
    let b = fixtures::many_tracks(64);
    let r = reference::parse(&b).unwrap();
    assert_eq!(r.smf.tracks.len(), 64);
    let channels: BTreeSet<u8> = r
        .events
        .iter()
        .filter_map(|e| match e.kind {
            TrackEventKind::Midi { channel, .. } => Some(channel.as_int()),
            _ => None,
        })
        .collect();
    assert_eq!(channels.len(), 16);
    // Ticks shared by many tracks, resolved lower track first.
    let at_24: Vec<u16> = r
        .events
        .iter()
        .filter(|e| e.tick == 24)
        .map(|e| e.track)
        .collect();
    assert!(at_24.len() > 20);
    assert!(at_24.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn sysex_mix_contents() {
    for n in [0usize, 1, 2, 127, 128, 1000, 16_384, 65_536] {
        let b = fixtures::sysex_mix(n);
        assert_eq!(strict::check(&b), Ok(()), "n = {n}");
        let r = reference::parse(&b).unwrap();
        let sysex: Vec<&[u8]> = r
            .events
            .iter()
            .filter_map(|e| match e.kind {
                TrackEventKind::SysEx(d) => Some(d),
                _ => None,
            })
            .collect();
        let escapes: Vec<&[u8]> = r
            .events
            .iter()
            .filter_map(|e| match e.kind {
                TrackEventKind::Escape(d) => Some(d),
                _ => None,
            })
            .collect();
        assert_eq!(sysex[0], GM_RESET);
        assert_eq!(sysex[1], GS_RESET);
        assert_eq!(sysex[2], XG_RESET);
        assert_eq!(sysex[3], [0xF7]);
        assert_eq!(
            sysex[4],
            [0x43, 0x12, 0x00, 0x01, 0x02],
            "first packet, no F7"
        );
        assert_eq!(
            escapes,
            [&[0x03, 0x04, 0x05][..], &[0x06, 0x07, 0xF7], &[0xFA]]
        );
        assert_eq!(sysex[5].len(), n);
        assert_eq!(sysex[5], fixtures::sysex_payload(n));
        if n > 0 {
            assert_eq!(sysex[5].last(), Some(&0xF7));
        }
    }
}

#[test]
fn tempo_heavy_has_n_tempos_in_range() {
    for n in [1usize, 2, 1000] {
        let b = fixtures::tempo_heavy(n);
        let r = reference::parse(&b).unwrap();
        let tempos: Vec<(u64, u32)> = r
            .events
            .iter()
            .filter_map(|e| match e.kind {
                TrackEventKind::Meta(MetaMessage::Tempo(t)) => Some((e.tick, t.as_int())),
                _ => None,
            })
            .collect();
        assert_eq!(tempos.len(), n);
        assert!(tempos.iter().all(|t| (1..=0xFF_FFFF).contains(&t.1)));
        assert_eq!(tempos[0].1, 1);
        if n > 1 {
            assert_eq!(tempos[n - 1].1, 0xFF_FFFF);
            let shared = tempos.windows(2).filter(|w| w[0].0 == w[1].0).count();
            assert!(n < 100 || shared > 10, "some tempos share a tick");
        }
    }
}

#[test]
fn smpte_divisions() {
    use midly::Fps;
    for (fps, tpf, want) in [
        (24, 4, Fps::Fps24),
        (25, 40, Fps::Fps25),
        (29, 100, Fps::Fps29),
        (30, 80, Fps::Fps30),
    ] {
        let b = fixtures::smpte(fps, tpf);
        assert_eq!(b[12], (-(fps as i8)) as u8);
        let r = reference::parse(&b).unwrap();
        assert_eq!(r.smf.header.timing, Timing::Timecode(want, tpf));
        let offset = r.events.iter().find_map(|e| match e.kind {
            TrackEventKind::Meta(MetaMessage::SmpteOffset(t)) => Some(t),
            _ => None,
        });
        assert_eq!(offset.unwrap().fps(), want);
    }
}

#[test]
fn rmid_wraps_the_same_events() {
    let inners = [
        fixtures::format0_basic(),
        fixtures::format1_multitrack(),
        fixtures::all_meta_kinds(),
    ];
    assert!(
        inners.iter().any(|i| i.len() % 2 == 1),
        "an odd-sized data chunk is covered"
    );
    for inner in &inners {
        for wrapped in [fixtures::rmid(inner), fixtures::rmid_with_list(inner)] {
            assert_eq!(&wrapped[..4], b"RIFF");
            assert_eq!(&wrapped[8..12], b"RMID");
            assert_eq!(wrapped.len() % 2, 0);
            assert_eq!(events(&wrapped), events(inner));
        }
    }
    let w = fixtures::rmid_with_list(&inners[0]);
    assert_eq!(&w[12..16], b"LIST");
    assert!(w.windows(4).any(|x| x == b"DISP"));
}

#[test]
fn all_meta_kinds_has_every_meta_type() {
    let b = fixtures::all_meta_kinds();
    let r = reference::parse(&b).unwrap();
    let mut seen = BTreeSet::new();
    for e in &r.events {
        if let TrackEventKind::Meta(m) = e.kind {
            let k: u8 = match m {
                MetaMessage::TrackNumber(Some(7)) => 0x00,
                MetaMessage::Text(t) => {
                    assert_eq!(t, "Grüße, ♪ text".as_bytes());
                    0x01
                }
                MetaMessage::Copyright(_) => 0x02,
                MetaMessage::TrackName(_) => 0x03,
                MetaMessage::InstrumentName(_) => 0x04,
                MetaMessage::Lyric(_) => 0x05,
                MetaMessage::Marker(_) => 0x06,
                MetaMessage::CuePoint(_) => 0x07,
                MetaMessage::ProgramName(_) => 0x08,
                MetaMessage::DeviceName(_) => 0x09,
                MetaMessage::MidiChannel(c) => {
                    assert_eq!(c, u4::new(3));
                    0x20
                }
                MetaMessage::MidiPort(_) => 0x21,
                MetaMessage::EndOfTrack => 0x2F,
                MetaMessage::Tempo(t) => {
                    assert_eq!(t.as_int(), 500_000);
                    0x51
                }
                MetaMessage::SmpteOffset(_) => 0x54,
                MetaMessage::TimeSignature(3, 2, 24, 8) => 0x58,
                MetaMessage::KeySignature(-3, true) | MetaMessage::KeySignature(2, false) => 0x59,
                MetaMessage::SequencerSpecific(_) => 0x7F,
                MetaMessage::Unknown(k, _) => k,
                other => panic!("unexpected {other:?}"),
            };
            seen.insert(k);
        }
    }
    let want: BTreeSet<u8> = [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x20, 0x21, 0x2F, 0x51,
        0x54, 0x58, 0x59, 0x60, 0x7F,
    ]
    .into();
    assert_eq!(seen, want);
}

#[test]
fn unknown_chunks_and_nonminimal_vlqs_read_normally() {
    let b = fixtures::unknown_chunks();
    let ids: Vec<[u8; 4]> = chunk_table(&b).into_iter().map(|c| c.0).collect();
    assert_eq!(
        ids,
        [*b"MThd", *b"XFIH", *b"MTrk", *b"JUNK", *b"MTrk", *b"XFKM"]
    );
    assert_eq!(reference::parse(&b).unwrap().smf.tracks.len(), 2);

    let b = fixtures::nonminimal_vlq();
    let ticks: Vec<u64> = events(&b).iter().map(|e| e.tick).collect();
    assert_eq!(
        ticks,
        [0, 0, 96, 96 + 0x7F, 96 + 0x7F + 0x3FFF, 97 + 0x7F + 0x3FFF]
    );
}

fn channel_stats(r: &reference::Reference<'_>) -> (BTreeSet<u8>, usize, usize, usize) {
    let mut channels = BTreeSet::new();
    let (mut programs, mut controls, mut bends) = (0, 0, 0);
    for e in &r.events {
        if let TrackEventKind::Midi { channel, message } = e.kind {
            channels.insert(channel.as_int());
            match message {
                MidiMessage::ProgramChange { .. } => programs += 1,
                MidiMessage::Controller { .. } => controls += 1,
                MidiMessage::PitchBend { .. } => bends += 1,
                _ => {}
            }
        }
    }
    (channels, programs, controls, bends)
}

#[test]
fn dense_16ch_is_dense_music_on_16_channels() {
    for secs in [10u32, 60] {
        let b = fixtures::dense_16ch(secs);
        let r = reference::parse(&b).unwrap();
        let dur = reference::duration_seconds(&r).unwrap();
        assert!(
            (f64::from(secs)..f64::from(secs) + 2.1).contains(&dur),
            "{dur}"
        );
        let rate = r.events.len() as f64 / dur;
        assert!((100.0..=300.0).contains(&rate), "{rate} events/s");
        let (channels, programs, controls, bends) = channel_stats(&r);
        assert_eq!(channels.len(), 16);
        assert!(programs >= 15, "{programs}");
        assert!(
            controls as u32 >= 8 * secs && bends as u32 >= 8 * secs,
            "{controls} {bends}"
        );
    }
}

#[test]
fn large_16track_size_and_shape() {
    for target in [100_000usize, fixtures::LARGE_16TRACK_BYTES] {
        let b = fixtures::large_16track(target);
        assert!(
            b.len() >= target && b.len() < target + target / 50 + 20_000,
            "{}",
            b.len()
        );
        let r = reference::parse(&b).unwrap();
        assert_eq!(r.smf.header.format, Format::Parallel);
        assert_eq!(r.smf.tracks.len(), 16);
        assert!(r.smf.tracks.iter().all(|t| t.len() > 10));
        assert_eq!(channel_stats(&r).0.len(), 16);
        // Compact like real files: running status keeps events under 3.5 bytes.
        assert!((b.len() as f64 / r.events.len() as f64) < 3.5);
    }
}
