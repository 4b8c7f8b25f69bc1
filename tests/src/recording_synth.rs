//! A synth that renders silence and logs every event with the frame at
//! which it was applied (frames rendered so far): the core's sequencer
//! tests compare these logs.

use smfplay_core::synth::{Synth, SynthEvent};

/// One applied event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logged {
    /// Channel message (channel, message).
    Midi(u8, midly::MidiMessage),
    /// System exclusive bytes (after `F0`).
    SysEx(Vec<u8>),
}

/// Logs `(frame, event)`; renders a deterministic ramp so rendered audio
/// can be compared too.
#[derive(Default, Debug, Clone)]
pub struct RecordingSynth {
    /// Frames rendered so far.
    pub frames: u64,
    /// Every event with the frame it was applied at.
    pub log: Vec<(u64, Logged)>,
    /// Every `SynthEvent::Jump` as (frame, looped, how many events `log`
    /// held then), kept out of `log` (a marker, not a message a synth hears).
    pub jumps: Vec<(u64, bool, usize)>,
}

impl Synth for RecordingSynth {
    fn apply(&mut self, event: SynthEvent<'_>) {
        let logged = match event {
            SynthEvent::Midi {
                channel, message, ..
            } => Logged::Midi(channel.as_int(), message),
            SynthEvent::SysEx { data, .. } => Logged::SysEx(data.to_vec()),
            // A marker, not a message: the logs compare what a synth hears.
            SynthEvent::Jump { looped } => {
                self.jumps.push((self.frames, looped, self.log.len()));
                return;
            }
        };
        self.log.push((self.frames, logged));
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            *l = (self.frames % 1000) as f32;
            *r = self.log.len() as f32;
            self.frames += 1;
        }
    }
}

impl RecordingSynth {
    /// Notes sounding according to the log (note-ons minus note-offs per
    /// (channel, key)), for checking that nothing hangs.
    pub fn sounding(&self) -> Vec<(u8, u8)> {
        use midly::MidiMessage::{NoteOff, NoteOn};
        let mut on = std::collections::BTreeMap::<(u8, u8), i32>::new();
        for (_, e) in &self.log {
            if let Logged::Midi(ch, m) = e {
                match *m {
                    NoteOn { key, vel } if vel.as_int() > 0 => {
                        *on.entry((*ch, key.as_int())).or_default() += 1
                    }
                    NoteOn { key, .. } | NoteOff { key, .. } => {
                        let c = on.entry((*ch, key.as_int())).or_default();
                        *c = (*c - 1).max(0);
                    }
                    _ => {}
                }
                if let midly::MidiMessage::Controller { controller, .. } = m
                    && matches!(controller.as_int(), 120 | 123)
                {
                    on.retain(|k, _| k.0 != *ch);
                }
            }
        }
        on.into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, _)| k)
            .collect()
    }
}
