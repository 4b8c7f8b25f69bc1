//! The audio thread: per period it takes at most [`MAX_COMMANDS_PER_PERIOD`]
//! commands and [`MAX_ITEMS_PER_PERIOD`] queued items into the player's
//! calendar, plays the period (the core [`Player`] applies at most
//! `MAX_EVENTS_PER_PERIOD` events; the rest wait and are counted), converts
//! with the core's vectorised converters, measures its work against the
//! period's budget ([`WorkClock`]: the real clock, or a scripted one in
//! tests), and writes to the device.
//!
//! A song that plays to its end stops by `host render`'s release-tail rule
//! ([`crate::release_tail`]): the last period is cut where the tail has
//! died away, so the stream written equals render's, end included; `--end`
//! cuts as render does. Only a stop (quit, signal) fades out over
//! [`FADE_MS`].
//!
//! *Real-time*: the loop ([`Engine::period`]) does not allocate, lock,
//! print or touch a file (the `play_alloc` test counts allocations across
//! thousands of periods). Everything it says goes through lock-free queues
//! and atomics; the control thread prints. A report snapshot (on request,
//! and at the end) reads the thread's own counters with `getrusage`, a
//! system call that neither blocks nor does I/O.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use heapless::spsc::{Consumer, Producer};
use midly::MidiMessage;
use midly::num::{u4, u7};
use smfplay_core::audio::{
    Fade, PeriodBuffer, interleave_stereo_f32, interleave_stereo_i16, interleave_stereo_i32,
};
use smfplay_core::sched::Full;
use smfplay_core::sequencer::{Command, EventSink, Notice, Observer, Player, SongEvent, TextKind};
use smfplay_core::synth::{Synth, SynthEvent};
use smfplay_core::timing_histogram::{PERIOD_BUCKETS, TimingHistogram};

use super::alsa_output::{Lost, Output, PcmFormat, Samples};
use super::feeder::FeedItem;
use super::{MAX_PERIOD, Shared};
use crate::fluid::FluidSynth;
use crate::release_tail::{TailRule, TailStart, VoiceCount, lift_pedals};
use crate::song::{EVENTS, POOL_BLOCK_BYTES, POOL_BLOCKS, SLOTS};

/// The audio side of the sequencer at host capacities.
pub type HostPlayer = Player<EVENTS, SLOTS, POOL_BLOCKS, POOL_BLOCK_BYTES>;

/// Most commands taken per period.
pub const MAX_COMMANDS_PER_PERIOD: usize = 16;
/// Most feed items moved into the calendar per period.
pub const MAX_ITEMS_PER_PERIOD: usize = 1024;
/// Length of the fade at a stop.
pub const FADE_MS: u32 = 50;

/// Periods before the longest write is tracked (the stream starts when
/// the buffer is full; its first waits are the device starting).
const WRITE_WARMUP_PERIODS: u64 = 16;

/// Longest text carried in a report.
pub const TEXT_BYTES: usize = 120;

/// Load shedding: above this share of the budget a period is "hot"…
pub const SHED_HIGH_PERCENT: u64 = 80;
/// …and this many hot periods in a row shed one step.
pub const SHED_HOT_PERIODS: u32 = 8;
/// Below this share a period is "cool"…
pub const SHED_LOW_PERCENT: u64 = 40;
/// …and this long of cool periods in a row restores one step.
pub const SHED_COOL_MS: u64 = 2_000;

/// What the control thread asks of the audio thread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AudioCmd {
    /// A transport command for the player (pause, tempo, transpose, mute, solo).
    Transport(Command),
    /// Output volume (gain applied at conversion).
    Volume(f32),
    /// Reverb and chorus on or off (never on when the command line turned
    /// them off; load shedding may still turn them off).
    Effects(bool),
    /// Stop: all notes off, fade, end.
    Quit,
}

/// Why the audio loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The song played to its end.
    Finished,
    /// Asked to quit.
    Quit,
    /// The device was lost.
    Lost(Lost),
}

/// What the audio thread tells the control thread.
#[derive(Clone, Debug)]
pub enum Report {
    /// A lyric, marker, cue or text at a song position (ms).
    Text(TextKind, heapless::Vec<u8, TEXT_BYTES>, u64),
    /// A tempo change (µs per quarter).
    Tempo(u32),
    /// Xruns recovered in one write, and the total so far.
    Xrun(u32, u64),
    /// A load-shedding step: level (0 = none) and what it means.
    Shed(u8, ShedState),
    /// A key signature (sharps > 0, flats < 0; minor).
    Key(i8, bool),
}

