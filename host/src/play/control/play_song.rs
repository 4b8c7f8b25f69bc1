//! One song, as the control thread plays it, in named steps: open the file
//! ([`open_song`]), make the player with the settings carried over
//! ([`make_player`]), queue the start (`--start`, effects), work out where
//! it stops ([`StopAt`]), start the feeder and audio threads, run the
//! [`ControlLoop`] until the audio thread ends, join both threads, and say
//! how the song went ([`report_song_end`]).
//!
//! *Real-time*: control thread only; it starts the real-time threads,
//! whose code is in [`crate::play::realtime`].

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use smfplay_core::audio::PeriodBuffer;
use std::sync::Arc;

use smfplay_core::sequencer::{LoopRange, SeekTarget, SequencerConfig, TimePoint};

use super::commands::CommandScript;
use super::control_loop::ControlLoop;
use super::controls::Controls;
use super::delivery::{Delivery, Nav};
use super::report::{self, Log};
use super::song_actions::SongActions;
use super::ui::{ShownSong, Ui};
use crate::capacities::HostPlayer;
use crate::cli::PlayArgs;
use crate::exit::{HostError, Kind};
use crate::play::MAX_PERIOD;
use crate::play::realtime::alsa_output::Negotiated;
use crate::play::realtime::any_feed::AnyFeed;
use crate::play::realtime::audio_thread::{self, AudioOutcome, AudioThread};
use crate::play::realtime::engine::{EngineConfig, SongParts};
use crate::play::realtime::feeder::{self, FeedOutcome};
use crate::play::realtime::messages::{AudioCmd, End};
use crate::play::realtime::output_buffer::OutputBuffer;
use crate::play::realtime::play_status::PlayStatus;
use crate::play::realtime::queues::{ControlEnds, PlayQueues};
use crate::play::realtime::scheduling::region_of;
use crate::play::sound::Sound;
use crate::song_map::SongMap;

/// Song time the feeder keeps queued ahead of the play head.
const LOOKAHEAD_S: f64 = 0.25;

/// What one song is played with.
pub struct SongRun<'a> {
    /// The file.
    pub path: &'a Path,
    /// Place in the playlist (from 1) and its length.
    pub place: (usize, usize),
    /// The command line.
    pub args: &'a PlayArgs,
    /// The device's parameters.
    pub neg: &'a Negotiated,
    /// Where lines are printed.
    pub log: &'a Log,
    /// The `SMFPLAY_STALL` test hook ([`super::stall_hook`]).
    pub stall: Option<(u64, Duration, u32)>,
    /// Commands from `--commands FILE`, if given.
    pub script: Option<&'a CommandScript>,
}

