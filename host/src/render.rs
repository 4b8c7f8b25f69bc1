//! `host render`: MIDI files to WAV or FLAC files, as fast as the machine
//! allows, through the same sequencer as playback
//! ([`AnySequencer::process`] driving [`FluidSynth`]), with no pacing. One
//! file with `-o`; many with `-O DIR`, on every core ([`batch`]).
//!
//! The file is scanned once (length, problems; `--strict` refuses damage
//! before any output exists), played period by period (the output is
//! byte-identical for any `--period`, every run, alone or in a batch), then
//! its release tail is rendered by [`crate::release_tail`]'s rule, so `host
//! play`'s natural end is the same samples. A stop signal finishes a valid,
//! shorter file (exit 129/130/143). Standard output, the tail and stopping
//! in detail: `docs/render.md` in the repository.
//!
//! *Real-time*: not real-time (it is the offline path); the per-period
//! work is the same bounded work as playback.

mod batch;
mod inputs;
mod output;
mod stems;

use std::path::{Path, PathBuf};
use std::time::Instant;

use midly::num::u4;
use smfplay_core::sequencer::{
    Command, LoopRange, Notice, Observer, SeekTarget, SequencerConfig, TimePoint,
};
use smfplay_core::synth::Synth;

use crate::any_sequencer::AnySequencer;
use crate::cli::{RenderArgs, WavFormat, human_duration};
use crate::exit::{HostError, Kind, code};
use crate::fluid::{CHANNELS, FluidSynth, Layout, SharedSoundFont};
use crate::play::signals;
use crate::progress::{Progress, clock};
use crate::release_tail::{TailRule, TailStart, VoiceCount, lift_pedals};
use crate::scan::{self, display_name};
use crate::song_map::{self, SongMap};
use crate::soundfont;
use output::AudioOut;
use stems::StemSynth;

/// Refuses (exit 3, before any output exists) a song whose stretch to
/// render, in song time from `--start` to `--end` or the last event, is
/// longer than `--max-duration`: such a file (absurd delta times or tempo)
/// would otherwise write hours or years of silence.
fn check_max_duration(
    args: &RenderArgs,
    input: &Path,
    song_end: u64,
    start_frame: u64,
    end_song_frame: Option<u64>,
) -> Result<(), HostError> {
    let rate = f64::from(args.synth.rate);
    let last = end_song_frame.map_or(song_end, |e| e.min(song_end));
    let span = last.saturating_sub(start_frame) as f64 / rate;
    let max = args.sequence.max_duration;
    if span > max {
        return Err(HostError::file(
            Kind::Input,
            input,
            format!(
                "the song lasts {} from where rendering starts, longer than --max-duration ({}); \
                 pass --end or a larger --max-duration to render it",
                human_duration(span),
                human_duration(max)
            ),
        ));
    }
    Ok(())
}

/// Where the render starts, stops and loops, in the song's terms.
struct SongPoints {
    /// `--start` as a song frame (0: the beginning).
    start_frame: u64,
    /// `--end` as a song frame.
    end_song_frame: Option<u64>,
    /// The loop (`--loop-range`, else the file's) and its turns back
    /// (`--loops` − 1; a render loops once by default), when `--loops` is
    /// more than 1.
    looping: Option<(LoopRange, u32)>,
}

