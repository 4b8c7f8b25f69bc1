//! Named, deterministic SMF fixtures for smfplay's tests and benchmarks.
//!
//! Every generator returns the bytes of one file and produces the same bytes
//! on every machine (randomness comes from the seeded [`Rng`]). Valid
//! fixtures are listed by [`all_valid`], damaged ones by [`all_damaged`];
//! `gen-fixtures DIR` writes them all as `NAME.mid`.
//!
//! How `midly` (the reference) reads them:
//!
//! - all valid fixtures parse with lenient `midly::Smf::parse` and pass
//!   [`crate::strict::check`] (what midly's `strict` feature would accept),
//!   except [`running_status_across_meta`]: midly cancels running status on
//!   meta and sysex events, so lenient midly silently ends the track at the
//!   first channel event after a meta/sysex/escape that omits its status
//!   byte (it yields only the events before it), and strict midly rejects
//!   the file. [`running_status_across_meta_explicit`] has the same events
//!   with every status byte written: a reader that carries running status
//!   across meta/sysex must read the former exactly as midly reads the
//!   latter;
//! - see [`all_damaged`] for what each damaged fixture does to midly.

use crate::rng::Rng;
use crate::smf_writer::{
    ChunkLen, Division, RunningStatus, SmfWriter, TextKind, TrackWriter, chunk_table, rmid_wrap,
    smf,
};
use crate::timeline::Timeline;

/// Ticks per quarter note of the metrical fixtures (unless stated).
pub const TPQ: u16 = 480;
const Q: u64 = TPQ as u64;
const BAR: u64 = 4 * Q;

/// Chord roots and qualities (semitones from C) of the I–V–vi–IV loop in C.
const LOOP: [[u8; 3]; 4] = [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]];

fn conductor(name: &str, tempo: u32) -> Timeline {
    let mut t = Timeline::new();
    t.text(0, TextKind::TrackName, name)
        .meta(0, 0x58, &[4, 2, 24, 8])
        .meta(0, 0x59, &[0, 0])
        .tempo(0, tempo);
    t
}

/// Format 0, 480 tpq, one track: name, tempo, time and key signature,
/// program/volume/pan, a C major scale up and down in eighths (note-offs as
/// zero-velocity note-ons, written with running status), then a chord with
/// a pitch-bend wiggle, channel pressure and polyphonic aftertouch.
pub fn format0_basic() -> Vec<u8> {
    let mut t = conductor("format0_basic", 500_000);
    t.zero_velocity_note_off = true;
    t.program(0, 0, 0)
        .control(0, 0, 7, 100)
        .control(0, 0, 10, 64);
    let scale = [60u8, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60];
    for (i, &k) in scale.iter().enumerate() {
        t.note(i as u64 * Q / 2, Q / 2, 0, k, 80 + i as u8);
    }
    let at = 8 * Q;
    for k in [60, 64, 67] {
        t.note(at, 2 * Q, 0, k, 90);
    }
    for (i, bend) in [0x2000u16, 0x2400, 0x2800, 0x2400, 0x2000, 0x1C00, 0x2000]
        .iter()
        .enumerate()
    {
        t.pitch_bend(at + i as u64 * Q / 4, 0, *bend);
    }
    t.midi(at + Q, 0xD0, &[50]).midi(at + Q, 0xA0, &[64, 70]);
    let track = t.render(RunningStatus::Compliant, at + 3 * Q);
    smf(0, Division::Metrical(TPQ), &[track])
}

/// Format 1, 480 tpq: track 0 is a conductor (name, copyright, time and key
/// signature, markers and a tempo map of five tempos); tracks 1–4 play 8
/// bars of I–V–vi–IV: piano chords (ch 1), bass (ch 2), strings (ch 3) and GM
/// drums (ch 10).
pub fn format1_multitrack() -> Vec<u8> {
    let mut rng = Rng::new(0xF0F1);
    let bars = 8u64;
    let mut c = conductor("format1_multitrack", 500_000);
    c.text(0, TextKind::Copyright, "Public domain test data")
        .text(0, TextKind::Marker, "A")
        .tempo(2 * BAR, 461_538)
        .tempo(4 * BAR, 428_571)
        .text(4 * BAR, TextKind::Marker, "B")
        .tempo(6 * BAR + Q, 500_000)
        .tempo(7 * BAR + 2 * Q, 600_000);
    let mut tracks = vec![c.render(RunningStatus::Compliant, bars * BAR)];

    let mut piano = Timeline::new();
    let mut bass = Timeline::new();
    let mut strings = Timeline::new();
    let mut drums = Timeline::new();
    piano.text(0, TextKind::TrackName, "Piano").program(0, 0, 0);
    bass.text(0, TextKind::TrackName, "Bass").program(0, 1, 33);
    strings
        .text(0, TextKind::TrackName, "Strings")
        .program(0, 2, 48)
        .control(0, 2, 7, 80);
    drums.text(0, TextKind::TrackName, "Drums");
    for bar in 0..bars {
        let chord = LOOP[(bar % 4) as usize];
        let start = bar * BAR;
        for beat in 0..4 {
            for &n in &chord {
                piano.note(start + beat * Q, Q - 20, 0, 60 + n, rng.range(60, 90) as u8);
            }
        }
        for (i, off) in [0u8, 0, 7, 12].iter().enumerate() {
            bass.note(start + i as u64 * Q, Q - 10, 1, 36 + chord[0] + off, 100);
        }
        for &n in &chord {
            strings.note(start, BAR, 2, 48 + n, 70);
        }
        for i in 0..8u64 {
            drums.note(start + i * Q / 2, Q / 4, 9, 42, rng.range(50, 80) as u8);
        }
        drums
            .note(start, Q / 4, 9, 36, 110)
            .note(start + 2 * Q, Q / 4, 9, 36, 105)
            .note(start + Q, Q / 4, 9, 38, 100)
            .note(start + 3 * Q, Q / 4, 9, 38, 100);
    }
    for t in [&piano, &bass, &strings, &drums] {
        tracks.push(t.render(RunningStatus::Compliant, bars * BAR));
    }
    smf(1, Division::Metrical(TPQ), &tracks)
}