/// Load-shedding state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShedState {
    /// Voice limit now.
    pub polyphony: u32,
    /// Reverb on.
    pub reverb: bool,
    /// Chorus on.
    pub chorus: bool,
}

/// The synth controls the engine needs beyond [`Synth`] and [`VoiceCount`].
pub trait SynthControl: Synth + VoiceCount {
    /// Voice limit.
    fn polyphony(&self) -> u32;
    /// Sets the voice limit (never above the starting one).
    fn set_polyphony(&mut self, voices: u32);
    /// Reverb and chorus on or off.
    fn set_effects(&mut self, reverb: bool, chorus: bool);
    /// Playback paused (`true`) or resumed, after the player released the
    /// notes: FluidSynth needs nothing more; an external synth lifts held
    /// pedals and gets them back (`play::seq_output`).
    fn paused(&mut self, _paused: bool) {}
    /// A stop (quit, signal), after the player released the notes: pedals
    /// up and all notes off on every channel.
    fn stop_sound(&mut self) {
        for ch in 0..16u8 {
            for (cc, v) in [(64u8, 0u8), (123, 0)] {
                self.apply(SynthEvent::Midi {
                    channel: u4::new(ch),
                    message: MidiMessage::Controller {
                        controller: u7::new(cc),
                        value: u7::new(v),
                    },
                });
            }
        }
    }
}

impl SynthControl for FluidSynth {
    fn polyphony(&self) -> u32 {
        FluidSynth::polyphony(self)
    }
    fn set_polyphony(&mut self, voices: u32) {
        // Lowering FluidSynth's polyphony (and raising it back up to the
        // starting value) reuses the voices it allocated at start.
        FluidSynth::set_polyphony(self, voices);
    }
    fn set_effects(&mut self, reverb: bool, chorus: bool) {
        self.set_reverb(reverb);
        self.set_chorus(chorus);
    }
}

/// A report snapshot, filled by the audio thread into a box the control
/// thread made (so the audio thread allocates nothing).
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Work per period.
    pub hist: TimingHistogram<PERIOD_BUCKETS>,
    /// `snd_pcm_delay` now.
    pub delay: Option<i64>,
    /// Xruns so far.
    pub xruns: u64,
    /// Events applied after their frame.
    pub late: u64,
    /// Periods that hit the per-period event bound.
    pub deferred_periods: u64,
    /// Payloads dropped because the player's pool was full.
    pub dropped: u64,
    /// Voices sounding.
    pub voices: u32,
    /// Shedding level and state.
    pub shed_level: u8,
    /// Shed state.
    pub shed: ShedState,
    /// Song position in ms.
    pub song_ms: u64,
    /// Periods played.
    pub periods: u64,
    /// How the audio thread was scheduled.
    pub thread: ThreadStats,
}

/// How the audio thread was scheduled: where a dropout's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThreadStats {
    /// Longest device write (waiting for room in the buffer, or not
    /// scheduled), in ns.
    pub write_max_ns: u64,
    /// Times the thread was preempted (involuntary context switches).
    pub preempted: u64,
    /// Page faults served without I/O.
    pub minor_faults: u64,
    /// Page faults that read from disk.
    pub major_faults: u64,
}

impl ThreadStats {
    /// The calling thread's counters (`getrusage(RUSAGE_THREAD)`), with
    /// this longest write.
    fn of_this_thread(write_max_ns: u64) -> Self {
        // SAFETY: getrusage fills the zeroed struct it is given.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) } == 0;
        Self {
            write_max_ns,
            preempted: if ok { ru.ru_nivcsw as u64 } else { 0 },
            minor_faults: if ok { ru.ru_minflt as u64 } else { 0 },
            major_faults: if ok { ru.ru_majflt as u64 } else { 0 },
        }
    }
}

impl Snapshot {
    /// An empty snapshot.
    pub fn new() -> Self {
        Self {
            hist: TimingHistogram::new(),
            delay: None,
            xruns: 0,
            late: 0,
            deferred_periods: 0,
            dropped: 0,
            voices: 0,
            shed_level: 0,
            shed: ShedState {
                polyphony: 0,
                reverb: false,
                chorus: false,
            },
            song_ms: 0,
            periods: 0,
            thread: ThreadStats::default(),
        }
    }
}

