//! `host play --port`: the play engine's output when the sound comes from
//! MIDI hardware. [`SeqSynth`] stands where FluidSynth stands (the core
//! `Player` drives it through the core's `Synth` trait, transport and all)
//! and notes each message with the frame it falls on; [`SeqOutput`] stands
//! where the PCM stands (the engine hands it each period) and sends those
//! messages to the ALSA sequencer ports, each at its exact time.
//!
//! # Timing: timestamps on a kernel queue, a bounded window ahead
//!
//! Two designs were possible: direct output from a thread paced by a
//! monotonic timer, or timestamped events on an ALSA sequencer queue (what
//! aplaymidi does). The first was built and measured first: its error is
//! the thread's wake-up latency *plus the engine's own work*, since the
//! thread that sends is the one that plays the next period; on the kernel
//! test bed (QEMU) its p99 was 24 ms against aplaymidi's 1 ms
//! (BENCHMARKS.md). So [`SeqOutput::write`] now timestamps each event of
//! the period at its exact time on the client's real-time queue and hands
//! the period to the kernel in one write; the kernel's timer sends each
//! event at its time, whatever this thread is doing.
//!
//! The usual cost of a queue is that pause, seek, mute and stop must take
//! back what is queued (`snd_seq_remove_events`), and the player's table of
//! sounding notes then runs ahead of what the synth heard. Here nothing is
//! ever taken back: the window is bounded ([`WINDOW_NS`], 30 ms: the
//! engine is paced by the monotonic clock, [`super::seq_pacer`], to play
//! each period when it is that far from its time), a transport command's
//! messages (the player's note-offs, the pedals, the
//! reset and the chase) are timestamped at the start of the next period,
//! behind everything already queued, so every queued message reaches the
//! synth in order and the note table stays exactly what it heard. Pause,
//! seek, mute and stop act within the window plus a period (36 ms at 256
//! frames and 48 kHz). A window of one period was measured too: the
//! emulator's pauses of the engine thread then made events late (p99
//! 22 ms); 30 ms covers them. At the end (or a stop) [`Output::drain`] waits for the queue's
//! last event before the final note-offs and All Notes Off / All Sound Off,
//! which go out at once.
//!
//! Several ports (`--port A,B`): the feed has put each event on its track's
//! port (`FF 21`, folded as `port % count`, aplaymidi's rule), and the
//! player releases notes on the port they sound on; [`SeqState`] keeps
//! what each port has been told (sounding notes, pedals, channels used), so
//! pause, stop and the final all-off reach every port used, and the
//! `--reset` goes to every port.
//!
//! After a SysEx message the next event is timestamped `--sysex-delay` ms
//! later at least (an MT-32 needs time after its resets); times after that
//! are kept, so later events are held back at most by the delay.
//!
//! *Real-time rules* (this is the engine's thread, with the output's
//! rules): no allocation (the event list and its byte store are sized at
//! the start and never grow: what does not fit is counted and dropped), no
//! lock (the synth and the output share the list through a `RefCell` on
//! this one thread), I/O only as one sequencer write per period and the
//! pacer's sleeps; bounded work per period (at most the events the player
//! applied plus 16 × 128 note-offs and the pedals and resets).

use std::cell::RefCell;

use midly::MidiMessage;
use midly::num::{u4, u7};
use smfplay_core::synth::{Synth, SynthEvent};

use super::alsa_output::{Lost, Output, Samples};
use super::seq_pacer::{Pacer, now_ns, sleep_until_ns};
use super::synth_control::SynthControl;
use crate::capacities::PORTS;
use crate::release_tail::VoiceCount;
use crate::seq::client::SeqClient;
use crate::seq::reset::ResetPlan;

/// Most messages noted in one period: the player's bound
/// (`MAX_EVENTS_PER_PERIOD`), every key of every channel released, pedals
/// and resets, with room to spare.
pub const PENDING_CAPACITY: usize = 8_192;
/// SysEx bytes noted in one period (the player's whole payload pool).
pub const SYSEX_BYTES: usize = 256 * 1024;
/// The pedals lifted at a pause and put back at resume: sustain,
/// sostenuto, soft.
const PEDALS: [u8; 3] = [64, 66, 67];