/// Format 2, 96 tpq, three independent patterns of different lengths (1, 2
/// and 3 bars), each with a sequence number (the last one empty, `FF 00
/// 00`), a name and its own tempo.
pub fn format2_sequence() -> Vec<u8> {
    let tpq = 96u64;
    let mut tracks = Vec::new();
    for (i, (bars, tempo, key)) in [(1u64, 500_000u32, 60u8), (2, 400_000, 64), (3, 700_000, 55)]
        .into_iter()
        .enumerate()
    {
        let mut t = Timeline::new();
        if i == 2 {
            t.meta(0, 0x00, &[]);
        } else {
            t.meta(0, 0x00, &(i as u16).to_be_bytes());
        }
        t.text(
            0,
            TextKind::TrackName,
            &format!("Pattern {}", (b'A' + i as u8) as char),
        )
        .tempo(0, tempo)
        .program(0, 0, [0u8, 11, 24][i]);
        for step in 0..bars * 8 {
            let k = key + [0u8, 4, 7, 12, 7, 4, 0, 7][(step % 8) as usize];
            t.note(step * tpq / 2, tpq / 2 - 4, 0, k, 90);
        }
        tracks.push(t.render(RunningStatus::Compliant, bars * 4 * tpq));
    }
    smf(2, Division::Metrical(tpq as u16), &tracks)
}

/// Format 1, 96 tpq, `n` tracks. Track `i` uses channel `i % 16` and plays
/// 32 short notes at ticks `24 k + i % 3`, so events of many tracks share a
/// tick (exercising the lower-track-first tie rule) and the tracks'
/// end-of-tracks fall on different ticks. Track 0 also holds the tempo.
pub fn many_tracks(n: u16) -> Vec<u8> {
    let mut tracks = Vec::with_capacity(n.into());
    for i in 0..u64::from(n) {
        let ch = (i % 16) as u8;
        let mut t = Timeline::with_zero_velocity_note_off();
        if i == 0 {
            t.tempo(0, 500_000);
        }
        t.text(0, TextKind::TrackName, &format!("Track {i}"));
        if ch != 9 {
            t.program(0, ch, (i % 128) as u8);
        }
        for k in 0..32u64 {
            let key = 36 + ((i * 5 + k * 7) % 60) as u8;
            t.note(24 * k + i % 3, 12, ch, key, 64 + (k % 32) as u8);
        }
        tracks.push(t.render(RunningStatus::Compliant, 32 * 24 + 24 + i));
    }
    smf(1, Division::Metrical(96), &tracks)
}

/// The payload of a sysex event that is exactly `n` bytes long: what
/// follows `F0 <len>` (and what `midly` yields as `SysEx(data)`), ending in
/// `F7` if `n >= 1` and starting with the non-commercial ID `7D` if
/// `n >= 2`. The whole event on the wire is `F0`, the VLQ of `n`, then this.
pub fn sysex_payload(n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..n).map(|i| (i % 128) as u8).collect();
    if n >= 2 {
        v[0] = 0x7D;
    }
    if n >= 1 {
        v[n - 1] = 0xF7;
    }
    v
}

/// GM System On: `F0 7E 7F 09 01 F7` (payload after `F0`).
pub const GM_RESET: [u8; 5] = [0x7E, 0x7F, 0x09, 0x01, 0xF7];
/// Roland GS reset: `F0 41 10 42 12 40 00 7F 00 41 F7`.
pub const GS_RESET: [u8; 10] = [0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7];
/// Yamaha XG System On: `F0 43 10 4C 00 00 7E 00 F7`.
pub const XG_RESET: [u8; 8] = [0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7];

