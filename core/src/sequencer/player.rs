//! The audio side of the sequencer: a calendar of timed events, the pool for
//! their payloads, and the transport that plays them period by period into
//! a [`Synth`] with bounded work.
//!
//! Per period `[P, P + n)` of output frames the player pops every event
//! whose timeline frame sounds before `P + n` (at most
//! [`MAX_EVENTS_PER_PERIOD`]; the rest wait one period and are counted as
//! deferred), renders the synth up to each event's frame offset, applies the
//! event, and renders the rest. Events land on their exact frames whatever
//! the period size, so any period size gives the same `(frame, event)`
//! stream.
//!
//! Each message keeps its port (`FF 21`, folded by the feed): sounding
//! notes are kept per (port, channel, key), so a seek, pause or the end
//! releases each note on the port it sounds on, and [`Player::silence`]
//! reaches every port it is told of. Mute and solo act on a channel on
//! every port.
//!
//! *Real-time*: no allocation, no locks, no I/O; every loop is bounded by a
//! constant ([`MAX_EVENTS_PER_PERIOD`], `VOICES` for releases, 16 ports ×
//! 16 channels for [`Player::silence`]).

use midly::MidiMessage;
use midly::num::{u4, u7};

use super::active_notes::{ALL_NOTES, ActiveNotes, NotesFull};
use super::chase::MAX_PORTS;
use super::observer::{Notice, Observer};
use super::position::{Position, PositionClock};
use super::scale_map::ScaleMap;
use super::song_event::SongEvent;
use crate::sched::{Calendar, EventPool, Full};
use crate::synth::{Synth, SynthEvent};

/// Most events one period applies (a compile-time bound on its work).
pub const MAX_EVENTS_PER_PERIOD: usize = 1024;

/// The GM drum channel (channel 10), never transposed.
const DRUM_CHANNEL: u8 = 9;

/// Counters of what did not go as planned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PlayerStats {
    /// Events applied after their frame (they arrived or were popped late).
    pub late: u64,
    /// Periods that hit [`MAX_EVENTS_PER_PERIOD`] with events still due.
    pub deferred_periods: u64,
    /// Notes not played because transposition took them out of 0–127.
    pub notes_out_of_range: u64,
    /// Events the player applied.
    pub applied: u64,
    /// Notes not played because `VOICES` notes were sounding already (never
    /// with the default [`ALL_NOTES`]).
    pub notes_over_capacity: u64,
}

/// Calendar, pool and transport; see the module docs.
///
/// `VOICES` sizes the table of sounding notes ([`ActiveNotes`]): by default
/// every key of every channel of one port (a player fed several ports
/// chooses `ports × ALL_NOTES` to keep that promise); with fewer, a note
/// struck while that many sound is not played
/// ([`PlayerStats::notes_over_capacity`]).
///
/// `PORTS` (1 to [`MAX_PORTS`], default 1: every message on port 0) is the
/// number of ports the player tells apart; a port `p` is played as
/// `p % PORTS`. Give it the feed's `PORTS`.
pub struct Player<
    const EVENTS: usize,
    const SLOTS: usize,
    const BLOCKS: usize,
    const BLOCK_BYTES: usize,
    const VOICES: usize = ALL_NOTES,
    const PORTS: usize = 1,
> {
    pub(crate) calendar: Calendar<SongEvent, EVENTS, SLOTS>,
    pub(crate) pool: EventPool<BLOCKS, BLOCK_BYTES>,
    output_frame: u64,
    scale: ScaleMap,
    /// Timeline frame where playback stands still, while paused.
    paused_at: Option<u64>,
    notes: ActiveNotes<VOICES>,
    transpose: i8,
    muted: u16,
    solo: u16,
    clock: PositionClock,
    /// (timeline frame, song frame) of the last jump.
    song_base: (u64, u64),
    ended: bool,
    stats: PlayerStats,
}

impl<
    const EVENTS: usize,
    const SLOTS: usize,
    const BLOCKS: usize,
    const BLOCK_BYTES: usize,
    const VOICES: usize,
    const PORTS: usize,
