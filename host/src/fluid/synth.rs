//! A safe FluidSynth synthesizer implementing the core's [`Synth`] trait.
//!
//! It owns its settings and synth (freed on drop), loads one SoundFont,
//! applies every MIDI event kind including sysex (GM, GS and XG resets are
//! handled by FluidSynth itself), and renders float stereo into
//! caller-owned buffers with `fluid_synth_write_float`.
//!
//! Ports: FluidSynth has one set of 16 channels (its default
//! `synth.midi-channels`), and `fluidsynth -F` ignores a file's
//! port-number meta event (`FF 21`: its MIDI file reader,
//! `src/midi/fluid_midi.c`, has no case for it and skips it). This synth
//! ignores [`SynthEvent`]s' port likewise, and the host sequences for it
//! with one port (`render`'s sequencer has `PORTS` = 1, `play` sets its
//! feed to one with `Feed::set_ports`), so every track plays on the
//! same 16 channels and the chase keeps one state per channel, as before
//! ports existed: renders are bit-identical to those without ports.
//!
//! FluidSynth's API lock is turned off (`synth.threadsafe-api = 0`): the
//! synth is only ever used by one thread at a time (the render loop or the
//! audio thread), so no call takes a mutex. FluidSynth's log messages are
//! captured into a fixed buffer instead of being printed (see [`last_error`]).
//!
//! *Real-time*: [`Synth::apply`] and [`Synth::render`] neither allocate nor
//! lock nor print (FluidSynth renders from preallocated voices; with
//! `--lazy-samples` a program change may load samples, which is why that
//! option trades latency for memory). Construction and SoundFont loading
//! are not real-time.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use fluidsynth_sys as sys;
use midly::MidiMessage;
use smfplay_core::synth::{Synth, SynthEvent};

use crate::exit::{HostError, Kind};

/// How to set the synthesizer up.
#[derive(Debug, Clone)]
pub struct FluidOptions {
    /// Output sample rate.
    pub sample_rate: u32,
    /// Master gain.
    pub gain: f32,
    /// Reverb on.
    pub reverb: bool,
    /// Chorus on.
    pub chorus: bool,
    /// Voice limit (FluidSynth's default when `None`).
    pub polyphony: Option<u32>,
    /// Load samples on first use.
    pub lazy_samples: bool,
}

/// How `host render` may lay the synthesizer out beyond [`FluidOptions`].
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// FluidSynth's rendering threads (`synth.cpu-cores`); 1 keeps the
    /// samples identical to `play`'s.
    pub cpu_cores: u32,
    /// One stereo output per MIDI channel (for [`FluidSynth::render_stems`]).
    pub stems: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            cpu_cores: 1,
            stems: false,
        }
    }
}

/// The FluidSynth synthesizer; see the module docs.
pub struct FluidSynth {
    settings: NonNull<sys::fluid_settings_t>,
    synth: NonNull<sys::fluid_synth_t>,
    sample_rate: u32,
}

/// MIDI channels, and stereo outputs in stems mode.
pub const CHANNELS: usize = 16;

// SAFETY: the synth is used by one thread at a time; moving it between threads is
// fine (FluidSynth keeps no thread-local state for a synth).
unsafe impl Send for FluidSynth {}

impl FluidSynth {
    /// Creates a synthesizer (no SoundFont yet).
    pub fn new(options: &FluidOptions) -> Result<Self, HostError> {
        Self::with_layout(options, Layout::default())
    }

