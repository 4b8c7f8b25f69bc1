//! In-file loop points, as game music marks them: `loopStart`/`loopEnd`
//! markers, controllers 116/117 (Final Fantasy, XMI conversions), 110/111
//! (older games, "The Incredible Machine") and 111 alone (RPG Maker: the
//! loop start; the loop end is the song's end). [`LoopFinder`] watches one
//! pass over the file and says which convention it uses and where the loop
//! is, or why the marks it saw make no loop ([`LoopDefect`]).
//!
//! When several conventions appear, the first of the list above wins (a
//! CC 111 is an end when CC 110 is in the file, a start otherwise, as the
//! players that honour these conventions read it). A loop end without a
//! start loops from the song's beginning. The same mark at the same tick
//! on several channels (as converters write it) counts once.
//!
//! *Real-time*: O(1) per event, no allocation.

use core::fmt;

use midly::{MetaMessage, MidiMessage, TrackEventKind};

use super::bar_beat::{BarBeat, Meter};
use super::command::LoopRange;

/// How a file marks its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LoopConvention {
    /// `loopStart` / `loopEnd` marker meta events.
    Markers,
    /// Controller 116 at the start, 117 at the end.
    Cc116And117,
    /// Controller 110 at the start, 111 at the end.
    Cc110And111,
    /// Controller 111 at the start; the end is the song's end.
    Cc111,
}

impl LoopConvention {
    /// Every convention, in the order that decides between them.
    pub const ALL: [Self; 4] = [
        Self::Markers,
        Self::Cc116And117,
        Self::Cc110And111,
        Self::Cc111,
    ];

    /// How `host info` names it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Markers => "loopStart/loopEnd markers",
            Self::Cc116And117 => "CC 116/117, Final Fantasy/XMI",
            Self::Cc110And111 => "CC 110/111, older games",
            Self::Cc111 => "CC 111, RPG Maker",
        }
    }
}

/// The loop a file marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FileLoop {
    /// Where it loops, in ticks (`end: None`: at the song's end).
    pub range: LoopRange,
    /// How the file marks it.
    pub convention: LoopConvention,
    /// Bar:beat of the start.
    pub start: BarBeat,
    /// Bar:beat of the end (the song's last tick when it has none).
    pub end: BarBeat,
}

/// Why marks were seen but make no loop (they are then ignored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LoopDefect {
    /// A second start (nested or repeated loops) at this bar:beat.
    SecondStart(LoopConvention, BarBeat),
    /// A second end at this bar:beat.
    SecondEnd(LoopConvention, BarBeat),
    /// The end comes before the start.
    EndBeforeStart(LoopConvention, BarBeat, BarBeat),
    /// The loop would last no time (start at the end).
    Empty(LoopConvention, BarBeat),
}

impl fmt::Display for LoopDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::SecondStart(c, at) => write!(
                f,
                "loop points ignored ({}): a second loop start at {at}",
                c.name()
            ),
            Self::SecondEnd(c, at) => write!(
                f,
                "loop points ignored ({}): a second loop end at {at}",
                c.name()
            ),
            Self::EndBeforeStart(c, start, end) => write!(
                f,
                "loop points ignored ({}): the loop end at {end} comes before its start at {start}",
                c.name()
            ),
            Self::Empty(c, at) => write!(
                f,
                "loop points ignored ({}): the loop at {at} lasts no time",
                c.name()
            ),
        }
    }
}

/// What a file says about looping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LoopPoints {
    /// The loop, when the marks make one.
    pub found: Option<FileLoop>,
    /// Why the marks make none (warn once, play straight through).
    pub defect: Option<LoopDefect>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Marks {
    start: Option<(u64, BarBeat)>,
    end: Option<(u64, BarBeat)>,
    seen: bool,
    second_start: Option<BarBeat>,
    second_end: Option<BarBeat>,
}

