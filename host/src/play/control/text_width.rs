//! Display widths of text (`unicode-width`): how many terminal columns a
//! line takes, and a line cut to the terminal's width. A line wider than
//! the terminal wraps and breaks the display's redraw in place, so emoji
//! and East Asian wide characters count two columns, combining marks none.
//!
//! *Real-time*: control thread only (allocates).

use unicode_width::UnicodeWidthChar;

/// Columns `c` takes: 0 for combining marks and controls, 2 for wide.
pub fn columns(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Columns the whole line takes.
pub fn line_columns(line: &str) -> usize {
    line.chars().map(columns).sum()
}

/// The line cut to at most `width` columns (a wide character that would
/// straddle the edge is left out; combining marks stay with their base).
pub fn fit(line: String, width: usize) -> String {
    if line_columns(&line) <= width {
        return line;
    }
    let mut used = 0;
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        used += columns(c);
        if used > width {
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_and_wide_count_two_combining_marks_none() {
        assert_eq!(line_columns("cafe\u{301}"), 4);
        assert_eq!(line_columns("🎤🎶"), 4);
        // Emoji blocks the old hand table missed: U+1FA80 (🪀), U+2B50 (⭐).
        assert_eq!(line_columns("🪀⭐"), 4);
        assert_eq!(line_columns("カラオケ"), 8);
        assert_eq!(line_columns("a\u{0308}\u{0301}b"), 2);
    }

    #[test]
    fn fit_cuts_by_columns_keeping_marks() {
        assert_eq!(fit("🎤🎤🎤".into(), 5), "🎤🎤");
        assert_eq!(
            fit("e\u{301}e\u{301}e\u{301}".into(), 2),
            "e\u{301}e\u{301}"
        );
        assert_eq!(fit("short".into(), 80), "short");
    }
}
