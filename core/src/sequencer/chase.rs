//! Chase: the channel state a file has set up before a given point (program,
//! bank, every controller, RPN/NRPN values, pitch bend, channel pressure,
//! system exclusive messages), so that a seek or a loop can restore it before
//! the first event it plays.
//!
//! State is kept per MIDI port (`FF 21`, see [`crate::smf::Event::port`])
//! and channel: `PORTS` sets of 16 channels (default 1, which is what a
//! synth with one set of 16 channels such as FluidSynth has); a port `p`
//! is kept as `p % PORTS`. A reset message wipes its own port only.
//!
//! Replay resets each channel's controllers (CC 121) and then sends what the
//! file set, with General MIDI defaults for volume, pan, reverb and chorus
//! send, bank and program where the file set nothing, so state from the old
//! position never leaks into the new one. It does not kill voices, so a
//! loop stays seamless.
//!
//! *Real-time*: fixed size (about 2.7 KiB per port plus `SYSEX` bytes, by
//! default [`CHASE_SYSEX_BYTES`]);
//! observing an event is O(1) (O(bytes) for sysex); a replay emits at most
//! [`MAX_REPLAY_EVENTS`] events per port replayed.

use heapless::Vec;
use midly::MidiMessage;
use midly::PitchBend;
use midly::num::{u4, u7, u14};

/// Bytes of system exclusive messages a chase keeps for replay.
pub const CHASE_SYSEX_BYTES: usize = 1024;
/// RPN/NRPN values kept per channel.
pub const PARAMS_PER_CHANNEL: usize = 8;
/// Most events one replay emits per port (16 channels × (reset, bank, program,
/// 124 controllers, params, selection, bend, pressure) plus sysex).
pub const MAX_REPLAY_EVENTS: usize = 16 * (1 + 3 + 124 + PARAMS_PER_CHANNEL * 4 + 2 + 2) + 64;

/// A 7-bit value the file has not set. A set value is stored with bit 7
/// on ([`set`]), so that the state before any event is all zero bits (a
/// `static` sequencer goes to `.bss` instead of costing its size in flash).
const UNSET: u8 = 0;
/// Pitch bend not set; a set bend is stored with bit 15 on.
const BEND_UNSET: u16 = 0;
/// An RPN/NRPN value LSB not sent (inside a parameter, not part of the
/// initial state).
const LSB_UNSET: u8 = 0xFF;

/// The stored form of a 7-bit value the file set.
const fn set(v: u8) -> u8 {
    0x80 | (v & 0x7F)
}

/// A stored value: `None` if unset, else the 7-bit value.
const fn get(stored: u8) -> Option<u8> {
    if stored == UNSET {
        None
    } else {
        Some(stored & 0x7F)
    }
}

/// The GM, GS and XG reset messages (bytes after `F0`).
const RESETS: [&[u8]; 4] = [
    &[0x7E, 0x7F, 0x09, 0x01, 0xF7], // GM System On
    &[0x7E, 0x7F, 0x09, 0x03, 0xF7], // GM2 System On
    &[0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7], // GS Reset
    &[0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7], // XG System On
];

/// Which reset a sysex message is, if any.
pub fn reset_kind(data: &[u8]) -> Option<ResetKind> {
    // Device ids vary (0x10–0x1F for GS/XG, 0x7F/any for GM): compare the rest.
    let same = |a: &[u8], b: &[u8], skip: usize| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .enumerate()
                .all(|(i, (x, y))| i == skip || x == y)
    };
    if same(data, RESETS[0], 1) {
        Some(ResetKind::Gm)
    } else if same(data, RESETS[1], 1) {
        Some(ResetKind::Gm2)
    } else if same(data, RESETS[2], 1) {
        Some(ResetKind::Gs)
    } else if same(data, RESETS[3], 1) {
        Some(ResetKind::Xg)
    } else {
        None
    }
}

/// A reset system exclusive message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ResetKind {
    /// General MIDI System On.
    Gm,
    /// General MIDI 2 System On.
    Gm2,
    /// Roland GS Reset.
    Gs,
    /// Yamaha XG System On.
    Xg,
}

/// Whether a seek or a loop is being restored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReplayMode {
    /// Restore everything, GM/GS/XG resets first.
    // Discriminants from 1: `Option<ReplayMode>` (and the feed's pending
    // replay job) then uses 0 for `None`, so a `static` sequencer is all
    // zero bits and goes to `.bss`.
    Seek = 1,
    /// Like `Seek`, but without resets (they would cut the sound at every
    /// turn of the loop; the synth is already in the file's mode).
    Loop = 2,
}

