//! An absolute-tick event list that renders to a [`TrackWriter`].
//!
//! Generators place events at absolute ticks in any order (a note is one
//! call that schedules both its on and its off); [`Timeline::render`] sorts
//! them stably by tick, note-offs first at equal ticks, and writes the delta
//! times. Equal-tick events otherwise keep insertion order.

use crate::smf_writer::{RunningStatus, TextKind, TrackWriter};

/// One scheduled event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimedKind {
    /// A channel event: status byte and its 1 or 2 data bytes.
    Midi {
        /// Status byte `0x80..=0xEF`.
        status: u8,
        /// Data bytes (the second is ignored for 1-byte messages).
        data: [u8; 2],
    },
    /// `FF kind <len> data`.
    Meta {
        /// Meta type byte.
        kind: u8,
        /// Payload.
        data: Vec<u8>,
    },
    /// `F0 <len> data`.
    SysEx(Vec<u8>),
    /// `F7 <len> data`.
    Escape(Vec<u8>),
}

#[derive(Clone, Debug)]
struct Entry {
    tick: u64,
    /// 0 for note-offs, 1 for everything else: sorts note-offs first.
    prio: u8,
    kind: TimedKind,
}

/// Events at absolute ticks, to be rendered into one track.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    entries: Vec<Entry>,
    /// Write note-offs as `9n key 0` (the usual choice with running status)
    /// instead of `8n key 64`.
    pub zero_velocity_note_off: bool,
}

impl Timeline {
    /// An empty timeline writing `8n` note-offs.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty timeline writing note-offs as `9n key 0`.
    pub fn with_zero_velocity_note_off() -> Self {
        Timeline {
            entries: Vec::new(),
            zero_velocity_note_off: true,
        }
    }

    /// Number of scheduled events.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The latest scheduled tick (0 if empty).
    pub fn last_tick(&self) -> u64 {
        self.entries.iter().map(|e| e.tick).max().unwrap_or(0)
    }

    fn push(&mut self, tick: u64, prio: u8, kind: TimedKind) -> &mut Self {
        self.entries.push(Entry { tick, prio, kind });
        self
    }

    /// A channel event at `tick`.
    pub fn midi(&mut self, tick: u64, status: u8, data: &[u8]) -> &mut Self {
        let d = [data[0], data.get(1).copied().unwrap_or(0)];
        let is_off = status & 0xF0 == 0x80;
        self.push(tick, u8::from(!is_off), TimedKind::Midi { status, data: d })
    }

    /// A note from `tick` lasting `len` ticks (on, then off).
    pub fn note(&mut self, tick: u64, len: u64, ch: u8, key: u8, vel: u8) -> &mut Self {
        let ch = ch & 15;
        self.midi(tick, 0x90 | ch, &[key, vel.clamp(1, 127)]);
        let off = if self.zero_velocity_note_off {
            TimedKind::Midi {
                status: 0x90 | ch,
                data: [key, 0],
            }
        } else {
            TimedKind::Midi {
                status: 0x80 | ch,
                data: [key, 64],
            }
        };
        self.push(tick + len, 0, off)
    }

    /// A control change.
    pub fn control(&mut self, tick: u64, ch: u8, controller: u8, value: u8) -> &mut Self {
        self.midi(tick, 0xB0 | (ch & 15), &[controller, value])
    }

    /// A program change.
    pub fn program(&mut self, tick: u64, ch: u8, program: u8) -> &mut Self {
        self.midi(tick, 0xC0 | (ch & 15), &[program])
    }

    /// A pitch bend with a 14-bit value (`0x2000` is centre).
    pub fn pitch_bend(&mut self, tick: u64, ch: u8, value: u16) -> &mut Self {
        let v = value & 0x3FFF;
        self.midi(tick, 0xE0 | (ch & 15), &[(v & 0x7F) as u8, (v >> 7) as u8])
    }

    /// A meta event.
    pub fn meta(&mut self, tick: u64, kind: u8, data: &[u8]) -> &mut Self {
        self.push(
            tick,
            1,
            TimedKind::Meta {
                kind,
                data: data.to_vec(),
            },
        )
    }

    /// A text meta event.
    pub fn text(&mut self, tick: u64, kind: TextKind, text: &str) -> &mut Self {
        self.meta(tick, kind as u8, text.as_bytes())
    }

    /// A tempo meta event (µs per quarter note).
    pub fn tempo(&mut self, tick: u64, us_per_qn: u32) -> &mut Self {
        assert!(us_per_qn <= 0xFF_FFFF);
        self.meta(tick, 0x51, &us_per_qn.to_be_bytes()[1..])
    }

    /// A sysex event (`data` follows `F0`).
    pub fn sysex(&mut self, tick: u64, data: &[u8]) -> &mut Self {
        self.push(tick, 1, TimedKind::SysEx(data.to_vec()))
    }

    /// An escape event (`data` follows `F7`).
    pub fn escape(&mut self, tick: u64, data: &[u8]) -> &mut Self {
        self.push(tick, 1, TimedKind::Escape(data.to_vec()))
    }

    /// Sixteen timelines: channel `n`'s events go to the `n`-th, all other
    /// events to the first. Order and note-off priority are kept.
    pub fn split_by_channel(&self) -> Vec<Timeline> {
        let mut out: Vec<Timeline> = (0..16)
            .map(|_| Timeline {
                entries: Vec::new(),
                zero_velocity_note_off: self.zero_velocity_note_off,
            })
            .collect();
        for e in &self.entries {
            let i = match e.kind {
                TimedKind::Midi { status, .. } => usize::from(status & 15),
                _ => 0,
            };
            out[i].entries.push(e.clone());
        }
        out
    }

    fn sorted(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().collect();
        v.sort_by_key(|e| (e.tick, e.prio));
        v
    }

    /// Appends the events to `track` in time order (they must not lie
    /// before `track.tick()`), without an end-of-track.
    pub fn render_into(&self, track: &mut TrackWriter) {
        for e in self.sorted() {
            let d = track.delta_to(e.tick);
            match &e.kind {
                TimedKind::Midi { status, data } => {
                    let n = crate::smf_writer::channel_data_len(*status);
                    track.midi(d, *status, &data[..n]);
                }
                TimedKind::Meta { kind, data } => {
                    track.meta(d, *kind, data);
                }
                TimedKind::SysEx(data) => {
                    track.sysex(d, data);
                }
                TimedKind::Escape(data) => {
                    track.escape(d, data);
                }
            }
        }
    }

    /// A new track with these events and an end-of-track at
    /// `max(end_tick, last event tick)`.
    pub fn render(&self, mode: RunningStatus, end_tick: u64) -> TrackWriter {
        let mut t = TrackWriter::with_running_status(mode);
        self.render_into(&mut t);
        let d = t.delta_to(end_tick.max(t.tick()));
        t.end_of_track(d);
        t
    }

    /// Like [`Timeline::render`] but without an end-of-track event.
    pub fn render_without_end(&self, mode: RunningStatus) -> TrackWriter {
        let mut t = TrackWriter::with_running_status(mode);
        self.render_into(&mut t);
        t
    }
}
