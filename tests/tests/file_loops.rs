//! In-file loop points through the core sequencer: for each convention,
//! the loop is found where the song marks it, every turn lands on the exact
//! frame the tempo map gives (the tempo of the loop start restored at each
//! turn), and after the requested turns the song plays on to its end: the
//! end comes exactly at intro + turns × loop + outro. The log of a looped
//! song equals the log of the same song with the loop written out.

use smfplay_core::sequencer::{LoopConvention, LoopRange};
use smfplay_core::tempo::TempoMap;
use smfplay_tests::loop_songs::{self, LOOP_START, SONG_END};
use smfplay_tests::recording_synth::Logged;
use smfplay_tests::sequencer_harness::run_looped;

const RATE: u32 = 48_000;

/// Frame of `tick` in the song with no loop.
fn frame(tick: u64) -> u64 {
    let bytes = loop_songs::looped(None);
    let parsed = smfplay_tests::reference::parse(&bytes).unwrap();
    let mut map = TempoMap::new(parsed.smf.header.timing, RATE);
    for e in &parsed.events {
        if e.tick >= tick {
            break;
        }
        if let midly::TrackEventKind::Meta(midly::MetaMessage::Tempo(t)) = e.kind {
            map.set_tempo(e.tick, t.as_int());
        }
    }
    map.frame_at(tick)
}

fn notes(log: &[(u64, Logged)]) -> Vec<(u64, Logged)> {
    log.iter()
        .filter(|(_, l)| {
            matches!(
                l,
                Logged::Midi(
                    _,
                    midly::MidiMessage::NoteOn { .. } | midly::MidiMessage::NoteOff { .. }
                )
            )
        })
        .cloned()
        .collect()
}

#[test]
fn every_convention_loops_on_its_exact_frames() {
    for convention in LoopConvention::ALL {
        let bytes = loop_songs::looped(Some(convention));
        let found = loop_songs::detect(&bytes).found.expect("a loop");
        assert_eq!(found.convention, convention);
        let end = loop_songs::loop_end(Some(convention));
        let expected_end = (end < SONG_END).then_some(end);
        assert_eq!(
            found.range,
            LoopRange {
                start: LOOP_START,
                end: expected_end
            },
            "{convention:?}"
        );
        for period in [64, 256, 1000] {
            let run = run_looped(&bytes, RATE, period, 10 * 60 * 48_000, found.range, 2);
            let (a, b) = (frame(LOOP_START), frame(end));
            let body = b - a;
            let jumps: Vec<u64> = run
                .notices
                .0
                .iter()
                .filter(|(_, n)| n.starts_with("Jumped") && n.contains("looped: true"))
                .map(|(f, _)| *f)
                .collect();
            assert_eq!(jumps, [b, b + body], "{convention:?} period {period}");
            let ends: Vec<u64> = run
                .notices
                .0
                .iter()
                .filter(|(_, n)| n == "End")
                .map(|(f, _)| *f)
                .collect();
            assert_eq!(
                ends,
                [frame(SONG_END) + 2 * body],
                "{convention:?} period {period}"
            );
            // The same notes at the same frames as the loop written out.
            let unrolled = smfplay_tests::sequencer_harness::run(
                &loop_songs::unrolled(Some(convention), 3),
                RATE,
                period,
                10 * 60 * 48_000,
                &[],
            );
            assert_eq!(
                notes(&run.synth.log),
                notes(&unrolled.synth.log),
                "{convention:?}"
            );
        }
    }
}
