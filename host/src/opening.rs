//! Opening a file's reader, feed or sequencer, as `scan`, `render` and
//! `play` all do: the reader options for `--strict`, a thread with stack
//! room for the core's track cursors, and reader errors as one host error.
//!
//! *Real-time*: not real-time (before playback).

use std::path::Path;

use smfplay_core::smf::{Error, ReaderOptions};

use crate::capacities::is_wide;
use crate::exit::{HostError, Kind};
use crate::midi_input::{MidiInput, MidiSource, describe_content};

/// The reader options for `--strict`.
pub fn reader_options(strict: bool) -> ReaderOptions {
    if strict {
        ReaderOptions::STRICT
    } else {
        ReaderOptions::LENIENT
    }
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

/// Opens `input` as its track count asks: on a thread named `name` with
/// `stacks.0` bytes of stack for ordinary files and `stacks.1` for wide
/// ones, `open` gets the source, the reader options for `strict` and
/// whether the file is wide; what goes wrong is one host error about it.
pub fn open_by_width<T: Send>(
    input: MidiInput,
    strict: bool,
    name: &str,
    stacks: (usize, usize),
    open: impl FnOnce(MidiSource, ReaderOptions, bool) -> Result<T, Error> + Send,
) -> Result<T, HostError> {
    let MidiInput { source, path, head } = input;
    let options = reader_options(strict);
    let wide = is_wide(&head);
    let stack = if wide { stacks.1 } else { stacks.0 };
    open_on_big_stack(&path, &head, name, stack, move || {
        open(source, options, wide)
    })
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
