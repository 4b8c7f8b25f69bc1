//! `host info`: what a MIDI file holds — format, division, tracks (name,
//! events, channels), exact duration, tempo changes, time and key
//! signatures, programs and note-ons per channel, texts, sysex (GM/GS/XG
//! resets named) and what was skipped or damaged. `--json` prints one JSON
//! object ([`crate::info_json`], through `serde_json`).
//!
//! Duration is the time of the last event of any track (end-of-track
//! included), exact from the tempo map (see [`crate::scan`]).
//!
//! JSON keys: `file`, `format`, `rmid`, `division` (`{"ticks_per_quarter"}`
//! or `{"smpte_fps", "ticks_per_frame"}`), `declared_tracks`, `tracks`
//! (`[{"index", "name", "events", "channels", "note_ons"}]`), `events_total`
//! (every event of every track, meta and end-of-track included), `note_ons`
//! (velocity > 0), `note_ons_per_channel` (16 numbers, channel 1 first),
//! `programs_per_channel` (16 arrays), `end_tick`, `duration_seconds`,
//! `tempo_changes` (`[{"tick", "seconds", "us_per_quarter", "bpm"}]`),
//! `time_signatures`, `key_signatures`, `texts` (counts by kind), `sysex`
//! (`{"count", "resets": [{"tick", "seconds", "kind"}]}`), `escapes`,
//! `problems` (strings), `diagnostics` (the reader's counters).
//!
//! *Real-time*: not real-time (a CLI command).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use midly::{MetaMessage, MidiMessage, Timing, TrackEventKind};
use smfplay_core::sequencer::reset_kind;

use crate::cli::InfoArgs;
use crate::describe::{key_name, reset_name, text};
use crate::exit::{HostError, code};
use crate::progress::clock;
use crate::scan::{self, ScanSummary, display_name};

#[derive(Default, Clone)]
struct TrackInfo {
    name: Option<String>,
    events: u64,
    channels: u16,
    note_ons: u64,
}

use crate::info_json::Texts;

