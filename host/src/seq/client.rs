//! The sequencer client `host play --port` sends from: it opens the
//! sequencer, resolves the `--port` names, creates its own output port and
//! connects it to each destination (so `aconnect -l` shows who plays),
//! owns a real-time queue, and turns the synth's messages into sequencer
//! events, either timestamped on that queue (the kernel sends each at its
//! time) or sent at once (the final all-off).
//!
//! *Real-time*: opening is control side. The `send_*` and `flush` calls
//! are what the engine's thread makes (`play::realtime::seq_output`): they
//! build the event on the stack and hand it to libasound's output buffer
//! (written to `/dev/snd/seq` by [`SeqClient::flush`], once per period; a
//! SysEx is copied into libasound's buffer, grown once to the longest
//! message); no Rust allocation, no lock.

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
/// Events the kernel may hold for this client (its maximum): a window of a
/// few periods never fills it, so a write never blocks.
const OUTPUT_POOL: u32 = 2000;

/// An open sequencer client connected to the `--port` destinations.
pub struct SeqClient {
    seq: Seq,
    own_port: i32,
    /// The real-time queue events are timestamped on.
    queue: i32,
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
        // Best effort: the default pool (500) is enough for most songs.
        let _ = seq.set_client_pool_output(OUTPUT_POOL);
        let queue = seq
            .alloc_queue()
            .map_err(|e| dev_err("cannot get a sequencer queue", e))?;
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
            queue,
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

    /// Restarts the queue at time 0 (each song); returns the monotonic
    /// time (ns) that queue time 0 stands for.
    ///
    /// # Errors
    /// The errno of a failed write.
    pub fn start_queue(&self) -> Result<u64, i32> {
        let errno = |e: alsa::Error| e.errno();
        let _ = self.seq.control_queue(self.queue, EventType::Stop, 0, None);
        self.seq
            .control_queue(self.queue, EventType::Start, 0, None)
            .map_err(errno)?;
        self.seq.drain_output().map_err(errno)?;
        Ok(crate::play::realtime::seq_pacer::now_ns())
    }

    /// Queues a channel message for destination `port` (an index into the
    /// `--port` list, modulo its length) at queue time `at_ns`; `None` sends it now.
    ///
    /// # Errors
    /// The errno of a failed write (the port or the sequencer is gone).
    pub fn send_midi(
        &mut self,
        port: u8,
        at_ns: Option<u64>,
        channel: u4,
        message: MidiMessage,
    ) -> Result<(), i32> {
        let mut ev = midi_event(channel, message);
        self.send(port, at_ns, &mut ev)
    }

    /// Queues a SysEx message (bytes after `F0`) as [`send_midi`](Self::send_midi)
    /// does; messages longer than [`MAX_SYSEX`] are not sent.
    ///
    /// # Errors
    /// As [`send_midi`](Self::send_midi).
    pub fn send_sysex(&mut self, port: u8, at_ns: Option<u64>, data: &[u8]) -> Result<(), i32> {
        if data.len() > MAX_SYSEX {
            return Ok(());
        }
        self.sysex[0] = 0xF0;
        self.sysex[1..=data.len()].copy_from_slice(data);
        let buf: &[u8] = &self.sysex[..=data.len()];
        let mut ev = Event::new_ext(EventType::Sysex, buf);
        self.send(port, at_ns, &mut ev)
    }

    /// Writes what was queued to the kernel.
    ///
    /// # Errors
    /// As [`send_midi`](Self::send_midi).
    pub fn flush(&self) -> Result<(), i32> {
        self.seq.drain_output().map(|_| ()).map_err(|e| e.errno())
    }

    /// The `port`-th destination, as aplaymidi picks it (`port % count`;
    /// the feed has folded the file's ports already).
    fn dest(&self, port: u8) -> Addr {
        let i = usize::from(port) % self.dests.len().max(1);
        self.dests.get(i).map(PortEntry::addr).unwrap_or_default()
    }

    fn send(&self, port: u8, at_ns: Option<u64>, ev: &mut Event<'_>) -> Result<(), i32> {
        ev.set_source(self.own_port);
        ev.set_dest(self.dest(port));
        let r = match at_ns {
            Some(t) => {
                ev.schedule_real(self.queue, false, std::time::Duration::from_nanos(t));
                self.seq.event_output(ev)
            }
            None => {
                ev.set_direct();
                self.seq.event_output_direct(ev)
            }
        };
        r.map(|_| ()).map_err(|e| e.errno())
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
