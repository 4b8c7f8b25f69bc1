//! The keys and `--commands` lines that speak the song's own terms: jump a
//! bar back or forward, seek to a bar:beat, set the A–B loop's ends at the
//! play head, loop a given range, clear the loop. [`SongActions`] resolves
//! them with the song's [`SongMap`] into seek targets for the feeder and
//! loop ranges for it to arm, and publishes the loop for the display.
//!
//! *Real-time*: control thread only; never blocks.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use smfplay_core::sequencer::{BarBeat, LoopRange, SeekTarget};

use crate::play::realtime::play_status::PlayStatus;
use crate::play::realtime::queues::ControlEnds;
use crate::song_map::SongMap;

/// A bar key pressed this soon after another counts from the bar the
/// first one went to (the play head has not got there yet), as the seek
/// keys do.
const BAR_CHAIN: Duration = Duration::from_millis(600);

/// A position a command names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SongPoint {
    /// Milliseconds of song time.
    Ms(u64),
    /// A bar:beat.
    Bar(BarBeat),
}

/// What is asked in the song's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SongAction {
    /// Jump this many bars (negative: back), to the bar's first beat.
    BarBy(i32),
    /// Seek to a position.
    SeekTo(SongPoint),
    /// The loop starts at the play head.
    SetA,
    /// The loop ends at the play head (playback goes back to A at once).
    SetB,
    /// Loop this range.
    Between(SongPoint, SongPoint),
    /// No loop: play on to the end.
    Clear,
}

/// Resolves song actions for one song.
pub struct SongActions {
    map: Arc<SongMap>,
    rate: u32,
    a: Option<u64>,
    range: Option<LoopRange>,
    last_bar: Option<(Instant, u32)>,
}

/// What resolving an action gives the delivery to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A seek for the feeder.
    Seek(SeekTarget),
    /// A loop (or none) for the feeder.
    Loop(Option<LoopRange>),
    /// Nothing to send (e.g. A set, B not yet).
    Nothing,
}

impl SongActions {
    /// For a song of `map` played at `rate` Hz, looping `range` from the start.
    pub fn new(map: Arc<SongMap>, rate: u32, range: Option<LoopRange>) -> Self {
        Self {
            map,
            rate,
            a: None,
            range,
            last_bar: None,
        }
    }

    fn tick_now(&self, status: &PlayStatus) -> u64 {
        let ms = status.song_ms.load(Ordering::Relaxed);
        self.map
            .tick_at(ms.saturating_mul(u64::from(self.rate)) / 1000, self.rate)
    }

    fn tick_of(&self, p: SongPoint) -> Option<u64> {
        match p {
            SongPoint::Ms(ms) => Some(
                self.map
                    .tick_at(ms.saturating_mul(u64::from(self.rate)) / 1000, self.rate),
            ),
            SongPoint::Bar(bb) => self.map.tick_of_bar(bb).ok(),
        }
    }

    /// What `action` asks, at the play head `status` shows.
    pub fn resolve(&mut self, action: SongAction, status: &PlayStatus) -> Resolved {
        let chained = self.last_bar.take();
        match action {
            SongAction::BarBy(n) => {
                let base = match chained {
                    Some((at, bar)) if at.elapsed() < BAR_CHAIN => bar,
                    _ => self.map.bar_beat(self.tick_now(status)).bar,
                };
                let bar = i64::from(base) + i64::from(n);
                let bar = u32::try_from(bar.max(1)).unwrap_or(u32::MAX);
                self.last_bar = Some((Instant::now(), bar));
                match self.map.tick_of_bar(BarBeat::bar(bar)) {
                    Ok(t) => Resolved::Seek(SeekTarget::Tick(t)),
                    Err(_) => Resolved::Nothing,
                }
            }
            SongAction::SeekTo(p) => match self.tick_of(p) {
                Some(t) => Resolved::Seek(SeekTarget::Tick(t)),
                None => Resolved::Nothing,
            },
            SongAction::SetA => {
                self.a = Some(self.tick_now(status));
                Resolved::Nothing
            }
            SongAction::SetB => {
                let b = self.tick_now(status);
                let a = self.a.unwrap_or(0);
                if b <= a {
                    return Resolved::Nothing;
                }
                self.set(Some(LoopRange {
                    start: a,
                    end: Some(b),
                }))
            }
            SongAction::Between(a, b) => match (self.tick_of(a), self.tick_of(b)) {
                (Some(a), Some(b)) if b > a => self.set(Some(LoopRange {
                    start: a,
                    end: Some(b),
                })),
                _ => Resolved::Nothing,
            },
            SongAction::Clear => {
                self.a = None;
                self.set(None)
            }
        }
    }