impl Default for Snapshot {
    fn default() -> Self {
        Self::new()
    }
}

/// Interleaved output buffers, one per format (only the negotiated one is sized).
pub struct OutBuf {
    format: PcmFormat,
    s16: Vec<i16>,
    s32: Vec<i32>,
    f32: Vec<f32>,
}

impl OutBuf {
    /// Buffers for `period` frames of `format`.
    pub fn new(format: PcmFormat, period: usize) -> Self {
        let n = period * 2;
        Self {
            format,
            s16: if format == PcmFormat::S16 {
                vec![0; n]
            } else {
                Vec::new()
            },
            s32: if format == PcmFormat::S32 {
                vec![0; n]
            } else {
                Vec::new()
            },
            f32: if format == PcmFormat::F32 {
                vec![0.0; n]
            } else {
                Vec::new()
            },
        }
    }

    fn convert(&mut self, left: &[f32], right: &[f32], gain: f32) {
        match self.format {
            PcmFormat::S16 => {
                interleave_stereo_i16(left, right, gain, &mut self.s16);
            }
            PcmFormat::S32 => {
                interleave_stereo_i32(left, right, gain, &mut self.s32);
            }
            PcmFormat::F32 => {
                interleave_stereo_f32(left, right, gain, true, &mut self.f32);
            }
        }
    }

    /// The buffer in use, for locking.
    pub fn region(&self) -> super::rt::Region {
        match self.format {
            PcmFormat::S16 => super::rt::region_of(&self.s16[..]),
            PcmFormat::S32 => super::rt::region_of(&self.s32[..]),
            PcmFormat::F32 => super::rt::region_of(&self.f32[..]),
        }
    }

    /// The first `frames` frames converted.
    fn samples(&self, frames: usize) -> Samples<'_> {
        let n = 2 * frames;
        match self.format {
            PcmFormat::S16 => Samples::S16(&self.s16[..n]),
            PcmFormat::S32 => Samples::S32(&self.s32[..n]),
            PcmFormat::F32 => Samples::F32(&self.f32[..n]),
        }
    }
}

/// The queues the audio thread uses.
pub struct Queues<'q> {
    /// Feed items.
    pub items: Consumer<'q, FeedItem>,
    /// Payload bytes.
    pub bytes: Consumer<'q, u8>,
    /// Commands.
    pub commands: Consumer<'q, AudioCmd>,
    /// Reports.
    pub reports: Producer<'q, Report>,
    /// Empty snapshot boxes from the control thread.
    pub snap_requests: Consumer<'q, Box<Snapshot>>,
    /// Filled snapshot boxes back.
    pub snap_replies: Producer<'q, Box<Snapshot>>,
}

struct Shedder {
    level: u8,
    hot: u32,
    cool: u64,
    cool_needed: u64,
    base: ShedState,
    now: ShedState,
}

impl Shedder {
    fn state_for(&self, level: u8) -> ShedState {
        let b = self.base;
        match level {
            0 => b,
            1 => ShedState {
                polyphony: (b.polyphony / 2).max(16).min(b.polyphony),
                ..b
            },
            2 => ShedState {
                polyphony: (b.polyphony / 4).max(8).min(b.polyphony),
                ..b
            },
            _ => ShedState {
                polyphony: (b.polyphony / 4).max(8).min(b.polyphony),
                reverb: false,
                chorus: false,
            },
        }
    }
}

struct ReportObserver<'a, 'q> {
    reports: &'a mut Producer<'q, Report>,
    song_ms: u64,
    /// Frames played before this period.
    period_start: u64,
    /// Set at the song's end: the release tail starts there.
    tail_start: &'a TailStart,
}

impl Observer for ReportObserver<'_, '_> {
    fn notice(&mut self, offset: u32, notice: Notice<'_>) {
        let report = match notice {
            Notice::End => {
                if self.tail_start.get().is_none() {
                    self.tail_start
                        .set(Some(self.period_start + u64::from(offset)));
                }
                return;
            }
            Notice::Text(kind, bytes) => {
                let mut text = heapless::Vec::new();
                let n = bytes.len().min(TEXT_BYTES);
                let _ = text.extend_from_slice(&bytes[..n]);
                Report::Text(kind, text, self.song_ms)
            }
            Notice::Tempo(us) => Report::Tempo(us),
            Notice::KeySignature(sharps, minor) => Report::Key(sharps, minor),
            _ => return,
        };
        let _ = self.reports.enqueue(report);
    }
}