/// Format 0, 96 tpq: GM, GS and XG resets, a minimal `F0 01 F7`, a sysex
/// split into three packets (`F0` without `F7`, an `F7` continuation, an
/// `F7` continuation ending in `F7`), an escape carrying a MIDI Start `FA`,
/// and a sysex whose payload is exactly `big_len` bytes
/// ([`sysex_payload`]), all between notes written with (spec-compliant)
/// running status.
pub fn sysex_mix(big_len: usize) -> Vec<u8> {
    let mut t = Timeline::with_zero_velocity_note_off();
    t.text(0, TextKind::TrackName, "sysex_mix")
        .sysex(0, &GM_RESET)
        .program(0, 0, 4);
    let mut tick = 0;
    let mut step = |t: &mut Timeline| {
        t.note(tick, 40, 0, 60 + (tick / 48 % 12) as u8, 90).note(
            tick,
            40,
            0,
            64 + (tick / 48 % 12) as u8,
            90,
        );
        tick += 48;
        tick
    };
    let at = step(&mut t);
    t.sysex(at, &GS_RESET);
    let at = step(&mut t);
    t.sysex(at, &XG_RESET);
    let at = step(&mut t);
    t.sysex(at, &[0xF7]);
    let at = step(&mut t);
    t.sysex(at, &[0x43, 0x12, 0x00, 0x01, 0x02])
        .escape(at + 10, &[0x03, 0x04, 0x05])
        .escape(at + 20, &[0x06, 0x07, 0xF7]);
    let at = step(&mut t);
    t.escape(at, &[0xFA]);
    let at = step(&mut t);
    t.sysex(at, &sysex_payload(big_len));
    let end = step(&mut t);
    smf(
        0,
        Division::Metrical(96),
        &[t.render(RunningStatus::Compliant, end)],
    )
}

fn running_status_timeline() -> Timeline {
    let mut t = Timeline::with_zero_velocity_note_off();
    t.text(0, TextKind::TrackName, "running_status_across_meta")
        .program(0, 0, 0);
    let words = ["Row ", "row ", "row ", "your ", "boat"];
    for (i, w) in words.iter().enumerate() {
        let at = i as u64 * 96;
        // Note-on, then a lyric, then the next note-on at the same tick.
        t.midi(at, 0x90, &[60 + i as u8, 90])
            .text(at, TextKind::Lyric, w)
            .midi(at, 0x90, &[67 + i as u8, 80]);
        // Note-offs (9n key 0) around a marker and a sysex.
        t.midi(at + 80, 0x90, &[60 + i as u8, 0])
            .text(at + 80, TextKind::Marker, "m")
            .midi(at + 80, 0x90, &[67 + i as u8, 0]);
    }
    // Controllers across a tempo change and a sysex; bends across an escape.
    t.control(500, 0, 7, 100)
        .tempo(500, 400_000)
        .control(500, 0, 10, 30)
        .sysex(510, &GM_RESET)
        .control(520, 0, 10, 90)
        .pitch_bend(530, 0, 0x2100)
        .escape(531, &[0xF3, 0x01])
        .pitch_bend(532, 0, 0x2200)
        .text(533, TextKind::CuePoint, "cue")
        .pitch_bend(534, 0, 0x2000);
    t
}

/// Format 0, 96 tpq: channel events that rely on running status carried
/// across interleaved lyric, marker, cue, tempo, sysex and escape events
/// (written with [`RunningStatus::AcrossMetaSysex`]), as many real files do.
/// `midly` misreads it: the track ends silently before the first channel
/// event that follows the first lyric (see the module docs).
pub fn running_status_across_meta() -> Vec<u8> {
    smf(
        0,
        Division::Metrical(96),
        &[running_status_timeline().render(RunningStatus::AcrossMetaSysex, 600)],
    )
}

/// The same events as [`running_status_across_meta`] with every status
/// byte written: what a correct reader must read from that file.
pub fn running_status_across_meta_explicit() -> Vec<u8> {
    smf(
        0,
        Division::Metrical(96),
        &[running_status_timeline().render(RunningStatus::Never, 600)],
    )
}

/// Format 1, 480 tpq, `n` tempo changes in track 0 at irregular ticks (gaps
/// of 0 to 959 ticks, so some share a tick) with random tempos in
/// `1..=0xFFFFFF` µs per quarter note (the first is 1 and the last
/// `0xFFFFFF`, the extremes), plus a note track spanning the same ticks.
pub fn tempo_heavy(n: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x7E4D0 ^ n as u64);
    let mut c = Timeline::new();
    c.text(0, TextKind::TrackName, "tempo_heavy");
    let mut tick = 0u64;
    for i in 0..n {
        let tempo = match i {
            0 => 1,
            _ if i == n - 1 => 0xFF_FFFF,
            _ => rng.range(1, 0xFF_FFFF) as u32,
        };
        c.tempo(tick, tempo);
        tick += if rng.chance(1, 8) { 0 } else { rng.below(960) };
    }
    let end = tick + Q;
    let mut notes = Timeline::with_zero_velocity_note_off();
    notes.program(0, 0, 0);
    let mut at = 0;
    while at < end {
        notes.note(at, Q / 2, 0, 48 + rng.below(36) as u8, 90);
        at += Q / 2 + rng.below(Q);
    }
    let tracks = [
        c.render(RunningStatus::Compliant, end),
        notes.render(RunningStatus::Compliant, end),
    ];
    smf(1, Division::Metrical(TPQ), &tracks)
}

