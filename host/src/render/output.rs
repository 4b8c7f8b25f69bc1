//! One audio file `host render` writes, whatever its format: WAV (16-bit
//! or float) or FLAC (16 or 24 bits), to a file or standard output; takes
//! planar stereo float and converts it.
//!
//! *Real-time*: not real-time (file I/O); used by the render loop only.

use std::path::Path;

use smfplay_core::audio::convert::{
    interleave_stereo_f32, interleave_stereo_i16, interleave_stereo_i32,
};
use smfplay_core::wav::{SampleFormat, WavSpec};

use crate::cli::WavFormat;
use crate::exit::{HostError, Kind};
use crate::flac_output::FlacOutput;
use crate::wav_output::WavOutput;

/// The format `-f` asks for, or the one the output's extension says
/// (`.flac`: 16-bit FLAC; anything else: 16-bit WAV).
pub fn resolve_format(format: Option<WavFormat>, output: Option<&Path>) -> WavFormat {
    format.unwrap_or_else(|| {
        let flac = output
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("flac"));
        if flac {
            WavFormat::Flac
        } else {
            WavFormat::S16
        }
    })
}

/// The file extension of a format.
pub fn extension(format: WavFormat) -> &'static str {
    match format {
        WavFormat::S16 | WavFormat::F32 => "wav",
        WavFormat::Flac | WavFormat::Flac24 => "flac",
    }
}

enum Encoder {
    Wav(WavOutput),
    /// Boxed: the encoder's state is large beside a WAV writer.
    Flac(Box<FlacOutput>),
}

/// An audio file being written (stereo).
pub struct AudioOut {
    encoder: Encoder,
    format: WavFormat,
    pcm16: Vec<i16>,
    pcm32: Vec<i32>,
    pcmf: Vec<f32>,
}

impl AudioOut {
    /// Creates `path` (`-`: standard output, whose header declares
    /// `frames` frames). Unless `overwrite`, an existing file is an error.
    pub fn create(
        path: &Path,
        format: WavFormat,
        rate: u32,
        frames: u64,
        overwrite: bool,
    ) -> Result<Self, HostError> {
        if !overwrite && path.as_os_str() != "-" && path.symlink_metadata().is_ok() {
            return Err(HostError::file(
                Kind::Output,
                path,
                "exists; pass --force to overwrite it",
            ));
        }
        let encoder = match format {
            WavFormat::S16 => Encoder::Wav(WavOutput::create(
                path,
                WavSpec::new(2, rate, SampleFormat::I16),
                frames,
            )?),
            WavFormat::F32 => Encoder::Wav(WavOutput::create(
                path,
                WavSpec::new(2, rate, SampleFormat::F32),
                frames,
            )?),
            WavFormat::Flac => Encoder::Flac(Box::new(FlacOutput::create(path, rate, 16, frames)?)),
            WavFormat::Flac24 => {
                Encoder::Flac(Box::new(FlacOutput::create(path, rate, 24, frames)?))
            }
        };
        Ok(Self {
            encoder,
            format,
            pcm16: Vec::new(),
            pcm32: Vec::new(),
            pcmf: Vec::new(),
        })
    }

    /// Whether the header declared the length up front (standard output).
    pub fn is_stream(&self) -> bool {
        match &self.encoder {
            Encoder::Wav(w) => w.is_stream(),
            Encoder::Flac(f) => f.is_stream(),
        }
    }

    /// Appends planar stereo frames.
    pub fn write(&mut self, left: &[f32], right: &[f32]) -> Result<(), HostError> {
        let n = left.len().min(right.len());
        let (left, right) = (&left[..n], &right[..n]);
        match (&mut self.encoder, self.format) {
            (Encoder::Wav(w), WavFormat::F32) => {
                self.pcmf.resize(2 * n, 0.0);
                interleave_stereo_f32(left, right, 1.0, false, &mut self.pcmf);
                w.write_f32(&self.pcmf)
            }
            (Encoder::Wav(w), _) => {
                self.pcm16.resize(2 * n, 0);
                interleave_stereo_i16(left, right, 1.0, &mut self.pcm16);
                w.write_i16(&self.pcm16)
            }
            (Encoder::Flac(f), WavFormat::Flac24) => {
                self.pcm32.resize(2 * n, 0);
                interleave_stereo_i32(left, right, 1.0, &mut self.pcm32);
                for s in &mut self.pcm32 {
                    *s = to_24_bits(*s);
                }
                f.write(&self.pcm32)
            }
            (Encoder::Flac(f), _) => {
                // The WAV's own 16-bit conversion: the FLAC decodes to the
                // s16 WAV's samples exactly.
                self.pcm16.resize(2 * n, 0);
                interleave_stereo_i16(left, right, 1.0, &mut self.pcm16);
                self.pcm32.clear();
                self.pcm32.extend(self.pcm16.iter().map(|&s| i32::from(s)));
                f.write(&self.pcm32)
            }
        }
    }

    /// Finishes (patching sizes or STREAMINFO) and closes the file.
    pub fn finish(self) -> Result<(), HostError> {
        match self.encoder {
            Encoder::Wav(w) => w.finish(),
            Encoder::Flac(f) => f.finish(),
        }
    }
}

/// A 32-bit sample rounded to 24 bits (saturated).
fn to_24_bits(s: i32) -> i32 {
    ((i64::from(s) + 128) >> 8).min((1 << 23) - 1) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension_and_24_bit_rounding() {
        assert_eq!(
            resolve_format(None, Some(Path::new("a.FLAC"))),
            WavFormat::Flac
        );
        assert_eq!(
            resolve_format(None, Some(Path::new("a.wav"))),
            WavFormat::S16
        );
        assert_eq!(resolve_format(None, Some(Path::new("-"))), WavFormat::S16);
        assert_eq!(
            resolve_format(Some(WavFormat::F32), Some(Path::new("a.flac"))),
            WavFormat::F32
        );
        assert_eq!(to_24_bits(i32::MAX), (1 << 23) - 1);
        assert_eq!(to_24_bits(i32::MIN), -(1 << 23));
        assert_eq!(to_24_bits(256 * 5 + 127), 5);
        assert_eq!(to_24_bits(256 * 5 + 128), 6);
        assert_eq!(to_24_bits(-256 * 5 - 129), -6);
    }
}
