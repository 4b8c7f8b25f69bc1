//! The live display's text: one [`Frame`] of figures → the lines to draw
//! ([`render`]), and the karaoke line built from lyric events
//! ([`Lyrics`]). Pure (no terminal), so what is shown is unit-tested;
//! [`super::ui`] draws the lines in place.
//!
//! *Real-time*: control thread only.

use smfplay_core::sequencer::TextKind;

use crate::karaoke::{self, LyricLines, Tag};
use crate::printable::printable;

use super::controls::Controls;
use super::keys::CHANNEL_KEYS;
use super::text_width::{fit, line_columns};

/// Everything one frame shows.
#[derive(Clone, Debug)]
pub struct Frame<'a> {
    /// File name.
    pub name: &'a str,
    /// The karaoke title, if the file has one.
    pub title: Option<&'a str>,
    /// Place in the playlist, from 1, and its length.
    pub index: usize,
    /// Files in the playlist.
    pub count: usize,
    /// Song position, ms.
    pub song_ms: u64,
    /// Song length, ms, when known.
    pub total_ms: Option<u64>,
    /// Paused.
    pub paused: bool,
    /// The song ended (or was stopped): the last frame.
    pub ended: bool,
    /// Bar and beat, from 1.
    pub bar_beat: (u32, u32),
    /// Song tempo, µs per quarter.
    pub us_per_quarter: u32,
    /// Tempo scale in thousandths, as the audio thread applied it.
    pub tempo_milli: u32,
    /// Time signature (numerator, denominator as a power of two).
    pub signature: (u8, u8),
    /// Key signature (sharps, minor), once one was played.
    pub key: Option<(i8, bool)>,
    /// Voices sounding.
    pub voices: u32,
    /// Most work in a period since the last frame, ns.
    pub work_ns: u64,
    /// The period's budget, ns.
    pub budget_ns: u64,
    /// Xruns so far in this song.
    pub xruns: u64,
    /// Load-shedding level (0: none).
    pub shed_level: u8,
    /// The A–B or in-file loop ("bars 5:1–9:1"), empty without one.
    pub looping: &'a str,
    /// Loop turns so far.
    pub loops: u32,
    /// The current lyric line.
    pub lyric: &'a str,
    /// The last marker, cue or text event.
    pub text: &'a str,
    /// Channels sounding (bit n = channel n).
    pub sounding: u16,
    /// Channels muted, as the audio thread applied it.
    pub muted: u16,
    /// Channels soloed, as the audio thread applied it.
    pub solo: u16,
    /// The settings the keys change (mute, solo, volume…).
    pub controls: &'a Controls,
    /// A message for the user (a warning, or what `s` waits for).
    pub message: &'a str,
    /// Whether keys are read.
    pub keys: bool,
}

/// The key help, two lines that fit 80 columns.
pub const KEY_HELP: [&str; 3] = [
    "space pause  <-/-> 5s  PgUp/PgDn 30s  Home start  Up/Dn volume  +/- tempo",
    "t/T transpose  1-0 !-^ mute  s solo  l loop  n/p next/previous  r fx  q quit",
    ",/. bar back/forward  [ loop start  ] loop end  \\ no loop",
];

/// The key help in four lines that fit 40 columns.
pub const KEY_HELP_NARROW: [&str; 5] = [
    "space pause  <-/-> 5s  PgUp/Dn 30s",
    "Home start  Up/Dn volume  +/- tempo",
    "t/T transpose  1-0 !-^ mute  s solo",
    "l loop  n/p next/prev  r fx  q quit",
    ",/. bar  [ A  ] B  \\ no loop",
];

/// `m:ss.s`, rounded to the tenth as `host info` and `render` round
/// ([`crate::progress::clock`]: one clock for the whole program).
pub fn clock(ms: u64) -> String {
    crate::progress::clock(ms as f64 / 1000.0)
}

