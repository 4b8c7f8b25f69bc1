//! One pass over a MIDI file with the core's streaming reader, at the same
//! capacities as playback: `host info` and `host dump` describe what it
//! yields, and `host render` scans first for the song's length and its
//! problems (and, under `--strict`, to refuse a damaged file before writing
//! anything).
//!
//! Times are exact: the tempo map at a "sample rate" of 1 gives every
//! event's time in seconds as a fraction `num / den`, turned into a float
//! or rounded to microseconds only for printing.
//!
//! *Real-time*: not real-time (reads the whole file); memory is the
//! reader's fixed capacities, whatever the file size.

use midly::TrackEventKind;
use smfplay_core::smf::{Diagnostics, Error, Header, Reader, ReaderOptions};
use smfplay_core::tempo::TempoMap;

use crate::capacities::{
    PAYLOAD, STANDARD_TRACKS, STANDARD_WINDOW, WIDE_TRACKS, WIDE_WINDOW, is_wide,
};
use crate::exit::HostError;
use crate::midi_input::{MidiInput, MidiSource};
use crate::opening::{open_on_big_stack, reader_error, reader_options};

/// One event of the merged stream with its exact time.
pub struct ScanEvent<'a> {
    /// Absolute tick.
    pub tick: u64,
    /// Track index in file order.
    pub track: u16,
    /// The track's port (its last `FF 21` before this event, 0 before one).
    pub port: u8,
    /// Time in seconds as `num / den` (exact).
    pub time: (u128, u64),
    /// The event.
    pub kind: TrackEventKind<'a>,
}

impl ScanEvent<'_> {
    /// Time in seconds.
    pub fn seconds(&self) -> f64 {
        ratio(self.time)
    }
}

/// `num / den` as a float.
pub fn ratio((num, den): (u128, u64)) -> f64 {
    num as f64 / den.max(1) as f64
}

/// `num / den` rounded to the nearest microsecond.
pub fn micros((num, den): (u128, u64)) -> u128 {
    let den = u128::from(den.max(1));
    num.saturating_mul(1_000_000).saturating_add(den / 2) / den
}

/// One non-fatal reader problem as a warning says it (what, where, and
/// what was skipped): the wording `render`, `info` and `play` share.
pub fn problem_line(e: &Error) -> String {
    format!("{e} ({})", e.severity)
}

/// What a scan found besides the events.
#[derive(Debug, Clone)]
pub struct ScanSummary {
    /// The header (with the number of `MTrk` chunks found).
    pub header: Header,
    /// What the reader tolerated or skipped.
    pub diagnostics: Diagnostics,
    /// Every non-fatal problem the reader reported, in order.
    pub problems: Vec<Error>,
    /// The fatal error that ended reading early, if any.
    pub fatal: Option<Error>,
    /// Tick of the last event.
    pub end_tick: u64,
    /// Exact time of the last event in seconds (`num / den`).
    pub end_time: (u128, u64),
}

impl ScanSummary {
    /// Duration in seconds: the time of the last event of any track.
    pub fn duration_seconds(&self) -> f64 {
        ratio(self.end_time)
    }

    /// One line per problem, for warnings.
    pub fn problem_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.problems.iter().map(problem_line).collect();
        if let Some(e) = self.fatal {
            lines.push(format!("{e}; the rest of the file is unreadable"));
        }
        let d = &self.diagnostics;
        if d.chunks_past_end > 0 {
            lines.push(format!(
                "{} chunk(s) declare more bytes than the file holds (truncated?); read to the end of the file",
                d.chunks_past_end
            ));
        }
        if d.trailing_garbage {
            lines.push("bytes after the last chunk ignored".into());
        }
        if d.track_count_mismatch {
            let declared = self.header.declared_tracks;
            lines.push(format!(
                "header declares {declared} {} but the file has {}",
                if declared == 1 { "track" } else { "tracks" },
                self.header.tracks
            ));
        }
        if d.bad_meta_lengths > 0 {
            lines.push(format!(
                "{} meta event(s) with the wrong length for their type",
                d.bad_meta_lengths
            ));
        }
        if d.tracks_without_end > 0 {
            lines.push(format!(
                "{} track(s) without an end-of-track event",
                d.tracks_without_end
            ));
        }
        if d.bytes_after_end_of_track > 0 {
            lines.push(format!(
                "{} byte(s) after end-of-track events ignored",
                d.bytes_after_end_of_track
            ));
        }
        if d.unknown_chunks > 0 {
            lines.push(format!("{} unknown chunks skipped", d.unknown_chunks));
        }
        if d.errors_not_returned > 0 {
            lines.push(format!(
                "{} more problems (not listed one by one)",
                d.errors_not_returned
            ));
        }
        lines
    }
}