/// Plays one song to its end (or a quit, or a device loss); says how it
/// ended and what the keys or the command file asked of the playlist
/// (`None`: not played, `--start` is past its end, with a warning).
pub fn play_song(
    song: &SongRun<'_>,
    sound: &mut Sound,
    controls: &mut Controls,
    mut ui: Option<&mut Ui>,
    total: &mut report::Totals,
) -> Result<Option<(End, Option<Nav>)>, HostError> {
    let (rate, period) = (song.neg.rate, song.neg.period);
    let (mut feed, scanned) = open_song(song)?;
    let name = crate::scan::display_name(song.path);
    // A file's problems, as `render` says them, when it starts.
    for line in &scanned.problems {
        song.log.warning(&format!("{name}: {line}"));
    }
    let map = Arc::clone(&scanned.map);
    let points = SongPoints::resolve(song, &map, rate)?;
    if let (Some(start), Some(SeekTarget::SongFrame(frame))) =
        (song.args.sequence.start, points.start)
        && frame > 0
        && frame.saturating_mul(1000) / u64::from(rate) >= scanned.total_ms
    {
        song.log.warning(&format!(
            "{name}: --start {start} is past the end of the song (it lasts {}); skipped",
            crate::progress::clock(scanned.total_ms as f64 / 1000.0)
        ));
        return Ok(None);
    }
    let total_ms = Some(scanned.total_ms);
    // Set before the feeder starts: the reader has not passed the loop
    // start (a --start seek rescans and arms it).
    feed.set_loop_range(points.looping);
    // --loops N: N − 1 turns, then on to the end (no option: forever).
    feed.set_loop_turns(song.args.sequence.loops.map_or(0, |n| n - 1));
    let mut player = make_player(&feed, rate, period);
    // Settings that render applies before its first period (the command
    // line's, as the keys have changed them since), applied the same way.
    sound.start_settings(&mut player, &controls.song_start_commands());
    let mut queues = PlayQueues::new();
    // The queues live in one allocation (the snapshot boxes are only
    // touched on request); locked with the audio loop's other memory.
    let queues_hot = region_of(&*queues);
    let (feeder_ends, audio_ends, mut ctrl) = queues.split();
    queue_song_start(&points, controls, &mut ctrl);
    let stop_at = StopAt::of(song.args, &points, rate);
    let status = PlayStatus::new();
    let mut buf: Box<PeriodBuffer<MAX_PERIOD, 2>> = Box::new(PeriodBuffer::new());
    let out_buf = OutputBuffer::new(song.neg.format, period);
    // What the audio loop touches, locked when `mlockall` is refused.
    let hot = [
        region_of(&*buf),
        out_buf.region(),
        region_of(&*player),
        queues_hot,
    ];
    let config = EngineConfig {
        period,
        rate,
        volume: controls.gain(),
        end_song_frame: Some(stop_at.song_frame),
        stall: song.stall,
        reverb: !song.args.synth.no_reverb,
        chorus: !song.args.synth.no_chorus,
    };
    let device = sound.name();
    if let Some(ui) = ui.as_deref_mut() {
        begin_display(ui, song, &scanned);
        // The file's last problem on the status line (all of them are
        // printed when the display ends).
        if let (false, Some(m)) = (scanned.problems.is_empty(), song.log.last_held()) {
            ui.set_message(&m);
        }
    }

    let (audio_outcome, feed_outcome, nav) = std::thread::scope(|sc| {
        let status = &status;
        let feed = &mut feed;
        let feeder = std::thread::Builder::new()
            .name("feeder".into())
            .spawn_scoped(sc, move || {
                feeder::run(feed, feeder_ends, status, LOOKAHEAD_S, rate, period)
            })
            .map_err(cannot_start)?;
        wait_until_primed(status);
        let parts = AudioThread {
            sound: &mut *sound,
            hot,
            song: SongParts {
                player: &mut player,
                queues: audio_ends,
                status,
                buf: &mut buf,
                out_buf,
                config,
            },
        };
        let audio = std::thread::Builder::new()
            .name("audio".into())
            .stack_size(1 << 20)
            .spawn_scoped(sc, move || audio_thread::run(parts))
            .map_err(cannot_start)?;
        song.log.start(&name);
        let mut control = ControlLoop {
            ctrl,
            status,
            controls,
            delivery: Delivery::new(total_ms, rate).with_song(SongActions::new(
                map,
                rate,
                points.looping,
            )),
            ui,
            script: song.script,
            log: song.log,
            device: &device,
            neg: song.neg,
        };
        control.run(|| audio.is_finished());
        let audio_outcome = audio
            .join()
            .map_err(|_| HostError::new(Kind::Other, "", "the audio thread crashed"))?;
        status.stop_feeder.store(true, Ordering::Release);
        let feed_outcome = feeder
            .join()
            .map_err(|_| HostError::new(Kind::Other, "", "the feeder thread crashed"))?;
        Ok::<_, HostError>((audio_outcome, feed_outcome, control.finish()))
    })?;
    total.add(&audio_outcome.snapshot);
    report_song_end(
        song,
        &name,
        &stop_at,
        &audio_outcome,
        &feed_outcome,
        &scanned,
    );
    Ok(Some((audio_outcome.end, nav)))
}