impl SongPoints {
    /// Resolves the options against the song's map (a usage error names
    /// the file); a warning for loop marks that make no loop.
    fn resolve(
        map: &SongMap,
        args: &RenderArgs,
        name: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Self, HostError> {
        let rate = args.synth.rate;
        let seq = &args.sequence;
        let usage =
            |what: &str, e: String| HostError::new(Kind::Usage, name, format!("{what}: {e}"));
        let frame = |what: &str, at: Option<TimePoint>| {
            at.map(|p| {
                map.song_frame(p, rate)
                    .map_err(|e| usage(what, e.to_string()))
            })
            .transpose()
        };
        let start_frame = frame("--start", seq.start)?.unwrap_or(0);
        let end_song_frame = frame("--end", seq.end)?;
        if let Some(end) = end_song_frame
            && end <= start_frame
        {
            return Err(HostError::new(
                Kind::Usage,
                "",
                "--end must be after --start",
            ));
        }
        let range = match seq.loop_range {
            Some(r) => Some(
                map.loop_range(r, rate)
                    .map_err(|e| usage("--loop-range", e))?,
            ),
            None => {
                let points = map.file_loop();
                if let Some(d) = points.defect {
                    warnings.push(format!("{name}: {d}"));
                }
                points.found.map(|l| l.range)
            }
        };
        let loops = seq.loops.unwrap_or(1);
        let looping = range.filter(|_| loops > 1).map(|r| (r, loops - 1));
        Ok(Self {
            start_frame,
            end_song_frame,
            looping,
        })
    }
}

/// Runs `host render`; returns the exit code.
pub fn run(args: &RenderArgs) -> Result<i32, HostError> {
    // SIGINT, SIGTERM and SIGHUP end the render cleanly between periods.
    signals::install_handlers();
    let Some(output) = &args.output else {
        return batch::run(args);
    };
    // One input, one output.
    let single = args.inputs.len() == 1
        && args.files_from.is_none()
        && args.shard.is_none()
        && (args.inputs[0].as_os_str() == "-" || !args.inputs[0].is_dir());
    if !single {
        eprintln!(
            "{}: -o writes one file from one MIDI file; for several inputs, a directory, \
             --files-from or --shard, give -O DIR",
            crate::program::name()
        );
        return Ok(code::USAGE);
    }
    if args.stems && output.as_os_str() == "-" {
        eprintln!(
            "{}: --stems writes several files: give -o with a file name, not -",
            crate::program::name()
        );
        return Ok(code::USAGE);
    }
    run_single(args, &args.inputs[0], output)
}

/// How `args` lay the synthesizer out.
fn layout(args: &RenderArgs) -> Layout {
    Layout {
        cpu_cores: args.threads,
        stems: args.stems,
    }
}

/// The synthesizer a single render uses.
fn new_synth(args: &RenderArgs, soundfont: &Path) -> Result<FluidSynth, HostError> {
    let mut fluid = FluidSynth::with_layout(&args.synth.fluid_options(), layout(args))?;
    fluid.load_soundfont(soundfont)?;
    Ok(fluid)
}

/// The SoundFont a batch worker loads once for all its songs.
fn shared_soundfont(args: &RenderArgs, soundfont: &Path) -> Result<SharedSoundFont, HostError> {
    SharedSoundFont::load(&args.synth.fluid_options(), layout(args), soundfont)
}

/// `host render FILE -o OUT`.
fn run_single(args: &RenderArgs, input: &Path, output: &Path) -> Result<i32, HostError> {
    let started = Instant::now();
    let rate = args.synth.rate;
    // The scan comes first: a damaged file under --strict is refused
    // before the SoundFont loads.
    let prepared = prepare(args, input)?;
    let sf = soundfont::choose(&args.synth)?;
    let mut fluid = new_synth(args, &sf.path).map_err(|e| sf.explain(e))?;
    let name = display_name(input);
    let mut report = SingleReport {
        name: name.clone(),
        progress: Progress::new(!args.quiet, prepared.body, fluid.sample_rate()),
    };
    let target = Target {
        path: output,
        format: output::resolve_format(args.format, Some(output)),
        overwrite: true,
    };
    let end = render_prepared(args, &mut fluid, prepared, &target, &mut report)?;
    report.progress.clear();
    match end {
        SongEnd::NotStarted { signal } => {
            eprintln!(
                "{}: {name}: stopped by {} before rendering; nothing written",
                crate::program::name(),
                signals::name(signal)
            );
            Ok(signals::exit_code(signal))
        }
        SongEnd::Stopped { signal, frames, .. } => {
            // The file is a valid WAV of what was rendered (its sizes patched).
            eprintln!(
                "{}: {name}: stopped by {} after {} of audio; {} holds what was rendered",
                crate::program::name(),
                signals::name(signal),
                clock(frames as f64 / f64::from(rate)),
                out_name(output)
            );
            Ok(signals::exit_code(signal))
        }
        SongEnd::Finished { frames, .. } => {
            if !args.quiet {
                let audio = frames as f64 / f64::from(rate);
                let took = started.elapsed().as_secs_f64();
                eprintln!(
                    "{}: rendered {} of audio to {} in {:.2} s ({:.1}× real time)",
                    crate::program::name(),
                    clock(audio),
                    out_name(output),
                    took,
                    audio / took.max(1e-9)
                );
            }
            Ok(code::OK)
        }
    }
}

/// How a song's render ended.
#[derive(Debug)]
pub enum SongEnd {
    /// Rendered to its end: `frames` written to each file.
    Finished { frames: u64 },
    /// Stopped by a signal after `frames`; `files` hold what was rendered.
    Stopped {
        signal: i32,
        frames: u64,
        files: Vec<PathBuf>,
    },
    /// Stopped by a signal before any output was created.
    NotStarted { signal: i32 },
}

/// Where a song's render reports to.
pub trait SongReport {
    /// A warning about the file (one line, without `host: `).
    fn warning(&mut self, line: String);
    /// `frames` of audio written so far.
    fn progress(&mut self, frames: u64);
}

struct SingleReport {
    name: String,
    progress: Progress,
}

impl SongReport for SingleReport {
    fn warning(&mut self, line: String) {
        let _ = &self.name;
        eprintln!("{}: warning: {line}", crate::program::name());
    }

