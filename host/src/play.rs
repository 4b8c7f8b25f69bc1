//! `host play`: plays MIDI files in real time on an ALSA device.
//!
//! Three threads per song:
//!
//! - the **control** thread (the main thread) opens the device, the synth
//!   and each song, handles signals, and prints what the others report;
//! - the **feeder** thread ([`feeder`]) reads the file (it may block on
//!   I/O) through the core's `SongFeed` and keeps a lock-free queue of
//!   timed events filled ahead of the play head;
//! - the **audio** thread ([`audio_thread`]) moves queued events into the
//!   core `Player`'s calendar, renders with FluidSynth, converts and writes
//!   to ALSA ([`alsa_output`]), with bounded work per period, `SCHED_FIFO`
//!   and locked memory when allowed ([`rt`]).
//!
//! Between them only `heapless::spsc` queues and atomics ([`Shared`]):
//! feed items + payload bytes (feeder → audio), seek targets (control →
//! feeder), commands (control → audio), reports and snapshot boxes (audio
//! → control). Nothing on the audio thread allocates, locks, prints or
//! touches a file once its loop runs.
//!
//! Hidden test hook: `SMFPLAY_STALL=MS@PERIOD[xCOUNT]` makes the audio
//! thread sleep `MS` ms at period `PERIOD` (and every 50 periods after it,
//! `COUNT` times in all), to cause xruns on purpose.

mod alsa_output;
mod audio_thread;
mod commands;
mod feeder;
mod report;
mod rt;
mod signals;
#[cfg(test)]
mod tests;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use heapless::spsc::Queue;
use midly::num::u4;
use smfplay_core::audio::PeriodBuffer;
use smfplay_core::sequencer::{SeekTarget, SequencerConfig};

use crate::cli::PlayArgs;
use crate::exit::{HostError, Kind, code};
use crate::fluid::{FluidOptions, FluidSynth};
use crate::midi_input::MidiInput;

pub use alsa_output::{AlsaOutput, Negotiated, Output};
use audio_thread::{AudioCmd, End, Engine, EngineConfig, HostPlayer, OutBuf, Queues, Snapshot};
use commands::{CommandScript, ScriptCommand, ScriptItem};
use feeder::{FeedItem, PlayFeed, QueueSink};
use report::Log;

/// Longest period the player handles (the command line's upper bound).
pub const MAX_PERIOD: usize = 16_384;
/// Feed items queued ahead (capacity − 1).
const FEED_QUEUE: usize = 8192;
/// Payload bytes queued ahead.
const BYTE_RING: usize = 64 * 1024;
/// Commands queued.
const CMD_QUEUE: usize = 64;
/// Reports queued.
const REPORT_QUEUE: usize = 512;
/// Seeks queued.
const SEEK_QUEUE: usize = 8;
/// Snapshot boxes in flight.
const SNAP_QUEUE: usize = 4;
/// Song time the feeder keeps queued ahead of the play head.
const LOOKAHEAD_S: f64 = 0.25;
/// How often the control thread looks at signals and reports.
const CONTROL_TICK: Duration = Duration::from_millis(10);

/// State the threads share: atomics only.
pub struct Shared {
    /// Timeline frame played up to (audio → feeder).
    pub timeline_now: AtomicU64,
    /// Tempo scale in thousandths (audio → feeder).
    pub tempo_milli: AtomicU32,
    /// Paused (audio → feeder).
    pub paused: AtomicBool,
    /// The audio loop runs.
    pub started: AtomicBool,
    /// The feed scheduled the whole song (feeder → audio).
    pub feed_done: AtomicBool,
    /// The feeder has filled its look-ahead once (feeder → control).
    pub primed: AtomicBool,
    /// The feeder should return (control → feeder).
    pub stop_feeder: AtomicBool,
    /// Song position in ms.
    pub song_ms: AtomicU64,
    /// Periods played.
    pub periods: AtomicU64,
    /// Late events.
    pub late: AtomicU64,
    /// Xruns.
    pub xruns: AtomicU64,
    /// Load-shedding level.
    pub shed_level: AtomicU8,
}

