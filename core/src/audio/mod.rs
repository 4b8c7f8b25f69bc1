//! Audio buffers and sample conversion for the output path.
//!
//! - [`PeriodBuffer`]: one period of planar `f32` audio, 64-byte aligned,
//!   that the synth renders into.
//! - [`convert`]: vectorised planar `f32` → interleaved `S16`/`S32`/`FLOAT`
//!   converters with gain and clipping, a multi-period linear [`Fade`], and
//!   peak/RMS meters.
//!
//! # Example
//!
//! ```
//! use smfplay_core::audio::{interleave_stereo_i16, PeriodBuffer};
//!
//! let mut period = PeriodBuffer::<64, 2>::new();
//! let [left, right] = period.channels_mut();
//! left.fill(0.5); // fluid_synth_process would render here
//! right.fill(-0.5);
//! let mut device = [0_i16; 128];
//! let (l, r) = period.stereo();
//! assert_eq!(interleave_stereo_i16(l, r, 1.0, &mut device), 64);
//! assert_eq!(&device[..2], &[16384, -16384]);
//! ```
//!
//! # Real-time
//!
//! Nothing here allocates, locks or blocks; every call is O(samples touched)
//! with no data-dependent branches in the per-sample loops.
//!
//! # Errors
//!
//! None: converters return the number of frames written, which is less than
//! requested only when a slice is too short.
//!
//! # Panics
//!
//! Never at run time; invalid [`PeriodBuffer`] dimensions fail to compile.

pub mod convert;
pub mod period_buffer;

pub use convert::{
    Fade, f32_to_i16, f32_to_i32, interleave_stereo_f32, interleave_stereo_i16,
    interleave_stereo_i32, peak, rms,
};
pub use period_buffer::PeriodBuffer;
