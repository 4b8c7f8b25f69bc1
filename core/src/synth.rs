//! What the sequencer needs from a synthesizer.
//!
//! The host implements [`Synth`] with FluidSynth; tests implement it with a
//! recording synth that logs `(frame, event)`.
//!
//! *Real-time*: implementations are called from the audio thread: they must
//! not allocate, lock or do I/O in `apply` and `render`.

use midly::MidiMessage;
use midly::num::u4;

/// One thing to tell the synthesizer, at the current render position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// No defmt::Format: midly's number and message types do not implement it.
pub enum SynthEvent<'a> {
    /// A channel message.
    Midi {
        /// The output port: the track's port-number meta event (`FF 21`)
        /// folded into the number of outputs the feed was given (always 0
        /// with one, the default). A synth with one set of 16 channels
        /// ignores it.
        port: u8,
        /// Channel 0–15 (channel 10 of the GM drum kit is 9).
        channel: u4,
        /// The message.
        message: MidiMessage,
    },
    /// A system exclusive message: the bytes after `F0`, normally ending
    /// with `F7` (as an SMF `F0` event carries them).
    SysEx {
        /// The output port, as for [`SynthEvent::Midi`].
        port: u8,
        /// The message's bytes.
        data: &'a [u8],
    },
    /// The song goes on elsewhere: a seek, or a loop's turn when `looped`.
    /// The player has just released the sounding notes; the chase events
    /// that follow restore each channel's state. A synth that the chase
    /// alone puts right (FluidSynth) ignores it; an external synth gets
    /// its reset here, so that the chase starts from a known state.
    Jump {
        /// A loop's turn (no reset: it would cut the sound at every turn).
        looped: bool,
    },
}

/// A synthesizer the sequencer drives period by period.
pub trait Synth {
    /// Applies an event now: it takes effect at the next frame rendered.
    fn apply(&mut self, event: SynthEvent<'_>);

    /// Renders `left.len()` frames (equal to `right.len()`) into the
    /// caller-owned planar buffers, overwriting them.
    fn render(&mut self, left: &mut [f32], right: &mut [f32]);
}

impl<T: Synth + ?Sized> Synth for &mut T {
    fn apply(&mut self, event: SynthEvent<'_>) {
        (**self).apply(event);
    }
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        (**self).render(left, right);
    }
}
