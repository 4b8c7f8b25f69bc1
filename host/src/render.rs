//! `host render`: a MIDI file to a WAV file, as fast as the machine allows,
//! through the same sequencer as playback ([`AnySequencer::process`] driving
//! [`FluidSynth`]), with no pacing.
//!
//! The file is scanned once (length, problems; `--strict` refuses damage
//! before any output exists), played period by period (the WAV is
//! byte-identical for any `--period`), then its release tail is rendered by
//! [`crate::release_tail`]'s rule, so `host play`'s natural end is the same
//! samples. A stop signal finishes a valid, shorter WAV (exit 129/130/143).
//! Standard output, the tail and stopping in detail: `docs/render.md` in the
//! repository.
//!
//! *Real-time*: not real-time (it is the offline path); the per-period
//! work is the same bounded work as playback.

use std::time::Instant;

use midly::num::u4;
use smfplay_core::audio::convert::{interleave_stereo_f32, interleave_stereo_i16};
use smfplay_core::sequencer::{Command, Notice, Observer, SeekTarget, SequencerConfig};
use smfplay_core::wav::{SampleFormat, WavSpec};

use crate::any_sequencer::AnySequencer;
use crate::cli::{RenderArgs, WavFormat, human_duration};
use crate::exit::{HostError, Kind, code};
use crate::fluid::FluidSynth;
use crate::play::signals;
use crate::progress::{Progress, clock};
use crate::release_tail::{TailRule, TailStart, lift_pedals};
use crate::scan::{self, display_name};
use crate::soundfont;
use crate::wav_output::WavOutput;

