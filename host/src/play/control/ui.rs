//! The live display and its keys, on the control thread: reads keys
//! ([`super::terminal`], [`super::keys`]) and hands their actions to the
//! control loop, which applies them ([`super::controls`]) and delivers
//! their effects ([`super::delivery`]) exactly as a `--commands` file's;
//! it shows what came of them, and redraws
//! the figures the audio thread publishes in [`PlayStatus`]'s atomics in
//! place ([`super::display`]): the cursor goes back up over the previous
//! frame and each line is overwritten and cleared to its end — no full
//! clear, no flicker.
//!
//! *Real-time*: control thread only; the audio thread never waits for it
//! (it only stores atomics and enqueues reports without blocking).

use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::controls::Controls;
use super::delivery::Delivered;
use super::display::{self, Frame, Lyrics};
use super::keys::{self, Action, Key, KeyDecoder};
use super::terminal::{self, RawTerminal};
use crate::play::realtime::messages::Report;
use crate::play::realtime::play_status::PlayStatus;

/// Time between frames (about 15 per second).
pub const FRAME: Duration = Duration::from_millis(66);

/// The song being shown.
pub struct ShownSong {
    /// Its name as shown.
    pub name: String,
    /// Its place in the playlist, from 1…
    pub index: usize,
    /// …of this many.
    pub count: usize,
    /// Its length in ms, when known.
    pub total_ms: Option<u64>,
    /// Its karaoke title (`@T`), if it has one.
    pub title: Option<String>,
    /// A period's length in ns (the work figure is a share of it).
    pub budget_ns: u64,
}

/// The live display; see the module docs.
pub struct Ui {
    term: RawTerminal,
    decoder: KeyDecoder,
    lines_drawn: usize,
    last_draw: Option<Instant>,
    lyrics: Lyrics,
    key: Option<(i8, bool)>,
    song: ShownSong,
    message: String,
    ended: bool,
}

impl Ui {
    /// Takes over the terminal.
    pub fn start() -> Self {
        Self {
            term: RawTerminal::enter(),
            decoder: KeyDecoder::new(),
            lines_drawn: 0,
            last_draw: None,
            lyrics: Lyrics::new(false),
            key: None,
            song: ShownSong {
                name: String::new(),
                index: 0,
                count: 0,
                total_ms: None,
                title: None,
                budget_ns: 1,
            },
            message: String::new(),
            ended: false,
        }
    }

    /// A new song starts (its lyrics shown as karaoke for a `.kar`).
    pub fn begin_song(&mut self, song: ShownSong, karaoke: bool) {
        self.song = song;
        self.lyrics = Lyrics::new(karaoke);
        self.key = None;
        self.ended = false;
    }

    /// The song's audio has ended: the next frame is its last.
    pub fn song_ended(&mut self) {
        self.ended = true;
    }

    /// A message for the status line (the last warning or error).
    pub fn set_message(&mut self, m: &str) {
        self.message = m.lines().next().unwrap_or("").to_string();
    }

    /// Something the audio thread reported.
    pub fn report(&mut self, r: &Report) {
        match r {
            Report::Text(kind, bytes, _) => self.lyrics.push(*kind, bytes),
            Report::Key(sharps, minor, _) => self.key = Some((*sharps, *minor)),
            _ => {}
        }
    }

    /// Reads the keys typed since the last call; their actions go to `out`.
    pub fn read_actions(&mut self, out: &mut Vec<Action>) {
        let mut buf = [0u8; 64];
        let n = self.term.read_keys(&mut buf);
        let mut pressed: Vec<Key> = Vec::new();
        self.decoder.feed(&buf[..n], &mut pressed);
        out.extend(pressed.into_iter().map(keys::action));
    }

    /// Shows what came of an effect (of a key or a command line).
    pub fn delivered(&mut self, outcome: Delivered) {
        match outcome {
            Delivered::Sent => {}
            Delivered::Seeked => self.lyrics.clear(),
            Delivered::Dropped => self.message = "busy: command dropped".into(),
        }
    }

    /// Waits for a key (read at the next [`read_actions`](Self::read_actions))
    /// at most `timeout`.
    pub fn wait_for_keys(&mut self, timeout: Duration) {
        self.term.wait_for_keys(timeout);
    }

    /// Redraws when a frame is due (or now, with `force`).
    pub fn draw(&mut self, controls: &Controls, status: &PlayStatus, force: bool) {
        let now = Instant::now();
        if !force
            && self
                .last_draw
                .is_some_and(|t| now.duration_since(t) < FRAME)
        {
            return;
        }
        self.last_draw = Some(now);
        let bar_beat = status.bar_beat.load(Ordering::Relaxed);
        let sig = status.signature.load(Ordering::Relaxed);
        let channels = status.channels.load(Ordering::Relaxed);
        // Each frame shows the peak since the last one.
        let work_ns = status.work_peak_ns.swap(0, Ordering::Relaxed);
        let frame = Frame {
            name: &self.song.name,
            title: self.lyrics.title().or(self.song.title.as_deref()),
            index: self.song.index,
            count: self.song.count,
            song_ms: status.song_ms.load(Ordering::Relaxed),
            total_ms: self.song.total_ms,
            paused: status.paused.load(Ordering::Relaxed),
            ended: self.ended,
            bar_beat: ((bar_beat >> 32) as u32, bar_beat as u32),
            us_per_quarter: status.us_per_quarter.load(Ordering::Relaxed),
            tempo_milli: status.tempo_milli.load(Ordering::Relaxed),
            signature: ((sig >> 8) as u8, sig as u8),
            key: self.key,
            voices: status.voices.load(Ordering::Relaxed),
            work_ns,
            budget_ns: self.song.budget_ns,
            xruns: status.xruns.load(Ordering::Relaxed),
            shed_level: status.shed_level.load(Ordering::Relaxed),
            lyric: self.lyrics.line(),
            text: self.lyrics.text(),
            sounding: channels as u16,
            muted: (channels >> 16) as u16,
            solo: (channels >> 32) as u16,
            controls,
            message: &self.message,
            keys: self.term.has_keys(),
        };
        let (cols, rows) = terminal::size().unwrap_or((80, 24));
        // One column spare: a full line would leave the cursor pending a wrap.
        let mut lines = display::render(&frame, cols.saturating_sub(1));
        lines.truncate(rows.saturating_sub(1).max(1));
        let mut out = String::with_capacity(2048);
        if self.lines_drawn > 0 {
            out.push_str(&format!("\x1b[{}A\r", self.lines_drawn));
        }
        for line in &lines {
            out.push_str(line);
            out.push_str("\x1b[K\r\n");
        }
        if self.lines_drawn > lines.len() {
            out.push_str("\x1b[J");
        }
        self.lines_drawn = lines.len();
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        // The last frame stays on screen; the terminal is restored by
        // `term`'s drop, after this.
        let _ = std::io::stdout().flush();
    }
}