    fn progress(&mut self, frames: u64) {
        self.progress.update(frames);
    }
}

/// A song scanned and checked, ready to render.
pub struct Prepared {
    input: crate::midi_input::MidiInput,
    path: PathBuf,
    summary_fatal: bool,
    /// Output frames up to the song's end or `--end` (before the tail).
    pub body: u64,
    start_frame: u64,
    cut_at: Option<u64>,
    warnings: Vec<String>,
    uses: [stems::ChannelUse; CHANNELS],
    /// The loop and its turns back (`--loops` − 1).
    looping: Option<(LoopRange, u32)>,
}

/// Scans `input` and checks it can be rendered.
pub fn prepare(args: &RenderArgs, input: &Path) -> Result<Prepared, HostError> {
    let rate = args.synth.rate;
    let seq = &args.sequence;
    let milli = (seq.tempo * 1000.0).round() as u32;
    let name = display_name(input);
    let (midi, for_scan) = scan::open_twice(input)?;
    let mut uses = [stems::ChannelUse::default(); CHANNELS];
    let (summary, map) =
        song_map::scan_with_map(for_scan, seq.strict, |_, e| stems::note(&mut uses, &e.kind))?;
    let mut warnings: Vec<String> = summary
        .problem_lines()
        .into_iter()
        .map(|l| format!("{name}: {l}"))
        .collect();
    let SongPoints {
        start_frame,
        end_song_frame,
        looping,
    } = SongPoints::resolve(&map, args, &name, &mut warnings)?;
    let (num, den) = summary.end_time;
    let song_end = u64::try_from(num.saturating_mul(u128::from(rate)) / u128::from(den.max(1)))
        .unwrap_or(u64::MAX);
    // The song time the loop adds: (--loops − 1) turns of A–B, when the
    // render reaches B.
    let extra = looping.map_or(0, |(range, turns)| {
        let a = map.frame_of(range.start, rate);
        let b = range.end.map_or(song_end, |e| map.frame_of(e, rate));
        let reaches_b = start_frame < b && end_song_frame.is_none_or(|e| e >= b);
        if reaches_b {
            (b - a).saturating_mul(u64::from(turns))
        } else {
            0
        }
    });
    let scaled = |song_frames: u64| -> u64 {
        u64::try_from(u128::from(song_frames) * 1000 / u128::from(milli.max(1))).unwrap_or(u64::MAX)
    };
    // Output frame where the song position reaches --end (the first frame
    // whose timeline bound covers it: see the core's scale map).
    let cut_at = end_song_frame.map(|end| {
        let d = (end.saturating_sub(start_frame) + extra).max(1);
        u64::try_from(u128::from(d - 1) * 1000 / u128::from(milli.max(1)) + 1).unwrap_or(u64::MAX)
    });
    if start_frame > 0 && start_frame >= song_end {
        return Err(HostError::new(
            Kind::Usage,
            name,
            format!(
                "--start {} is past the end of the song (it lasts {})",
                seq.start.map(|p| p.to_string()).unwrap_or_default(),
                clock(summary.duration_seconds())
            ),
        ));
    }
    let predicted_end = scaled(song_end.saturating_sub(start_frame) + extra);
    let body = cut_at.map_or(predicted_end, |c| c.min(predicted_end));
    check_max_duration(
        args,
        input,
        song_end + extra,
        start_frame,
        end_song_frame.map(|e| e + extra),
    )?;
    Ok(Prepared {
        input: midi,
        path: input.to_path_buf(),
        summary_fatal: summary.fatal.is_some(),
        body,
        start_frame,
        cut_at,
        warnings,
        uses,
        looping,
    })
}

/// Where a song goes.
pub struct Target<'a> {
    /// The file (`-`: standard output); with `--stems`, the name the stems
    /// are named after.
    pub path: &'a Path,
    /// Its format.
    pub format: WavFormat,
    /// Whether an existing file may be replaced.
    pub overwrite: bool,
}

