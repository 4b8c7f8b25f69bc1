//! The generated malformed-input suite: every valid fixture truncated at
//! every byte offset, every chunk length off by ±1 or set to 0 and
//! `0xFFFF_FFFF`, 0 and 65 535 tracks declared, division 0, delta times of
//! `0x0FFF_FFFF`, 5-byte VLQs, sysex without its end, tempo 0 and
//! `0xFF_FFFF`, notes on without offs, 100 000 notes at one tick, and text
//! and sysex events declaring up to 4 GB.
//!
//! Each case must end in a clear error or a clean play of what decodes:
//!
//! - **reader** (lenient and strict): no panic; at most
//!   `(len − 14 − 8·tracks)/2 + tracks` events and errors (the bound proved
//!   in `reader_proptest.rs`), so output and time are bounded by the file
//!   size; every error is one line naming a track or byte offset;
//! - **sequencer** (the whole core: reader, tempo map, calendar, player)
//!   run period by period to its end: it finishes within the number of
//!   periods the song's length and its event count allow (no hang), the
//!   synth receives at most as many events as the file can hold (plus the
//!   note-offs of the sounding notes it releases); songs too long to play
//!   through here (years of silence) are played for a while, then sought to
//!   their end, where they must finish just as quickly.
//!
//! Memory cannot grow with declared lengths: the core has no heap (its
//! capacities are const generics), so only the test's own logs grow, with
//! the events played. The host side (`host info` / `host render` as
//! processes, peak RSS measured) is `host/tests/malformed_host.rs`.
//!
//! Fixtures up to 4 KiB (16 of the 20) are truncated at every offset; the
//! three of 14–37 KiB at every offset of their first and last KiB and 1 000
//! offsets spread between; the 10 MB one at every offset of its first KiB
//! and 18 more (every prefix of it would take days in a debug build). The
//! sequencer runs on every truncation of the fixtures under 512 bytes and
//! on every 17th of those up to 4 KiB (the bigger ones are minutes of
//! dense music each: the hostile cases above sequence them whole).
//!
//! Run with `--nocapture` for the outcome counts (the figures in
//! BENCHMARKS.md, "Reliability").

use midly::{MetaMessage, TrackEventKind};
use smfplay_core::sequencer::{
    Command, MAX_FEED_EVENTS_PER_PERIOD, SeekTarget, Sequencer, SequencerConfig,
};
use smfplay_core::smf::{Error, ErrorKind, Header, Reader, ReaderOptions, SliceSource};
use smfplay_core::tempo::TempoMap;
use smfplay_tests::fixtures::{self, set_chunk_length, truncated};
use smfplay_tests::our_reader::{ManyTrackReader, StandardReader, with_big_stack};
use smfplay_tests::recording_synth::RecordingSynth;
use smfplay_tests::sequencer_harness::desktop;
use smfplay_tests::smf_writer::{
    ChunkLen, Division, SmfWriter, TextKind, TrackWriter, chunk_table, smf, write_vlq,
};

/// Desktop capacities, as the host uses (fewer tracks: generous enough for
/// every fixture but the 65 535-track header, which must be refused or read
/// in part).
type Seq<'a> = Sequencer<
    SliceSource<'a>,
    1024,
    { desktop::WINDOW },
    { desktop::PAYLOAD },
    { desktop::EVENTS },
    { desktop::SLOTS },
    { desktop::BLOCKS },
    { desktop::BLOCK_BYTES },
>;

const RATE: u32 = 48_000;
const PERIOD: usize = 4096;
/// Periods played before a long song is sought to its end.
const PLAY_CAP: u64 = 3000;
/// Periods allowed beyond the song's length (look-ahead, release, end).
const SLACK: u64 = 8;
/// Events the player adds on its own: a note-off per sounding note and
/// per-channel controllers when it releases everything.
const RELEASE_EVENTS: usize = 16 * 128 + 16 * 8;

/// Most `next_event` results for a file (see `reader_proptest.rs`).
fn bound(len: usize, tracks: u16) -> usize {
    let tracks = usize::from(tracks);
    len.saturating_sub(14 + 8 * tracks) / 2 + tracks
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    rejected: usize,
    partial: usize,
    clean: usize,
    sequenced: usize,
    sought_to_end: usize,
    problems: Vec<String>,
}

/// Reader facts about one file.
struct ReadFacts {
    opened: bool,
    results: usize,
    tracks: u16,
    /// Frame (at [`RATE`]) of the last event, with tempo changes applied as
    /// the core's tempo map applies them.
    end_frame: u64,
    events: usize,
}