fn cannot_start(e: std::io::Error) -> HostError {
    HostError::new(Kind::Other, "", format!("cannot start a thread: {e}"))
}

/// What a scan of the song found before it plays.
struct Scanned {
    /// Its length in ms (unscaled song time), whole ms down: rounded to
    /// the tenth it reads as `host info`'s (a tenth's boundary is a whole
    /// ms).
    total_ms: u64,
    /// Its problems, one line each, as `render` and `info` say them.
    problems: Vec<String>,
    /// The karaoke title (the first `@T` text event), if any.
    title: Option<String>,
    /// Its tempo changes, signatures and loop points.
    map: Arc<SongMap>,
}

/// Opens the song's feed and scans a second copy (its length, problems,
/// title and map; `--strict` refuses a damaged file here, as `render` does).
fn open_song(song: &SongRun<'_>) -> Result<(AnyFeed, Scanned), HostError> {
    let strict = song.args.sequence.strict;
    let (input, for_scan) = crate::scan::open_twice(song.path)?;
    let mut title = None;
    let (summary, map) = crate::song_map::scan_with_map(for_scan, strict, |_, ev| {
        if title.is_none()
            && let midly::TrackEventKind::Meta(midly::MetaMessage::Text(t)) = ev.kind
            && let Some(crate::karaoke::Tag::Title(t)) =
                crate::karaoke::tag(&crate::describe::text(t))
        {
            title = Some(crate::printable::printable(t)).filter(|t| !t.is_empty());
        }
    })?;
    let scanned = Scanned {
        total_ms: (summary.duration_seconds() * 1000.0).floor() as u64,
        problems: summary.problem_lines(),
        title,
        map: Arc::new(map),
    };
    let mut feed = AnyFeed::open(input, strict, song.neg.rate)?;
    // `--port A,B`: a track's FF 21 port n plays on the (n % 2)-th; else
    // (FluidSynth) every event on port 0.
    feed.set_ports(song.args.port.len());
    Ok((feed, scanned))
}

/// Where a song starts, stops and loops, from the options and the song's
/// map (bar:beat positions need the map; seconds do not).
struct SongPoints {
    /// `--start`, as a seek.
    start: Option<SeekTarget>,
    /// `--end`, as a song frame.
    end_frame: Option<u64>,
    /// `--loop-range`, else the file's loop unless `--no-file-loops`.
    looping: Option<LoopRange>,
}

impl SongPoints {
    fn resolve(song: &SongRun<'_>, map: &SongMap, rate: u32) -> Result<Self, HostError> {
        let seq = &song.args.sequence;
        let bad =
            |what: &str, e: String| HostError::file(Kind::Input, song.path, format!("{what}: {e}"));
        let frame = |what: &str, at: Option<TimePoint>| -> Result<Option<u64>, HostError> {
            at.map(|p| {
                map.song_frame(p, rate)
                    .map_err(|e| bad(what, e.to_string()))
            })
            .transpose()
        };
        let start = frame("--start", seq.start)?.map(SeekTarget::SongFrame);
        let end_frame = frame("--end", seq.end)?;
        let looping = match seq.loop_range {
            Some(r) => Some(
                map.loop_range(r, rate)
                    .map_err(|e| bad("--loop-range", e))?,
            ),
            None if song.args.no_file_loops => None,
            None => {
                let points = map.file_loop();
                if let Some(d) = points.defect {
                    song.log
                        .warning(&format!("{}: {d}", crate::scan::display_name(song.path)));
                }
                points.found.map(|l| l.range)
            }
        };
        Ok(Self {
            start,
            end_frame,
            // --loops 1: the loop is played once, i.e. not looped.
            looping: looping.filter(|_| seq.loops != Some(1)),
        })
    }
}