/// Where the engine reads the time of its per-period work (the share of
/// the budget that drives load shedding, and the device-write lengths).
/// The real clock is [`MonotonicClock`]; tests drive the work directly.
pub trait WorkClock {
    /// Now (a period's work starts, or it is done and the write starts).
    fn now(&mut self) -> Instant;
}

/// The real clock: `Instant::now()` (a vDSO read, no system call).
#[derive(Clone, Copy, Debug, Default)]
pub struct MonotonicClock;

impl WorkClock for MonotonicClock {
    #[inline]
    fn now(&mut self) -> Instant {
        Instant::now()
    }
}

/// Settings of the audio loop.
pub struct EngineConfig {
    /// Frames per period.
    pub period: usize,
    /// Sample rate.
    pub rate: u32,
    /// Output volume.
    pub volume: f32,
    /// Stop at this song frame (`--end`): as `host render` does, the notes
    /// are released and the pedals lifted on the output frame where the
    /// song position reaches it, and the release tail ends the song.
    pub end_song_frame: Option<u64>,
    /// Sleep this long at this period, and every 50 periods after, this
    /// many times (test hook for xruns).
    pub stall: Option<(u64, Duration, u32)>,
    /// Reverb as configured (shedding never turns it on).
    pub reverb: bool,
    /// Chorus as configured.
    pub chorus: bool,
}

/// The audio loop's state; see the module docs.
pub struct Engine<'a, 'q, S: SynthControl, O: Output, C: WorkClock = MonotonicClock> {
    /// Times the work.
    clock: C,
    synth: &'a mut S,
    out: O,
    player: &'a mut HostPlayer,
    q: Queues<'q>,
    shared: &'a Shared,
    buf: &'a mut PeriodBuffer<MAX_PERIOD, 2>,
    out_buf: OutBuf,
    cfg: EngineConfig,
    volume: f32,
    fade: Option<Fade>,
    stopping: Option<End>,
    /// The release-tail rule that ends a song the way `host render` does.
    tail: TailRule,
    tail_start: TailStart,
    pending: Option<(u64, SongEvent)>,
    scratch: [u8; POOL_BLOCK_BYTES],
    hist: TimingHistogram<PERIOD_BUCKETS>,
    budget_ns: u64,
    shed: Shedder,
    periods: u64,
    xruns: u64,
    dropped: u64,
    /// When the last device write began.
    write_started: Option<Instant>,
    /// Longest device write so far.
    write_max_ns: u64,
}

impl<'a, 'q, S: SynthControl, O: Output> Engine<'a, 'q, S, O> {
    /// An engine over these parts timed by the real clock; `out_buf` must
    /// be sized for the format.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        synth: &'a mut S,
        out: O,
        player: &'a mut HostPlayer,
        q: Queues<'q>,
        shared: &'a Shared,
        buf: &'a mut PeriodBuffer<MAX_PERIOD, 2>,
        out_buf: OutBuf,
        cfg: EngineConfig,
    ) -> Self {
        Engine::with_clock(
            MonotonicClock,
            synth,
            out,
            player,
            q,
            shared,
            buf,
            out_buf,
            cfg,
        )
    }
}

