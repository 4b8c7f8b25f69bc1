//! Songs with in-file loop points, one per convention (markers, CC 116/117,
//! CC 110/111, CC 111), and the same songs with the loop written out
//! ("unrolled") for comparison.
//!
//! 480 ticks per quarter, 4/4. Bars 1–4 are the intro (tempo 120 BPM, then
//! 100 BPM from bar 3), bars 5–8 the loop (150 BPM from bar 6, so each turn
//! must restore the 100 BPM of its start), bars 9–10 the outro. CC 111 (RPG
//! Maker) has no loop end: its loop is bars 5–10, to the song's end. Every
//! event lies on a multiple of 240 ticks, which is a whole number of frames
//! at 44.1 and 48 kHz at every tempo used, so a looped and an unrolled song
//! have the same frames exactly.

use smfplay_core::sequencer::LoopConvention;

use crate::smf_writer::TextKind;
use crate::smf_writer::{Division, RunningStatus, smf};
use crate::timeline::Timeline;

/// Ticks per bar.
pub const BAR: u64 = 1920;
/// First tick of the loop (bar 5).
pub const LOOP_START: u64 = 4 * BAR;
/// First tick after the loop, when it has an end (bar 9).
pub const LOOP_END: u64 = 8 * BAR;
/// The song's last tick (bar 11).
pub const SONG_END: u64 = 10 * BAR;

/// The loop's end tick for `convention` (CC 111: the song's end).
pub fn loop_end(convention: Option<LoopConvention>) -> u64 {
    match convention {
        Some(LoopConvention::Cc111) => SONG_END,
        _ => LOOP_END,
    }
}

fn conductor(t: &mut Timeline, from: u64, to: u64, at: u64) {
    // Tempo changes in [from, to), moved to `at`; the tempo in force at
    // `from` is stated there.
    let tempo_at = |tick: u64| match tick {
        t if t < 2 * BAR => 500_000,
        t if t < 5 * BAR => 600_000,
        _ => 400_000,
    };
    t.tempo(at, tempo_at(from));
    for change in [2 * BAR, 5 * BAR] {
        if change > from && change < to {
            t.tempo(at + change - from, tempo_at(change));
        }
    }
}

fn music(t: &mut Timeline, from: u64, to: u64, at: u64) {
    let mut beat = from;
    while beat < to {
        let bar = beat / BAR;
        let key = 48 + (bar * 5 + (beat % BAR) / 480 * 2) as u8 % 36;
        t.note(at + beat - from, 240, 0, key, 90);
        if beat.is_multiple_of(BAR) {
            t.note(at + beat - from, 240, 9, 36, 100);
        }
        beat += 480;
    }
}

fn setup(t: &mut Timeline) {
    t.meta(0, 0x58, &[4, 2, 24, 8]);
    t.program(0, 0, 0)
        .control(0, 0, 7, 100)
        .control(0, 0, 10, 64)
        .control(0, 0, 91, 40)
        .control(0, 0, 93, 0);
}

/// The song, its loop marked as `convention` says (`None`: no marks).
pub fn looped(convention: Option<LoopConvention>) -> Vec<u8> {
    let mut t = Timeline::new();
    setup(&mut t);
    conductor(&mut t, 0, SONG_END, 0);
    music(&mut t, 0, SONG_END, 0);
    let (start, end) = (LOOP_START, LOOP_END);
    match convention {
        None => {}
        Some(LoopConvention::Markers) => {
            t.text(start, TextKind::Marker, "loopStart");
            t.text(end, TextKind::Marker, "loopEnd");
        }
        Some(LoopConvention::Cc116And117) => {
            t.control(start, 0, 116, 0).control(end, 0, 117, 127);
        }
        Some(LoopConvention::Cc110And111) => {
            t.control(start, 0, 110, 0).control(end, 0, 111, 0);
        }
        Some(LoopConvention::Cc111) => {
            t.control(start, 0, 111, 0);
        }
    }
    let track = t.render(RunningStatus::Compliant, SONG_END);
    smf(0, Division::Metrical(480), &[track])
}

/// The song with the loop of `convention` played `times` times in a row,
/// written out (no marks).
pub fn unrolled(convention: Option<LoopConvention>, times: u64) -> Vec<u8> {
    let end = loop_end(convention);
    let body = end - LOOP_START;
    let mut t = Timeline::new();
    setup(&mut t);
    conductor(&mut t, 0, LOOP_START, 0);
    music(&mut t, 0, LOOP_START, 0);
    for turn in 0..times {
        let at = LOOP_START + turn * body;
        conductor(&mut t, LOOP_START, end, at);
        music(&mut t, LOOP_START, end, at);
    }
    let outro = LOOP_START + times * body;
    conductor(&mut t, end, SONG_END.max(end), outro);
    music(&mut t, end, SONG_END, outro);
    let track = t.render(RunningStatus::Compliant, outro + SONG_END - end);
    smf(0, Division::Metrical(480), &[track])
}

/// The loop points smfplay's finder sees in `bytes` (read by midly).
pub fn detect(bytes: &[u8]) -> smfplay_core::sequencer::LoopPoints {
    let parsed = crate::reference::parse(bytes).expect("midly parses the file");
    let mut finder = smfplay_core::sequencer::LoopFinder::new(parsed.smf.header.timing);
    let mut last = 0;
    for e in &parsed.events {
        finder.observe(e.tick, &e.kind);
        last = e.tick;
    }
    finder.finish(last)
}
