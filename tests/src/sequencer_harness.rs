//! Runs the core sequencer over a file with a recording synth, and computes
//! the `(frame, event)` log a correct sequencer must produce, independently
//! (midly's parse + the exact tempo map), for the sequencer tests.

use midly::{MetaMessage, Timing, TrackEventKind};
use smfplay_core::sequencer::{Command, Notice, Observer, Position, Sequencer, SequencerConfig};
use smfplay_core::smf::{ReaderOptions, SliceSource};
use smfplay_core::tempo::TempoMap;

use crate::recording_synth::{Logged, RecordingSynth};
use crate::reference;

/// The capacities a desktop player would choose (names as in
/// `smfplay_core::sequencer::capacities`).
pub mod desktop {
    /// Tracks the reader merges.
    pub const TRACKS: usize = 64;
    /// Bytes of read-ahead window per track.
    pub const WINDOW: usize = 256;
    /// Longest sysex/meta payload the reader delivers.
    pub const PAYLOAD: usize = 4096;
    /// Calendar events.
    pub const EVENTS: usize = 8192;
    /// Calendar buckets.
    pub const SLOTS: usize = 256;
    /// Pool blocks (sysex and texts in flight).
    pub const BLOCKS: usize = 64;
    /// Bytes per pool block.
    pub const BLOCK_BYTES: usize = 1024;
}

/// Tiny capacities, to reach full calendars and pools.
pub mod tiny {
    /// Tracks the reader merges.
    pub const TRACKS: usize = 16;
    /// Bytes of read-ahead window per track.
    pub const WINDOW: usize = 16;
    /// Longest sysex/meta payload the reader delivers.
    pub const PAYLOAD: usize = 64;
    /// Calendar events: three.
    pub const EVENTS: usize = 3;
    /// Calendar buckets.
    pub const SLOTS: usize = 2;
    /// Pool blocks: two.
    pub const BLOCKS: usize = 2;
    /// Bytes per pool block.
    pub const BLOCK_BYTES: usize = 16;
}

/// The sequencer at [`desktop`] capacities.
pub type TestSequencer<'a> = Sequencer<
    SliceSource<'a>,
    { desktop::TRACKS },
    { desktop::WINDOW },
    { desktop::PAYLOAD },
    { desktop::EVENTS },
    { desktop::SLOTS },
    { desktop::BLOCKS },
    { desktop::BLOCK_BYTES },
>;
/// The sequencer at [`tiny`] capacities.
pub type TinySequencer<'a> = Sequencer<
    SliceSource<'a>,
    { tiny::TRACKS },
    { tiny::WINDOW },
    { tiny::PAYLOAD },
    { tiny::EVENTS },
    { tiny::SLOTS },
    { tiny::BLOCKS },
    { tiny::BLOCK_BYTES },
>;

/// Collects notices.
#[derive(Default, Debug)]
pub struct Notices(pub Vec<(u64, String)>);

/// A recording observer that knows the absolute output frame.
pub struct FrameObserver<'a> {
    /// Output frame of the period start.
    pub base: u64,
    /// Where notices go.
    pub out: &'a mut Notices,
}

impl Observer for FrameObserver<'_> {
    fn notice(&mut self, offset: u32, notice: Notice<'_>) {
        let text = match notice {
            Notice::Text(kind, bytes) => format!("{kind:?}:{}", String::from_utf8_lossy(bytes)),
            other => format!("{other:?}"),
        };
        self.out.0.push((self.base + u64::from(offset), text));
    }
}

/// What a run produced.
pub struct Run {
    /// The synth with its log.
    pub synth: RecordingSynth,
    /// Notices with absolute output frames.
    pub notices: Notices,
    /// Positions sampled at the end of each period (output frame, position).
    pub positions: Vec<Position>,
    /// Player counters at the end.
    pub late: u64,
}

/// Plays `bytes` with `period`-frame periods at `rate` for at most
/// `max_frames` frames (or until the song ends), giving each command to the
/// sequencer at the start of the first period at or after its frame.
pub fn run(
    bytes: &[u8],
    rate: u32,
    period: usize,
    max_frames: u64,
    commands: &[(u64, Command)],
) -> Run {
    let bytes = bytes.to_vec();
    let commands = commands.to_vec();
    crate::our_reader::with_big_stack(move || {
        let mut seq = Box::new(
            TestSequencer::open(
                SliceSource::new(&bytes),
                ReaderOptions::LENIENT,
                SequencerConfig::new(rate, period as u32),
            )
            .expect("open"),
        );
        drive(&mut *seq, period, max_frames, &commands, |s| {
            s.player().stats().late
        })
    })
}