/// One event of a replay, for a port (`0..PORTS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayEvent<'a> {
    /// A channel message: port, channel, message.
    Midi(u8, u4, MidiMessage),
    /// A system exclusive message (bytes after `F0`) for a port.
    SysEx(u8, &'a [u8]),
}

/// Most ports a chase, a feed and a player tell apart (the player's note
/// table keys a note by port, channel and key in 16 bits).
pub const MAX_PORTS: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq)]
struct Param {
    nrpn: bool,
    msb_number: u8,
    lsb_number: u8,
    value_msb: u8,
    value_lsb: u8,
}

/// Controllers a chase keeps: all but data entry and increment/decrement
/// (6, 38, 96, 97: kept per parameter), the parameter selection (98–101:
/// kept apart) and the channel mode messages (120–127: not state).
const KEPT_CONTROLLERS: usize = 112;

/// Where controller `cc` is kept, if it is.
const fn slot(cc: u8) -> Option<usize> {
    let cc = cc as usize;
    match cc {
        0..=5 => Some(cc),
        7..=37 => Some(cc - 1),
        39..=95 => Some(cc - 2),
        102..=119 => Some(cc - 8),
        _ => None,
    }
}

/// Program, controllers and pressure as [`set`] values (0: unset), bend
/// with bit 15 on (0: unset).
#[derive(Clone)]
struct ChannelState {
    program: u8,
    /// By [`slot`].
    controllers: [u8; KEPT_CONTROLLERS],
    bend: u16,
    pressure: u8,
    /// Last selected parameter: (nrpn, msb number, lsb number). An
    /// `Option` of plain bytes: its `None` is the zero tag.
    selected: Option<(u8, u8, u8)>,
    params: Vec<Param, PARAMS_PER_CHANNEL>,
}

impl ChannelState {
    const NEW: Self = Self {
        program: UNSET,
        controllers: [UNSET; KEPT_CONTROLLERS],
        bend: BEND_UNSET,
        pressure: UNSET,
        selected: None,
        params: Vec::new(),
    };

    fn observe(&mut self, message: MidiMessage) -> bool {
        match message {
            MidiMessage::ProgramChange { program } => self.program = set(program.as_int()),
            MidiMessage::PitchBend { bend } => self.bend = 0x8000 | bend.0.as_int(),
            MidiMessage::ChannelAftertouch { vel } => self.pressure = set(vel.as_int()),
            MidiMessage::Controller { controller, value } => {
                return self.controller(controller.as_int(), value.as_int());
            }
            _ => {}
        }
        true
    }

    /// Returns false when a parameter value could not be kept (table full).
    fn controller(&mut self, cc: u8, v: u8) -> bool {
        match cc {
            98..=101 => {
                let nrpn = u8::from(cc <= 99);
                let (mut msb, mut lsb) = match self.selected {
                    Some((n, m, l)) if n == nrpn => (m, l),
                    _ => (127, 127),
                };
                if cc == 101 || cc == 99 {
                    msb = v;
                } else {
                    lsb = v;
                }
                self.selected = Some((nrpn, msb, lsb));
            }
            6 | 38 | 96 | 97 => return self.data_entry(cc, v),
            121 => {
                // Reset All Controllers (RP-015): modulation, expression,
                // pedals, bend, pressure and the parameter selection.
                for c in [1u8, 11, 64, 65, 66, 67] {
                    self.set_controller(c, UNSET);
                }
                self.bend = BEND_UNSET;
                self.pressure = UNSET;
                self.selected = None;
            }
            120 | 122..=127 => {} // sound/notes off, local, modes: not state to chase
            _ => self.set_controller(cc, set(v)),
        }
        true
    }

    /// Stores a [`set`] value (or [`UNSET`]) for a kept controller.
    fn set_controller(&mut self, cc: u8, stored: u8) {
        if let Some(c) = slot(cc).and_then(|i| self.controllers.get_mut(i)) {
            *c = stored;
        }
    }

    /// A controller's stored value ([`UNSET`] for those not kept).
    fn controller_value(&self, cc: u8) -> u8 {
        slot(cc)
            .and_then(|i| self.controllers.get(i))
            .copied()
            .unwrap_or(UNSET)
    }

