//! The sequencer client `host play --port` sends from: it opens the
//! sequencer, resolves the `--port` names, creates its own output port and
//! connects it to each destination (so `aconnect -l` shows who plays), and
//! turns the synth's messages into sequencer events sent directly (no
//! queue: the paced output thread decides when).
//!
//! *Real-time*: opening is control side. [`SeqClient::send_midi`] and
//! [`SeqClient::send_sysex`] are what the paced output thread calls: they
//! build the event on the stack and write it with one `write(2)` to
//! `/dev/snd/seq` (libasound copies a SysEx into its own buffer, grown once
//! to the longest message); no Rust allocation, no lock.

use std::ffi::CString;

use alsa::Direction;
use alsa::seq::{Addr, EvCtrl, EvNote, Event, EventType, PortCap, PortType, Seq};
use midly::MidiMessage;
use midly::num::u4;

use super::ports::{self, PortEntry};
use crate::exit::{HostError, Kind};

/// Longest SysEx message sent (bytes after `F0`); longer ones are cut by
/// the player's pool long before this.
pub const MAX_SYSEX: usize = 4096;

/// An open sequencer client connected to the `--port` destinations.
pub struct SeqClient {
    seq: Seq,
    own_port: i32,
    /// The destinations, in `--port` order.
    dests: Vec<PortEntry>,
    /// `F0` + the message, for SysEx events.
    sysex: Box<[u8; MAX_SYSEX + 1]>,
}

/// Opens the sequencer for output, with a user-facing error.
pub fn open_sequencer() -> Result<Seq, HostError> {
    crate::play::silence_alsa_lib_errors();
    Seq::open(None, Some(Direction::Playback), false).map_err(|e| {
        let errno = e.errno();
        let why = if errno == libc::ENOENT {
            "no ALSA sequencer on this machine (is the snd-seq module loaded?)".to_string()
        } else {
            format!(
                "cannot open the ALSA sequencer: {}",
                std::io::Error::from_raw_os_error(errno)
            )
        };
        HostError::new(Kind::Device, "/dev/snd/seq", why)
    })
}

impl SeqClient {
    /// Opens a client named `smfplay` and connects it to every port of
    /// `specs` (numbers or names, see [`ports::resolve`]).
    ///
    /// # Errors
    /// [`Kind::Device`] when the sequencer cannot be opened, a port is not
    /// found or refuses the connection.
    pub fn open(specs: &[String]) -> Result<Self, HostError> {
        let seq = open_sequencer()?;
        let name = CString::new("smfplay").unwrap_or_default();
        let dev_err = |what: &str, e: alsa::Error| {
            HostError::new(
                Kind::Device,
                "/dev/snd/seq",
                format!("{what}: {}", std::io::Error::from_raw_os_error(e.errno())),
            )
        };
        seq.set_client_name(&name)
            .map_err(|e| dev_err("cannot name the sequencer client", e))?;
        let own_client = seq.client_id().ok();
        let available = ports::writable(&seq, own_client);
        let mut dests = Vec::new();
        for spec in specs {
            let port = ports::resolve(spec, &available)
                .map_err(|why| HostError::new(Kind::Device, spec.trim(), why))?;
            dests.push(port.clone());
        }
        if dests.is_empty() {
            return Err(HostError::new(Kind::Device, "", "no --port given"));
        }
        let own_port = seq
            .create_simple_port(
                &CString::new("smfplay out").unwrap_or_default(),
                PortCap::READ | PortCap::SUBS_READ,
                PortType::MIDI_GENERIC | PortType::APPLICATION,
            )
            .map_err(|e| dev_err("cannot create a sequencer port", e))?;
        for d in &dests {
            let sub =
                alsa::seq::PortSubscribe::empty().map_err(|e| dev_err("cannot connect", e))?;
            sub.set_sender(Addr {
                client: own_client.unwrap_or(0),
                port: own_port,
            });
            sub.set_dest(d.addr());
            seq.subscribe_port(&sub).map_err(|e| {
                HostError::new(
                    Kind::Device,
                    d.address(),
                    format!(
                        "cannot connect to {} ({}): {}",
                        d.port_name,
                        d.client_name,
                        std::io::Error::from_raw_os_error(e.errno())
                    ),
                )
            })?;
        }
        Ok(Self {
            seq,
            own_port,
            dests,
            sysex: Box::new([0; MAX_SYSEX + 1]),
        })
    }