> Player<EVENTS, SLOTS, BLOCKS, BLOCK_BYTES, VOICES, PORTS>
{
    /// A stopped player at output frame 0. `bucket_log2` sets the
    /// calendar's bucket width (round the period size up to a power of two).
    pub fn new(timing: midly::Timing, sample_rate: u32, bucket_log2: u32) -> Self {
        let mut player = Self::idle();
        player.reset(timing, sample_rate, bucket_log2);
        player
    }

    /// A stopped player before any song (placeholder timing, buckets of
    /// one frame) until [`Player::reset`]. `const`, so it can initialise a
    /// `static`.
    pub const fn idle() -> Self {
        const {
            assert!(
                PORTS >= 1 && PORTS <= MAX_PORTS,
                "Player: PORTS must be in 1..=16"
            );
        }
        Self {
            calendar: Calendar::new(0),
            pool: EventPool::new(),
            output_frame: 0,
            scale: ScaleMap::new(),
            paused_at: None,
            notes: ActiveNotes::new(),
            transpose: 0,
            muted: 0,
            solo: 0,
            clock: PositionClock::UNSET,
            song_base: (0, 0),
            ended: false,
            stats: PlayerStats {
                late: 0,
                deferred_periods: 0,
                notes_out_of_range: 0,
                applied: 0,
                notes_over_capacity: 0,
            },
        }
    }

    /// Makes this a new player in place (as [`Player::new`], field by
    /// field, without building one on the stack): everything scheduled is
    /// dropped, sounding notes are forgotten (not released), and transport
    /// settings (pause, tempo scale, transpose, mute, solo) are reset.
    pub fn reset(&mut self, timing: midly::Timing, sample_rate: u32, bucket_log2: u32) {
        self.calendar.reset(bucket_log2);
        self.pool.reset();
        self.output_frame = 0;
        self.scale = ScaleMap::new();
        self.paused_at = None;
        self.notes.clear();
        self.transpose = 0;
        self.muted = 0;
        self.solo = 0;
        self.clock = PositionClock::new(timing, sample_rate);
        self.song_base = (0, 0);
        self.ended = false;
        self.stats = PlayerStats::default();
    }

    /// Timeline frame up to which everything has been played.
    pub fn timeline_now(&self) -> u64 {
        self.paused_at
            .unwrap_or_else(|| self.scale.bound(self.output_frame))
    }

    /// Timeline frame the next `frames` output frames reach.
    pub fn timeline_after(&self, frames: u64) -> u64 {
        self.paused_at
            .unwrap_or_else(|| self.scale.bound(self.output_frame + frames))
    }

    /// Schedules an item at a timeline frame.
    pub fn schedule(
        &mut self,
        timeline_frame: u64,
        item: SongEvent,
    ) -> Result<(), Full<SongEvent>> {
        self.calendar.insert(timeline_frame, item)
    }

    /// Moves the position to `tick` (song frame `song_frame`) at timeline
    /// frame `tl` now, so that it reads right even while paused; the jump
    /// marker scheduled at `tl` releases the notes when played.
    pub fn set_position(
        &mut self,
        tl: u64,
        tick: u64,
        song_frame: u64,
        us_per_quarter: u32,
        signature: (u64, u32, u8, u8),
    ) {
        self.song_base = (tl, song_frame);
        self.clock.jump(tick, song_frame, us_per_quarter);
        let (sig_tick, bars_before, numerator, denominator_pow2) = signature;
        self.clock
            .set_signature(sig_tick, bars_before, numerator, denominator_pow2);
    }

    /// Drops every scheduled item (before a seek), freeing their payloads.
    pub fn clear_scheduled(&mut self) {
        let pool = &mut self.pool;
        self.calendar.drain(|_, item| free_payload(pool, item));
        self.ended = false;
    }

    /// Where the play head is.
    pub fn position(&self) -> Position {
        let tl = self.timeline_now();
        let song = self
            .song_base
            .1
            .saturating_add(tl.saturating_sub(self.song_base.0));
        self.clock.position(song, self.output_frame)
    }

    /// Counters.
    pub const fn stats(&self) -> &PlayerStats {
        &self.stats
    }

    /// Whether the end marker was played.
    pub const fn is_ended(&self) -> bool {
        self.ended
    }

    /// Whether playback is paused.
    pub const fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// Notes sounding now.
    pub const fn sounding_notes(&self) -> usize {
        self.notes.len()
    }

    /// Channels with a note sounding (bit n = channel n).
    pub fn sounding_channels(&self) -> u16 {
        self.notes.channels()
    }

    /// Tempo scale in thousandths.
    pub const fn tempo_milli(&self) -> u32 {
        self.scale.milli()
    }

    /// Transposition in semitones.
    pub const fn transpose(&self) -> i8 {
        self.transpose
    }

    /// Muted channels (bit n = channel n).
    pub const fn muted(&self) -> u16 {
        self.muted
    }

    /// Soloed channels (bit n = channel n; none = all audible).
    pub const fn soloed(&self) -> u16 {
        self.solo
    }

    /// Pauses: sounding notes are released, time stands still.
    pub fn pause(&mut self, synth: &mut impl Synth) {
        if self.paused_at.is_none() {
            self.paused_at = Some(self.scale.bound(self.output_frame));
            self.release_all(synth);
        }
    }

    /// Resumes where pause stopped.
    pub fn resume(&mut self) {
        if let Some(tl) = self.paused_at.take() {
            self.scale.restart(self.output_frame, tl);
        }
    }

    /// Sets the tempo scale (thousandths, clamped to 250–4000) from the
    /// current output frame on, without a jump in position.
    pub fn set_tempo_milli(&mut self, milli: u32) {
        if self.paused_at.is_some() {
            self.scale.set_milli(milli);
        } else {
            self.scale.rescale(self.output_frame, milli);
        }
    }

    /// Sets the transposition (clamped to ±24 semitones); sounding notes
    /// keep their key until released.
    pub fn set_transpose(&mut self, semitones: i8) {
        self.transpose = semitones.clamp(-24, 24);
    }

    /// Mutes or unmutes a channel (0–15); muting releases its notes.
    pub fn set_muted(&mut self, synth: &mut impl Synth, channel: u4, muted: bool) {
        let bit = 1u16 << channel.as_int();
        if muted {
            self.muted |= bit;
        } else {
            self.muted &= !bit;
        }
        self.release_inaudible(synth);
    }

    /// Adds or removes a channel from the solo set; channels outside a
    /// non-empty solo set are silenced (their notes released).
    pub fn set_solo(&mut self, synth: &mut impl Synth, channel: u4, solo: bool) {
        let bit = 1u16 << channel.as_int();
        if solo {
            self.solo |= bit;
        } else {
            self.solo &= !bit;
        }
        self.release_inaudible(synth);
    }

    /// Releases every sounding note, then All Notes Off and All Sound Off
    /// on every channel of ports `0..ports` (the feed's
    /// [`ports`](super::Feed::ports); at least port 0), now.
    pub fn silence(&mut self, synth: &mut impl Synth, ports: usize) {
        self.release_all(synth);
        for port in 0..ports.clamp(1, PORTS) as u8 {
            for ch in 0..16u8 {
                for cc in [123u8, 120] {
                    let message = MidiMessage::Controller {
                        controller: u7::new(cc),
                        value: u7::new(0),
                    };
                    synth.apply(SynthEvent::Midi {
                        port,
                        channel: u4::new(ch),
                        message,
                    });
                }
            }
        }
    }

    fn audible(&self, channel: u4) -> bool {
        let bit = 1u16 << channel.as_int();
        self.muted & bit == 0 && (self.solo == 0 || self.solo & bit != 0)
    }

    fn release_inaudible(&mut self, synth: &mut impl Synth) {
        for ch in 0..16u8 {
            let channel = u4::new(ch);
            if !self.audible(channel) {
                self.notes.release_channel(channel, PORTS, |port, key| {
                    note_off(synth, port, channel, key)
                });
            }
        }
    }

    fn release_all(&mut self, synth: &mut impl Synth) {
        self.notes
            .release_all(|port, channel, key| note_off(synth, port, channel, key));
    }

    /// Plays one period: `left.len()` frames (the shorter of the two).
    pub fn process(
        &mut self,
        synth: &mut impl Synth,
        left: &mut [f32],
        right: &mut [f32],
        observer: &mut impl Observer,
    ) {
        let n = left.len().min(right.len());
        let (left, right) = (&mut left[..n], &mut right[..n]);
        let mut rendered = 0usize;
        if self.paused_at.is_none() && n > 0 {
            let end = self.scale.bound(self.output_frame + n as u64);
            let mut applied = 0;
            while applied < MAX_EVENTS_PER_PERIOD {
                let Some((tl, item)) = self.calendar.pop_due(end) else {
                    break;
                };
                let out = self.scale.out_of(tl);
                if out < self.output_frame {
                    self.stats.late += 1;
                }
                let offset = (out.saturating_sub(self.output_frame) as usize).min(n - 1);
                if offset > rendered {
                    synth.render(&mut left[rendered..offset], &mut right[rendered..offset]);
                    rendered = offset;
                }
                self.dispatch(tl, item, synth, observer, offset as u32);
                applied += 1;
            }
            self.stats.applied += applied as u64;
            if applied == MAX_EVENTS_PER_PERIOD
                && self.calendar.peek_next_frame().is_some_and(|f| f < end)
            {
                self.stats.deferred_periods += 1;
            }
        }
        if rendered < n {
            synth.render(&mut left[rendered..], &mut right[rendered..]);
        }
        self.output_frame += n as u64;
    }

    fn dispatch(
        &mut self,
        tl: u64,
        item: SongEvent,
        synth: &mut impl Synth,
        observer: &mut impl Observer,
        offset: u32,
    ) {
        match item {
            SongEvent::Midi {
                port,
                channel,
                message,
            } => {
                self.play_midi(synth, port % PORTS as u8, channel, message);
            }
            SongEvent::SysEx { port, handle } => {
                let port = port % PORTS as u8;
                if let Some(data) = self.pool.get(handle) {
                    synth.apply(SynthEvent::SysEx { port, data });
                }
                let _ = self.pool.free(handle);
            }
            SongEvent::Text(kind, handle) => {
                if let Some(bytes) = self.pool.get(handle) {
                    observer.notice(offset, Notice::Text(kind, bytes));
                }
                let _ = self.pool.free(handle);
            }
            SongEvent::Tempo {
                tick,
                us_per_quarter,
            } => {
                let song = self.song_frame_at(tl);
                self.clock.tempo(tick, song, us_per_quarter);
                observer.notice(offset, Notice::Tempo(us_per_quarter));
            }
            SongEvent::TimeSignature {
                tick,
                numerator,
                denominator_pow2,
                bars_before,
            } => {
                self.clock
                    .set_signature(tick, bars_before, numerator, denominator_pow2);
                observer.notice(offset, Notice::TimeSignature(numerator, denominator_pow2));
            }
            SongEvent::KeySignature { sharps, minor } => {
                observer.notice(offset, Notice::KeySignature(sharps, minor));
            }
            SongEvent::Jump {
                tick,
                song_frame,
                us_per_quarter,
                looped,
            } => {
                self.release_all(synth);
                synth.apply(SynthEvent::Jump { looped });
                self.song_base = (tl, song_frame);
                self.clock.jump(tick, song_frame, us_per_quarter);
                self.ended = false;
                observer.notice(offset, Notice::Jumped { tick, looped });
            }
            SongEvent::End => {
                // Files with note-ons and no note-offs must not leave notes hanging.
                self.release_all(synth);
                self.ended = true;
                observer.notice(offset, Notice::End);
            }
        }
    }

    fn song_frame_at(&self, tl: u64) -> u64 {
        self.song_base
            .1
            .saturating_add(tl.saturating_sub(self.song_base.0))
    }

    fn play_midi(&mut self, synth: &mut impl Synth, port: u8, channel: u4, message: MidiMessage) {
        match message {
            MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                if !self.audible(channel) {
                    return;
                }
                let Some(sent) = self.transposed(channel, key.as_int()) else {
                    self.stats.notes_out_of_range += 1;
                    return;
                };
                match self.notes.note_on(port, channel, key.as_int(), sent) {
                    Ok(Some(previous)) => note_off(synth, port, channel, previous),
                    Ok(None) => {}
                    Err(NotesFull) => {
                        self.stats.notes_over_capacity += 1;
                        return;
                    }
                }
                let message = MidiMessage::NoteOn {
                    key: u7::new(sent),
                    vel,
                };
                synth.apply(SynthEvent::Midi {
                    port,
                    channel,
                    message,
                });
            }
            MidiMessage::NoteOn { key, vel } | MidiMessage::NoteOff { key, vel } => {
                if let Some(sent) = self.notes.note_off(port, channel, key.as_int()) {
                    let message = match message {
                        MidiMessage::NoteOn { .. } => MidiMessage::NoteOn {
                            key: u7::new(sent),
                            vel,
                        },
                        _ => MidiMessage::NoteOff {
                            key: u7::new(sent),
                            vel,
                        },
                    };
                    synth.apply(SynthEvent::Midi {
                        port,
                        channel,
                        message,
                    });
                }
            }
            MidiMessage::Aftertouch { key, vel } => {
                if let Some(sent) = self.notes.sent_key(port, channel, key.as_int()) {
                    let message = MidiMessage::Aftertouch {
                        key: u7::new(sent),
                        vel,
                    };
                    synth.apply(SynthEvent::Midi {
                        port,
                        channel,
                        message,
                    });
                }
            }
            MidiMessage::Controller { controller, .. }
                if matches!(controller.as_int(), 120 | 123..=127) =>
            {
                // All sound/notes off and the mode messages (which imply all
                // notes off): the file silenced the channel itself.
                self.notes.forget_channel(port, channel);
                synth.apply(SynthEvent::Midi {
                    port,
                    channel,
                    message,
                });
            }
            _ => synth.apply(SynthEvent::Midi {
                port,
                channel,
                message,
            }),
        }
    }

    fn transposed(&self, channel: u4, key: u8) -> Option<u8> {
        if channel.as_int() == DRUM_CHANNEL {
            return Some(key);
        }
        let k = i16::from(key) + i16::from(self.transpose);
        u8::try_from(k).ok().filter(|k| *k <= 127)
    }
}

