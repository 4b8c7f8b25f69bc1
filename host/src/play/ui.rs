//! The live display and its keys, on the control thread: reads keys
//! ([`super::terminal`], [`super::keys`]), turns them into commands
//! ([`super::controls`]) sent over the existing queues (commands to the
//! audio thread, seek targets to the feeder, which chases), and redraws
//! the figures the audio thread publishes in [`Shared`]'s atomics in
//! place ([`super::display`]): the cursor goes back up over the previous
//! frame and each line is overwritten and cleared to its end — no full
//! clear, no flicker.
//!
//! *Real-time*: control thread only; the audio thread never waits for it
//! (it only stores atomics and enqueues reports without blocking).

use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use smfplay_core::sequencer::SeekTarget;

use super::Shared;
use super::audio_thread::{AudioCmd, Report};
use super::controls::{Controls, Effect};
use super::display::{self, Frame, Lyrics};
use super::keys::{self, Key, KeyDecoder};
use super::queues::ControlEnds;
use super::terminal::{self, RawTerminal};

/// Time between frames (about 15 per second).
pub const FRAME: Duration = Duration::from_millis(66);
/// A seek key pressed this soon after another counts from the first
/// one's target (the play head has not got there yet).
const SEEK_CHAIN: Duration = Duration::from_millis(600);

/// What the keys ask of the playlist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// Play the next file.
    Next,
    /// Play the previous file.
    Previous,
    /// Stop playing.
    Quit,
}

/// The song being shown.
struct Song {
    name: String,
    index: usize,
    count: usize,
    total_ms: Option<u64>,
    rate: u32,
    budget_ns: u64,
}

/// The live display; see the module docs.
pub struct Ui {
    term: RawTerminal,
    decoder: KeyDecoder,
    lines_drawn: usize,
    last_draw: Option<Instant>,
    lyrics: Lyrics,
    key: Option<(i8, bool)>,
    song: Song,
    last_seek: Option<(Instant, u64)>,
    nav: Option<Nav>,
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
            song: Song {
                name: String::new(),
                index: 0,
                count: 0,
                total_ms: None,
                rate: 1,
                budget_ns: 1,
            },
            last_seek: None,
            nav: None,
            message: String::new(),
            ended: false,
        }
    }

    /// A new song starts: `index` from 1 of `count`.
    #[allow(clippy::too_many_arguments)]
    pub fn begin_song(
        &mut self,
        name: &str,
        index: usize,
        count: usize,
        total_ms: Option<u64>,
        karaoke: bool,
        rate: u32,
        period: usize,
    ) {
        self.song = Song {
            name: name.to_string(),
            index,
            count,
            total_ms,
            rate: rate.max(1),
            budget_ns: period as u64 * 1_000_000_000 / u64::from(rate.max(1)),
        };
        self.lyrics = Lyrics::new(karaoke);
        self.key = None;
        self.last_seek = None;
        self.nav = None;
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
            Report::Key(sharps, minor) => self.key = Some((*sharps, *minor)),
            _ => {}
        }
    }

    /// What the keys asked of the playlist during this song.
    pub fn nav(&self) -> Option<Nav> {
        self.nav
    }

    /// Reads the keys typed since the last call and acts on them.
    pub fn poll_keys(&mut self, controls: &mut Controls, shared: &Shared, q: &mut ControlEnds<'_>) {
        let mut buf = [0u8; 64];
        let n = self.term.read_keys(&mut buf);
        let mut pressed: Vec<Key> = Vec::new();
        self.decoder.feed(&buf[..n], &mut pressed);
        for key in pressed {
            let Some(action) = keys::action(key) else {
                continue;
            };
            for effect in controls.apply(action) {
                self.deliver(effect, shared, q);
            }
        }
    }

    fn deliver(&mut self, effect: Effect, shared: &Shared, q: &mut ControlEnds<'_>) {
        match effect {
            Effect::Audio(cmd) => {
                if q.commands.enqueue(cmd).is_err() {
                    self.message = "busy: key dropped".into();
                }
            }
            Effect::SeekBy(_) | Effect::SeekStart => {
                let now = Instant::now();
                let base = match self.last_seek {
                    Some((at, target)) if now.duration_since(at) < SEEK_CHAIN => target,
                    _ => shared.song_ms.load(Ordering::Relaxed),
                };
                let target = match effect {
                    Effect::SeekBy(ms) => base.saturating_add_signed(ms),
                    _ => 0,
                };
                let target = self.song.total_ms.map_or(target, |t| target.min(t));
                let frame = target * u64::from(self.song.rate) / 1000;
                if q.seeks.enqueue(SeekTarget::SongFrame(frame)).is_ok() {
                    self.last_seek = Some((now, target));
                    self.lyrics.clear();
                }
            }
            Effect::Next | Effect::Previous | Effect::Quit => {
                if self.nav.is_none() && q.commands.enqueue(AudioCmd::Quit).is_ok() {
                    self.nav = Some(match effect {
                        Effect::Next => Nav::Next,
                        Effect::Previous => Nav::Previous,
                        _ => Nav::Quit,
                    });
                }
            }
        }
    }

    /// Waits for a key (acted on at the next [`poll_keys`](Self::poll_keys))
    /// at most `timeout`.
    pub fn wait_for_keys(&mut self, timeout: Duration) {
        self.term.wait_for_keys(timeout);
    }

    /// Redraws when a frame is due (or now, with `force`).
    pub fn draw(&mut self, controls: &Controls, shared: &Shared, force: bool) {
        let now = Instant::now();
        if !force
            && self
                .last_draw
                .is_some_and(|t| now.duration_since(t) < FRAME)
        {
            return;
        }
        self.last_draw = Some(now);
        let bar_beat = shared.bar_beat.load(Ordering::Relaxed);
        let sig = shared.signature.load(Ordering::Relaxed);
        let channels = shared.channels.load(Ordering::Relaxed);
        // Each frame shows the peak since the last one.
        let work_ns = shared.work_peak_ns.swap(0, Ordering::Relaxed);
        let frame = Frame {
            name: &self.song.name,
            index: self.song.index,
            count: self.song.count,
            song_ms: shared.song_ms.load(Ordering::Relaxed),
            total_ms: self.song.total_ms,
            paused: shared.paused.load(Ordering::Relaxed),
            ended: self.ended,
            bar_beat: ((bar_beat >> 32) as u32, bar_beat as u32),
            us_per_quarter: shared.us_per_quarter.load(Ordering::Relaxed),
            tempo_milli: shared.tempo_milli.load(Ordering::Relaxed),
            signature: ((sig >> 8) as u8, sig as u8),
            key: self.key,
            voices: shared.voices.load(Ordering::Relaxed),
            work_ns,
            budget_ns: self.song.budget_ns,
            xruns: shared.xruns.load(Ordering::Relaxed),
            shed_level: shared.shed_level.load(Ordering::Relaxed),
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