/// A message noted for the current period, for a port (an index into the
/// `--port` list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Midi {
        frame: u32,
        port: u8,
        channel: u4,
        message: MidiMessage,
    },
    SysEx {
        frame: u32,
        port: u8,
        start: u32,
        len: u32,
    },
}

/// What the synth side notes and the output side sends, and what each
/// external synth has been told (sounding notes, pedals, channels used),
/// per port.
pub struct SeqState {
    pending: Vec<Pending>,
    bytes: Vec<u8>,
    /// Frames rendered in the current period.
    frame: u32,
    /// Messages that did not fit in a period's list.
    dropped: u64,
    /// Ports given (`--port`'s count, 1..=[`PORTS`]): resets go to each.
    outputs: u8,
    /// Channels that got any message, per port (bit n = channel n).
    used: [u16; PORTS],
    /// Sounding keys per port and channel, as sent.
    notes: [[u128; 16]; PORTS],
    /// Pedal values as the file left them, per port and channel
    /// ([`PEDALS`] order).
    pedals: [[[u8; 3]; 16]; PORTS],
    reset: ResetPlan,
}

impl SeqState {
    /// Empty, with its lists sized once, for `outputs` ports.
    pub fn new(reset: ResetPlan, outputs: usize) -> Self {
        Self {
            pending: Vec::with_capacity(PENDING_CAPACITY),
            bytes: Vec::with_capacity(SYSEX_BYTES),
            frame: 0,
            dropped: 0,
            outputs: outputs.clamp(1, PORTS) as u8,
            used: [0; PORTS],
            notes: [[0; 16]; PORTS],
            pedals: [[[0; 3]; 16]; PORTS],
            reset,
        }
    }

    /// A new song: nothing sounds, no channel used yet, and the start
    /// reset (if any) goes first, to every port.
    pub fn begin_song(&mut self, reset: ResetPlan) {
        self.pending.clear();
        self.bytes.clear();
        self.frame = 0;
        self.used = [0; PORTS];
        self.notes = [[0; 16]; PORTS];
        self.pedals = [[[0; 3]; 16]; PORTS];
        self.reset = reset;
        if let Some(r) = reset.at_start {
            self.reset_every_port(r);
        }
    }

    /// Notes sounding now (as sent), on every port.
    pub fn sounding(&self) -> u32 {
        self.notes.iter().flatten().map(|k| k.count_ones()).sum()
    }

    fn reset_every_port(&mut self, reset: &[u8]) {
        for port in 0..self.outputs {
            self.note_sysex(port, reset);
        }
    }

    fn note_midi(&mut self, port: u8, channel: u4, message: MidiMessage) {
        if self.pending.len() == self.pending.capacity() {
            self.dropped += 1;
            return;
        }
        let port = port % self.outputs;
        let (p, ch) = (usize::from(port), usize::from(channel.as_int()));
        self.used[p] |= 1 << ch;
        let notes = &mut self.notes[p][ch];
        match message {
            MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                *notes |= 1 << key.as_int();
            }
            MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                *notes &= !(1 << key.as_int());
            }
            MidiMessage::Controller { controller, value } => match controller.as_int() {
                120 | 123..=127 => *notes = 0,
                121 => self.pedals[p][ch] = [0; 3],
                c => {
                    if let Some(i) = PEDALS.iter().position(|&q| q == c) {
                        self.pedals[p][ch][i] = value.as_int();
                    }
                }
            },
            _ => {}
        }
        self.pending.push(Pending::Midi {
            frame: self.frame,
            port,
            channel,
            message,
        });
    }

    fn note_sysex(&mut self, port: u8, data: &[u8]) {
        let room = self.bytes.capacity() - self.bytes.len();
        if self.pending.len() == self.pending.capacity() || data.len() > room {
            self.dropped += 1;
            return;
        }
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(data);
        self.pending.push(Pending::SysEx {
            frame: self.frame,
            port: port % self.outputs,
            start,
            len: data.len() as u32,
        });
    }

    /// Sends `value` (or the file's own, when `None`) for every pedal the
    /// file holds down on any port, without changing what is remembered.
    fn pedals_to(&mut self, value: Option<u8>) {
        for port in 0..self.outputs {
            for ch in 0..16u8 {
                for (i, &cc) in PEDALS.iter().enumerate() {
                    let held = self.pedals[usize::from(port)][usize::from(ch)][i];
                    if held >= 64 {
                        let v = value.unwrap_or(held);
                        self.pending.push_within_capacity_or_count(
                            &mut self.dropped,
                            Pending::Midi {
                                frame: self.frame,
                                port,
                                channel: u4::new(ch),
                                message: controller(cc, v),
                            },
                        );
                    }
                }
            }
        }
    }
}