impl Shared {
    /// Fresh state for a song.
    pub fn new() -> Self {
        Self {
            timeline_now: AtomicU64::new(0),
            tempo_milli: AtomicU32::new(1000),
            paused: AtomicBool::new(false),
            started: AtomicBool::new(false),
            feed_done: AtomicBool::new(false),
            primed: AtomicBool::new(false),
            stop_feeder: AtomicBool::new(false),
            song_ms: AtomicU64::new(0),
            periods: AtomicU64::new(0),
            late: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            shed_level: AtomicU8::new(0),
        }
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs `host play`; returns the exit code.
pub fn run(args: &PlayArgs) -> Result<i32, HostError> {
    let log = Log::new(args.quiet, args.json, std::io::stdout().is_terminal());
    let playlist = expand_playlist(&args.files)?;
    let sf = crate::soundfont::find(args.synth.soundfont.as_deref())?;
    let rate = args.synth.rate;
    let mut synth = FluidSynth::new(&FluidOptions {
        sample_rate: rate,
        gain: args.synth.gain,
        reverb: !args.synth.no_reverb,
        chorus: !args.synth.no_chorus,
        polyphony: args.synth.polyphony,
        lazy_samples: args.synth.lazy_samples,
    })?;
    synth.load_soundfont(&sf)?;
    let mut output = AlsaOutput::open(&args.device, rate, args.period, args.periods, args.format)?;
    let neg = output.negotiated();
    signals::install_handlers();
    log.device(output.name(), &neg, args.period);
    let stall = parse_stall(std::env::var("SMFPLAY_STALL").ok().as_deref());
    let script =
        match &args.commands {
            Some(p) => Some(CommandScript::start(p).map_err(|e| {
                HostError::new(Kind::Other, "", format!("cannot start a thread: {e}"))
            })?),
            None => None,
        };

    let mut order: Vec<usize> = (0..playlist.len()).collect();
    let mut rng = seed();
    let mut input_error: Option<HostError> = None;
    let mut total = report::Totals::default();
    'outer: loop {
        if args.shuffle {
            shuffle(&mut order, &mut rng);
        }
        let mut played_any = false;
        for &i in &order {
            if signals::stop_requested().is_some() {
                break 'outer;
            }
            let path = &playlist[i];
            if total.songs > 0 {
                // Each song starts from a synth in its power-on state.
                synth.reset();
            }
            match play_one(
                path,
                args,
                &mut synth,
                &mut output,
                &neg,
                &log,
                stall,
                script.as_ref(),
                &mut total,
            ) {
                Ok(end) => {
                    played_any = true;
                    match end {
                        End::Finished => {}
                        End::Quit => break 'outer,
                        End::Lost(lost) => {
                            let e = HostError::new(Kind::Device, output.name(), lost.describe());
                            log.json_error(&e);
                            return Err(e);
                        }
                    }
                }
                Err(e) if e.kind == Kind::Device => {
                    log.json_error(&e);
                    return Err(e);
                }
                Err(e) => {
                    log.error(&e);
                    input_error.get_or_insert(e);
                }
            }
        }
        if !args.repeat || !played_any {
            break;
        }
    }
    if args.stats {
        log.totals(&total, &neg, output.name());
    }
    if let Some(sig) = signals::stop_requested() {
        return Ok(signals::exit_code(sig));
    }
    match input_error {
        // Errors were already printed; say nothing more, but exit non-zero.
        Some(e) => Ok(e.exit_code()),
        None => Ok(code::OK),
    }
}

/// Plays one song to its end (or a quit, or a device loss).
#[allow(clippy::too_many_arguments)]
fn play_one(
    path: &Path,
    args: &PlayArgs,
    synth: &mut FluidSynth,
    output: &mut AlsaOutput,
    neg: &Negotiated,
    log: &Log,
    stall: Option<(u64, Duration, u32)>,
    script: Option<&CommandScript>,
    total: &mut report::Totals,
) -> Result<End, HostError> {
    let rate = neg.rate;
    let period = neg.period;
    let input = MidiInput::open(path)?;
    let mut feed = PlayFeed::open(input, args.sequence.strict, rate)?;
    let bucket_log2 = SequencerConfig::new(rate, period as u32).bucket_log2;
    let mut player: Box<HostPlayer> =
        Box::new(HostPlayer::new(feed.header().timing, rate, bucket_log2));
    // Settings that render applies before its first period, applied the same way.
    let seq = &args.sequence;
    player.set_tempo_milli((seq.tempo * 1000.0).round() as u32);
    player.set_transpose(seq.transpose);
    for &ch in &seq.mute {
        player.set_muted(synth, u4::new(ch - 1), true);
    }
    for &ch in &seq.solo {
        player.set_solo(synth, u4::new(ch - 1), true);
    }

    let mut items: Box<Queue<FeedItem, FEED_QUEUE>> = Box::new(Queue::new());
    let mut bytes: Box<Queue<u8, BYTE_RING>> = Box::new(Queue::new());
    let mut commands: Queue<AudioCmd, CMD_QUEUE> = Queue::new();
    let mut reports: Box<Queue<audio_thread::Report, REPORT_QUEUE>> = Box::new(Queue::new());
    let mut seeks: Queue<SeekTarget, SEEK_QUEUE> = Queue::new();
    let mut snap_req: Queue<Box<Snapshot>, SNAP_QUEUE> = Queue::new();
    let mut snap_rep: Queue<Box<Snapshot>, SNAP_QUEUE> = Queue::new();
    let (items_p, items_c) = items.split();
    let (bytes_p, bytes_c) = bytes.split();
    let (mut cmd_p, cmd_c) = commands.split();
    let (reports_p, mut reports_c) = reports.split();
    let (mut seeks_p, seeks_c) = seeks.split();
    let (mut snap_req_p, snap_req_c) = snap_req.split();
    let (snap_rep_p, mut snap_rep_c) = snap_rep.split();

    if let Some(start) = seq.start {
        let _ = seeks_p.enqueue(SeekTarget::SongFrame((start * f64::from(rate)) as u64));
    }
    // --end, or --max-duration of song time from --start if that comes first.
    let start_s = seq.start.unwrap_or(0.0);
    let capped = seq.end.is_none_or(|e| e > start_s + seq.max_duration);
    let end_s = if capped {
        start_s + seq.max_duration
    } else {
        seq.end.unwrap_or(f64::MAX)
    };
    let end_song_frame = (end_s * f64::from(rate)) as u64;
    let shared = Shared::new();
    let mut buf: Box<PeriodBuffer<MAX_PERIOD, 2>> = Box::new(PeriodBuffer::new());
    let out_buf = OutBuf::new(neg.format, period);
    let cfg = EngineConfig {
        period,
        rate,
        volume: 1.0,
        end_song_frame: Some(end_song_frame),
        stall,
        reverb: !args.synth.no_reverb,
        chorus: !args.synth.no_chorus,
    };
    let sink = QueueSink::new(items_p, bytes_p);
    let name = path.display().to_string();
    let device = output.name().to_string();

    let (end, hist_snapshot, feed_outcome, wall) = std::thread::scope(|sc| {
        let shared = &shared;
        let feed = &mut feed;
        let feeder = std::thread::Builder::new()
            .name("feeder".into())
            .spawn_scoped(sc, move || {
                feeder::run(feed, sink, seeks_c, shared, LOOKAHEAD_S, rate, period)
            })
            .map_err(|e| HostError::new(Kind::Other, "", format!("cannot start a thread: {e}")))?;
        // Let the feeder fill its look-ahead before the first period.
        let t = Instant::now();
        while !shared.primed.load(Ordering::Acquire) && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let queues = Queues {
            items: items_c,
            bytes: bytes_c,
            commands: cmd_c,
            reports: reports_p,
            snap_requests: snap_req_c,
            snap_replies: snap_rep_p,
        };
        let player = &mut *player;
        let buf = &mut *buf;
        let synth = &mut *synth;
        let output = &mut *output;
        let audio = std::thread::Builder::new()
            .name("audio".into())
            .stack_size(1 << 20)
            .spawn_scoped(sc, move || {
                signals::block_in_this_thread();
                rt::lock_memory();
                rt::make_realtime();
                let mut writer = match output.writer() {
                    Ok(w) => w,
                    Err(_) => {
                        return (
                            End::Lost(alsa_output::Lost::Error(libc::EBADFD)),
                            Box::new(Snapshot::new()),
                            Duration::ZERO,
                        );
                    }
                };
                writer.restart();
                let mut engine =
                    Engine::new(synth, writer, player, queues, shared, buf, out_buf, cfg);
                shared.started.store(true, Ordering::Release);
                let t0 = Instant::now();
                let end = engine.run();
                let mut snap = Box::new(Snapshot::new());
                engine.snapshot(&mut snap);
                let mut out = engine.into_output();
                if !matches!(end, End::Lost(_)) {
                    out.drain();
                }
                (end, snap, t0.elapsed())
            })
            .map_err(|e| HostError::new(Kind::Other, "", format!("cannot start a thread: {e}")))?;
        log.start(&name);
        let mut quit_sent = false;
        loop {
            if !quit_sent && signals::stop_requested().is_some() {
                quit_sent = cmd_p.enqueue(AudioCmd::Quit).is_ok();
            }
            while let Some(item) = script.and_then(CommandScript::poll) {
                match item {
                    ScriptItem::Command(ScriptCommand::Audio(c)) => {
                        quit_sent |= c == AudioCmd::Quit;
                        let _ = cmd_p.enqueue(c);
                    }
                    ScriptItem::Command(ScriptCommand::Seek(s)) => {
                        let _ =
                            seeks_p.enqueue(SeekTarget::SongFrame((s * f64::from(rate)) as u64));
                    }
                    ScriptItem::Problem(p) => log.warning(&p),
                }
            }
            if signals::take_report_request() {
                let _ = snap_req_p.enqueue(Box::new(Snapshot::new()));
            }
            while let Some(snap) = snap_rep_c.dequeue() {
                log.snapshot(&snap, neg, &device);
            }
            while let Some(r) = reports_c.dequeue() {
                log.report(&r);
            }
            if let Some(w) = rt::warning_once() {
                log.warning(&w);
            }
            if audio.is_finished() {
                break;
            }
            std::thread::sleep(CONTROL_TICK);
        }
        let (end, snap, wall) = audio
            .join()
            .map_err(|_| HostError::new(Kind::Other, "", "the audio thread crashed"))?;
        shared.stop_feeder.store(true, Ordering::Release);
        let outcome = feeder
            .join()
            .map_err(|_| HostError::new(Kind::Other, "", "the feeder thread crashed"))?;
        while let Some(r) = reports_c.dequeue() {
            log.report(&r);
        }
        Ok::<_, HostError>((end, snap, outcome, wall))
    })?;
    total.add(&hist_snapshot);
    if let Some(e) = feed_outcome.error
        && e.is_fatal()
    {
        log.error(&crate::song::reader_error(path, &[], e));
    }
    // Damage that was skipped (`host info` lists it), said once per song.
    let fs = feed_outcome.stats;
    if fs.read_errors > 0 {
        log.warning(&format!(
            "{}: {} damaged part(s) skipped (see `host info`)",
            path.display(),
            fs.read_errors
        ));
    }
    if fs.sysex_dropped > 0 {
        log.warning(&format!(
            "{}: {} sysex message(s) too long to play, skipped",
            path.display(),
            fs.sysex_dropped
        ));
    }
    if capped
        && end == End::Finished
        && hist_snapshot.song_ms >= end_song_frame * 1000 / u64::from(rate)
    {
        log.warning(&format!(
            "{}: stopped at --max-duration ({} of song time); the song goes on",
            path.display(),
            crate::cli::human_duration(seq.max_duration)
        ));
    }
    if !matches!(end, End::Lost(_)) {
        log.end(&name, &hist_snapshot, wall, end == End::Quit);
    }
    Ok(end)
}

/// Files and directories → the files to play, in order. Directories give
/// their `.mid`, `.midi`, `.kar` and `.rmi` files, sorted by name.
pub fn expand_playlist(items: &[PathBuf]) -> Result<Vec<PathBuf>, HostError> {
    let mut out = Vec::new();
    for item in items {
        if item.as_os_str() != "-" && item.is_dir() {
            let rd = std::fs::read_dir(item)
                .map_err(|e| HostError::file(Kind::Input, item, crate::exit::describe_io(&e)))?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_midi_name(p))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(HostError::file(
                    Kind::Input,
                    item,
                    "no .mid, .midi, .kar or .rmi files in this directory",
                ));
            }
            out.extend(files);
        } else {
            out.push(item.clone());
        }
    }
    Ok(out)
}

fn is_midi_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "mid" | "midi" | "kar" | "rmi"))
}

/// `MS@PERIOD[xCOUNT]`.
fn parse_stall(s: Option<&str>) -> Option<(u64, Duration, u32)> {
    let s = s?;
    let (ms, rest) = s.split_once('@')?;
    let (at, count) = rest.split_once('x').unwrap_or((rest, "1"));
    Some((
        at.trim().parse().ok()?,
        Duration::from_millis(ms.trim().parse().ok()?),
        count.trim().parse().ok()?,
    ))
}

fn seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    (t ^ (u64::from(std::process::id()) << 32)) | 1
}

fn shuffle(v: &mut [usize], state: &mut u64) {
    for i in (1..v.len()).rev() {
        // xorshift64*
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        v.swap(i, (r % (i as u64 + 1)) as usize);
    }
}
