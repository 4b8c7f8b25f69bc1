//! `host play`: plays MIDI files in real time on an ALSA device (or, with
//! `--port`, on MIDI hardware through ALSA sequencer ports: [`sound`]).
//! This is its entry: it opens the synth and the device, then plays the
//! playlist song by song ([`control::play_song`]).
//!
//! Three threads per song, their code in two folders:
//!
//! - [`control`] — the **control** thread (the main thread) opens the
//!   device, the synth and each song, handles signals, prints what the
//!   others report, and applies the keys and `--commands` lines through
//!   one `Controls` whose effects one `Delivery` sends (with or without
//!   the live display);
//! - [`realtime`] — the **feeder** thread (`realtime::feeder`) reads the
//!   file (it may block on I/O) through the core's `Feed` and keeps a
//!   lock-free queue of timed events filled ahead of the play head; the
//!   **audio** thread (`realtime::audio_thread`, `realtime::engine`) moves
//!   queued events into the core `Player`'s calendar, renders with
//!   FluidSynth, converts and writes to ALSA, with bounded work per
//!   period, `SCHED_FIFO` and locked memory when allowed.
//!
//! Between them only `heapless::spsc` queues (`realtime::queues`) and
//! atomics (`realtime::play_status`). Nothing on the audio thread
//! allocates, locks, prints or touches a file once its loop runs.
//!
//! *Real-time*: this file runs on the control thread only.

pub(crate) mod control;
pub(crate) mod realtime;
pub(crate) mod sound;

pub(crate) use control::signals;

use std::io::IsTerminal;

use crate::cli::PlayArgs;
use crate::exit::{HostError, Kind, code};

use control::commands::CommandScript;
use control::controls::Controls;
use control::delivery::Nav;
use control::play_song::{SongRun, play_song};
use control::playlist::{self, PlayOrder};
use control::report::{self, Log};
use control::stall_hook;
use control::ui::Ui;
pub use realtime::alsa_output::silence_alsa_lib_errors;
use realtime::messages::End;
use sound::Sound;

/// Longest period the player handles (the command line's upper bound).
pub const MAX_PERIOD: usize = 16_384;

/// Runs `host play`; returns the exit code.
pub fn run(args: &PlayArgs) -> Result<i32, HostError> {
    // First, so that a stop while the SoundFont loads exits with its code.
    signals::install_handlers_while_loading();
    let tty = std::io::stdout().is_terminal();
    let mut log = Log::new(args.quiet, args.json, tty);
    let result = play_all(args, &mut log, tty);
    // With --json every error is an event too (`main` prints its line):
    // the SoundFont's, the device's, as a file's.
    if let Err(e) = &result
        && e.kind != Kind::ReaderGone
    {
        log.json_error(e);
    }
    result
}

/// [`run`], printing through `log`.
fn play_all(args: &PlayArgs, log: &mut Log, tty: bool) -> Result<i32, HostError> {
    let playlist = playlist::expand(&args.files, !args.no_recursive)?;
    for skipped in &playlist.skipped {
        log.warning(&skipped.to_string());
    }
    let playlist = playlist.files;
    let (mut sound, neg) = Sound::open(args)?;
    signals::begin_playback();
    if args.port.is_empty() {
        log.device(&sound.name(), &neg, args.period);
    } else {
        log.ports(&sound.name());
    }
    let stall = stall_hook::from_env();
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

    let mut play_order = PlayOrder::new(playlist.len(), args.shuffle);
    let mut input_error: Option<HostError> = None;
    let mut fatal: Option<HostError> = None;
    let mut total = report::Totals::default();
    'outer: loop {
        let order = play_order.next_round();
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
                log,
                stall,
                script: script.as_ref(),
            };
            match play_song(&song, &mut sound, &mut controls, ui.as_mut(), &mut total) {
                // Not played (`--start` past its end): the next one.
                Ok(None) => at += 1,
                Ok(Some((end, nav))) => {
                    played_any = true;
                    // A key or a command line wins over the song's own end
                    // (pressed as it ended).
                    match (end, nav) {
                        (End::Lost(lost), _) => {
                            let e = HostError::new(Kind::Device, sound.name(), lost.describe());
                            fatal = Some(e);
                            break 'outer;
                        }
                        (_, Some(Nav::Quit)) => break 'outer,
                        // Back at most to the first file; on past the
                        // last ends the round.
                        (_, Some(Nav::Skip(n))) => {
                            at = at.saturating_add_signed(n as isize).min(order.len());
                        }
                        (End::Finished, _) => at += 1,
                        // Quit by a signal.
                        (End::Quit, None) => break 'outer,
                    }
                }
                Err(e) if e.kind == Kind::Device => {
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
