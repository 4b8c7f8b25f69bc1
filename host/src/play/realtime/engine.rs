//! The audio thread's engine, its per-period loop: per period it takes at
//! most [`MAX_COMMANDS_PER_PERIOD`] commands and [`MAX_ITEMS_PER_PERIOD`]
//! queued items into the player's calendar, plays the period (the core
//! [`Player`](smfplay_core::sequencer::Player) applies at most
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
//! and at the end) reads the thread's own counters
//! ([`super::thread_stats`]).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use smfplay_core::audio::{Fade, PeriodBuffer};
use smfplay_core::sched::Full;
use smfplay_core::sequencer::{Command, EventSink, SongEvent};
use smfplay_core::timing_histogram::{PERIOD_BUCKETS, TimingHistogram};

use super::alsa_output::Output;
use super::messages::{AudioCmd, End, Report};
use super::output_buffer::OutputBuffer;
use super::play_status::PlayStatus;
use super::queue_sink::FeedItem;
use super::queues::AudioEnds;
use super::report_observer::ReportObserver;
use super::shedder::{ShedState, Shedder};
use super::snapshot::Snapshot;
use super::synth_control::SynthControl;
use super::thread_stats::ThreadStats;
use super::work_clock::{MonotonicClock, WorkClock};
use crate::capacities::{HostPlayer, POOL_BLOCK_BYTES};
use crate::play::MAX_PERIOD;
use crate::release_tail::{TailRule, TailStart, lift_pedals};

/// Most commands taken per period.
pub const MAX_COMMANDS_PER_PERIOD: usize = 16;
/// Most feed items moved into the calendar per period.
pub const MAX_ITEMS_PER_PERIOD: usize = 1024;
/// Length of the fade at a stop.
pub const FADE_MS: u32 = 50;

/// Periods before the longest write is tracked (the stream starts when
/// the buffer is full; its first waits are the device starting).
const WRITE_WARMUP_PERIODS: u64 = 16;

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
    q: AudioEnds<'q>,
    status: &'a PlayStatus,
    buf: &'a mut PeriodBuffer<MAX_PERIOD, 2>,
    out_buf: OutputBuffer,
    cfg: EngineConfig,
    volume: f32,
    fade: Option<Fade>,
    stopping: Option<End>,
    /// The release-tail rule that ends a song the way `host render` does.
    tail: TailRule,
    tail_start: TailStart,
    /// `--end` was reached (the player is paused there for good).
    cut_done: bool,
    pending: Option<(u64, SongEvent)>,
    scratch: [u8; POOL_BLOCK_BYTES],
    hist: TimingHistogram<PERIOD_BUCKETS>,
    shed: Shedder,
    periods: u64,
    xruns: u64,
    dropped: u64,
    /// When the last device write began.
    write_started: Option<Instant>,
    /// Longest device write so far.
    write_max_ns: u64,
}

/// What an engine plays a song with, but the synth.
pub struct SongParts<'a, 'q> {
    /// The song's player (calendar and transport).
    pub player: &'a mut HostPlayer,
    /// The audio thread's queue ends.
    pub queues: AudioEnds<'q>,
    /// Where it publishes the play status.
    pub status: &'a PlayStatus,
    /// The period's float buffers.
    pub buf: &'a mut PeriodBuffer<MAX_PERIOD, 2>,
    /// The converted period, sized for the device's format.
    pub out_buf: OutputBuffer,
    /// Its settings.
    pub config: EngineConfig,
}

/// What an engine plays with, besides its output (made on the audio
/// thread: an ALSA writer cannot cross threads) and its clock: the synth
/// and the song's parts (apart, so that `--port`'s synth can be made on
/// the audio thread too).
pub struct EngineParts<'a, 'q, S: SynthControl> {
    /// The synth it renders with.
    pub synth: &'a mut S,
    /// The rest.
    pub song: SongParts<'a, 'q>,
}

impl<'a, 'q, S: SynthControl, O: Output> Engine<'a, 'q, S, O> {
    /// An engine writing to `out`, timed by the real clock.
    pub fn new(out: O, parts: EngineParts<'a, 'q, S>) -> Self {
        Engine::with_clock(MonotonicClock, out, parts)
    }
}

impl<'a, 'q, S: SynthControl, O: Output, C: WorkClock> Engine<'a, 'q, S, O, C> {
    /// An engine writing to `out` whose work is timed by `clock`.
    pub fn with_clock(clock: C, out: O, parts: EngineParts<'a, 'q, S>) -> Self {
        let EngineParts {
            synth,
            song:
                SongParts {
                    player,
                    queues: q,
                    status,
                    buf,
                    out_buf,
                    config: cfg,
                },
        } = parts;
        let base = ShedState {
            polyphony: synth.polyphony(),
            reverb: cfg.reverb,
            chorus: cfg.chorus,
        };
        Self {
            clock,
            volume: cfg.volume,
            synth,
            out,
            player,
            q,
            status,
            buf,
            out_buf,
            fade: None,
            stopping: None,
            tail: TailRule::new(cfg.rate),
            tail_start: TailStart::new(None),
            cut_done: false,
            pending: None,
            scratch: [0; POOL_BLOCK_BYTES],
            hist: TimingHistogram::new(),
            shed: Shedder::new(base, cfg.period, cfg.rate),
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
        s.shed_level = self.shed.level();
        s.shed = self.shed.state();
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
                    song_frame: self.player.position().song_frame,
                    tempo_milli: self.player.tempo_milli(),
                    rate: self.cfg.rate,
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
                    // A paused player, as for a pause: an external synth
                    // lifts the pedals the file holds on every port (the
                    // line above reaches port 0; FluidSynth does nothing).
                    synth.inner_mut().paused(true);
                    if self.tail_start.get().is_none() {
                        self.tail_start.set(Some(period_start + split as u64));
                    }
                    self.cfg.end_song_frame = None;
                    self.cut_done = true;
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
        let s = self.status;
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
        let s = self.status;
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
        let (reverb, chorus) = (on && self.cfg.reverb, on && self.cfg.chorus);
        self.shed.set_effects(self.synth, reverb, chorus);
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
                    // A seek back after the song's end (PgDn past it, then
                    // PgUp or Home): the song plays on, its pending end
                    // and release tail are forgotten. Not after `--end`'s
                    // cut (the player stays paused there) nor a stop.
                    if self.stopping.is_none() && !self.cut_done {
                        self.tail_start.set(None);
                        self.tail.restart();
                    }
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
                    if let SongEvent::SysEx { handle: h, .. } | SongEvent::Text(_, h) = &mut item {
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
        if let Some((level, state)) = self.shed.after_period(self.synth, work_ns) {
            self.status.shed_level.store(level, Ordering::Relaxed);
            let _ = self.q.reports.enqueue(Report::Shed(level, state));
        }
    }

    /// Gives the output back (after [`run`](Self::run)).
    pub fn into_output(self) -> O {
        self.out
    }
}
