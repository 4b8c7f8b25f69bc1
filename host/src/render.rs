//! `host render`: a MIDI file to a WAV file, as fast as the machine allows,
//! through the same sequencer as playback ([`Song::process`] driving
//! [`FluidSynth`]), with no pacing.
//!
//! # What is rendered
//!
//! 1. The file is scanned once ([`crate::scan`]): its length, its problems
//!    (one warning line each; `--strict` refuses a damaged file, exit 3,
//!    before any output is created).
//! 2. The song is played period by period (`--period` frames; the size
//!    only chunks the work: events land on their exact frames whatever the
//!    period, so the WAV is byte-identical for any period). `--start` seeks
//!    with chase; `--end` stops where the song position reaches it
//!    (sounding notes are released, sustain and sostenuto pedals lifted).
//! 3. **Release tail**: after the song's last event (or `--end`), rendering
//!    goes on in blocks of 64 frames counted from that frame, and stops
//!    at the end of the first block that is *quiet* (peak below 2⁻¹⁶, under
//!    half a 16-bit step: the reverb has died away too) while FluidSynth has
//!    no active voice, or that ends [`QUIET_MS`] of consecutive quiet blocks
//!    (voices in a long release can stay "active" far below audibility), or
//!    after [`TAIL_CAP_SECONDS`], whichever comes first.
//!    Voice counts and peaks are taken at frames fixed by the song, never by
//!    the period, so the rule is period-independent too.
//!
//! Standard output (`-o -`) cannot be patched afterwards, so its header
//! declares the song's length plus the whole tail cap up front, and the
//! samples after the tail's end are silence: the first part of the stream
//! is byte for byte the file's data.
//!
//! Same input and options give the same bytes, every run.
//!
//! *Real-time*: not real-time (it is the offline path); the per-period
//! work is the same bounded work as playback.

use std::cell::Cell;
use std::time::Instant;

use midly::MidiMessage;
use midly::num::{u4, u7};
use smfplay_core::audio::convert::{interleave_stereo_f32, interleave_stereo_i16};
use smfplay_core::sequencer::{Command, Notice, Observer, SeekTarget, SequencerConfig};
use smfplay_core::synth::{Synth, SynthEvent};
use smfplay_core::wav::{SampleFormat, WavSpec};

use crate::cli::{RenderArgs, WavFormat, human_duration};
use crate::exit::{HostError, Kind, code};
use crate::fluid::{FluidOptions, FluidSynth};
use crate::progress::{Progress, clock};
use crate::scan::{self, display_name};
use crate::song::Song;
use crate::soundfont;
use crate::wav_output::WavOutput;