/// Refuses (exit 3, before any output exists) a song whose stretch to
/// render, in song time from `--start` to `--end` or the last event, is
/// longer than `--max-duration`: such a file (absurd delta times or tempo)
/// would otherwise write hours or years of silence.
fn check_max_duration(
    args: &RenderArgs,
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
            &args.input,
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

/// Runs `host render`; returns the exit code.
pub fn run(args: &RenderArgs) -> Result<i32, HostError> {
    let started = Instant::now();
    // SIGINT, SIGTERM and SIGHUP end the render cleanly between periods.
    signals::install_handlers();
    let rate = args.synth.rate;
    let seq = &args.sequence;
    let milli = (seq.tempo * 1000.0).round() as u32;
    let start_frame = seq.start.map_or(0, |s| (s * f64::from(rate)) as u64);
    let end_song_frame = seq.end.map(|e| (e * f64::from(rate)) as u64);
    if let Some(end) = end_song_frame
        && end <= start_frame
    {
        eprintln!("host: --end must be after --start");
        return Ok(code::USAGE);
    }

    // 1. Scan: length and problems.
    let name = display_name(&args.input);
    let (input, for_scan) = scan::open_twice(&args.input)?;
    let summary = scan::scan(for_scan, seq.strict, |_, _| {})?;
    for line in summary.problem_lines() {
        eprintln!("host: warning: {name}: {line}");
    }
    let (num, den) = summary.end_time;
    let song_end = u64::try_from(num.saturating_mul(u128::from(rate)) / u128::from(den.max(1)))
        .unwrap_or(u64::MAX);
    let scaled = |song_frames: u64| -> u64 {
        u64::try_from(u128::from(song_frames) * 1000 / u128::from(milli.max(1))).unwrap_or(u64::MAX)
    };
    // Output frame where the song position reaches --end (the first frame
    // whose timeline bound covers it: see the core's scale map).
    let cut_at = end_song_frame.map(|end| {
        let d = end - start_frame;
        u64::try_from(u128::from(d - 1) * 1000 / u128::from(milli.max(1)) + 1).unwrap_or(u64::MAX)
    });
    if start_frame > 0 && start_frame >= song_end {
        eprintln!(
            "host: {name}: --start {} is past the end of the song (it lasts {})",
            seq.start.unwrap_or_default(),
            clock(summary.duration_seconds())
        );
        return Ok(code::USAGE);
    }
    let predicted_end = scaled(song_end.saturating_sub(start_frame));
    let body = cut_at.map_or(predicted_end, |c| c.min(predicted_end));
    check_max_duration(args, song_end, start_frame, end_song_frame)?;
    let cap = TailRule::cap_frames(u64::from(rate));

    // 2. Synthesizer.
    let sf = soundfont::choose(&args.synth)?;
    let mut fluid = FluidSynth::new(&args.synth.fluid_options())?;
    fluid.load_soundfont(&sf.path).map_err(|e| sf.explain(e))?;

    // 3. Song and transport settings.
    let mut song = AnySequencer::open(input, seq.strict, SequencerConfig::new(rate, args.period))?;
    let tail_start = TailStart::new(None);
    let mut rule = TailRule::new(fluid.sample_rate());
    let mut synth = rule.with(&mut fluid, &tail_start);
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
    if start_frame > 0 {
        commands.push(Command::Seek(SeekTarget::SongFrame(start_frame)));
    }
    for c in commands {
        song.command(&mut synth, c)
            .map_err(|e| crate::opening::reader_error(&args.input, &[], e))?;
    }

    // 4. Output (none at all when a signal came during the start-up).
    if let Some(sig) = signals::stop_requested() {
        eprintln!(
            "host: {name}: stopped by {} before rendering; nothing written",
            signals::name(sig)
        );
        return Ok(signals::exit_code(sig));
    }
    let format = match args.format {
        WavFormat::S16 => SampleFormat::I16,
        WavFormat::F32 => SampleFormat::F32,
    };
    let mut out = WavOutput::create(&args.output, WavSpec::new(2, rate, format), body + cap)?;
    let stream_frames = out.is_stream().then_some(body + cap);

    // 5. Render.
    let period = args.period as usize;
    let (mut left, mut right) = (vec![0.0f32; period], vec![0.0f32; period]);
    let mut pcm16 = vec![0i16; 2 * period];
    let mut pcmf = vec![0.0f32; 2 * period];
    let mut observer = EndObserver {
        chunk_start: 0,
        tail_start: &tail_start,
    };
    let mut progress = Progress::new(!args.quiet, body, rate);
    let (mut frame, mut written, mut cut_done) = (0u64, 0u64, false);
    let mut late_error = None;
    let mut stopped_by = None;
    loop {
        let mut n = period as u64;
        if let Some(cut) = cut_at
            && !cut_done
            && tail_start.get().is_none()
        {
            if frame == cut {
                // --end: release what sounds, lift the pedals, then the tail.
                song.command(&mut synth, Command::Pause)
                    .map_err(|e| crate::opening::reader_error(&args.input, &[], e))?;
                lift_pedals(&mut synth);
                tail_start.set(Some(frame));
                cut_done = true;
            } else {
                n = n.min(cut - frame);
            }
        }
        let n = n as usize;
        observer.chunk_start = frame;
        if let Err(e) = song.process(&mut synth, &mut left[..n], &mut right[..n], &mut observer) {
            // Fatal reader error mid-song: the song ends there (already
            // reported by the scan, unless the file changed meanwhile).
            late_error.get_or_insert(e);
        }
        let stop = synth.stop();
        let keep = stop.map_or(n as u64, |s| s.saturating_sub(frame).min(n as u64));
        let keep = match stream_frames {
            Some(total) => keep.min(total - written),
            None => keep,
        } as usize;
        write_frames(
            &mut out,
            args.format,
            &left[..keep],
            &right[..keep],
            &mut pcm16,
            &mut pcmf,
        )?;
        written += keep as u64;
        frame += n as u64;
        progress.update(written);
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
            write_frames(
                &mut out,
                args.format,
                &left[..k],
                &right[..k],
                &mut pcm16,
                &mut pcmf,
            )?;
            written += k as u64;
        }
    }
    out.finish()?;
    progress.clear();
    if let Some(sig) = stopped_by {
        // The file is a valid WAV of what was rendered (its sizes patched).
        eprintln!(
            "host: {name}: stopped by {} after {} of audio; {} holds what was rendered",
            signals::name(sig),
            clock(written as f64 / f64::from(rate)),
            out_name(&args.output)
        );
        return Ok(signals::exit_code(sig));
    }
    if let Some(e) = late_error
        && summary.fatal.is_none()
    {
        eprintln!("host: warning: {name}: {e}");
    }
    if !args.quiet {
        let audio = written as f64 / f64::from(rate);
        let took = started.elapsed().as_secs_f64();
        eprintln!(
            "host: rendered {} of audio to {} in {:.2} s ({:.1}× real time)",
            clock(audio),
            out_name(&args.output),
            took,
            audio / took.max(1e-9)
        );
    }
    Ok(code::OK)
}

fn out_name(path: &std::path::Path) -> String {
    if path.as_os_str() == "-" {
        "standard output".into()
    } else {
        path.display().to_string()
    }
}

fn write_frames(
    out: &mut WavOutput,
    format: WavFormat,
    left: &[f32],
    right: &[f32],
    pcm16: &mut [i16],
    pcmf: &mut [f32],
) -> Result<(), HostError> {
    let n = left.len();
    match format {
        WavFormat::S16 => {
            interleave_stereo_i16(left, right, 1.0, &mut pcm16[..2 * n]);
            out.write_i16(&pcm16[..2 * n])
        }
        WavFormat::F32 => {
            interleave_stereo_f32(left, right, 1.0, false, &mut pcmf[..2 * n]);
            out.write_f32(&pcmf[..2 * n])
        }
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