/// Format 1 with SMPTE division (`fps` 24, 25, 29 = 29.97 drop frame, or
/// 30; `ticks_per_frame` the low byte): an SMPTE offset of 01:02:03 in
/// track 0 (with the matching rate code), a tempo event (ignored for timing
/// under SMPTE) and notes every quarter second for 4 seconds in track 1.
pub fn smpte(fps: u8, ticks_per_frame: u8) -> Vec<u8> {
    let code = match fps {
        24 => 0u8,
        25 => 1,
        29 => 2,
        30 => 3,
        _ => panic!("smpte: fps must be 24, 25, 29 or 30"),
    };
    let tps = u64::from(fps) * u64::from(ticks_per_frame);
    let mut c = Timeline::new();
    c.text(
        0,
        TextKind::TrackName,
        &format!("smpte {fps} fps x {ticks_per_frame}"),
    )
    .meta(0, 0x54, &[(code << 5) | 1, 2, 3, (fps - 1).min(10), 50])
    .tempo(0, 500_000);
    let mut n = Timeline::with_zero_velocity_note_off();
    for i in 0..16u64 {
        n.note(i * tps / 4, tps / 8, 0, 60 + (i % 12) as u8, 100);
    }
    let tracks = [
        c.render(RunningStatus::Compliant, 4 * tps),
        n.render(RunningStatus::Compliant, 4 * tps),
    ];
    smf(
        1,
        Division::Smpte {
            fps,
            ticks_per_frame,
        },
        &tracks,
    )
}

/// `inner` wrapped in a bare RMID file: `RIFF <size> RMID data <size>
/// inner [pad]`.
pub fn rmid(inner: &[u8]) -> Vec<u8> {
    rmid_wrap(inner, &[], None)
}

/// `inner` wrapped in an RMID file with a `LIST`/`INFO` chunk (`INAM`,
/// `ICOP`, `ISFT`) before `data` and a `DISP` text chunk after it.
pub fn rmid_with_list(inner: &[u8]) -> Vec<u8> {
    rmid_wrap(
        inner,
        &[
            (*b"INAM", b"smfplay fixture"),
            (*b"ICOP", b"Public domain"),
            (*b"ISFT", b"smfplay-tests gen-fixtures"),
        ],
        Some(b"smfplay"),
    )
}

/// Format 0, 96 tpq, one track holding every meta event type between
/// notes: `00` sequence number, the nine text kinds `01`–`09` (one with
/// UTF-8 text), an undefined text-like type `0A`, `20` channel prefix, `21`
/// port, `51` tempo, `54` SMPTE offset, `58` time signature, `59` key
/// signatures (3 flats minor, 2 sharps major), `7F` sequencer-specific, an
/// unknown type `60`, and `2F` end of track.
pub fn all_meta_kinds() -> Vec<u8> {
    let mut t = TrackWriter::with_running_status(RunningStatus::Compliant);
    t.sequence_number(0, 7);
    let texts: [&[u8]; 9] = [
        "Grüße, ♪ text".as_bytes(),
        b"(C) nobody",
        b"all_meta_kinds",
        b"Piano",
        b"la",
        b"Verse",
        b"cue 1",
        b"Grand Piano",
        b"Port A",
    ];
    for (kind, text) in TextKind::ALL.iter().zip(texts) {
        t.text(0, *kind, text);
    }
    t.meta(0, 0x0A, b"undefined text kind")
        .channel_prefix(0, 3)
        .port(0, 1)
        .tempo(0, 500_000)
        .smpte_offset(0, (1 << 5) | 1, 2, 3, 4, 5)
        .time_signature(0, 3, 2, 24, 8)
        .key_signature(0, -3, true)
        .sequencer_specific(0, &[0x00, 0x00, 0x41, 0x01, 0x02])
        .meta(0, 0x60, &[1, 2, 3]);
    t.program(0, 3, 0).note_on(0, 3, 60, 100);
    t.text(48, TextKind::Lyric, b"la");
    t.note_on(0, 3, 60, 0).note_on(0, 3, 64, 100);
    t.key_signature(48, 2, false)
        .text(0, TextKind::Marker, b"Chorus");
    t.note_on(0, 3, 64, 0).text(0, TextKind::CuePoint, b"cue 2");
    t.end_of_track(96);
    smf(0, Division::Metrical(96), &[t])
}