/// Same with the tiny capacities.
pub fn run_tiny(bytes: &[u8], rate: u32, period: usize, max_frames: u64) -> Run {
    let bytes = bytes.to_vec();
    crate::our_reader::with_big_stack(move || {
        let mut seq = TinySequencer::open(
            SliceSource::new(&bytes),
            ReaderOptions::LENIENT,
            SequencerConfig::new(rate, period as u32),
        )
        .expect("open");
        drive(&mut seq, period, max_frames, &[], |s| {
            s.player().stats().late
        })
    })
}

trait Drivable {
    fn step(
        &mut self,
        synth: &mut RecordingSynth,
        l: &mut [f32],
        r: &mut [f32],
        o: &mut FrameObserver<'_>,
    );
    fn cmd(&mut self, synth: &mut RecordingSynth, c: Command);
    fn finished(&self) -> bool;
    fn pos(&self) -> Position;
}

impl<
    const T: usize,
    const W: usize,
    const P: usize,
    const E: usize,
    const SL: usize,
    const B: usize,
    const BB: usize,
> Drivable for Sequencer<SliceSource<'_>, T, W, P, E, SL, B, BB>
{
    fn step(
        &mut self,
        synth: &mut RecordingSynth,
        l: &mut [f32],
        r: &mut [f32],
        o: &mut FrameObserver<'_>,
    ) {
        // Damage is reported, not fatal, for the generated files.
        let _ = self.process(synth, l, r, o);
    }
    fn cmd(&mut self, synth: &mut RecordingSynth, c: Command) {
        self.command(synth, c).expect("command");
    }
    fn finished(&self) -> bool {
        self.is_finished()
    }
    fn pos(&self) -> Position {
        self.position()
    }
}

fn drive<D: Drivable>(
    seq: &mut D,
    period: usize,
    max_frames: u64,
    commands: &[(u64, Command)],
    late: impl Fn(&D) -> u64,
) -> Run {
    let mut synth = RecordingSynth::default();
    let mut notices = Notices::default();
    let mut positions = Vec::new();
    let (mut l, mut r) = (vec![0.0f32; period], vec![0.0f32; period]);
    let mut frame = 0u64;
    let mut next_cmd = 0;
    while frame < max_frames && !seq.finished() {
        while next_cmd < commands.len() && commands[next_cmd].0 <= frame {
            seq.cmd(&mut synth, commands[next_cmd].1);
            next_cmd += 1;
        }
        let mut obs = FrameObserver {
            base: frame,
            out: &mut notices,
        };
        seq.step(&mut synth, &mut l, &mut r, &mut obs);
        frame += period as u64;
        positions.push(seq.pos());
    }
    let late = late(seq);
    Run {
        synth,
        notices,
        positions,
        late,
    }
}

/// The log a correct sequencer produces for `bytes` at `rate` with no
/// transport commands: every channel event and sysex at the floor of its
/// exact time, in merged order (computed from midly's parse and the tempo
/// map, which has its own exactness test).
pub fn expected_log(bytes: &[u8], rate: u32) -> Vec<(u64, Logged)> {
    let parsed = reference::parse(bytes).expect("midly parses the file");
    let timing: Timing = parsed.smf.header.timing;
    let mut tempo = TempoMap::new(timing, rate);
    let mut out = Vec::new();
    for e in &parsed.events {
        let frame = tempo.frame_at(e.tick);
        match e.kind {
            TrackEventKind::Midi { channel, message } => {
                out.push((frame, Logged::Midi(channel.as_int(), message)))
            }
            TrackEventKind::SysEx(d) => out.push((frame, Logged::SysEx(d.to_vec()))),
            TrackEventKind::Meta(MetaMessage::Tempo(t)) => {
                tempo.set_tempo(e.tick, t.as_int());
            }
            _ => {}
        }
    }
    out
}