    /// Creates a synthesizer laid out as `layout` says (no SoundFont yet).
    pub fn with_layout(options: &FluidOptions, layout: Layout) -> Result<Self, HostError> {
        capture_logs();
        let _logs = StartUpLogs::begin();
        // SAFETY: plain constructor; checked for null below.
        let settings = NonNull::new(unsafe { sys::new_fluid_settings() })
            .ok_or_else(|| other("FluidSynth could not create its settings"))?;
        // SAFETY (both setters): valid settings and NUL-terminated names.
        let set_num = |name: &CStr, v: f64| unsafe {
            sys::fluid_settings_setnum(settings.as_ptr(), name.as_ptr(), v)
        };
        // SAFETY: as `set_num`.
        let set_int = |name: &CStr, v: c_int| unsafe {
            sys::fluid_settings_setint(settings.as_ptr(), name.as_ptr(), v)
        };
        set_num(c"synth.sample-rate", f64::from(options.sample_rate));
        set_num(c"synth.gain", f64::from(options.gain));
        set_int(c"synth.reverb.active", c_int::from(options.reverb));
        set_int(c"synth.chorus.active", c_int::from(options.chorus));
        set_int(c"synth.threadsafe-api", 0);
        set_int(c"synth.cpu-cores", layout.cpu_cores.clamp(1, 256) as c_int);
        if layout.stems {
            // Voices of MIDI channel c go to stereo output c (c % groups).
            set_int(c"synth.audio-channels", CHANNELS as c_int);
            set_int(c"synth.audio-groups", CHANNELS as c_int);
        }
        if let Some(p) = options.polyphony {
            set_int(c"synth.polyphony", p.min(65_535) as c_int);
        }
        set_int(
            c"synth.dynamic-sample-loading",
            c_int::from(options.lazy_samples),
        );
        // SAFETY: settings is valid; the synth keeps a pointer to it, so the
        // settings are freed after the synth (Drop).
        let synth = match NonNull::new(unsafe { sys::new_fluid_synth(settings.as_ptr()) }) {
            Some(s) => s,
            None => {
                // SAFETY: the settings made above, used by no synth.
                unsafe { sys::delete_fluid_settings(settings.as_ptr()) };
                return Err(other(&format!(
                    "FluidSynth could not create a synthesizer: {}",
                    last_error()
                )));
            }
        };
        Ok(Self {
            settings,
            synth,
            sample_rate: options.sample_rate,
        })
    }

    /// Loads the SoundFont every channel plays from.
    pub fn load_soundfont(&mut self, path: &Path) -> Result<(), HostError> {
        self.load_soundfont_id(path).map(|_| ())
    }

