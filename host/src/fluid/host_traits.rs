//! FluidSynth behind the host's own synth traits: [`SynthControl`] (voice
//! limit and effects, for load shedding) and [`VoiceCount`] (for the
//! release tail).
//!
//! *Real-time*: called on the audio thread and by `render`; each call is
//! one FluidSynth setter or getter (no allocation, no lock: the API lock
//! is off, see [`super::synth`]).

use super::FluidSynth;
use crate::play::realtime::synth_control::SynthControl;
use crate::release_tail::VoiceCount;

impl SynthControl for FluidSynth {
    fn polyphony(&self) -> u32 {
        FluidSynth::polyphony(self)
    }
    fn set_polyphony(&mut self, voices: u32) {
        // Lowering FluidSynth's polyphony (and raising it back up to the
        // starting value) reuses the voices it allocated at start.
        FluidSynth::set_polyphony(self, voices);
    }
    fn set_effects(&mut self, reverb: bool, chorus: bool) {
        self.set_reverb(reverb);
        self.set_chorus(chorus);
    }
}

impl VoiceCount for FluidSynth {
    fn active_voices(&self) -> u32 {
        FluidSynth::active_voices(self)
    }
}