/// A key signature's name (`G major`, `Bb minor`).
pub fn key_name(sharps: i8, minor: bool) -> String {
    const MAJOR: [&str; 15] = [
        "Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#",
    ];
    const MINOR: [&str; 15] = [
        "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#",
    ];
    let i = (i32::from(sharps.clamp(-7, 7)) + 7) as usize;
    if minor {
        format!("{} minor", MINOR[i])
    } else {
        format!("{} major", MAJOR[i])
    }
}

/// The lines of a frame, each at most `width` characters.
pub fn render(f: &Frame<'_>, width: usize) -> Vec<String> {
    let width = width.max(20);
    let c = f.controls;
    let mut lines = Vec::with_capacity(10);
    let state = if f.ended {
        "ended"
    } else if f.paused {
        "paused"
    } else {
        "playing"
    };
    lines.push(header(f, state, width));
    // The release tail, or a seek past the end, plays on after the last
    // event: the clock stops at the song's length.
    let song_ms = f.total_ms.map_or(f.song_ms, |t| f.song_ms.min(t));
    let times = match f.total_ms {
        Some(t) => format!(" {} / {}", clock(song_ms), clock(t)),
        None => format!(" {}", clock(song_ms)),
    };
    let bar_width = width.saturating_sub(times.len() + 2).max(4);
    let done = match f.total_ms {
        Some(t) if t > 0 => ((song_ms as f64 / t as f64) * bar_width as f64) as usize,
        _ => 0,
    };
    lines.push(format!(
        "[{}{}]{times}",
        "#".repeat(done),
        "-".repeat(bar_width - done)
    ));
    let bpm = 60_000_000.0 / f64::from(f.us_per_quarter.max(1));
    let scale = f64::from(f.tempo_milli) / 1000.0;
    let mut music = vec![
        format!("bar {}:{}", f.bar_beat.0, f.bar_beat.1),
        format!("{bpm:.1} BPM x{scale:.2} = {:.1}", bpm * scale),
        format!("time {}/{}", f.signature.0, 1u32 << f.signature.1.min(6)),
    ];
    if let Some((s, m)) = f.key {
        music.push(format!("key {}", key_name(s, m)));
    }
    music.push(format!("transpose {:+}", c.transpose));
    lines.extend(pack(&music, width));
    if !f.looping.is_empty() {
        lines.push(format!(
            "A-B loop {}  turns {}  ([ A  ] B  \\ clear)",
            f.looping, f.loops
        ));
    }
    let load = f.work_ns * 100 / f.budget_ns.max(1);
    let shed = if f.shed_level > 0 {
        format!(" (shedding, level {})", f.shed_level)
    } else {
        String::new()
    };
    let figures = [
        format!("voices {}", f.voices),
        format!(
            "DSP {load}% ({}/{} us){shed}",
            f.work_ns / 1000,
            f.budget_ns / 1000
        ),
        format!("xruns {}", f.xruns),
        format!("volume {}%", c.volume_percent),
        format!("fx {}", if c.effects { "on" } else { "off" }),
        format!("loop {}", if c.repeat { "on" } else { "off" }),
    ];
    lines.extend(pack(&figures, width));
    lines.push(format!("lyric: {}", f.lyric));
    lines.push(format!("text:  {}", f.text));
    lines.extend(channel_strip(f, width));
    let message = if c.solo_armed {
        "solo: press a channel key (s again: no solo)"
    } else {
        f.message
    };
    lines.push(message.to_string());
    if f.keys {
        let help: &[&str] = if KEY_HELP.iter().all(|l| l.len() <= width) {
            &KEY_HELP
        } else {
            &KEY_HELP_NARROW
        };
        lines.extend(help.iter().map(|l| l.to_string()));
    }
    lines.into_iter().map(|l| fit(l, width)).collect()
}

/// Columns a string takes.
fn width_of(s: &str) -> usize {
    line_columns(s)
}

