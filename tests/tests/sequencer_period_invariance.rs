//! For random files and random period sizes (1..4096 frames) the sequencer's
//! `(frame, event)` log is identical whatever the period size, and equal to
//! the log computed independently from midly's parse and the exact tempo
//! map: every event lands on the floor of its exact time. This is what makes
//! live playback and offline render sample-identical.

use proptest::prelude::*;
use smfplay_tests::recording_synth::Logged;
use smfplay_tests::rng::Rng;
use smfplay_tests::sequencer_harness::{expected_log, run, run_tiny};
use smfplay_tests::smf_writer::{Division, RunningStatus, smf};
use smfplay_tests::timeline::Timeline;

/// A random song: notes that never overlap on the same (channel, key),
/// controllers, programs, bends, sysex and tempo changes; format 0 or 1
/// (one channel per track, so each channel's events keep their order).
/// Returns the file to play (format 0 relies on running status across meta
/// and sysex events) and the same song with every status byte written, for
/// the midly-based expectation (midly cannot read the former).
fn random_song(seed: u64, format1: bool) -> (Vec<u8>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let tpq = [24u16, 96, 120, 480, 960][rng.below(5) as usize];
    let mut t = Timeline::new();
    let span = u64::from(tpq) * (4 + rng.below(8));
    let mut busy_until = [[0u64; 128]; 16];
    for _ in 0..(20 + rng.below(140)) {
        let tick = rng.below(span);
        let ch = rng.below(16) as u8;
        match rng.below(10) {
            0 => {
                t.control(tick, ch, rng.below(120) as u8, rng.below(128) as u8);
            }
            1 => {
                t.program(tick, ch, rng.below(128) as u8);
            }
            2 => {
                t.pitch_bend(tick, ch, rng.below(16384) as u16);
            }
            3 if rng.below(3) == 0 => {
                t.sysex(
                    tick,
                    &[
                        0x41,
                        0x10,
                        0x42,
                        0x12,
                        0x40,
                        0x00,
                        rng.below(128) as u8,
                        0xF7,
                    ],
                );
            }
            3 => {
                t.tempo(tick, 200_000 + rng.below(900_000) as u32);
            }
            _ => {
                let key = rng.below(128) as usize;
                let len = 1 + rng.below(u64::from(tpq) * 2);
                // Strictly after the previous note's end: a note-on at the
                // same tick as that note's note-off would be a re-strike.
                if busy_until[ch as usize][key] < tick {
                    busy_until[ch as usize][key] = tick + len;
                    t.note(tick, len, ch, key as u8, 1 + rng.below(127) as u8);
                }
            }
        }
    }
    let end = span + u64::from(tpq) * 3;
    if format1 {
        let mut parts = t.split_by_channel();
        parts.retain(|p| !p.is_empty());
        let tracks: Vec<_> = parts
            .iter()
            .map(|p| p.render(RunningStatus::Compliant, end))
            .collect();
        let file = smf(1, Division::Metrical(tpq), &tracks);
        (file.clone(), file)
    } else {
        let compact = smf(
            0,
            Division::Metrical(tpq),
            &[t.render(RunningStatus::AcrossMetaSysex, end)],
        );
        let explicit = smf(
            0,
            Division::Metrical(tpq),
            &[t.render(RunningStatus::Never, end)],
        );
        (compact, explicit)
    }
}

fn note_count(log: &[(u64, Logged)]) -> usize {
    log.iter()
        .filter(|(_, e)| matches!(e, Logged::Midi(_, midly::MidiMessage::NoteOn { .. })))
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn log_is_the_same_for_every_period_size(
        seed in any::<u64>(),
        format1 in any::<bool>(),
        p1 in 1usize..4096,
        p2 in 1usize..4096,
    ) {
        let (song, explicit) = random_song(seed, format1);
        let rate = 8_000;
        let expected = expected_log(&explicit, rate);
        let a = run(&song, rate, p1, u64::MAX, &[]);
        let b = run(&song, rate, p2, u64::MAX, &[]);
        prop_assert_eq!(a.late, 0);
        prop_assert_eq!(b.late, 0);
        prop_assert_eq!(&a.synth.log, &expected, "period {}", p1);
        prop_assert_eq!(&b.synth.log, &expected, "period {}", p2);
        prop_assert!(a.synth.sounding().is_empty());
    }
}

#[test]
fn one_frame_and_4096_frame_periods_agree_on_the_dense_fixture() {
    let song = smfplay_tests::fixtures::dense_16ch(4);
    let rate = 22_050;
    let expected = expected_log(&song, rate);
    let one = run(&song, rate, 1, u64::MAX, &[]);
    let big = run(&song, rate, 4096, u64::MAX, &[]);
    assert_eq!(one.synth.log, expected);
    assert_eq!(big.synth.log, expected);
    println!(
        "dense fixture: {} events, {} notes, identical at 1 and 4096 frames",
        expected.len(),
        note_count(&expected)
    );
}

#[test]
fn tiny_capacities_defer_but_never_lose_or_reorder() {
    // A calendar of 3 events and a pool of 2 blocks: events wait (late, and
    // counted) but every one is applied exactly once, in order.
    let (song, explicit) = random_song(7, false);
    let rate = 8_000;
    let expected = expected_log(&explicit, rate);
    let tiny = run_tiny(&song, rate, 64, u64::MAX);
    let events: Vec<_> = tiny.synth.log.iter().map(|(_, e)| e.clone()).collect();
    let want: Vec<_> = expected.iter().map(|(_, e)| e.clone()).collect();
    assert_eq!(events, want);
    assert!(
        tiny.late > 0,
        "a 3-event calendar should have made some events late"
    );
    for ((got, _), (exp, _)) in tiny.synth.log.iter().zip(&expected) {
        assert!(got >= exp, "an event came early");
    }
}