    fn data_entry(&mut self, cc: u8, v: u8) -> bool {
        let Some((nrpn, m, l)) = self.selected else {
            return true;
        };
        if m == 127 && l == 127 {
            return true; // the null parameter
        }
        let nrpn = nrpn != 0;
        let index = self
            .params
            .iter()
            .position(|p| p.nrpn == nrpn && p.msb_number == m && p.lsb_number == l);
        let index = match index {
            Some(i) => i,
            None => {
                let fresh = Param {
                    nrpn,
                    msb_number: m,
                    lsb_number: l,
                    value_msb: 0,
                    value_lsb: LSB_UNSET,
                };
                if self.params.push(fresh).is_err() {
                    return false;
                }
                self.params.len() - 1
            }
        };
        let Some(p) = self.params.get_mut(index) else {
            return false;
        };
        match cc {
            6 => p.value_msb = v,
            38 => p.value_lsb = v,
            96 => p.value_msb = p.value_msb.saturating_add(1).min(127),
            _ => p.value_msb = p.value_msb.saturating_sub(1),
        }
        true
    }

    fn replay(&self, port: u8, ch: u4, emit: &mut impl FnMut(ReplayEvent<'_>)) {
        let cc = |c: u8, v: u8| {
            ReplayEvent::Midi(
                port,
                ch,
                MidiMessage::Controller {
                    controller: u7::new(c),
                    value: u7::new(v & 0x7F),
                },
            )
        };
        let or = |v: u8, default: u8| get(v).unwrap_or(default);
        emit(cc(121, 0));
        emit(cc(0, or(self.controller_value(0), 0)));
        if let Some(v) = get(self.controller_value(32)) {
            emit(cc(32, v));
        }
        let program = u7::new(or(self.program, 0) & 0x7F);
        emit(ReplayEvent::Midi(
            port,
            ch,
            MidiMessage::ProgramChange { program },
        ));
        for (c, default) in [(7u8, 100u8), (10, 64), (91, 40), (93, 0)] {
            emit(cc(c, or(self.controller_value(c), default)));
        }
        for c in 0..128u8 {
            let v = self.controller_value(c);
            let handled = matches!(c, 0 | 32 | 7 | 10 | 91 | 93 | 6 | 38 | 96..=101 | 120..=127);
            if let Some(v) = get(v)
                && !handled
            {
                emit(cc(c, v));
            }
        }
        for p in &self.params {
            let (m_cc, l_cc) = if p.nrpn { (99, 98) } else { (101, 100) };
            emit(cc(m_cc, p.msb_number));
            emit(cc(l_cc, p.lsb_number));
            emit(cc(6, p.value_msb));
            if p.value_lsb != LSB_UNSET {
                emit(cc(38, p.value_lsb));
            }
        }
        if let Some((nrpn, m, l)) = self.selected {
            let (m_cc, l_cc) = if nrpn != 0 { (99, 98) } else { (101, 100) };
            emit(cc(m_cc, m));
            emit(cc(l_cc, l));
        } else if !self.params.is_empty() {
            emit(cc(101, 127));
            emit(cc(100, 127));
        }
        if self.bend != BEND_UNSET {
            let bend = PitchBend(u14::new(self.bend & 0x3FFF));
            emit(ReplayEvent::Midi(port, ch, MidiMessage::PitchBend { bend }));
        }
        if let Some(pressure) = get(self.pressure) {
            let vel = u7::new(pressure);
            emit(ReplayEvent::Midi(
                port,
                ch,
                MidiMessage::ChannelAftertouch { vel },
            ));
        }
    }
}

/// Everything needed to restore the state at one point of a song.
///
/// `SYSEX` bytes (default [`CHASE_SYSEX_BYTES`]) keep the system exclusive
/// messages since the last reset, 2 bytes of length each (3 with the port
/// when `PORTS` > 1) plus their bytes; what does not fit is counted in
/// [`ChaseState::lost`] and not replayed. `PORTS` (1 to [`MAX_PORTS`],
/// default 1) sets of 16 channels are kept: see the module docs.
#[derive(Clone)]
pub struct ChaseState<const SYSEX: usize = CHASE_SYSEX_BYTES, const PORTS: usize = 1> {
    channels: [[ChannelState; 16]; PORTS],
    /// Last reset message seen per port (bytes after F0; empty: none).
    reset: [Vec<u8, 12>; PORTS],
    /// Other sysex since the last reset of their port, each as (port when
    /// `PORTS` > 1, len u16 BE, bytes).
    sysex: Vec<u8, SYSEX>,
    lost: u32,
}

impl<const SYSEX: usize, const PORTS: usize> Default for ChaseState<SYSEX, PORTS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const SYSEX: usize, const PORTS: usize> ChaseState<SYSEX, PORTS> {
    /// Bytes before each stored sysex message: its port (only when there
    /// are several), then its length.
    const HEADER: usize = if PORTS > 1 { 3 } else { 2 };

