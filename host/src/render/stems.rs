//! `host render --stems`: one file per MIDI channel that sounds, from one
//! render through FluidSynth's multi-channel output (voices of MIDI channel
//! c are mixed into stereo output c; `synth.audio-groups` = 16), plus the
//! reverb and chorus return when an effect is on.
//!
//! # How the stems add up to the mix
//!
//! Each channel's stem is its voices' dry sound; the effects return holds
//! the reverb and chorus of all channels together (FluidSynth has one
//! effects unit). The sixteen stems plus the effects return are the mix,
//! within float rounding (FluidSynth sums each channel's voices on its own
//! before they are added, where the mix sums all voices in one buffer).
//! With `--no-reverb --no-chorus` the effects return is silent and not
//! written; the stems alone are the mix.
//!
//! # Names
//!
//! For the output `DIR/song.wav`: `DIR/song-01-acoustic-grand-piano.wav`
//! (channel 1, its first program by its General MIDI name; channel 10 is
//! `drums`) and `DIR/song-fx.wav`. A channel "sounds" when the file has a
//! note-on for it, and it is not muted by `--mute` or `--solo`.
//!
//! *Real-time*: not real-time (`host render` only; [`StemSynth`]'s
//! `render` is the synth's work plus a sum, with a small allocation).

use std::path::{Path, PathBuf};

use midly::{MidiMessage, TrackEventKind};
use smfplay_core::synth::{Synth, SynthEvent};

use crate::fluid::{CHANNELS, FluidSynth};
use crate::gm_names::{self, DRUM_CHANNEL};
use crate::release_tail::VoiceCount;

/// What the scan saw of each channel.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChannelUse {
    /// Any note-on with a velocity above 0.
    pub sounds: bool,
    /// The first program change, if any.
    pub first_program: Option<u8>,
}

/// Notes one event of the scan.
pub fn note(uses: &mut [ChannelUse; CHANNELS], kind: &TrackEventKind<'_>) {
    if let TrackEventKind::Midi { channel, message } = kind {
        let u = &mut uses[usize::from(channel.as_int())];
        match message {
            MidiMessage::NoteOn { vel, .. } if vel.as_int() > 0 => u.sounds = true,
            MidiMessage::ProgramChange { program } if u.first_program.is_none() => {
                u.first_program = Some(program.as_int());
            }
            _ => {}
        }
    }
}

/// The channels (0-based) to write stems of: those that sound, less the
/// muted ones, and only the solo ones when `--solo` is given (1-based lists).
pub fn sounding(uses: &[ChannelUse; CHANNELS], mute: &[u8], solo: &[u8]) -> Vec<u8> {
    (0..CHANNELS as u8)
        .filter(|&c| uses[usize::from(c)].sounds)
        .filter(|c| !mute.contains(&(c + 1)))
        .filter(|c| solo.is_empty() || solo.contains(&(c + 1)))
        .collect()
}

/// `DIR/NAME-TAG.EXT` for the output `DIR/NAME.EXT`.
fn beside(output: &Path, tag: &str) -> PathBuf {
    let stem = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match output.extension() {
        Some(ext) => format!("{stem}-{tag}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{tag}"),
    };
    output.with_file_name(name)
}

/// The stem file of `channel` (0-based): named after its first program's
/// General MIDI name, or `drums` on channel 10.
pub fn stem_path(output: &Path, channel: u8, first_program: Option<u8>) -> PathBuf {
    let name = if usize::from(channel) == DRUM_CHANNEL {
        "Drums".to_string()
    } else {
        gm_names::instrument(usize::from(channel), first_program.unwrap_or(0))
    };
    beside(
        output,
        &format!("{:02}-{}", channel + 1, file_name_part(&name)),
    )
}

/// A name as a file name: lower case, ASCII letters and digits, words
/// joined by `-` ("Acoustic Guitar (nylon)" → "acoustic-guitar-nylon").
pub fn file_name_part(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The effects-return file.
pub fn fx_path(output: &Path) -> PathBuf {
    beside(output, "fx")
}

/// A synth whose `render` fills one stereo buffer pair per MIDI channel and
/// the effects return, and hands the sequencer their sum (so the release
/// tail is judged on the mix).
pub struct StemSynth<'a> {
    fluid: &'a mut FluidSynth,
    /// 2 × 16 planar buffers, then the effects return's two.
    buffers: Vec<Vec<f32>>,
    /// Frames filled in this period.
    filled: usize,
}

