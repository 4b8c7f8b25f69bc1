//! The sequencer over a fuzzed file, driven by a fuzzed script of transport
//! commands (play, pause, stop, seek by tick and by time, tempo, transpose,
//! mute, solo, loop) at fuzzed periods of a fuzzed size.
//!
//! Input format, capacities and driver: `smfplay_tests::fuzz_script`
//! (shared with `tests/tests/sequencer_regressions.rs`).
//!
//! Checks: no panic; at most `MAX_PERIODS` periods per input (bounded work);
//! every note-off the synth receives releases a note that sounds (the
//! sequencer never sends stray or duplicate note-offs); once the song has
//! finished, no note sounds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use smfplay_core::midly::MidiMessage;
use smfplay_core::synth::{Synth, SynthEvent};
use smfplay_tests::fuzz_script::{Script, play};

/// Counts sounding notes per (channel, key) (two keys can sound as one
/// after transposition) and checks every release.
struct CheckingSynth {
    sounding: [[u16; 128]; 16],
}

impl Synth for CheckingSynth {
    fn apply(&mut self, event: SynthEvent<'_>) {
        let SynthEvent::Midi {
            channel, message, ..
        } = event
        else {
            return;
        };
        let ch = usize::from(channel.as_int());
        match message {
            MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                self.sounding[ch][usize::from(key.as_int())] += 1;
            }
            MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                let n = &mut self.sounding[ch][usize::from(key.as_int())];
                assert!(*n > 0, "note-off for a note that does not sound");
                *n -= 1;
            }
            MidiMessage::Controller { controller, .. } if matches!(controller.as_int(), 120 | 123..=127) => {
                self.sounding[ch] = [0; 128];
            }
            _ => {}
        }
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        left.fill(0.0);
        right.fill(0.0);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(script) = Script::parse(data) else { return };
    let mut synth = CheckingSynth { sounding: [[0; 128]; 16] };
    let Some(played) = play(&script, &mut synth) else { return };
    if played.sequencer.is_finished() {
        let hanging: usize = synth.sounding.iter().flatten().map(|&n| usize::from(n)).sum();
        assert_eq!(hanging, 0, "notes still sound after the end of the song");
    }
});
