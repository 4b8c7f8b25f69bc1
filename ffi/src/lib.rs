//! Raw FFI declarations for the system libfluidsynth 2.x (checked against 2.3.1).
//!
//! This crate contains declarations only: opaque handle types, the constants and enum
//! values the player needs, and the `extern "C"` functions it calls. There is no logic
//! here and nothing to make the calls safe; the safe wrapper (ownership of the settings
//! and synth handles, `CString` conversion, return-code checks) lives in the host crate.
//! The build script links `libfluidsynth` found with pkg-config and exports the directory
//! of `fluidsynth.h` to dependants as `DEP_FLUIDSYNTH_INCLUDE`.
//!
//! Every declaration is checked against the real header by `tests/header_signatures.rs`,
//! which translates the `extern` block below into C and compiles it against
//! `<fluidsynth.h>` with `-Werror`. Keep one function per `pub fn` item when editing.
//!
//! Names, types and values are exactly the C ones (`fluid_synth_t`, `FLUID_OK`, ...), hence
//! the `non_camel_case_types` allowance. C enums are given as `c_int` constants, because
//! the functions take and return plain `int`.
//!
//! # Return conventions
//!
//! Most functions return [`FLUID_OK`] (0) on success and [`FLUID_FAILED`] (-1) on error.
//! Constructors return a null pointer on error. The one-line docs below say when a
//! function differs.
//!
//! # Real-time use
//!
//! This crate is not real-time code itself; it only describes what FluidSynth offers.
//! What FluidSynth documents:
//!
//! * The rendering functions ([`fluid_synth_write_float`], [`fluid_synth_write_s16`],
//!   [`fluid_synth_process`]) "should only be called from the synthesis thread": the thread
//!   that calls them *is* the synthesis thread. They are meant for a high-priority audio
//!   thread.
//! * The MIDI event functions ([`fluid_synth_noteon`], [`fluid_synth_noteoff`],
//!   [`fluid_synth_cc`], [`fluid_synth_pitch_bend`], [`fluid_synth_program_change`], ...) may
//!   be called from any thread. With the setting `synth.threadsafe-api` = 1 (the default),
//!   every public synth function takes a recursive mutex inside the synth, the same one the
//!   rendering functions take, so an event call from another thread can block the audio
//!   thread (and vice versa) for up to one rendering call. With `synth.threadsafe-api` = 0
//!   no mutex is taken and the caller must guarantee that only one thread touches the synth
//!   at a time (for example: send all events from the audio thread, between rendering
//!   calls). FluidSynth does not promise that these calls never allocate: program and bank
//!   changes may load sample data when `synth.dynamic-sample-loading` is on.
//! * Never real-time: creating and deleting settings and synths, loading and unloading
//!   SoundFonts ([`fluid_synth_sfload`], [`fluid_synth_sfunload`]: file I/O and allocation),
//!   and the settings functions (they take the settings object's own lock).
//! * Logging ([`fluid_set_log_function`]) is global to the process, not per synth, and the
//!   log callback may be called from whichever thread logs, including the audio thread.
//!
//! # Deprecated functions in 2.3
//!
//! [`fluid_synth_set_reverb`] and [`fluid_synth_set_chorus`] are marked `FLUID_DEPRECATED`
//! in the 2.3 header (replaced in 2.2 by the per-effects-group setters such as
//! [`fluid_synth_set_reverb_group_roomsize`], which take an `fx_group` where -1 means all
//! groups). [`fluid_synth_set_sample_rate`] is still declared but deprecated since 2.1
//! (and a no-op from 2.4.4 on): set `synth.sample-rate` before [`new_fluid_synth`] instead.
//! These carry `#[deprecated]` here too.

#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_double, c_float, c_int, c_void};

/// Opaque settings object (`typedef struct _fluid_hashtable_t fluid_settings_t`).
pub enum fluid_settings_t {}

/// Opaque synthesizer instance (`typedef struct _fluid_synth_t fluid_synth_t`).
pub enum fluid_synth_t {}

