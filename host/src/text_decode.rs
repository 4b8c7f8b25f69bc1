//! The one decoder of MIDI texts (lyrics, markers, track names…) used by
//! the display, `play --json`, `info` and `dump` alike.
//!
//! MIDI files say nothing about their texts' encoding. Real files use, in
//! order of frequency: ASCII, Latin-1 / Windows-1252 (old European files),
//! UTF-8 (recent files) and Shift-JIS (Japanese karaoke and game music).
//! So: UTF-8 when the bytes are valid UTF-8; else Shift-JIS when they
//! decode as Shift-JIS without error *and* hold Japanese kana or full-width
//! punctuation (kanji alone are not enough: `T\xe9or` decodes as a kanji);
//! else Latin-1, which never fails.
//!
//! *Real-time*: not real-time (allocates).

use std::borrow::Cow;

/// The encoding a text was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Valid UTF-8 (ASCII included).
    Utf8,
    /// Shift-JIS with Japanese kana or full-width punctuation.
    ShiftJis,
    /// Anything else: one byte, one character.
    Latin1,
}

/// `bytes` as text, and the encoding chosen (see the module doc).
pub fn decode_with(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(s), Encoding::Utf8);
    }
    let (sjis, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    if !had_errors && sjis.chars().any(is_japanese_marker) {
        return (Cow::Owned(sjis.into_owned()), Encoding::ShiftJis);
    }
    (
        Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
        Encoding::Latin1,
    )
}

/// `bytes` as text (see the module doc).
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    decode_with(bytes).0
}

/// Hiragana, katakana, CJK punctuation (`「」、。` and the ideographic
/// space) and full-width forms: what Japanese text has and Latin-1 bytes
/// misread as Shift-JIS almost never give.
fn is_japanese_marker(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{ff01}'..='\u{ff5e}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_emoji_and_combining_marks_stays_utf8() {
        let s = "cafe\u{301} 🎤🎶";
        assert_eq!(
            decode_with(s.as_bytes()),
            (Cow::Borrowed(s), Encoding::Utf8)
        );
    }

    #[test]
    fn latin1_lyric() {
        assert_eq!(
            decode_with(b"caf\xe9 cr\xe8me"),
            (Cow::Owned("café crème".to_string()), Encoding::Latin1)
        );
        // Valid Shift-JIS, but only a kanji: Latin-1 ("Téor").
        assert_eq!(decode(b"T\xe9or"), "T\u{e9}or");
    }

    #[test]
    fn shift_jis_karaoke_line() {
        // "ベートーベン　交響曲" (music21's test04.mid track name).
        let bytes = b"\x83x\x81[\x83g\x81[\x83x\x83\x93\x81@\x8c\xf0\x8b\xbf\x8b\xc8";
        assert_eq!(
            decode_with(bytes),
            (
                Cow::Owned("ベートーベン\u{3000}交響曲".to_string()),
                Encoding::ShiftJis
            )
        );
    }
}
