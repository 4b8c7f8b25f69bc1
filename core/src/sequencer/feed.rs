//! The file side of the sequencer: reads the merged events, turns ticks into
//! timeline frames through the tempo map, follows the chase state, and fills
//! the player's calendar ahead of the play head. Seeks and loops happen
//! here: a seek rescans the file up to the target; a loop returns to a
//! checkpoint taken when the loop start went by, so no turn rescans.
//!
//! Ports: each event leaves with its track's MIDI port (the track's last
//! `FF 21`, which the reader keeps with the track's position, so seeks and
//! loop turns find it as it was there), folded as `port % outputs` into
//! the number of outputs the player has ([`Feed::set_ports`], aplaymidi's
//! rule; 1 by default for `PORTS` = 1: every event on port 0). The chase
//! keeps its state per (port, channel).
//!
//! *Real-time*: [`Feed::fill`] does bounded work per call (at most
//! `budget` events, one chase replay pass); the byte source may block (the
//! host runs this on a feeder thread). [`Feed::seek`] scans the file up
//! to the target: O(events before it).
//!
//! *Errors*: fatal reader errors end the song; non-fatal ones are counted
//! and the first one is kept ([`Feed::first_problem`]).

use heapless::Deque;
use midly::{MetaMessage, TrackEventKind};

use super::chase::{CHASE_SYSEX_BYTES, ChaseState, MAX_PORTS, ReplayEvent, ReplayMode};
use super::command::{LoopRange, SeekTarget};
use super::player::Player;
use super::position::PositionClock;
use super::song_event::{SongEvent, TextKind};
use crate::sched::{Full, PoolError, PoolHandle};
use crate::smf::{ByteSource, Error, ErrorSlot, Header, Reader, ReaderCheckpoint, ReaderOptions};
use crate::tempo::TempoMap;

/// Counters of what the feed had to leave out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FeedStats {
    /// Events read.
    pub events: u64,
    /// Non-fatal reader errors (damage skipped).
    pub read_errors: u32,
    /// Sysex messages not played because the pool was full or they were
    /// longer than a pool block.
    pub sysex_dropped: u32,
    /// Texts not shown for the same reasons.
    pub texts_dropped: u32,
    /// Escape (`F7`) events, which a synth cannot play.
    pub escapes_ignored: u32,
    /// Loop turns.
    pub loops: u32,
    /// Passes over the chase state to schedule a replay: at most one per
    /// [`Feed::fill`] call and jump (a full calendar ends the call).
    pub replay_passes: u64,
}

struct LoopMark<const TRACKS: usize, const CHASE_SYSEX: usize, const PORTS: usize> {
    /// Each track's position and port.
    reader: ReaderCheckpoint<TRACKS>,
    tempo: TempoMap,
    chase: ChaseState<CHASE_SYSEX, PORTS>,
    bars: PositionClock,
}

struct ReplayJob {
    mode: ReplayMode,
    done: usize,
    at: u64,
}

/// Reader + tempo map + chase; see the module docs.
///
/// `LOOPS` is the number of A–B loop checkpoints the feed stores inline:
/// 1 (the default) or 0. A checkpoint (reader position, tempo, chase state,
/// bar clock: about `TRACKS` × 26 B + 4 KiB) lets a loop turn without
/// rescanning the file. With `LOOPS = 0` it costs nothing, and loops are
/// not available: [`Feed::set_loop`] is ignored (`looping()` stays
/// `None`) and the song plays to its end. Anything above 1 fails to compile.
///
/// `CHASE_SYSEX` sizes the chase's store of system exclusive messages
/// (default [`CHASE_SYSEX_BYTES`], see [`ChaseState`]): replayed after a seek
/// or loop; a small board that sends few sysex can choose less.
///
/// `PORTS` (1 to [`MAX_PORTS`], default 1) is the most outputs the feed
/// routes to: the chase keeps that many sets of 16 channels (about 2.7 KiB
/// each). [`Feed::set_ports`] chooses how many are used.
pub struct Feed<
    S,
    const TRACKS: usize,
    const WINDOW: usize,
    const PAYLOAD: usize,
    const LOOPS: usize = 1,
    const CHASE_SYSEX: usize = CHASE_SYSEX_BYTES,
    const PORTS: usize = 1,
> {
    reader: Reader<S, TRACKS, WINDOW, PAYLOAD>,
    sample_rate: u32,
    tempo: TempoMap,
    chase: ChaseState<CHASE_SYSEX, PORTS>,
    bars: PositionClock,
    /// timeline = tl_base + (song frame − sf_base)
    tl_base: u64,
    sf_base: u64,
    /// Timeline frame of the last event scheduled.
    last_tl: u64,
    stash: Deque<(u64, SongEvent), 4>,
    replay: Option<ReplayJob>,
    /// The loop in force is `loop_range` when `loop_on` (two fields, not an
    /// `Option<LoopRange>`, whose `None` is not zero bits: see [`Feed::new`]).
    loop_on: bool,
    loop_range: LoopRange,
    /// Turns after which the loop plays on to the end (0: never).
    loop_turns: u32,
    /// The loop checkpoint, when `LOOPS` is 1.
    mark: [Option<LoopMark<TRACKS, CHASE_SYSEX, PORTS>>; LOOPS],
    /// Outputs events are routed to, 1..=`PORTS`; 0 stands for `PORTS`
    /// (so that the initial state is all zero bits).
    ports: u8,
    ended: bool,
    stats: FeedStats,
    first_problem: ErrorSlot,
}

