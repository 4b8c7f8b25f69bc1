//! Differential check of in-file loop points against rustysynth's
//! `MidiFileSequencer`, which honours CC 111 (RPG Maker), CC 110/111 and
//! CC 116/117, and a loop start given as a tick: on the generated songs of
//! each convention and on every corpus file where smfplay finds a loop,
//! rustysynth (told the convention smfplay found) must loop from the same
//! tick back to the same tick.
//!
//! rustysynth's sequencer moves in blocks (8 frames here): the loop end is
//! known to lie in the block where its play position fell back, a window
//! shorter than a tick at the corpus' tempos; the loop start is its exact
//! time. Both are compared with smfplay's exact tempo map: the start within
//! half a tick, the end inside the window.

use std::io::Cursor;
use std::sync::Arc;

use rustysynth::{
    MidiFile, MidiFileLoopType, MidiFileSequencer, SoundFont, Synthesizer, SynthesizerSettings,
};
use smfplay_core::sequencer::{FileLoop, LoopConvention};
use smfplay_core::tempo::TempoMap;
use smfplay_tests::corpus::{corpus_dir, manifest};
use smfplay_tests::loop_songs;

const RATE: u32 = 44_100;
const BLOCK: usize = 8;
const SOUNDFONT: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";

fn soundfont() -> Arc<SoundFont> {
    let mut f =
        std::fs::File::open(SOUNDFONT).expect("the TimGM6mb SoundFont (scripts/setup --test)");
    Arc::new(SoundFont::new(&mut f).expect("rustysynth reads the SoundFont"))
}

/// (seconds, half a tick in seconds) of `tick` by smfplay's tempo map.
fn our_time(bytes: &[u8], tick: u64) -> (f64, f64) {
    let parsed = smfplay_tests::reference::parse(bytes).expect("midly parses it");
    let timing = parsed.smf.header.timing;
    let mut map = TempoMap::new(timing, 1_000_000);
    for e in &parsed.events {
        if e.tick >= tick {
            break;
        }
        if let midly::TrackEventKind::Meta(midly::MetaMessage::Tempo(t)) = e.kind {
            map.set_tempo(e.tick, t.as_int());
        }
    }
    let tpq = match timing {
        midly::Timing::Metrical(t) => f64::from(t.as_int()),
        midly::Timing::Timecode(..) => 1.0,
    };
    let half_tick = f64::from(map.us_per_quarter()) / tpq / 2e6;
    (map.frame_at(tick) as f64 / 1e6, half_tick)
}

fn loop_type(found: &FileLoop) -> Option<MidiFileLoopType> {
    Some(match found.convention {
        LoopConvention::Cc111 => MidiFileLoopType::RpgMaker,
        LoopConvention::Cc110And111 => MidiFileLoopType::IncredibleMachine,
        LoopConvention::Cc116And117 => MidiFileLoopType::FinalFantasy,
        // A marked start alone is a loop point; rustysynth has no loop end marker.
        LoopConvention::Markers if found.range.end.is_none() && found.range.start > 0 => {
            MidiFileLoopType::LoopPoint(usize::try_from(found.range.start).ok()?)
        }
        LoopConvention::Markers => return None,
    })
}

/// Plays `bytes` in rustysynth until its position falls back; returns
/// (position before the fall, position after it), in seconds.
fn rustysynth_turn(
    sf: &Arc<SoundFont>,
    bytes: &[u8],
    kind: MidiFileLoopType,
    end_s: f64,
) -> Result<(f64, f64), String> {
    let midi = MidiFile::new_with_loop_type(&mut Cursor::new(bytes), kind)
        .map_err(|e| format!("rustysynth: {e:?}"))?;
    let mut settings = SynthesizerSettings::new(RATE as i32);
    settings.block_size = BLOCK;
    settings.maximum_polyphony = 8;
    settings.enable_reverb_and_chorus = false;
    let synth = Synthesizer::new(sf, &settings).map_err(|e| format!("{e:?}"))?;
    let mut seq = MidiFileSequencer::new(synth);
    seq.play(&Arc::new(midi), true);
    let (mut l, mut r) = (vec![0f32; 4096], vec![0f32; 4096]);
    let mut before = seq.get_position();
    while before < end_s + 2.0 {
        // Big steps until close to the end smfplay expects, then blocks.
        let n = if before < end_s - 0.2 { 4096 } else { BLOCK };
        seq.render(&mut l[..n], &mut r[..n]);
        let now = seq.get_position();
        if now < before {
            if n != BLOCK {
                return Err(format!("rustysynth looped early, by {before:.4} s"));
            }
            return Ok((before, now));
        }
        before = now;
    }
    Err(format!("rustysynth did not loop by {before:.3} s"))
}

