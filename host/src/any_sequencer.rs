//! [`AnySequencer`]: the core's `Sequencer` (feed and player on one thread,
//! for `render`) at the host's capacities, standard or wide as the file's
//! track count asks, behind one type.
//!
//! *Real-time*: [`AnySequencer::process`] is the core's bounded
//! per-period work; opening is not real-time.

use smfplay_core::sequencer::{Command, Observer, SequencerConfig};
use smfplay_core::smf::{Error, ReaderOptions};
use smfplay_core::synth::Synth;

use crate::capacities::{StandardSequencer, WideSequencer};
use crate::exit::HostError;
use crate::midi_input::{MidiInput, MidiSource};
use crate::opening::open_by_width;

/// An opened sequencer (the core's `Feed` and `Player` on one thread, as
/// `render` uses it) at the capacities the file's track count asks for.
pub enum AnySequencer {
    /// Up to 1 024 tracks.
    Standard(Box<StandardSequencer>),
    /// More tracks.
    Wide(Box<WideSequencer>),
}

macro_rules! each {
    ($self:expr, $s:ident => $e:expr) => {
        match $self {
            AnySequencer::Standard($s) => $e,
            AnySequencer::Wide($s) => $e,
        }
    };
}

impl AnySequencer {
    /// Opens `input` for playback at `config`'s sample rate and period.
    pub fn open(
        input: MidiInput,
        strict: bool,
        config: SequencerConfig,
    ) -> Result<Self, HostError> {
        // The sequencers are large: build them on a thread with room for
        // them on its stack and move the boxes out.
        open_by_width(
            input,
            strict,
            "open",
            (16 << 20, 96 << 20),
            move |source, options, wide| {
                // One function per capacity, so that (in debug builds too)
                // only the chosen sequencer takes room on this stack.
                if wide {
                    open_wide(source, options, config)
                } else {
                    open_standard(source, options, config)
                }
            },
        )
    }

    /// Plays one period.
    pub fn process(
        &mut self,
        synth: &mut impl Synth,
        left: &mut [f32],
        right: &mut [f32],
        observer: &mut impl Observer,
    ) -> Result<(), Error> {
        each!(self, s => s.process(synth, left, right, observer))
    }

    /// A transport command.
    pub fn command(&mut self, synth: &mut impl Synth, command: Command) -> Result<(), Error> {
        each!(self, s => s.command(synth, command))
    }
}

#[inline(never)]
fn open_standard(
    source: MidiSource,
    options: ReaderOptions,
    config: SequencerConfig,
) -> Result<AnySequencer, Error> {
    // In its box, opened in place (see `scan::open_and_run`).
    let mut seq = Box::write(Box::new_uninit(), StandardSequencer::new(source));
    seq.reopen(options, config)?;
    Ok(AnySequencer::Standard(seq))
}

#[inline(never)]
fn open_wide(
    source: MidiSource,
    options: ReaderOptions,
    config: SequencerConfig,
) -> Result<AnySequencer, Error> {
    let mut seq = Box::write(Box::new_uninit(), WideSequencer::new(source));
    seq.reopen(options, config)?;
    Ok(AnySequencer::Wide(seq))
}
