//! Shared helpers of smfplay's tests: fixture generators, reference models
//! and access to the real-world corpus.
//!
//! - [`smf_writer`]: byte-level SMF/RMID writer that can also write broken files.
//! - [`timeline`]: absolute-tick event lists rendered into tracks.
//! - [`rng`]: the seeded PRNG behind every generator.
//! - [`fuzz_script`]: the sequencer fuzz target's input format and driver.
//! - [`fixtures`]: named valid and damaged fixture files.
//! - [`demo`]: the composed demo song (`assets/demo.mid`).
//! - [`reference`](mod@reference): `midly`-based reference parse and track merge.
//! - [`strict`]: what `midly`'s `strict` feature would say about a file.
//! - [`corpus`]: the real-world corpus in `../shared/corpus` and its manifest.
//! - [`our_reader`]: smfplay's streaming reader run over whole files.
//! - [`recording_synth`]: a synth that logs `(frame, event)` for sequencer tests.
//! - [`sequencer_harness`]: runs the sequencer and computes the expected log.

pub mod corpus;
pub mod demo;
pub mod fixtures;
pub mod fuzz_script;
pub mod our_reader;
pub mod recording_synth;
pub mod reference;
pub mod rng;
pub mod sequencer_harness;
pub mod smf_writer;
pub mod strict;
pub mod timeline;