/// Opaque loaded SoundFont (`typedef struct _fluid_sfont_t fluid_sfont_t`).
pub enum fluid_sfont_t {}

/// Log handler installed with [`fluid_set_log_function`]: `(level, message, data)`.
///
/// `level` is one of the `FLUID_PANIC` .. `FLUID_DBG` values; `message` is a NUL-terminated
/// string valid only during the call. `None` means "drop messages of this level".
pub type fluid_log_function_t =
    Option<unsafe extern "C" fn(level: c_int, message: *const c_char, data: *mut c_void)>;

/// Value returned by most functions on success.
pub const FLUID_OK: c_int = 0;
/// Value returned by most functions on failure.
pub const FLUID_FAILED: c_int = -1;

// enum fluid_log_level

/// Log level: the synth cannot function correctly any more.
pub const FLUID_PANIC: c_int = 0;
/// Log level: serious error.
pub const FLUID_ERR: c_int = 1;
/// Log level: warning.
pub const FLUID_WARN: c_int = 2;
/// Log level: verbose information.
pub const FLUID_INFO: c_int = 3;
/// Log level: debugging messages.
pub const FLUID_DBG: c_int = 4;

// enum fluid_chorus_mod

/// Chorus modulation waveform: sine (for [`fluid_synth_set_chorus_group_type`]).
pub const FLUID_CHORUS_MOD_SINE: c_int = 0;
/// Chorus modulation waveform: triangle (for [`fluid_synth_set_chorus_group_type`]).
pub const FLUID_CHORUS_MOD_TRIANGLE: c_int = 1;

// enum fluid_interp (values for `fluid_synth_set_interp_method`, which is not declared here)

/// Interpolation: none (fastest, poor quality).
pub const FLUID_INTERP_NONE: c_int = 0;
/// Interpolation: linear.
pub const FLUID_INTERP_LINEAR: c_int = 1;
/// Interpolation: fourth order (FluidSynth's default).
pub const FLUID_INTERP_4THORDER: c_int = 4;
/// Interpolation: seventh order (highest quality).
pub const FLUID_INTERP_7THORDER: c_int = 7;
/// Interpolation: FluidSynth's default method.
pub const FLUID_INTERP_DEFAULT: c_int = FLUID_INTERP_4THORDER;
/// Interpolation: the highest-quality method.
pub const FLUID_INTERP_HIGHEST: c_int = FLUID_INTERP_7THORDER;

// enum fluid_midi_channel_type

/// Channel type for [`fluid_synth_set_channel_type`]: melodic channel.
pub const CHANNEL_TYPE_MELODIC: c_int = 0;
/// Channel type for [`fluid_synth_set_channel_type`]: drum channel (bank 128).
pub const CHANNEL_TYPE_DRUM: c_int = 1;