/// Format 1 with unknown chunks: `XFIH` right after the header, `JUNK`
/// between the two `MTrk`s and an `XFKM` after the last one (all complete
/// chunks with correct lengths, which readers must skip).
pub fn unknown_chunks() -> Vec<u8> {
    let mut a = TrackWriter::new();
    a.text(0, TextKind::TrackName, b"unknown_chunks")
        .tempo(0, 500_000)
        .end_of_track(192);
    let mut b = TrackWriter::with_running_status(RunningStatus::Compliant);
    b.note_on(0, 0, 60, 100)
        .note_on(96, 0, 60, 0)
        .note_on(0, 0, 62, 100)
        .note_on(96, 0, 62, 0)
        .end_of_track(0);
    let mut w = SmfWriter::new();
    w.header(1, 2, Division::Metrical(96))
        .chunk(*b"XFIH", b"\x00\x01XF info header", ChunkLen::Correct)
        .track(&a)
        .chunk(*b"JUNK", &[0xFF; 13], ChunkLen::Correct)
        .track(&b)
        .chunk(*b"XFKM", b"karaoke", ChunkLen::Correct);
    w.finish()
}

/// Format 0 whose delta times use non-minimal (padded, up to 4 bytes)
/// variable-length quantities, e.g. `80 80 80 00` for 0: legal, and read
/// the same as the canonical forms.
pub fn nonminimal_vlq() -> Vec<u8> {
    let mut t = TrackWriter::new();
    t.pad_next_delta(4).tempo(0, 500_000);
    t.pad_next_delta(2).note_on(0, 0, 60, 100);
    t.pad_next_delta(3).note_on(96, 0, 60, 0);
    t.pad_next_delta(4).note_on(0x7F, 0, 62, 100);
    t.pad_next_delta(4).note_on(0x3FFF, 0, 62, 0);
    t.pad_next_delta(2).end_of_track(1);
    smf(0, Division::Metrical(96), &[t])
}

/// General MIDI percussion keys (channel 10) used by the music generators.
pub mod drum {
    /// Bass drum 1.
    pub const KICK: u8 = 36;
    /// Acoustic snare.
    pub const SNARE: u8 = 38;
    /// Closed hi-hat.
    pub const HAT: u8 = 42;
    /// Open hi-hat.
    pub const OPEN_HAT: u8 = 46;
    /// Crash cymbal 1.
    pub const CRASH: u8 = 49;
    /// Ride cymbal 1.
    pub const RIDE: u8 = 51;
}

/// Adds one bar of dense 16-channel music starting at `start` to `t`.
fn dense_bar(t: &mut Timeline, rng: &mut Rng, bar: u64, start: u64) {
    let chord = LOOP[(bar % 4) as usize];
    let s = Q / 4; // sixteenth
    // Drums (ch 10): 16th hats, kick, snare with ghosts, crash every 8 bars.
    for i in 0..16 {
        let key = if i % 8 == 6 {
            drum::OPEN_HAT
        } else {
            drum::HAT
        };
        t.note(start + i * s, s / 2, 9, key, rng.range(40, 90) as u8);
    }
    for i in [0u64, 6, 8, 11] {
        t.note(start + i * s, s, 9, drum::KICK, rng.range(95, 120) as u8);
    }
    for i in [4u64, 12] {
        t.note(start + i * s, s, 9, drum::SNARE, 110);
    }
    t.note(start + 15 * s, s / 2, 9, drum::SNARE, 40);
    if bar.is_multiple_of(8) {
        t.note(start, Q, 9, drum::CRASH, 100);
    }
    // Piano (ch 1): quarter-note chords.
    for beat in 0..4 {
        for &n in &chord {
            t.note(start + beat * Q, Q - 30, 0, 60 + n, rng.range(60, 90) as u8);
        }
        t.note(start + beat * Q, Q - 30, 0, 72 + chord[0], 70);
    }
    // Bass (ch 2): eighths on root and fifth.
    for i in 0..8u64 {
        let k = 36 + chord[0] + if i % 4 == 3 { 7 } else { 0 };
        t.note(
            start + i * Q / 2,
            Q / 2 - 20,
            1,
            k,
            rng.range(90, 110) as u8,
        );
    }
    // Strings (ch 3): whole-bar chord with an expression swell.
    for &n in &chord {
        t.note(start, BAR - 10, 2, 48 + n, 70);
    }
    for i in 0..8u64 {
        t.control(start + i * Q / 2, 2, 11, (70 + 7 * i) as u8);
    }
    // Lead (ch 4): 16th random walk over the scale, with bends.
    let scale = [0u8, 2, 4, 5, 7, 9, 11];
    let mut deg = rng.below(7) as usize + 7;
    for i in 0..16u64 {
        deg = (deg + rng.below(5) as usize).saturating_sub(2).clamp(3, 17);
        let key = 60 + scale[deg % 7] + 12 * (deg / 7) as u8 - 12;
        t.note(start + i * s, s - 10, 3, key, rng.range(70, 110) as u8);
        t.pitch_bend(start + i * s + s / 2, 3, 0x2000 + rng.below(0x400) as u16);
    }
    t.pitch_bend(start + BAR - 1, 3, 0x2000);
    // Arpeggio (ch 5): 16ths over the chord.
    for i in 0..16u64 {
        let n = chord[(i % 3) as usize] + 12 * (i / 3 % 2) as u8;
        t.note(start + i * s, s - 5, 4, 60 + n, rng.range(50, 80) as u8);
    }
    // Channels 6–9 and 11–16: eighth-note chord tones in different registers,
    // with modulation and pan sweeps on some.
    for ch in (5u8..16).filter(|&c| c != 9) {
        let octave = 36 + 12 * (ch % 4);
        for i in 0..8u64 {
            if rng.chance(3, 4) {
                let n = chord[rng.below(3) as usize];
                t.note(
                    start + i * Q / 2,
                    Q / 2 - 15,
                    ch,
                    octave + n,
                    rng.range(40, 90) as u8,
                );
            }
        }
        if ch == 6 {
            for i in 0..4u64 {
                t.control(start + i * Q, ch, 1, (i * 30) as u8);
            }
        }
        if ch == 7 {
            for i in 0..4u64 {
                t.control(start + i * Q, ch, 10, (20 + i * 30) as u8);
            }
        }
    }
}