/// Renders `input` to `target` with `fluid`, a new synthesizer.
pub fn render_song(
    args: &RenderArgs,
    fluid: &mut FluidSynth,
    input: &Path,
    target: &Target<'_>,
    report: &mut dyn SongReport,
) -> Result<SongEnd, HostError> {
    let prepared = prepare(args, input)?;
    render_prepared(args, fluid, prepared, target, report)
}

/// Renders a prepared song: the mix, or with `--stems` one file per
/// sounding channel (and the effects return).
fn render_prepared(
    args: &RenderArgs,
    fluid: &mut FluidSynth,
    prepared: Prepared,
    target: &Target<'_>,
    report: &mut dyn SongReport,
) -> Result<SongEnd, HostError> {
    for w in &prepared.warnings {
        report.warning(w.clone());
    }
    if args.stems {
        let channels = stems::sounding(&prepared.uses, &args.sequence.mute, &args.sequence.solo);
        let effects = !(args.synth.no_reverb && args.synth.no_chorus);
        let files = StemFiles {
            target,
            rate: args.synth.rate,
            channels: channels
                .iter()
                .map(|&c| (c, prepared.uses[usize::from(c)].first_program))
                .collect(),
            effects,
            outs: Vec::new(),
            fx: None,
        };
        let mut synth = StemSynth::new(fluid, args.period as usize);
        play(args, prepared, &mut synth, files, report)
    } else {
        let files = MixFile {
            target,
            rate: args.synth.rate,
            out: None,
        };
        play(args, prepared, fluid, files, report)
    }
}

/// The files a render writes, created once the song is ready to play.
trait SongFiles<S> {
    /// Creates the files; a stream's header declares `frames`.
    fn create(&mut self, frames: u64) -> Result<(), HostError>;
    /// Whether the output is a stream (its length declared up front).
    fn is_stream(&self) -> bool;
    /// Writes the first `keep` frames of this period (`left`/`right`: the mix).
    fn write(&mut self, synth: &S, left: &[f32], right: &[f32]) -> Result<(), HostError>;
    /// Finishes the files; returns their paths.
    fn finish(self) -> Result<Vec<PathBuf>, HostError>;
}

/// The mix, in one file.
struct MixFile<'a> {
    target: &'a Target<'a>,
    rate: u32,
    out: Option<AudioOut>,
}