/// The header: `smfplay [2/3] TITLE — path/file.kar  (playing)`. When it
/// does not fit, the directory goes first, then `smfplay `, then the
/// title, then the name is cut (with `…`): the state always shows.
fn header(f: &Frame<'_>, state: &str, width: usize) -> String {
    let place = if f.count > 1 {
        format!("[{}/{}] ", f.index, f.count)
    } else {
        String::new()
    };
    let status = format!("  ({state})");
    let title = f.title.map(|t| format!("{t} — ")).unwrap_or_default();
    let file = std::path::Path::new(f.name)
        .file_name()
        .map_or(f.name.to_string(), |n| n.to_string_lossy().into_owned());
    let fits = |s: &String| width_of(s) + width_of(&status) <= width;
    let candidates = [
        format!("smfplay {place}{title}{}", f.name),
        format!("smfplay {place}{title}{file}"),
        format!("{place}{title}{file}"),
        format!("{place}{file}"),
    ];
    if let Some(head) = candidates.iter().find(|c| fits(c)) {
        return format!("{head}{status}");
    }
    let room = width.saturating_sub(width_of(&status) + 1);
    format!("{}…{status}", fit(candidates[3].clone(), room))
}

/// Parts joined by two spaces into as few lines of `width` as they fit.
fn pack(parts: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        match lines.last_mut() {
            Some(line) if width_of(line) + 2 + width_of(part) <= width => {
                line.push_str("  ");
                line.push_str(part);
            }
            _ => lines.push(part.clone()),
        }
    }
    lines
}

/// The channel keys and, under each, whether its channel is muted (`M`)
/// or soloed (`S`) and sounds (`#`) or not (`.`). Three columns a channel
/// where 52 fit, two where 36 do, else two rows of eight channels.
fn channel_strip(f: &Frame<'_>, width: usize) -> Vec<String> {
    let (cell, rows) = if width >= 4 + 16 * 3 {
        (3, 1)
    } else if width >= 4 + 16 * 2 {
        (2, 1)
    } else {
        (2, 2)
    };
    let per_row = 16 / rows;
    let mut lines = Vec::with_capacity(2 * rows);
    for row in 0..rows {
        let mut keys = String::from("key ");
        let mut strip = String::from("ch  ");
        let first = row * per_row;
        for (ch, key) in CHANNEL_KEYS.iter().enumerate().skip(first).take(per_row) {
            let bit = 1u16 << ch;
            let flag = if f.muted & bit != 0 {
                'M'
            } else if f.solo & bit != 0 {
                'S'
            } else {
                ' '
            };
            let active = if f.sounding & bit != 0 { '#' } else { '.' };
            if cell == 3 {
                keys.push_str(&format!(" {key:>2}"));
                strip.push_str(&format!(" {flag}{active}"));
            } else {
                keys.push_str(&format!(" {key}"));
                strip.push_str(&format!("{flag}{active}"));
            }
        }
        lines.push(keys.trim_end().to_string());
        lines.push(strip);
    }
    lines
}

/// Longest lyric line shown (its end: the syllables being sung).
const LYRIC_CHARS: usize = 200;

/// The current lyric line ([`LyricLines`]: built syllable by syllable; a
/// line break ends a line without blanking it), the last marker, cue or
/// text, and a karaoke file's title. In `.kar` files the lyrics are text
/// events, and text events that begin with `@` are tags
/// ([`crate::karaoke`]): the title (`@T`) goes to the header, the other
/// tags nowhere. Everything is shown without control sequences.
#[derive(Debug, Default)]
pub struct Lyrics {
    karaoke: bool,
    lines: LyricLines,
    text: String,
    title: Option<String>,
}

impl Lyrics {
    /// For a file; `karaoke` for `.kar` files.
    pub fn new(karaoke: bool) -> Self {
        Self {
            karaoke,
            ..Self::default()
        }
    }