fn note_off(synth: &mut impl Synth, port: u8, channel: u4, key: u8) {
    let message = MidiMessage::NoteOff {
        key: u7::new(key & 0x7F),
        vel: u7::new(0),
    };
    synth.apply(SynthEvent::Midi {
        port,
        channel,
        message,
    });
}

fn free_payload<const B: usize, const BB: usize>(pool: &mut EventPool<B, BB>, item: SongEvent) {
    if let SongEvent::SysEx { handle: h, .. } | SongEvent::Text(_, h) = item {
        let _ = pool.free(h);
    }
}

#[cfg(test)]
mod tests {
    use midly::num::{u4, u15};

    use super::Player;
    use crate::sequencer::SongEvent;
    use crate::sequencer::test_synth::{LogSynth, note};

    /// 64-event calendar, buckets of 64 frames, 4 voices.
    type TestPlayer = Player<64, 16, 2, 16, 4>;

    fn player() -> TestPlayer {
        TestPlayer::new(midly::Timing::Metrical(u15::new(96)), 48_000, 6)
    }

    /// Plays `periods` periods of `frames` frames.
    fn play(player: &mut TestPlayer, synth: &mut LogSynth, periods: usize, frames: usize) {
        let (mut l, mut r) = ([0.0f32; 256], [0.0f32; 256]);
        for _ in 0..periods {
            player.process(synth, &mut l[..frames], &mut r[..frames], &mut ());
        }
    }