/// Opens `path` twice (or copies standard input): one for a scan, one for
/// playback. Returns (for playback, for the scan).
pub fn open_twice(path: &std::path::Path) -> Result<(MidiInput, MidiInput), HostError> {
    let first = MidiInput::open(path)?;
    let second = match &first.source {
        MidiSource::Memory(bytes) => MidiInput {
            source: MidiSource::Memory(bytes.clone()),
            path: first.path.clone(),
            head: first.head.clone(),
        },
        MidiSource::File(_) => MidiInput::open(path)?,
    };
    Ok((first, second))
}

/// Reads every event of `input`, calling `each` with it in playback order.
/// A fatal error at open is returned as an input error; later fatal errors
/// end the scan and are reported in the summary (in strict mode, any
/// problem is fatal: it is returned as an input error).
pub fn scan(
    input: MidiInput,
    strict: bool,
    mut each: impl FnMut(&Header, &ScanEvent<'_>) + Send,
) -> Result<ScanSummary, HostError> {
    let MidiInput { source, path, head } = input;
    let options = reader_options(strict);
    let wide = is_wide(&head);
    let each = &mut each;
    let stack = if wide { 96 << 20 } else { 16 << 20 };
    let summary = open_on_big_stack(&path, &head, "scan", stack, move || {
        // Separate functions: each branch's reader gets its own frame.
        if wide {
            open_and_run::<WIDE_TRACKS, WIDE_WINDOW>(source, options, each)
        } else {
            open_and_run::<STANDARD_TRACKS, STANDARD_WINDOW>(source, options, each)
        }
    })?;
    if strict && let Some(e) = summary.fatal.or(summary.problems.first().copied()) {
        return Err(reader_error(&path, &head, e));
    }
    Ok(summary)
}

#[inline(never)]
fn open_and_run<const T: usize, const W: usize>(
    source: MidiSource,
    options: ReaderOptions,
    each: &mut (impl FnMut(&Header, &ScanEvent<'_>) + Send),
) -> Result<ScanSummary, Error> {
    // Written straight into its box and opened in place: `Box::new(Reader::open(..))`
    // builds the reader (~8 MB at the standard capacities) on this thread's stack first,
    // and the stack probes and the copy touch every page of both.
    let mut reader = Box::write(
        Box::new_uninit(),
        Reader::<MidiSource, T, W, PAYLOAD>::new(source),
    );
    reader.reopen(options)?;
    Ok(run(reader, each))
}

/// Most problems kept one by one (the rest are counted).
const MAX_PROBLEMS: usize = 1000;

#[allow(clippy::boxed_local)] // the reader is too large for a stack frame copy
fn run<const T: usize, const W: usize, const P: usize>(
    mut reader: Box<Reader<MidiSource, T, W, P>>,
    each: &mut (impl FnMut(&Header, &ScanEvent<'_>) + Send),
) -> ScanSummary {
    let header = *reader.header();
    let mut tempo = TempoMap::new(header.timing, 1);
    let mut problems = Vec::new();
    let mut more_problems = 0u32;
    let (mut fatal, mut end_tick, mut end_time) = (None, 0u64, (0u128, 1u64));
    loop {
        match reader.next_event() {
            Ok(Some(ev)) => {
                let time = tempo.exact_frame_at(ev.tick);
                let event = ScanEvent {
                    tick: ev.tick,
                    track: ev.track,
                    port: ev.port,
                    time,
                    kind: ev.kind,
                };
                if let TrackEventKind::Meta(midly::MetaMessage::Tempo(us)) = ev.kind {
                    tempo.set_tempo(ev.tick, us.as_int());
                }
                end_tick = end_tick.max(ev.tick);
                end_time = time;
                each(&header, &event);
            }
            Ok(None) => break,
            Err(e) if e.is_fatal() => {
                fatal = Some(e);
                break;
            }
            Err(e) => {
                if problems.len() < MAX_PROBLEMS {
                    problems.push(e);
                } else {
                    more_problems += 1;
                }
            }
        }
    }
    let mut diagnostics = *reader.diagnostics();
    diagnostics.errors_not_returned += more_problems;
    ScanSummary {
        header,
        diagnostics,
        problems,
        fatal,
        end_tick,
        end_time,
    }
}

/// The name to show for an input path (`-` is "standard input").
pub use crate::exit::display_name;
