//! Text from a file made safe to show on a terminal: terminal control
//! sequences (`ESC [ 2 J`, `ESC ] … BEL`, their one-byte C1 forms) and
//! other control characters removed, tabs as spaces. A MIDI file's texts
//! (lyrics, names, karaoke tags) are anybody's bytes; shown raw, they could
//! clear the screen, change colours or retitle the window.
//!
//! *Real-time*: not real-time (allocates); used where text is shown.

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
/// C1 "control sequence introducer" (the one-character `ESC [`).
const CSI: char = '\u{9b}';
/// C1 "operating system command" (`ESC ]`).
const OSC: char = '\u{9d}';
/// C1 "string terminator" (`ESC \`).
const ST: char = '\u{9c}';

/// `text` without terminal control sequences or control characters; a
/// tab becomes a space. Line breaks are removed too: split lines first.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => out.push(' '),
            ESC => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // Two-character sequences (ESC 7, ESC c, …); charset
                // choices (ESC ( B) take one more.
                Some('(' | ')' | '*' | '+' | '#' | '%') => {
                    chars.next();
                }
                _ => {}
            },
            CSI => skip_csi(&mut chars),
            OSC | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips a control sequence's parameters and intermediates up to and
/// including its final byte (`@`–`~`).
fn skip_csi(chars: &mut impl Iterator<Item = char>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
    }
}

/// Skips a control string (OSC, DCS, …) up to its terminator: BEL,
/// `ESC \` or ST.
fn skip_string(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST => return,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_sequences_are_removed_whole() {
        assert_eq!(
            printable("\u{1b}[2J\u{1b}[31mRed\u{1b}[0m text"),
            "Red text"
        );
        assert_eq!(printable("\u{9b}2JClear"), "Clear");
        assert_eq!(printable("\u{1b}]0;pwned\u{7}Title"), "Title");
        assert_eq!(printable("\u{1b}]2;x\u{1b}\\after"), "after");
        assert_eq!(printable("\u{1b}(Bplain\u{1b}7"), "plain");
        assert_eq!(printable("bell\u{7}\u{8}\u{7f}\u{85}s"), "bells");
    }

    #[test]
    fn text_is_kept() {
        assert_eq!(printable("a\tb"), "a b");
        assert_eq!(
            printable("Grüße, 愛してる [chorus]"),
            "Grüße, 愛してる [chorus]"
        );
        assert_eq!(printable("line\r\n"), "line");
    }
}
