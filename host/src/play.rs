//! `host play`: plays MIDI files in real time on an ALSA device.
//!
//! Three threads per song:
//!
//! - the **control** thread (the main thread) opens the device, the synth
//!   and each song, handles signals, prints what the others report, and
//!   applies the keys and `--commands` lines through one [`Controls`]
//!   whose effects one [`Delivery`] sends (with or without the display);
//! - the **feeder** thread ([`feeder`]) reads the file (it may block on
//!   I/O) through the core's `Feed` and keeps a lock-free queue of
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
mod controls;
mod delivery;
mod device_holders;
mod display;
mod feeder;
mod keys;
mod queues;
mod report;
mod rt;
mod seq_output;
mod seq_pacer;
pub(crate) mod signals;
mod sound;
mod terminal;
#[cfg(test)]
mod tests;
mod ui;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use smfplay_core::audio::PeriodBuffer;
use smfplay_core::sequencer::{SeekTarget, SequencerConfig};

use crate::cli::PlayArgs;
use crate::exit::{HostError, Kind, code};
use crate::midi_input::MidiInput;

pub use alsa_output::{Negotiated, Output, silence_alsa_lib_errors};
use audio_thread::{AudioCmd, End, EngineConfig, HostPlayer, OutBuf, Snapshot};
use commands::{CommandScript, ScriptItem};
use controls::Controls;
use delivery::{Delivery, Nav};
use feeder::AnyFeed;
use queues::PlayQueues;
use report::Log;
use sound::{EngineParts, Sound};
use ui::Ui;

/// Longest period the player handles (the command line's upper bound).
pub const MAX_PERIOD: usize = 16_384;
/// Song time the feeder keeps queued ahead of the play head.
const LOOKAHEAD_S: f64 = 0.25;
/// How often the control thread looks at signals and reports (20 Hz:
/// each wake-up is a context switch, and 10 ms ticks were a fifth of the
/// process's switches at 256 frames).
const CONTROL_TICK: Duration = Duration::from_millis(50);

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
    /// Most work in one period since the control thread last took it (ns).
    pub work_peak_ns: AtomicU64,
    /// Bar (high 32 bits) and beat (low 32 bits), from 1.
    pub bar_beat: AtomicU64,
    /// Song tempo (µs per quarter, before the tempo scale).
    pub us_per_quarter: AtomicU32,
    /// Time signature: numerator << 8 | denominator as a power of two.
    pub signature: AtomicU32,
    /// Voices sounding.
    pub voices: AtomicU32,
    /// Channel masks: sounding (bits 0–15), muted (16–31), soloed (32–47).
    pub channels: AtomicU64,
}