    /// Loads the SoundFont; returns FluidSynth's id for it.
    fn load_soundfont_id(&mut self, path: &Path) -> Result<c_int, HostError> {
        // Declared first, dropped last: after standard error is back.
        let _logs = StartUpLogs::begin();
        let sf_error = |m: String| HostError::file(Kind::SoundFont, path, m);
        let meta = std::fs::metadata(path).map_err(|e| sf_error(crate::exit::describe_io(&e)))?;
        if meta.is_dir() {
            return Err(sf_error("is a directory, not a SoundFont".into()));
        }
        let mut head = [0u8; 12];
        use std::io::Read;
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| sf_error(crate::exit::describe_io(&e)))?;
        if n < 12 || &head[0..4] != b"RIFF" || &head[8..12] != b"sfbk" {
            return Err(sf_error(format!(
                "not a SoundFont 2 file ({})",
                crate::midi_input::describe_content(&head[..n])
            )));
        }
        // A cut-off download: checked here, because FluidSynth's loader
        // says only "failed to load" (and libinstpatch prints to stderr).
        let declared = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]])) + 8;
        if meta.len() < declared {
            return Err(sf_error(format!(
                "truncated: the file has {} bytes but its header says {declared} \
                 (an interrupted download or copy? get it again)",
                meta.len()
            )));
        }
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| sf_error("path contains a NUL byte".into()))?;
        clear_last_error();
        // SAFETY: valid synth and NUL-terminated path.
        let id = {
            // libinstpatch (FluidSynth's DLS loader) prints glib criticals
            // about damaged files straight to stderr; the error is said
            // once below instead.
            let _quiet = SilencedStderr::new();
            // SAFETY: valid synth and NUL-terminated path.
            unsafe { sys::fluid_synth_sfload(self.synth.as_ptr(), c_path.as_ptr(), 1) }
        };
        if id == sys::FLUID_FAILED {
            let why = last_error();
            let why = if why.is_empty() || why.starts_with("Failed to load SoundFont") {
                "damaged: FluidSynth cannot load it (get it again, or use another SoundFont)"
                    .to_string()
            } else {
                format!("damaged: {why}")
            };
            return Err(sf_error(why));
        }
        Ok(id)
    }

    /// The sample rate it renders at.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Turns reverb on or off (all effect groups).
    pub fn set_reverb(&mut self, on: bool) {
        // SAFETY: valid synth.
        unsafe { sys::fluid_synth_reverb_on(self.synth.as_ptr(), -1, c_int::from(on)) };
    }

    /// Turns chorus on or off (all effect groups).
    pub fn set_chorus(&mut self, on: bool) {
        // SAFETY: valid synth.
        unsafe { sys::fluid_synth_chorus_on(self.synth.as_ptr(), -1, c_int::from(on)) };
    }

    /// Sets the voice limit.
    pub fn set_polyphony(&mut self, voices: u32) {
        // SAFETY: valid synth.
        unsafe {
            sys::fluid_synth_set_polyphony(self.synth.as_ptr(), voices.clamp(1, 65_535) as c_int)
        };
    }

    /// The voice limit.
    pub fn polyphony(&self) -> u32 {
        // SAFETY: valid synth.
        unsafe { sys::fluid_synth_get_polyphony(self.synth.as_ptr()) }.max(0) as u32
    }

    /// Voices sounding now.
    pub fn active_voices(&self) -> u32 {
        // SAFETY: valid synth.
        unsafe { sys::fluid_synth_get_active_voice_count(self.synth.as_ptr()) }.max(0) as u32
    }

    /// Back to the power-on state: all voices off, controllers and programs reset.
    pub fn reset(&mut self) {
        // SAFETY: valid synth.
        unsafe { sys::fluid_synth_system_reset(self.synth.as_ptr()) };
    }

    /// Renders `len` frames as one stereo pair per MIDI channel (`dry`:
    /// 2 × 16 planar buffers, left and right of channel 1, then of channel
    /// 2, …) and the reverb and chorus return (`fx`: left, right); adds to
    /// what the buffers hold. Needs a synth made with `stems`.
    pub fn render_stems(&mut self, len: usize, dry: &mut [&mut [f32]], fx: [&mut [f32]; 2]) {
        assert!(dry.len() == 2 * CHANNELS && dry.iter().all(|b| b.len() >= len));
        assert!(fx.iter().all(|b| b.len() >= len));
        if len == 0 {
            return;
        }
        let mut outs: [*mut f32; 2 * CHANNELS] = [std::ptr::null_mut(); 2 * CHANNELS];
        for (o, b) in outs.iter_mut().zip(dry.iter_mut()) {
            *o = b.as_mut_ptr();
        }
        let [fl, fr] = fx;
        // Reverb and chorus of the one effects group both go to `fx`
        // (buffers may alias, says FluidSynth's documentation).
        let mut fxs: [*mut f32; 4] = [
            fl.as_mut_ptr(),
            fr.as_mut_ptr(),
            fl.as_mut_ptr(),
            fr.as_mut_ptr(),
        ];
        // SAFETY: 32 and 4 buffers of at least `len` floats each.
        unsafe {
            sys::fluid_synth_process(
                self.synth.as_ptr(),
                len as c_int,
                4,
                fxs.as_mut_ptr(),
                (2 * CHANNELS) as c_int,
                outs.as_mut_ptr(),
            );
        }
    }
}

