//! The host's sequencer capacities, and a `Song` that picks between two of
//! them by the file's track count: ordinary files (up to 1 024 tracks, 512
//! bytes of read-ahead per track, about 1.5 MiB in all) and files with tens
//! of thousands of tracks (16-byte windows, about 5.5 MiB).
//!
//! *Real-time*: [`Song::process`] is the core's bounded per-period work.

use std::path::Path;

use smfplay_core::sequencer::{Command, Observer, Sequencer, SequencerConfig};
use smfplay_core::smf::{Error, ReaderOptions};
use smfplay_core::synth::Synth;

use crate::exit::{HostError, Kind};
use crate::midi_input::{MidiInput, MidiSource, describe_content};

/// Longest sysex or meta payload delivered (longer ones are skipped whole).
pub const PAYLOAD: usize = 64 * 1024;
/// Calendar capacity: look-ahead plus the largest chase replay.
pub const EVENTS: usize = 8192;
/// Calendar buckets.
pub const SLOTS: usize = 1024;
/// Pool blocks for sysex and text payloads, and their size.
pub const POOL_BLOCKS: usize = 256;
/// Bytes per pool block (longer sysex is reported as dropped).
pub const POOL_BLOCK_BYTES: usize = 1024;

/// Tracks of the capacities for ordinary files; a file declaring more is
/// read with the wide ones.
pub const STANDARD_TRACKS: usize = 1024;
/// Bytes of read-ahead per track for ordinary files.
pub const STANDARD_WINDOW: usize = 512;
/// Tracks of the capacities for files with tens of thousands of tracks.
pub const WIDE_TRACKS: usize = 65_535;
/// Bytes of read-ahead per track for those files.
pub const WIDE_WINDOW: usize = 16;

/// Sequencer for ordinary files.
pub type StandardSequencer = Sequencer<
    MidiSource,
    STANDARD_TRACKS,
    STANDARD_WINDOW,
    PAYLOAD,
    EVENTS,
    SLOTS,
    POOL_BLOCKS,
    POOL_BLOCK_BYTES,
>;
/// Sequencer for files with more than [`STANDARD_TRACKS`] tracks.
pub type WideSequencer = Sequencer<
    MidiSource,
    WIDE_TRACKS,
    WIDE_WINDOW,
    PAYLOAD,
    EVENTS,
    SLOTS,
    POOL_BLOCKS,
    POOL_BLOCK_BYTES,
>;

/// The reader options for `--strict`.
pub fn reader_options(strict: bool) -> ReaderOptions {
    if strict {
        ReaderOptions::STRICT
    } else {
        ReaderOptions::LENIENT
    }
}

/// Whether a file's header declares more tracks than the standard
/// capacities hold (so it is read with the wide ones).
pub fn is_wide(head: &[u8]) -> bool {
    head.len() >= 12
        && &head[0..4] == b"MThd"
        && usize::from(u16::from_be_bytes([head[10], head[11]])) > STANDARD_TRACKS
}

/// Runs `work` (which opens a reader, feed or sequencer) on a thread named
/// `name` with `stack` bytes of stack, since those hold their track cursors
/// by value, and turns what can go wrong into one host error about `path`.
pub fn open_on_big_stack<T: Send>(
    path: &Path,
    head: &[u8],
    name: &str,
    stack: usize,
    work: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, HostError> {
    let joined = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name(name.into())
            .stack_size(stack)
            .spawn_scoped(scope, work)
            .map(|handle| handle.join())
    });
    match joined {
        Ok(Ok(result)) => result.map_err(|e| reader_error(path, head, e)),
        Ok(Err(_)) => Err(HostError::new(Kind::Other, "", "the file reader crashed")),
        Err(e) => Err(HostError::new(
            Kind::Other,
            "",
            format!("cannot start a thread: {e}"),
        )),
    }
}

/// An opened song.
pub enum Song {
    /// Up to 1 024 tracks.
    Standard(Box<StandardSequencer>),
    /// More tracks.
    Wide(Box<WideSequencer>),
}

macro_rules! each {
    ($self:expr, $s:ident => $e:expr) => {
        match $self {
            Song::Standard($s) => $e,
            Song::Wide($s) => $e,
        }
    };
}

impl Song {
    /// Opens `input` for playback at `config`'s sample rate and period.
    pub fn open(
        input: MidiInput,
        strict: bool,
        config: SequencerConfig,
    ) -> Result<Self, HostError> {
        let MidiInput { source, path, head } = input;
        let options = reader_options(strict);
        let wide = is_wide(&head);
        // The sequencers are large: build them on a thread with room for
        // them on its stack and move the boxes out.
        let stack = if wide { 96 << 20 } else { 16 << 20 };
        open_on_big_stack(&path, &head, "open", stack, move || {
            // One function per capacity, so that (in debug builds too)
            // only the chosen sequencer takes room on this stack.
            if wide {
                open_wide(source, options, config)
            } else {
                open_standard(source, options, config)
            }
        })
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
) -> Result<Song, Error> {
    // In its box, opened in place (see `scan::open_and_run`).
    let mut seq = Box::write(Box::new_uninit(), StandardSequencer::new(source));
    seq.reopen(options, config)?;
    Ok(Song::Standard(seq))
}

#[inline(never)]
fn open_wide(
    source: MidiSource,
    options: ReaderOptions,
    config: SequencerConfig,
) -> Result<Song, Error> {
    let mut seq = Box::write(Box::new_uninit(), WideSequencer::new(source));
    seq.reopen(options, config)?;
    Ok(Song::Wide(seq))
}

/// Turns a reader error into a one-line host error about the file.
pub fn reader_error(path: &Path, head: &[u8], e: Error) -> HostError {
    use smfplay_core::smf::ErrorKind as E;
    let message = match e.kind {
        E::NotMidi(_) => format!("not a MIDI file: {}", describe_content(head)),
        // RIFF, but WAVE or sfbk rather than RMID: say what it is in plain words.
        E::RiffNotRmid(_) if !head.is_empty() => {
            format!("not a MIDI file: {}", describe_content(head))
        }
        _ => e.to_string(),
    };
    HostError::file(Kind::Input, path, message)
}
