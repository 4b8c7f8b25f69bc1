//! `host dump`: every event in playback order, one per line:
//!
//! ```text
//! TICK<TAB>SECONDS<TAB>TRACK<TAB>EVENT[<TAB>port N]
//! 480<TAB>0.500000<TAB>1<TAB>note-on ch 1 C4 (60) vel 100
//! 480<TAB>0.500000<TAB>2<TAB>note-on ch 1 C4 (60) vel 100<TAB>port 1
//! ```
//!
//! A channel or sysex event whose track chose a MIDI port other than 0
//! with a port-number meta event (`FF 21`) ends with a fifth column,
//! `port N` (the file's number: `play --port A,B` plays it on the
//! `N % 2`-th port given).
//!
//! With `--json`, one object per event and line instead
//! ([`crate::json_events::DumpLine`]).
//!
//! Seconds are exact times rounded to microseconds (6 decimals); tracks
//! count from 0 in file order; channels from 1. Problems go to standard
//! error, so standard output has exactly one line per event.
//!
//! *Real-time*: not real-time (a CLI command); memory does not grow with
//! the file (output is streamed).

use std::io::Write;

use crate::cli::DumpArgs;
use crate::exit::{HostError, Kind, code, describe_io};
use crate::scan::{self, display_name, micros};

/// Runs `host dump`; returns the exit code.
pub fn run(args: &DumpArgs) -> Result<i32, HostError> {
    let name = display_name(&args.file);
    let input = crate::midi_input::MidiInput::open(&args.file)?;
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let mut write_error: Option<std::io::Error> = None;
    let mut line = String::new();
    let summary = scan::scan(input, args.strict, |_, ev| {
        if write_error.is_some() {
            return;
        }
        let us = micros(ev.time);
        line.clear();
        use std::fmt::Write as _;
        let event = crate::describe::event(&ev.kind);
        let port = matches!(
            ev.kind,
            midly::TrackEventKind::Midi { .. } | midly::TrackEventKind::SysEx(_)
        )
        .then_some(ev.port);
        if args.json {
            let text = event_text(&ev.kind);
            line.push_str(&crate::json_events::line(&crate::json_events::DumpLine {
                tick: ev.tick,
                time_s: us as f64 / 1e6,
                track: ev.track,
                port,
                event: &event,
                text: text.as_deref(),
            }));
            line.push('\n');
        } else {
            let _ = write!(
                line,
                "{}\t{}.{:06}\t{}\t{event}",
                ev.tick,
                us / 1_000_000,
                us % 1_000_000,
                ev.track,
            );
            if let Some(p) = port.filter(|&p| p != 0) {
                let _ = write!(line, "\tport {p}");
            }
            line.push('\n');
        }
        if let Err(e) = out.write_all(line.as_bytes()) {
            write_error = Some(e);
        }
    })?;
    if write_error.is_none()
        && let Err(e) = out.flush()
    {
        write_error = Some(e);
    }
    if let Some(e) = write_error {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(code::OK); // `host dump x.mid | head`
        }
        return Err(HostError::new(
            Kind::Output,
            "standard output",
            describe_io(&e),
        ));
    }
    for line in summary.problem_lines() {
        eprintln!("{}: warning: {name}: {line}", crate::program::name());
    }
    Ok(code::OK)
}

/// The decoded text of a text meta event (lyric, marker, name…).
fn event_text(kind: &midly::TrackEventKind<'_>) -> Option<String> {
    use midly::MetaMessage as M;
    let midly::TrackEventKind::Meta(meta) = kind else {
        return None;
    };
    match meta {
        M::Text(d)
        | M::Copyright(d)
        | M::TrackName(d)
        | M::InstrumentName(d)
        | M::Lyric(d)
        | M::Marker(d)
        | M::CuePoint(d)
        | M::ProgramName(d)
        | M::DeviceName(d) => Some(crate::describe::text(d)),
        _ => None,
    }
}
