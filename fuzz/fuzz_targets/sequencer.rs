//! The sequencer over a fuzzed file, driven by a fuzzed script of transport
//! commands (play, pause, stop, seek by tick and by time, tempo, transpose,
//! mute, solo, loop) at fuzzed periods of a fuzzed size.
//!
//! Input: byte 0 chooses the period (1–4081 frames), byte 1 the number of
//! commands; then 4 bytes per command (period index, operation, two
//! arguments); the rest is the MIDI file.
//!
//! Checks: no panic; at most `MAX_PERIODS` periods per input (bounded work);
//! every note-off the synth receives releases a note that sounds (the
//! sequencer never sends stray or duplicate note-offs); once the song has
//! finished, no note sounds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use smfplay_core::midly::MidiMessage;
use smfplay_core::midly::num::u4;
use smfplay_core::sequencer::{Command, LoopRange, SeekTarget, Sequencer, SequencerConfig};
use smfplay_core::smf::{ReaderOptions, SliceSource};
use smfplay_core::synth::{Synth, SynthEvent};

const MAX_PERIODS: usize = 3000;

/// Counts sounding notes per (channel, key) (two keys can sound as one
/// after transposition) and checks every release.
struct CheckingSynth {
    sounding: [[u16; 128]; 16],
}

impl Synth for CheckingSynth {
    fn apply(&mut self, event: SynthEvent<'_>) {
        let SynthEvent::Midi { channel, message } = event else { return };
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

type Seq<'a> = Sequencer<SliceSource<'a>, 16, 32, 256, 512, 64, 8, 256>;

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
        10 => Command::Loop(Some(LoopRange { start: a64 * 97, end: Some(a64 * 97 + b64 * 13 + 1) })),
        _ => Command::Loop(if b & 1 == 1 { Some(LoopRange::WHOLE_SONG) } else { None }),
    }
}

fuzz_target!(|data: &[u8]| {
    let [p, n, rest @ ..] = data else { return };
    let period = 1 + usize::from(*p) * 16;
    let script_len = (usize::from(*n) * 4).min(rest.len());
    let (script, file) = rest.split_at(script_len);
    let Ok(mut seq) = Seq::open(SliceSource::new(file), ReaderOptions::LENIENT, SequencerConfig::new(44_100, period as u32))
    else {
        return;
    };
    let mut synth = CheckingSynth { sounding: [[0; 128]; 16] };
    let (mut l, mut r) = (vec![0.0f32; period], vec![0.0f32; period]);
    let mut commands: Vec<(u8, Command)> =
        script.chunks_exact(4).map(|c| (c[0], command(c[1], c[2], c[3]))).collect();
    commands.sort_by_key(|c| c.0);
    let mut next = 0;
    for i in 0..MAX_PERIODS {
        while next < commands.len() && usize::from(commands[next].0) <= i {
            // Fatal reader errors during a seek end the song; that is allowed.
            let _ = seq.command(&mut synth, commands[next].1);
            next += 1;
        }
        if seq.is_finished() {
            break;
        }
        let _ = seq.process(&mut synth, &mut l, &mut r, &mut ());
    }
    if seq.is_finished() {
        let hanging: usize = synth.sounding.iter().flatten().map(|&n| usize::from(n)).sum();
        assert_eq!(hanging, 0, "notes still sound after the end of the song");
    }
});