unsafe extern "C" {
    // Settings (settings.h)

    /// Creates a settings object with all defaults; null on error.
    pub fn new_fluid_settings() -> *mut fluid_settings_t;
    /// Deletes a settings object (after every synth using it has been deleted).
    pub fn delete_fluid_settings(settings: *mut fluid_settings_t);
    /// Sets an integer setting; `FLUID_OK` or `FLUID_FAILED` (unknown name, wrong type, out of range).
    pub fn fluid_settings_setint(
        settings: *mut fluid_settings_t,
        name: *const c_char,
        val: c_int,
    ) -> c_int;
    /// Sets a numeric (double) setting; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_settings_setnum(
        settings: *mut fluid_settings_t,
        name: *const c_char,
        val: c_double,
    ) -> c_int;
    /// Sets a string setting (the string is copied); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_settings_setstr(
        settings: *mut fluid_settings_t,
        name: *const c_char,
        str: *const c_char,
    ) -> c_int;
    /// Reads an integer setting into `*val`; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_settings_getint(
        settings: *mut fluid_settings_t,
        name: *const c_char,
        val: *mut c_int,
    ) -> c_int;
    /// Reads a numeric setting into `*val`; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_settings_getnum(
        settings: *mut fluid_settings_t,
        name: *const c_char,
        val: *mut c_double,
    ) -> c_int;
    /// Copies a string setting, NUL-terminated and truncated to `len` bytes, into `str`; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_settings_copystr(
        settings: *mut fluid_settings_t,
        name: *const c_char,
        str: *mut c_char,
        len: c_int,
    ) -> c_int;

    // Synth lifecycle (synth.h)

    /// Creates a synth from `settings` (used, not owned: keep them alive longer); null on error.
    pub fn new_fluid_synth(settings: *mut fluid_settings_t) -> *mut fluid_synth_t;
    /// Deletes a synth and the SoundFonts it loaded.
    pub fn delete_fluid_synth(synth: *mut fluid_synth_t);
    /// Returns the rendering CPU load in percent (0.0 to 100.0).
    pub fn fluid_synth_get_cpu_load(synth: *mut fluid_synth_t) -> c_double;

    // MIDI channel messages (synth.h)

    /// Note-on (velocity 0 acts as note-off); `FLUID_OK`, or `FLUID_FAILED` (e.g. no preset on the channel).
    pub fn fluid_synth_noteon(
        synth: *mut fluid_synth_t,
        chan: c_int,
        key: c_int,
        vel: c_int,
    ) -> c_int;
    /// Note-off; `FLUID_OK`, or `FLUID_FAILED` (also when the note was not playing).
    pub fn fluid_synth_noteoff(synth: *mut fluid_synth_t, chan: c_int, key: c_int) -> c_int;
    /// Control change; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_cc(synth: *mut fluid_synth_t, chan: c_int, ctrl: c_int, val: c_int)
    -> c_int;
    /// Reads the current value of a controller into `*pval`; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_get_cc(
        synth: *mut fluid_synth_t,
        chan: c_int,
        ctrl: c_int,
        pval: *mut c_int,
    ) -> c_int;
    /// Processes a SysEx message without the F0/F7 framing bytes; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_sysex(
        synth: *mut fluid_synth_t,
        data: *const c_char,
        len: c_int,
        response: *mut c_char,
        response_len: *mut c_int,
        handled: *mut c_int,
        dryrun: c_int,
    ) -> c_int;
    /// Pitch bend, 0..=16383 with 8192 centred; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_pitch_bend(synth: *mut fluid_synth_t, chan: c_int, val: c_int) -> c_int;
    /// Sets the pitch-wheel range in semitones; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_pitch_wheel_sens(
        synth: *mut fluid_synth_t,
        chan: c_int,
        val: c_int,
    ) -> c_int;
    /// Program change (selects a preset of the channel's current bank); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_program_change(
        synth: *mut fluid_synth_t,
        chan: c_int,
        program: c_int,
    ) -> c_int;
    /// Channel pressure (aftertouch); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_channel_pressure(
        synth: *mut fluid_synth_t,
        chan: c_int,
        val: c_int,
    ) -> c_int;
    /// Polyphonic key pressure; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_key_pressure(
        synth: *mut fluid_synth_t,
        chan: c_int,
        key: c_int,
        val: c_int,
    ) -> c_int;
    /// Sets the bank used by the next program change; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_bank_select(synth: *mut fluid_synth_t, chan: c_int, bank: c_int) -> c_int;
    /// Sets the SoundFont used by the next program change; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_sfont_select(
        synth: *mut fluid_synth_t,
        chan: c_int,
        sfont_id: c_int,
    ) -> c_int;
    /// Selects SoundFont, bank and preset at once; `FLUID_OK` or `FLUID_FAILED` (no such preset).
    pub fn fluid_synth_program_select(
        synth: *mut fluid_synth_t,
        chan: c_int,
        sfont_id: c_int,
        bank_num: c_int,
        preset_num: c_int,
    ) -> c_int;
    /// Removes the channel's preset (the channel then stays silent); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_unset_program(synth: *mut fluid_synth_t, chan: c_int) -> c_int;
    /// Resets the synth (all voices off, controllers and programs to defaults); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_system_reset(synth: *mut fluid_synth_t) -> c_int;
    /// Releases all notes of `chan` (-1: all channels), honouring sustain; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_all_notes_off(synth: *mut fluid_synth_t, chan: c_int) -> c_int;
    /// Stops all voices of `chan` (-1: all channels) immediately; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_all_sounds_off(synth: *mut fluid_synth_t, chan: c_int) -> c_int;

    // SoundFont management (synth.h)

    /// Loads a SoundFont file; returns its id (>= 0), or `FLUID_FAILED`. File I/O: never from the audio thread.
    pub fn fluid_synth_sfload(
        synth: *mut fluid_synth_t,
        filename: *const c_char,
        reset_presets: c_int,
    ) -> c_int;
    /// The loaded SoundFont `id` (null if none); still owned by `synth`.
    pub fn fluid_synth_get_sfont_by_id(synth: *mut fluid_synth_t, id: c_int) -> *mut fluid_sfont_t;
    /// Puts an already loaded SoundFont on top of `synth`'s stack (without taking it over
    /// for deletion unless left there); returns its new id, or `FLUID_FAILED`.
    pub fn fluid_synth_add_sfont(synth: *mut fluid_synth_t, sfont: *mut fluid_sfont_t) -> c_int;
    /// Takes a SoundFont off `synth`'s stack without deleting it; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_remove_sfont(synth: *mut fluid_synth_t, sfont: *mut fluid_sfont_t) -> c_int;
    /// Unloads the SoundFont `id`; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_sfunload(
        synth: *mut fluid_synth_t,
        id: c_int,
        reset_presets: c_int,
    ) -> c_int;
    /// Returns the number of loaded SoundFonts.
    pub fn fluid_synth_sfcount(synth: *mut fluid_synth_t) -> c_int;

    // Reverb (synth.h)

    /// Enables (1) or disables (0) reverb for `fx_group` (-1: all groups); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_reverb_on(synth: *mut fluid_synth_t, fx_group: c_int, on: c_int) -> c_int;
    /// Sets all reverb parameters of all groups; `FLUID_OK` or `FLUID_FAILED`. Deprecated since 2.2.
    #[deprecated(
        note = "FLUID_DEPRECATED since FluidSynth 2.2: use the fluid_synth_set_reverb_group_* functions"
    )]
    pub fn fluid_synth_set_reverb(
        synth: *mut fluid_synth_t,
        roomsize: c_double,
        damping: c_double,
        width: c_double,
        level: c_double,
    ) -> c_int;
    /// Sets the reverb room size (0.0..=1.0) of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_reverb_group_roomsize(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        roomsize: c_double,
    ) -> c_int;
    /// Sets the reverb damping (0.0..=1.0) of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_reverb_group_damp(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        damping: c_double,
    ) -> c_int;
    /// Sets the reverb width (0.0..=100.0) of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_reverb_group_width(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        width: c_double,
    ) -> c_int;
    /// Sets the reverb output level (0.0..=1.0) of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_reverb_group_level(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        level: c_double,
    ) -> c_int;

    // Chorus (synth.h)

    /// Enables (1) or disables (0) chorus for `fx_group` (-1: all groups); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_chorus_on(synth: *mut fluid_synth_t, fx_group: c_int, on: c_int) -> c_int;
    /// Sets all chorus parameters of all groups; `FLUID_OK` or `FLUID_FAILED`. Deprecated since 2.2.
    #[deprecated(
        note = "FLUID_DEPRECATED since FluidSynth 2.2: use the fluid_synth_set_chorus_group_* functions"
    )]
    pub fn fluid_synth_set_chorus(
        synth: *mut fluid_synth_t,
        nr: c_int,
        level: c_double,
        speed: c_double,
        depth_ms: c_double,
        r#type: c_int,
    ) -> c_int;
    /// Sets the chorus voice count (0..=99) of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_chorus_group_nr(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        nr: c_int,
    ) -> c_int;
    /// Sets the chorus output level of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_chorus_group_level(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        level: c_double,
    ) -> c_int;
    /// Sets the chorus modulation speed in Hz of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_chorus_group_speed(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        speed: c_double,
    ) -> c_int;
    /// Sets the chorus modulation depth in ms of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_chorus_group_depth(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        depth_ms: c_double,
    ) -> c_int;
    /// Sets the chorus waveform (`FLUID_CHORUS_MOD_*`) of `fx_group` (-1: all); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_chorus_group_type(
        synth: *mut fluid_synth_t,
        fx_group: c_int,
        r#type: c_int,
    ) -> c_int;

    // Synthesis parameters (synth.h)

    /// Changes the sample rate at the next rendering call. Deprecated since 2.1 (no-op from 2.4.4).
    #[deprecated(
        note = "FLUID_DEPRECATED since FluidSynth 2.1 (a no-op from 2.4.4): set synth.sample-rate before new_fluid_synth"
    )]
    pub fn fluid_synth_set_sample_rate(synth: *mut fluid_synth_t, sample_rate: c_float);
    /// Sets the master gain (0.0..=10.0).
    pub fn fluid_synth_set_gain(synth: *mut fluid_synth_t, gain: c_float);
    /// Returns the master gain.
    pub fn fluid_synth_get_gain(synth: *mut fluid_synth_t) -> c_float;
    /// Sets the maximum number of voices (1..=65535); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_polyphony(synth: *mut fluid_synth_t, polyphony: c_int) -> c_int;
    /// Returns the maximum number of voices.
    pub fn fluid_synth_get_polyphony(synth: *mut fluid_synth_t) -> c_int;
    /// Returns the number of voices currently sounding.
    pub fn fluid_synth_get_active_voice_count(synth: *mut fluid_synth_t) -> c_int;
    /// Returns the internal block size in frames (64): events take effect at these boundaries.
    pub fn fluid_synth_get_internal_bufsize(synth: *mut fluid_synth_t) -> c_int;

    // Audio rendering (synth.h); call only from the synthesis (audio) thread

    /// Renders `len` frames of 16-bit audio to `lout[loff + i * lincr]` and `rout[roff + i * rincr]` (dithered); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_write_s16(
        synth: *mut fluid_synth_t,
        len: c_int,
        lout: *mut c_void,
        loff: c_int,
        lincr: c_int,
        rout: *mut c_void,
        roff: c_int,
        rincr: c_int,
    ) -> c_int;
    /// Renders `len` frames of `f32` audio to `lout[loff + i * lincr]` and `rout[roff + i * rincr]`; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_write_float(
        synth: *mut fluid_synth_t,
        len: c_int,
        lout: *mut c_void,
        loff: c_int,
        lincr: c_int,
        rout: *mut c_void,
        roff: c_int,
        rincr: c_int,
    ) -> c_int;
    /// Mixes (adds) `len` frames into the planar buffers `out[0..nout]` and effects buffers `fx[0..nfx]`; `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_process(
        synth: *mut fluid_synth_t,
        len: c_int,
        nfx: c_int,
        fx: *mut *mut c_float,
        nout: c_int,
        out: *mut *mut c_float,
    ) -> c_int;

    // MIDI channel setup (synth.h)

    /// Makes `chan` melodic or drum (`CHANNEL_TYPE_*`); `FLUID_OK` or `FLUID_FAILED`.
    pub fn fluid_synth_set_channel_type(
        synth: *mut fluid_synth_t,
        chan: c_int,
        r#type: c_int,
    ) -> c_int;

    // Version (version.h)

    /// Writes the run-time library version into `*major`, `*minor`, `*micro`.
    pub fn fluid_version(major: *mut c_int, minor: *mut c_int, micro: *mut c_int);
    /// Returns the run-time library version as a static NUL-terminated string (do not free).
    pub fn fluid_version_str() -> *mut c_char;

    // Logging (log.h)

    /// Installs `fun` (or `None`: discard) as the handler of log `level` for the whole process; returns the previous handler.
    pub fn fluid_set_log_function(
        level: c_int,
        fun: fluid_log_function_t,
        data: *mut c_void,
    ) -> fluid_log_function_t;
}