/// The song's player, in its box.
fn make_player(feed: &AnyFeed, rate: u32, period: usize) -> Box<HostPlayer> {
    let bucket_log2 = SequencerConfig::new(rate, period as u32).bucket_log2;
    // Written straight into its box (`Box::new` would build the 1.2 MB
    // player on the stack first and copy it).
    Box::write(
        Box::new_uninit(),
        HostPlayer::new(feed.header().timing, rate, bucket_log2),
    )
}

/// `--start` as a seek for the feeder; effects off when the keys turned
/// them off.
fn queue_song_start(points: &SongPoints, controls: &Controls, ctrl: &mut ControlEnds<'_>) {
    if let Some(start) = points.start {
        let _ = ctrl.seeks.enqueue(start);
    }
    if !controls.effects {
        let _ = ctrl.commands.enqueue(AudioCmd::Effects(false));
    }
}

/// Where the song stops: `--end`, or `--max-duration` of song time from
/// `--start` if that comes first.
struct StopAt {
    /// The song frame.
    song_frame: u64,
    /// `--max-duration` decided it.
    capped: bool,
}

impl StopAt {
    fn of(args: &PlayArgs, points: &SongPoints, rate: u32) -> Self {
        let start = match points.start {
            Some(SeekTarget::SongFrame(f)) => f,
            _ => 0,
        };
        let max = (args.sequence.max_duration * f64::from(rate)) as u64;
        let capped = points
            .end_frame
            .is_none_or(|e| e > start.saturating_add(max));
        let song_frame = if capped {
            start.saturating_add(max)
        } else {
            points.end_frame.unwrap_or(u64::MAX)
        };
        Self { song_frame, capped }
    }
}

/// The display's song line: name, place, length, karaoke.
fn begin_display(ui: &mut Ui, song: &SongRun<'_>, scanned: &Scanned) {
    let path = song.path;
    let karaoke = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("kar"));
    let (index, count) = song.place;
    let shown = ShownSong {
        name: crate::scan::display_name(path),
        index,
        count,
        total_ms: Some(scanned.total_ms),
        title: scanned.title.clone(),
        budget_ns: song.neg.period as u64 * 1_000_000_000 / u64::from(song.neg.rate.max(1)),
    };
    ui.begin_song(shown, karaoke);
}

/// Lets the feeder fill its look-ahead before the first period.
fn wait_until_primed(status: &PlayStatus) {
    let t = Instant::now();
    while !status.primed.load(Ordering::Acquire) && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What is said when a song has ended: a fatal read error the scan did
/// not see (the file changed meanwhile; its problems were said when it
/// started), sysex too long to play, a stop at `--max-duration`, and the
/// end line.
fn report_song_end(
    song: &SongRun<'_>,
    name: &str,
    stop_at: &StopAt,
    audio: &AudioOutcome,
    feed: &FeedOutcome,
    scanned: &Scanned,
) {
    let (path, log) = (song.path, song.log);
    if let Some(e) = feed.error
        && e.is_fatal()
        && scanned.problems.is_empty()
    {
        log.error(&crate::opening::reader_error(path, &[], e));
    }
    let fs = feed.stats;
    if fs.sysex_dropped > 0 {
        log.warning(&format!(
            "{name}: {} sysex message(s) too long to play, skipped",
            fs.sysex_dropped
        ));
    }
    let rate = u64::from(song.neg.rate);
    if stop_at.capped
        && audio.end == End::Finished
        && audio.snapshot.song_ms >= stop_at.song_frame * 1000 / rate
    {
        log.warning(&format!(
            "{name}: stopped at --max-duration ({} of song time); the song goes on",
            crate::cli::human_duration(song.args.sequence.max_duration)
        ));
    }
    if !matches!(audio.end, End::Lost(_)) {
        log.end(name, &audio.snapshot, audio.wall, audio.end == End::Quit);
    }
}
