//! The audio thread's life: it blocks signals, takes real-time priority
//! and locks its memory, gets the device's writer, runs the [`Engine`]
//! until the song ends, fills the last snapshot and drains the device.
//!
//! *Real-time*: runs on the audio thread; the set-up before the loop may
//! allocate (the writer), the loop itself does not.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::alsa_output::{AlsaOutput, Lost, Output};
use super::engine::{Engine, EngineParts};
use super::messages::End;
use super::scheduling::{self, Region};
use super::snapshot::Snapshot;
use super::synth_control::SynthControl;
use crate::play::control::signals;

/// What the audio thread needs: the device, the memory to lock when
/// `mlockall` is refused, and the engine's parts.
pub struct AudioThread<'a, 'q, S: SynthControl> {
    /// The device (its writer is made on this thread).
    pub output: &'a mut AlsaOutput,
    /// What the loop touches, locked when `mlockall` is refused.
    pub hot: [Region; 4],
    /// What the engine plays with.
    pub engine: EngineParts<'a, 'q, S>,
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
pub fn run<S: SynthControl>(parts: AudioThread<'_, '_, S>) -> AudioOutcome {
    let AudioThread {
        output,
        hot,
        engine,
    } = parts;
    signals::block_in_this_thread();
    scheduling::lock_memory();
    let _hot = scheduling::lock_hot(&hot);
    scheduling::make_realtime();
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
    let status = engine.status;
    let mut engine = Engine::new(writer, engine);
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
