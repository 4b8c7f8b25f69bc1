//! The ALSA output: opens a PCM by name, negotiates the hardware and
//! software parameters, and writes interleaved periods with xrun recovery
//! and a watchdog against devices that stop playing.
//!
//! The PCM is opened non-blocking: a write that finds no room waits in
//! `snd_pcm_wait` with a time limit instead of blocking in `snd_pcm_writei`,
//! so a device that stops moving (a dead JACK server makes a blocking
//! writer hang forever) is noticed within [`STALL_LIMIT`].
//!
//! Xruns are recovered the way cpal and FluidSynth do it: `EPIPE` (underrun)
//! → `snd_pcm_prepare`; `ESTRPIPE` (suspended) → `snd_pcm_resume` until it
//! stops saying `EAGAIN`, else `snd_pcm_prepare`. Each is counted. Any other
//! error (`EIO`, `ENODEV`, `EBADFD`…) means the device is gone.
//!
//! Opening errors are one line each that says what to try: a device that
//! is not there (or, for `default`, no card or sound server), a sound
//! server's plugin with no server behind it, a busy one
//! (naming the programs that hold a card open, [`super::device_holders`]),
//! and a rate or a chosen period the device refuses, with the rates and
//! period sizes it offers (read from its hardware parameter ranges).
//! libasound's own messages are silenced ([`silence_alsa_lib_errors`]).
//!
//! *Real-time*: [`Output::write`] does not allocate or lock (the `alsa`
//! crate's `writei`, `wait`, `prepare` and `resume` are thin calls into
//! libasound; its errors are plain values). Opening is not real-time.

use std::time::{Duration, Instant};

use alsa::pcm::{Access, Format, HwParams, IO, PCM};
use alsa::{Direction, ValueOr};

use crate::cli::SampleFormat;
use crate::exit::{HostError, Kind};

/// A device that accepts nothing for this long is taken as lost.
pub const STALL_LIMIT: Duration = Duration::from_secs(1);

/// Longest single `snd_pcm_wait`.
const WAIT_SLICE_MS: u32 = 50;

/// Interleaved stereo samples of one period, in the device's format.
#[derive(Clone, Copy)]
pub enum Samples<'a> {
    /// `S16_LE`.
    S16(&'a [i16]),
    /// `S32_LE`.
    S32(&'a [i32]),
    /// `FLOAT_LE`.
    F32(&'a [f32]),
}

impl Samples<'_> {
    /// Frames held.
    pub fn frames(&self) -> usize {
        match self {
            Samples::S16(s) => s.len() / 2,
            Samples::S32(s) => s.len() / 2,
            Samples::F32(s) => s.len() / 2,
        }
    }
}

/// Sample formats the player writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcmFormat {
    /// 16-bit signed little-endian.
    S16,
    /// 32-bit signed little-endian.
    S32,
    /// 32-bit float little-endian.
    F32,
}

impl PcmFormat {
    /// ALSA's name for it.
    pub fn name(self) -> &'static str {
        match self {
            PcmFormat::S16 => "S16_LE",
            PcmFormat::S32 => "S32_LE",
            PcmFormat::F32 => "FLOAT_LE",
        }
    }

    fn alsa(self) -> Format {
        match self {
            PcmFormat::S16 => Format::S16LE,
            PcmFormat::S32 => Format::S32LE,
            PcmFormat::F32 => Format::FloatLE,
        }
    }
}

/// Why a write failed for good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lost {
    /// The device returned this errno.
    Error(i32),
    /// The device accepted nothing for [`STALL_LIMIT`].
    Stalled,
}

impl Lost {
    /// One line for the user.
    pub fn describe(self) -> String {
        match self {
            Lost::Error(errno) => format!(
                "the audio device stopped working ({})",
                std::io::Error::from_raw_os_error(errno)
                    .to_string()
                    .split(" (os error")
                    .next()
                    .unwrap_or("")
                    .to_lowercase()
            ),
            Lost::Stalled => format!(
                "the audio device stopped playing (nothing accepted for {} s): reconnect it, or restart its sound server if it has one (e.g. `systemctl --user restart pipewire wireplumber`)",
                STALL_LIMIT.as_secs()
            ),
        }
    }
}