/// `Vec::push` that never grows the vector.
trait PushWithin<T> {
    fn push_within_capacity_or_count(&mut self, dropped: &mut u64, item: T);
}

impl<T> PushWithin<T> for Vec<T> {
    fn push_within_capacity_or_count(&mut self, dropped: &mut u64, item: T) {
        if self.len() < self.capacity() {
            self.push(item);
        } else {
            *dropped += 1;
        }
    }
}

fn controller(cc: u8, value: u8) -> MidiMessage {
    MidiMessage::Controller {
        controller: u7::new(cc),
        value: u7::new(value),
    }
}

/// The synth side: notes each message at the frame the player applies it.
pub struct SeqSynth<'a> {
    state: &'a RefCell<SeqState>,
}

impl<'a> SeqSynth<'a> {
    /// Notes into `state`.
    pub fn new(state: &'a RefCell<SeqState>) -> Self {
        Self { state }
    }
}

impl Synth for SeqSynth<'_> {
    fn apply(&mut self, event: SynthEvent<'_>) {
        let mut s = self.state.borrow_mut();
        match event {
            SynthEvent::Midi {
                port,
                channel,
                message,
            } => s.note_midi(port, channel, message),
            SynthEvent::SysEx { port, data } => s.note_sysex(port, data),
            SynthEvent::Jump { looped: false } => {
                if let Some(r) = s.reset.at_seek {
                    s.reset_every_port(r);
                }
            }
            SynthEvent::Jump { looped: true } => {}
        }
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        left.fill(0.0);
        right.fill(0.0);
        let mut s = self.state.borrow_mut();
        s.frame = s.frame.saturating_add(left.len().min(right.len()) as u32);
    }
}

impl VoiceCount for SeqSynth<'_> {
    fn active_voices(&self) -> u32 {
        self.state.borrow().sounding()
    }
}

impl SynthControl for SeqSynth<'_> {
    fn polyphony(&self) -> u32 {
        // An external synth's voices are its own: nothing to shed.
        0
    }
    fn set_polyphony(&mut self, _voices: u32) {}
    fn set_effects(&mut self, _reverb: bool, _chorus: bool) {}

    fn paused(&mut self, paused: bool) {
        // The player released the notes; a held pedal would keep them
        // sounding on the synth. Resume puts the file's pedals back.
        self.state
            .borrow_mut()
            .pedals_to(if paused { Some(0) } else { None });
    }

    fn stop_sound(&mut self) {
        // Pedals up; `SeqOutput::drain` then sends All Notes Off and All
        // Sound Off on every channel used.
        let mut s = self.state.borrow_mut();
        s.pedals_to(Some(0));
        s.pedals = [[[0; 3]; 16]; PORTS];
    }
}

/// The output side: timestamps each period's messages on the queue.
pub struct SeqOutput<'a> {
    client: &'a mut SeqClient,
    state: &'a RefCell<SeqState>,
    rate: u32,
    pacer: Option<Pacer>,
    /// Monotonic ns of queue time 0.
    queue_origin_ns: u64,
    /// Frames of the song's output so far.
    written: u64,
    sysex_delay_ns: u64,
    /// No event before this (after a SysEx), monotonic ns.
    not_before_ns: u64,
    /// When the last queued event is due, monotonic ns.
    last_due_ns: u64,
    /// Events queued after their time had passed (the engine fell behind).
    late: u64,
    /// Silenced at the song's end: nothing left to do when dropped.
    silenced: bool,
}