impl Shared {
    /// Fresh state for a song.
    pub fn new() -> Self {
        Self {
            timeline_now: AtomicU64::new(0),
            tempo_milli: AtomicU32::new(1000),
            paused: AtomicBool::new(false),
            started: AtomicBool::new(false),
            primed: AtomicBool::new(false),
            stop_feeder: AtomicBool::new(false),
            song_ms: AtomicU64::new(0),
            periods: AtomicU64::new(0),
            late: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            shed_level: AtomicU8::new(0),
            work_peak_ns: AtomicU64::new(0),
            bar_beat: AtomicU64::new((1 << 32) | 1),
            us_per_quarter: AtomicU32::new(500_000),
            signature: AtomicU32::new((4 << 8) | 2),
            voices: AtomicU32::new(0),
            channels: AtomicU64::new(0),
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
    // First, so that a stop while the SoundFont loads exits with its code.
    signals::install_handlers_while_loading();
    let tty = std::io::stdout().is_terminal();
    let mut log = Log::new(args.quiet, args.json, tty);
    let playlist = expand_playlist(&args.files)?;
    let (mut sound, neg) = Sound::open(args)?;
    signals::begin_playback();
    if args.port.is_empty() {
        log.device(&sound.name(), &neg, args.period);
    } else {
        log.ports(&sound.name());
    }
    let stall = parse_stall(std::env::var("SMFPLAY_STALL").ok().as_deref());
    let script =
        match &args.commands {
            Some(p) => Some(CommandScript::start(p).map_err(|e| {
                HostError::new(Kind::Other, "", format!("cannot start a thread: {e}"))
            })?),
            None => None,
        };
    let seq = &args.sequence;
    let mut controls = Controls::new(seq.tempo, seq.transpose, &seq.mute, &seq.solo, args.repeat);
    // The live display: on a terminal that understands cursor movement,
    // unless --quiet or --json.
    let capable = std::env::var_os("TERM").is_some_and(|t| !t.is_empty() && t != "dumb");
    let mut ui = (tty && capable && !args.quiet && !args.json).then(Ui::start);
    log.set_live(ui.is_some());

    let mut order: Vec<usize> = (0..playlist.len()).collect();
    let mut rng = seed();
    let mut input_error: Option<HostError> = None;
    let mut fatal: Option<HostError> = None;
    let mut total = report::Totals::default();
    'outer: loop {
        if args.shuffle {
            shuffle(&mut order, &mut rng);
        }
        let mut played_any = false;
        let mut at = 0;
        while let Some(&i) = order.get(at) {
            if signals::stop_requested().is_some() {
                break 'outer;
            }
            let path = &playlist[i];
            // Each song starts from a synth in its power-on state.
            sound.begin_song(path, total.songs == 0, args.sequence.strict);
            let song = SongRun {
                path,
                place: (at + 1, order.len()),
                args,
                neg: &neg,
                log: &log,
                stall,
                script: script.as_ref(),
            };
            match play_one(&song, &mut sound, &mut controls, ui.as_mut(), &mut total) {
                Ok((end, nav)) => {
                    played_any = true;
                    // A key or a command line wins over the song's own end
                    // (pressed as it ended).
                    match (end, nav) {
                        (End::Lost(lost), _) => {
                            let e = HostError::new(Kind::Device, sound.name(), lost.describe());
                            log.json_error(&e);
                            fatal = Some(e);
                            break 'outer;
                        }
                        (_, Some(Nav::Quit)) => break 'outer,
                        (_, Some(Nav::Previous)) => at = at.saturating_sub(1),
                        (End::Finished, _) | (_, Some(Nav::Next)) => at += 1,
                        // Quit by a signal.
                        (End::Quit, None) => break 'outer,
                    }
                }
                Err(e) if e.kind == Kind::Device => {
                    log.json_error(&e);
                    fatal = Some(e);
                    break 'outer;
                }
                Err(e) => {
                    log.error(&e);
                    if let (Some(ui), Some(m)) = (ui.as_mut(), log.last_held()) {
                        ui.set_message(&m);
                    }
                    input_error.get_or_insert(e);
                    at += 1;
                }
            }
        }
        if !controls.repeat || !played_any {
            break;
        }
    }
    // The terminal back as it was, then what waited to be said.
    drop(ui);
    log.set_live(false);
    for line in log.take_held() {
        eprintln!("{line}");
    }
    if let Some(e) = fatal {
        return Err(e);
    }
    if args.stats {
        log.totals(&total, &neg, &sound.name());
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

/// What one song is played with.
struct SongRun<'a> {
    path: &'a Path,
    /// Place in the playlist (from 1) and its length.
    place: (usize, usize),
    args: &'a PlayArgs,
    neg: &'a Negotiated,
    log: &'a Log,
    stall: Option<(u64, Duration, u32)>,
    /// Commands from `--commands FILE`, if given.
    script: Option<&'a CommandScript>,
}

/// The length of a song in ms (unscaled song time), from a scan; `None`
/// when the scan fails (playing reports the problem).
fn song_length_ms(input: MidiInput, strict: bool) -> Option<u64> {
    let summary = crate::scan::scan(input, strict, |_, _| {}).ok()?;
    Some((summary.duration_seconds() * 1000.0).round() as u64)
}

/// Plays one song to its end (or a quit, or a device loss); says how it
/// ended and what the keys or the command file asked of the playlist.
fn play_one(
    song: &SongRun<'_>,
    sound: &mut Sound,
    controls: &mut Controls,
    mut ui: Option<&mut Ui>,
    total: &mut report::Totals,
) -> Result<(End, Option<Nav>), HostError> {
    let SongRun {
        path,
        args,
        neg,
        log,
        stall,
        script,
        ..
    } = *song;
    let rate = neg.rate;
    let period = neg.period;
    let seq = &args.sequence;
    let (input, total_ms) = if ui.is_some() {
        // The display shows the song's length: scan a second copy.
        let (input, for_scan) = crate::scan::open_twice(path)?;
        (input, song_length_ms(for_scan, seq.strict))
    } else {
        (MidiInput::open(path)?, None)
    };
    let mut feed = AnyFeed::open(input, seq.strict, rate)?;
    let bucket_log2 = SequencerConfig::new(rate, period as u32).bucket_log2;
    // Written straight into its box (`Box::new` would build the 1.2 MB
    // player on the stack first and copy it).
    let mut player: Box<HostPlayer> = Box::write(
        Box::new_uninit(),
        HostPlayer::new(feed.header().timing, rate, bucket_log2),
    );
    // Settings that render applies before its first period (the command
    // line's, as the keys have changed them since), applied the same way.
    sound.start_settings(&mut player, &controls.song_start_commands());

    let mut queues = PlayQueues::new();
    // The queues live in one allocation (the snapshot boxes are only
    // touched on request); locked with the audio loop's other memory.
    let queues_hot = rt::region_of(&*queues);
    let (feeder_ends, audio_ends, mut ctrl) = queues.split();
    if let Some(start) = seq.start {
        let _ = ctrl
            .seeks
            .enqueue(SeekTarget::SongFrame((start * f64::from(rate)) as u64));
    }
    if !controls.effects {
        let _ = ctrl.commands.enqueue(AudioCmd::Effects(false));
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
    // What the audio loop touches, locked when `mlockall` is refused.
    let hot = [
        rt::region_of(&*buf),
        out_buf.region(),
        rt::region_of(&*player),
        queues_hot,
    ];
    let cfg = EngineConfig {
        period,
        rate,
        volume: controls.gain(),
        end_song_frame: Some(end_song_frame),
        stall,
        reverb: !args.synth.no_reverb,
        chorus: !args.synth.no_chorus,
    };
    let name = path.display().to_string();
    let device = sound.name();
    let mut delivery = Delivery::new(total_ms, rate);
    let mut actions = Vec::new();
    if let Some(ui) = ui.as_deref_mut() {
        let karaoke = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("kar"));
        let (index, count) = song.place;
        let shown = crate::scan::display_name(path);
        ui.begin_song(&shown, index, count, total_ms, karaoke, rate, period);
    }

    let (end, hist_snapshot, feed_outcome, wall) = std::thread::scope(|sc| {
        let shared = &shared;
        let feed = &mut feed;
        let feeder = std::thread::Builder::new()
            .name("feeder".into())
            .spawn_scoped(sc, move || {
                let (sink, seeks) = (feeder_ends.sink, feeder_ends.seeks);
                feeder::run(feed, sink, seeks, shared, LOOKAHEAD_S, rate, period)
            })
            .map_err(|e| HostError::new(Kind::Other, "", format!("cannot start a thread: {e}")))?;
        // Let the feeder fill its look-ahead before the first period.
        let t = Instant::now();
        while !shared.primed.load(Ordering::Acquire) && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let player = &mut *player;
        let buf = &mut *buf;
        let sound = &mut *sound;
        let audio = std::thread::Builder::new()
            .name("audio".into())
            .stack_size(1 << 20)
            .spawn_scoped(sc, move || {
                signals::block_in_this_thread();
                rt::lock_memory();
                let _hot = rt::lock_hot(&hot);
                rt::make_realtime();
                sound.run_engine(EngineParts {
                    player,
                    queues: audio_ends,
                    shared,
                    buf,
                    out_buf,
                    cfg,
                })
            })
            .map_err(|e| HostError::new(Kind::Other, "", format!("cannot start a thread: {e}")))?;
        log.start(&name);
        let mut quit_sent = false;
        loop {
            if !quit_sent && signals::stop_requested().is_some() {
                quit_sent = ctrl.commands.enqueue(AudioCmd::Quit).is_ok();
            }
            // The command file's lines, then the keys: one path through
            // the controls and the same delivery.
            while let Some(item) = script.and_then(CommandScript::poll) {
                match item {
                    ScriptItem::Command(action) => actions.push(action),
                    ScriptItem::Problem(p) => log.warning(&p),
                }
            }
            if let Some(ui) = ui.as_deref_mut() {
                ui.read_actions(&mut actions);
            }
            for action in actions.drain(..) {
                for effect in controls.apply(action) {
                    let outcome = delivery.deliver(effect, shared, &mut ctrl);
                    if let Some(ui) = ui.as_deref_mut() {
                        ui.delivered(outcome);
                    }
                }
            }
            if signals::take_report_request() {
                let _ = ctrl.snap_requests.enqueue(Box::new(Snapshot::new()));
            }
            while let Some(snap) = ctrl.snap_replies.dequeue() {
                log.snapshot(&snap, neg, &device);
            }
            while let Some(r) = ctrl.reports.dequeue() {
                if let Some(ui) = ui.as_deref_mut() {
                    ui.report(&r);
                }
                log.report(&r);
            }
            if let Some(w) = rt::warning_once() {
                log.warning(&w);
                if let (Some(ui), Some(m)) = (ui.as_deref_mut(), log.last_held()) {
                    ui.set_message(&m);
                }
            }
            if let Some(ui) = ui.as_deref_mut() {
                ui.draw(controls, shared, false);
            }
            if audio.is_finished() {
                break;
            }
            match ui.as_deref_mut() {
                // A key (or a signal) wakes the loop at once; the redraw
                // keeps its own rate.
                Some(ui) => ui.wait_for_keys(CONTROL_TICK),
                None => std::thread::sleep(CONTROL_TICK),
            }
        }
        let (end, snap, wall) = audio
            .join()
            .map_err(|_| HostError::new(Kind::Other, "", "the audio thread crashed"))?;
        shared.stop_feeder.store(true, Ordering::Release);
        let outcome = feeder
            .join()
            .map_err(|_| HostError::new(Kind::Other, "", "the feeder thread crashed"))?;
        while let Some(r) = ctrl.reports.dequeue() {
            log.report(&r);
        }
        if let Some(ui) = ui {
            ui.song_ended();
            ui.draw(controls, shared, true);
        }
        Ok::<_, HostError>((end, snap, outcome, wall))
    })?;
    total.add(&hist_snapshot);
    if let Some(e) = feed_outcome.error
        && e.is_fatal()
    {
        log.error(&crate::song::reader_error(path, &[], e));
    }
    // Damage that was skipped, said once per song: the first part as
    // `render` and `info` say it, and how many more (`host info` lists them).
    let fs = feed_outcome.stats;
    if let Some(warning) = report::damage_warning(path, feed_outcome.first_problem, fs.read_errors)
    {
        log.warning(&warning);
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
    Ok((end, delivery.nav()))
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
