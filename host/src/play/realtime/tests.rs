//! Unit tests of the audio thread's engine: the steady-state audio loop
//! allocates nothing (a counting global allocator watches the audio
//! thread), and load shedding steps down and back up.
//!
//! *Real-time*: tests; they run the engine on threads of their own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::Ordering;

use midly::num::u4;
use smfplay_core::audio::PeriodBuffer;
use smfplay_core::sequencer::{Command, SeekTarget, SequencerConfig};

use super::alsa_output::{AlsaOutput, Lost, Output, PcmFormat, Samples};
use super::any_feed::AnyFeed;
use super::engine::{Engine, EngineConfig, EngineParts, SongParts};
use super::feeder;
use super::messages::{AudioCmd, Report};
use super::output_buffer::OutputBuffer;
use super::play_status::PlayStatus;
use super::queues::PlayQueues;
use super::snapshot::Snapshot;
use crate::capacities::HostPlayer;
use crate::fluid::{FluidOptions, FluidSynth};
use crate::midi_input::MidiInput;
use crate::play::MAX_PERIOD;

/// Counts allocations made by threads that asked to be watched.
struct Counting;

thread_local! {
    // Per thread, so tests running side by side do not count each other.
    static WATCHED: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn note() {
    if WATCHED.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCS.try_with(|a| a.set(a.get() + 1));
    }
}

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

// SAFETY: forwards to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        note();
        // SAFETY: a block this allocator (the system's) gave, passed on.
        unsafe { System.realloc(ptr, layout, new) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        // SAFETY: a block this allocator (the system's) gave, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// An output that accepts everything (no device needed).
struct NullOutput(u64);

impl Output for NullOutput {
    fn write(&mut self, samples: Samples<'_>) -> Result<u32, Lost> {
        self.0 += samples.frames() as u64;
        Ok(0)
    }
    fn delay(&mut self) -> Option<i64> {
        Some(0)
    }
    fn drain(&mut self) {}
    fn restart(&mut self) {}
}

/// Which output the counted loop writes to (made on the audio thread: an
/// ALSA writer cannot cross threads).
enum Spec<'a> {
    Fake,
    Alsa(&'a mut AlsaOutput),
}

impl Output for Box<dyn Output + '_> {
    fn write(&mut self, samples: Samples<'_>) -> Result<u32, Lost> {
        (**self).write(samples)
    }
    fn delay(&mut self) -> Option<i64> {
        (**self).delay()
    }
    fn drain(&mut self) {
        (**self).drain()
    }
    fn restart(&mut self) {
        (**self).restart()
    }
}

fn synth(rate: u32) -> FluidSynth {
    let sf = crate::soundfont::find(None)
        .expect("a General MIDI SoundFont (scripts/setup installs timgm6mb-soundfont)");
    let mut s = FluidSynth::new(&FluidOptions {
        sample_rate: rate,
        gain: 0.4,
        reverb: true,
        chorus: true,
        polyphony: None,
        lazy_samples: false,
    })
    .expect("synth");
    s.load_soundfont(&sf).expect("soundfont");
    s
}

/// Runs the real feeder thread and the audio engine over the dense
/// fixture; counts the audio thread's allocations over `counted` periods
/// after `warm` periods, while commands, a seek and report requests flow.
fn count_allocations(spec: Spec<'_>, period: usize, format: PcmFormat) -> (u64, u64) {
    // The player is large: build it on a thread with room for it.
    std::thread::scope(|sc| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(sc, move || count_allocations_inner(spec, period, format))
            .expect("spawn")
            .join()
            .expect("test thread")
    })
}

/// The engine's settings in these tests: full volume, effects on, no end.
fn full_volume_config(period: usize, rate: u32) -> EngineConfig {
    EngineConfig {
        period,
        rate,
        volume: 1.0,
        end_song_frame: None,
        stall: None,
        reverb: true,
        chorus: true,
    }
}