/// Where the audio thread writes periods: the ALSA PCM, or a fake in tests.
pub trait Output {
    /// Writes one period; returns how many xruns were recovered on the way.
    ///
    /// # Errors
    /// [`Lost`] when the device is gone.
    fn write(&mut self, samples: Samples<'_>) -> Result<u32, Lost>;
    /// Frames queued in the device now (`snd_pcm_delay`), if known.
    fn delay(&mut self) -> Option<i64>;
    /// Plays what is queued, then stops (end of a song).
    fn drain(&mut self);
    /// Makes the device ready to start again after [`drain`](Self::drain).
    fn restart(&mut self);
    /// Events the output itself sent late (a PCM has none: its events are
    /// rendered into the samples).
    fn late_events(&self) -> u64 {
        0
    }
}

/// What the device accepted.
#[derive(Clone, Copy, Debug)]
pub struct Negotiated {
    /// Sample format.
    pub format: PcmFormat,
    /// Sample rate.
    pub rate: u32,
    /// Frames per period.
    pub period: usize,
    /// Frames in the device buffer.
    pub buffer: usize,
}

impl Negotiated {
    /// Periods in the buffer (rounded down).
    pub fn periods(&self) -> usize {
        self.buffer / self.period.max(1)
    }

    /// Buffer length in milliseconds: the configured output latency.
    pub fn latency_ms(&self) -> f64 {
        self.buffer as f64 * 1000.0 / f64::from(self.rate)
    }
}

/// An opened, configured ALSA PCM.
pub struct AlsaOutput {
    pcm: PCM,
    name: String,
    negotiated: Negotiated,
}

fn device_error(name: &str, what: &str, e: alsa::Error) -> HostError {
    let errno = e.errno();
    let why = std::io::Error::from_raw_os_error(errno).to_string();
    let why = why.split(" (os error").next().unwrap_or("").to_lowercase();
    if matches!(errno, libc::ENOENT | libc::ENODEV | libc::ENXIO) {
        return no_such_device(name, what);
    }
    if matches!(errno, libc::EHOSTDOWN | libc::ECONNREFUSED) {
        return no_sound_server(name, what);
    }
    let hint = match errno {
        libc::EBUSY => {
            let holders = super::device_holders::playback_holders();
            let who = if holders.is_empty() {
                "another program is using it".to_string()
            } else {
                format!("in use by {}", holders.join(", "))
            };
            format!(
                " ({who}: try --device default, which can share the card, or stop that program)"
            )
        }
        libc::EACCES | libc::EPERM => {
            " (permission denied: is the user in the `audio` group?)".to_string()
        }
        _ => String::new(),
    };
    HostError::new(Kind::Device, name, format!("{what}: {why}{hint}"))
}

/// The device named does not exist (or, for the default, no card or
/// sound server is there).
fn no_such_device(name: &str, what: &str) -> HostError {
    let message = if name == "default" {
        format!(
            "{what}: no sound card or sound server found (connect a card, start \
             PulseAudio or PipeWire, or name a device with --device: `{} devices` lists them)",
            crate::program::name()
        )
    } else {
        format!(
            "{what}: no such device (`{} devices` lists the names; \
             try --device default, or check that the card is connected)",
            crate::program::name()
        )
    };
    HostError::new(Kind::Device, name, message)
}

/// The device is a sound server's plugin (PipeWire's or PulseAudio's, as
/// `default` is on most desktops and Raspberry Pi OS) and no server answers:
/// pipewire-alsa says "host is down" (no socket) or "connection refused"
/// (a socket left by a server that died).
fn no_sound_server(name: &str, what: &str) -> HostError {
    HostError::new(
        Kind::Device,
        name,
        format!(
            "{what}: no sound server answers (PipeWire or PulseAudio is not running: start it, \
             e.g. `systemctl --user start pipewire wireplumber`, or play on a card with \
             --device: `{} devices` lists them)",
            crate::program::name()
        ),
    )
}

/// "48000 Hz" or "44100–48000 Hz": the rates the device offers.
fn rate_range(hw: &HwParams<'_>) -> Option<String> {
    let (lo, hi) = (hw.get_rate_min().ok()?, hw.get_rate_max().ok()?);
    Some(if lo == hi {
        format!("{lo} Hz only")
    } else {
        format!("{lo}–{hi} Hz")
    })
}

/// The device's period sizes as (min, max) frames.
fn period_range(hw: &HwParams<'_>) -> Option<(u64, u64)> {
    let lo = hw.get_period_size_min().ok()?;
    let hi = hw.get_period_size_max().ok()?;
    Some((lo.max(0) as u64, hi.max(0) as u64))
}

/// The device refuses `rate`: says which rates it offers and what to try.
fn rate_refused(name: &str, rate: u32, hw: &HwParams<'_>) -> HostError {
    let offers = rate_range(hw);
    let suggest = match (hw.get_rate_min(), hw.get_rate_max()) {
        (Ok(lo), Ok(hi)) if lo == hi => format!("; try --rate {lo}"),
        (Ok(lo), Ok(hi)) => format!("; try --rate {}", rate.clamp(lo, hi)),
        _ => String::new(),
    };
    HostError::new(
        Kind::Device,
        name,
        match offers {
            Some(o) => format!("the device does not play at {rate} Hz: it offers {o}{suggest}"),
            None => format!("the device does not play at {rate} Hz"),
        },
    )
}

/// libasound's error handler type: `(file, line, function, err, fmt, ...)`
/// (a type, no unsafe operation: see `silence_alsa_lib_errors`).
type AlsaLibErrorHandler = unsafe extern "C" fn(
    *const std::ffi::c_char,
    std::ffi::c_int,
    *const std::ffi::c_char,
    std::ffi::c_int,
    *const std::ffi::c_char,
    ...
);

// SAFETY: the declaration matches libasound's `snd_lib_error_set_handler`
// (alsa/error.h), linked through alsa-sys.
unsafe extern "C" {
    fn snd_lib_error_set_handler(handler: Option<AlsaLibErrorHandler>) -> std::ffi::c_int;
}

extern "C" fn ignore_alsa_lib_error(
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
    _function: *const std::ffi::c_char,
    _err: std::ffi::c_int,
    _fmt: *const std::ffi::c_char,
) {
}

/// Stops libasound from printing its own messages ("ALSA lib pcm.c:…
/// Unknown PCM x") on standard error: every failure is reported once, in
/// the player's own words, from the error code it returns.
pub fn silence_alsa_lib_errors() {
    // SAFETY: the handler ignores all its arguments, so receiving the
    // variadic part it does not declare is harmless on the C ABIs this
    // builds for (the fixed arguments are passed the same way); libasound
    // keeps the pointer, which is a plain function with static lifetime.
    unsafe {
        let handler: AlsaLibErrorHandler = std::mem::transmute(
            ignore_alsa_lib_error
                as extern "C" fn(
                    *const std::ffi::c_char,
                    std::ffi::c_int,
                    *const std::ffi::c_char,
                    std::ffi::c_int,
                    *const std::ffi::c_char,
                ),
        );
        snd_lib_error_set_handler(Some(handler));
    }
}

impl AlsaOutput {
    /// Opens `name` for stereo playback at `rate` Hz with `period` frames
    /// per period and `periods` periods, in `format` (or the first of
    /// S16_LE, S32_LE, FLOAT_LE the device takes). With `period_chosen`
    /// a period outside the device's range is an error that says the
    /// range; otherwise the nearest size the device takes is used.
    pub fn open(
        name: &str,
        rate: u32,
        period: u32,
        periods: u32,
        format: SampleFormat,
        period_chosen: bool,
    ) -> Result<Self, HostError> {
        silence_alsa_lib_errors();
        let pcm = PCM::new(name, Direction::Playback, true).map_err(|e| match e.errno() {
            // What libasound says for a card number that is not there (hw:9).
            libc::EINVAL => no_such_device(name, "cannot open the audio device"),
            _ => device_error(name, "cannot open the audio device", e),
        })?;
        let negotiated = {
            let hw = HwParams::any(&pcm)
                .map_err(|e| device_error(name, "cannot read the device's settings", e))?;
            let set = |what: &str, r: alsa::Result<()>| {
                r.map_err(|e| device_error(name, &format!("the device refuses {what}"), e))
            };
            set("interleaved access", hw.set_access(Access::RWInterleaved))?;
            set("2 channels", hw.set_channels(2))?;
            let wanted: &[PcmFormat] = match format {
                SampleFormat::Auto => &[PcmFormat::S16, PcmFormat::S32, PcmFormat::F32],
                SampleFormat::S16 => &[PcmFormat::S16],
                SampleFormat::S32 => &[PcmFormat::S32],
                SampleFormat::F32 => &[PcmFormat::F32],
            };
            let chosen = wanted
                .iter()
                .copied()
                .find(|f| hw.test_format(f.alsa()).is_ok())
                .ok_or_else(|| {
                    HostError::new(
                        Kind::Device,
                        name,
                        format!(
                            "the device takes none of the sample formats {}",
                            wanted
                                .iter()
                                .map(|f| f.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?;
            set(chosen.name(), hw.set_format(chosen.alsa()))?;
            if hw.test_rate(rate).is_err() {
                return Err(rate_refused(name, rate, &hw));
            }
            hw.set_rate(rate, ValueOr::Nearest)
                .map_err(|_| rate_refused(name, rate, &hw))?;
            if hw.get_rate().ok() != Some(rate) {
                return Err(rate_refused(name, rate, &hw));
            }
            if let Some((lo, hi)) = period_range(&hw)
                && period_chosen
                && !(lo..=hi).contains(&u64::from(period))
            {
                return Err(HostError::new(
                    Kind::Device,
                    name,
                    format!(
                        "the device does not take {period}-frame periods: it offers {lo}–{hi} \
                         frames at {rate} Hz; try --period {}",
                        u64::from(period)
                            .clamp(lo, hi)
                            .clamp(16, crate::play::MAX_PERIOD as u64)
                    ),
                ));
            }
            let got_period = hw
                .set_period_size_near(period as alsa::pcm::Frames, ValueOr::Nearest)
                .map_err(|e| {
                    let offers = period_range(&hw)
                        .map(|(lo, hi)| format!(" (it offers {lo}–{hi} frames)"))
                        .unwrap_or_default();
                    device_error(
                        name,
                        &format!("the device refuses {period}-frame periods{offers}"),
                        e,
                    )
                })?;
            hw.set_buffer_size_near(got_period * periods as alsa::pcm::Frames)
                .map_err(|e| device_error(name, "the device refuses the buffer size", e))?;
            pcm.hw_params(&hw)
                .map_err(|e| device_error(name, "the device refuses the settings", e))?;
            let hw = pcm
                .hw_params_current()
                .map_err(|e| device_error(name, "cannot read the settings back", e))?;
            let period = hw
                .get_period_size()
                .map_err(|e| device_error(name, "cannot read the period size", e))?
                as usize;
            let buffer = hw
                .get_buffer_size()
                .map_err(|e| device_error(name, "cannot read the buffer size", e))?
                as usize;
            Negotiated {
                format: chosen,
                rate,
                period,
                buffer,
            }
        };
        crate::verbose::say(
            1,
            &format!(
                "ALSA {name}: {} {} Hz, period {} frames (asked {period}{}), buffer {} frames ({} periods, asked {periods}), latency {:.1} ms",
                negotiated.format.name(),
                negotiated.rate,
                negotiated.period,
                if period_chosen {
                    ", required"
                } else {
                    ", adaptable"
                },
                negotiated.buffer,
                negotiated.periods(),
                negotiated.latency_ms()
            ),
        );
        if negotiated.period == 0 || negotiated.period > crate::play::MAX_PERIOD {
            return Err(HostError::new(
                Kind::Device,
                name,
                format!(
                    "the device chose {}-frame periods; smfplay plays 16 to {} frames",
                    negotiated.period,
                    crate::play::MAX_PERIOD
                ),
            ));
        }
        {
            let sw = pcm
                .sw_params_current()
                .map_err(|e| device_error(name, "cannot read the software settings", e))?;
            // Start when the buffer is full; wake the writer when a period is free.
            sw.set_start_threshold(negotiated.buffer as alsa::pcm::Frames)
                .and_then(|()| sw.set_avail_min(negotiated.period as alsa::pcm::Frames))
                .and_then(|()| pcm.sw_params(&sw))
                .map_err(|e| device_error(name, "the device refuses the start threshold", e))?;
        }
        Ok(Self {
            pcm,
            name: name.to_string(),
            negotiated,
        })
    }

    /// What the device accepted.
    pub fn negotiated(&self) -> Negotiated {
        self.negotiated
    }

    /// The device name as opened.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn write_with<S: alsa::pcm::IoFormat + Copy>(
        pcm: &PCM,
        io: &IO<'_, S>,
        buf: &[S],
    ) -> Result<u32, Lost> {
        let frames = buf.len() / 2;
        let mut done = 0usize;
        let mut xruns = 0u32;
        let mut last_progress = Instant::now();
        while done < frames {
            match io.writei(&buf[done * 2..frames * 2]) {
                Ok(n) => {
                    if n > 0 {
                        done += n;
                        last_progress = Instant::now();
                    }
                }
                Err(e) => match e.errno() {
                    libc::EAGAIN => {
                        if last_progress.elapsed() >= STALL_LIMIT {
                            return Err(Lost::Stalled);
                        }
                        if let Err(e) = pcm.wait(Some(WAIT_SLICE_MS)) {
                            xruns += recover(pcm, e.errno())?;
                        }
                    }
                    libc::EINTR => {}
                    errno => xruns += recover(pcm, errno)?,
                },
            }
        }
        Ok(xruns)
    }
}

/// Recovers from an xrun or a suspend; returns 1 (one xrun counted), or
/// the loss.
fn recover(pcm: &PCM, errno: i32) -> Result<u32, Lost> {
    match errno {
        libc::EPIPE => {
            pcm.prepare().map_err(|e| Lost::Error(e.errno()))?;
            Ok(1)
        }
        libc::ESTRPIPE => {
            let start = Instant::now();
            loop {
                match pcm.resume() {
                    Ok(()) => return Ok(1),
                    Err(e) if e.errno() == libc::EAGAIN && start.elapsed() < STALL_LIMIT => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => {
                        pcm.prepare().map_err(|e| Lost::Error(e.errno()))?;
                        return Ok(1);
                    }
                }
            }
        }
        libc::EINTR | libc::EAGAIN => Ok(0),
        errno => Err(Lost::Error(errno)),
    }
}

/// The PCM with a typed IO handle made once (making it per write would
/// allocate inside libasound).
pub struct AlsaWriter<'a> {
    pcm: &'a PCM,
    io: WriterIo<'a>,
}

enum WriterIo<'a> {
    S16(IO<'a, i16>),
    S32(IO<'a, i32>),
    F32(IO<'a, f32>),
}

impl AlsaOutput {
    /// The writer the audio thread uses.
    pub fn writer(&self) -> Result<AlsaWriter<'_>, HostError> {
        let err = |e| device_error(&self.name, "cannot write to the device", e);
        let io = match self.negotiated.format {
            PcmFormat::S16 => WriterIo::S16(self.pcm.io_i16().map_err(err)?),
            PcmFormat::S32 => WriterIo::S32(self.pcm.io_i32().map_err(err)?),
            PcmFormat::F32 => WriterIo::F32(self.pcm.io_f32().map_err(err)?),
        };
        Ok(AlsaWriter { pcm: &self.pcm, io })
    }
}

impl Output for AlsaWriter<'_> {
    fn write(&mut self, samples: Samples<'_>) -> Result<u32, Lost> {
        match (&self.io, samples) {
            (WriterIo::S16(io), Samples::S16(s)) => AlsaOutput::write_with(self.pcm, io, s),
            (WriterIo::S32(io), Samples::S32(s)) => AlsaOutput::write_with(self.pcm, io, s),
            (WriterIo::F32(io), Samples::F32(s)) => AlsaOutput::write_with(self.pcm, io, s),
            // The engine converts to the negotiated format; a mismatch is a bug.
            _ => Err(Lost::Error(libc::EINVAL)),
        }
    }

    // snd_pcm_sframes_t is 32 bits on armhf.
    #[allow(clippy::unnecessary_cast)]
    fn delay(&mut self) -> Option<i64> {
        self.pcm.delay().ok().map(|d| d as i64)
    }

    fn drain(&mut self) {
        // Without blocking (a blocking drain hangs on a dead JACK server):
        // start the stream if the song was shorter than the start
        // threshold, then wait until the buffer is empty, at most the
        // buffer's length plus the stall limit.
        use alsa::pcm::State;
        if self.pcm.state() == State::Prepared && self.pcm.delay().is_ok_and(|d| d > 0) {
            let _ = self.pcm.start();
        }
        let buffer = self
            .pcm
            .hw_params_current()
            .and_then(|h| h.get_buffer_size())
            .unwrap_or(0);
        let rate = self
            .pcm
            .hw_params_current()
            .and_then(|h| h.get_rate())
            .unwrap_or(48_000)
            .max(1);
        let limit = Duration::from_millis(buffer as u64 * 1000 / u64::from(rate)) + STALL_LIMIT;
        let start = Instant::now();
        while self.pcm.state() == State::Running && start.elapsed() < limit {
            match self.pcm.avail_update() {
                Ok(avail) if avail >= buffer => break,
                Ok(_) => std::thread::sleep(Duration::from_millis(2)),
                Err(_) => break,
            }
        }
        let _ = self.pcm.drop();
    }

    fn restart(&mut self) {
        let _ = self.pcm.prepare();
    }
}
