//! The live display's text: one [`Frame`] of figures → the lines to draw
//! ([`render`]), and the karaoke line built from lyric events
//! ([`Lyrics`]). Pure (no terminal), so what is shown is unit-tested;
//! [`super::ui`] draws the lines in place.
//!
//! *Real-time*: control thread only.

use smfplay_core::sequencer::TextKind;

use super::controls::Controls;
use super::keys::CHANNEL_KEYS;
use super::text_width::fit;

/// Everything one frame shows.
#[derive(Clone, Debug)]
pub struct Frame<'a> {
    /// File name.
    pub name: &'a str,
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
pub const KEY_HELP: [&str; 2] = [
    "space pause  <-/-> 5s  PgUp/PgDn 30s  Home start  Up/Dn volume  +/- tempo",
    "t/T transpose  1-0 !-^ mute  s solo  l loop  n/p next/previous  r fx  q quit",
];

/// `m:ss.s`.
pub fn clock(ms: u64) -> String {
    format!("{}:{:02}.{}", ms / 60_000, ms / 1000 % 60, ms / 100 % 10)
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
    let place = if f.count > 1 {
        format!("[{}/{}] ", f.index, f.count)
    } else {
        String::new()
    };
    lines.push(format!("smfplay {place}{}  ({state})", f.name));
    let times = match f.total_ms {
        Some(t) => format!(" {} / {}", clock(f.song_ms), clock(t)),
        None => format!(" {}", clock(f.song_ms)),
    };
    let bar_width = width.saturating_sub(times.len() + 2).max(4);
    let done = match f.total_ms {
        Some(t) if t > 0 => ((f.song_ms.min(t) as f64 / t as f64) * bar_width as f64) as usize,
        _ => 0,
    };
    lines.push(format!(
        "[{}{}]{times}",
        "#".repeat(done),
        "-".repeat(bar_width - done)
    ));
    let bpm = 60_000_000.0 / f64::from(f.us_per_quarter.max(1));
    let scale = f64::from(f.tempo_milli) / 1000.0;
    let key = f
        .key
        .map(|(s, m)| format!("  key {}", key_name(s, m)))
        .unwrap_or_default();
    lines.push(format!(
        "bar {}:{}  {:.1} BPM x{scale:.2} = {:.1}  time {}/{}{key}  transpose {:+}",
        f.bar_beat.0,
        f.bar_beat.1,
        bpm,
        bpm * scale,
        f.signature.0,
        1u32 << f.signature.1.min(6),
        c.transpose
    ));
    let load = f.work_ns * 100 / f.budget_ns.max(1);
    let shed = if f.shed_level > 0 {
        format!(" (shedding, level {})", f.shed_level)
    } else {
        String::new()
    };
    lines.push(format!(
        "voices {}  DSP {load}% ({}/{} us){shed}  xruns {}  volume {}%  fx {}  loop {}",
        f.voices,
        f.work_ns / 1000,
        f.budget_ns / 1000,
        f.xruns,
        c.volume_percent,
        if c.effects { "on" } else { "off" },
        if c.repeat { "on" } else { "off" }
    ));
    lines.push(format!("lyric: {}", f.lyric));
    lines.push(format!("text:  {}", f.text));
    let mut keys = String::from("key ");
    let mut strip = String::from("ch  ");
    for (ch, key) in CHANNEL_KEYS.iter().enumerate() {
        let bit = 1u16 << ch;
        keys.push_str(&format!(" {key:>2}"));
        let flag = if f.muted & bit != 0 {
            'M'
        } else if f.solo & bit != 0 {
            'S'
        } else {
            ' '
        };
        let active = if f.sounding & bit != 0 { '#' } else { '.' };
        strip.push_str(&format!(" {flag}{active}"));
    }
    lines.push(keys);
    lines.push(strip);
    let message = if c.solo_armed {
        "solo: press a channel key (s again: no solo)"
    } else {
        f.message
    };
    lines.push(message.to_string());
    if f.keys {
        lines.extend(KEY_HELP.iter().map(|l| l.to_string()));
    }
    lines.into_iter().map(|l| fit(l, width)).collect()
}

/// Longest lyric line kept.
const LYRIC_CHARS: usize = 200;

/// The current lyric line, built syllable by syllable. A line starts
/// again at `/` or `\` at the start of a syllable (the `.kar`
/// convention) or after a CR or LF. In `.kar` files the lyrics are text
/// events; text events starting with `@` are the file's headers.
#[derive(Debug, Default)]
pub struct Lyrics {
    karaoke: bool,
    line: String,
    text: String,
}

impl Lyrics {
    /// For a file; `karaoke` for `.kar` files.
    pub fn new(karaoke: bool) -> Self {
        Self {
            karaoke,
            ..Self::default()
        }
    }

    /// The lyric line so far.
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The last marker, cue or text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Forgets the line (after a seek).
    pub fn clear(&mut self) {
        self.line.clear();
    }

    /// A text event as played.
    pub fn push(&mut self, kind: TextKind, raw: &[u8]) {
        let s = crate::text_decode::decode(raw);
        let s: String = s
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\r')
            .collect();
        let lyric = match kind {
            TextKind::Lyric => true,
            TextKind::Text => self.karaoke && !s.starts_with('@'),
            TextKind::Marker | TextKind::CuePoint => false,
        };
        if !lyric {
            let label = match kind {
                TextKind::Marker => "marker ",
                TextKind::CuePoint => "cue ",
                _ => "",
            };
            self.text = format!("{label}{}", s.trim().trim_start_matches('@'));
            return;
        }
        let mut rest = s.as_str();
        if let Some(r) = rest.strip_prefix(['/', '\\']) {
            self.line.clear();
            rest = r;
        }
        for (i, part) in rest.split(['\r', '\n']).enumerate() {
            if i > 0 {
                self.line.clear();
            }
            self.line.push_str(part);
        }
        if self.line.chars().count() > LYRIC_CHARS {
            let drop = self.line.chars().count() - LYRIC_CHARS;
            self.line = self.line.chars().skip(drop).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame<'a>(c: &'a Controls) -> Frame<'a> {
        Frame {
            name: "song.mid",
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
    fn lines_fit_the_width_and_pause_shows() {
        let c = Controls::new(1.0, 0, &[], &[], false);
        let mut f = frame(&c);
        f.paused = true;
        f.total_ms = None;
        f.count = 1;
        f.keys = false;
        let lines = render(&f, 40);
        assert_eq!(lines[0], "smfplay song.mid  (paused)");
        assert!(
            lines
                .iter()
                .all(|l| super::super::text_width::line_columns(l) <= 40)
        );
        assert_eq!(lines.len(), 9, "no key help without keys");
        assert!(lines[1].ends_with("] 1:02.5"), "{}", lines[1]);
        f.ended = true;
        assert_eq!(render(&f, 40)[0], "smfplay song.mid  (ended)");
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
        assert_eq!(l.line(), "");
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
    fn karaoke_text_events_are_lyrics_and_at_headers_are_not() {
        let mut l = Lyrics::new(true);
        l.push(TextKind::Text, b"@TMy Song");
        assert_eq!((l.line(), l.text()), ("", "TMy Song"));
        l.push(TextKind::Text, b"\\Twin");
        l.push(TextKind::Text, b"kle ");
        assert_eq!(l.line(), "Twinkle ");
        l.push(TextKind::Text, b"/twin");
        assert_eq!(l.line(), "twin");
    }
}