impl<'a> StemSynth<'a> {
    /// A stem synth over `fluid` (made with `Layout::stems`), for periods
    /// of up to `period` frames.
    pub fn new(fluid: &'a mut FluidSynth, period: usize) -> Self {
        Self {
            fluid,
            buffers: vec![vec![0.0; period]; 2 * CHANNELS + 2],
            filled: 0,
        }
    }

    /// Channel `c`'s left and right for the frames rendered this period.
    pub fn channel(&self, c: usize) -> (&[f32], &[f32]) {
        (
            &self.buffers[2 * c][..self.filled],
            &self.buffers[2 * c + 1][..self.filled],
        )
    }

    /// The effects return's left and right for this period.
    pub fn effects(&self) -> (&[f32], &[f32]) {
        (
            &self.buffers[2 * CHANNELS][..self.filled],
            &self.buffers[2 * CHANNELS + 1][..self.filled],
        )
    }

    /// Starts the next period.
    pub fn next_period(&mut self) {
        self.filled = 0;
    }
}

impl Synth for StemSynth<'_> {
    fn apply(&mut self, event: SynthEvent<'_>) {
        self.fluid.apply(event);
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let (from, to) = (self.filled, self.filled + n);
        if to > self.buffers[0].len() {
            for b in &mut self.buffers {
                b.resize(to, 0.0);
            }
        }
        let (dry, fx) = self.buffers.split_at_mut(2 * CHANNELS);
        let mut dry: Vec<&mut [f32]> = dry.iter_mut().map(|b| &mut b[from..to]).collect();
        let [fl, fr] = fx else {
            unreachable!("two effects buffers")
        };
        let (fl, fr) = (&mut fl[from..to], &mut fr[from..to]);
        for b in dry.iter_mut() {
            b.fill(0.0);
        }
        fl.fill(0.0);
        fr.fill(0.0);
        self.fluid.render_stems(n, &mut dry, [&mut *fl, &mut *fr]);
        for i in 0..n {
            let (mut l, mut r) = (0.0f32, 0.0f32);
            for c in 0..CHANNELS {
                l += dry[2 * c][i];
                r += dry[2 * c + 1][i];
            }
            left[i] = l + fl[i];
            right[i] = r + fr[i];
        }
        self.filled = to;
    }
}

impl VoiceCount for StemSynth<'_> {
    fn active_voices(&self) -> u32 {
        self.fluid.active_voices()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beside_the_output() {
        let out = Path::new("out/song.wav");
        assert_eq!(
            stem_path(out, 0, None),
            Path::new("out/song-01-acoustic-grand-piano.wav")
        );
        assert_eq!(
            stem_path(out, 9, Some(5)),
            Path::new("out/song-10-drums.wav")
        );
        assert_eq!(
            stem_path(out, 2, Some(24)),
            Path::new("out/song-03-acoustic-guitar-nylon.wav")
        );
        assert_eq!(fx_path(Path::new("a.b.flac")), Path::new("a.b-fx.flac"));
    }

    #[test]
    fn file_names_of_instruments() {
        assert_eq!(
            file_name_part("Acoustic Guitar (nylon)"),
            "acoustic-guitar-nylon"
        );
        assert_eq!(file_name_part("Lead 8 (bass + lead)"), "lead-8-bass-lead");
        assert_eq!(file_name_part("Honky-tonk Piano"), "honky-tonk-piano");
    }

    #[test]
    fn sounding_channels_follow_mute_and_solo() {
        let mut uses = [ChannelUse::default(); CHANNELS];
        for c in [0, 3, 9] {
            uses[c].sounds = true;
        }
        assert_eq!(sounding(&uses, &[], &[]), vec![0, 3, 9]);
        assert_eq!(sounding(&uses, &[10], &[]), vec![0, 3]);
        assert_eq!(sounding(&uses, &[], &[4, 5]), vec![3]);
    }
}
