//! What the firmware and the host test (`tests/tests/firmware_checksum.rs`)
//! share: the capacities a small board chooses (the core's
//! `capacities::small`), the sample rate and period,
//! the checksum of the `(frame, event)` stream, and the loop that plays a
//! file period by period. `no_std`, no heap; depends on `smfplay-core` and
//! `midly` only.
//!
//! # The checksum
//!
//! FNV-1a 64 (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`),
//! folded over every event the sequencer applies to the synth, in order:
//! first the event's frame (frames rendered before it, counted from the
//! start of playback) as a `u64` little-endian, then the event in MIDI wire
//! form: a channel message as its status byte (`kind << 4 | channel`)
//! and its one or two data bytes (pitch bend: LSB then MSB); a system
//! exclusive message as `F0` followed by the bytes the synth gets (which
//! normally end with `F7`). No running status.

use midly::MidiMessage;
use smfplay_core::sequencer::Sequencer;
use smfplay_core::smf::{ByteSource, Error};
use smfplay_core::synth::{Synth, SynthEvent};

/// Output sample rate.
pub const SAMPLE_RATE: u32 = 48_000;
/// Frames per period (2.7 ms at 48 kHz).
pub const PERIOD: usize = 128;

/// The small board's capacities (`TRACKS`, `WINDOW`, … `VOICES`) and
/// `SmallSequencer`: the core's preset, named where it is defined.
pub use smfplay_core::sequencer::capacities::small::*;

/// FNV-1a, 64 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a(pub u64);

impl Fnv1a {
    /// The offset basis.
    pub const fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    /// Folds bytes in.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

/// A channel message in wire form: status byte and data bytes, and how many
/// of the three bytes are used.
pub fn midi_wire(channel: u8, message: MidiMessage) -> ([u8; 3], usize) {
    let ch = channel & 0x0F;
    match message {
        MidiMessage::NoteOff { key, vel } => ([0x80 | ch, key.as_int(), vel.as_int()], 3),
        MidiMessage::NoteOn { key, vel } => ([0x90 | ch, key.as_int(), vel.as_int()], 3),
        MidiMessage::Aftertouch { key, vel } => ([0xA0 | ch, key.as_int(), vel.as_int()], 3),
        MidiMessage::Controller { controller, value } => {
            ([0xB0 | ch, controller.as_int(), value.as_int()], 3)
        }
        MidiMessage::ProgramChange { program } => ([0xC0 | ch, program.as_int(), 0], 2),
        MidiMessage::ChannelAftertouch { vel } => ([0xD0 | ch, vel.as_int(), 0], 2),
        MidiMessage::PitchBend { bend } => {
            let v = bend.0.as_int();
            ([0xE0 | ch, (v & 0x7F) as u8, (v >> 7) as u8], 3)
        }
    }
}

/// The checksum state over a stream of `(frame, event)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamSum {
    /// The hash so far.
    pub hash: Fnv1a,
    /// Events folded in.
    pub events: u32,
    /// Frame of the last event (0 if none).
    pub last_frame: u64,
}

impl StreamSum {
    /// Nothing folded in yet.
    pub const fn new() -> Self {
        Self {
            hash: Fnv1a::new(),
            events: 0,
            last_frame: 0,
        }
    }

    /// Folds a channel message at `frame`.
    pub fn midi(&mut self, frame: u64, channel: u8, message: MidiMessage) {
        let (bytes, n) = midi_wire(channel, message);
        self.frame(frame);
        self.hash.write(&bytes[..n]);
    }

    /// Folds a system exclusive message (bytes after `F0`) at `frame`.
    pub fn sysex(&mut self, frame: u64, data: &[u8]) {
        self.frame(frame);
        self.hash.write(&[0xF0]);
        self.hash.write(data);
    }

    fn frame(&mut self, frame: u64) {
        self.hash.write(&frame.to_le_bytes());
        self.events = self.events.wrapping_add(1);
        self.last_frame = frame;
    }
}

impl Default for StreamSum {
    fn default() -> Self {
        Self::new()
    }
}

/// A synth that renders silence and folds every applied event, with the
/// frame it lands on, into a [`StreamSum`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ChecksumSynth {
    /// Frames rendered so far.
    pub frames: u64,
    /// The checksum.
    pub sum: StreamSum,
}

impl Synth for ChecksumSynth {
    fn apply(&mut self, event: SynthEvent<'_>) {
        match event {
            SynthEvent::Midi {
                channel, message, ..
            } => self.sum.midi(self.frames, channel.as_int(), message),
            SynthEvent::SysEx { data, .. } => self.sum.sysex(self.frames, data),
            // A marker, not a message: the sum covers what a synth hears.
            SynthEvent::Jump { .. } => {}
        }
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        left.fill(0.0);
        right.fill(0.0);
        self.frames += left.len().min(right.len()) as u64;
    }
}

/// What playing a song gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Events applied, frame of the last one, checksum.
    pub sum: StreamSum,
    /// Frames rendered (whole periods).
    pub frames: u64,
    /// Periods processed.
    pub periods: u32,
    /// Events applied after their frame (0 when the capacities suffice).
    pub late: u64,
    /// Events the feed read from the file.
    pub read: u64,
    /// Sysex messages and texts the feed dropped (pool full or too long).
    pub dropped: u32,
    /// Non-fatal reader errors.
    pub read_errors: u32,
    /// Notes not played because `VOICES` notes sounded (0 when the
    /// capacities suffice).
    pub notes_over_capacity: u64,
}

/// Plays a whole song in periods of `left.len()` frames (`right` as long;
/// at most `max_periods` of them) and returns what the checksum synth saw.
/// An error that ends the song (fatal reader error) is returned; non-fatal
/// ones are counted.
#[allow(clippy::type_complexity)]
pub fn play<
    S: ByteSource,
    const T: usize,
    const W: usize,
    const P: usize,
    const E: usize,
    const SL: usize,
    const B: usize,
    const BB: usize,
    const L: usize,
    const C: usize,
    const V: usize,
>(
    seq: &mut Sequencer<S, T, W, P, E, SL, B, BB, L, C, V>,
    left: &mut [f32],
    right: &mut [f32],
    max_periods: u32,
) -> Result<Outcome, Error> {
    let mut synth = ChecksumSynth::default();
    let mut periods = 0u32;
    let mut fatal = None;
    while !seq.is_finished() && periods < max_periods {
        if let Err(e) = seq.process(&mut synth, left, right, &mut ())
            && e.severity == smfplay_core::smf::Severity::Fatal
        {
            fatal = Some(e);
        }
        periods += 1;
    }
    if let Some(e) = fatal {
        return Err(e);
    }
    let feed = seq.feed().stats();
    Ok(Outcome {
        sum: synth.sum,
        frames: synth.frames,
        periods,
        late: seq.player().stats().late,
        notes_over_capacity: seq.player().stats().notes_over_capacity,
        read: feed.events,
        dropped: feed.sysex_dropped + feed.texts_dropped,
        read_errors: feed.read_errors,
    })
}