#[derive(Default)]
struct Info {
    tracks: Vec<TrackInfo>,
    events_total: u64,
    note_ons: [u64; 16],
    programs: [BTreeSet<u8>; 16],
    tempos: Vec<(u64, f64, u32)>,
    time_signatures: Vec<(u64, f64, u8, u8)>,
    key_signatures: Vec<(u64, f64, i8, bool)>,
    texts: Texts,
    sysex: u64,
    resets: Vec<(u64, f64, &'static str)>,
    escapes: u64,
}

impl Info {
    fn add(&mut self, track: u16, tick: u64, seconds: f64, kind: &TrackEventKind<'_>) {
        let t = usize::from(track);
        if self.tracks.len() <= t {
            self.tracks.resize(t + 1, TrackInfo::default());
        }
        self.events_total += 1;
        let tr = &mut self.tracks[t];
        tr.events += 1;
        match *kind {
            TrackEventKind::Midi { channel, message } => {
                let ch = usize::from(channel.as_int());
                tr.channels |= 1 << ch;
                match message {
                    MidiMessage::NoteOn { vel, .. } if vel.as_int() > 0 => {
                        tr.note_ons += 1;
                        self.note_ons[ch] += 1;
                    }
                    MidiMessage::ProgramChange { program } => {
                        self.programs[ch].insert(program.as_int());
                    }
                    _ => {}
                }
            }
            TrackEventKind::SysEx(data) => {
                self.sysex += 1;
                if let Some(kind) = reset_kind(data) {
                    self.resets.push((tick, seconds, reset_name(kind)));
                }
            }
            TrackEventKind::Escape(_) => self.escapes += 1,
            TrackEventKind::Meta(meta) => {
                let c = &mut self.texts;
                match meta {
                    MetaMessage::Text(_) => c.text += 1,
                    MetaMessage::Copyright(_) => c.copyright += 1,
                    MetaMessage::TrackName(d) => {
                        c.track_name += 1;
                        if tr.name.is_none() {
                            tr.name = Some(text(d));
                        }
                    }
                    MetaMessage::InstrumentName(_) => c.instrument_name += 1,
                    MetaMessage::Lyric(_) => c.lyric += 1,
                    MetaMessage::Marker(_) => c.marker += 1,
                    MetaMessage::CuePoint(_) => c.cue_point += 1,
                    MetaMessage::ProgramName(_) => c.program_name += 1,
                    MetaMessage::DeviceName(_) => c.device_name += 1,
                    MetaMessage::Tempo(us) => self.tempos.push((tick, seconds, us.as_int())),
                    MetaMessage::TimeSignature(n, d, _, _) => {
                        self.time_signatures.push((tick, seconds, n, d));
                    }
                    MetaMessage::KeySignature(sf, minor) => {
                        self.key_signatures.push((tick, seconds, sf, minor));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Runs `host info`; returns the exit code.
pub fn run(args: &InfoArgs) -> Result<i32, HostError> {
    let name = display_name(&args.file);
    let input = crate::midi_input::MidiInput::open(&args.file)?;
    let mut info = Info::default();
    let summary = scan::scan(input, args.strict, |_, ev| {
        info.add(ev.track, ev.tick, ev.seconds(), &ev.kind);
    })?;
    let tracks = usize::from(summary.header.tracks);
    if info.tracks.len() < tracks {
        info.tracks.resize(tracks, TrackInfo::default());
    }
    let out = if args.json {
        json(&name, &info, &summary)
    } else {
        plain(&name, &info, &summary)
    };
    print!("{out}");
    Ok(code::OK)
}

fn channels_list(mask: u16) -> Vec<u8> {
    (0..16u8)
        .filter(|c| mask & (1 << c) != 0)
        .map(|c| c + 1)
        .collect()
}

fn format_number(f: midly::Format) -> u8 {
    match f {
        midly::Format::SingleTrack => 0,
        midly::Format::Parallel => 1,
        midly::Format::Sequential => 2,
    }
}

fn bpm(us: u32) -> f64 {
    60_000_000.0 / f64::from(us.max(1))
}

fn json(name: &str, info: &Info, s: &ScanSummary) -> String {
    use crate::info_json as j;
    let d = &s.diagnostics;
    let file = j::FileInfo {
        file: name,
        format: format_number(s.header.format),
        rmid: s.header.rmid,
        division: match s.header.timing {
            Timing::Metrical(t) => j::Division::Metrical {
                ticks_per_quarter: t.as_int(),
            },
            Timing::Timecode(fps, tpf) => j::Division::Timecode {
                smpte_fps: f64::from(fps.as_f32()),
                ticks_per_frame: tpf,
            },
        },
        declared_tracks: s.header.declared_tracks,
        tracks: info
            .tracks
            .iter()
            .enumerate()
            .map(|(index, t)| j::Track {
                index,
                name: t.name.as_deref(),
                events: t.events,
                channels: channels_list(t.channels),
                note_ons: t.note_ons,
            })
            .collect(),
        events_total: info.events_total,
        note_ons: info.note_ons.iter().sum(),
        note_ons_per_channel: info.note_ons,
        programs_per_channel: info
            .programs
            .iter()
            .map(|set| set.iter().copied().collect())
            .collect(),
        end_tick: s.end_tick,
        duration_seconds: s.duration_seconds(),
        tempo_changes: info
            .tempos
            .iter()
            .map(|&(tick, seconds, us)| j::Tempo {
                tick,
                seconds,
                us_per_quarter: us,
                bpm: bpm(us),
            })
            .collect(),
        time_signatures: info
            .time_signatures
            .iter()
            .map(|&(tick, seconds, numerator, d)| j::TimeSignature {
                tick,
                seconds,
                numerator,
                denominator: 1u32.checked_shl(u32::from(d)).unwrap_or(0),
            })
            .collect(),
        key_signatures: info
            .key_signatures
            .iter()
            .map(|&(tick, seconds, sharps, minor)| j::KeySignature {
                tick,
                seconds,
                sharps,
                minor,
                name: key_name(sharps, minor),
            })
            .collect(),
        texts: info.texts,
        sysex: j::Sysex {
            count: info.sysex,
            resets: info
                .resets
                .iter()
                .map(|&(tick, seconds, kind)| j::Reset {
                    tick,
                    seconds,
                    kind,
                })
                .collect(),
        },
        escapes: info.escapes,
        problems: s.problem_lines(),
        diagnostics: j::Diagnostics {
            chunks_past_end: d.chunks_past_end,
            unknown_chunks: d.unknown_chunks,
            trailing_garbage: d.trailing_garbage,
            track_count_mismatch: d.track_count_mismatch,
            bad_meta_lengths: d.bad_meta_lengths,
            tracks_without_end: d.tracks_without_end,
            tracks_cut: d.tracks_cut,
            events_skipped: d.events_skipped,
            bytes_after_end_of_track: d.bytes_after_end_of_track,
            read_to_end: s.fatal.is_none(),
        },
    };
    let mut out = crate::json_events::line(&file);
    out.push('\n');
    out
}

fn plain(name: &str, info: &Info, s: &ScanSummary) -> String {
    let mut out = String::new();
    let h = &s.header;
    let _ = writeln!(out, "File:        {name}");
    let kind = match h.format {
        midly::Format::SingleTrack => "single track",
        midly::Format::Parallel => "parallel tracks",
        midly::Format::Sequential => "sequential tracks",
    };
    let _ = writeln!(
        out,
        "Format:      {} ({kind}){}",
        format_number(h.format),
        if h.rmid {
            ", in a RIFF RMID wrapper"
        } else {
            ""
        }
    );
    let _ = match h.timing {
        Timing::Metrical(t) => writeln!(out, "Division:    {t} ticks per quarter note"),
        Timing::Timecode(fps, tpf) => writeln!(
            out,
            "Division:    SMPTE {} fps × {tpf} ticks per frame",
            fps.as_f32()
        ),
    };
    let secs = s.duration_seconds();
    let _ = writeln!(
        out,
        "Duration:    {} ({secs:.6} s, {} ticks)",
        clock(secs),
        s.end_tick
    );
    let total_notes: u64 = info.note_ons.iter().sum();
    let _ = writeln!(
        out,
        "Events:      {} ({total_notes} note-ons)",
        info.events_total
    );
    // Tempo
    match info.tempos.as_slice() {
        [] => {
            let _ = writeln!(out, "Tempo:       120 BPM (no tempo events)");
        }
        list => {
            let _ = writeln!(out, "Tempo:       {} change(s)", list.len());
            for &(tick, secs, us) in list.iter().take(20) {
                let _ = writeln!(
                    out,
                    "             {:>9} tick {tick}: {:.3} BPM ({us} µs/quarter)",
                    clock(secs),
                    bpm(us)
                );
            }
            if list.len() > 20 {
                let _ = writeln!(out, "             … and {} more", list.len() - 20);
            }
        }
    }
    if !info.time_signatures.is_empty() {
        let list: Vec<String> = info
            .time_signatures
            .iter()
            .take(10)
            .map(|&(_, secs, n, d)| {
                format!(
                    "{n}/{} at {}",
                    1u32.checked_shl(u32::from(d)).unwrap_or(0),
                    clock(secs)
                )
            })
            .collect();
        let more = info.time_signatures.len().saturating_sub(10);
        let _ = writeln!(
            out,
            "Time sig.:   {}{}",
            list.join(", "),
            if more > 0 {
                format!(" … and {more} more")
            } else {
                String::new()
            }
        );
    }
    if !info.key_signatures.is_empty() {
        let list: Vec<String> = info
            .key_signatures
            .iter()
            .take(10)
            .map(|&(_, secs, sf, minor)| format!("{} at {}", key_name(sf, minor), clock(secs)))
            .collect();
        let _ = writeln!(out, "Key sig.:    {}", list.join(", "));
    }
    let c = info.texts;
    let _ = writeln!(
        out,
        "Texts:       {} lyrics, {} markers, {} cue points, {} texts, {} track names, {} instrument names, {} copyright",
        c.lyric, c.marker, c.cue_point, c.text, c.track_name, c.instrument_name, c.copyright
    );
    let resets: Vec<String> = info
        .resets
        .iter()
        .take(10)
        .map(|&(_, secs, kind)| format!("{kind} at {}", clock(secs)))
        .collect();
    let _ = writeln!(
        out,
        "Sysex:       {}{}",
        info.sysex,
        if resets.is_empty() {
            String::new()
        } else {
            format!(" ({})", resets.join(", "))
        }
    );
    if info.escapes > 0 {
        let _ = writeln!(out, "Escapes:     {} (not played)", info.escapes);
    }
    let _ = writeln!(out, "Channels:");
    for ch in 0..16 {
        let notes = info.note_ons[ch];
        let progs = &info.programs[ch];
        if notes == 0 && progs.is_empty() {
            continue;
        }
        let progs: Vec<String> = progs.iter().map(u8::to_string).collect();
        let _ = writeln!(
            out,
            "  {:>2}: {notes} note-ons{}{}",
            ch + 1,
            if progs.is_empty() {
                String::new()
            } else {
                format!(", programs {}", progs.join(", "))
            },
            if ch == 9 { " (drums)" } else { "" }
        );
    }
    let _ = writeln!(
        out,
        "Tracks:      {}{}",
        info.tracks.len(),
        if h.declared_tracks as usize != info.tracks.len() {
            format!(" (header says {})", h.declared_tracks)
        } else {
            String::new()
        }
    );
    for (i, t) in info.tracks.iter().enumerate().take(64) {
        let chans: Vec<String> = channels_list(t.channels)
            .iter()
            .map(u8::to_string)
            .collect();
        let _ = writeln!(
            out,
            "  {i:>3}: {} — {} events, {} note-ons{}",
            t.name
                .as_deref()
                .map_or("(no name)".to_string(), |n| format!("{n:?}")),
            t.events,
            t.note_ons,
            if chans.is_empty() {
                String::new()
            } else {
                format!(", channels {}", chans.join(", "))
            }
        );
    }
    if info.tracks.len() > 64 {
        let _ = writeln!(out, "  … and {} more tracks", info.tracks.len() - 64);
    }
    let problems = s.problem_lines();
    if problems.is_empty() {
        let _ = writeln!(out, "Problems:    none");
    } else {
        let _ = writeln!(out, "Problems:    {}", problems.len());
        for p in problems.iter().take(50) {
            let _ = writeln!(out, "  {p}");
        }
        if problems.len() > 50 {
            let _ = writeln!(out, "  … and {} more", problems.len() - 50);
        }
    }
    out
}