/// How far ahead of its time a period is queued: what the engine thread
/// may be held up (preempted, a page fault, an emulator's pause) without an
/// event going out late, and the most a pause, seek, mute or stop waits.
pub const WINDOW_NS: u64 = 30_000_000;
/// Frame 0 of a song is this far ahead of its first period's work: the
/// first periods are slow (cold caches and page faults; in an emulator,
/// code translated for the first time: 100 ms were measured in QEMU), and
/// an event queued after its time goes out late.
const START_LEAD_NS: u64 = 150_000_000;

impl<'a> SeqOutput<'a> {
    /// An output at `rate` frames per second (the engine's clock).
    pub fn new(
        client: &'a mut SeqClient,
        state: &'a RefCell<SeqState>,
        rate: u32,
        sysex_delay_ms: u32,
    ) -> Self {
        Self {
            client,
            state,
            rate,
            pacer: None,
            queue_origin_ns: 0,
            written: 0,
            sysex_delay_ns: u64::from(sysex_delay_ms) * 1_000_000,
            not_before_ns: 0,
            last_due_ns: 0,
            late: 0,
            silenced: false,
        }
    }

    /// Queues what was noted for the period that starts at frame `base`
    /// and hands it to the kernel.
    fn queue_pending(&mut self, pacer: Pacer, base: u64) -> Result<(), Lost> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let now = now_ns();
        for p in &s.pending {
            let frame = match *p {
                Pending::Midi { frame, .. } | Pending::SysEx { frame, .. } => frame,
            };
            let due = pacer.due_ns(base + u64::from(frame));
            if due < now {
                self.late += 1;
            }
            let at = due.max(self.not_before_ns).max(now);
            self.last_due_ns = self.last_due_ns.max(at);
            let queue_time = Some(at.saturating_sub(self.queue_origin_ns));
            let sent = match *p {
                Pending::Midi {
                    port,
                    channel,
                    message,
                    ..
                } => self.client.send_midi(port, queue_time, channel, message),
                Pending::SysEx {
                    port, start, len, ..
                } => {
                    let (start, len) = (start as usize, len as usize);
                    self.not_before_ns = at + self.sysex_delay_ns;
                    self.client
                        .send_sysex(port, queue_time, &s.bytes[start..start + len])
                }
            };
            sent.map_err(Lost::Error)?;
        }
        s.pending.clear();
        s.bytes.clear();
        s.frame = 0;
        self.client.flush().map_err(Lost::Error)
    }

    /// Waits for the queue's last event, then note-offs for every note
    /// still sounding and All Notes Off and All Sound Off on every channel
    /// used, on every port, at once.
    fn silence(&mut self) {
        sleep_until_ns(self.last_due_ns + 1_000_000);
        let mut s = self.state.borrow_mut();
        for port in 0..s.outputs {
            let p = usize::from(port);
            for ch in 0..16u8 {
                let channel = u4::new(ch);
                let keys = s.notes[p][usize::from(ch)];
                for key in (0..128u8).filter(|&k| keys & (1 << k) != 0) {
                    let off = MidiMessage::NoteOff {
                        key: u7::new(key),
                        vel: u7::new(0),
                    };
                    let _ = self.client.send_midi(port, None, channel, off);
                }
                s.notes[p][usize::from(ch)] = 0;
                if s.used[p] & (1 << ch) != 0 {
                    for cc in [123, 120] {
                        let _ = self
                            .client
                            .send_midi(port, None, channel, controller(cc, 0));
                    }
                }
            }
        }
        s.used = [0; PORTS];
        s.pending.clear();
        s.bytes.clear();
        s.frame = 0;
        self.silenced = true;
    }
}

