//! The sequencer's two halves run apart, as the host's `play` runs them on
//! two threads: the feed writes into a queue (an `EventSink` that copies
//! payloads out of a small staging pool), the audio side moves the queue
//! into its own `Player` each period, and seeks go through
//! `Feed::rescan` + `Player::set_position` + `Feed::resume_at`.
//! The `(frame, event)` log, the notices and the rendered stream must equal
//! the single-threaded `Sequencer`'s, whatever the feed's look-ahead.

use std::collections::VecDeque;

use smfplay_core::sched::{EventPool, Full, PoolError, PoolHandle};
use smfplay_core::sequencer::{
    Command, EventSink, Feed, MAX_FEED_EVENTS_PER_PERIOD, Player, SeekPlan, SeekTarget, SongEvent,
};
use smfplay_core::smf::{ReaderOptions, SliceSource};
use smfplay_tests::fixtures;
use smfplay_tests::recording_synth::RecordingSynth;
use smfplay_tests::sequencer_harness::{FrameObserver, Notices, desktop, run};

const RATE: u32 = 48_000;
const PERIOD: usize = 256;

/// What crosses the queue.
enum Item {
    Event(u64, SongEvent, Option<Vec<u8>>),
    Reposition(u64, SeekPlan),
}

/// The feed's side of the queue.
struct Forward {
    staging: EventPool<8, 1024>,
    queue: VecDeque<Item>,
    capacity: usize,
}

impl EventSink for Forward {
    fn schedule(&mut self, tl: u64, item: SongEvent) -> Result<(), Full<SongEvent>> {
        if self.queue.len() >= self.capacity {
            return Err(Full(item));
        }
        let payload = match item {
            SongEvent::SysEx { handle: h, .. } | SongEvent::Text(_, h) => {
                let bytes = self.staging.get(h).expect("live handle").to_vec();
                self.staging.free(h).expect("free");
                Some(bytes)
            }
            _ => None,
        };
        self.queue.push_back(Item::Event(tl, item, payload));
        Ok(())
    }
    fn alloc_payload(&mut self, bytes: &[u8]) -> Result<PoolHandle, PoolError> {
        self.staging.alloc(bytes)
    }
    fn free_payload(&mut self, handle: PoolHandle) {
        let _ = self.staging.free(handle);
    }
}

type TestPlayer =
    Player<{ desktop::EVENTS }, { desktop::SLOTS }, { desktop::BLOCKS }, { desktop::BLOCK_BYTES }>;
type TestFeed<'a> =
    Feed<SliceSource<'a>, { desktop::TRACKS }, { desktop::WINDOW }, { desktop::PAYLOAD }>;

/// Moves everything queued into the player.
fn deliver(queue: &mut VecDeque<Item>, player: &mut TestPlayer) {
    while let Some(item) = queue.pop_front() {
        match item {
            Item::Event(tl, mut item, payload) => {
                if let Some(bytes) = payload {
                    let h = player.alloc_payload(&bytes).expect("player pool");
                    match &mut item {
                        SongEvent::SysEx { handle: old, .. } | SongEvent::Text(_, old) => *old = h,
                        _ => unreachable!(),
                    }
                }
                player.schedule(tl, item).expect("calendar room");
            }
            Item::Reposition(at, plan) => {
                player.clear_scheduled();
                player.set_position(
                    at,
                    plan.tick,
                    plan.song_frame,
                    plan.us_per_quarter,
                    plan.signature,
                );
            }
        }
    }
}

