//! `host render -O DIR`: many files, rendered on several cores.
//!
//! `-j N` worker threads each load the SoundFont once, then take the next
//! file of the list until none is left. Each song gets a new synthesizer
//! playing from the worker's loaded SoundFont ([`SharedSoundFont`]): a
//! synthesizer reset with `fluid_synth_system_reset` does not sound exactly
//! like a new one (measured: the first notes differ); a new synth per
//! song is in the batch figures of BENCHMARKS.md. So a file's output never depends on what its
//! worker rendered before: each file is byte for byte what
//! `host render FILE -o OUT` makes alone (a test checks it).
//!
//! The control thread prints: on a terminal, one progress line for the
//! whole batch (files done of all, audio rendered, speed as × real time,
//! time left), redrawn in place; otherwise one plain line per file. A file
//! that fails is one line (`host: FILE: what is wrong`) and the others go
//! on; the summary at the end counts them, and the exit code is the first
//! failure's (3 input, 6 output), 0 when all were rendered.
//!
//! A stop (Ctrl-C, SIGTERM, SIGHUP) ends every worker between two
//! periods; the files being written are removed (a shorter file would
//! pass for a finished one), the finished ones stay.
//!
//! *Real-time*: not real-time.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::inputs::{self, Planned};
use super::{SongEnd, SongReport, Target, output, render_song, shared_soundfont};
use crate::cli::RenderArgs;
use crate::exit::{HostError, Kind, code, describe_io};
use crate::fluid::SharedSoundFont;
use crate::play::signals;
use crate::progress::{Throttle, clock};
use crate::soundfont;

/// What the workers tell the control thread.
enum Message {
    /// A warning line (without `host: `).
    Warning(String),
    /// File `index` of the plan is done.
    Done {
        index: usize,
        result: Result<SongEnd, HostError>,
    },
    /// A worker could not make its synthesizer.
    Fatal(HostError),
}

/// Shared between the workers and the control thread.
struct Shared {
    next: AtomicUsize,
    frames: AtomicU64,
    quit: AtomicBool,
}

struct WorkerReport<'a> {
    tx: &'a mpsc::Sender<Message>,
    shared: &'a Shared,
    last: u64,
}

impl SongReport for WorkerReport<'_> {
    fn warning(&mut self, line: String) {
        let _ = self.tx.send(Message::Warning(line));
    }

    fn progress(&mut self, frames: u64) {
        self.shared
            .frames
            .fetch_add(frames.saturating_sub(self.last), Ordering::Relaxed);
        self.last = frames;
    }
}

/// Runs a batch; returns the exit code.
pub fn run(args: &RenderArgs) -> Result<i32, HostError> {
    let started = Instant::now();
    let Some(dir) = &args.output_dir else {
        unreachable!("clap asks for -o or -O");
    };
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1
        || (args
            .files_from
            .as_deref()
            .is_some_and(|l| l.as_os_str() == "-")
            && args.inputs.iter().any(|p| p.as_os_str() == "-"))
    {
        eprintln!(
            "{}: standard input can be read only once",
            crate::program::name()
        );
        return Ok(code::USAGE);
    }
    let format = output::resolve_format(args.format, None);
    let (files, input_errors) = inputs::collect(&args.inputs, args.files_from.as_deref())?;
    let mut plan = inputs::plan(&files, dir, output::extension(format));
    if let Some(shard) = args.shard {
        plan = inputs::shard(&plan, shard);
    }
    let mut first_error: Option<i32> = None;
    for e in &input_errors {
        eprintln!("{}: {e}", crate::program::name());
        first_error.get_or_insert(e.exit_code());
    }
    if plan.is_empty() {
        if !args.quiet {
            eprintln!("{}: nothing to render", crate::program::name());
        }
        return Ok(first_error.unwrap_or(code::OK));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        HostError::file(
            Kind::Output,
            dir,
            format!("cannot create the directory: {}", describe_io(&e)),
        )
    })?;
    let soundfont = soundfont::choose(&args.synth)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args
        .jobs
        .map_or(cores, |j| j as usize)
        .min(plan.len())
        .max(1);

    let shared = Shared {
        next: AtomicUsize::new(0),
        frames: AtomicU64::new(0),
        quit: AtomicBool::new(false),
    };
    let (tx, rx) = mpsc::channel();
    let mut display = Display::new(args, plan.len());
    let mut failed = 0usize;
    let mut stopped = None;
    let mut fatal = None;
    let mut audio_frames = 0u64;
    // The SoundFonts are loaded here, one after the other, before any
    // worker prints (FluidSynth's loader is quiet only while standard error
    // is pointed away, which is process-wide).
    let mut fonts = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        fonts.push(shared_soundfont(args, &soundfont.path).map_err(|e| soundfont.explain(e))?);
    }
    std::thread::scope(|scope| {
        for (w, font) in fonts.into_iter().enumerate() {
            let tx = tx.clone();
            let (shared, plan) = (&shared, &plan);
            let spawned = std::thread::Builder::new()
                .name(format!("render-{w}"))
                .spawn_scoped(scope, move || work(args, &font, plan, format, shared, &tx));
            if let Err(e) = spawned {
                fatal.get_or_insert(HostError::new(
                    Kind::Other,
                    "",
                    format!("cannot start a thread: {e}"),
                ));
                shared.quit.store(true, Ordering::Relaxed);
            }
        }
        drop(tx);
        let mut done = 0usize;
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Message::Warning(line)) => {
                    display.line(&format!("{}: warning: {line}", crate::program::name()))
                }
                Ok(Message::Fatal(e)) => {
                    fatal.get_or_insert(e);
                }
                Ok(Message::Done { index, result }) => {
                    done += 1;
                    let p = &plan[index];
                    match result {
                        Ok(SongEnd::Finished { frames }) => {
                            audio_frames += frames;
                            display.finished(done, p, frames, args.synth.rate);
                        }
                        Ok(SongEnd::Stopped { signal, files, .. }) => {
                            stopped.get_or_insert(signal);
                            for f in files {
                                let _ = std::fs::remove_file(f);
                            }
                        }
                        Ok(SongEnd::NotStarted { signal }) => {
                            stopped.get_or_insert(signal);
                        }
                        Err(e) => {
                            failed += 1;
                            first_error.get_or_insert(e.exit_code());
                            display.line(&format!("{}: {e}", crate::program::name()));
                        }
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if let Some(sig) = signals::stop_requested() {
                stopped.get_or_insert(sig);
            }
            display.progress(done, shared.frames.load(Ordering::Relaxed), args.synth.rate);
        }
    });
    display.clear();
    if let Some(e) = fatal {
        return Err(e);
    }
    let rendered = plan.len() - failed;
    if let Some(sig) = stopped {
        eprintln!(
            "{}: stopped by {}; the files being written were removed, the finished ones kept",
            crate::program::name(),
            signals::name(sig)
        );
        return Ok(signals::exit_code(sig));
    }
    if !args.quiet {
        let audio = audio_frames as f64 / f64::from(args.synth.rate);
        let took = started.elapsed().as_secs_f64();
        let failures = failed + input_errors.len();
        eprintln!(
            "{}: rendered {rendered} of {} files ({} of audio) to {} in {took:.2} s \
             ({:.1}× real time, {jobs} jobs){}",
            crate::program::name(),
            plan.len(),
            clock(audio),
            dir.display(),
            audio / took.max(1e-9),
            if failures > 0 {
                format!("; {failures} failed")
            } else {
                String::new()
            }
        );
    }
    Ok(first_error.unwrap_or(code::OK))
}

