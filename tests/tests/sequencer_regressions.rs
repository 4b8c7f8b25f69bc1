//! Inputs the sequencer fuzz target (`fuzz/fuzz_targets/sequencer.rs`) found,
//! replayed with the same driver and capacities, each with what went wrong.

use smfplay_core::sequencer::FeedStats;
use smfplay_tests::fuzz_script::{Script, play};
use smfplay_tests::recording_synth::RecordingSynth;

/// Plays a fuzz input; returns (periods played, commands given, feed stats).
fn replay(data: &[u8]) -> (u64, u64, FeedStats) {
    let script = Script::parse(data).expect("input has a header");
    let played = play(&script, &mut RecordingSynth::default()).expect("opens");
    (
        played.periods,
        played.commands,
        *played.sequencer.feed().stats(),
    )
}

/// A seek whose chase replay met a full calendar: each `fill` retried the
/// whole replay pass up to its event budget (1 024 passes a period), which
/// took the fuzzer's 10 s limit. Now a full calendar ends the `fill`.
#[test]
fn replay_into_a_full_calendar_does_not_spin() {
    let input = hex(
        "010580ff3403800a0080564200020080808000ff00784d546864000000060000000100604d54726b0001010580808000ff030a342d42797465104d54726b000000080090471040804710",
    );
    let (periods, commands, stats) = replay(&input);
    let jumps = u64::from(stats.loops) + commands;
    assert!(
        stats.replay_passes <= periods + jumps,
        "{} replay passes for {periods} periods and {jumps} jumps",
        stats.replay_passes
    );
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