    /// The lyric line so far (its last [`LYRIC_CHARS`] characters).
    pub fn line(&self) -> &str {
        let line = self.lines.current();
        match line.char_indices().rev().nth(LYRIC_CHARS - 1) {
            Some((at, _)) => &line[at..],
            None => line,
        }
    }

    /// The last marker, cue or text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The karaoke title, once its `@T` tag was played.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// Forgets the line (after a seek).
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// A text event as played.
    pub fn push(&mut self, kind: TextKind, raw: &[u8]) {
        let s = crate::text_decode::decode(raw);
        if kind == TextKind::Text
            && let Some(tag) = karaoke::tag(&s)
            && (self.karaoke || matches!(tag, Tag::Kind(_)))
        {
            // `@KMIDI KARAOKE FILE` in a `.mid`: karaoke all the same.
            self.karaoke = true;
            if let Tag::Title(t) = tag
                && self.title.is_none()
            {
                self.title = Some(printable(t)).filter(|t| !t.is_empty());
            }
            return;
        }
        let lyric = match kind {
            TextKind::Lyric => true,
            TextKind::Text => self.karaoke,
            TextKind::Marker | TextKind::CuePoint => false,
        };
        if lyric {
            self.lines.push(&s);
            return;
        }
        let label = match kind {
            TextKind::Marker => "marker ",
            TextKind::CuePoint => "cue ",
            _ => "",
        };
        let one_line = s.replace(['\r', '\n'], " ");
        self.text = format!("{label}{}", printable(one_line.trim()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame<'a>(c: &'a Controls) -> Frame<'a> {
        Frame {
            name: "song.mid",
            title: None,
            index: 2,
            count: 3,
            song_ms: 62_500,
            total_ms: Some(125_000),
            paused: false,
            ended: false,
            bar_beat: (17, 3),
            us_per_quarter: 500_000,
            tempo_milli: c.tempo_milli,
            signature: (6, 3),
            key: Some((1, false)),
            voices: 34,
            work_ns: 640_000,
            budget_ns: 5_333_333,
            xruns: 2,
            shed_level: 0,
            looping: "",
            loops: 0,
            lyric: "hello wor",
            text: "marker Chorus",
            sounding: 0b101,
            muted: c.muted,
            solo: c.solo,
            controls: c,
            message: "",
            keys: true,
        }
    }

    #[test]
    fn a_frame_shows_every_figure() {
        let mut c = Controls::new(1.1, 2, &[3], &[], false);
        c.solo = 1 << 15;
        let lines = render(&frame(&c), 200);
        assert_eq!(lines[0], "smfplay [2/3] song.mid  (playing)");
        assert!(lines[1].ends_with("] 1:02.5 / 2:05.0"), "{}", lines[1]);
        let bar = &lines[1][1..lines[1].find(']').unwrap()];
        let hashes = bar.chars().filter(|&c| c == '#').count();
        assert_eq!(hashes, bar.len() / 2, "half the song: {bar}");
        assert_eq!(
            lines[2],
            "bar 17:3  120.0 BPM x1.10 = 132.0  time 6/8  key G major  transpose +2"
        );
        assert_eq!(
            lines[3],
            "voices 34  DSP 12% (640/5333 us)  xruns 2  volume 100%  fx on  loop off"
        );
        assert_eq!(lines[4], "lyric: hello wor");
        assert_eq!(lines[5], "text:  marker Chorus");
        assert!(lines[6].starts_with("key   1  2  3"), "{}", lines[6]);
        assert!(lines[6].ends_with("  $  %  ^"), "{}", lines[6]);
        // Channel 1 and 3 sound, 3 is muted (its flag), 16 soloed.
        assert!(lines[7].starts_with("ch    #  . M#  ."), "{}", lines[7]);
        assert!(lines[7].ends_with(" S."), "{}", lines[7]);
        assert_eq!(lines[9..], KEY_HELP);
        assert!(KEY_HELP.iter().all(|l| l.len() < 80));
    }

    #[test]
    fn a_loop_shows_its_bars_and_turns() {
        let c = Controls::new(1.0, 0, &[], &[], false);
        let mut f = frame(&c);
        f.looping = "bars 5:1–9:1";
        f.loops = 2;
        let lines = render(&f, 200);
        assert_eq!(
            lines[3],
            "A-B loop bars 5:1–9:1  turns 2  ([ A  ] B  \\ clear)"
        );
        assert!(lines[4].starts_with("voices 34"), "{}", lines[4]);
    }

    #[test]
    fn lines_fit_the_width_and_pause_shows() {
        let c = Controls::new(1.0, 0, &[], &[], false);
        let mut f = frame(&c);
        f.paused = true;
        f.total_ms = None;
        f.count = 1;
        f.keys = false;
        let lines = render(&f, 40);
        assert_eq!(lines[0], "smfplay song.mid  (paused)");
        assert!(lines.iter().all(|l| line_columns(l) <= 40));
        assert!(
            !lines.iter().any(|l| l.starts_with("space pause")),
            "no key help without keys"
        );
        assert!(lines[1].ends_with("] 1:02.5"), "{}", lines[1]);
        f.ended = true;
        assert_eq!(render(&f, 40)[0], "smfplay song.mid  (ended)");
    }

    /// The release tail plays on after the last event: the clock stops at
    /// the song's length; tenths are rounded, as `host info` rounds them.
    #[test]
    fn the_clock_never_passes_the_length() {
        let c = Controls::new(1.0, 0, &[], &[], false);
        let mut f = frame(&c);
        f.song_ms = 3_300;
        f.total_ms = Some(2_500);
        let lines = render(&f, 80);
        assert!(lines[1].ends_with("] 0:02.5 / 0:02.5"), "{}", lines[1]);
        assert!(!lines[1].contains('-'), "a full bar: {}", lines[1]);
        f.song_ms = 1_000;
        f.total_ms = Some(59_779);
        assert!(render(&f, 80)[1].ends_with("/ 0:59.8"));
    }

    /// At 60 and 40 columns the header keeps the file's name and the
    /// state (the directory and `smfplay` go first), the channel strip
    /// shows all 16 channels, the key help is the narrow one; nothing is
    /// wider than the terminal.
    #[test]
    fn narrow_terminals_keep_what_matters() {
        let mut c = Controls::new(1.0, 0, &[], &[], false);
        c.solo = 1 << 15;
        let mut f = frame(&c);
        f.name = "/home/someone/music/midi/collections/a-long-directory/yesterday.kar";
        f.title = Some("Yesterday");
        f.muted = 1 << 2;
        f.sounding = 0b101;
        let wide = render(&f, 200);
        assert_eq!(
            wide[0],
            format!("smfplay [2/3] Yesterday — {}  (playing)", f.name)
        );
        for width in [60, 40, 30] {
            let lines = render(&f, width);
            assert!(
                lines.iter().all(|l| width_of(l) <= width),
                "{width}: {lines:#?}"
            );
            let head = &lines[0];
            assert!(head.ends_with("  (playing)"), "{width}: {head}");
            if width >= 40 {
                assert!(head.contains("yesterday.kar"), "{width}: {head}");
            }
            let keys: String = lines
                .iter()
                .filter(|l| l.starts_with("key "))
                .map(|l| &l[4..])
                .collect();
            assert_eq!(
                keys.split_whitespace().count(),
                16,
                "{width}: every channel's key: {lines:#?}"
            );
            let strip: String = lines
                .iter()
                .filter(|l| l.starts_with("ch  "))
                .map(|l| &l[4..])
                .collect();
            assert_eq!(strip.matches(['#', '.']).count(), 16, "{width}: {lines:#?}");
            assert!(
                strip.contains("M#") && strip.contains("S."),
                "{width}: {strip}"
            );
            assert!(lines.iter().any(|l| l.contains("transpose +0")), "{width}");
            assert!(lines.iter().any(|l| l.contains("loop off")), "{width}");
            if width >= 40 {
                assert!(lines.iter().any(|l| l.contains("q quit")), "{width}");
            }
        }
        assert_eq!(
            render(&f, 60)[0],
            "smfplay [2/3] Yesterday — yesterday.kar  (playing)"
        );
        assert_eq!(
            render(&f, 45)[0],
            "[2/3] Yesterday — yesterday.kar  (playing)"
        );
        assert_eq!(render(&f, 40)[0], "[2/3] yesterday.kar  (playing)");
    }

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(fit("lyric: 愛してる".into(), 12), "lyric: 愛し");
        assert_eq!(fit("abc".into(), 2), "ab");
        assert_eq!(fit("é".into(), 1), "é");
    }

