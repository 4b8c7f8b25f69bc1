//! The sequencer fuzz target's input format, capacities and driver, shared
//! by `fuzz/fuzz_targets/sequencer.rs` and `tests/tests/sequencer_regressions.rs`
//! so that a regression replays exactly what the fuzzer ran. Not real-time.
//!
//! Input: byte 0 chooses the period (1–4081 frames), byte 1 the number of
//! commands; then 4 bytes per command (period index, operation, two
//! arguments); the rest is the MIDI file.

use smfplay_core::midly::num::u4;
use smfplay_core::sequencer::{Command, LoopRange, SeekTarget, Sequencer, SequencerConfig};
use smfplay_core::smf::{ReaderOptions, SliceSource};
use smfplay_core::synth::Synth;

/// Most periods one input plays (bounded work per input).
pub const MAX_PERIODS: usize = 3000;

/// The fuzz target's capacities: a few tracks, small windows and a small
/// calendar, so that full calendars and over-long payloads are reached.
pub mod capacities {
    /// Tracks the reader merges.
    pub const TRACKS: usize = 16;
    /// Bytes of read-ahead window per track.
    pub const WINDOW: usize = 32;
    /// Longest sysex/meta payload the reader delivers.
    pub const PAYLOAD: usize = 256;
    /// Calendar events.
    pub const EVENTS: usize = 512;
    /// Calendar buckets.
    pub const SLOTS: usize = 64;
    /// Pool blocks (sysex and texts in flight).
    pub const BLOCKS: usize = 8;
    /// Bytes per pool block.
    pub const BLOCK_BYTES: usize = 256;
}

/// The sequencer the fuzz target drives.
pub type FuzzSequencer<'a> = Sequencer<
    SliceSource<'a>,
    { capacities::TRACKS },
    { capacities::WINDOW },
    { capacities::PAYLOAD },
    { capacities::EVENTS },
    { capacities::SLOTS },
    { capacities::BLOCKS },
    { capacities::BLOCK_BYTES },
>;

/// A transport command from an operation byte and two argument bytes.
pub fn command(op: u8, a: u8, b: u8) -> Command {
    let (a64, b64) = (u64::from(a), u64::from(b));
    match op % 12 {
        0 => Command::Play,
        1 => Command::Pause,
        2 => Command::TogglePause,
        3 => Command::Stop,
        4 => Command::Seek(SeekTarget::Tick(a64 * b64 * 37)),
        5 => Command::Seek(SeekTarget::SongFrame(a64 * b64 * 1000)),
        6 => Command::TempoMilli(250 + u32::from(a) * 15),
        7 => Command::Transpose((a % 49) as i8 - 24),
        8 => Command::Mute(u4::new(a & 15), b & 1 == 1),
        9 => Command::Solo(u4::new(a & 15), b & 1 == 1),
        10 => Command::Loop(Some(LoopRange {
            start: a64 * 97,
            end: Some(a64 * 97 + b64 * 13 + 1),
        })),
        _ => Command::Loop(if b & 1 == 1 {
            Some(LoopRange::WHOLE_SONG)
        } else {
            None
        }),
    }
}

/// A decoded fuzz input.
pub struct Script<'a> {
    /// Frames per period.
    pub period: usize,
    /// `(period index, command)`, sorted by period index.
    pub commands: Vec<(u8, Command)>,
    /// The MIDI file.
    pub file: &'a [u8],
}

impl<'a> Script<'a> {
    /// Decodes an input; `None` when it is shorter than two bytes.
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let [p, n, rest @ ..] = data else {
            return None;
        };
        let period = 1 + usize::from(*p) * 16;
        let script_len = (usize::from(*n) * 4).min(rest.len());
        let (script, file) = rest.split_at(script_len);
        let mut commands: Vec<(u8, Command)> = script
            .chunks_exact(4)
            .map(|c| (c[0], command(c[1], c[2], c[3])))
            .collect();
        commands.sort_by_key(|c| c.0);
        Some(Self {
            period,
            commands,
            file,
        })
    }
}

/// What a played script did.
pub struct Played<'a> {
    /// The sequencer after the last period.
    pub sequencer: FuzzSequencer<'a>,
    /// Periods processed.
    pub periods: u64,
    /// Commands given.
    pub commands: u64,
}

/// Plays `script` into `synth` for at most [`MAX_PERIODS`] periods, giving
/// each command before its period (errors of commands and periods are
/// allowed: a fatal reader error ends the song). `None` when the file does
/// not open.
pub fn play<'a>(script: &Script<'a>, synth: &mut impl Synth) -> Option<Played<'a>> {
    let mut seq = FuzzSequencer::open(
        SliceSource::new(script.file),
        ReaderOptions::LENIENT,
        SequencerConfig::new(44_100, script.period as u32),
    )
    .ok()?;
    let (mut l, mut r) = (vec![0.0f32; script.period], vec![0.0f32; script.period]);
    let (mut next, mut periods) = (0, 0u64);
    for i in 0..MAX_PERIODS {
        while next < script.commands.len() && usize::from(script.commands[next].0) <= i {
            let _ = seq.command(synth, script.commands[next].1);
            next += 1;
        }
        if seq.is_finished() {
            break;
        }
        let _ = seq.process(synth, &mut l, &mut r, &mut ());
        periods += 1;
    }
    Some(Played {
        sequencer: seq,
        periods,
        commands: next as u64,
    })
}
