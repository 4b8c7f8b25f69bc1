//! Inputs the sequencer fuzz target (`fuzz/fuzz_targets/sequencer.rs`) found,
//! replayed with the same driver and capacities, each with what went wrong.

use smfplay_core::midly::num::u4;
use smfplay_core::sequencer::{Command, LoopRange, SeekTarget, Sequencer, SequencerConfig};
use smfplay_core::smf::{ReaderOptions, SliceSource};
use smfplay_tests::recording_synth::RecordingSynth;

type FuzzSequencer<'a> = Sequencer<SliceSource<'a>, 16, 32, 256, 512, 64, 8, 256>;

/// The fuzz target's command decoding (kept in step with it).
fn command(op: u8, a: u8, b: u8) -> Command {
    let (a64, b64) = (u64::from(a), u64::from(b));
    match op % 12 {
        0 => Command::Play,
        1 => Command::Pause,
        2 => Command::TogglePause,
        3 => Command::Stop,
        4 => Command::Seek(SeekTarget::Tick(a64 * b64 * 37)),
        5 => Command::Seek(SeekTarget::SongFrame(a64 * b64 * 1000)),
        6 => Command::TempoMilli(250 + u32::from(a) * 15),
        7 => Command::Transpose((a % 49) as i8 - 24),
        8 => Command::Mute(u4::new(a & 15), b & 1 == 1),
        9 => Command::Solo(u4::new(a & 15), b & 1 == 1),
        10 => Command::Loop(Some(LoopRange {
            start: a64 * 97,
            end: Some(a64 * 97 + b64 * 13 + 1),
        })),
        _ => Command::Loop(if b & 1 == 1 {
            Some(LoopRange::WHOLE_SONG)
        } else {
            None
        }),
    }
}

/// Plays a fuzz input; returns (periods played, commands given, feed stats).
fn replay(data: &[u8]) -> (u64, u64, smfplay_core::sequencer::FeedStats) {
    let [p, n, rest @ ..] = data else {
        panic!("short input")
    };
    let period = 1 + usize::from(*p) * 16;
    let script_len = (usize::from(*n) * 4).min(rest.len());
    let (script, file) = rest.split_at(script_len);
    let mut seq = FuzzSequencer::open(
        SliceSource::new(file),
        ReaderOptions::LENIENT,
        SequencerConfig::new(44_100, period as u32),
    )
    .expect("opens");
    let mut synth = RecordingSynth::default();
    let (mut l, mut r) = (vec![0.0f32; period], vec![0.0f32; period]);
    let mut commands: Vec<(u8, Command)> = script
        .chunks_exact(4)
        .map(|c| (c[0], command(c[1], c[2], c[3])))
        .collect();
    commands.sort_by_key(|c| c.0);
    let (mut next, mut periods) = (0, 0u64);
    for i in 0..3000 {
        while next < commands.len() && usize::from(commands[next].0) <= i {
            let _ = seq.command(&mut synth, commands[next].1);
            next += 1;
        }
        if seq.is_finished() {
            break;
        }
        let _ = seq.process(&mut synth, &mut l, &mut r, &mut ());
        periods += 1;
    }
    (periods, next as u64, *seq.feed().stats())
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
