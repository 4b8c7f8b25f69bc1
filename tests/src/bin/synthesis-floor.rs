//! The synthesis floor of `host render`: the same FluidSynth settings and
//! calls as `host render` (`host/src/fluid/synth.rs`), in a tight loop over every
//! event decoded into memory beforehand — no sequencer, no file reading
//! while rendering, no WAV conversion or writing. `scripts/bench-render`
//! compares `host render`'s wall time with this program's.
//!
//! ```text
//! synthesis-floor FILE.mid SOUNDFONT RATE GAIN FRAMES [PERIOD]
//! ```
//!
//! Renders exactly FRAMES frames (pass the frame count of `host render`'s
//! WAV) in PERIOD-frame steps (default 1024), splitting a step at each
//! event's frame as the sequencer does, with reverb and chorus off. Prints
//! the time taken for loading and for rendering.

use std::ffi::{CString, c_char, c_int, c_void};
use std::time::Instant;

use fluidsynth_sys as sys;
use midly::{MidiMessage, TrackEventKind};
use smfplay_core::tempo::TempoMap;
use smfplay_tests::reference;

enum Ev {
    Midi(c_int, MidiMessage),
    SysEx(Vec<u8>),
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: synthesis-floor FILE.mid SOUNDFONT RATE GAIN FRAMES [PERIOD]");
        std::process::exit(2);
    }
    let started = Instant::now();
    let bytes = std::fs::read(&args[0]).expect("read the MIDI file");
    let rate: u32 = args[2].parse().expect("rate");
    let gain: f64 = args[3].parse().expect("gain");
    let frames: u64 = args[4].parse().expect("frames");
    let period: usize = args.get(5).map_or(1024, |p| p.parse().expect("period"));

    // Every event, with its exact frame (the core's tempo map).
    let r = reference::parse(&bytes).expect("parse");
    let mut tempo = TempoMap::new(r.smf.header.timing, rate);
    let mut events: Vec<(u64, Ev)> = Vec::with_capacity(r.events.len());
    for e in &r.events {
        let frame = tempo.frame_at(e.tick);
        match e.kind {
            TrackEventKind::Midi { channel, message } => {
                events.push((frame, Ev::Midi(c_int::from(channel.as_int()), message)));
            }
            TrackEventKind::SysEx(d) => events.push((frame, Ev::SysEx(d.to_vec()))),
            TrackEventKind::Meta(midly::MetaMessage::Tempo(t)) => {
                tempo.set_tempo(e.tick, t.as_int());
            }
            _ => {}
        }
    }
    drop(r);

    // SAFETY: the same FFI calls as host/src/fluid/synth.rs, checked for null.
    unsafe {
        let settings = sys::new_fluid_settings();
        assert!(!settings.is_null());
        let num = |k: &std::ffi::CStr, v: f64| sys::fluid_settings_setnum(settings, k.as_ptr(), v);
        let int =
            |k: &std::ffi::CStr, v: c_int| sys::fluid_settings_setint(settings, k.as_ptr(), v);
        num(c"synth.sample-rate", f64::from(rate));
        num(c"synth.gain", gain);
        int(c"synth.reverb.active", 0);
        int(c"synth.chorus.active", 0);
        int(c"synth.threadsafe-api", 0);
        int(c"synth.cpu-cores", 1);
        int(c"synth.dynamic-sample-loading", 0);
        let synth = sys::new_fluid_synth(settings);
        assert!(!synth.is_null());
        let sf = CString::new(args[1].as_bytes()).unwrap();
        assert_ne!(
            sys::fluid_synth_sfload(synth, sf.as_ptr(), 1),
            sys::FLUID_FAILED,
            "SoundFont"
        );
        let loaded = started.elapsed();

        let t0 = Instant::now();
        let (mut left, mut right) = (vec![0f32; period], vec![0f32; period]);
        let render = |l: &mut [f32], r: &mut [f32]| {
            if !l.is_empty() {
                sys::fluid_synth_write_float(
                    synth,
                    l.len() as c_int,
                    l.as_mut_ptr().cast::<c_void>(),
                    0,
                    1,
                    r.as_mut_ptr().cast::<c_void>(),
                    0,
                    1,
                );
            }
        };
        let mut next = events.iter().peekable();
        let mut frame = 0u64;
        let mut checksum = 0f64;
        while frame < frames {
            let n = (frames - frame).min(period as u64) as usize;
            let mut done = 0usize;
            while let Some((at, ev)) = next.next_if(|(at, _)| *at < frame + n as u64) {
                let offset = (at.saturating_sub(frame) as usize).min(n - 1);
                if offset > done {
                    render(&mut left[done..offset], &mut right[done..offset]);
                    done = offset;
                }
                match ev {
                    Ev::Midi(ch, m) => {
                        let ch = *ch;
                        match *m {
                            MidiMessage::NoteOn { key, vel } => {
                                sys::fluid_synth_noteon(
                                    synth,
                                    ch,
                                    key.as_int().into(),
                                    vel.as_int().into(),
                                );
                            }
                            MidiMessage::NoteOff { key, .. } => {
                                sys::fluid_synth_noteoff(synth, ch, key.as_int().into());
                            }
                            MidiMessage::Aftertouch { key, vel } => {
                                sys::fluid_synth_key_pressure(
                                    synth,
                                    ch,
                                    key.as_int().into(),
                                    vel.as_int().into(),
                                );
                            }
                            MidiMessage::Controller { controller, value } => {
                                sys::fluid_synth_cc(
                                    synth,
                                    ch,
                                    controller.as_int().into(),
                                    value.as_int().into(),
                                );
                            }
                            MidiMessage::ProgramChange { program } => {
                                sys::fluid_synth_program_change(synth, ch, program.as_int().into());
                            }
                            MidiMessage::ChannelAftertouch { vel } => {
                                sys::fluid_synth_channel_pressure(synth, ch, vel.as_int().into());
                            }
                            MidiMessage::PitchBend { bend } => {
                                sys::fluid_synth_pitch_bend(synth, ch, bend.0.as_int().into());
                            }
                        }
                    }
                    Ev::SysEx(d) => {
                        let body = d.strip_suffix(&[0xF7]).unwrap_or(d);
                        sys::fluid_synth_sysex(
                            synth,
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
            render(&mut left[done..n], &mut right[done..n]);
            checksum += f64::from(left[0]) + f64::from(right[n - 1]);
            frame += n as u64;
        }
        let took = t0.elapsed();
        sys::delete_fluid_synth(synth);
        sys::delete_fluid_settings(settings);
        println!(
            "synthesis-floor: {frames} frames in {:.3} s (+{:.3} s loading; checksum {checksum:.3})",
            took.as_secs_f64(),
            loaded.as_secs_f64()
        );
    }
}
