//! What a scan learns about a song's time: its tempo changes, time
//! signatures and in-file loop points, so that a position the user gives
//! (seconds, or bar:beat through the core's [`BarLocator`]) becomes a song
//! tick or frame, and a tick a bar:beat for display. Fed by
//! [`crate::scan::scan`]'s events.
//!
//! *Real-time*: not real-time (start-up and the control thread). Memory:
//! one entry per tempo change and time signature, capped at
//! [`MAX_CHANGES`] each (a file with more is played with the first ones
//! for its positions).

use midly::{MetaMessage, Timing, TrackEventKind};
use smfplay_core::sequencer::{
    BarBeat, BarBeatError, BarLocator, LoopFinder, LoopPoints, LoopRange, Meter, TimePoint,
};
use smfplay_core::tempo::TempoMap;

use crate::scan::ScanEvent;

/// Most tempo changes (and, apart, time signatures) kept.
pub const MAX_CHANGES: usize = 1 << 20;

/// The song's time, as a scan found it.
pub struct SongMap {
    timing: Timing,
    tempos: Vec<(u64, u32)>,
    signatures: Vec<(u64, u8, u8)>,
    loops: LoopFinder,
    end_tick: u64,
}

impl SongMap {
    /// An empty map for a file of `timing` (the scan's header gives it).
    pub fn new(timing: Timing) -> Self {
        Self {
            timing,
            tempos: Vec::new(),
            signatures: Vec::new(),
            loops: LoopFinder::new(timing),
            end_tick: 0,
        }
    }

    /// One event of the scan.
    pub fn observe(&mut self, e: &ScanEvent<'_>) {
        self.end_tick = self.end_tick.max(e.tick);
        self.loops.observe(e.tick, &e.kind);
        match e.kind {
            TrackEventKind::Meta(MetaMessage::Tempo(us)) if self.tempos.len() < MAX_CHANGES => {
                self.tempos.push((e.tick, us.as_int()));
            }
            TrackEventKind::Meta(MetaMessage::TimeSignature(n, d, _, _))
                if self.signatures.len() < MAX_CHANGES =>
            {
                self.signatures.push((e.tick, n, d));
            }
            _ => {}
        }
    }

    /// The in-file loop (or why its marks were ignored).
    pub fn file_loop(&self) -> LoopPoints {
        self.loops.finish(self.end_tick)
    }

    /// The tempo map at `rate` with every change before `tick` applied.
    fn tempo_before(&self, tick: u64, rate: u32) -> TempoMap {
        let mut map = TempoMap::new(self.timing, rate);
        for &(t, us) in self.tempos.iter().take_while(|(t, _)| *t < tick) {
            map.set_tempo(t, us);
        }
        map
    }

    /// Frame (unscaled song time at `rate`) of `tick`.
    pub fn frame_of(&self, tick: u64, rate: u32) -> u64 {
        self.tempo_before(tick, rate).frame_at(tick)
    }

    /// The first tick at or after song frame `frame`.
    pub fn tick_at(&self, frame: u64, rate: u32) -> u64 {
        let mut map = TempoMap::new(self.timing, rate);
        for &(t, us) in &self.tempos {
            if map.frame_at(t) >= frame {
                break;
            }
            map.set_tempo(t, us);
        }
        map.tick_at_or_after(frame)
    }

    /// The tick of a bar:beat.
    pub fn tick_of_bar(&self, at: BarBeat) -> Result<u64, BarBeatError> {
        let mut locator = BarLocator::new(at, self.timing);
        for &(t, n, d) in &self.signatures {
            locator.time_signature(t, n, d);
        }
        locator.finish()
    }

    /// The bar:beat of a tick.
    pub fn bar_beat(&self, tick: u64) -> BarBeat {
        let mut meter = Meter::new(self.timing);
        for &(t, n, d) in self.signatures.iter().take_while(|(t, _, _)| *t <= tick) {
            meter.time_signature(t, n, d);
        }
        meter.bar_beat(tick)
    }

    /// The song frame of a position the user gave.
    pub fn song_frame(&self, at: TimePoint, rate: u32) -> Result<u64, BarBeatError> {
        Ok(match at {
            TimePoint::Seconds(s) => (s * f64::from(rate)) as u64,
            TimePoint::Bars(bb) => self.frame_of(self.tick_of_bar(bb)?, rate),
        })
    }

    /// The song tick of a position the user gave.
    pub fn tick(&self, at: TimePoint, rate: u32) -> Result<u64, BarBeatError> {
        match at {
            TimePoint::Seconds(s) => Ok(self.tick_at((s * f64::from(rate)) as u64, rate)),
            TimePoint::Bars(bb) => self.tick_of_bar(bb),
        }
    }

    /// An A–B range the user gave, in ticks; `Err` says what is wrong.
    pub fn loop_range(
        &self,
        (a, b): (TimePoint, TimePoint),
        rate: u32,
    ) -> Result<LoopRange, String> {
        let start = self.tick(a, rate).map_err(|e| e.to_string())?;
        let end = self.tick(b, rate).map_err(|e| e.to_string())?;
        if end <= start {
            return Err("the loop's end must come after its start".into());
        }
        Ok(LoopRange {
            start,
            end: Some(end),
        })
    }

    /// "bars 5:1–37:1" for a loop.
    pub fn describe(&self, range: LoopRange) -> String {
        let end = range.end.unwrap_or(self.end_tick);
        format!("bars {}–{}", self.bar_beat(range.start), self.bar_beat(end))
    }
}

/// Scans `input` (see [`crate::scan::scan`]), calling `each` with every
/// event, and returns the summary with the song's map.
pub fn scan_with_map(
    input: crate::midi_input::MidiInput,
    strict: bool,
    mut each: impl FnMut(&smfplay_core::smf::Header, &ScanEvent<'_>) + Send,
) -> Result<(crate::scan::ScanSummary, SongMap), crate::exit::HostError> {
    let mut map: Option<SongMap> = None;
    let summary = crate::scan::scan(input, strict, |h, e| {
        map.get_or_insert_with(|| SongMap::new(h.timing)).observe(e);
        each(h, e);
    })?;
    let map = map.unwrap_or_else(|| SongMap::new(summary.header.timing));
    Ok((summary, map))
}

/// The `host info` line for the file's loop: "bars 5:1–37:1 (CC 111, RPG
/// Maker)", "none", or why its marks were ignored.
pub fn loop_description(map: &SongMap) -> String {
    let points = map.file_loop();
    match (points.found, points.defect) {
        (Some(l), _) => format!("{} ({})", map.describe(l.range), l.convention.name()),
        (None, Some(d)) => format!("none: {d}"),
        (None, None) => "none".into(),
    }
}