    #[test]
    fn events_land_on_their_exact_frames_whatever_the_period() {
        for frames in [1, 7, 64, 100, 256] {
            let mut p = player();
            let mut synth = LogSynth::default();
            p.schedule(0, note(0, 60, 100)).unwrap();
            p.schedule(100, note(0, 61, 100)).unwrap();
            p.schedule(301, note(0, 60, 0)).unwrap();
            play(&mut p, &mut synth, 400 / frames + 1, frames);
            assert_eq!(synth.note_ons(), [(0, 60), (100, 61)], "period {frames}");
            assert_eq!(synth.note_offs(), [(301, 60)], "period {frames}");
            assert_eq!(p.stats().late, 0);
        }
    }

    #[test]
    fn a_faster_tempo_scale_brings_events_earlier() {
        let mut p = player();
        let mut synth = LogSynth::default();
        p.set_tempo_milli(2000);
        p.schedule(200, note(0, 60, 100)).unwrap();
        play(&mut p, &mut synth, 4, 64);
        assert_eq!(synth.note_ons(), [(100, 60)]);
        assert_eq!(p.tempo_milli(), 2000);
    }

    #[test]
    fn pause_releases_notes_and_stops_time_until_resume() {
        let mut p = player();
        let mut synth = LogSynth::default();
        p.schedule(10, note(0, 60, 100)).unwrap();
        p.schedule(70, note(0, 62, 100)).unwrap();
        play(&mut p, &mut synth, 1, 64);
        p.pause(&mut synth);
        assert!(p.is_paused() && p.sounding_notes() == 0);
        assert_eq!(synth.note_offs(), [(64, 60)]);
        play(&mut p, &mut synth, 3, 64);
        assert_eq!(synth.note_ons(), [(10, 60)], "nothing plays while paused");
        assert_eq!(p.timeline_now(), 64);
        p.resume();
        play(&mut p, &mut synth, 1, 64);
        // Timeline frame 70 is 6 frames after the resume at output frame 256.
        assert_eq!(synth.note_ons(), [(10, 60), (262, 62)]);
    }

