//! Keys of the live display: terminal bytes → [`Key`] → [`Action`].
//! Pure (no terminal, no clock), so every mapping is unit-tested.
//!
//! [`Action`] is also what a `--commands` line asks for
//! ([`super::commands`]): the absolute settings (`tempo 1.2`, `mute 10`…)
//! have no key, but go through the same [`super::controls::Controls`].
//!
//! Bytes come in whatever chunks `read` gives; an escape sequence split
//! across two reads is kept until its end arrives ([`KeyDecoder::feed`]).
//! A lone ESC (nothing followed it by the next read) is the Escape key.
//!
//! *Real-time*: control thread only.

/// A key press.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A printable character (ASCII).
    Char(char),
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Cursor up.
    Up,
    /// Cursor down.
    Down,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
    /// Escape alone.
    Escape,
    /// A sequence or control byte this player does not use.
    Other,
}

/// What a key, or a line of a command file, asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Pause or resume.
    TogglePause,
    /// Pause (a command file's `pause`; nothing if paused).
    Pause,
    /// Resume (a command file's `resume`; nothing if playing).
    Resume,
    /// Seek to this song time, in ms (a command file's `seek`).
    SeekTo(u64),
    /// Set the volume, percent of unity gain (a command file's `volume`).
    SetVolume(u32),
    /// Set the tempo scale, thousandths (a command file's `tempo`).
    SetTempo(u32),
    /// Set the transposition, semitones (a command file's `transpose`).
    SetTranspose(i8),
    /// Mute (true) or unmute channel 0–15 (`mute`, `unmute`).
    SetMute(u8, bool),
    /// Solo (true) or unsolo channel 0–15 (`solo`, `unsolo`).
    SetSolo(u8, bool),
    /// Seek by this many seconds of song time (negative: back).
    SeekBy(i32),
    /// Back to the start of the song.
    SeekStart,
    /// Volume up (+1) or down (−1) one step.
    Volume(i8),
    /// Tempo faster (+1) or slower (−1) one step.
    Tempo(i8),
    /// Transpose up (+1) or down (−1) a semitone.
    Transpose(i8),
    /// A channel key (0–15): toggles its mute, or its solo after `s`.
    Channel(u8),
    /// `s`: the next channel key solos instead of muting (twice: no solo).
    Solo,
    /// Repeat the playlist or not.
    ToggleLoop,
    /// Next file.
    Next,
    /// Previous file.
    Previous,
    /// Reverb and chorus on or off.
    ToggleEffects,
    /// Quit.
    Quit,
    /// A key without an action of its own (Escape, `x`…): it cancels the
    /// solo prompt, as any other key does, and does nothing else.
    Dismiss,
}

/// The channel keys: `1`–`9`, `0` are channels 1–10, shift+`1`–`6`
/// (`!@#$%^` on a US layout) are channels 11–16.
pub const CHANNEL_KEYS: [char; 16] = [
    '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '!', '@', '#', '$', '%', '^',
];

/// The action of a key ([`Action::Dismiss`] for a key without one).
pub fn action(key: Key) -> Action {
    match key {
        Key::Char(' ') => Action::TogglePause,
        Key::Left => Action::SeekBy(-5),
        Key::Right => Action::SeekBy(5),
        Key::PageUp => Action::SeekBy(-30),
        Key::PageDown => Action::SeekBy(30),
        Key::Home => Action::SeekStart,
        Key::Up => Action::Volume(1),
        Key::Down => Action::Volume(-1),
        Key::Char('+' | '=') => Action::Tempo(1),
        Key::Char('-' | '_') => Action::Tempo(-1),
        Key::Char('t') => Action::Transpose(1),
        Key::Char('T') => Action::Transpose(-1),
        Key::Char('s') => Action::Solo,
        Key::Char('l') => Action::ToggleLoop,
        Key::Char('n') => Action::Next,
        Key::Char('p') => Action::Previous,
        Key::Char('r') => Action::ToggleEffects,
        Key::Char('q' | 'Q') => Action::Quit,
        Key::Char(c) => match CHANNEL_KEYS.iter().position(|&k| k == c) {
            Some(ch) => Action::Channel(ch as u8),
            None => Action::Dismiss,
        },
        _ => Action::Dismiss,
    }
}

/// Longest escape sequence kept while waiting for its end.
const PENDING: usize = 8;

/// Turns terminal bytes into keys.
#[derive(Debug, Default)]
pub struct KeyDecoder {
    pending: Vec<u8>,
}

impl KeyDecoder {
    /// A decoder with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes `bytes` (one `read`), after what was pending; keys go to
    /// `out`. An unfinished escape sequence waits for the next call; a
    /// lone ESC left from the previous call is the Escape key.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Key>) {
        if bytes.is_empty() {
            if !self.pending.is_empty() {
                self.pending.clear();
                out.push(Key::Escape);
            }
            return;
        }
        self.pending.extend_from_slice(bytes);
        let mut at = 0;
        while at < self.pending.len() {
            match decode(&self.pending[at..]) {
                Decoded::Key(key, used) => {
                    out.push(key);
                    at += used;
                }
                Decoded::Incomplete => {
                    if self.pending.len() - at > PENDING {
                        // Not a sequence we know: drop it.
                        out.push(Key::Other);
                        at = self.pending.len();
                    }
                    break;
                }
            }
        }
        self.pending.drain(..at);
    }
}

enum Decoded {
    Key(Key, usize),
    Incomplete,
}

