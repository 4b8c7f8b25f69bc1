//! The synth controls the audio thread's engine needs beyond the core's
//! [`Synth`]: voice limit and effects for load shedding, and the voice
//! count for the release tail. FluidSynth's implementation is in
//! [`crate::fluid`].
//!
//! *Real-time*: called on the audio thread; implementations must not
//! allocate, lock or block.

use smfplay_core::synth::Synth;

use crate::release_tail::{VoiceCount, controllers_to_zero};

/// The synth controls the engine needs beyond [`Synth`] and [`VoiceCount`].
pub trait SynthControl: Synth + VoiceCount {
    /// Voice limit.
    fn polyphony(&self) -> u32;
    /// Sets the voice limit (never above the starting one).
    fn set_polyphony(&mut self, voices: u32);
    /// Reverb and chorus on or off.
    fn set_effects(&mut self, reverb: bool, chorus: bool);
    /// Playback paused (`true`) or resumed, after the player released the
    /// notes: FluidSynth needs nothing more; an external synth lifts held
    /// pedals and gets them back (`seq_output`).
    fn paused(&mut self, _paused: bool) {}
    /// A stop (quit, signal), after the player released the notes. By
    /// default sustain off, then all notes off, on every channel; an
    /// external synth also gets All Sound Off, only on the channels used
    /// (`seq_output`).
    fn stop_sound(&mut self)
    where
        Self: Sized,
    {
        controllers_to_zero(self, &[64, 123]);
    }
}