    #[test]
    fn transpose_moves_keys_but_not_drums_and_releases_the_key_it_sent() {
        let mut p = player();
        let mut synth = LogSynth::default();
        p.set_transpose(2);
        p.schedule(0, note(0, 60, 100)).unwrap();
        p.schedule(0, note(9, 36, 100)).unwrap();
        p.schedule(0, note(1, 127, 100)).unwrap();
        play(&mut p, &mut synth, 1, 64);
        p.set_transpose(-5);
        p.schedule(64, note(0, 60, 0)).unwrap();
        play(&mut p, &mut synth, 1, 64);
        assert_eq!(synth.note_ons(), [(0, 62), (0, 36)]);
        assert_eq!(p.stats().notes_out_of_range, 1);
        assert_eq!(synth.note_offs(), [(64, 62)]);
        assert_eq!(p.transpose(), -5);
    }

    #[test]
    fn mute_and_solo_release_and_hold_back_notes() {
        let mut p = player();
        let mut synth = LogSynth::default();
        p.schedule(0, note(0, 60, 100)).unwrap();
        p.schedule(0, note(1, 61, 100)).unwrap();
        play(&mut p, &mut synth, 1, 64);
        p.set_muted(&mut synth, u4::new(0), true);
        assert_eq!(synth.note_offs(), [(64, 60)]);
        p.set_solo(&mut synth, u4::new(2), true);
        assert_eq!(synth.note_offs(), [(64, 60), (64, 61)]);
        p.schedule(64, note(2, 62, 100)).unwrap();
        p.schedule(64, note(1, 63, 100)).unwrap();
        p.schedule(64, note(0, 64, 100)).unwrap();
        play(&mut p, &mut synth, 1, 64);
        assert_eq!(synth.note_ons(), [(0, 60), (0, 61), (64, 62)]);
        assert_eq!((p.muted(), p.soloed()), (1, 4));
        assert_eq!(p.sounding_channels(), 4);
    }

