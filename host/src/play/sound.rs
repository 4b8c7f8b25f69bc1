//! Where `host play`'s sound goes: FluidSynth on an ALSA PCM, or MIDI
//! hardware on ALSA sequencer ports (`--port`). Both are driven by the same
//! feeder, the same core `Player` and the same [`Engine`] loop; only the
//! synth (`FluidSynth` or [`SeqSynth`]) and the output ([`AlsaOutput`]'s
//! writer or [`SeqOutput`]) differ.
//!
//! *Real-time*: opening is control side; [`Sound::run_engine`] is the body
//! of the audio thread (the engine's rules, see `audio_thread`; with
//! `--port`, those of `seq_output`).

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use midly::TrackEventKind;
use smfplay_core::audio::PeriodBuffer;
use smfplay_core::sequencer::Command;
use smfplay_core::synth::Synth;

use super::alsa_output::{self, AlsaOutput, Negotiated, Output, PcmFormat};
use super::audio_thread::{
    End, Engine, EngineConfig, HostPlayer, OutBuf, Queues, Snapshot, SynthControl,
};
use super::seq_output::{SeqOutput, SeqState, SeqSynth};
use super::{MAX_PERIOD, Shared};
use crate::cli::{PlayArgs, ResetChoice};
use crate::exit::HostError;
use crate::fluid::FluidSynth;
use crate::seq::client::SeqClient;
use crate::seq::reset::{ResetPlan, is_reset};

/// The synth and the output of `host play`.
pub enum Sound {
    /// FluidSynth rendering to an ALSA PCM.
    Fluid {
        /// The synth (reset between songs).
        synth: Box<FluidSynth>,
        /// The device.
        output: AlsaOutput,
    },
    /// External synths on sequencer ports.
    Seq {
        /// The client connected to the ports.
        client: SeqClient,
        /// What the synth side notes and the output sends.
        state: Box<RefCell<SeqState>>,
        /// `--reset`.
        reset: Option<ResetChoice>,
        /// `--sysex-delay` in ms.
        sysex_delay_ms: u32,
    },
}

/// What the engine runs with, besides the synth and the output.
pub struct EngineParts<'a, 'q> {
    /// The player.
    pub player: &'a mut HostPlayer,
    /// The engine's ends of the queues.
    pub queues: Queues<'q>,
    /// Shared atomics.
    pub shared: &'a Shared,
    /// The period's planar buffer.
    pub buf: &'a mut PeriodBuffer<MAX_PERIOD, 2>,
    /// The interleaved buffer.
    pub out_buf: OutBuf,
    /// Settings.
    pub cfg: EngineConfig,
}

impl Sound {
    /// Opens what `args` asks for: sequencer ports with `--port`, else the
    /// SoundFont, FluidSynth and the PCM device. Returns it with the
    /// output's settings (for `--port`: the engine's clock and period).
    pub fn open(args: &PlayArgs) -> Result<(Self, Negotiated), HostError> {
        let rate = args.synth.rate;
        if !args.port.is_empty() {
            let client = SeqClient::open(&args.port)?;
            let period = args.period as usize;
            let neg = Negotiated {
                format: PcmFormat::S16,
                rate,
                period,
                buffer: period,
            };
            let state = Box::new(RefCell::new(SeqState::new(ResetPlan::new(
                args.reset, false,
            ))));
            return Ok((
                Self::Seq {
                    client,
                    state,
                    reset: args.reset,
                    sysex_delay_ms: args.sysex_delay,
                },
                neg,
            ));
        }
        let sf = crate::soundfont::find(args.synth.soundfont.as_deref())?;
        let mut synth = Box::new(FluidSynth::new(&args.synth.fluid_options())?);
        synth.load_soundfont(&sf)?;
        let output = AlsaOutput::open(
            &args.device,
            rate,
            args.period,
            args.periods,
            args.format,
            args.period_chosen,
        )?;
        let neg = output.negotiated();
        Ok((Self::Fluid { synth, output }, neg))
    }

