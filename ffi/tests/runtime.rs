//! Calls into the real libfluidsynth: version, a settings + synth smoke test, logging.
//! No SoundFont is needed.

use core::ffi::{CStr, c_char, c_double, c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use fluidsynth_sys::*;

#[test]
fn library_is_major_version_2() {
    let (mut major, mut minor, mut micro) = (-1, -1, -1);
    // SAFETY: the three pointers are valid for writes.
    unsafe { fluid_version(&mut major, &mut minor, &mut micro) };
    assert_eq!(major, 2, "libfluidsynth {major}.{minor}.{micro}");
    assert!(minor >= 0 && micro >= 0);

    // SAFETY: fluid_version_str returns a static NUL-terminated string.
    let text = unsafe { CStr::from_ptr(fluid_version_str()) }
        .to_str()
        .expect("ASCII version string");
    assert_eq!(text, format!("{major}.{minor}.{micro}"));
}

/// Owns a settings object and a synth made from it; deletes both, synth first.
struct Synth {
    settings: *mut fluid_settings_t,
    synth: *mut fluid_synth_t,
}

impl Synth {
    fn new(sample_rate: c_double) -> Synth {
        // SAFETY: plain constructor calls; results are checked before use.
        unsafe {
            let settings = new_fluid_settings();
            assert!(!settings.is_null(), "new_fluid_settings");
            assert_eq!(
                fluid_settings_setnum(settings, c"synth.sample-rate".as_ptr(), sample_rate),
                FLUID_OK
            );
            let synth = new_fluid_synth(settings);
            assert!(!synth.is_null(), "new_fluid_synth");
            Synth { settings, synth }
        }
    }
}

impl Drop for Synth {
    fn drop(&mut self) {
        // SAFETY: both were created in `new` and are deleted once, synth first.
        unsafe {
            delete_fluid_synth(self.synth);
            delete_fluid_settings(self.settings);
        }
    }
}

#[test]
fn creates_a_synth_and_renders_silence_without_a_soundfont() {
    let s = Synth::new(48_000.0);
    // SAFETY: `s` holds live handles; every pointer passed is valid for the call.
    unsafe {
        let mut rate: c_double = 0.0;
        assert_eq!(
            fluid_settings_getnum(s.settings, c"synth.sample-rate".as_ptr(), &mut rate),
            FLUID_OK
        );
        assert_eq!(rate, 48_000.0);

        let mut buf = [0 as c_char; 32];
        assert_eq!(
            fluid_settings_copystr(
                s.settings,
                c"synth.midi-bank-select".as_ptr(),
                buf.as_mut_ptr(),
                buf.len() as c_int
            ),
            FLUID_OK
        );
        assert_eq!(CStr::from_ptr(buf.as_ptr()), c"gs");

        assert_eq!(fluid_synth_sfcount(s.synth), 0);
        assert_eq!(fluid_synth_get_internal_bufsize(s.synth), 64);

        // 64 stereo frames, interleaved: left at even, right at odd indices.
        let mut frames = [1.0f32; 2 * 64];
        let out = frames.as_mut_ptr().cast::<c_void>();
        assert_eq!(
            fluid_synth_write_float(s.synth, 64, out, 0, 2, out, 1, 2),
            FLUID_OK
        );
        // Every sample was overwritten (they started at 1.0) with silence. Not exactly
        // 0.0: the reverb adds a tiny offset (~1e-8) against denormals.
        assert!(
            frames.iter().all(|&x| x.abs() < 1e-6),
            "no SoundFont, no notes: expected silence, got {:?}",
            &frames[..16]
        );

        // Without a preset a note-on fails instead of sounding.
        assert_eq!(fluid_synth_noteon(s.synth, 0, 60, 100), FLUID_FAILED);
        assert_eq!(fluid_synth_get_active_voice_count(s.synth), 0);
    }
}

#[test]
fn synth_parameters_round_trip() {
    let s = Synth::new(44_100.0);
    // SAFETY: `s` holds live handles; every pointer passed is valid for the call.
    unsafe {
        fluid_synth_set_gain(s.synth, 0.5);
        assert_eq!(fluid_synth_get_gain(s.synth), 0.5);

        assert_eq!(fluid_synth_set_polyphony(s.synth, 96), FLUID_OK);
        assert_eq!(fluid_synth_get_polyphony(s.synth), 96);

        assert_eq!(fluid_synth_cc(s.synth, 3, 7, 42), FLUID_OK);
        let mut value = -1;
        assert_eq!(fluid_synth_get_cc(s.synth, 3, 7, &mut value), FLUID_OK);
        assert_eq!(value, 42);

        assert_eq!(
            fluid_synth_set_channel_type(s.synth, 9, CHANNEL_TYPE_DRUM),
            FLUID_OK
        );
        assert_eq!(fluid_synth_reverb_on(s.synth, -1, 1), FLUID_OK);
        assert_eq!(
            fluid_synth_set_reverb_group_roomsize(s.synth, -1, 0.4),
            FLUID_OK
        );
        assert_eq!(
            fluid_synth_set_chorus_group_type(s.synth, -1, FLUID_CHORUS_MOD_TRIANGLE),
            FLUID_OK
        );
        assert_eq!(fluid_synth_system_reset(s.synth), FLUID_OK);
    }
}

static ERRORS_SEEN: AtomicUsize = AtomicUsize::new(0);

/// Counts FLUID_ERR messages that arrive with the expected `data`. It must not panic:
/// unwinding out of an `extern "C"` function aborts the process.
unsafe extern "C" fn count_errors(level: c_int, message: *const c_char, data: *mut c_void) {
    if level == FLUID_ERR && !message.is_null() && data as usize == 0x5eed {
        ERRORS_SEEN.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn log_function_receives_errors_and_can_be_restored() {
    let s = Synth::new(48_000.0);
    // SAFETY: the handler is a valid `extern "C"` fn for the whole test run; the previous
    // handler is put back before returning. `data` is only compared, never dereferenced.
    unsafe {
        let previous = fluid_set_log_function(FLUID_ERR, Some(count_errors), 0x5eed as *mut c_void);
        let id = fluid_synth_sfload(s.synth, c"/nonexistent/smfplay-test.sf2".as_ptr(), 1);
        let restored = fluid_set_log_function(FLUID_ERR, previous, core::ptr::null_mut());
        assert_eq!(id, FLUID_FAILED);
        assert!(restored.is_some(), "our handler was installed");
    }
    assert!(ERRORS_SEEN.load(Ordering::SeqCst) >= 1);
}