impl Synth for FluidSynth {
    fn apply(&mut self, event: SynthEvent<'_>) {
        let s = self.synth.as_ptr();
        // SAFETY: valid synth; FluidSynth range-checks its arguments and
        // returns FLUID_FAILED for bad ones (ignored: the file said it).
        unsafe {
            match event {
                // FluidSynth has one set of 16 channels and ignores the
                // port, as `fluidsynth -F` does with FF 21 (its MIDI file
                // reader skips that meta event); the host gives its feed
                // one port, so every event is on port 0 anyway.
                SynthEvent::Midi {
                    channel, message, ..
                } => {
                    let ch = c_int::from(channel.as_int());
                    match message {
                        MidiMessage::NoteOn { key, vel } => {
                            // velocity 0 is a note-off for FluidSynth too
                            sys::fluid_synth_noteon(
                                s,
                                ch,
                                c_int::from(key.as_int()),
                                c_int::from(vel.as_int()),
                            );
                        }
                        MidiMessage::NoteOff { key, .. } => {
                            sys::fluid_synth_noteoff(s, ch, c_int::from(key.as_int()));
                        }
                        MidiMessage::Aftertouch { key, vel } => {
                            sys::fluid_synth_key_pressure(
                                s,
                                ch,
                                c_int::from(key.as_int()),
                                c_int::from(vel.as_int()),
                            );
                        }
                        MidiMessage::Controller { controller, value } => {
                            sys::fluid_synth_cc(
                                s,
                                ch,
                                c_int::from(controller.as_int()),
                                c_int::from(value.as_int()),
                            );
                        }
                        MidiMessage::ProgramChange { program } => {
                            sys::fluid_synth_program_change(s, ch, c_int::from(program.as_int()));
                        }
                        MidiMessage::ChannelAftertouch { vel } => {
                            sys::fluid_synth_channel_pressure(s, ch, c_int::from(vel.as_int()));
                        }
                        MidiMessage::PitchBend { bend } => {
                            sys::fluid_synth_pitch_bend(s, ch, c_int::from(bend.0.as_int()));
                        }
                    }
                }
                // The chase that follows restores the state.
                SynthEvent::Jump { .. } => {}
                SynthEvent::SysEx { data, .. } => {
                    // FluidSynth wants the bytes between F0 and F7.
                    let body = data.strip_suffix(&[0xF7]).unwrap_or(data);
                    if !body.is_empty() && body.len() <= c_int::MAX as usize {
                        sys::fluid_synth_sysex(
                            s,
                            body.as_ptr().cast::<c_char>(),
                            body.len() as c_int,
                            std::ptr::null_mut(),
                            std::ptr::null_mut(),
                            std::ptr::null_mut(),
                            0,
                        );
                    }
                }
            }
        }
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        if n == 0 {
            return;
        }
        // SAFETY: both buffers hold at least n floats; increments of 1.
        unsafe {
            sys::fluid_synth_write_float(
                self.synth.as_ptr(),
                n as c_int,
                left.as_mut_ptr().cast::<c_void>(),
                0,
                1,
                right.as_mut_ptr().cast::<c_void>(),
                0,
                1,
            );
        }
    }
}

impl Drop for FluidSynth {
    fn drop(&mut self) {
        // SAFETY: created in `new`, freed once, synth before its settings.
        unsafe {
            sys::delete_fluid_synth(self.synth.as_ptr());
            sys::delete_fluid_settings(self.settings.as_ptr());
        }
    }
}

/// A SoundFont loaded once and lent to any number of new synthesizers
/// (`host render`'s batch workers: a new synth for each song, so that no
/// state of one song reaches the next, without loading the SoundFont
/// again). It is owned by a synth of its own that never plays.
pub struct SharedSoundFont {
    holder: FluidSynth,
    sfont: NonNull<sys::fluid_sfont_t>,
    options: FluidOptions,
    layout: Layout,
}

// Used by one thread at a time, like the synth that holds it.
unsafe impl Send for SharedSoundFont {}

