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
//! `problems` (strings), `diagnostics` (the reader's counters),
//! `instruments_per_channel` (16 arrays of General MIDI names, in the
//! order of `programs_per_channel`; drum kits on channel 10; a channel
//! that plays notes without a program change has program 0's name),
//! `lyrics` (`{"events", "lines", "first_lines"}`: the lyric events, or in
//! a karaoke file its text events that are not tags; control sequences
//! removed), `karaoke` (`null`, or the `.kar` tags: `{"title", "titles",
//! "information", "language", "version"}`), `loop` (the file's loop points: `{"start_tick",
//! "end_tick", "convention", "text"}` or null).
//!
//! *Real-time*: not real-time (a CLI command).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use midly::{MetaMessage, MidiMessage, Timing, TrackEventKind};
use smfplay_core::sequencer::{LoopPoints, reset_kind};

use crate::cli::InfoArgs;
use crate::describe::{key_name, reset_name, text};
use crate::exit::{HostError, code};
use crate::gm_names;
use crate::karaoke::{self, LyricLines, Tags};
use crate::progress::clock;
use crate::scan::{ScanSummary, display_name};

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
    /// A karaoke file: a `.kar` name, or karaoke tags inside.
    karaoke: bool,
    /// Lyric events (FF 05) as lines.
    lyrics: LyricLines,
    /// Text events (FF 01) that are not tags, as lines: a karaoke file's
    /// lyrics.
    karaoke_text: LyricLines,
    tags: Tags,
    /// The in-file loop and its description.
    file_loop: Option<(LoopPoints, String)>,
}

/// Lyric lines `info` shows.
const FIRST_LYRIC_LINES: usize = 4;

impl Info {
    /// The song's lyrics: its lyric events, or a karaoke file's text.
    fn lyric_lines(&self) -> &LyricLines {
        if self.lyrics.events() == 0 && self.karaoke {
            &self.karaoke_text
        } else {
            &self.lyrics
        }
    }

    /// General MIDI names of the programs a channel (from 0) uses.
    fn instruments(&self, ch: usize) -> Vec<String> {
        let programs = &self.programs[ch];
        if programs.is_empty() && self.note_ons[ch] > 0 {
            return vec![gm_names::instrument(ch, 0)];
        }
        programs
            .iter()
            .map(|&p| gm_names::instrument(ch, p))
            .collect()
    }

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
                    MetaMessage::Text(d) => {
                        c.text += 1;
                        let t = text(d);
                        match karaoke::tag(&t) {
                            Some(tag) => self.tags.add(tag),
                            None => self.karaoke_text.push(&t),
                        }
                    }
                    MetaMessage::Copyright(_) => c.copyright += 1,
                    MetaMessage::TrackName(d) => {
                        c.track_name += 1;
                        if tr.name.is_none() {
                            tr.name = Some(text(d));
                        }
                    }
                    MetaMessage::InstrumentName(_) => c.instrument_name += 1,
                    MetaMessage::Lyric(d) => {
                        c.lyric += 1;
                        self.lyrics.push(&text(d));
                    }
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
    let mut info = Info {
        lyrics: LyricLines::new(FIRST_LYRIC_LINES),
        karaoke_text: LyricLines::new(FIRST_LYRIC_LINES),
        ..Info::default()
    };
    let (summary, map) = crate::song_map::scan_with_map(input, args.strict, |_, ev| {
        info.add(ev.track, ev.tick, ev.seconds(), &ev.kind);
    })?;
    info.file_loop = Some((map.file_loop(), crate::song_map::loop_description(&map)));
    let tracks = usize::from(summary.header.tracks);
    if info.tracks.len() < tracks {
        info.tracks.resize(tracks, TrackInfo::default());
    }
    info.karaoke = karaoke::is_kar_name(&args.file) || !info.tags.is_empty();
    let out = if args.json {
        json(&name, &info, &summary)
    } else {
        plain(&name, &info, &summary)
    };
    crate::exit::print(out.as_bytes())?;
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
        instruments_per_channel: (0..16).map(|ch| info.instruments(ch)).collect(),
        lyrics: {
            let lyrics = info.lyric_lines();
            j::Lyrics {
                events: lyrics.events(),
                lines: lyrics.count(),
                first_lines: lyrics.first_lines(),
            }
        },
        karaoke: (!info.tags.is_empty()).then(|| j::Karaoke {
            title: info.tags.title(),
            titles: &info.tags.titles,
            information: &info.tags.information,
            language: info.tags.language.as_deref(),
            version: info.tags.version.as_deref(),
        }),
        end_tick: s.end_tick,
        duration_seconds: s.duration_seconds(),
        file_loop: match &info.file_loop {
            Some((LoopPoints { found: Some(l), .. }, text)) => Some(j::FileLoop {
                start_tick: l.range.start,
                end_tick: l.range.end,
                convention: l.convention.name(),
                text,
            }),
            _ => None,
        },
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
    if let Some(title) = info.tags.title() {
        let more = &info.tags.titles[1..];
        let _ = writeln!(
            out,
            "Title:       {title}{}",
            if more.is_empty() {
                String::new()
            } else {
                format!(" ({})", more.join(", "))
            }
        );
    }
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
    if let Some((_, text)) = &info.file_loop {
        let _ = writeln!(out, "Loop:        {text}");
    }
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
    let counted = |n: u64, one: &str| format!("{n} {one}{}", plural(n));
    let _ = writeln!(
        out,
        "Texts:       {}, {}, {}, {}, {}, {}, {} copyright",
        counted(c.lyric, "lyric"),
        counted(c.marker, "marker"),
        counted(c.cue_point, "cue point"),
        counted(c.text, "text"),
        counted(c.track_name, "track name"),
        counted(c.instrument_name, "instrument name"),
        c.copyright
    );
    let lyrics = info.lyric_lines();
    if lyrics.count() > 0 {
        let _ = writeln!(
            out,
            "Lyrics:      {} line{}, {} syllable event{}",
            lyrics.count(),
            plural(lyrics.count()),
            lyrics.events(),
            plural(lyrics.events())
        );
        for line in lyrics.first_lines() {
            let _ = writeln!(out, "             {line}");
        }
        if lyrics.count() > FIRST_LYRIC_LINES as u64 {
            let _ = writeln!(out, "             …");
        }
    }
    if !info.tags.is_empty() {
        let t = &info.tags;
        let mut parts = Vec::new();
        if let Some(l) = &t.language {
            parts.push(format!("language {l}"));
        }
        if let Some(v) = &t.version {
            parts.push(format!("version {v}"));
        }
        let _ = writeln!(
            out,
            "Karaoke:     {}",
            if parts.is_empty() {
                "tags".to_string()
            } else {
                parts.join(", ")
            }
        );
        for i in &t.information {
            let _ = writeln!(out, "             {i}");
        }
    }
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
        let names = info.instruments(ch);
        let named: Vec<String> = if progs.is_empty() {
            names
        } else {
            names
                .iter()
                .zip(progs)
                .map(|(n, p)| format!("{n} ({p})"))
                .collect()
        };
        let _ = writeln!(
            out,
            "  {:>2}: {notes} note-ons{}{}",
            ch + 1,
            if named.is_empty() {
                String::new()
            } else {
                format!(", {}", named.join(", "))
            },
            if ch == gm_names::DRUM_CHANNEL {
                " (drums)"
            } else {
                ""
            }
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

/// "s" after a count that is not one.
fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