/// Runs the split halves; `lookahead` is how far ahead (timeline frames)
/// the feed stays; `queue_capacity` bounds the queue. Returns the synth and
/// the notices.
fn run_split(
    bytes: &[u8],
    lookahead: u64,
    queue_capacity: usize,
    commands: &[(u64, Command)],
    max_frames: u64,
) -> (RecordingSynth, Notices) {
    let bytes = bytes.to_vec();
    let commands = commands.to_vec();
    smfplay_tests::our_reader::with_big_stack(move || {
        let mut feed: Box<TestFeed<'_>> = Box::new(
            Feed::open(SliceSource::new(&bytes), ReaderOptions::LENIENT, RATE).expect("open"),
        );
        let bucket_log2 = (PERIOD as u32).trailing_zeros();
        let mut player: Box<TestPlayer> =
            Box::new(Player::new(feed.header().timing, RATE, bucket_log2));
        let mut fwd = Forward {
            staging: EventPool::new(),
            queue: VecDeque::new(),
            capacity: queue_capacity,
        };
        let mut synth = RecordingSynth::default();
        let mut notices = Notices::default();
        let (mut l, mut r) = (vec![0.0f32; PERIOD], vec![0.0f32; PERIOD]);
        let mut frame = 0u64;
        let mut next_cmd = 0;
        loop {
            while next_cmd < commands.len() && commands[next_cmd].0 <= frame {
                match commands[next_cmd].1 {
                    Command::Seek(target) => {
                        // The feed side: rescan, then mark the queue and
                        // resume at the play head.
                        let plan = feed.rescan(target).expect("rescan");
                        let at = player.timeline_now();
                        fwd.queue.push_back(Item::Reposition(at, plan));
                        feed.resume_at(&mut fwd, at, &plan);
                    }
                    other => panic!("not used here: {other:?}"),
                }
                next_cmd += 1;
            }
            let horizon = player.timeline_after(PERIOD as u64) + lookahead;
            let _ = feed.fill(&mut fwd, horizon, MAX_FEED_EVENTS_PER_PERIOD);
            deliver(&mut fwd.queue, &mut player);
            if frame >= max_frames || (player.is_ended() && feed.is_done()) {
                break;
            }
            let mut obs = FrameObserver {
                base: frame,
                out: &mut notices,
            };
            player.process(&mut synth, &mut l, &mut r, &mut obs);
            frame += PERIOD as u64;
        }
        (synth, notices)
    })
}

fn check(name: &str, bytes: &[u8], commands: &[(u64, Command)]) {
    let max = 48_000 * 120;
    let single = run(bytes, RATE, PERIOD, max, commands);
    for (lookahead, cap) in [(PERIOD as u64, 100_000), (48_000, 100_000), (1024, 512)] {
        let (synth, notices) = run_split(bytes, lookahead, cap, commands, max);
        let first_diff = synth
            .log
            .iter()
            .zip(&single.synth.log)
            .position(|(a, b)| a != b);
        assert!(
            first_diff.is_none() && synth.log.len() == single.synth.log.len(),
            "{name}: event log differs (look-ahead {lookahead}, queue {cap}) at entry {first_diff:?}: {:?} vs {:?}",
            first_diff.map(|i| &synth.log[i]),
            first_diff.map(|i| &single.synth.log[i]),
        );
        assert_eq!(
            synth.frames, single.synth.frames,
            "{name}: length differs (look-ahead {lookahead})"
        );
        assert_eq!(
            notices.0, single.notices.0,
            "{name}: notices differ (look-ahead {lookahead})"
        );
    }
}

#[test]
fn split_halves_play_like_the_sequencer() {
    for (name, bytes) in [
        ("format0_basic", fixtures::format0_basic()),
        ("format1_multitrack", fixtures::format1_multitrack()),
        ("sysex_mix", fixtures::sysex_mix(700)),
        ("all_meta_kinds", fixtures::all_meta_kinds()),
        ("tempo_heavy", fixtures::tempo_heavy(300)),
        ("dense_16ch", fixtures::dense_16ch(4)),
    ] {
        check(name, &bytes, &[]);
    }
}

#[test]
fn split_halves_seek_like_the_sequencer() {
    let bytes = fixtures::dense_16ch(6);
    let seeks = [
        (48_000 * 2, Command::Seek(SeekTarget::SongFrame(48_000 * 4))),
        (48_000 * 3, Command::Seek(SeekTarget::Tick(480))),
    ];
    check("dense_16ch seeks", &bytes, &seeks);
    let bytes = fixtures::sysex_mix(700);
    check(
        "sysex_mix seek",
        &bytes,
        &[(2048, Command::Seek(SeekTarget::Tick(960)))],
    );
}