/// Longest release tail after the last event, in seconds.
pub const TAIL_CAP_SECONDS: u32 = 3;
/// Tail blocks: FluidSynth's own block size.
pub const TAIL_BLOCK: u64 = 64;
/// A tail block is quiet when its peak is below this (half a 16-bit step).
pub const SILENCE: f32 = 1.0 / 65_536.0;
/// This long a run of quiet blocks ends the tail even while FluidSynth
/// still counts voices (in their release, far below audibility).
pub const QUIET_MS: u32 = 50;

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
    let predicted_end = scaled(song_end.saturating_sub(start_frame));
    let body = cut_at.map_or(predicted_end, |c| c.min(predicted_end));
    check_max_duration(args, song_end, start_frame, end_song_frame)?;
    let cap = (u64::from(TAIL_CAP_SECONDS) * u64::from(rate)).div_ceil(TAIL_BLOCK) * TAIL_BLOCK;

    // 2. Synthesizer.
    let sf = soundfont::find(args.synth.soundfont.as_deref())?;
    let mut fluid = FluidSynth::new(&FluidOptions {
        sample_rate: rate,
        gain: args.synth.gain,
        reverb: !args.synth.no_reverb,
        chorus: !args.synth.no_chorus,
        polyphony: args.synth.polyphony,
        lazy_samples: args.synth.lazy_samples,
    })?;
    fluid.load_soundfont(&sf)?;

    // 3. Song and transport settings.
    let mut song = Song::open(input, seq.strict, SequencerConfig::new(rate, args.period))?;
    let tail_start = Cell::new(None);
    let mut synth = TailSynth::new(&mut fluid, &tail_start, cap);
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
            .map_err(|e| crate::song::reader_error(&args.input, &[], e))?;
    }

    // 4. Output.
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
    loop {
        let mut n = period as u64;
        if let Some(cut) = cut_at
            && !cut_done
            && tail_start.get().is_none()
        {
            if frame == cut {
                // --end: release what sounds, lift the pedals, then the tail.
                song.command(&mut synth, Command::Pause)
                    .map_err(|e| crate::song::reader_error(&args.input, &[], e))?;
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
        let keep = synth
            .stop
            .map_or(n as u64, |s| s.saturating_sub(frame).min(n as u64));
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
        if synth.stop.is_some() || stream_frames.is_some_and(|t| written >= t) {
            break;
        }
    }
    // A stream's header promised `body + cap` frames: pad with silence.
    if let Some(total) = stream_frames {
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

/// Sustain (64) and sostenuto (66) off on every channel.
fn lift_pedals(synth: &mut impl Synth) {
    for ch in 0..16u8 {
        for cc in [64u8, 66] {
            synth.apply(SynthEvent::Midi {
                channel: u4::new(ch),
                message: MidiMessage::Controller {
                    controller: u7::new(cc),
                    value: u7::new(0),
                },
            });
        }
    }
}

/// Notes the output frame of the song's end.
struct EndObserver<'a> {
    chunk_start: u64,
    tail_start: &'a Cell<Option<u64>>,
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

/// FluidSynth plus the release-tail rule: once the tail has started,
/// renders in 64-frame blocks counted from its start and decides, at the
/// end of each, whether the sound has died away.
struct TailSynth<'a> {
    inner: &'a mut FluidSynth,
    tail_start: &'a Cell<Option<u64>>,
    cap: u64,
    /// Frames rendered so far.
    frame: u64,
    /// Peak of the current tail block so far.
    peak: f32,
    /// Consecutive quiet tail blocks.
    quiet_blocks: u64,
    /// Quiet blocks that end the tail even with voices still active.
    quiet_needed: u64,
    /// Where the output ends, once decided.
    stop: Option<u64>,
}

impl<'a> TailSynth<'a> {
    fn new(inner: &'a mut FluidSynth, tail_start: &'a Cell<Option<u64>>, cap: u64) -> Self {
        let rate = u64::from(inner.sample_rate());
        Self {
            quiet_needed: (rate * u64::from(QUIET_MS)).div_ceil(1000 * TAIL_BLOCK),
            quiet_blocks: 0,
            inner,
            tail_start,
            cap,
            frame: 0,
            peak: 0.0,
            stop: None,
        }
    }
}

impl Synth for TailSynth<'_> {
    fn apply(&mut self, event: SynthEvent<'_>) {
        self.inner.apply(event);
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        let mut pos = 0usize;
        while pos < len {
            let tail = self.tail_start.get().filter(|_| self.stop.is_none());
            let Some(ts) = tail else {
                self.inner.render(&mut left[pos..len], &mut right[pos..len]);
                self.frame += (len - pos) as u64;
                return;
            };
            let ts = ts.min(self.frame);
            let block_end = ts + ((self.frame - ts) / TAIL_BLOCK + 1) * TAIL_BLOCK;
            let seg = ((block_end - self.frame) as usize).min(len - pos);
            let (l, r) = (&mut left[pos..pos + seg], &mut right[pos..pos + seg]);
            self.inner.render(l, r);
            let p =
                smfplay_core::audio::convert::peak(l).max(smfplay_core::audio::convert::peak(r));
            self.peak = self.peak.max(p);
            self.frame += seg as u64;
            pos += seg;
            if self.frame == block_end {
                let quiet = self.peak < SILENCE;
                self.quiet_blocks = if quiet { self.quiet_blocks + 1 } else { 0 };
                let silent = quiet && self.inner.active_voices() == 0;
                let inaudible = self.quiet_blocks >= self.quiet_needed;
                if silent || inaudible || self.frame - ts >= self.cap {
                    self.stop = Some(self.frame);
                }
                self.peak = 0.0;
            }
        }
    }
}
