//! The object `host info --json` prints: `#[derive(Serialize)]` types
//! filled by [`crate::info`] and written with `serde_json`. The README
//! ("JSON output") documents the fields.
//!
//! *Real-time*: not real-time (a CLI command).

use serde::Serialize;

/// The whole file.
#[derive(Debug, Serialize)]
pub struct FileInfo<'a> {
    pub file: &'a str,
    pub format: u8,
    pub rmid: bool,
    pub division: Division,
    pub declared_tracks: u16,
    pub tracks: Vec<Track<'a>>,
    pub events_total: u64,
    pub note_ons: u64,
    pub note_ons_per_channel: [u64; 16],
    pub programs_per_channel: Vec<Vec<u8>>,
    /// General MIDI names, in the order of `programs_per_channel`.
    pub instruments_per_channel: Vec<Vec<String>>,
    pub lyrics: Lyrics<'a>,
    /// `None` (`null`) when the file has no karaoke tags.
    pub karaoke: Option<Karaoke<'a>>,
    pub end_tick: u64,
    pub duration_seconds: f64,
    /// The loop the file marks (`null` when it marks none).
    #[serde(rename = "loop")]
    pub file_loop: Option<FileLoop<'a>>,
    pub tempo_changes: Vec<Tempo>,
    pub time_signatures: Vec<TimeSignature>,
    pub key_signatures: Vec<KeySignature>,
    pub texts: Texts,
    pub sysex: Sysex,
    pub escapes: u64,
    pub problems: Vec<String>,
    pub diagnostics: Diagnostics,
}

/// A loop marked in the file: where it starts and ends (`null`: at the
/// song's end), by which convention, and as `info` says it.
#[derive(Debug, Serialize)]
pub struct FileLoop<'a> {
    pub start_tick: u64,
    pub end_tick: Option<u64>,
    pub convention: &'static str,
    pub text: &'a str,
}

/// Ticks per quarter note, or SMPTE timing.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Division {
    Metrical { ticks_per_quarter: u16 },
    Timecode { smpte_fps: f64, ticks_per_frame: u8 },
}

/// The lyric lines (lyric events, or a karaoke file's text events that are
/// not tags; control sequences removed).
#[derive(Debug, Serialize)]
pub struct Lyrics<'a> {
    pub events: u64,
    pub lines: u64,
    pub first_lines: Vec<&'a str>,
}

/// A `.kar` file's `@` tags.
#[derive(Debug, Serialize)]
pub struct Karaoke<'a> {
    pub title: Option<&'a str>,
    pub titles: &'a [String],
    pub information: &'a [String],
    pub language: Option<&'a str>,
    pub version: Option<&'a str>,
}

/// One track.
#[derive(Debug, Serialize)]
pub struct Track<'a> {
    pub index: usize,
    pub name: Option<&'a str>,
    pub events: u64,
    pub channels: Vec<u8>,
    pub note_ons: u64,
}

/// A tempo change.
#[derive(Debug, Serialize)]
pub struct Tempo {
    pub tick: u64,
    pub seconds: f64,
    pub us_per_quarter: u32,
    pub bpm: f64,
}

/// A time signature.
#[derive(Debug, Serialize)]
pub struct TimeSignature {
    pub tick: u64,
    pub seconds: f64,
    pub numerator: u8,
    pub denominator: u32,
}

/// A key signature.
#[derive(Debug, Serialize)]
pub struct KeySignature {
    pub tick: u64,
    pub seconds: f64,
    pub sharps: i8,
    pub minor: bool,
    pub name: String,
}

/// Text events counted by kind.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Texts {
    pub text: u64,
    pub copyright: u64,
    pub track_name: u64,
    pub instrument_name: u64,
    pub lyric: u64,
    pub marker: u64,
    pub cue_point: u64,
    pub program_name: u64,
    pub device_name: u64,
}

/// System exclusive messages and the resets among them.
#[derive(Debug, Serialize)]
pub struct Sysex {
    pub count: u64,
    pub resets: Vec<Reset>,
}

/// A GM/GS/XG reset.
#[derive(Debug, Serialize)]
pub struct Reset {
    pub tick: u64,
    pub seconds: f64,
    pub kind: &'static str,
}

/// What the reader found damaged or unusual.
#[derive(Debug, Serialize)]
pub struct Diagnostics {
    pub chunks_past_end: u16,
    pub unknown_chunks: u16,
    pub trailing_garbage: bool,
    pub track_count_mismatch: bool,
    pub bad_meta_lengths: u32,
    pub tracks_without_end: u16,
    pub tracks_cut: u16,
    pub events_skipped: u32,
    pub bytes_after_end_of_track: u64,
    pub read_to_end: bool,
}