fn dense_setup(t: &mut Timeline, ch_offset: u8) {
    let programs = [
        0u8, 33, 48, 80, 4, 24, 52, 56, 11, 0, 73, 65, 19, 89, 46, 40,
    ];
    for ch in 0..16u8 {
        if ch != 9 {
            t.program(0, ch, programs[((ch + ch_offset) % 16) as usize]);
        }
        t.control(0, ch, 7, 90 + ch % 3 * 10)
            .control(0, ch, 10, 16 + ch * 6)
            .control(0, ch, 91, 40);
    }
}

/// Format 0, 480 tpq, 120 bpm (one bar = 2 s): `seconds` seconds (rounded
/// up to whole bars) of dense music on all 16 channels (drums on channel
/// 10): program changes (again every 8 bars on some channels), volume, pan,
/// reverb, expression and modulation controllers, pitch bends, chords,
/// arpeggios — about 160 events per second, written with running
/// status and zero-velocity note-offs. Meant for benchmarks.
pub fn dense_16ch(seconds: u32) -> Vec<u8> {
    let mut rng = Rng::new(0xDE45E);
    let bars = u64::from(seconds).div_ceil(2);
    let mut t = conductor("dense_16ch", 500_000);
    t.zero_velocity_note_off = true;
    dense_setup(&mut t, 0);
    for bar in 0..bars {
        let start = bar * BAR;
        if bar % 8 == 7 {
            for ch in [4u8, 5, 10] {
                t.program(start, ch, rng.below(100) as u8);
            }
        }
        dense_bar(&mut t, &mut rng, bar, start);
    }
    let track = t.render(RunningStatus::Compliant, bars * BAR);
    smf(0, Division::Metrical(TPQ), &[track])
}

/// Format 1, 480 tpq, 16 tracks, at least `target_bytes` long (and less
/// than one bar more): track `i` carries channel `i`'s part of the
/// [`dense_16ch`] music (drums in track 9 on channel 10); track 0 also holds
/// the conductor events (tempo changes every 16 bars, markers). Running
/// status, zero-velocity note-offs and realistic deltas make it compact
/// like real files; `large_16track(10_000_000)` is the ~10 MB benchmark file.
pub fn large_16track(target_bytes: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x1A46E);
    let mut tracks: Vec<TrackWriter> = (0..16)
        .map(|_| TrackWriter::with_running_status(RunningStatus::Compliant))
        .collect();
    let header_and_chunks = 14 + 16 * 8 + 16 * 4; // plus end-of-tracks
    let mut bar = 0u64;
    let mut setup = conductor("large_16track", 500_000);
    setup.zero_velocity_note_off = true;
    dense_setup(&mut setup, 3);
    let mut pending = Some(setup);
    loop {
        let size: usize = header_and_chunks + tracks.iter().map(|t| t.bytes().len()).sum::<usize>();
        if size >= target_bytes {
            break;
        }
        let start = bar * BAR;
        let mut all = pending
            .take()
            .unwrap_or_else(Timeline::with_zero_velocity_note_off);
        if bar.is_multiple_of(16) {
            let tempo = 500_000 - (bar / 16 % 5) as u32 * 20_000;
            all.tempo(start, tempo)
                .text(start, TextKind::Marker, &format!("Section {}", bar / 16));
        }
        dense_bar(&mut all, &mut rng, bar, start);
        // Split the bar's events by channel (metas go to track 0).
        let per = all.split_by_channel();
        for (t, p) in tracks.iter_mut().zip(&per) {
            p.render_into(t);
        }
        bar += 1;
    }
    let end = bar * BAR;
    for t in &mut tracks {
        let d = t.delta_to(end);
        t.end_of_track(d);
    }
    smf(1, Division::Metrical(TPQ), &tracks)
}

