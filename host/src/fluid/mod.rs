//! FluidSynth in the host: the synthesizer itself ([`synth`]: the core's
//! `Synth` over libfluidsynth) and its implementations of the host's own
//! synth traits ([`host_traits`]).
//!
//! *Real-time*: see each file; rendering and the trait calls are.

mod host_traits;
pub mod synth;

pub use synth::*;
