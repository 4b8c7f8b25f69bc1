//! Opening in place (`Sequencer::new` + `reopen`) gives the same
//! `(frame, event)` stream as `Sequencer::open`, also when reopening a
//! sequencer that already played; and a sequencer without loop checkpoint
//! storage (`LOOPS = 0`) ignores loops and plays the song to its end.

use smfplay_core::sequencer::capacities::small::{
    BLOCK_BYTES, BLOCKS, EVENTS, PAYLOAD, SLOTS, TRACKS, WINDOW,
};
use smfplay_core::sequencer::{Command, LoopRange, Sequencer, SequencerConfig};
use smfplay_core::smf::{ReaderOptions, SliceSource};
use smfplay_core::synth::{Synth, SynthEvent};

/// The small board's capacities with or without the loop checkpoint (and
/// the desktop's chase sysex store and voices).
type Seq<'a, const LOOPS: usize> =
    Sequencer<SliceSource<'a>, TRACKS, WINDOW, PAYLOAD, EVENTS, SLOTS, BLOCKS, BLOCK_BYTES, LOOPS>;

const PERIOD: usize = 128;

#[derive(Default)]
struct Log {
    frames: u64,
    events: Vec<(u64, String)>,
}

impl Synth for Log {
    fn apply(&mut self, event: SynthEvent<'_>) {
        let e = match event {
            SynthEvent::Midi {
                port,
                channel,
                message,
            } => format!("{port}:{channel} {message:?}"),
            SynthEvent::SysEx { port, data } => format!("{port}: sysex {data:?}"),
            SynthEvent::Jump { looped } => format!("jump looped={looped}"),
        };
        self.events.push((self.frames, e));
    }
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        left.fill(0.0);
        right.fill(0.0);
        self.frames += left.len() as u64;
    }
}

fn demo() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/demo.mid")).unwrap()
}

fn config() -> SequencerConfig {
    SequencerConfig::new(48_000, PERIOD as u32)
}

fn play<const L: usize>(seq: &mut Seq<'_, L>, max_periods: usize) -> Vec<(u64, String)> {
    let mut synth = Log::default();
    let (mut l, mut r) = ([0.0f32; PERIOD], [0.0f32; PERIOD]);
    for _ in 0..max_periods {
        if seq.is_finished() {
            break;
        }
        seq.process(&mut synth, &mut l, &mut r, &mut ()).unwrap();
    }
    synth.events
}

#[test]
fn reopen_in_place_matches_open() {
    let bytes = demo();
    let mut opened = Box::new(
        Seq::<1>::open(SliceSource::new(&bytes), ReaderOptions::LENIENT, config()).unwrap(),
    );
    let expected = play(&mut opened, usize::MAX);
    assert!(opened.is_finished());
    assert_eq!(expected.len(), 1625);

    let mut seq = Box::new(Seq::<1>::new(SliceSource::new(&bytes)));
    assert!(seq.feed().header().tracks == 0);
    seq.reopen(ReaderOptions::LENIENT, config()).unwrap();
    assert_eq!(play(&mut seq, usize::MAX), expected);

    // Reopen after part of the song, with a loop set and a tempo scale.
    seq.reopen(ReaderOptions::LENIENT, config()).unwrap();
    let mut synth = Log::default();
    seq.command(&mut synth, Command::Loop(Some(LoopRange::WHOLE_SONG)))
        .unwrap();
    seq.command(&mut synth, Command::TempoMilli(1500)).unwrap();
    play(&mut seq, 5000);
    seq.reopen(ReaderOptions::LENIENT, config()).unwrap();
    assert_eq!(seq.feed().looping(), None);
    assert_eq!(play(&mut seq, usize::MAX), expected);
}

#[test]
fn reopen_of_a_damaged_file_leaves_an_empty_song() {
    let bytes = demo();
    let mut seq = Box::new(Seq::<1>::new(SliceSource::new(&bytes[..10])));
    assert!(seq.reopen(ReaderOptions::LENIENT, config()).is_err());
    assert!(play(&mut seq, 100).is_empty());
}

#[test]
fn without_loop_checkpoint_loops_are_ignored() {
    assert!(size_of::<Seq<'static, 0>>() + 4000 < size_of::<Seq<'static, 1>>());
    let bytes = demo();
    let mut seq = Box::new(Seq::<0>::new(SliceSource::new(&bytes)));
    seq.reopen(ReaderOptions::LENIENT, config()).unwrap();
    let mut synth = Log::default();
    seq.command(&mut synth, Command::Loop(Some(LoopRange::WHOLE_SONG)))
        .unwrap();
    assert_eq!(seq.feed().looping(), None);
    let log = play(&mut seq, 1_000_000);
    assert!(seq.is_finished());
    assert_eq!(log.len(), 1625);
    assert_eq!(seq.feed().stats().loops, 0);
}