/// A reader's results over `bytes`: header, errors; `visit` sees each
/// event. Runs on the caller's (big) stack: spawning a thread per read, as
/// `our_reader::read_with` does, costs more than the reads here.
fn read_inline(
    bytes: &[u8],
    options: ReaderOptions,
    visit: impl FnMut(u64, u16, &TrackEventKind<'_>),
) -> (Option<Header>, Vec<Error>) {
    let many = bytes.len() > 13 && u16::from_be_bytes([bytes[10], bytes[11]]) > 1024;
    if many {
        drain(
            ManyTrackReader::open(SliceSource::new(bytes), options),
            visit,
        )
    } else {
        drain(
            StandardReader::open(SliceSource::new(bytes), options),
            visit,
        )
    }
}

fn drain<const T: usize, const W: usize, const P: usize>(
    opened: Result<Reader<SliceSource<'_>, T, W, P>, Error>,
    mut visit: impl FnMut(u64, u16, &TrackEventKind<'_>),
) -> (Option<Header>, Vec<Error>) {
    let mut reader = match opened {
        Ok(r) => r,
        Err(e) => return (None, vec![e]),
    };
    let mut errors = Vec::new();
    loop {
        match reader.next_event() {
            Ok(Some(ev)) => visit(ev.tick, ev.track, &ev.kind),
            Ok(None) => break,
            Err(e) => errors.push(e),
        }
    }
    (Some(*reader.header()), errors)
}

fn read_facts(bytes: &[u8], options: ReaderOptions, name: &str, t: &mut Tally) -> ReadFacts {
    let mut events = 0usize;
    let (header, errors) = read_inline(bytes, options, |_, _, _| events += 1);
    let (opened, tracks) = match header {
        Some(h) => (true, h.tracks),
        None => (false, 0),
    };
    // The timing is known once opened: a second pass finds the song's end
    // as the core's tempo map places it (tempo 0 ignored, SMPTE fixed).
    let mut end_frame = 0u64;
    if let Some(h) = header {
        let mut map = TempoMap::new(h.timing, RATE);
        let _ = read_inline(bytes, options, |tick, _, kind| {
            if let TrackEventKind::Meta(MetaMessage::Tempo(us)) = kind {
                map.set_tempo(tick, us.as_int());
            }
            end_frame = end_frame.max(map.frame_at(tick));
        });
    }
    let results = events + errors.len();
    // Opening fails with exactly one error; an opened file obeys the bound.
    if (opened && results > bound(bytes.len(), tracks)) || (!opened && results != 1) {
        t.problems.push(format!(
            "{name}: {results} events and errors from {} bytes, {tracks} tracks (bound {})",
            bytes.len(),
            bound(bytes.len(), tracks)
        ));
    }
    for e in &errors {
        let text = e.to_string();
        if text.contains('\n') || !(text.starts_with("track ") || text.starts_with("byte ")) {
            t.problems
                .push(format!("{name}: unclear error text {text:?}"));
        }
    }
    if !opened && errors.is_empty() {
        t.problems
            .push(format!("{name}: not opened, yet no error given"));
    }
    ReadFacts {
        opened,
        results,
        tracks,
        end_frame,
        events,
    }
}

/// A sequencer run of `bytes`: how many periods, whether it had to seek.
fn sequence(bytes: &[u8], facts: &ReadFacts, name: &str, t: &mut Tally) {
    let mut seq = match Seq::open(
        SliceSource::new(bytes),
        ReaderOptions::LENIENT,
        SequencerConfig::new(RATE, PERIOD as u32),
    ) {
        Ok(s) => Box::new(s),
        Err(e) => {
            // The test's reader takes up to 65 535 tracks, the sequencer
            // 1 024: refusing more, with that error, is the clear error.
            if facts.opened && !matches!(e.kind, ErrorKind::TooManyTracks { .. }) {
                t.problems.push(format!(
                    "{name}: the reader opens it but the sequencer refuses it: {e}"
                ));
            }
            return;
        }
    };
    t.sequenced += 1;
    let mut synth = RecordingSynth::default();
    let (mut l, mut r) = (vec![0.0f32; PERIOD], vec![0.0f32; PERIOD]);
    // Periods the song may need: its length, plus one period per
    // MAX_FEED_EVENTS_PER_PERIOD events (the feed's bounded work), plus slack.
    let allowed = facts.end_frame.div_ceil(PERIOD as u64)
        + (facts.events / MAX_FEED_EVENTS_PER_PERIOD) as u64
        + SLACK;
    let mut periods = 0u64;
    let mut sought = false;
    while !seq.is_finished() {
        if periods == PLAY_CAP.min(allowed) && allowed > PLAY_CAP && !sought {
            // Years of silence: jump to a period before the end instead.
            let target = facts.end_frame.saturating_sub(PERIOD as u64);
            if let Err(e) = seq.command(&mut synth, Command::Seek(SeekTarget::SongFrame(target))) {
                t.problems
                    .push(format!("{name}: seek to the end failed: {e}"));
                return;
            }
            sought = true;
            t.sought_to_end += 1;
            periods = 0;
        }
        let _ = seq.process(&mut synth, &mut l, &mut r, &mut ());
        periods += 1;
        let limit = if sought {
            SLACK + (facts.events / MAX_FEED_EVENTS_PER_PERIOD) as u64
        } else {
            allowed
        };
        if periods > limit {
            t.problems.push(format!(
                "{name}: not finished after {periods} periods of {PERIOD} frames \
                 (song ends at frame {}{})",
                facts.end_frame,
                if sought {
                    ", after a seek to its end"
                } else {
                    ""
                }
            ));
            return;
        }
    }
    let applied = synth.log.len();
    // A seek chases controllers and programs: at most the events read again.
    let most = bound(bytes.len(), facts.tracks).max(facts.results) * if sought { 2 } else { 1 }
        + RELEASE_EVENTS;
    if applied > most {
        t.problems.push(format!(
            "{name}: the synth received {applied} events from {} bytes (bound {most})",
            bytes.len()
        ));
    }
}

fn check(name: &str, bytes: &[u8], with_sequencer: bool, t: &mut Tally) {
    t.cases += 1;
    let lenient = read_facts(bytes, ReaderOptions::LENIENT, name, t);
    let strict = read_facts(bytes, ReaderOptions::STRICT, name, t);
    if strict.events > lenient.events {
        t.problems
            .push(format!("{name}: strict read more events than lenient"));
    }
    if !lenient.opened {
        t.rejected += 1;
    } else if lenient.results > lenient.events || !strict.opened || strict.results > strict.events {
        t.partial += 1;
    } else {
        t.clean += 1;
    }
    if with_sequencer {
        sequence(bytes, &lenient, name, t);
    }
}

/// The hand-made hostile files, named.
fn hostile_cases() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = Vec::new();
    let f0 = fixtures::format0_basic();
    let f1 = fixtures::format1_multitrack();

    // Track counts and division.
    for (base, bytes) in [("format0", &f0), ("format1", &f1)] {
        for ntrks in [0u16, 65_535] {
            let mut b = bytes.clone();
            b[10..12].copy_from_slice(&ntrks.to_be_bytes());
            v.push((format!("{base}_ntrks_{ntrks}"), b));
        }
        let mut b = bytes.clone();
        b[12..14].copy_from_slice(&0u16.to_be_bytes());
        v.push((format!("{base}_division_0"), b));
        // The MThd length field itself off by one, zero, and 4 GB.
        for len in [5u32, 7, 0, 0xFFFF_FFFF] {
            let mut b = bytes.clone();
            b[4..8].copy_from_slice(&len.to_be_bytes());
            v.push((format!("{base}_mthd_len_{len:#x}"), b));
        }
    }
    // 65 535 tracks declared and (nearly) present: 65 535 empty MTrk chunks.
    let mut w = SmfWriter::new();
    w.header(1, 65_535, Division::Metrical(96));
    let mut eot = TrackWriter::new();
    eot.end_of_track(0);
    for _ in 0..65_535 {
        w.track(&eot);
    }
    v.push(("tracks_65535_present".into(), w.finish()));

    // Absurd timing: delta 0x0FFFFFFF at tempo 0xFFFFFF (years of silence),
    // and at tempo 0 (ignored: the song keeps its tempo).
    for (tempo_name, tempo) in [("tempo_ffffff", 0xFF_FFFFu32), ("tempo_0", 0)] {
        let mut t = TrackWriter::new();
        t.tempo(0, tempo)
            .note_on(0, 0, 60, 100)
            .note_off(0x0FFF_FFFF, 0, 60, 0)
            .note_on(0x0FFF_FFFF, 0, 62, 100)
            .end_of_track(0x0FFF_FFFF);
        v.push((
            format!("delta_0fffffff_{tempo_name}"),
            smf(0, Division::Metrical(1), &[t]),
        ));
    }
    // Tempo 0 and 0xFFFFFF mid-song, alternating, with notes between.
    let mut t = TrackWriter::new();
    for i in 0..64u32 {
        t.tempo(
            if i == 0 { 0 } else { 7 },
            if i % 2 == 0 { 0 } else { 0xFF_FFFF },
        )
        .note_on(1, (i % 16) as u8, 60, 90)
        .note_off(3, (i % 16) as u8, 60, 0);
    }
    t.end_of_track(0);
    v.push((
        "tempo_0_and_ffffff_alternating".into(),
        smf(0, Division::Metrical(480), &[t]),
    ));

    // 5-byte VLQs: as a delta, as a meta length, as a sysex length.
    v.push(("vlq_5byte_delta".into(), fixtures::overlong_vlq_5byte()));
    let mut t = TrackWriter::new();
    t.note_on(0, 0, 60, 100)
        .raw(&[0x00, 0xFF, 0x01, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F]);
    t.raw(b"short text").note_off(10, 0, 60, 0).end_of_track(0);
    v.push((
        "vlq_5byte_meta_length".into(),
        smf(0, Division::Metrical(96), &[t]),
    ));
    let mut t = TrackWriter::new();
    t.note_on(0, 0, 60, 100)
        .raw(&[0x00, 0xF0, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F, 0x7E]);
    t.note_off(10, 0, 60, 0).end_of_track(0);
    v.push((
        "vlq_5byte_sysex_length".into(),
        smf(0, Division::Metrical(96), &[t]),
    ));

    // Sysex without its end: F7 missing; and a sysex whose length runs past
    // the chunk (and the file).
    let mut t = TrackWriter::new();
    t.note_on(0, 0, 60, 100)
        .raw(&[0x00, 0xF0, 0x05, 0x7E, 0x7F, 0x09, 0x01, 0x00]);
    t.note_off(10, 0, 60, 0).end_of_track(0);
    v.push((
        "sysex_without_f7".into(),
        smf(0, Division::Metrical(96), &[t]),
    ));
    let mut t = TrackWriter::new();
    t.note_on(0, 0, 60, 100)
        .raw(&[0x00, 0xF0, 0x7F, 0x7E, 0x7F]);
    v.push((
        "sysex_length_past_end".into(),
        smf(0, Division::Metrical(96), &[t]),
    ));

    // Text and sysex declaring 4 GB (a 5-byte VLQ of 0xFFFFFFFF) and the
    // largest legal length (0x0FFFFFFF, 256 MiB), with a few bytes present.
    for (what, status) in [("text", &[0xFFu8, 0x01][..]), ("sysex", &[0xF0][..])] {
        for declared in [0xFFFF_FFFFu32, 0x0FFF_FFFF] {
            let mut body = vec![0x00, 0x90, 60, 100, 0x00];
            body.extend_from_slice(status);
            write_vlq(&mut body, declared);
            body.extend_from_slice(b"only a few bytes are really here");
            let mut w = SmfWriter::new();
            w.header(0, 1, Division::Metrical(96));
            w.chunk(*b"MTrk", &body, ChunkLen::Correct);
            v.push((format!("{what}_declaring_{declared:#x}"), w.finish()));
            // The same with the chunk length claiming 4 GB too.
            let mut w = SmfWriter::new();
            w.header(0, 1, Division::Metrical(96));
            w.chunk(*b"MTrk", &body, ChunkLen::Exact(0xFFFF_FFFF));
            v.push((
                format!("{what}_declaring_{declared:#x}_chunk_4g"),
                w.finish(),
            ));
        }
    }
    let mut t = TrackWriter::new();
    t.text(0, TextKind::Text, &[b'x'; 300]);
    t.end_of_track(0);
    let mut b = smf(0, Division::Metrical(96), &[t]);
    // The text's 2-byte length (300 = 82 2C) becomes FF 7F (16 383 bytes):
    // past its chunk and the end-of-track.
    let off = b.len() - 4 - 300 - 2;
    b[off] = 0xFF;
    b[off + 1] = 0x7F;
    v.push(("text_length_past_chunk".into(), b));

    // Notes on without offs: every key of every channel, never released.
    let mut t = TrackWriter::new();
    for ch in 0..16u8 {
        for key in 0..128u8 {
            t.note_on(1, ch, key, 100);
        }
    }
    t.end_of_track(480);
    v.push((
        "notes_on_without_offs_2048".into(),
        smf(0, Division::Metrical(480), &[t]),
    ));

    // 100 000 notes at one tick (then their offs at the next beat).
    let mut t = TrackWriter::new();
    for i in 0..100_000u32 {
        t.note_on(
            if i == 0 { 480 } else { 0 },
            (i % 16) as u8,
            (i / 16 % 128) as u8,
            100,
        );
    }
    for i in 0..2048u32 {
        t.note_off(
            if i == 0 { 480 } else { 0 },
            (i % 16) as u8,
            (i / 16 % 128) as u8,
            0,
        );
    }
    t.end_of_track(0);
    v.push((
        "notes_100000_at_one_tick".into(),
        smf(0, Division::Metrical(480), &[t]),
    ));

    // Every fixture's chunk lengths: ±1, 0 and 0xFFFFFFFF, on each MTrk.
    for (name, bytes) in fixtures::all_valid() {
        if bytes.len() > 1 << 20 || name.starts_with("rmid") {
            continue;
        }
        let mtrks = chunk_table(&bytes)
            .iter()
            .filter(|(id, _, _)| id == b"MTrk")
            .count();
        for track in 0..mtrks.min(8) {
            for (label, delta) in [("plus1", 1i64), ("minus1", -1)] {
                v.push((
                    format!("{name}_mtrk{track}_len_{label}"),
                    fixtures::bad_chunk_length(&bytes, track, delta),
                ));
            }
            for len in [0u32, 0xFFFF_FFFF] {
                v.push((
                    format!("{name}_mtrk{track}_len_{len:#x}"),
                    set_chunk_length(&bytes, track, len),
                ));
            }
        }
    }
    for (name, bytes) in fixtures::all_damaged() {
        v.push((format!("damaged_{name}"), bytes));
    }
    v
}

#[test]
fn hostile_files_end_in_a_clear_error_or_a_bounded_play() {
    let tally = with_big_stack(|| {
        let mut t = Tally::default();
        for (name, bytes) in hostile_cases() {
            check(&name, &bytes, true, &mut t);
        }
        t
    });
    println!(
        "hostile cases: {} files: {} rejected with an error, {} read in part with problems \
         reported, {} read cleanly; {} sequenced to their end ({} of them sought to the end \
         after {PLAY_CAP} periods)",
        tally.cases,
        tally.rejected,
        tally.partial,
        tally.clean,
        tally.sequenced,
        tally.sought_to_end
    );
    assert!(
        tally.problems.is_empty(),
        "{} problems:\n{}",
        tally.problems.len(),
        tally.problems.join("\n")
    );
    // The cases really are hostile: most must be noticed.
    assert!(tally.rejected + tally.partial > tally.clean, "{tally:?}");
}

/// Offsets at which to truncate a file of `len` bytes: all of them up to
/// 4 KiB; up to 64 KiB, every offset of the first and last KiB and 1 000
/// spread evenly between; beyond (the 10 MB fixture, where each read is
/// long), every offset of the first KiB, 16 spread between and the last 2.
fn truncation_offsets(len: usize) -> Vec<usize> {
    if len <= 4096 {
        return (0..len).collect();
    }
    let (tail, spread) = if len <= 64 * 1024 {
        (1024, 1000)
    } else {
        (2, 16)
    };
    let mut v: Vec<usize> = (0..1024).collect();
    v.extend((1024..len - tail).step_by((len - 1024 - tail) / spread + 1));
    v.extend(len - tail..len);
    v
}

#[test]
fn every_valid_fixture_truncated_at_every_offset_ends_cleanly() {
    let tally = with_big_stack(|| {
        let mut t = Tally::default();
        for (name, bytes) in fixtures::all_valid() {
            let every = match bytes.len() {
                0..512 => 1,
                512..4096 => 17,
                _ => usize::MAX,
            };
            for (i, at) in truncation_offsets(bytes.len()).into_iter().enumerate() {
                let cut = truncated(&bytes, at);
                check(
                    &format!("{name}[..{at}]"),
                    &cut,
                    every != usize::MAX && i % every == 0,
                    &mut t,
                );
            }
        }
        t
    });
    println!(
        "truncations: {} files: {} rejected with an error, {} read in part with problems \
         reported, {} read cleanly (cut after the last event); {} sequenced to their end",
        tally.cases, tally.rejected, tally.partial, tally.clean, tally.sequenced
    );
    assert!(
        tally.problems.is_empty(),
        "{} problems (first 20):\n{}",
        tally.problems.len(),
        tally.problems[..tally.problems.len().min(20)].join("\n")
    );
}
