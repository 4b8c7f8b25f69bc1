//! The audio thread's life: it blocks signals, takes real-time priority
//! and locks its memory, makes the output (the PCM's writer, or with
//! `--port` the sequencer output and its synth side), runs the [`Engine`]
//! until the song ends, fills the last snapshot and drains the output.
//!
//! *Real-time*: runs on the audio thread; the set-up before the loop may
//! allocate (the writer), the loop itself does not. With `--port` the
//! loop follows [`super::seq_output`]'s rules.

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::alsa_output::{Lost, Output};
use super::engine::{Engine, EngineParts, SongParts};
use super::messages::End;
use super::scheduling::{self, Region};
use super::seq_output::{SeqOutput, SeqState, SeqSynth};
use super::snapshot::Snapshot;
use super::synth_control::SynthControl;
use crate::play::control::signals;
use crate::play::sound::Sound;

/// What the audio thread needs: where the sound goes, the memory to lock
/// when `mlockall` is refused, and the song's parts.
pub struct AudioThread<'a, 'q> {
    /// FluidSynth and the PCM, or the sequencer ports.
    pub sound: &'a mut Sound,
    /// What the loop touches, locked when `mlockall` is refused.
    pub hot: [Region; 4],
    /// What the engine plays with.
    pub song: SongParts<'a, 'q>,
}

/// How the audio thread ended.
pub struct AudioOutcome {
    /// Why its loop ended.
    pub end: End,
    /// The last snapshot (counters and work histogram of the whole song).
    pub snapshot: Box<Snapshot>,
    /// How long the loop ran.
    pub wall: Duration,
}

/// Runs the audio thread (call it on the thread made for it).
pub fn run(parts: AudioThread<'_, '_>) -> AudioOutcome {
    let outcome = play(parts);
    scheduling::audio_thread_ended();
    outcome
}

/// The audio thread's work, from its set-up to the drain.
fn play(parts: AudioThread<'_, '_>) -> AudioOutcome {
    let AudioThread { sound, hot, song } = parts;
    signals::block_in_this_thread();
    scheduling::lock_memory();
    let _hot = scheduling::lock_hot(&hot);
    scheduling::make_realtime();
    match sound {
        Sound::Fluid { synth, output } => {
            let mut writer = match output.writer() {
                Ok(w) => w,
                Err(_) => {
                    return AudioOutcome {
                        end: End::Lost(Lost::Error(libc::EBADFD)),
                        snapshot: Box::new(Snapshot::new()),
                        wall: Duration::ZERO,
                    };
                }
            };
            writer.restart();
            drive(
                writer,
                EngineParts {
                    synth: &mut **synth,
                    song,
                },
            )
        }
        Sound::Seq(seq) => {
            // The synth side and the output share the period's messages
            // through a RefCell: both live on this thread only.
            let state: &RefCell<SeqState> = &seq.state;
            let mut synth = SeqSynth::new(state);
            let rate = song.config.rate;
            let out = SeqOutput::new(&mut seq.client, state, rate, seq.sysex_delay_ms);
            drive(
                out,
                EngineParts {
                    synth: &mut synth,
                    song,
                },
            )
        }
    }
}

/// Runs the engine to the song's end, then drains the output.
fn drive<S: SynthControl, O: Output>(out: O, parts: EngineParts<'_, '_, S>) -> AudioOutcome {
    let status = parts.song.status;
    let mut engine = Engine::new(out, parts);
    status.started.store(true, Ordering::Release);
    let t0 = Instant::now();
    let end = engine.run();
    let mut snapshot = Box::new(Snapshot::new());
    engine.snapshot(&mut snapshot);
    let mut out = engine.into_output();
    if !matches!(end, End::Lost(_)) {
        out.drain();
    }
    AudioOutcome {
        end,
        snapshot,
        wall: t0.elapsed(),
    }
}