// ---------------------------------------------------------------- damaged

/// The first `at` bytes of `bytes` (all of them if `at` is past the end).
pub fn truncated(bytes: &[u8], at: usize) -> Vec<u8> {
    bytes[..at.min(bytes.len())].to_vec()
}

/// Offset of the length field of the `track`-th `MTrk` chunk of an SMF.
fn mtrk_len_offset(bytes: &[u8], track: usize) -> (usize, u32) {
    chunk_table(bytes)
        .into_iter()
        .filter(|(id, _, _)| id == b"MTrk")
        .nth(track)
        .map(|(_, off, len)| (off, len))
        .expect("no such MTrk chunk")
}

/// `bytes` (an SMF, not RMID) with the length field of its `track`-th
/// `MTrk` chunk (0-based, counting only `MTrk`s) changed by `delta`,
/// wrapping modulo 2^32. Panics if there is no such chunk.
pub fn bad_chunk_length(bytes: &[u8], track: usize, delta: i64) -> Vec<u8> {
    let (_, len) = mtrk_len_offset(bytes, track);
    set_chunk_length(bytes, track, i64::from(len).wrapping_add(delta) as u32)
}

/// `bytes` (an SMF) with the length field of its `track`-th `MTrk` chunk
/// set to `len` (e.g. `0` or `0xFFFF_FFFF`).
pub fn set_chunk_length(bytes: &[u8], track: usize, len: u32) -> Vec<u8> {
    let (off, _) = mtrk_len_offset(bytes, track);
    let mut out = bytes.to_vec();
    out[off..off + 4].copy_from_slice(&len.to_be_bytes());
    out
}

/// [`format1_multitrack`] followed by 45 bytes of garbage that are not a
/// chunk (text, a CR LF, a DOS EOF and high bytes; long enough to be
/// misread as a chunk header whose length runs past the end of file).
pub fn garbage_after_end() -> Vec<u8> {
    let mut v = format1_multitrack();
    v.extend_from_slice(b"\r\n\x1a this is not a chunk \xff\xfe\x00\x01 garbage!!!!!!");
    v
}

/// Format 1 with two tracks whose second track ends without an
/// end-of-track event (its chunk simply stops after the last note-off).
pub fn missing_end_of_track() -> Vec<u8> {
    let mut a = TrackWriter::new();
    a.tempo(0, 500_000).end_of_track(384);
    let mut b = TrackWriter::with_running_status(RunningStatus::Compliant);
    b.program(0, 0, 0);
    for i in 0..4 {
        b.note_on(if i == 0 { 0 } else { 1 }, 0, 60 + i * 2, 100)
            .note_on(95, 0, 60 + i * 2, 0);
    }
    smf(1, Division::Metrical(96), &[a, b])
}

/// [`format0_basic`] whose only `MTrk` declares 100 bytes more than the file
/// holds.
pub fn chunk_length_past_eof() -> Vec<u8> {
    bad_chunk_length(&format0_basic(), 0, 100)
}

/// Format 0 whose second event's delta is a 5-byte VLQ (`80 80 80 80 00`):
/// longer than the SMF maximum of 4 bytes. `midly` reads 4 bytes and then
/// takes the fifth (`00`) as a running-status data byte.
pub fn overlong_vlq_5byte() -> Vec<u8> {
    let mut t = TrackWriter::new();
    t.tempo(0, 500_000);
    t.pad_next_delta(5).note_on(0, 0, 60, 100);
    t.note_on(96, 0, 60, 0).end_of_track(0);
    smf(0, Division::Metrical(96), &[t])
}

/// [`format1_multitrack`] whose header declares 7 tracks (it has 5).
pub fn ntrks_mismatch() -> Vec<u8> {
    let mut v = format1_multitrack();
    v[10..12].copy_from_slice(&7u16.to_be_bytes());
    v
}

/// Format 0 whose track begins with a data byte (no status and no running
/// status to use), followed by otherwise normal events.
pub fn no_initial_status() -> Vec<u8> {
    let mut t = TrackWriter::new();
    t.midi_with_status(0, 0x90, &[60, 100], false)
        .note_on(96, 0, 60, 0)
        .end_of_track(0);
    smf(0, Division::Metrical(96), &[t])
}

/// Format 0 with a system common message (`F2` song position) inside the
/// track, which an SMF may not contain.
pub fn system_common_in_track() -> Vec<u8> {
    let mut t = TrackWriter::new();
    t.note_on(0, 0, 60, 100).raw(&[0x00, 0xF2, 0x00, 0x00]);
    t.note_on(96, 0, 60, 0).end_of_track(0);
    smf(0, Division::Metrical(96), &[t])
}