impl<'a, 'q, S: SynthControl, O: Output, C: WorkClock> Engine<'a, 'q, S, O, C> {
    /// An engine whose work is timed by `clock`.
    #[allow(clippy::too_many_arguments)]
    pub fn with_clock(
        clock: C,
        synth: &'a mut S,
        out: O,
        player: &'a mut HostPlayer,
        q: Queues<'q>,
        shared: &'a Shared,
        buf: &'a mut PeriodBuffer<MAX_PERIOD, 2>,
        out_buf: OutBuf,
        cfg: EngineConfig,
    ) -> Self {
        let base = ShedState {
            polyphony: synth.polyphony(),
            reverb: cfg.reverb,
            chorus: cfg.chorus,
        };
        let budget_ns = (cfg.period as u64 * 1_000_000_000 / u64::from(cfg.rate.max(1))).max(1);
        let cool_needed = (SHED_COOL_MS * 1_000_000 / budget_ns).max(1);
        Self {
            clock,
            volume: cfg.volume,
            synth,
            out,
            player,
            q,
            shared,
            buf,
            out_buf,
            fade: None,
            stopping: None,
            tail: TailRule::new(cfg.rate),
            tail_start: TailStart::new(None),
            pending: None,
            scratch: [0; POOL_BLOCK_BYTES],
            hist: TimingHistogram::new(),
            budget_ns,
            shed: Shedder {
                level: 0,
                hot: 0,
                cool: 0,
                cool_needed,
                base,
                now: base,
            },
            periods: 0,
            xruns: 0,
            dropped: 0,
            write_started: None,
            write_max_ns: 0,
            cfg,
        }
    }

    /// Runs periods until the song ends, a quit, or the device is lost.
    pub fn run(&mut self) -> End {
        loop {
            if let Some(end) = self.period() {
                return end;
            }
        }
    }

    /// The work histogram.
    #[cfg(test)]
    pub fn histogram(&self) -> &TimingHistogram<PERIOD_BUCKETS> {
        &self.hist
    }

    /// Fills a snapshot.
    pub fn snapshot(&mut self, s: &mut Snapshot) {
        s.hist.clone_from(&self.hist);
        s.delay = self.out.delay();
        s.xruns = self.xruns;
        s.late = self.player.stats().late + self.out.late_events();
        s.deferred_periods = self.player.stats().deferred_periods;
        s.dropped = self.dropped;
        s.voices = self.synth.active_voices();
        s.shed_level = self.shed.level;
        s.shed = self.shed.now;
        s.song_ms = self.song_ms();
        s.periods = self.periods;
        s.thread = ThreadStats::of_this_thread(self.write_max_ns);
    }

    fn song_ms(&self) -> u64 {
        self.player.position().song_frame * 1000 / u64::from(self.cfg.rate.max(1))
    }

    /// Plays one period; returns why the loop ends, if it does.
    pub fn period(&mut self) -> Option<End> {
        let t0 = self.clock.now();
        if let Some(w) = self.write_started
            && self.periods > WRITE_WARMUP_PERIODS
        {
            let wrote = t0.saturating_duration_since(w).as_nanos() as u64;
            self.write_max_ns = self.write_max_ns.max(wrote);
        }
        if let Some((at, pause, count)) = self.cfg.stall
            && self.periods >= at
            && (self.periods - at).is_multiple_of(50)
            && (self.periods - at) / 50 < u64::from(count)
        {
            std::thread::sleep(pause);
        }
        self.take_commands();
        self.take_items();
        let mut n = self.cfg.period;
        let song_ms = self.song_ms();
        let cut = if self.stopping.is_none() {
            self.end_offset(n)
        } else {
            None
        };
        {
            let [left, right] = self.buf.channels_mut();
            let (left, right) = (&mut left[..n], &mut right[..n]);
            if self.stopping.is_none() {
                let period_start = self.tail.frame();
                let split = cut.unwrap_or(n);
                let mut obs = ReportObserver {
                    reports: &mut self.q.reports,
                    song_ms,
                    period_start,
                    tail_start: &self.tail_start,
                };
                let mut synth = self.tail.with(self.synth, &self.tail_start);
                if split > 0 {
                    let (l, r) = (&mut left[..split], &mut right[..split]);
                    self.player.process(&mut synth, l, r, &mut obs);
                }
                if cut.is_some() {
                    // --end: from this frame on, the song's end.
                    self.player.pause(&mut synth);
                    lift_pedals(&mut synth);
                    if self.tail_start.get().is_none() {
                        self.tail_start.set(Some(period_start + split as u64));
                    }
                    self.cfg.end_song_frame = None;
                    if split < n {
                        obs.period_start = period_start + split as u64;
                        let (l, r) = (&mut left[split..], &mut right[split..]);
                        self.player.process(&mut synth, l, r, &mut obs);
                    }
                }
                if let Some(stop) = self.tail.stop() {
                    // The tail died away in this period: the song's last
                    // frames, as `host render` writes them.
                    n = (stop - period_start) as usize;
                    self.stopping = Some(End::Finished);
                }
            } else {
                self.synth.render(left, right);
            }
            if let Some(fade) = &mut self.fade {
                fade.apply(&mut [&mut *left, &mut *right]);
            }
        }
        let [left, right] = self.buf.channels_ref();
        self.out_buf.convert(&left[..n], &right[..n], self.volume);
        self.periods += 1;
        // Publish the play head for the feeder and the control thread.
        let s = self.shared;
        s.timeline_now
            .store(self.player.timeline_now(), Ordering::Release);
        s.tempo_milli
            .store(self.player.tempo_milli(), Ordering::Relaxed);
        s.paused.store(self.player.is_paused(), Ordering::Release);
        s.song_ms.store(song_ms, Ordering::Relaxed);
        s.periods.store(self.periods, Ordering::Relaxed);
        s.late.store(self.player.stats().late, Ordering::Relaxed);
        self.publish_display();
        // Work done: measure it (the write below waits for the device).
        let now = self.clock.now();
        let work = now.saturating_duration_since(t0).as_nanos() as u64;
        self.hist.record(work);
        s.work_peak_ns.fetch_max(work, Ordering::Relaxed);
        self.shed_check(work);
        if let Some(mut snap) = self.q.snap_requests.dequeue() {
            self.snapshot(&mut snap);
            let _ = self.q.snap_replies.enqueue(snap);
        }
        self.write_started = Some(now);
        let samples = self.out_buf.samples(n);
        match self.out.write(samples) {
            Ok(0) => {}
            Ok(x) => {
                self.xruns += u64::from(x);
                s.xruns.store(self.xruns, Ordering::Relaxed);
                let _ = self.q.reports.enqueue(Report::Xrun(x, self.xruns));
            }
            Err(lost) => return Some(End::Lost(lost)),
        }
        match (self.stopping, &self.fade) {
            (Some(end), Some(f)) if f.is_finished() => Some(end),
            (Some(end), None) => Some(end),
            _ => None,
        }
    }

