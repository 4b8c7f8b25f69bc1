//! Karaoke text: the `.kar` tags (`@T` title, `@I` information, `@L`
//! language, `@V` version, `@K` kind: text events that begin with `@`,
//! not lyrics) and lyric lines built syllable by syllable (a `/` or `\`
//! at the start of a syllable, or a CR or LF in it, starts a new line),
//! for `host info` and the live display.
//!
//! *Real-time*: not real-time (allocates); used by the control thread and
//! `info`.

use crate::printable::printable;

/// A karaoke tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag<'a> {
    /// `@K`: the kind of file (`MIDI KARAOKE FILE`).
    Kind(&'a str),
    /// `@V`: the format's version (`0100`).
    Version(&'a str),
    /// `@I`: information (credits, copyright, a note); often several.
    Information(&'a str),
    /// `@L`: the language (`ENGL`).
    Language(&'a str),
    /// `@T`: the title; later `@T` lines carry the artist and who made
    /// the file.
    Title(&'a str),
    /// Another `@` tag, everything after the `@`.
    Other(&'a str),
}

/// The tag `text` is, or `None` when it is not one (it does not begin
/// with `@`). Values are trimmed.
pub fn tag(text: &str) -> Option<Tag<'_>> {
    let rest = text.strip_prefix('@')?;
    let mut chars = rest.chars();
    let letter = chars.next();
    let value = chars.as_str().trim();
    Some(match letter {
        Some('K') => Tag::Kind(value),
        Some('V') => Tag::Version(value),
        Some('I') => Tag::Information(value),
        Some('L') => Tag::Language(value),
        Some('T') => Tag::Title(value),
        _ => Tag::Other(rest.trim()),
    })
}

/// Whether `path` names a karaoke file (`.kar`), whose text events are
/// lyrics.
pub fn is_kar_name(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("kar"))
}

/// Most tag lines kept of each kind (a hostile file may hold thousands).
const MAX_TAG_LINES: usize = 16;

/// A file's karaoke tags, as shown (control sequences removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    /// `@T` lines: the title first.
    pub titles: Vec<String>,
    /// `@I` lines.
    pub information: Vec<String>,
    /// `@L`.
    pub language: Option<String>,
    /// `@V`.
    pub version: Option<String>,
    /// `@K`.
    pub kind: Option<String>,
}

impl Tags {
    /// Adds a tag.
    pub fn add(&mut self, tag: Tag<'_>) {
        let keep = |list: &mut Vec<String>, value: &str| {
            let value = printable(value);
            if !value.is_empty() && list.len() < MAX_TAG_LINES {
                list.push(value);
            }
        };
        match tag {
            Tag::Title(v) => keep(&mut self.titles, v),
            Tag::Information(v) => keep(&mut self.information, v),
            Tag::Language(v) => self.language = Some(printable(v)),
            Tag::Version(v) => self.version = Some(printable(v)),
            Tag::Kind(v) => self.kind = Some(printable(v)),
            Tag::Other(_) => {}
        }
    }

    /// The song's title (the first `@T`).
    pub fn title(&self) -> Option<&str> {
        self.titles.first().map(String::as_str)
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Lyric lines built from syllables. A line break (CR, LF, or `/` or `\`
/// before a syllable) ends the line, but the line stays the current one
/// until the next syllable begins the new line: a lyric ending in
/// `\r\n` does not blank what is shown.
#[derive(Debug, Clone, Default)]
pub struct LyricLines {
    current: String,
    break_pending: bool,
    /// Syllables (lyric events) pushed.
    events: u64,
    /// Lines ended (not counting the current one).
    ended: u64,
    /// The first lines, up to `keep`.
    first: Vec<String>,
    keep: usize,
}

impl LyricLines {
    /// Lines that keep their first `keep` lines (0: only the current one).
    pub fn new(keep: usize) -> Self {
        Self {
            keep,
            ..Self::default()
        }
    }

    /// A lyric event's text.
    pub fn push(&mut self, text: &str) {
        self.events += 1;
        let mut rest = text;
        if let Some(r) = rest.strip_prefix(['/', '\\']) {
            self.break_pending = true;
            rest = r;
        }
        for (i, part) in rest.split(['\r', '\n']).enumerate() {
            if i > 0 {
                self.break_pending = true;
            }
            let part = printable(part);
            if part.is_empty() {
                continue;
            }
            if self.break_pending {
                self.end_line();
            }
            self.current.push_str(&part);
        }
    }

    fn end_line(&mut self) {
        self.break_pending = false;
        let line = self.current.trim();
        if !line.is_empty() {
            self.ended += 1;
            if self.first.len() < self.keep {
                self.first.push(line.to_string());
            }
        }
        self.current.clear();
    }

    /// The line being sung (the last one, until the next begins).
    pub fn current(&self) -> &str {
        &self.current
    }

    /// Forgets the current line (after a seek).
    pub fn clear(&mut self) {
        self.current.clear();
        self.break_pending = false;
    }

    /// Lyric events pushed.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Lines in all, the current one included.
    pub fn count(&self) -> u64 {
        self.ended + u64::from(!self.current.trim().is_empty())
    }

    /// The first lines (up to the `keep` given to [`LyricLines::new`]).
    pub fn first_lines(&self) -> Vec<&str> {
        let mut lines: Vec<&str> = self.first.iter().map(String::as_str).collect();
        let current = self.current.trim();
        if lines.len() < self.keep && !current.is_empty() {
            lines.push(current);
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_parsed() {
        assert_eq!(
            tag("@KMIDI KARAOKE FILE"),
            Some(Tag::Kind("MIDI KARAOKE FILE"))
        );
        assert_eq!(tag("@V0100"), Some(Tag::Version("0100")));
        assert_eq!(
            tag("@I Free use of this file is granted"),
            Some(Tag::Information("Free use of this file is granted"))
        );
        assert_eq!(tag("@LENGL"), Some(Tag::Language("ENGL")));
        assert_eq!(tag("@TYesterday"), Some(Tag::Title("Yesterday")));
        assert_eq!(tag("@X?"), Some(Tag::Other("X?")));
        assert_eq!(tag("@"), Some(Tag::Other("")));
        assert_eq!(tag("Yes"), None);
        assert_eq!(tag("/ter"), None);
    }

    #[test]
    fn tags_collect_title_and_information() {
        let mut t = Tags::default();
        assert!(t.is_empty());
        for line in [
            "@KMIDI KARAOKE FILE",
            "@TYesterday",
            "@TThe Beatles",
            "@I one",
            "@I \u{1b}[2Jtwo",
        ] {
            t.add(tag(line).unwrap());
        }
        assert_eq!(t.title(), Some("Yesterday"));
        assert_eq!(t.titles, ["Yesterday", "The Beatles"]);
        assert_eq!(t.information, ["one", "two"]);
        assert_eq!(t.kind.as_deref(), Some("MIDI KARAOKE FILE"));
        for _ in 0..100 {
            t.add(Tag::Information("spam"));
        }
        assert_eq!(t.information.len(), MAX_TAG_LINES);
    }

    #[test]
    fn lyric_lines_from_syllables() {
        let mut l = LyricLines::new(3);
        for s in [
            "\\Yes", "ter", "day\r\n", "all ", "my\ttrou", "bles", "/seemed", "\n", "so",
        ] {
            l.push(s);
        }
        assert_eq!(l.current(), "so");
        assert_eq!(l.first_lines(), ["Yesterday", "all my troubles", "seemed"]);
        assert_eq!((l.count(), l.events()), (4, 9));
    }

    #[test]
    fn a_line_break_keeps_the_line_until_the_next_syllable() {
        let mut l = LyricLines::new(0);
        l.push("Hello world\r\n");
        assert_eq!(l.current(), "Hello world");
        l.push("tab\there");
        assert_eq!(l.current(), "tab here");
        l.push("\u{1b}[2J\u{1b}[31m!");
        assert_eq!(l.current(), "tab here!");
        l.clear();
        assert_eq!(l.current(), "");
    }
}