    #[test]
    fn a_struck_key_is_released_before_it_sounds_again_and_voices_are_bounded() {
        let mut p = player();
        let mut synth = LogSynth::default();
        p.schedule(0, note(0, 60, 100)).unwrap();
        p.schedule(5, note(0, 60, 100)).unwrap();
        for key in 61..66 {
            p.schedule(10, note(0, key, 100)).unwrap();
        }
        play(&mut p, &mut synth, 1, 64);
        assert_eq!(synth.note_offs(), [(5, 60)]);
        // Four voices: 60, 61, 62, 63; 64 and 65 are not played.
        assert_eq!(p.sounding_notes(), 4);
        assert_eq!(p.stats().notes_over_capacity, 2);
        assert_eq!(
            synth.note_ons(),
            [(0, 60), (5, 60), (10, 61), (10, 62), (10, 63)]
        );
    }

    #[test]
    fn the_end_releases_hanging_notes() {
        let mut p = player();
        let mut synth = LogSynth::default();
        p.schedule(0, note(3, 60, 100)).unwrap();
        p.schedule(30, SongEvent::End).unwrap();
        play(&mut p, &mut synth, 1, 64);
        assert!(p.is_ended());
        assert_eq!(synth.note_offs(), [(30, 60)]);
    }

    #[test]
    fn a_full_calendar_hands_the_event_back() {
        let mut p = Player::<2, 2, 1, 16, 4>::new(midly::Timing::Metrical(u15::new(96)), 48_000, 6);
        p.schedule(0, note(0, 60, 100)).unwrap();
        p.schedule(1, note(0, 61, 100)).unwrap();
        let full = p.schedule(2, note(0, 62, 100)).unwrap_err();
        assert_eq!(full.0, note(0, 62, 100));
        p.clear_scheduled();
        p.schedule(2, note(0, 62, 100)).unwrap();
    }
}