    /// `client:port` of each destination, comma-separated (for the log).
    pub fn describe(&self) -> String {
        self.dests
            .iter()
            .map(|d| format!("{} ({})", d.address(), d.port_name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Sends a channel message to destination `port` (an index into
    /// [`destinations`](Self::destinations), clamped) now.
    ///
    /// # Errors
    /// The errno of a failed write (the port or the sequencer is gone).
    pub fn send_midi(&self, port: u8, channel: u4, message: MidiMessage) -> Result<(), i32> {
        let mut ev = midi_event(channel, message);
        self.send(port, &mut ev)
    }

    /// Sends a SysEx message (bytes after `F0`) to destination `port` now;
    /// messages longer than [`MAX_SYSEX`] are not sent.
    ///
    /// # Errors
    /// As [`send_midi`](Self::send_midi).
    pub fn send_sysex(&mut self, port: u8, data: &[u8]) -> Result<(), i32> {
        if data.len() > MAX_SYSEX {
            return Ok(());
        }
        self.sysex[0] = 0xF0;
        self.sysex[1..=data.len()].copy_from_slice(data);
        let buf: &[u8] = &self.sysex[..=data.len()];
        let mut ev = Event::new_ext(EventType::Sysex, buf);
        let dest = self.dest(port);
        ev.set_source(self.own_port);
        ev.set_dest(dest);
        ev.set_direct();
        self.seq
            .event_output_direct(&mut ev)
            .map(|_| ())
            .map_err(|e| e.errno())
    }

    fn dest(&self, port: u8) -> Addr {
        let i = usize::from(port).min(self.dests.len().saturating_sub(1));
        self.dests.get(i).map(PortEntry::addr).unwrap_or_default()
    }

    fn send(&self, port: u8, ev: &mut Event<'_>) -> Result<(), i32> {
        ev.set_source(self.own_port);
        ev.set_dest(self.dest(port));
        ev.set_direct();
        self.seq
            .event_output_direct(ev)
            .map(|_| ())
            .map_err(|e| e.errno())
    }
}

/// The sequencer event for a channel message.
pub fn midi_event(channel: u4, message: MidiMessage) -> Event<'static> {
    let ch = channel.as_int();
    let note = |t, key: u8, vel: u8| {
        Event::new(
            t,
            &EvNote {
                channel: ch,
                note: key,
                velocity: vel,
                off_velocity: 0,
                duration: 0,
            },
        )
    };
    let ctrl = |t, param: u32, value: i32| {
        Event::new(
            t,
            &EvCtrl {
                channel: ch,
                param,
                value,
            },
        )
    };
    match message {
        MidiMessage::NoteOn { key, vel } => note(EventType::Noteon, key.as_int(), vel.as_int()),
        MidiMessage::NoteOff { key, vel } => note(EventType::Noteoff, key.as_int(), vel.as_int()),
        MidiMessage::Aftertouch { key, vel } => {
            note(EventType::Keypress, key.as_int(), vel.as_int())
        }
        MidiMessage::Controller { controller, value } => ctrl(
            EventType::Controller,
            u32::from(controller.as_int()),
            i32::from(value.as_int()),
        ),
        MidiMessage::ProgramChange { program } => {
            ctrl(EventType::Pgmchange, 0, i32::from(program.as_int()))
        }
        MidiMessage::ChannelAftertouch { vel } => {
            ctrl(EventType::Chanpress, 0, i32::from(vel.as_int()))
        }
        MidiMessage::PitchBend { bend } => ctrl(EventType::Pitchbend, 0, i32::from(bend.as_int())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use midly::PitchBend;
    use midly::num::{u7, u14};

    #[test]
    fn channel_messages_become_the_sequencer_events_aplaymidi_sends() {
        let ch = u4::new(9);
        let ev = midi_event(
            ch,
            MidiMessage::NoteOn {
                key: u7::new(60),
                vel: u7::new(100),
            },
        );
        assert_eq!(ev.get_type(), EventType::Noteon);
        let n: EvNote = ev.get_data().unwrap();
        assert_eq!((n.channel, n.note, n.velocity), (9, 60, 100));
        let ev = midi_event(
            ch,
            MidiMessage::PitchBend {
                bend: PitchBend(u14::new(0)),
            },
        );
        let c: EvCtrl = ev.get_data().unwrap();
        assert_eq!((ev.get_type(), c.value), (EventType::Pitchbend, -8192));
        let ev = midi_event(
            ch,
            MidiMessage::ProgramChange {
                program: u7::new(5),
            },
        );
        let c: EvCtrl = ev.get_data().unwrap();
        assert_eq!((ev.get_type(), c.value), (EventType::Pgmchange, 5));
        let ev = midi_event(
            ch,
            MidiMessage::Controller {
                controller: u7::new(64),
                value: u7::new(127),
            },
        );
        let c: EvCtrl = ev.get_data().unwrap();
        assert_eq!(
            (ev.get_type(), c.param, c.value),
            (EventType::Controller, 64, 127)
        );
    }
}
