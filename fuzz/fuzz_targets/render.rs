//! `host render`'s path on a fuzzed file: the host's own `MidiSource`,
//! `StandardSequencer` and `FluidSynth` (the host's modules compiled in),
//! a few seconds of song rendered period by period. FluidSynth and its
//! SoundFont are loaded once per process and reset before each input.
//! Checks: no panic, no sanitizer report across the FFI boundary, every
//! sample finite, at most the periods asked for.
//!
//! The SoundFont: `$SMFPLAY_SOUNDFONT`, else TimGM6mb (`scripts/setup --test`).

#![no_main]

#[allow(dead_code)]
#[path = "../../host/src/exit.rs"]
mod exit;
#[allow(dead_code)]
#[path = "../../host/src/fluid/synth.rs"]
mod fluid;
#[allow(dead_code)]
#[path = "../../host/src/midi_input.rs"]
mod midi_input;
#[allow(dead_code)]
#[path = "../../host/src/capacities.rs"]
mod capacities;
#[allow(dead_code)]
#[path = "../../host/src/verbose.rs"]
mod verbose;

use std::cell::RefCell;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use smfplay_core::sequencer::SequencerConfig;
use smfplay_core::smf::ReaderOptions;

const RATE: u32 = 22_050;
const PERIOD: usize = 1024;
/// About 3 seconds of song.
const PERIODS: usize = 3 * RATE as usize / PERIOD;

thread_local! {
    static SYNTH: RefCell<fluid::FluidSynth> = RefCell::new(open_synth());
}

fn open_synth() -> fluid::FluidSynth {
    let sf = std::env::var_os("SMFPLAY_SOUNDFONT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/sounds/sf2/TimGM6mb.sf2"));
    let mut synth = fluid::FluidSynth::new(&fluid::FluidOptions {
        sample_rate: RATE,
        gain: 0.4,
        reverb: true,
        chorus: true,
        polyphony: Some(64),
        lazy_samples: false,
    })
    .expect("FluidSynth");
    synth.load_soundfont(&sf).expect("the fuzz SoundFont");
    synth
}

fuzz_target!(|data: &[u8]| {
    SYNTH.with(|cell| {
        let synth = &mut *cell.borrow_mut();
        synth.reset();
        let src = midi_input::MidiSource::Memory(data.to_vec());
        let mut seq = Box::new(capacities::StandardSequencer::new(src));
        if seq
            .reopen(
                ReaderOptions::LENIENT,
                SequencerConfig::new(RATE, PERIOD as u32),
            )
            .is_err()
        {
            return;
        }
        let (mut l, mut r) = (vec![0.0f32; PERIOD], vec![0.0f32; PERIOD]);
        for _ in 0..PERIODS {
            if seq.is_finished() {
                break;
            }
            let _ = seq.process(synth, &mut l, &mut r, &mut ());
            assert!(
                l.iter().chain(&r).all(|s| s.is_finite()),
                "a sample is not finite"
            );
        }
    });
});