/// Compares one file; `Ok(false)` when rustysynth has no such convention.
fn agree(
    sf: &Arc<SoundFont>,
    bytes: &[u8],
    found: &FileLoop,
    end_tick: u64,
) -> Result<bool, String> {
    let Some(kind) = loop_type(found) else {
        return Ok(false);
    };
    let end = found.range.end.unwrap_or(end_tick);
    let (start_s, start_half) = our_time(bytes, found.range.start);
    let (end_s, end_half) = our_time(bytes, end);
    let (fell_from, fell_to) = rustysynth_turn(sf, bytes, kind, end_s)?;
    let block = BLOCK as f64 / f64::from(RATE);
    let rs_start = fell_to - block;
    if (rs_start - start_s).abs() >= start_half.max(1e-9) {
        return Err(format!(
            "loop start: rustysynth {rs_start:.6} s, smfplay tick {} at {start_s:.6} s",
            found.range.start
        ));
    }
    let eps = 1e-7;
    if !(end_s <= fell_from + eps && end_s > fell_from - block - eps) {
        return Err(format!(
            "loop end: rustysynth turned in the block ({:.6}, {fell_from:.6}] s, smfplay at tick {end} = {end_s:.6} s",
            fell_from - block
        ));
    }
    if end_half * 2.0 < block {
        eprintln!("note: ticks shorter than a block at the loop end ({end_s:.3} s)");
    }
    Ok(true)
}

#[test]
fn rustysynth_loops_where_smfplay_does_on_generated_songs() {
    let sf = soundfont();
    for convention in LoopConvention::ALL {
        let bytes = loop_songs::looped(Some(convention));
        let found = loop_songs::detect(&bytes).found.expect("a loop");
        match agree(&sf, &bytes, &found, loop_songs::SONG_END) {
            Ok(compared) => assert_eq!(compared, convention != LoopConvention::Markers),
            Err(e) => panic!("{convention:?}: {e}"),
        }
    }
    // A marked loop start without an end: rustysynth's loop point.
    let mut t = smfplay_tests::timeline::Timeline::new();
    t.text(
        1440,
        smfplay_tests::smf_writer::TextKind::Marker,
        "loopStart",
    );
    t.tempo(0, 400_000)
        .note(0, 480, 0, 60, 90)
        .note(1920, 480, 0, 62, 90);
    let bytes = smfplay_tests::smf_writer::smf(
        0,
        smfplay_tests::smf_writer::Division::Metrical(96),
        &[t.render(smfplay_tests::smf_writer::RunningStatus::Compliant, 3000)],
    );
    let found = loop_songs::detect(&bytes).found.expect("a loop");
    assert_eq!(agree(&sf, &bytes, &found, 3000), Ok(true));
}

#[test]
fn rustysynth_loops_where_smfplay_does_on_the_corpus() {
    let Some(dir) = corpus_dir() else { return };
    let sf = soundfont();
    let (mut compared, mut with_loops) = (0, 0);
    let (mut failures, mut defects) = (Vec::new(), Vec::<String>::new());
    for row in manifest(&dir) {
        if !matches!(row.get("status"), "valid" | "edge") {
            continue;
        }
        let bytes = std::fs::read(&row.file).expect("read corpus file");
        let Ok(parsed) = smfplay_tests::reference::parse(&bytes) else {
            continue;
        };
        let metrical = matches!(parsed.smf.header.timing, midly::Timing::Metrical(_));
        let plain_smf =
            bytes.starts_with(b"MThd") && parsed.smf.header.format != midly::Format::Sequential;
        let end_tick = parsed.end_tick();
        drop(parsed);
        let points = loop_songs::detect(&bytes);
        if let Some(d) = points.defect {
            defects.push(format!("{}: {d}", row.get("path")));
        }
        let Some(found) = points.found else {
            continue;
        };
        with_loops += 1;
        if !metrical || !plain_smf {
            continue; // rustysynth reads metrical format 0/1 files only
        }
        match agree(&sf, &bytes, &found, end_tick) {
            Ok(true) => compared += 1,
            Ok(false) => {}
            Err(e) => failures.push(format!("{}: {:?}: {e}", row.get("path"), found.convention)),
        }
    }
    eprintln!(
        "{with_loops} corpus files with loop points; {compared} compared with rustysynth; \
         {} with marks ignored as malformed:\n{}",
        defects.len(),
        defects.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