impl Output for SeqOutput<'_> {
    fn write(&mut self, samples: Samples<'_>) -> Result<u32, Lost> {
        let frames = samples.frames() as u64;
        let pacer = match self.pacer {
            Some(p) => p,
            None => {
                self.queue_origin_ns = self.client.start_queue().map_err(Lost::Error)?;
                let p = Pacer::start(self.rate, START_LEAD_NS);
                self.pacer = Some(p);
                p
            }
        };
        self.silenced = false;
        let base = self.written;
        self.queue_pending(pacer, base)?;
        self.written += frames;
        // The next period is played when it is WINDOW_NS from its time.
        sleep_until_ns(pacer.due_ns(self.written).saturating_sub(WINDOW_NS));
        Ok(0)
    }

    fn delay(&mut self) -> Option<i64> {
        // Queued: up to this period and the next.
        Some(0)
    }

    fn drain(&mut self) {
        // What was noted last (the stop's note-offs) is queued first.
        if let Some(pacer) = self.pacer {
            let _ = self.queue_pending(pacer, self.written);
        }
        self.silence();
    }

    fn late_events(&self) -> u64 {
        self.late
    }

    fn restart(&mut self) {
        self.pacer = None;
        self.written = 0;
        self.not_before_ns = 0;
        self.last_due_ns = 0;
    }
}