impl SharedSoundFont {
    /// Loads `path` for synths made with `options` and `layout`.
    pub fn load(options: &FluidOptions, layout: Layout, path: &Path) -> Result<Self, HostError> {
        let mut holder = FluidSynth::with_layout(options, Layout::default())?;
        let id = holder.load_soundfont_id(path)?;
        // SAFETY: valid synth; the id was just returned by sfload.
        let sfont =
            NonNull::new(unsafe { sys::fluid_synth_get_sfont_by_id(holder.synth.as_ptr(), id) })
                .ok_or_else(|| other("FluidSynth lost the SoundFont it loaded"))?;
        Ok(Self {
            holder,
            sfont,
            options: options.clone(),
            layout,
        })
    }

    /// A new synthesizer playing from the shared SoundFont: the same state
    /// as a new synth that loaded it itself.
    pub fn new_synth(&self) -> Result<LentSynth<'_>, HostError> {
        let synth = FluidSynth::with_layout(&self.options, self.layout)?;
        // SAFETY: both valid; the sfont outlives the LentSynth (borrow of self).
        let id = unsafe { sys::fluid_synth_add_sfont(synth.synth.as_ptr(), self.sfont.as_ptr()) };
        if id == sys::FLUID_FAILED {
            return Err(other("FluidSynth could not share the SoundFont"));
        }
        let _ = &self.holder;
        Ok(LentSynth {
            synth,
            sfont: self.sfont,
            _shared: std::marker::PhantomData,
        })
    }
}

/// A synth playing from a [`SharedSoundFont`]; gives it back when dropped.
pub struct LentSynth<'a> {
    synth: FluidSynth,
    sfont: NonNull<sys::fluid_sfont_t>,
    _shared: std::marker::PhantomData<&'a SharedSoundFont>,
}

impl std::ops::Deref for LentSynth<'_> {
    type Target = FluidSynth;
    fn deref(&self) -> &FluidSynth {
        &self.synth
    }
}

impl std::ops::DerefMut for LentSynth<'_> {
    fn deref_mut(&mut self) -> &mut FluidSynth {
        &mut self.synth
    }
}

impl Drop for LentSynth<'_> {
    fn drop(&mut self) {
        // Off the synth's stack before it is deleted (which would delete it).
        // SAFETY: both valid.
        unsafe { sys::fluid_synth_remove_sfont(self.synth.synth.as_ptr(), self.sfont.as_ptr()) };
    }
}

fn other(m: &str) -> HostError {
    HostError::new(Kind::Other, "fluidsynth", m)
}

// --- FluidSynth's log messages ------------------------------------------------
// Captured without allocating or locking (FluidSynth may log from the audio
// thread): a fixed buffer guarded by a try-lock flag; a message that arrives
// while another is being written is dropped.

const LOG_CAPACITY: usize = 240;
static LOG_BUSY: AtomicBool = AtomicBool::new(false);
static LOG_LEN: AtomicUsize = AtomicUsize::new(0);
static mut LOG_BUF: [u8; LOG_CAPACITY] = [0; LOG_CAPACITY];
static INSTALLED: std::sync::Once = std::sync::Once::new();

/// FluidSynth's log callback.
///
/// # Safety
/// `message` is null or a NUL-terminated string (FluidSynth's contract).
unsafe extern "C" fn on_fluid_log(level: c_int, message: *const c_char, _data: *mut c_void) {
    if message.is_null() {
        return;
    }
    if START_UP_LOGS.load(Ordering::Relaxed) {
        // SAFETY: FluidSynth passes a NUL-terminated string.
        let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
        held_start_up_log(level, &text);
    }
    if level > sys::FLUID_ERR {
        return; // warnings and chatter: dropped (reported through our own errors)
    }
    if LOG_BUSY.swap(true, Ordering::Acquire) {
        return;
    }
    // SAFETY: FluidSynth passes a NUL-terminated string; LOG_BUSY gives us
    // the buffer exclusively.
    let bytes = unsafe { CStr::from_ptr(message) }.to_bytes();
    let n = bytes.len().min(LOG_CAPACITY);
    // SAFETY: LOG_BUSY gives this call the buffer exclusively.
    unsafe {
        let buf = &mut *std::ptr::addr_of_mut!(LOG_BUF);
        buf[..n].copy_from_slice(&bytes[..n]);
    }
    LOG_LEN.store(n, Ordering::Relaxed);
    LOG_BUSY.store(false, Ordering::Release);
}