fn count_allocations_inner(spec: Spec<'_>, period: usize, format: PcmFormat) -> (u64, u64) {
    let rate = 48_000;
    let path =
        std::env::temp_dir().join(format!("smfplay-alloc-{}-{period}.mid", std::process::id()));
    std::fs::write(&path, smfplay_tests::fixtures::dense_16ch(30)).expect("write fixture");
    let mut synth = synth(rate);
    let mut feed = AnyFeed::open(MidiInput::open(&path).expect("open"), false, rate).expect("feed");
    let _ = std::fs::remove_file(&path);
    let bucket_log2 = SequencerConfig::new(rate, period as u32).bucket_log2;
    let mut player = Box::new(HostPlayer::new(feed.header().timing, rate, bucket_log2));
    let mut queues = PlayQueues::new();
    let (feeder_ends, queues, mut ctrl) = queues.split();
    let shared = PlayStatus::new();
    let mut buf: Box<PeriodBuffer<MAX_PERIOD, 2>> = Box::new(PeriodBuffer::new());
    let out_buf = OutputBuffer::new(format, period);
    let cfg = full_volume_config(period, rate);
    let (warm, counted) = (300u64, 3000u64);
    std::thread::scope(|sc| {
        let shared = &shared;
        let feed = &mut feed;
        let feeder = sc.spawn(move || feeder::run(feed, feeder_ends, shared, 0.25, rate, period));
        while !shared.primed.load(Ordering::Acquire) {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let (player, buf, synth) = (&mut *player, &mut *buf, &mut synth);
        let audio = sc.spawn(move || {
            let out: Box<dyn Output> = match spec {
                Spec::Fake => Box::new(NullOutput(0)),
                Spec::Alsa(o) => Box::new(o.writer().expect("writer")),
            };
            let parts = EngineParts {
                synth,
                song: SongParts {
                    player,
                    queues,
                    status: shared,
                    buf,
                    out_buf,
                    config: cfg,
                },
            };
            let mut engine = Engine::new(out, parts);
            shared.started.store(true, Ordering::Release);
            for _ in 0..warm {
                assert!(engine.period().is_none());
            }
            // The counter sees this thread's allocations.
            let probe = allocs();
            WATCHED.with(|w| w.set(true));
            drop(std::hint::black_box(Box::new(7u8)));
            assert_eq!(allocs(), probe + 2, "the counter does not work");
            let before = allocs();
            for _ in 0..counted {
                assert!(
                    engine.period().is_none(),
                    "the song ended or the device was lost"
                );
                // Pace loosely so the feeder keeps up, as a device would.
                std::thread::yield_now();
            }
            WATCHED.with(|w| w.set(false));
            let after = allocs();
            (after - before, engine.histogram().count())
        });
        // Control side: commands, a seek and report requests while counting.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let _ = ctrl.commands.enqueue(AudioCmd::Volume(0.8));
        let _ = ctrl.commands.enqueue(AudioCmd::Effects(false));
        let _ = ctrl
            .commands
            .enqueue(AudioCmd::Transport(Command::TempoMilli(1100)));
        let _ = ctrl
            .commands
            .enqueue(AudioCmd::Transport(Command::Mute(u4::new(3), true)));
        let _ = ctrl.snap_requests.enqueue(Box::new(Snapshot::new()));
        let _ = ctrl.seeks.enqueue(SeekTarget::SongFrame(48_000 * 10));
        let mut snaps = 0;
        while !audio.is_finished() {
            while ctrl.reports.dequeue().is_some() {}
            while ctrl.snap_replies.dequeue().is_some() {
                snaps += 1;
                let _ = ctrl.snap_requests.enqueue(Box::new(Snapshot::new()));
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let result = audio.join().expect("audio thread");
        shared.stop_feeder.store(true, Ordering::Release);
        feeder.join().expect("feeder");
        assert!(snaps > 0, "no report was answered");
        result
    })
}

#[test]
fn steady_state_audio_loop_allocates_nothing_fake_output() {
    let (allocs, periods) = count_allocations(Spec::Fake, 256, PcmFormat::S16);
    assert!(periods >= 3300);
    assert_eq!(
        allocs, 0,
        "the audio loop allocated {allocs} times in 3000 periods"
    );
}

#[test]
fn steady_state_audio_loop_allocates_nothing_alsa_null_device() {
    // ALSA's `null` PCM (always defined by alsa.conf): the real write path.
    let mut out = AlsaOutput::open("null", 48_000, 128, 2, crate::cli::SampleFormat::F32, false)
        .expect("ALSA null device");
    let n = out.negotiated();
    let (allocs, _) = count_allocations(Spec::Alsa(&mut out), n.period, n.format);
    assert_eq!(
        allocs, 0,
        "the audio loop allocated {allocs} times in 3000 periods"
    );
}

/// A synth that renders silence and keeps the shedding settings it is given.
struct SheddingSynth {
    polyphony: u32,
    effects: (bool, bool),
}

impl smfplay_core::synth::Synth for SheddingSynth {
    fn apply(&mut self, _: smfplay_core::synth::SynthEvent<'_>) {}
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        left.fill(0.0);
        right.fill(0.0);
    }
}

impl super::synth_control::SynthControl for SheddingSynth {
    fn polyphony(&self) -> u32 {
        self.polyphony
    }
    fn set_polyphony(&mut self, voices: u32) {
        self.polyphony = voices;
    }
    fn set_effects(&mut self, reverb: bool, chorus: bool) {
        self.effects = (reverb, chorus);
    }
}

impl crate::release_tail::VoiceCount for SheddingSynth {
    fn active_voices(&self) -> u32 {
        0
    }
}

/// A clock that says each period's work took what the test sets, whatever
/// the machine does: the engine reads it when the work starts and when it
/// is done, and between periods a period's length goes by.
struct ScriptedClock {
    now: std::time::Instant,
    started: bool,
    work: std::rc::Rc<Cell<std::time::Duration>>,
    period: std::time::Duration,
}

impl super::work_clock::WorkClock for ScriptedClock {
    fn now(&mut self) -> std::time::Instant {
        if self.started {
            // Work done: the scripted time after the start.
            self.started = false;
            let done = self.now + self.work.get();
            self.now += self.period;
            done
        } else {
            self.started = true;
            self.now
        }
    }
}

/// Work at or above 80 % of the budget for 8 periods in a row sheds a step
/// (polyphony halved, quartered, then reverb and chorus off); 2 s of work
/// at or under 40 % in a row restores a step; each step is reported. The
/// work is scripted, so the steps are exact on any machine.
#[test]
fn load_shedding_steps_down_and_back_up() {
    use super::shedder::{SHED_COOL_MS, SHED_HOT_PERIODS, ShedState};
    use std::time::Duration;
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let (rate, period) = (48_000u32, 256usize);
            let budget_ns = period as u64 * 1_000_000_000 / u64::from(rate); // 5.33 ms
            let percent = |p: u64| Duration::from_nanos(budget_ns * p / 100);
            let cool_needed = SHED_COOL_MS * 1_000_000 / budget_ns;
            assert_eq!(cool_needed, 375, "2 s of 256-frame periods");
            let mut synth = SheddingSynth {
                polyphony: 256,
                effects: (true, true),
            };
            let timing = midly::Timing::Metrical(midly::num::u15::new(480));
            let mut player = Box::new(HostPlayer::new(timing, rate, 8));
            let mut queues = PlayQueues::new();
            let (_feeder_ends, queues, mut ctrl) = queues.split();
            let shared = PlayStatus::new();
            let mut buf: Box<PeriodBuffer<MAX_PERIOD, 2>> = Box::new(PeriodBuffer::new());
            let cfg = full_volume_config(period, rate);
            let work = std::rc::Rc::new(Cell::new(Duration::ZERO));
            let clock = ScriptedClock {
                now: std::time::Instant::now(),
                started: false,
                work: work.clone(),
                period: Duration::from_nanos(budget_ns),
            };
            let parts = EngineParts {
                synth: &mut synth,
                song: SongParts {
                    player: &mut player,
                    queues,
                    status: &shared,
                    buf: &mut buf,
                    out_buf: OutputBuffer::new(PcmFormat::S16, period),
                    config: cfg,
                },
            };
            let mut engine = Engine::with_clock(clock, NullOutput(0), parts);
            let level = || shared.shed_level.load(Ordering::Relaxed);
            // Runs `n` periods of `p` % work; the level after each.
            let mut run = |p: u64, n: u64| -> Vec<u8> {
                work.set(percent(p));
                (0..n)
                    .map(|_| {
                        assert!(engine.period().is_none());
                        level()
                    })
                    .collect()
            };
            let hot = u64::from(SHED_HOT_PERIODS);
            // 7 hot periods, one at 60 % (neither hot nor cool): the count
            // starts again.
            assert_eq!(run(90, hot - 1), vec![0; 7]);
            assert_eq!(run(60, 1), [0]);
            assert_eq!(run(90, hot - 1), vec![0; 7]);
            // The 8th hot period in a row sheds; each 8 more shed again,
            // down to level 3, and no further.
            assert_eq!(run(90, 1), [1]);
            assert_eq!(run(85, hot), [1, 1, 1, 1, 1, 1, 1, 2]);
            assert_eq!(run(100, hot), [2, 2, 2, 2, 2, 2, 2, 3]);
            assert!(run(150, 10 * hot).iter().all(|&l| l == 3));
            // Cool: 374 periods at 40 % keep level 3; one hot period
            // starts the count again.
            assert!(run(40, cool_needed - 1).iter().all(|&l| l == 3));
            assert_eq!(run(90, 1), [3]);
            // Then each 375 cool periods in a row restore one step.
            for expected in [2u8, 1, 0] {
                let levels = run(10, cool_needed);
                assert!(
                    levels[..levels.len() - 1]
                        .iter()
                        .all(|&l| l == expected + 1)
                );
                assert_eq!(levels.last(), Some(&expected));
            }
            assert!(run(0, cool_needed).iter().all(|&l| l == 0));
            // The work recorded is the scripted work.
            let hist = engine.histogram();
            assert_eq!(hist.count(), 16 + 8 + 8 + 80 + 375 + 4 * 375);
            assert_eq!(hist.max(), Some(budget_ns * 150 / 100));
            drop(engine);
            let mut steps = Vec::new();
            while let Some(r) = ctrl.reports.dequeue() {
                if let Report::Shed(level, state) = r {
                    steps.push((level, state));
                }
            }
            let st = |polyphony, fx| ShedState {
                polyphony,
                reverb: fx,
                chorus: fx,
            };
            assert_eq!(
                steps,
                [
                    (1, st(128, true)),
                    (2, st(64, true)),
                    (3, st(64, false)),
                    (2, st(64, true)),
                    (1, st(128, true)),
                    (0, st(256, true)),
                ]
            );
            assert_eq!((synth.polyphony, synth.effects), (256, (true, true)));
        })
        .unwrap()
        .join()
        .unwrap();
}