impl Drop for SeqOutput<'_> {
    fn drop(&mut self) {
        // A panic (or any path that skipped `drain`) still leaves nothing
        // sounding.
        if !self.silenced {
            self.silence();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(key: u8) -> MidiMessage {
        MidiMessage::NoteOn {
            key: u7::new(key),
            vel: u7::new(100),
        }
    }

    /// Applies a channel message on `port`.
    fn midi(synth: &mut SeqSynth<'_>, port: u8, channel: u4, message: MidiMessage) {
        synth.apply(SynthEvent::Midi {
            port,
            channel,
            message,
        });
    }

    fn state_without_reset() -> RefCell<SeqState> {
        ports_without_reset(1)
    }

    fn ports_without_reset(outputs: usize) -> RefCell<SeqState> {
        RefCell::new(SeqState::new(
            ResetPlan::new(Some(crate::cli::ResetChoice::None), false),
            outputs,
        ))
    }

    fn frames_of(state: &RefCell<SeqState>) -> Vec<(u32, String)> {
        let s = state.borrow();
        s.pending
            .iter()
            .map(|p| match *p {
                Pending::Midi {
                    frame,
                    port,
                    channel,
                    message,
                } => (frame, format!("{port}:{} {message:?}", channel.as_int())),
                Pending::SysEx {
                    frame,
                    port,
                    start,
                    len,
                } => (
                    frame,
                    format!(
                        "{port}: sysex {:02X?}",
                        &s.bytes[start as usize..(start + len) as usize]
                    ),
                ),
            })
            .collect()
    }

    #[test]
    fn messages_are_noted_at_the_frame_the_player_applies_them() {
        let state = state_without_reset();
        let mut synth = SeqSynth::new(&state);
        let (mut l, mut r) = ([1.0f32; 64], [1.0f32; 64]);
        synth.render(&mut l[..10], &mut r[..10]);
        midi(&mut synth, 0, u4::new(2), on(60));
        synth.render(&mut l[10..], &mut r[10..]);
        synth.apply(SynthEvent::SysEx {
            port: 0,
            data: &[1, 2, 0xF7],
        });
        assert!(l.iter().all(|&x| x == 0.0));
        let got = frames_of(&state);
        assert_eq!(got[0].0, 10);
        assert_eq!(got[1], (64, "0: sysex [01, 02, F7]".to_string()));
        assert_eq!(synth.active_voices(), 1);
        assert_eq!(state.borrow().used[0], 1 << 2);
    }

    #[test]
    fn a_seek_sends_the_reset_and_a_loop_turn_does_not() {
        let state = RefCell::new(SeqState::new(
            ResetPlan::new(Some(crate::cli::ResetChoice::Gs), false),
            1,
        ));
        state.borrow_mut().begin_song(ResetPlan::new(None, false));
        // The start reset (GM: the file sends none).
        assert_eq!(frames_of(&state)[0].1, "0: sysex [7E, 7F, 09, 01, F7]");
        let mut synth = SeqSynth::new(&state);
        synth.apply(SynthEvent::Jump { looped: true });
        assert_eq!(frames_of(&state).len(), 1);
        synth.apply(SynthEvent::Jump { looped: false });
        assert_eq!(frames_of(&state)[1].1, "0: sysex [7E, 7F, 09, 01, F7]");
    }

    #[test]
    fn pause_lifts_held_pedals_and_resume_puts_them_back() {
        let state = state_without_reset();
        let mut synth = SeqSynth::new(&state);
        let ch = u4::new(0);
        midi(&mut synth, 0, ch, controller(64, 127));
        midi(&mut synth, 0, ch, controller(67, 10));
        state.borrow_mut().pending.clear();
        synth.paused(true);
        assert_eq!(
            frames_of(&state),
            [(0, format!("0:0 {:?}", controller(64, 0)))]
        );
        state.borrow_mut().pending.clear();
        synth.paused(false);
        assert_eq!(
            frames_of(&state),
            [(0, format!("0:0 {:?}", controller(64, 127)))]
        );
        state.borrow_mut().pending.clear();
        synth.stop_sound();
        assert_eq!(
            frames_of(&state),
            [(0, format!("0:0 {:?}", controller(64, 0)))]
        );
        // Lifted for good: a resume after a stop has nothing to put back.
        state.borrow_mut().pending.clear();
        synth.paused(false);
        assert!(frames_of(&state).is_empty());
    }

    #[test]
    fn a_full_period_list_counts_what_it_drops_and_never_grows() {
        let state = state_without_reset();
        let mut synth = SeqSynth::new(&state);
        for i in 0..PENDING_CAPACITY + 5 {
            midi(&mut synth, 0, u4::new(0), on((i % 128) as u8));
        }
        let s = state.borrow();
        assert_eq!(s.pending.len(), PENDING_CAPACITY);
        assert_eq!(s.pending.capacity(), PENDING_CAPACITY);
        assert_eq!(s.dropped, 5);
    }

    #[test]
    fn each_port_keeps_its_own_notes_pedals_and_resets() {
        let state = ports_without_reset(2);
        state.borrow_mut().begin_song(ResetPlan::new(None, false));
        // The start reset (GM) goes to both ports.
        assert_eq!(
            frames_of(&state),
            [
                (0, "0: sysex [7E, 7F, 09, 01, F7]".to_string()),
                (0, "1: sysex [7E, 7F, 09, 01, F7]".to_string())
            ]
        );
        state.borrow_mut().pending.clear();
        let mut synth = SeqSynth::new(&state);
        let ch = u4::new(0);
        for port in [0, 1] {
            synth.apply(SynthEvent::Midi {
                port,
                channel: ch,
                message: on(60),
            });
        }
        midi(&mut synth, 1, ch, controller(64, 127));
        // Port 3 of two is port 1 (aplaymidi's `port % count`).
        midi(&mut synth, 3, u4::new(4), on(62));
        {
            let s = state.borrow();
            assert_eq!(s.notes[0][0], 1 << 60);
            assert_eq!(s.notes[1][0], 1 << 60);
            assert_eq!(s.notes[1][4], 1 << 62);
            assert_eq!(s.used[..2], [1, 1 | 1 << 4]);
        }
        assert_eq!(synth.active_voices(), 3);
        midi(
            &mut synth,
            0,
            ch,
            MidiMessage::NoteOff {
                key: u7::new(60),
                vel: u7::new(0),
            },
        );
        assert_eq!(
            state.borrow().notes[1][0],
            1 << 60,
            "port 1's note sounds on"
        );
        state.borrow_mut().pending.clear();
        // Pause lifts the pedal where it is held: port 1 only.
        synth.paused(true);
        assert_eq!(
            frames_of(&state),
            [(0, format!("1:0 {:?}", controller(64, 0)))]
        );
    }
}