/// FluidSynth's log lines are kept for `--verbose` while this is set: only
/// during start-up on the control thread ([`StartUpLogs`]), never while the
/// audio thread runs the synth.
static START_UP_LOGS: AtomicBool = AtomicBool::new(false);
static HELD_LOGS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn held_start_up_log(level: c_int, text: &str) {
    let (min, word) = match level {
        sys::FLUID_PANIC | sys::FLUID_ERR => (1, "error"),
        sys::FLUID_WARN => (1, "warning"),
        sys::FLUID_INFO => (2, "info"),
        _ => (2, "debug"),
    };
    if crate::verbose::level() >= min
        && let Ok(mut held) = HELD_LOGS.try_lock()
    {
        held.push(format!("fluidsynth {word}: {}", text.trim_end()));
    }
}

/// While alive, FluidSynth's log lines are held; printed when dropped (after
/// standard error is back from /dev/null).
struct StartUpLogs;

impl StartUpLogs {
    fn begin() -> Self {
        START_UP_LOGS.store(crate::verbose::level() > 0, Ordering::Relaxed);
        Self
    }
}

impl Drop for StartUpLogs {
    fn drop(&mut self) {
        START_UP_LOGS.store(false, Ordering::Relaxed);
        if let Ok(mut held) = HELD_LOGS.lock() {
            for line in held.drain(..) {
                crate::verbose::say(1, &line);
            }
        }
    }
}

fn capture_logs() {
    INSTALLED.call_once(|| {
        for level in [
            sys::FLUID_PANIC,
            sys::FLUID_ERR,
            sys::FLUID_WARN,
            sys::FLUID_INFO,
            sys::FLUID_DBG,
        ] {
            // SAFETY: installs a static function with no user data.
            unsafe { sys::fluid_set_log_function(level, Some(on_fluid_log), std::ptr::null_mut()) };
        }
    });
}

fn clear_last_error() {
    LOG_LEN.store(0, Ordering::Relaxed);
}

/// The last error FluidSynth logged ("" if none).
pub fn last_error() -> String {
    if LOG_BUSY.swap(true, Ordering::Acquire) {
        return String::new();
    }
    let n = LOG_LEN.load(Ordering::Relaxed).min(LOG_CAPACITY);
    // SAFETY: exclusive by LOG_BUSY.
    let text = unsafe {
        let buf: &[u8; LOG_CAPACITY] = &*std::ptr::addr_of!(LOG_BUF);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    LOG_BUSY.store(false, Ordering::Release);
    text.trim().to_string()
}

/// Standard error sent to /dev/null while it lives (start-up only, before
/// other threads print). Restored on drop. The saved copy is close-on-exec,
/// so a child started meanwhile does not inherit it.
struct SilencedStderr {
    saved: Option<std::os::fd::OwnedFd>,
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

/// One silencing at a time: two overlapping ones could restore each
/// other's /dev/null and leave standard error silenced for good.
static SILENCING: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl SilencedStderr {
    fn new() -> Self {
        let lock = SILENCING.lock().unwrap_or_else(|e| e.into_inner());
        // On any failure standard error is left as it is.
        let saved = rustix::io::fcntl_dupfd_cloexec(rustix::stdio::stderr(), 0).ok();
        let null = std::fs::OpenOptions::new().write(true).open("/dev/null");
        let saved = match (saved, null) {
            (Some(saved), Ok(null)) if rustix::stdio::dup2_stderr(&null).is_ok() => Some(saved),
            _ => None,
        };
        Self {
            saved,
            _one_at_a_time: lock,
        }
    }
}

impl Drop for SilencedStderr {
    fn drop(&mut self) {
        if let Some(saved) = self.saved.take() {
            let _ = rustix::stdio::dup2_stderr(&saved);
        }
    }
}
