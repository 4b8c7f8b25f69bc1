//! `host render` against FluidSynth's own command-line renderer
//! (`fluidsynth -F`) with the same SoundFont, rate, gain, reverb and chorus
//! settings, and against the core's recording-synth log (each event at its
//! frame).
//!
//! Needs the `fluidsynth` binary and TimGM6mb.sf2 (`scripts/setup`): when
//! either is missing these tests fail with a message, they never pass
//! silently.
//!
//! What FluidSynth's player does differently (measured here, FluidSynth
//! 2.3.1): its MIDI player runs from a timer called once per 64-frame block
//! with the time in whole milliseconds, so its events land on a block
//! boundary after a millisecond-rounded time (ours land on the first block
//! boundary at or after their exact frame); it starts the song one block
//! late; and it stops rendering when its player stops, without a release
//! tail of its own beyond what its last period holds.

mod common;

use std::process::Command;

use common::*;
use smfplay_tests::fixtures;
use smfplay_tests::recording_synth::Logged;
use smfplay_tests::sequencer_harness;
use smfplay_tests::smf_writer::{Division, TrackWriter, smf};

const RATE: u32 = 48_000;
const GAIN: &str = "0.4";

fn fluidsynth() -> &'static str {
    let ok = Command::new("fluidsynth")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "the fluidsynth binary is missing: run scripts/setup (Debian package fluidsynth)"
    );
    "fluidsynth"
}

/// Renders with FluidSynth's CLI: float WAV, no reverb, no chorus, one
/// core, the same gain and rate.
fn render_fluidsynth(mid: &str, wav: &str) {
    let out = Command::new(fluidsynth())
        .args(["-n", "-i", "-q", "-F", wav, "-T", "wav", "-O", "float"])
        .args(["-r", &RATE.to_string(), "-g", GAIN, "-R", "0", "-C", "0"])
        .args(["-o", "synth.cpu-cores=1"])
        .args([soundfont(), mid])
        .output()
        .expect("run fluidsynth");
    assert!(
        out.status.success(),
        "fluidsynth failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn render_host(mid: &str, wav: &str) {
    run_ok(&[
        "render",
        mid,
        "-o",
        wav,
        "-q",
        "-f",
        "f32",
        "-s",
        soundfont(),
        "-r",
        &RATE.to_string(),
        "-g",
        GAIN,
        "--no-reverb",
        "--no-chorus",
    ]);
}

/// A drum hit (closed rim, short) every ~1.1 s at ticks chosen so that
/// their frames fall anywhere in FluidSynth's 64-frame blocks, with a
/// tempo change in between.
fn sparse_hits() -> (Vec<u8>, Vec<u64>) {
    let mut t = TrackWriter::new();
    t.tempo(0, 500_000);
    let ticks: Vec<u64> = (0..12u64)
        .map(|i| 480 + i * 1061 + (i * i * 7) % 97)
        .collect();
    let mut now = 0u64;
    for (i, &tick) in ticks.iter().enumerate() {
        if i == 6 {
            // 100 BPM from here on (a tempo change between two hits).
            let at = tick - 100;
            t.tempo((at - now) as u32, 600_000);
            now = at;
        }
        t.note_on((tick - now) as u32, 9, 37, 110);
        t.note_off(60, 9, 37, 0);
        now = tick + 60;
    }
    t.end_of_track(480);
    (smf(0, Division::Metrical(480), &[t]), ticks)
}

/// Frames at which the core applies each note-on (the recording synth's log).
fn logged_note_on_frames(bytes: &[u8]) -> Vec<u64> {
    let run = sequencer_harness::run(bytes, RATE, 256, u64::MAX, &[]);
    run.synth
        .log
        .iter()
        .filter_map(|(f, e)| match e {
            Logged::Midi(_, midly::MidiMessage::NoteOn { vel, .. }) if vel.as_int() > 0 => Some(*f),
            _ => None,
        })
        .collect()
}

#[test]
fn onsets_at_their_frames_and_within_a_block_of_fluidsynth() {
    let dir = TempDir::new("fs-onsets");
    let (bytes, _) = sparse_hits();
    let mid = dir.write("hits.mid", &bytes);
    let (ours, theirs) = (dir.s("ours.wav"), dir.s("theirs.wav"));
    render_host(&mid, &ours);
    render_fluidsynth(&mid, &theirs);
    let (a, b) = (read_wav(&ours), read_wav(&theirs));
    let expected = logged_note_on_frames(&bytes);
    let gap = RATE as usize / 5;
    let (oa, ob) = (onsets(&a, 1e-4, gap), onsets(&b, 1e-4, gap));
    eprintln!("expected {expected:?}\nours     {oa:?}\ntheirs   {ob:?}");
    assert_eq!(oa.len(), expected.len(), "our onsets");
    assert_eq!(ob.len(), expected.len(), "fluidsynth's onsets");
    // Ours: the first FluidSynth block boundary at or after the event's
    // frame, plus the first few samples of the attack ramp.
    for (&e, &x) in expected.iter().zip(&oa) {
        let x = x as u64;
        assert!(
            x >= e && x < e.next_multiple_of(64) + 16,
            "ours: event at {e}, onset at {x}"
        );
    }
    // FluidSynth's player is late by a constant block, then rounds to its
    // millisecond timer and to a block: after the constant latency, each
    // onset agrees within one block.
    let mut diffs: Vec<i64> = oa
        .iter()
        .zip(&ob)
        .map(|(&x, &y)| y as i64 - x as i64)
        .collect();
    let latency = {
        diffs.sort_unstable();
        diffs[diffs.len() / 2]
    };
    assert_eq!(latency, FLUIDSYNTH_LATENCY, "fluidsynth's constant latency");
    for ((&e, &x), &y) in expected.iter().zip(&oa).zip(&ob) {
        let d = y as i64 - x as i64 - latency;
        assert!(
            d.abs() <= 64,
            "event at {e}: ours {x}, fluidsynth {y} ({d} frames apart after its {latency}-frame latency)"
        );
    }
}

/// FluidSynth's player starts one 64-frame block late (measured above).
const FLUIDSYNTH_LATENCY: i64 = 64;

fn envelopes_agree(name: &str, bytes: &[u8]) {
    let dir = TempDir::new(&format!("fs-env-{name}"));
    let mid = dir.write(&format!("{name}.mid"), bytes);
    let (ours, theirs) = (dir.s("ours.wav"), dir.s("theirs.wav"));
    render_host(&mid, &ours);
    render_fluidsynth(&mid, &theirs);
    let (mut a, b) = (read_wav(&ours), read_wav(&theirs));
    // Align for FluidSynth's constant one-block latency.
    let pad = vec![0.0; 2 * FLUIDSYNTH_LATENCY as usize];
    a.samples.splice(0..0, pad);
    let window = RATE as usize / 100; // 10 ms
    let (ea, eb) = (rms_envelope(&a, window), rms_envelope(&b, window));
    let c = correlation(&ea, &eb);
    eprintln!(
        "{name}: {} vs {} frames, 10 ms RMS envelope correlation {c:.5}",
        a.frames(),
        b.frames()
    );
    assert!(c >= 0.99, "{name}: correlation {c}");
}

#[test]
fn rms_envelopes_correlate_with_fluidsynth() {
    envelopes_agree("dense_16ch_10s", &fixtures::dense_16ch(10));
    envelopes_agree("format1_multitrack", &fixtures::format1_multitrack());
    envelopes_agree("format0_basic", &fixtures::format0_basic());
}