impl Marks {
    fn start(&mut self, tick: u64, at: BarBeat) {
        self.seen = true;
        match self.start {
            None => self.start = Some((tick, at)),
            Some((t, _)) if t == tick => {}
            Some(_) => {
                self.second_start.get_or_insert(at);
            }
        }
    }

    fn end(&mut self, tick: u64, at: BarBeat) {
        self.seen = true;
        match self.end {
            None => self.end = Some((tick, at)),
            Some((t, _)) if t == tick => {}
            Some(_) => {
                self.second_end.get_or_insert(at);
            }
        }
    }
}

/// Watches a file's events (in tick order) for loop points.
#[derive(Clone, Copy, Debug)]
pub struct LoopFinder {
    meter: Meter,
    /// Per convention, in [`LoopConvention::ALL`] order; CC 111 is noted
    /// both as the 110/111 end and the RPG Maker start.
    marks: [Marks; 4],
    last_tick: u64,
}

impl LoopFinder {
    /// A finder for a file of `timing`.
    pub fn new(timing: midly::Timing) -> Self {
        Self {
            meter: Meter::new(timing),
            marks: [Marks::default(); 4],
            last_tick: 0,
        }
    }

    /// One event of the merged stream.
    pub fn observe(&mut self, tick: u64, kind: &TrackEventKind<'_>) {
        self.last_tick = self.last_tick.max(tick);
        let at = self.meter.bar_beat(tick);
        match *kind {
            TrackEventKind::Meta(MetaMessage::TimeSignature(n, d, _, _)) => {
                self.meter.time_signature(tick, n, d);
            }
            TrackEventKind::Meta(MetaMessage::Marker(text)) => {
                let text = trim_ascii(text);
                if text.eq_ignore_ascii_case(b"loopStart") {
                    self.marks[0].start(tick, at);
                } else if text.eq_ignore_ascii_case(b"loopEnd") {
                    self.marks[0].end(tick, at);
                }
            }
            TrackEventKind::Midi {
                message: MidiMessage::Controller { controller, .. },
                ..
            } => match controller.as_int() {
                116 => self.marks[1].start(tick, at),
                117 => self.marks[1].end(tick, at),
                110 => self.marks[2].start(tick, at),
                111 => {
                    self.marks[2].end(tick, at);
                    self.marks[3].start(tick, at);
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// The loop, once the whole file (ending at `end_tick`) went by.
    pub fn finish(&self, end_tick: u64) -> LoopPoints {
        let end_tick = end_tick.max(self.last_tick);
        let song_end = self.meter.bar_beat(end_tick);
        let cc110 = self.marks[2].start.is_some();
        let Some(index) = (0..4).find(|&i| match i {
            2 => cc110,
            3 => !cc110 && self.marks[3].seen,
            _ => self.marks[i].seen,
        }) else {
            return LoopPoints::default();
        };
        let c = LoopConvention::ALL[index];
        let m = &self.marks[index];
        let defect = m
            .second_start
            .map(|at| LoopDefect::SecondStart(c, at))
            .or(m.second_end.map(|at| LoopDefect::SecondEnd(c, at)));
        let (start, start_bb) = m.start.unwrap_or((0, BarBeat::bar(1)));
        let (end, end_bb) = match m.end {
            Some((t, bb)) => (Some(t), bb),
            None => (None, song_end),
        };
        let defect = defect.or(match end {
            Some(e) if e < start => Some(LoopDefect::EndBeforeStart(c, start_bb, end_bb)),
            Some(e) if e == start => Some(LoopDefect::Empty(c, start_bb)),
            None if start >= end_tick => Some(LoopDefect::Empty(c, start_bb)),
            _ => None,
        });
        if defect.is_some() {
            return LoopPoints {
                found: None,
                defect,
            };
        }
        LoopPoints {
            found: Some(FileLoop {
                range: LoopRange { start, end },
                convention: c,
                start: start_bb,
                end: end_bb,
            }),
            defect: None,
        }
    }
}

fn trim_ascii(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s
        && first.is_ascii_whitespace()
    {
        s = rest;
    }
    while let [rest @ .., last] = s
        && last.is_ascii_whitespace()
    {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use midly::num::{u4, u7, u15};

    fn cc(c: u8) -> TrackEventKind<'static> {
        TrackEventKind::Midi {
            channel: u4::new(0),
            message: MidiMessage::Controller {
                controller: u7::new(c),
                value: u7::new(0),
            },
        }
    }

    fn find(events: &[(u64, TrackEventKind<'_>)], end: u64) -> LoopPoints {
        let mut f = LoopFinder::new(midly::Timing::Metrical(u15::new(480)));
        for (t, k) in events {
            f.observe(*t, k);
        }
        f.finish(end)
    }

    const BAR: u64 = 1920;

    #[test]
    fn each_convention_is_found_with_its_bars() {
        let marker = |s: &'static [u8]| TrackEventKind::Meta(MetaMessage::Marker(s));
        let p = find(
            &[
                (BAR * 4, marker(b"loopStart")),
                (BAR * 36, marker(b" LOOPEND")),
            ],
            BAR * 40,
        );
        let l = p.found.unwrap();
        assert_eq!(l.convention, LoopConvention::Markers);
        assert_eq!(
            l.range,
            LoopRange {
                start: BAR * 4,
                end: Some(BAR * 36)
            }
        );
        assert_eq!((l.start, l.end), (BarBeat::bar(5), BarBeat::bar(37)));

        let p = find(
            &[(BAR, cc(116)), (BAR, cc(116)), (BAR * 3, cc(117))],
            BAR * 4,
        );
        assert_eq!(p.found.unwrap().convention, LoopConvention::Cc116And117);
        assert_eq!(
            p.found.unwrap().range,
            LoopRange {
                start: BAR,
                end: Some(BAR * 3)
            }
        );

        let p = find(&[(BAR, cc(110)), (BAR * 2, cc(111))], BAR * 4);
        assert_eq!(p.found.unwrap().convention, LoopConvention::Cc110And111);
        assert_eq!(p.found.unwrap().range.end, Some(BAR * 2));

        let p = find(&[(BAR * 2, cc(111))], BAR * 4);
        let l = p.found.unwrap();
        assert_eq!(l.convention, LoopConvention::Cc111);
        assert_eq!(
            l.range,
            LoopRange {
                start: BAR * 2,
                end: None
            }
        );
        assert_eq!(l.end, BarBeat::bar(5));
        assert_eq!(find(&[(0, cc(7))], BAR), LoopPoints::default());
    }

    #[test]
    fn an_end_without_a_start_loops_from_the_beginning() {
        let l = find(&[(BAR * 2, cc(117))], BAR * 4).found.unwrap();
        assert_eq!(
            l.range,
            LoopRange {
                start: 0,
                end: Some(BAR * 2)
            }
        );
    }

    #[test]
    fn malformed_marks_are_a_defect_and_no_loop() {
        let p = find(
            &[(BAR, cc(116)), (BAR * 2, cc(116)), (BAR * 3, cc(117))],
            BAR * 4,
        );
        assert_eq!(p.found, None);
        assert_eq!(
            p.defect,
            Some(LoopDefect::SecondStart(
                LoopConvention::Cc116And117,
                BarBeat::bar(3)
            ))
        );
        let p = find(&[(BAR * 3, cc(116)), (BAR, cc(117))], BAR * 4);
        assert!(
            matches!(p.defect, Some(LoopDefect::EndBeforeStart(..))),
            "{p:?}"
        );
        let p = find(&[(BAR, cc(116)), (BAR, cc(117))], BAR * 4);
        assert!(matches!(p.defect, Some(LoopDefect::Empty(..))), "{p:?}");
        let p = find(&[(BAR * 4, cc(111))], BAR * 4);
        assert!(matches!(p.defect, Some(LoopDefect::Empty(..))), "{p:?}");
        let text = format!("{}", p.defect.unwrap());
        assert!(
            text.contains("CC 111, RPG Maker") && !text.contains('\n'),
            "{text}"
        );
    }
}
