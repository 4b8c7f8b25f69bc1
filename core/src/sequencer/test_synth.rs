//! A synth for the sequencer's unit tests: logs each channel message with
//! the output frame it landed on. Test-only (it allocates).

use std::vec::Vec;

use midly::MidiMessage;
use midly::num::{u4, u7};

use crate::synth::{Synth, SynthEvent};

/// Logs `(frame, channel, message)`; counts sysex messages.
#[derive(Default)]
pub(super) struct LogSynth {
    /// Frames rendered so far.
    pub(super) frame: u64,
    /// Channel messages with the frame they landed on.
    pub(super) log: Vec<(u64, u8, MidiMessage)>,
    /// Sysex messages applied.
    pub(super) sysex: usize,
    /// The port of each entry of `log`.
    pub(super) ports: Vec<u8>,
}

impl LogSynth {
    /// `(frame, key)` of the note-ons (velocity > 0) logged.
    pub(super) fn note_ons(&self) -> Vec<(u64, u8)> {
        self.log
            .iter()
            .filter_map(|&(f, _, m)| match m {
                MidiMessage::NoteOn { key, vel } if vel > 0 => Some((f, key.as_int())),
                _ => None,
            })
            .collect()
    }

    /// `(frame, key)` of the note-offs (or note-ons of velocity 0) logged.
    pub(super) fn note_offs(&self) -> Vec<(u64, u8)> {
        self.log
            .iter()
            .filter_map(|&(f, _, m)| match m {
                MidiMessage::NoteOff { key, .. } => Some((f, key.as_int())),
                MidiMessage::NoteOn { key, vel } if vel == 0 => Some((f, key.as_int())),
                _ => None,
            })
            .collect()
    }
}

impl Synth for LogSynth {
    fn apply(&mut self, event: SynthEvent<'_>) {
        match event {
            SynthEvent::Midi {
                port,
                channel,
                message,
            } => {
                self.log.push((self.frame, channel.as_int(), message));
                self.ports.push(port);
            }
            SynthEvent::SysEx { .. } => self.sysex += 1,
            // A marker, not a message (the transport tests check jumps).
            SynthEvent::Jump { .. } => {}
        }
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        left.fill(0.0);
        right.fill(0.0);
        self.frame += left.len() as u64;
    }
}

/// A note-on (`vel` > 0) or note-off (`vel` 0, as a note-on) of `key` on
/// `channel`, as a song event.
pub(super) fn note(channel: u8, key: u8, vel: u8) -> super::SongEvent {
    super::SongEvent::Midi {
        port: 0,
        channel: u4::new(channel),
        message: MidiMessage::NoteOn {
            key: u7::new(key),
            vel: u7::new(vel),
        },
    }
}