    /// The device (or the ports) for messages.
    pub fn name(&self) -> String {
        match self {
            Self::Fluid { output, .. } => output.name().to_string(),
            Self::Seq { client, .. } => client.describe(),
        }
    }

    /// Before each song: FluidSynth back to its power-on state (after the
    /// first song); the external synths' reset for this file (the file's
    /// own when it sends one, see [`ResetPlan`]).
    pub fn begin_song(&mut self, path: &Path, first: bool, strict: bool) {
        match self {
            Self::Fluid { synth, .. } => {
                if !first {
                    synth.reset();
                }
            }
            Self::Seq { state, reset, .. } => {
                let file_resets = reset.is_none() && file_sends_reset(path, strict);
                state
                    .get_mut()
                    .begin_song(ResetPlan::new(*reset, file_resets));
            }
        }
    }

    /// Applies the settings a song starts with (tempo, transpose, mute,
    /// solo) to a fresh player, through this sound's synth.
    pub fn start_settings(&mut self, player: &mut HostPlayer, commands: &[Command]) {
        match self {
            Self::Fluid { synth, .. } => apply_start(player, &mut **synth, commands),
            Self::Seq { state, .. } => {
                apply_start(player, &mut SeqSynth::new(state), commands);
            }
        }
    }

    /// The audio thread's work: runs the engine to the song's end (or a
    /// quit, or a lost device), then drains the output. Returns how it
    /// ended, the last snapshot and the wall time.
    pub fn run_engine(&mut self, parts: EngineParts<'_, '_>) -> (End, Box<Snapshot>, Duration) {
        match self {
            Self::Fluid { synth, output } => match output.writer() {
                Ok(mut writer) => {
                    writer.restart();
                    drive(&mut **synth, writer, parts)
                }
                Err(_) => (
                    End::Lost(alsa_output::Lost::Error(libc::EBADFD)),
                    Box::new(Snapshot::new()),
                    Duration::ZERO,
                ),
            },
            Self::Seq {
                client,
                state,
                sysex_delay_ms,
                ..
            } => {
                let state: &RefCell<SeqState> = state;
                let rate = parts.cfg.rate;
                let out = SeqOutput::new(client, state, rate, *sysex_delay_ms);
                drive(&mut SeqSynth::new(state), out, parts)
            }
        }
    }
}

fn apply_start(player: &mut HostPlayer, synth: &mut impl Synth, commands: &[Command]) {
    for &c in commands {
        match c {
            Command::TempoMilli(m) => player.set_tempo_milli(m),
            Command::Transpose(t) => player.set_transpose(t),
            Command::Mute(ch, on) => player.set_muted(synth, ch, on),
            Command::Solo(ch, on) => player.set_solo(synth, ch, on),
            _ => {}
        }
    }
}

fn drive<S: SynthControl, O: Output>(
    synth: &mut S,
    out: O,
    p: EngineParts<'_, '_>,
) -> (End, Box<Snapshot>, Duration) {
    let shared = p.shared;
    let mut engine = Engine::new(
        synth, out, p.player, p.queues, shared, p.buf, p.out_buf, p.cfg,
    );
    shared.started.store(true, Ordering::Release);
    let t0 = Instant::now();
    let end = engine.run();
    let mut snap = Box::new(Snapshot::new());
    engine.snapshot(&mut snap);
    let mut out = engine.into_output();
    if !matches!(end, End::Lost(_)) {
        out.drain();
    }
    (end, snap, t0.elapsed())
}

/// Whether the file sends a GM, GS or XG reset itself (a scan; a file that
/// cannot be read plays without, and playing reports why).
fn file_sends_reset(path: &Path, strict: bool) -> bool {
    // Standard input can be read once only: it plays with GM.
    if path.as_os_str() == "-" {
        return false;
    }
    let Ok(input) = crate::midi_input::MidiInput::open(path) else {
        return false;
    };
    let mut found = false;
    let _ = crate::scan::scan(input, strict, |_, ev| {
        if let TrackEventKind::SysEx(data) = ev.kind {
            found |= is_reset(data);
        }
    });
    found
}