/// [`format0_basic`] with the header's format field set to 3.
pub fn format_3() -> Vec<u8> {
    let mut v = format0_basic();
    v[8..10].copy_from_slice(&3u16.to_be_bytes());
    v
}

/// Every valid fixture, named. Includes [`running_status_across_meta`],
/// which is what real files do but which `midly` misreads (see the module
/// docs), and the ~10 MB [`large_16track`].
pub fn all_valid() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("format0_basic", format0_basic()),
        ("format1_multitrack", format1_multitrack()),
        ("format2_sequence", format2_sequence()),
        ("many_tracks_64", many_tracks(64)),
        ("sysex_mix", sysex_mix(SYSEX_MIX_BIG_LEN)),
        ("running_status_across_meta", running_status_across_meta()),
        (
            "running_status_across_meta_explicit",
            running_status_across_meta_explicit(),
        ),
        ("tempo_heavy_1000", tempo_heavy(1000)),
        ("smpte_24", smpte(24, 4)),
        ("smpte_25", smpte(25, 40)),
        ("smpte_29", smpte(29, 100)),
        ("smpte_30", smpte(30, 80)),
        ("rmid_format0", rmid(&format0_basic())),
        ("rmid_list_format1", rmid_with_list(&format1_multitrack())),
        ("rmid_list_odd", rmid_with_list(&all_meta_kinds())),
        ("all_meta_kinds", all_meta_kinds()),
        ("unknown_chunks", unknown_chunks()),
        ("nonminimal_vlq", nonminimal_vlq()),
        ("dense_16ch_60s", dense_16ch(60)),
        ("large_16track", large_16track(LARGE_16TRACK_BYTES)),
    ]
}

/// Payload length of the big sysex in the `sysex_mix` fixture of
/// [`all_valid`].
pub const SYSEX_MIX_BIG_LEN: usize = 1000;

/// Target size of the `large_16track` fixture of [`all_valid`].
pub const LARGE_16TRACK_BYTES: usize = 10_000_000;

/// Every damaged fixture, named. What `midly` 0.5.3 makes of each
/// (lenient `Smf::parse` / [`crate::strict::check`]):
///
/// | name | lenient midly | strict midly |
/// | --- | --- | --- |
/// | `truncated_header` | error (header chunk too short) | error |
/// | `truncated_mid_track` | ok, the cut track stops early, later tracks are gone | error |
/// | `truncated_in_chunk_header` | ok, tracks before the cut | error |
/// | `chunk_length_plus_one` | ok, track 1 gets an extra byte and the next chunk header is misaligned, so later tracks are lost or garbled | error |
/// | `chunk_length_minus_one` | ok, track 1 loses its last byte (its end-of-track) and later chunks are misaligned | error |
/// | `chunk_length_zero` | ok, track 1 is empty; its bytes are misread as chunks | error |
/// | `chunk_length_ffffffff` | ok, track 1 runs to end of file | error |
/// | `garbage_after_end` | ok, all tracks; garbage skipped | error |
/// | `missing_end_of_track` | ok, track 1 has no end-of-track | ok |
/// | `chunk_length_past_eof` | ok, whole track | error |
/// | `overlong_vlq_5byte` | ok, track misread after the long VLQ | error |
/// | `ntrks_mismatch` | ok, 5 tracks | error |
/// | `no_initial_status` | ok, the track is empty | error |
/// | `system_common_in_track` | ok, the track stops before `F2` | error |
/// | `format_3` | error | error |
pub fn all_damaged() -> Vec<(&'static str, Vec<u8>)> {
    let f1 = format1_multitrack();
    let second_track = mtrk_len_offset(&f1, 1).0 - 4;
    vec![
        ("truncated_header", truncated(&format0_basic(), 10)),
        ("truncated_mid_track", truncated(&f1, f1.len() * 2 / 3 + 1)),
        (
            "truncated_in_chunk_header",
            truncated(&f1, second_track + 6),
        ),
        ("chunk_length_plus_one", bad_chunk_length(&f1, 1, 1)),
        ("chunk_length_minus_one", bad_chunk_length(&f1, 1, -1)),
        ("chunk_length_zero", set_chunk_length(&f1, 1, 0)),
        (
            "chunk_length_ffffffff",
            set_chunk_length(&f1, 1, 0xFFFF_FFFF),
        ),
        ("garbage_after_end", garbage_after_end()),
        ("missing_end_of_track", missing_end_of_track()),
        ("chunk_length_past_eof", chunk_length_past_eof()),
        ("overlong_vlq_5byte", overlong_vlq_5byte()),
        ("ntrks_mismatch", ntrks_mismatch()),
        ("no_initial_status", no_initial_status()),
        ("system_common_in_track", system_common_in_track()),
        ("format_3", format_3()),
    ]
}