impl<
    S: ByteSource,
    const TRACKS: usize,
    const WINDOW: usize,
    const PAYLOAD: usize,
    const LOOPS: usize,
    const CHASE_SYSEX: usize,
    const PORTS: usize,
> Feed<S, TRACKS, WINDOW, PAYLOAD, LOOPS, CHASE_SYSEX, PORTS>
{
    /// A feed of `src` that has not opened it yet: it behaves as an empty
    /// song until [`Feed::reopen`]. `const`, so it can initialise a
    /// `static`.
    pub const fn new(src: S) -> Self {
        const { assert!(LOOPS <= 1, "Feed: LOOPS must be 0 or 1") }
        Self {
            reader: Reader::new(src),
            sample_rate: 0,
            tempo: TempoMap::UNSET,
            chase: ChaseState::new(),
            bars: PositionClock::UNSET,
            tl_base: 0,
            sf_base: 0,
            last_tl: 0,
            stash: Deque::new(),
            replay: None,
            loop_on: false,
            loop_range: LoopRange::WHOLE_SONG,
            loop_turns: 0,
            mark: [const { None }; LOOPS],
            ports: 0,
            ended: false,
            stats: FeedStats {
                events: 0,
                read_errors: 0,
                sysex_dropped: 0,
                texts_dropped: 0,
                escapes_ignored: 0,
                loops: 0,
                replay_passes: 0,
            },
            first_problem: ErrorSlot::NONE,
        }
    }

    /// Opens the file; timeline frames are counted at `sample_rate`.
    pub fn open(src: S, options: ReaderOptions, sample_rate: u32) -> Result<Self, Error> {
        let mut feed = Self::new(src);
        feed.reopen(options, sample_rate)?;
        Ok(feed)
    }

    /// Opens the source again, in place (field by field: no feed is built
    /// on the stack), as [`Feed::open`] does: back to the start of the
    /// song, no loop, counters cleared. On error the feed is an empty song.
    pub fn reopen(&mut self, options: ReaderOptions, sample_rate: u32) -> Result<(), Error> {
        let opened = self.reader.reopen(options);
        let timing = self.reader.header().timing;
        self.sample_rate = sample_rate;
        self.tempo = TempoMap::new(timing, sample_rate);
        self.chase.clear();
        self.bars = PositionClock::new(timing, sample_rate);
        self.tl_base = 0;
        self.sf_base = 0;
        self.last_tl = 0;
        self.stash.clear();
        self.replay = None;
        self.loop_on = false;
        self.loop_turns = 0;
        self.clear_mark();
        self.ended = false;
        self.stats = FeedStats::default();
        self.first_problem = ErrorSlot::NONE;
        opened
    }

    /// The file's header.
    pub fn header(&self) -> &Header {
        self.reader.header()
    }

    /// The reader (for its diagnostics).
    pub fn reader(&self) -> &Reader<S, TRACKS, WINDOW, PAYLOAD> {
        &self.reader
    }

    /// Counters.
    pub const fn stats(&self) -> &FeedStats {
        &self.stats
    }

    /// The first non-fatal reader error (what was skipped first; the
    /// others are counted in [`FeedStats::read_errors`]).
    pub const fn first_problem(&self) -> Option<Error> {
        self.first_problem.get()
    }

    fn note_problem(&mut self, e: Error) {
        self.stats.read_errors += 1;
        if self.first_problem.is_none() {
            self.first_problem.put(e);
        }
    }

    /// Routes events to `outputs` outputs (clamped to 1..=`PORTS`): a
    /// track's port `p` (its last `FF 21`) goes to output `p % outputs`,
    /// as aplaymidi does; with 1 every event is on port 0 (FluidSynth).
    /// Kept across [`reopen`](Self::reopen). Takes effect for what is read
    /// from now on: call it before the song starts (or seek).
    pub fn set_ports(&mut self, outputs: usize) {
        self.ports = outputs.clamp(1, PORTS.min(MAX_PORTS)) as u8;
    }

    /// Outputs events are routed to (see [`set_ports`](Self::set_ports)):
    /// `PORTS` until set.
    pub fn ports(&self) -> usize {
        if self.ports == 0 {
            PORTS
        } else {
            usize::from(self.ports)
        }
    }

    /// Whether the whole file has been scheduled (and no loop is set).
    pub fn is_done(&self) -> bool {
        self.ended && self.stash.is_empty() && self.replay.is_none()
    }

    /// The loop in force.
    pub const fn looping(&self) -> Option<LoopRange> {
        if self.loop_on {
            Some(self.loop_range)
        } else {
            None
        }
    }

    /// Sets or clears the loop. A loop whose start lies before what was
    /// already read is armed by rescanning to the play position (`seek`).
    pub fn set_loop<
        const E: usize,
        const SL: usize,
        const B: usize,
        const BB: usize,
        const V: usize,
        const P: usize,
    >(
        &mut self,
        player: &mut Player<E, SL, B, BB, V, P>,
        range: Option<LoopRange>,
    ) -> Result<(), Error> {
        if self.set_loop_range(range) {
            let here = player.position().song_frame;
            self.seek(player, SeekTarget::SongFrame(here))?;
        }
        Ok(())
    }

    /// Sets or clears the loop without a player at hand (a feed on a
    /// thread of its own). Returns whether the loop start was already read:
    /// then the caller must seek (rescan) to the play head to arm it, as
    /// [`set_loop`](Self::set_loop) does.
    pub fn set_loop_range(&mut self, range: Option<LoopRange>) -> bool {
        let range = range.filter(|r| LOOPS > 0 && r.end.is_none_or(|e| e > r.start));
        self.loop_on = range.is_some();
        self.loop_range = range.unwrap_or(LoopRange::WHOLE_SONG);
        self.clear_mark();
        let Some(range) = range else { return false };
        // The checkpoint must be taken as the start goes by.
        self.ended || self.reader.next_tick().is_none_or(|t| t > range.start)
    }

    /// After `turns` turns (counted in [`FeedStats::loops`] since the file
    /// was opened) the loop plays on to the song's end; 0: it never does.
    /// `render --loops N` plays the loop N times: N − 1 turns.
    pub fn set_loop_turns(&mut self, turns: u32) {
        self.loop_turns = turns;
    }

    fn timeline(&self, song_frame: u64) -> u64 {
        self.tl_base
            .saturating_add(song_frame.saturating_sub(self.sf_base))
    }

    fn push(&mut self, player: &mut impl EventSink, tl: u64, item: SongEvent) -> bool {
        if self.stash.is_empty() {
            match player.schedule(tl, item) {
                Ok(()) => return true,
                Err(Full(item)) => {
                    let _ = self.stash.push_back((tl, item));
                    return false;
                }
            }
        }
        // Keep order: behind what is already waiting. The stash holds what
        // one step produces at most (4 items), so this cannot overflow.
        let _ = self.stash.push_back((tl, item));
        false
    }

    fn flush_stash(&mut self, player: &mut impl EventSink) -> bool {
        while let Some((tl, item)) = self.stash.pop_front() {
            if let Err(Full(item)) = player.schedule(tl, item) {
                let _ = self.stash.push_front((tl, item));
                return false;
            }
        }
        true
    }

    /// Schedules events until the timeline reaches `horizon`, `budget`
    /// events were handled, or the calendar is full.
    ///
    /// `player` is usually a [`Player`]; a host that runs the feed on a
    /// thread of its own passes an [`EventSink`] that forwards to a queue.
    pub fn fill(
        &mut self,
        player: &mut impl EventSink,
        horizon: u64,
        budget: usize,
    ) -> Result<(), Error> {
        let mut done = 0;
        while done < budget {
            if !self.flush_stash(player) {
                return Ok(());
            }
            if let Some(job) = &self.replay {
                let at = job.at;
                let (emitted, blocked) = self.replay_step(player, at, budget - done);
                if blocked {
                    // The calendar is full: go on when the player has made room.
                    return Ok(());
                }
                done += emitted.max(1);
                continue;
            }
            if self.ended || self.last_tl >= horizon {
                return Ok(());
            }
            let next = self.reader.next_tick();
            if let Some(range) = self.looping() {
                self.capture_mark_if_due(next, range);
                let at_end = match (range.end, next) {
                    (_, None) => true,
                    (Some(end), Some(t)) => t >= end,
                    (None, Some(_)) => false,
                };
                let turns_left = self.loop_turns == 0 || self.stats.loops < self.loop_turns;
                if at_end && turns_left && self.mark().is_some() {
                    let jump_at = match (range.end, next) {
                        (Some(end), Some(_)) => self.timeline(self.tempo.frame_at(end)),
                        _ => self.last_tl,
                    };
                    self.loop_turn(player, range, jump_at);
                    done += 1;
                    continue;
                }
            }
            match self.reader.next_event() {
                Ok(Some(ev)) => {
                    let (tick, kind) = (ev.tick, ev.kind);
                    let port = fold_port(ev.port, self.ports);
                    let song_frame = self.tempo.frame_at(tick);
                    let tl = self
                        .tl_base
                        .saturating_add(song_frame.saturating_sub(self.sf_base));
                    self.last_tl = self.last_tl.max(tl);
                    self.stats.events += 1;
                    let item = observe(
                        &mut self.tempo,
                        &mut self.chase,
                        &mut self.bars,
                        &mut self.stats,
                        player,
                        (tick, port),
                        &kind,
                    );
                    if let Some(item) = item {
                        self.push(player, tl, item);
                    }
                    done += 1;
                }
                Ok(None) => {
                    self.ended = true;
                    let at = self.last_tl;
                    self.push(player, at, SongEvent::End);
                    return Ok(());
                }
                Err(e) if !e.is_fatal() => {
                    self.note_problem(e);
                    done += 1;
                }
                Err(e) => {
                    self.ended = true;
                    let at = self.last_tl;
                    self.push(player, at, SongEvent::End);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    fn mark(&self) -> Option<&LoopMark<TRACKS, CHASE_SYSEX, PORTS>> {
        self.mark.first().and_then(Option::as_ref)
    }

    fn clear_mark(&mut self) {
        for m in self.mark.iter_mut() {
            *m = None;
        }
    }

    fn capture_mark_if_due(&mut self, next: Option<u64>, range: LoopRange) {
        if let Some(slot) = self.mark.first_mut()
            && slot.is_none()
            && next.is_none_or(|t| t >= range.start)
        {
            *slot = Some(LoopMark {
                reader: self.reader.checkpoint(),
                tempo: self.tempo,
                chase: self.chase.clone(),
                bars: self.bars,
            });
        }
    }

    fn loop_turn(&mut self, player: &mut impl EventSink, range: LoopRange, at: u64) {
        let Some(mark) = self.mark.first().and_then(Option::as_ref) else {
            return;
        };
        self.reader.restore(&mark.reader);
        self.tempo = mark.tempo;
        self.chase.clone_from(&mark.chase);
        self.bars = mark.bars;
        self.ended = false;
        self.stats.loops += 1;
        let song_frame = self.tempo.frame_at(range.start);
        self.jump_to(player, range.start, song_frame, at, ReplayMode::Loop);
    }

    fn jump_to(
        &mut self,
        player: &mut impl EventSink,
        tick: u64,
        song_frame: u64,
        at: u64,
        mode: ReplayMode,
    ) {
        self.tl_base = at;
        self.sf_base = song_frame;
        self.last_tl = at;
        let us_per_quarter = self.tempo.us_per_quarter();
        let looped = mode == ReplayMode::Loop;
        self.push(
            player,
            at,
            SongEvent::Jump {
                tick,
                song_frame,
                us_per_quarter,
                looped,
            },
        );
        let (sig_tick, bars_before, numerator, denominator_pow2) = self.bars.signature();
        let sig = SongEvent::TimeSignature {
            tick: sig_tick,
            numerator,
            denominator_pow2,
            bars_before,
        };
        self.push(player, at, sig);
        self.replay = Some(ReplayJob { mode, done: 0, at });
    }

    /// Schedules the next part of the chase replay; returns how many events
    /// it scheduled and whether the sink refused one (it is full).
    fn replay_step(
        &mut self,
        player: &mut impl EventSink,
        at: u64,
        budget: usize,
    ) -> (usize, bool) {
        let Some(job) = &self.replay else {
            return (0, false);
        };
        self.stats.replay_passes += 1;
        let (mode, skip) = (job.mode, job.done);
        let (mut index, mut emitted, mut blocked) = (0usize, 0usize, false);
        let ports = self.ports();
        let stats = &mut self.stats;
        self.chase.replay(mode, ports, |event| {
            if index < skip || blocked || emitted >= budget {
                index += usize::from(index < skip);
                return;
            }
            let item = match event {
                ReplayEvent::Midi(port, channel, message) => Some(SongEvent::Midi {
                    port,
                    channel,
                    message,
                }),
                ReplayEvent::SysEx(port, data) => match player.alloc_payload(data) {
                    Ok(handle) => Some(SongEvent::SysEx { port, handle }),
                    Err(_) => {
                        stats.sysex_dropped += 1;
                        None
                    }
                },
            };
            if let Some(item) = item
                && let Err(Full(item)) = player.schedule(at, item)
            {
                if let SongEvent::SysEx { handle, .. } = item {
                    player.free_payload(handle);
                }
                blocked = true;
                return;
            }
            index += 1;
            emitted += 1;
        });
        let finished = !blocked && emitted < budget;
        match &mut self.replay {
            Some(job) if !finished => job.done += emitted,
            _ => self.replay = None,
        }
        (emitted, blocked)
    }

    /// Seeks with chase: drops what the player had scheduled, rescans the
    /// file up to the target, and schedules a jump plus the state replay at
    /// the play head. Events at the target tick itself are played.
    pub fn seek<
        const E: usize,
        const SL: usize,
        const B: usize,
        const BB: usize,
        const V: usize,
        const P: usize,
    >(
        &mut self,
        player: &mut Player<E, SL, B, BB, V, P>,
        target: SeekTarget,
    ) -> Result<(), Error> {
        player.clear_scheduled();
        let at = player.timeline_now();
        let plan = self.rescan(target)?;
        player.set_position(
            at,
            plan.tick,
            plan.song_frame,
            plan.us_per_quarter,
            plan.signature,
        );
        self.resume_at(player, at, &plan);
        Ok(())
    }

    /// First half of a seek, for a feed that runs apart from its player:
    /// forgets what was pending, rescans the file up to `target` and says
    /// where playback will continue. The caller then has the player drop
    /// what it had scheduled and [`Player::set_position`] from the plan,
    /// and calls [`resume_at`](Self::resume_at) with the timeline frame the
    /// jump happens at. [`seek`](Self::seek) is exactly these steps.
    ///
    /// *Real-time*: not real-time (reads the file up to the target).
    pub fn rescan(&mut self, target: SeekTarget) -> Result<SeekPlan, Error> {
        self.stash.clear();
        self.replay = None;
        self.ended = false;
        self.reader.rewind()?;
        let timing = self.reader.header().timing;
        self.tempo = TempoMap::new(timing, self.sample_rate);
        self.chase.clear();
        self.bars = PositionClock::new(timing, self.sample_rate);
        self.clear_mark();
        loop {
            let next = self.reader.next_tick();
            if let Some(range) = self.looping() {
                self.capture_mark_if_due(next, range);
            }
            let Some(next) = next else { break };
            let before = match target {
                SeekTarget::Tick(t) => next < t,
                SeekTarget::SongFrame(f) => self.tempo.frame_at(next) < f,
            };
            if !before {
                break;
            }
            match self.reader.next_event() {
                Ok(Some(ev)) => {
                    let (tick, kind) = (ev.tick, ev.kind);
                    let port = fold_port(ev.port, self.ports);
                    observe_state(
                        &mut self.tempo,
                        &mut self.chase,
                        &mut self.bars,
                        (tick, port),
                        &kind,
                    );
                }
                Ok(None) => break,
                Err(e) if !e.is_fatal() => self.note_problem(e),
                Err(e) => return Err(e),
            }
        }
        let (tick, song_frame) = match target {
            SeekTarget::Tick(t) => (t, self.tempo.frame_at(t)),
            SeekTarget::SongFrame(f) => (self.tempo.tick_at_or_after(f), f),
        };
        Ok(SeekPlan {
            tick,
            song_frame,
            us_per_quarter: self.tempo.us_per_quarter(),
            signature: self.bars.signature(),
        })
    }

    /// Second half of a seek: schedules the jump marker and the chase
    /// replay at timeline frame `at` (the replay continues in later
    /// [`fill`](Self::fill) calls), and the song from there on.
    pub fn resume_at(&mut self, player: &mut impl EventSink, at: u64, plan: &SeekPlan) {
        self.jump_to(player, plan.tick, plan.song_frame, at, ReplayMode::Seek);
    }
}

/// Where a seek lands: what [`Player::set_position`] needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SeekPlan {
    /// Song tick playback continues at.
    pub tick: u64,
    /// Its frame in unscaled song time.
    pub song_frame: u64,
    /// Tempo in effect there.
    pub us_per_quarter: u32,
    /// Time signature in effect: (tick, bars before it, numerator,
    /// denominator as a power of two).
    pub signature: (u64, u32, u8, u8),
}

/// Where a [`Feed`] puts what it schedules: a [`Player`] (one thread),
/// or a queue to an audio thread that inserts the items into its player.
///
/// Payloads (sysex and texts) are stored first with
/// [`alloc_payload`](Self::alloc_payload); the handle travels in the
/// [`SongEvent`] item. An item that [`schedule`](Self::schedule) refuses
/// keeps its payload (the feed retries it later, or frees it with
/// [`free_payload`](Self::free_payload)).
///
/// *Real-time*: implementations must not block (the feed runs on the audio
/// side in single-threaded use).
pub trait EventSink {
    /// Schedules an item at a timeline frame.
    ///
    /// # Errors
    /// [`Full`] with the item when there is no room now.
    fn schedule(&mut self, timeline_frame: u64, item: SongEvent) -> Result<(), Full<SongEvent>>;

    /// Stores a payload for an item about to be scheduled.
    ///
    /// # Errors
    /// The pool's error when it is full or the payload is too long.
    fn alloc_payload(&mut self, bytes: &[u8]) -> Result<PoolHandle, PoolError>;

    /// Frees a payload whose item will not be scheduled.
    fn free_payload(&mut self, handle: PoolHandle);
}

impl<
    const E: usize,
    const SL: usize,
    const B: usize,
    const BB: usize,
    const V: usize,
    const P: usize,
> EventSink for Player<E, SL, B, BB, V, P>
{
    fn schedule(&mut self, tl: u64, item: SongEvent) -> Result<(), Full<SongEvent>> {
        Player::schedule(self, tl, item)
    }

    fn alloc_payload(&mut self, bytes: &[u8]) -> Result<PoolHandle, PoolError> {
        self.pool.alloc(bytes)
    }

    fn free_payload(&mut self, handle: PoolHandle) {
        let _ = self.pool.free(handle);
    }
}

/// A track's port folded into the feed's outputs (`ports` 0: `PORTS`,
/// which folds nothing a chase of `PORTS` ports does not fold itself).
fn fold_port(port: u8, ports: u8) -> u8 {
    if ports == 0 { port } else { port % ports }
}

/// Updates tempo, chase and bar state for an event at `(tick, port)`
/// (seek scans use only this).
fn observe_state<const CHASE_SYSEX: usize, const PORTS: usize>(
    tempo: &mut TempoMap,
    chase: &mut ChaseState<CHASE_SYSEX, PORTS>,
    bars: &mut PositionClock,
    (tick, port): (u64, u8),
    kind: &TrackEventKind<'_>,
) -> Option<u32> {
    match *kind {
        TrackEventKind::Midi { channel, message } => chase.observe_midi(port, channel, message),
        TrackEventKind::SysEx(data) => chase.observe_sysex(port, data),
        TrackEventKind::Meta(MetaMessage::Tempo(us)) => {
            tempo.set_tempo(tick, us.as_int());
        }
        TrackEventKind::Meta(MetaMessage::TimeSignature(n, d, _, _)) => {
            return Some(bars.time_signature(tick, n, d));
        }
        _ => {}
    }
    None
}

/// Updates the state and turns an event at `(tick, port)` into a calendar
/// item.
fn observe<const CHASE_SYSEX: usize, const PORTS: usize>(
    tempo: &mut TempoMap,
    chase: &mut ChaseState<CHASE_SYSEX, PORTS>,
    bars: &mut PositionClock,
    stats: &mut FeedStats,
    pool: &mut impl EventSink,
    (tick, port): (u64, u8),
    kind: &TrackEventKind<'_>,
) -> Option<SongEvent> {
    // With PORTS = 1 the chase keeps everything as port 0.
    let port = port % PORTS as u8;
    let bars_before = observe_state(tempo, chase, bars, (tick, port), kind);
    let mut text = |kind: TextKind, data: &[u8]| match pool.alloc_payload(data) {
        Ok(h) => Some(SongEvent::Text(kind, h)),
        Err(_) => {
            stats.texts_dropped += 1;
            None
        }
    };
    match *kind {
        TrackEventKind::Midi { channel, message } => Some(SongEvent::Midi {
            port,
            channel,
            message,
        }),
        TrackEventKind::SysEx(data) => match pool.alloc_payload(data) {
            Ok(handle) => Some(SongEvent::SysEx { port, handle }),
            Err(_) => {
                stats.sysex_dropped += 1;
                None
            }
        },
        TrackEventKind::Escape(_) => {
            stats.escapes_ignored += 1;
            None
        }
        TrackEventKind::Meta(meta) => match meta {
            MetaMessage::Tempo(us) => Some(SongEvent::Tempo {
                tick,
                us_per_quarter: us.as_int(),
            }),
            MetaMessage::TimeSignature(numerator, denominator_pow2, _, _) => {
                Some(SongEvent::TimeSignature {
                    tick,
                    numerator,
                    denominator_pow2,
                    bars_before: bars_before.unwrap_or(0),
                })
            }
            MetaMessage::KeySignature(sharps, minor) => {
                Some(SongEvent::KeySignature { sharps, minor })
            }
            MetaMessage::Lyric(d) => text(TextKind::Lyric, d),
            MetaMessage::Marker(d) => text(TextKind::Marker, d),
            MetaMessage::CuePoint(d) => text(TextKind::CuePoint, d),
            MetaMessage::Text(d) => text(TextKind::Text, d),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use midly::MidiMessage;
    use midly::num::u7;

    use super::{CHASE_SYSEX_BYTES, EventSink, Feed};
    use crate::sched::{Full, PoolError, PoolHandle};
    use crate::sequencer::test_synth::LogSynth;
    use crate::sequencer::{
        ALL_NOTES, LoopRange, MAX_FEED_EVENTS_PER_PERIOD, Player, SeekTarget, SongEvent,
    };
    use crate::smf::test_file::{notes, smf};
    use crate::smf::{ReaderOptions, SliceSource};

    /// Tempo 20 000 µs per quarter at 96 ticks and 48 kHz: a tick is 10 frames.
    const FAST: [u8; 7] = [0, 0xFF, 0x51, 3, 0x00, 0x4E, 0x20];

    type TestFeed<'a> = Feed<SliceSource<'a>, 4, 16, 16>;
    type TestPlayer = Player<256, 16, 4, 16>;
    /// A player that tells two ports apart.
    type PortPlayer = Player<256, 16, 4, 16, ALL_NOTES, 2>;

    /// One track: the fast tempo, then `body`.
    fn song(body: &[u8]) -> Vec<u8> {
        let mut t = Vec::from(FAST);
        t.extend_from_slice(body);
        smf(0, &[&t])
    }

    fn feed(file: &[u8]) -> TestFeed<'_> {
        TestFeed::open(SliceSource::new(file), ReaderOptions::STRICT, 48_000).unwrap()
    }

    /// A sink that holds at most `room` items, and no payloads.
    struct Sink {
        items: Vec<(u64, SongEvent)>,
        room: usize,
    }

    impl EventSink for Sink {
        fn schedule(&mut self, tl: u64, item: SongEvent) -> Result<(), Full<SongEvent>> {
            if self.items.len() >= self.room {
                return Err(Full(item));
            }
            self.items.push((tl, item));
            Ok(())
        }
        fn alloc_payload(&mut self, _: &[u8]) -> Result<PoolHandle, PoolError> {
            Err(PoolError::Full)
        }
        fn free_payload(&mut self, _: PoolHandle) {}
    }

    /// `(timeline frame, key)` of the note-ons among `items`.
    fn keys(items: &[(u64, SongEvent)]) -> Vec<(u64, u8)> {
        items
            .iter()
            .filter_map(|&(tl, item)| match item {
                SongEvent::Midi {
                    message: MidiMessage::NoteOn { key, .. },
                    ..
                } => Some((tl, key.as_int())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn fill_stops_at_the_horizon_and_the_budget_then_ends_the_song() {
        let file = song(&notes(&[(0, 60), (96, 62), (96, 64)]));
        let mut feed = feed(&file);
        let mut sink = Sink {
            items: Vec::new(),
            room: 100,
        };
        // Reads until an event reaches the horizon.
        feed.fill(&mut sink, 1, 100).unwrap();
        assert_eq!(keys(&sink.items), [(0, 60), (960, 62)]);
        feed.fill(&mut sink, 961, 100).unwrap();
        assert_eq!(keys(&sink.items), [(0, 60), (960, 62), (1920, 64)]);
        // A budget of one event: the end of track, not yet the end.
        feed.fill(&mut sink, u64::MAX, 1).unwrap();
        assert!(!feed.is_done());
        feed.fill(&mut sink, u64::MAX, 100).unwrap();
        assert!(feed.is_done());
        assert_eq!(sink.items.last(), Some(&(1920, SongEvent::End)));
        assert!(matches!(
            sink.items[0].1,
            SongEvent::Tempo {
                us_per_quarter: 20_000,
                ..
            }
        ));
    }

    #[test]
    fn a_full_sink_keeps_the_refused_item_and_the_order() {
        let file = song(&notes(&[(0, 60), (1, 61), (1, 62)]));
        let mut feed = feed(&file);
        let mut sink = Sink {
            items: Vec::new(),
            room: 2,
        };
        feed.fill(&mut sink, u64::MAX, 100).unwrap();
        assert_eq!(sink.items.len(), 2);
        feed.fill(&mut sink, u64::MAX, 100).unwrap();
        assert_eq!(sink.items.len(), 2, "nothing while full");
        let mut all = core::mem::take(&mut sink.items);
        sink.room = 100;
        feed.fill(&mut sink, u64::MAX, 100).unwrap();
        all.extend(sink.items);
        assert_eq!(keys(&all), [(0, 60), (10, 61), (20, 62)]);
        assert_eq!(all.last(), Some(&(20, SongEvent::End)));
    }

    /// Plays `periods` periods of 64 frames (or until the end), filling a
    /// period ahead with the budget the sequencer gives.
    fn run<const PORTS: usize>(
        feed: &mut Feed<SliceSource<'_>, 4, 16, 16, 1, CHASE_SYSEX_BYTES, PORTS>,
        player: &mut Player<256, 16, 4, 16, ALL_NOTES, PORTS>,
        synth: &mut LogSynth,
        periods: usize,
    ) {
        let (mut l, mut r) = ([0.0f32; 64], [0.0f32; 64]);
        for _ in 0..periods {
            if player.is_ended() && feed.is_done() {
                break;
            }
            let horizon = player.timeline_after(64) + 64;
            feed.fill(player, horizon, MAX_FEED_EVENTS_PER_PERIOD)
                .unwrap();
            player.process(synth, &mut l, &mut r, &mut ());
        }
    }

    #[test]
    fn seek_chases_controllers_and_plays_from_the_target() {
        // Program 5 and volume 90 on channel 0 before tick 50; notes at 50
        // (the target: played at once) and 100 (50 ticks later).
        let body = [
            0, 0xC0, 5, 10, 0xB0, 7, 90, 40, 0x90, 50, 1, 50, 0x90, 51, 1, 0, 0xFF, 0x2F, 0,
        ];
        let file = song(&body);
        let mut feed = feed(&file);
        let mut player = TestPlayer::new(feed.header().timing, 48_000, 6);
        let mut synth = LogSynth::default();
        feed.seek(&mut player, SeekTarget::Tick(50)).unwrap();
        assert_eq!(player.position().tick, 50);
        run(&mut feed, &mut player, &mut synth, 100);
        assert!(player.is_ended() && feed.is_done());
        let program = synth.log.iter().position(|&(_, _, m)| {
            m == MidiMessage::ProgramChange {
                program: u7::new(5),
            }
        });
        let volume = synth.log.iter().position(|&(_, _, m)| {
            m == MidiMessage::Controller {
                controller: u7::new(7),
                value: u7::new(90),
            }
        });
        assert!(program.is_some() && volume.is_some(), "{:?}", synth.log);
        assert_eq!(synth.note_ons(), [(0, 50), (500, 51)]);
    }

    #[test]
    fn a_loop_turns_at_its_end_and_replays_its_start() {
        let file = song(&notes(&[(0, 60), (48, 62), (48, 64)]));
        let mut feed = feed(&file);
        let mut player = TestPlayer::new(feed.header().timing, 48_000, 6);
        feed.set_loop(
            &mut player,
            Some(LoopRange {
                start: 0,
                end: Some(96),
            }),
        )
        .unwrap();
        // Three turns of 960 frames; the note at tick 96 never plays.
        let mut synth = LogSynth::default();
        run(&mut feed, &mut player, &mut synth, 46);
        assert_eq!(feed.stats().loops, 3);
        assert_eq!(
            synth.note_ons(),
            [
                (0, 60),
                (480, 62),
                (960, 60),
                (1440, 62),
                (1920, 60),
                (2400, 62),
                (2880, 60)
            ]
        );
        assert!(!feed.is_done());
    }

    /// A feed that routes to two ports.
    type PortFeed<'a> = Feed<SliceSource<'a>, 4, 16, 16, 1, CHASE_SYSEX_BYTES, 2>;

    /// Two tracks on channel 0 with their own programs: track 0 says
    /// port 0 (program 5; notes 60 at tick 10, 70 at 50), track 1 says
    /// port 1 (program 9; notes 61 at 10, 71 at 50), then port 0 at tick
    /// 55 (note 72 at 58).
    fn two_port_song() -> Vec<u8> {
        let mut t0 = Vec::from(FAST);
        t0.extend_from_slice(&[
            0, 0xFF, 0x21, 1, 0, 0, 0xC0, 5, 10, 0x90, 60, 64, 40, 0x90, 70, 64, 10, 0xFF, 0x2F, 0,
        ]);
        let t1 = [
            0, 0xFF, 0x21, 1, 1, 0, 0xC0, 9, 10, 0x90, 61, 64, 40, 0x90, 71, 64, 5, 0xFF, 0x21, 1,
            0, 3, 0x90, 72, 64, 2, 0xFF, 0x2F, 0,
        ];
        smf(1, &[&t0, &t1])
    }

    /// `(port, message)` of each message the synth got on channel 0 (the
    /// song's; the chase replays defaults on the others).
    fn with_ports(synth: &LogSynth) -> Vec<(u8, MidiMessage)> {
        synth
            .ports
            .iter()
            .zip(&synth.log)
            .filter(|(_, (_, ch, _))| *ch == 0)
            .map(|(&p, &(_, _, m))| (p, m))
            .collect()
    }

    fn program(p: u8) -> MidiMessage {
        MidiMessage::ProgramChange {
            program: u7::new(p),
        }
    }

    fn on(key: u8) -> MidiMessage {
        MidiMessage::NoteOn {
            key: u7::new(key),
            vel: u7::new(64),
        }
    }

    /// The note-ons (velocity > 0) among `got`.
    fn note_ons(got: &[(u8, MidiMessage)]) -> Vec<(u8, MidiMessage)> {
        got.iter()
            .copied()
            .filter(|(_, m)| matches!(m, MidiMessage::NoteOn { vel, .. } if vel.as_int() > 0))
            .collect()
    }

    /// What channel 0 gets (see [`with_ports`]) when the two-port song is
    /// played from a seek to tick 40 with `outputs` outputs.
    fn after_a_seek(outputs: usize) -> Vec<(u8, MidiMessage)> {
        let file = two_port_song();
        let mut feed =
            PortFeed::open(SliceSource::new(&file), ReaderOptions::STRICT, 48_000).unwrap();
        feed.set_ports(outputs);
        let mut player = PortPlayer::new(feed.header().timing, 48_000, 6);
        let mut synth = LogSynth::default();
        feed.seek(&mut player, SeekTarget::Tick(40)).unwrap();
        run(&mut feed, &mut player, &mut synth, 100);
        with_ports(&synth)
    }

    #[test]
    fn a_seek_restores_each_tracks_port_and_each_ports_programs() {
        let got = after_a_seek(2);
        // The chase: channel 0 of each port gets its own track's program.
        assert!(got.contains(&(0, program(5))), "{got:?}");
        assert!(got.contains(&(1, program(9))), "{got:?}");
        assert!(!got.contains(&(0, program(9))) && !got.contains(&(1, program(5))));
        // Then each note on its track's port as it was at the target (the
        // rescan read track 1's FF 21 01), and port 0 after its FF 21 00.
        assert_eq!(note_ons(&got), [(0, on(70)), (1, on(71)), (0, on(72))]);
        // Every note released on the port it sounded on.
        let offs: Vec<(u8, u8)> = got
            .iter()
            .filter_map(|&(p, m)| match m {
                MidiMessage::NoteOff { key, .. } => Some((p, key.as_int())),
                _ => None,
            })
            .collect();
        assert_eq!(offs, [(0, 70), (0, 72), (1, 71)]);
    }

    #[test]
    fn one_port_merges_every_track_as_before() {
        let got = after_a_seek(1);
        assert!(got.iter().all(|&(p, _)| p == 0), "{got:?}");
        // One set of channels: the last program sent on channel 0 wins.
        assert!(got.contains(&(0, program(9))) && !got.contains(&(0, program(5))));
    }

    #[test]
    fn a_loop_turn_restores_each_tracks_port_and_each_ports_programs() {
        let file = two_port_song();
        let mut feed =
            PortFeed::open(SliceSource::new(&file), ReaderOptions::STRICT, 48_000).unwrap();
        feed.set_ports(2);
        let mut player = PortPlayer::new(feed.header().timing, 48_000, 6);
        feed.set_loop(
            &mut player,
            Some(LoopRange {
                start: 40,
                end: Some(60),
            }),
        )
        .unwrap();
        feed.set_loop_turns(2);
        let mut synth = LogSynth::default();
        // Ticks 0-60, two turns of ticks 40-60, then the end.
        run(&mut feed, &mut player, &mut synth, 100);
        assert!(player.is_ended() && feed.is_done());
        assert_eq!(feed.stats().loops, 2);
        let got = with_ports(&synth);
        let notes = note_ons(&got);
        // Track 1 is back on port 1 at each turn, although it had moved
        // to port 0 at tick 55.
        let turn = [(0, on(70)), (1, on(71)), (0, on(72))];
        assert_eq!(notes[..2], [(0, on(60)), (1, on(61))]);
        assert_eq!(notes[2..5], turn);
        assert_eq!(notes[5..8], turn);
        assert_eq!(notes[8..], turn);
        // Each turn's chase gives each port its own program back.
        let programs: Vec<(u8, MidiMessage)> = got
            .iter()
            .copied()
            .filter(|(_, m)| matches!(m, MidiMessage::ProgramChange { .. }))
            .collect();
        assert_eq!(
            programs,
            [
                (0, program(5)),
                (1, program(9)),
                (0, program(5)),
                (1, program(9)),
                (0, program(5)),
                (1, program(9))
            ]
        );
    }
}