    /// With `--end` still ahead: the offset in the next `n` frames where
    /// the song position reaches it (the first frame whose timeline bound
    /// covers it, as `host render` cuts), if it does.
    fn end_offset(&self, n: usize) -> Option<usize> {
        let end = self.cfg.end_song_frame?;
        let song_now = self.player.position().song_frame;
        if song_now >= end {
            return Some(0);
        }
        let tl_now = self.player.timeline_now();
        let reaches = |f: usize| song_now + (self.player.timeline_after(f as u64) - tl_now) >= end;
        if !reaches(n) {
            return None;
        }
        // The smallest f in 1..=n that reaches the end.
        let (mut lo, mut hi) = (1usize, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if reaches(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    }

    fn begin_stop(&mut self, why: End) {
        if self.stopping.is_some() {
            return;
        }
        self.stopping = Some(why);
        self.player.pause(self.synth);
        self.synth.stop_sound();
        self.fade = Some(Fade::out(self.cfg.rate * FADE_MS / 1000));
    }

    /// What the live display shows, as atomics (no queue, no wait).
    fn publish_display(&self) {
        let s = self.shared;
        let pos = self.player.position();
        s.bar_beat.store(
            (u64::from(pos.bar) << 32) | u64::from(pos.beat),
            Ordering::Relaxed,
        );
        s.us_per_quarter
            .store(pos.us_per_quarter, Ordering::Relaxed);
        s.signature.store(
            (u32::from(pos.numerator) << 8) | u32::from(pos.denominator_pow2),
            Ordering::Relaxed,
        );
        s.voices
            .store(self.synth.active_voices(), Ordering::Relaxed);
        s.channels.store(
            u64::from(self.player.sounding_channels())
                | (u64::from(self.player.muted()) << 16)
                | (u64::from(self.player.soloed()) << 32),
            Ordering::Relaxed,
        );
    }

    /// Reverb and chorus on or off from the keys: what the command line
    /// allowed, at the current shedding level.
    fn set_effects(&mut self, on: bool) {
        let sh = &mut self.shed;
        sh.base.reverb = on && self.cfg.reverb;
        sh.base.chorus = on && self.cfg.chorus;
        let state = sh.state_for(sh.level);
        if (state.reverb, state.chorus) != (sh.now.reverb, sh.now.chorus) {
            self.synth.set_effects(state.reverb, state.chorus);
        }
        sh.now = state;
    }

    fn pause(&mut self) {
        if !self.player.is_paused() {
            self.player.pause(self.synth);
            self.synth.paused(true);
        }
    }

    fn resume(&mut self) {
        if self.player.is_paused() {
            self.player.resume();
            self.synth.paused(false);
        }
    }

    fn take_commands(&mut self) {
        for _ in 0..MAX_COMMANDS_PER_PERIOD {
            let Some(cmd) = self.q.commands.dequeue() else {
                return;
            };
            match cmd {
                AudioCmd::Volume(v) => self.volume = v,
                AudioCmd::Effects(on) => self.set_effects(on),
                AudioCmd::Quit => self.begin_stop(End::Quit),
                AudioCmd::Transport(c) => match c {
                    Command::Play => self.resume(),
                    Command::Pause => self.pause(),
                    Command::TogglePause => {
                        if self.player.is_paused() {
                            self.resume();
                        } else {
                            self.pause();
                        }
                    }
                    Command::TempoMilli(m) => self.player.set_tempo_milli(m),
                    Command::Transpose(t) => self.player.set_transpose(t),
                    Command::Mute(ch, on) => self.player.set_muted(self.synth, ch, on),
                    Command::Solo(ch, on) => self.player.set_solo(self.synth, ch, on),
                    // Seeks, loops and stop go to the feeder.
                    Command::Stop | Command::Seek(_) | Command::Loop(_) => {}
                },
            }
        }
    }

    fn take_items(&mut self) {
        if let Some((tl, item)) = self.pending.take()
            && let Err(Full(item)) = self.player.schedule(tl, item)
        {
            self.pending = Some((tl, item));
            return;
        }
        for _ in 0..MAX_ITEMS_PER_PERIOD {
            let Some(fi) = self.q.items.dequeue() else {
                return;
            };
            match fi {
                FeedItem::Reposition { at, plan } => {
                    self.player.clear_scheduled();
                    self.player.set_position(
                        at,
                        plan.tick,
                        plan.song_frame,
                        plan.us_per_quarter,
                        plan.signature,
                    );
                }
                FeedItem::Event {
                    tl,
                    mut item,
                    payload,
                } => {
                    if let SongEvent::SysEx(h) | SongEvent::Text(_, h) = &mut item {
                        let len = usize::from(payload).min(self.scratch.len());
                        for b in &mut self.scratch[..len] {
                            *b = self.q.bytes.dequeue().unwrap_or(0);
                        }
                        for _ in len..usize::from(payload) {
                            let _ = self.q.bytes.dequeue();
                        }
                        match self.player.alloc_payload(&self.scratch[..len]) {
                            Ok(new) => *h = new,
                            Err(_) => {
                                self.dropped += 1;
                                continue;
                            }
                        }
                    }
                    if let Err(Full(item)) = self.player.schedule(tl, item) {
                        self.pending = Some((tl, item));
                        return;
                    }
                }
            }
        }
    }

    fn shed_check(&mut self, work_ns: u64) {
        let percent = work_ns * 100 / self.budget_ns;
        let sh = &mut self.shed;
        if percent >= SHED_HIGH_PERCENT {
            sh.hot += 1;
            sh.cool = 0;
        } else if percent <= SHED_LOW_PERCENT {
            sh.cool += 1;
            sh.hot = 0;
        } else {
            sh.hot = 0;
        }
        let target = if sh.hot >= SHED_HOT_PERIODS && sh.level < 3 {
            sh.level + 1
        } else if sh.cool >= sh.cool_needed && sh.level > 0 {
            sh.level - 1
        } else {
            return;
        };
        sh.hot = 0;
        sh.cool = 0;
        sh.level = target;
        let state = sh.state_for(target);
        if state.polyphony != sh.now.polyphony {
            self.synth.set_polyphony(state.polyphony);
        }
        if (state.reverb, state.chorus) != (sh.now.reverb, sh.now.chorus) {
            self.synth.set_effects(state.reverb, state.chorus);
        }
        sh.now = state;
        self.shared.shed_level.store(target, Ordering::Relaxed);
        let _ = self.q.reports.enqueue(Report::Shed(target, state));
    }

    /// Gives the output back (after [`run`](Self::run)).
    pub fn into_output(self) -> O {
        self.out
    }
}