    fn set(&mut self, range: Option<LoopRange>) -> Resolved {
        self.range = range;
        Resolved::Loop(range)
    }

    /// Sends what was resolved; false when its queue was full.
    pub fn send(resolved: Resolved, q: &mut ControlEnds<'_>) -> bool {
        match resolved {
            Resolved::Seek(t) => q.seeks.enqueue(t).is_ok(),
            Resolved::Loop(r) => q.loops.enqueue(r).is_ok(),
            Resolved::Nothing => true,
        }
    }

    /// The loop as the display shows it: "A–B 5:1–9:1" (or "A 5:1" while
    /// B is not set), `None` without a loop.
    pub fn shown(&self) -> Option<String> {
        match (self.range, self.a) {
            (Some(r), _) => Some(self.map.describe(r)),
            (None, Some(a)) => Some(format!("A {} (B: ])", self.map.bar_beat(a))),
            (None, None) => None,
        }
    }
}

/// Parses `seek`'s and `loop`'s positions: bar:beat or seconds.
pub fn parse_point(s: &str) -> Result<SongPoint, String> {
    use smfplay_core::sequencer::TimePoint;
    match TimePoint::parse(s).map_err(|e| format!("'{s}': {e}"))? {
        TimePoint::Seconds(secs) => Ok(SongPoint::Ms((secs * 1000.0).round() as u64)),
        TimePoint::Bars(bb) => Ok(SongPoint::Bar(bb)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_as_bars_or_seconds() {
        assert_eq!(parse_point("17:1"), Ok(SongPoint::Bar(BarBeat::bar(17))));
        assert_eq!(parse_point("2.5"), Ok(SongPoint::Ms(2500)));
        assert!(parse_point("17:0").unwrap_err().contains("counts from 1"));
    }

    #[test]
    fn a_and_b_at_the_play_head_make_the_loop_and_bars_jump() {
        use midly::num::u15;
        // 480 ticks per quarter, 4/4, 120 BPM: a bar is 2 s, 1920 ticks.
        let map = Arc::new(SongMap::new(midly::Timing::Metrical(u15::new(480))));
        let mut song = SongActions::new(map, 48_000, None);
        let status = PlayStatus::new();
        let at = |ms: u64| status.song_ms.store(ms, Ordering::Relaxed);
        at(2000);
        assert_eq!(song.resolve(SongAction::SetA, &status), Resolved::Nothing);
        assert_eq!(song.shown().as_deref(), Some("A 2:1 (B: ])"));
        at(1000);
        // B before A: nothing.
        assert_eq!(song.resolve(SongAction::SetB, &status), Resolved::Nothing);
        at(6000);
        let ab = LoopRange {
            start: 1920,
            end: Some(5760),
        };
        assert_eq!(
            song.resolve(SongAction::SetB, &status),
            Resolved::Loop(Some(ab))
        );
        assert_eq!(song.shown().as_deref(), Some("bars 2:1–4:1"));
        assert_eq!(
            song.resolve(SongAction::BarBy(1), &status),
            Resolved::Seek(SeekTarget::Tick(7680))
        );
        // Pressed again at once: from the bar the first press went to.
        assert_eq!(
            song.resolve(SongAction::BarBy(1), &status),
            Resolved::Seek(SeekTarget::Tick(9600))
        );
        assert_eq!(
            song.resolve(SongAction::BarBy(-9), &status),
            Resolved::Seek(SeekTarget::Tick(0))
        );
        assert_eq!(
            song.resolve(SongAction::SeekTo(SongPoint::Bar(BarBeat::bar(3))), &status),
            Resolved::Seek(SeekTarget::Tick(3840))
        );
        assert_eq!(
            song.resolve(SongAction::Clear, &status),
            Resolved::Loop(None)
        );
        assert_eq!(song.shown(), None);
    }
}