impl<S> SongFiles<S> for MixFile<'_> {
    fn create(&mut self, frames: u64) -> Result<(), HostError> {
        let t = self.target;
        self.out = Some(AudioOut::create(
            t.path,
            t.format,
            self.rate,
            frames,
            t.overwrite,
        )?);
        Ok(())
    }

    fn is_stream(&self) -> bool {
        self.out.as_ref().is_some_and(AudioOut::is_stream)
    }

    fn write(&mut self, _: &S, left: &[f32], right: &[f32]) -> Result<(), HostError> {
        match &mut self.out {
            Some(o) => o.write(left, right),
            None => Ok(()),
        }
    }

    fn finish(self) -> Result<Vec<PathBuf>, HostError> {
        if let Some(o) = self.out {
            o.finish()?;
        }
        Ok(vec![self.target.path.to_path_buf()])
    }
}

/// One file per sounding channel, and the effects return.
struct StemFiles<'a> {
    target: &'a Target<'a>,
    rate: u32,
    /// Channels (0-based) and their first programs.
    channels: Vec<(u8, Option<u8>)>,
    effects: bool,
    outs: Vec<(usize, PathBuf, AudioOut)>,
    fx: Option<(PathBuf, AudioOut)>,
}

impl SongFiles<StemSynth<'_>> for StemFiles<'_> {
    fn create(&mut self, frames: u64) -> Result<(), HostError> {
        let t = self.target;
        for &(c, program) in &self.channels {
            let path = stems::stem_path(t.path, c, program);
            let out = AudioOut::create(&path, t.format, self.rate, frames, t.overwrite)?;
            self.outs.push((usize::from(c), path, out));
        }
        if self.effects {
            let path = stems::fx_path(t.path);
            let out = AudioOut::create(&path, t.format, self.rate, frames, t.overwrite)?;
            self.fx = Some((path, out));
        }
        Ok(())
    }

    fn is_stream(&self) -> bool {
        false
    }

    fn write(&mut self, synth: &StemSynth<'_>, left: &[f32], _: &[f32]) -> Result<(), HostError> {
        let keep = left.len();
        for (c, _, out) in &mut self.outs {
            let (l, r) = synth.channel(*c);
            out.write(&l[..keep], &r[..keep])?;
        }
        if let Some((_, out)) = &mut self.fx {
            let (l, r) = synth.effects();
            out.write(&l[..keep], &r[..keep])?;
        }
        Ok(())
    }