fn decode(b: &[u8]) -> Decoded {
    match b {
        [] => Decoded::Incomplete,
        [0x1b] => Decoded::Incomplete,
        [0x1b, b'[' | b'O'] => Decoded::Incomplete,
        [0x1b, b'[' | b'O', rest @ ..] => csi(rest),
        [0x1b, ..] => Decoded::Key(Key::Escape, 1),
        [c, ..] if c.is_ascii_graphic() || *c == b' ' => Decoded::Key(Key::Char(*c as char), 1),
        [_, ..] => Decoded::Key(Key::Other, 1),
    }
}

/// After `ESC [` or `ESC O`: parameters (digits, `;`) and a final byte.
fn csi(rest: &[u8]) -> Decoded {
    let params = rest
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b';')
        .count();
    let Some(&fin) = rest.get(params) else {
        return Decoded::Incomplete;
    };
    let used = 2 + params + 1;
    let first: &[u8] = rest[..params].split(|&c| c == b';').next().unwrap_or(&[]);
    let key = match (fin, first) {
        (b'A', _) => Key::Up,
        (b'B', _) => Key::Down,
        (b'C', _) => Key::Right,
        (b'D', _) => Key::Left,
        (b'H', _) => Key::Home,
        (b'F', _) => Key::End,
        (b'~', b"1" | b"7") => Key::Home,
        (b'~', b"4" | b"8") => Key::End,
        (b'~', b"5") => Key::PageUp,
        (b'~', b"6") => Key::PageDown,
        _ => Key::Other,
    };
    Decoded::Key(key, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(chunks: &[&[u8]]) -> Vec<Key> {
        let mut d = KeyDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            d.feed(c, &mut out);
        }
        out
    }

    #[test]
    fn decodes_plain_keys_and_sequences() {
        assert_eq!(
            keys(&[b" q\x1b[A\x1b[B\x1b[C\x1b[D\x1b[5~\x1b[6~\x1b[H\x1bOH\x1b[1~\x1b[7~\x1b[F"]),
            [
                Key::Char(' '),
                Key::Char('q'),
                Key::Up,
                Key::Down,
                Key::Right,
                Key::Left,
                Key::PageUp,
                Key::PageDown,
                Key::Home,
                Key::Home,
                Key::Home,
                Key::Home,
                Key::End,
            ]
        );
        // Application cursor mode (ESC O) and modifiers (ESC [1;5C).
        assert_eq!(
            keys(&[b"\x1bOA\x1b[1;5C\x1b[2~"]),
            [Key::Up, Key::Right, Key::Other]
        );
        assert_eq!(keys(&[b"\x03\x7f"]), [Key::Other, Key::Other]);
    }

    #[test]
    fn a_sequence_split_across_reads_is_one_key() {
        assert_eq!(keys(&[b"\x1b", b"[", b"6", b"~"]), [Key::PageDown]);
        assert_eq!(
            keys(&[b"a\x1b[", b"D b"]),
            [Key::Char('a'), Key::Left, Key::Char(' '), Key::Char('b')]
        );
    }

    #[test]
    fn a_lone_escape_is_escape_after_a_quiet_read() {
        assert_eq!(keys(&[b"\x1b", b""]), [Key::Escape]);
        assert_eq!(keys(&[b"\x1bx"]), [Key::Escape, Key::Char('x')]);
        // Garbage after ESC [ does not stall the decoder for ever.
        assert_eq!(
            keys(&[b"\x1b[123456789012", b"q"]).last(),
            Some(&Key::Char('q'))
        );
    }

    #[test]
    fn maps_keys_to_actions() {
        let a = |k| Some(action(k));
        assert_eq!(a(Key::Char(' ')), Some(Action::TogglePause));
        assert_eq!(a(Key::Left), Some(Action::SeekBy(-5)));
        assert_eq!(a(Key::Right), Some(Action::SeekBy(5)));
        assert_eq!(a(Key::PageUp), Some(Action::SeekBy(-30)));
        assert_eq!(a(Key::PageDown), Some(Action::SeekBy(30)));
        assert_eq!(a(Key::Home), Some(Action::SeekStart));
        assert_eq!(a(Key::Up), Some(Action::Volume(1)));
        assert_eq!(a(Key::Down), Some(Action::Volume(-1)));
        assert_eq!(a(Key::Char('+')), Some(Action::Tempo(1)));
        assert_eq!(a(Key::Char('-')), Some(Action::Tempo(-1)));
        assert_eq!(a(Key::Char('t')), Some(Action::Transpose(1)));
        assert_eq!(a(Key::Char('T')), Some(Action::Transpose(-1)));
        assert_eq!(a(Key::Char('s')), Some(Action::Solo));
        assert_eq!(a(Key::Char('l')), Some(Action::ToggleLoop));
        assert_eq!(a(Key::Char('n')), Some(Action::Next));
        assert_eq!(a(Key::Char('p')), Some(Action::Previous));
        assert_eq!(a(Key::Char('r')), Some(Action::ToggleEffects));
        assert_eq!(a(Key::Char('q')), Some(Action::Quit));
        assert_eq!(a(Key::Char('1')), Some(Action::Channel(0)));
        assert_eq!(a(Key::Char('9')), Some(Action::Channel(8)));
        assert_eq!(a(Key::Char('0')), Some(Action::Channel(9)));
        assert_eq!(a(Key::Char('!')), Some(Action::Channel(10)));
        assert_eq!(a(Key::Char('^')), Some(Action::Channel(15)));
        assert_eq!(a(Key::Char('x')), Some(Action::Dismiss));
        assert_eq!(a(Key::Escape), Some(Action::Dismiss));
        assert_eq!(a(Key::End), Some(Action::Dismiss));
    }
}
