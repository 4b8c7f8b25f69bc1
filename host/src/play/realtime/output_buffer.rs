//! The audio thread's interleaved output buffer in the device's sample
//! format, and the conversion into it (the core's vectorised converters,
//! with the volume as gain).
//!
//! *Real-time*: sized once before the loop; [`OutputBuffer::convert`] runs
//! on the audio thread without allocating.

use smfplay_core::audio::{interleave_stereo_f32, interleave_stereo_i16, interleave_stereo_i32};

use super::alsa_output::{PcmFormat, Samples};
use super::scheduling::{Region, region_of};

/// Interleaved output buffers, one per format (only the negotiated one is sized).
pub struct OutputBuffer {
    format: PcmFormat,
    s16: Vec<i16>,
    s32: Vec<i32>,
    f32: Vec<f32>,
}

impl OutputBuffer {
    /// Buffers for `period` frames of `format`.
    pub fn new(format: PcmFormat, period: usize) -> Self {
        let n = period * 2;
        Self {
            format,
            s16: if format == PcmFormat::S16 {
                vec![0; n]
            } else {
                Vec::new()
            },
            s32: if format == PcmFormat::S32 {
                vec![0; n]
            } else {
                Vec::new()
            },
            f32: if format == PcmFormat::F32 {
                vec![0.0; n]
            } else {
                Vec::new()
            },
        }
    }

    pub fn convert(&mut self, left: &[f32], right: &[f32], gain: f32) {
        match self.format {
            PcmFormat::S16 => {
                interleave_stereo_i16(left, right, gain, &mut self.s16);
            }
            PcmFormat::S32 => {
                interleave_stereo_i32(left, right, gain, &mut self.s32);
            }
            PcmFormat::F32 => {
                interleave_stereo_f32(left, right, gain, true, &mut self.f32);
            }
        }
    }

    /// The buffer in use, for locking.
    pub fn region(&self) -> Region {
        match self.format {
            PcmFormat::S16 => region_of(&self.s16[..]),
            PcmFormat::S32 => region_of(&self.s32[..]),
            PcmFormat::F32 => region_of(&self.f32[..]),
        }
    }

    /// The first `frames` frames converted.
    pub fn samples(&self, frames: usize) -> Samples<'_> {
        let n = 2 * frames;
        match self.format {
            PcmFormat::S16 => Samples::S16(&self.s16[..n]),
            PcmFormat::S32 => Samples::S32(&self.s32[..n]),
            PcmFormat::F32 => Samples::F32(&self.f32[..n]),
        }
    }
}
