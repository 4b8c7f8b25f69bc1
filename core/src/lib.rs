//! # smfplay-core
//!
//! The `#![no_std]`, heap-free sequencing core of smfplay. Nothing in this
//! crate allocates: every capacity is a const generic chosen by the caller,
//! and a full container is an error value, never a panic.
//!
//! Data flows reader → tempo map → scheduler → synth:
//!
//! - [`smf`]: streaming Standard MIDI File reader over `embedded_io::Read +
//!   Seek` (or a slice), merging tracks by tick in bounded memory.
//! - [`tempo`]: exact tick → sample-frame conversion with integer math.
//!
//! Around the synth:
//!
//! - [`audio`]: period buffers the synth renders into and vectorised
//!   `f32` → `S16`/`S32`/`FLOAT` interleaving with gain, fade and meters.
//! - [`wav`]: RIFF/WAVE writer (16-bit PCM, 32-bit float) over
//!   `embedded_io::Write`, with size patching over `Seek`.
//! - [`timing_histogram`]: log-linear histogram of per-period work time.
//!
//! *Real-time*: everything here runs in bounded time per call and never
//! allocates; the reader's I/O is only as real-time as its source.
#![no_std]
#![deny(unsafe_code)]

#[cfg(test)]
#[macro_use]
extern crate std;

/// The tests' seeded PRNG (one file for every test and bench of smfplay).
#[cfg(test)]
#[path = "../../tests/src/rng.rs"]
#[allow(dead_code)] // `chance` and `pick` serve the fixture generators.
mod test_rng;

/// The `midly` version whose vocabulary the core speaks (events, numbers).
pub use midly;

pub mod audio;
pub mod sched;
pub mod sequencer;
pub mod smf;
pub mod synth;
pub mod tempo;
pub mod timing_histogram;
pub mod wav;