    /// The state of a song before its first event. Fails to compile unless
    /// `1 <= PORTS <= MAX_PORTS`.
    pub const fn new() -> Self {
        const {
            assert!(
                PORTS >= 1 && PORTS <= MAX_PORTS,
                "ChaseState: PORTS must be in 1..=16"
            );
        }
        Self {
            channels: [const { [ChannelState::NEW; 16] }; PORTS],
            reset: [const { Vec::new() }; PORTS],
            sysex: Vec::new(),
            lost: 0,
        }
    }

    /// Forgets everything (back to the start of the song).
    pub fn clear(&mut self) {
        // Field by field: no whole `ChaseState` is built on the stack.
        for port in self.channels.iter_mut() {
            for c in port.iter_mut() {
                *c = ChannelState::NEW;
            }
        }
        for r in self.reset.iter_mut() {
            r.clear();
        }
        self.sysex.clear();
        self.lost = 0;
    }

    /// Items that could not be kept (parameter table or sysex store full):
    /// a replay restores everything else.
    pub const fn lost(&self) -> u32 {
        self.lost
    }

    /// Takes note of a channel message on `port` (kept as `port % PORTS`).
    pub fn observe_midi(&mut self, port: u8, channel: u4, message: MidiMessage) {
        let p = usize::from(port) % PORTS;
        let Some(ch) = self
            .channels
            .get_mut(p)
            .and_then(|c| c.get_mut(usize::from(channel.as_int())))
        else {
            return;
        };
        if !ch.observe(message) {
            self.lost = self.lost.saturating_add(1);
        }
    }

    /// Takes note of a system exclusive message (bytes after `F0`) on
    /// `port` (kept as `port % PORTS`).
    pub fn observe_sysex(&mut self, port: u8, data: &[u8]) {
        let p = usize::from(port) % PORTS;
        if reset_kind(data).is_some() {
            // A reset wipes its port's channels and earlier messages.
            if let Some(chans) = self.channels.get_mut(p) {
                for c in chans.iter_mut() {
                    *c = ChannelState::NEW;
                }
            }
            self.forget_sysex_of(p as u8);
            if let Some(r) = self.reset.get_mut(p) {
                // Resets are 5 to 10 bytes: they always fit.
                *r = Vec::from_slice(data).unwrap_or_default();
            }
            return;
        }
        let fits = data.len() <= usize::from(u16::MAX)
            && self.sysex.len() + Self::HEADER + data.len() <= SYSEX;
        if fits {
            let len = (data.len() as u16).to_be_bytes();
            // Cannot fail: the capacity was checked just above.
            if PORTS > 1 {
                let _ = self.sysex.push(p as u8);
            }
            let _ = self.sysex.extend_from_slice(&len);
            let _ = self.sysex.extend_from_slice(data);
        } else {
            self.lost = self.lost.saturating_add(1);
        }
    }

    /// The stored sysex messages as (port, bytes), in the order seen.
    fn stored_sysex(&self) -> impl Iterator<Item = (u8, &[u8])> {
        let mut rest: &[u8] = &self.sysex;
        core::iter::from_fn(move || {
            let (port, after_port) = if PORTS > 1 {
                let (&p, tail) = rest.split_first()?;
                (p, tail)
            } else {
                (0, rest)
            };
            let [hi, lo, tail @ ..] = after_port else {
                return None;
            };
            let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
            let (msg, after) = tail.split_at(len);
            rest = after;
            Some((port, msg))
        })
    }

    /// Drops the stored sysex messages of `port` (in place, keeping the
    /// order of the others).
    fn forget_sysex_of(&mut self, port: u8) {
        if PORTS == 1 {
            self.sysex.clear();
            return;
        }
        let (mut read, mut write) = (0usize, 0usize);
        let n = self.sysex.len();
        while read + Self::HEADER <= n {
            let len = usize::from(u16::from_be_bytes([
                self.sysex[read + 1],
                self.sysex[read + 2],
            ]));
            let end = (read + Self::HEADER + len).min(n);
            if self.sysex[read] != port {
                self.sysex.copy_within(read..end, write);
                write += end - read;
            }
            read = end;
        }
        self.sysex.truncate(write);
    }