    #[test]
    fn key_names() {
        assert_eq!(key_name(0, false), "C major");
        assert_eq!(key_name(0, true), "A minor");
        assert_eq!(key_name(-2, false), "Bb major");
        assert_eq!(key_name(7, true), "A# minor");
        assert_eq!(key_name(-7, false), "Cb major");
    }

    #[test]
    fn lyrics_build_lines_from_syllables() {
        let mut l = Lyrics::new(false);
        l.push(TextKind::Lyric, b"Hel");
        l.push(TextKind::Lyric, b"lo ");
        l.push(TextKind::Lyric, b"world\r");
        // The line stays until the next begins.
        assert_eq!(l.line(), "Hello world");
        l.push(TextKind::Lyric, b"Next");
        assert_eq!(l.line(), "Next");
        l.push(TextKind::Lyric, b"/New line");
        assert_eq!(l.line(), "New line");
        l.push(TextKind::Marker, b"Verse 2");
        assert_eq!(l.text(), "marker Verse 2");
        assert_eq!(l.line(), "New line");
        // Plain text events are text, not lyrics, outside .kar files.
        l.push(TextKind::Text, b"\\Not a lyric");
        assert_eq!(l.text(), "\\Not a lyric");
    }

    #[test]
    fn karaoke_text_events_are_lyrics_and_at_tags_are_not() {
        let mut l = Lyrics::new(true);
        l.push(TextKind::Text, b"@TMy Song");
        l.push(TextKind::Text, b"@TThe Band");
        l.push(TextKind::Text, b"@I Free use of this file is granted");
        assert_eq!((l.line(), l.text()), ("", ""));
        assert_eq!(l.title(), Some("My Song"));
        l.push(TextKind::Text, b"\\Twin");
        l.push(TextKind::Text, b"kle ");
        assert_eq!(l.line(), "Twinkle ");
        l.push(TextKind::Text, b"/twin");
        assert_eq!(l.line(), "twin");
    }

    /// A lyric ending in CR LF, or holding a tab or control sequences,
    /// does not blank the line nor reach the terminal.
    #[test]
    fn line_breaks_tabs_and_control_sequences() {
        let mut l = Lyrics::new(false);
        l.push(TextKind::Lyric, b"Sing\talong\r\n");
        assert_eq!(l.line(), "Sing along");
        l.push(TextKind::Lyric, b"\x1b[2J\x1b[31mred");
        assert_eq!(l.line(), "red");
        l.push(TextKind::Marker, b"\x1b]0;title\x07Chorus\r\n");
        assert_eq!(l.text(), "marker Chorus");
        // `@` text in a plain MIDI file is text, unless it says karaoke.
        l.push(TextKind::Text, b"@home");
        assert_eq!(l.text(), "@home");
        l.push(TextKind::Text, b"@KMIDI KARAOKE FILE");
        l.push(TextKind::Text, b"words");
        assert_eq!(l.line(), "redwords");
    }
}