/// One worker: takes the next file until none is left (or a stop).
fn work(
    args: &RenderArgs,
    font: &SharedSoundFont,
    plan: &[Planned],
    format: crate::cli::WavFormat,
    shared: &Shared,
    tx: &mpsc::Sender<Message>,
) {
    loop {
        if shared.quit.load(Ordering::Relaxed) || signals::stop_requested().is_some() {
            return;
        }
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(p) = plan.get(index) else { return };
        // A new synth for each song (a reset one does not sound the same
        // as a new one: see BENCHMARKS.md), with the worker's SoundFont.
        let mut fluid = match font.new_synth() {
            Ok(f) => f,
            Err(e) => {
                shared.quit.store(true, Ordering::Relaxed);
                let _ = tx.send(Message::Fatal(e));
                return;
            }
        };
        let target = Target {
            path: &p.output,
            format,
            overwrite: args.force,
        };
        let mut report = WorkerReport {
            tx,
            shared,
            last: 0,
        };
        let result = render_song(args, &mut fluid, &p.input, &target, &mut report);
        if tx.send(Message::Done { index, result }).is_err() {
            return;
        }
    }
}

/// The control thread's output: a progress line on a terminal, plain
/// lines otherwise.
struct Display {
    quiet: bool,
    live: bool,
    total: usize,
    started: Instant,
    throttle: Throttle,
    drawn: usize,
}

impl Display {
    fn new(args: &RenderArgs, total: usize) -> Self {
        Self {
            quiet: args.quiet,
            live: !args.quiet && std::io::stderr().is_terminal(),
            total,
            started: Instant::now(),
            throttle: Throttle::default(),
            drawn: 0,
        }
    }

    /// An error or warning line (always printed).
    fn line(&mut self, text: &str) {
        self.clear();
        eprintln!("{text}");
    }

    /// A file is done.
    fn finished(&mut self, done: usize, p: &Planned, frames: u64, rate: u32) {
        if self.quiet || self.live {
            return;
        }
        eprintln!(
            "{}: [{done}/{}] {} -> {} ({} of audio)",
            crate::program::name(),
            self.total,
            p.input.display(),
            p.output.display(),
            clock(frames as f64 / f64::from(rate))
        );
    }

    /// Redraws the progress line (at most 10 times a second).
    fn progress(&mut self, done: usize, frames: u64, rate: u32) {
        if !self.live {
            return;
        }
        if !self.throttle.ready() {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let audio = frames as f64 / f64::from(rate);
        let left = if done > 0 {
            format!(
                ", about {} left",
                clock(elapsed / done as f64 * (self.total - done) as f64)
            )
        } else {
            String::new()
        };
        let line = format!(
            "[{done}/{}] {} of audio, {:.1}× real time{left}",
            self.total,
            clock(audio),
            audio / elapsed.max(1e-9)
        );
        let pad = self.drawn.saturating_sub(line.chars().count());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}{:pad$}", "");
        let _ = err.flush();
        self.drawn = line.chars().count();
    }

    /// Erases the progress line.
    fn clear(&mut self) {
        if self.drawn > 0 {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{:w$}\r", "", w = self.drawn);
            let _ = err.flush();
            self.drawn = 0;
        }
    }
}