    /// Emits the events that restore this state on ports `0..ports` (at
    /// most `PORTS`, at least 1; see the module docs): for each port, its
    /// reset (for a seek), its sysex, then its channels.
    pub fn replay(&self, mode: ReplayMode, ports: usize, mut emit: impl FnMut(ReplayEvent<'_>)) {
        for (p, chans) in self.channels.iter().enumerate().take(ports.max(1)) {
            let port = p as u8;
            if mode == ReplayMode::Seek
                && let Some(r) = self.reset.get(p)
                && !r.is_empty()
            {
                emit(ReplayEvent::SysEx(port, r));
            }
            for (_, msg) in self.stored_sysex().filter(|&(q, _)| q == port) {
                emit(ReplayEvent::SysEx(port, msg));
            }
            for (i, ch) in chans.iter().enumerate() {
                ch.replay(port, u4::new(i as u8), &mut emit);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctl(c: u8, v: u8) -> MidiMessage {
        MidiMessage::Controller {
            controller: u7::new(c),
            value: u7::new(v),
        }
    }

    #[test]
    fn replays_program_controllers_params_bend() {
        let mut s = ChaseState::<CHASE_SYSEX_BYTES>::new();
        let ch = u4::new(2);
        s.observe_midi(0, ch, ctl(0, 1));
        s.observe_midi(
            0,
            ch,
            MidiMessage::ProgramChange {
                program: u7::new(40),
            },
        );
        s.observe_midi(0, ch, ctl(7, 90));
        s.observe_midi(0, ch, ctl(74, 33));
        s.observe_midi(0, ch, ctl(101, 0));
        s.observe_midi(0, ch, ctl(100, 0));
        s.observe_midi(0, ch, ctl(6, 12)); // bend range 12 semitones
        s.observe_midi(
            0,
            ch,
            MidiMessage::PitchBend {
                bend: PitchBend(u14::new(9000)),
            },
        );
        let mut out: std::vec::Vec<ReplayEvent<'_>> = std::vec::Vec::new();
        s.replay(ReplayMode::Seek, 1, |e| {
            if let ReplayEvent::Midi(_, c, m) = e
                && c == ch
            {
                out.push(ReplayEvent::Midi(0, c, m));
            }
        });
        let m = |msg| ReplayEvent::Midi(0, ch, msg);
        assert_eq!(out[0], m(ctl(121, 0)));
        assert_eq!(out[1], m(ctl(0, 1)));
        assert_eq!(
            out[2],
            m(MidiMessage::ProgramChange {
                program: u7::new(40)
            })
        );
        assert_eq!(
            &out[3..7],
            &[m(ctl(7, 90)), m(ctl(10, 64)), m(ctl(91, 40)), m(ctl(93, 0))]
        );
        assert_eq!(out[7], m(ctl(74, 33)));
        assert_eq!(
            &out[8..11],
            &[m(ctl(101, 0)), m(ctl(100, 0)), m(ctl(6, 12))]
        );
        assert_eq!(&out[11..13], &[m(ctl(101, 0)), m(ctl(100, 0))]);
        assert_eq!(
            out[13],
            m(MidiMessage::PitchBend {
                bend: PitchBend(u14::new(9000))
            })
        );
        assert_eq!(out.len(), 14);
    }

    #[test]
    fn reset_sysex_wipes_and_is_replayed_first_only_for_seeks() {
        let mut s = ChaseState::<CHASE_SYSEX_BYTES>::new();
        s.observe_midi(
            0,
            u4::new(0),
            MidiMessage::ProgramChange {
                program: u7::new(5),
            },
        );
        s.observe_sysex(
            0,
            &[0x41, 0x10, 0x42, 0x12, 0x40, 0x01, 0x30, 0x01, 0x0E, 0xF7],
        );
        s.observe_sysex(
            0,
            &[0x41, 0x11, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7],
        ); // GS reset, device 0x11
        s.observe_sysex(0, &[0x43, 0x10, 0x4C, 0x02, 0x01, 0x00, 0x01, 0xF7]);
        let mut first = std::vec::Vec::new();
        s.replay(ReplayMode::Seek, 1, |e| first.push(format!("{e:?}")));
        assert!(first[0].contains("SysEx(0, [65, 17, 66"), "{}", first[0]);
        assert!(first[1].contains("SysEx(0, [67, 16, 76, 2"), "{}", first[1]);
        assert!(
            first
                .iter()
                .any(|e| e.contains("ProgramChange { program: u7(0) }"))
        );
        assert!(!first.iter().any(|e| e.contains("program: u7(5)")));
        let mut looped = std::vec::Vec::new();
        s.replay(ReplayMode::Loop, 1, |e| looped.push(format!("{e:?}")));
        assert!(looped[0].contains("SysEx(0, [67, 16, 76, 2"));
        assert_eq!(looped.len() + 1, first.len());
    }

    #[test]
    fn reset_all_controllers_clears_bend_and_pedals() {
        let mut s = ChaseState::<CHASE_SYSEX_BYTES>::new();
        let ch = u4::new(0);
        s.observe_midi(0, ch, ctl(64, 127));
        s.observe_midi(
            0,
            ch,
            MidiMessage::PitchBend {
                bend: PitchBend(u14::new(100)),
            },
        );
        s.observe_midi(0, ch, ctl(121, 0));
        let mut n = 0;
        s.replay(ReplayMode::Seek, 1, |e| {
            if let ReplayEvent::Midi(_, c, m) = e
                && c == ch
            {
                assert!(!matches!(m, MidiMessage::PitchBend { .. }));
                assert_ne!(m, ctl(64, 127));
                n += 1;
            }
        });
        assert_eq!(n, 7); // 121, bank, program, 7, 10, 91, 93
    }

    #[test]
    fn replay_stays_within_its_bound() {
        let mut s = ChaseState::<CHASE_SYSEX_BYTES>::new();
        for ch in 0..16 {
            for c in 0..128 {
                s.observe_midi(0, u4::new(ch), ctl(c, 1));
            }
            for p in 0..20 {
                s.observe_midi(0, u4::new(ch), ctl(99, p));
                s.observe_midi(0, u4::new(ch), ctl(6, 3));
                s.observe_midi(0, u4::new(ch), ctl(38, 3));
            }
        }
        for _ in 0..200 {
            s.observe_sysex(0, &[0x43, 0x10, 0x4C, 0x02, 0x01, 0x00, 0x01, 0xF7]);
        }
        let mut n = 0;
        s.replay(ReplayMode::Seek, 1, |_| n += 1);
        assert!(n <= MAX_REPLAY_EVENTS, "{n} > {MAX_REPLAY_EVENTS}");
        assert!(s.lost() > 0);
    }

    #[test]
    fn every_controller_a_channel_keeps_has_its_own_slot() {
        let mut seen = [false; KEPT_CONTROLLERS];
        for cc in 0..128u8 {
            let kept = !matches!(cc, 6 | 38 | 96..=101 | 120..=127);
            assert_eq!(slot(cc).is_some(), kept, "controller {cc}");
            if let Some(i) = slot(cc) {
                assert!(!seen[i], "controller {cc} shares slot {i}");
                seen[i] = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
        // Each kept controller is replayed with its own value.
        let mut s = ChaseState::<0>::new();
        let ch = u4::new(1);
        for cc in (0..128u8).filter(|&c| slot(c).is_some()) {
            s.observe_midi(0, ch, ctl(cc, cc ^ 0x55));
        }
        let mut replayed = [None; 128];
        s.replay(ReplayMode::Seek, 1, |e| {
            if let ReplayEvent::Midi(_, c, MidiMessage::Controller { controller, value }) = e
                && c == ch
                && controller.as_int() != 121
            {
                replayed[usize::from(controller.as_int())] = Some(value.as_int());
            }
        });
        for cc in (0..128u8).filter(|&c| slot(c).is_some()) {
            assert_eq!(
                replayed[usize::from(cc)],
                Some(cc ^ 0x55),
                "controller {cc}"
            );
        }
    }

    #[test]
    fn sysex_store_capacity_is_a_parameter() {
        // A Roland GS parameter change (not a reset): 2 + 10 bytes stored.
        let data = [0x41, 0x10, 0x42, 0x12, 0x40, 0x01, 0x30, 0x01, 0x0E, 0xF7];
        let mut small = ChaseState::<8>::new();
        small.observe_sysex(0, &data);
        assert_eq!(small.lost(), 1);
        let mut fits = ChaseState::<12>::new();
        fits.observe_sysex(0, &data);
        assert_eq!(fits.lost(), 0);
        let mut replayed = 0;
        fits.replay(ReplayMode::Seek, 1, |e| {
            if matches!(e, ReplayEvent::SysEx(_, d) if d == data) {
                replayed += 1;
            }
        });
        assert_eq!(replayed, 1);
    }
}
