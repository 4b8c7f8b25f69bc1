//! Where `host play`'s sound goes: FluidSynth on an ALSA PCM, or MIDI
//! hardware on ALSA sequencer ports (`--port`). Both are driven by the same
//! feeder, the same core `Player` and the same engine loop; only the synth
//! (`FluidSynth` or `SeqSynth`) and the output (the PCM's writer or
//! `SeqOutput`) differ, and the audio thread
//! ([`super::realtime::audio_thread`]) makes them.
//!
//! *Real-time*: not real-time: opening and the per-song set-up run on the
//! control thread.

use std::cell::RefCell;
use std::path::Path;

use midly::TrackEventKind;
use smfplay_core::sequencer::Command;
use smfplay_core::synth::Synth;

use super::realtime::alsa_output::{AlsaOutput, Negotiated, PcmFormat};
use super::realtime::seq_output::{SeqState, SeqSynth};
use crate::capacities::HostPlayer;
use crate::cli::{PlayArgs, ResetChoice};
use crate::exit::{HostError, Kind};
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
    Seq(SeqDevice),
}

/// `--port`'s side of [`Sound`].
pub struct SeqDevice {
    /// The client connected to the ports.
    pub client: SeqClient,
    /// What the synth side notes and the output sends.
    pub state: Box<RefCell<SeqState>>,
    /// `--reset`.
    pub reset: Option<ResetChoice>,
    /// `--sysex-delay` in ms.
    pub sysex_delay_ms: u32,
}

impl Sound {
    /// Opens what `args` asks for: sequencer ports with `--port`, else the
    /// SoundFont, FluidSynth and the PCM device. Returns it with the
    /// output's settings (for `--port`: the engine's clock and period).
    pub fn open(args: &PlayArgs) -> Result<(Self, Negotiated), HostError> {
        let rate = args.synth.rate;
        if !args.port.is_empty() {
            if args.port.len() > crate::capacities::PORTS {
                return Err(HostError::new(
                    Kind::Usage,
                    "--port",
                    format!(
                        "{} ports given, at most {} are played to",
                        args.port.len(),
                        crate::capacities::PORTS
                    ),
                ));
            }
            let client = SeqClient::open(&args.port)?;
            let period = args.period as usize;
            let neg = Negotiated {
                format: PcmFormat::S16,
                rate,
                period,
                buffer: period,
            };
            let plan = ResetPlan::new(args.reset, false);
            let seq = SeqDevice {
                client,
                state: Box::new(RefCell::new(SeqState::new(plan, args.port.len()))),
                reset: args.reset,
                sysex_delay_ms: args.sysex_delay,
            };
            return Ok((Self::Seq(seq), neg));
        }
        let sf = crate::soundfont::choose(&args.synth)?;
        let mut synth = Box::new(FluidSynth::new(&args.synth.fluid_options())?);
        synth.load_soundfont(&sf.path).map_err(|e| sf.explain(e))?;
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
            Self::Seq(seq) => seq.client.describe(),
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
            Self::Seq(seq) => {
                let file_resets = seq.reset.is_none() && file_sends_reset(path, strict);
                seq.state
                    .get_mut()
                    .begin_song(ResetPlan::new(seq.reset, file_resets));
            }
        }
    }

    /// Applies the settings a song starts with (tempo, transpose, mute,
    /// solo) to a fresh player, through this sound's synth.
    pub fn start_settings(&mut self, player: &mut HostPlayer, commands: &[Command]) {
        match self {
            Self::Fluid { synth, .. } => apply_start(player, &mut **synth, commands),
            Self::Seq(seq) => apply_start(player, &mut SeqSynth::new(&seq.state), commands),
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