    fn finish(self) -> Result<Vec<PathBuf>, HostError> {
        let mut paths = Vec::new();
        for (_, path, out) in self.outs {
            out.finish()?;
            paths.push(path);
        }
        if let Some((path, out)) = self.fx {
            out.finish()?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// A synth the render loop can start a period on (the stems' buffers are
/// per period).
trait PeriodSynth: Synth + VoiceCount {
    /// Called before each period.
    fn next_period(&mut self) {}
}

impl PeriodSynth for FluidSynth {}

impl PeriodSynth for StemSynth<'_> {
    fn next_period(&mut self) {
        StemSynth::next_period(self);
    }
}

/// The render loop: plays `prepared` through `synth` into `files`.
fn play<S: PeriodSynth>(
    args: &RenderArgs,
    prepared: Prepared,
    synth: &mut S,
    mut files: impl SongFiles<S>,
    report: &mut dyn SongReport,
) -> Result<SongEnd, HostError> {
    let rate = args.synth.rate;
    let seq = &args.sequence;
    let milli = (seq.tempo * 1000.0).round() as u32;
    let path = prepared.path.clone();
    let reader_error = |e| crate::opening::reader_error(&path, &[], e);
    let cap = TailRule::cap_frames(u64::from(rate));
    let mut song = AnySequencer::open(
        prepared.input,
        seq.strict,
        SequencerConfig::new(rate, args.period),
    )?;
    let tail_start = TailStart::new(None);
    let mut rule = TailRule::new(rate);
    let mut tailed = rule.with(synth, &tail_start);
    let mut commands = vec![];
    if milli != 1000 {
        commands.push(Command::TempoMilli(milli));
    }
    if seq.transpose != 0 {
        commands.push(Command::Transpose(seq.transpose));
    }
    for &ch in &seq.mute {
        commands.push(Command::Mute(u4::new(ch - 1), true));
    }
    for &ch in &seq.solo {
        commands.push(Command::Solo(u4::new(ch - 1), true));
    }
    if let Some((range, turns)) = prepared.looping {
        commands.push(Command::Loop(Some(range)));
        song.set_loop_turns(turns);
    }
    if prepared.start_frame > 0 {
        commands.push(Command::Seek(SeekTarget::SongFrame(prepared.start_frame)));
    }
    for c in commands {
        song.command(&mut tailed, c).map_err(reader_error)?;
    }

    // Output (none at all when a signal came during the start-up).
    if let Some(signal) = signals::stop_requested() {
        return Ok(SongEnd::NotStarted { signal });
    }
    let body = prepared.body;
    files.create(body + cap)?;
    let stream_frames = files.is_stream().then_some(body + cap);

    let period = args.period as usize;
    let (mut left, mut right) = (vec![0.0f32; period], vec![0.0f32; period]);
    let mut observer = EndObserver {
        chunk_start: 0,
        tail_start: &tail_start,
    };
    let (mut frame, mut written, mut cut_done) = (0u64, 0u64, false);
    let mut late_error = None;
    let mut stopped_by = None;
    loop {
        let mut n = period as u64;
        if let Some(cut) = prepared.cut_at
            && !cut_done
            && tail_start.get().is_none()
        {
            if frame == cut {
                // --end: release what sounds, lift the pedals, then the tail.
                song.command(&mut tailed, Command::Pause)
                    .map_err(reader_error)?;
                lift_pedals(&mut tailed);
                tail_start.set(Some(frame));
                cut_done = true;
            } else {
                n = n.min(cut - frame);
            }
        }
        let n = n as usize;
        observer.chunk_start = frame;
        tailed.inner_mut().next_period();
        if let Err(e) = song.process(&mut tailed, &mut left[..n], &mut right[..n], &mut observer) {
            // Fatal reader error mid-song: the song ends there (already
            // reported by the scan, unless the file changed meanwhile).
            late_error.get_or_insert(e);
        }
        let stop = tailed.stop();
        let keep = stop.map_or(n as u64, |s| s.saturating_sub(frame).min(n as u64));
        let keep = match stream_frames {
            Some(total) => keep.min(total - written),
            None => keep,
        } as usize;
        files.write(tailed.inner_mut(), &left[..keep], &right[..keep])?;
        written += keep as u64;
        frame += n as u64;
        report.progress(written);
        if stop.is_some() || stream_frames.is_some_and(|t| written >= t) {
            break;
        }
        if let Some(sig) = signals::stop_requested() {
            stopped_by = Some(sig);
            break;
        }
    }
    // A stream's header promised `body + cap` frames: pad with silence
    // (not after a stop: the stream just ends).
    if let Some(total) = stream_frames.filter(|_| stopped_by.is_none()) {
        left.fill(0.0);
        right.fill(0.0);
        while written < total {
            let k = (total - written).min(period as u64) as usize;
            files.write(tailed.inner_mut(), &left[..k], &right[..k])?;
            written += k as u64;
        }
    }
    let paths = files.finish()?;
    if let Some(signal) = stopped_by {
        return Ok(SongEnd::Stopped {
            signal,
            frames: written,
            files: paths,
        });
    }
    if let Some(e) = late_error
        && !prepared.summary_fatal
    {
        report.warning(format!("{}: {e}", display_name(&path)));
    }
    Ok(SongEnd::Finished { frames: written })
}

fn out_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard output".into()
    } else {
        path.display().to_string()
    }
}

/// Notes the output frame of the song's end.
struct EndObserver<'a> {
    chunk_start: u64,
    tail_start: &'a TailStart,
}

impl Observer for EndObserver<'_> {
    fn notice(&mut self, offset: u32, notice: Notice<'_>) {
        if let Notice::End = notice
            && self.tail_start.get().is_none()
        {
            self.tail_start
                .set(Some(self.chunk_start + u64::from(offset)));
        }
    }
}
