//! Fixed-size planar `f32` buffer holding one audio period.
//!
//! [`PeriodBuffer<FRAMES, CHANNELS>`] stores `CHANNELS` planes of `FRAMES`
//! samples each (`[[f32; FRAMES]; CHANNELS]`), which is the layout the synth
//! renders into: `fluid_synth_process` takes one pointer per output plane and
//! `fluid_synth_write_float` takes a left and a right pointer with offset 0 and
//! increment 1. [`channels_mut`](PeriodBuffer::channels_mut) hands out every
//! plane mutably at once for exactly that call; the converters in
//! [`convert`](super::convert) then interleave the planes into the device
//! format.
//!
//! # Example
//!
//! ```
//! use smfplay_core::audio::PeriodBuffer;
//!
//! let mut buf = PeriodBuffer::<256, 2>::new();
//! let [left, right] = buf.channels_mut();
//! left.fill(0.25); // the synth would render here
//! right.fill(-0.25);
//! assert_eq!(buf.frames(), 256);
//! assert_eq!(buf.channel(1).map(|r| r[0]), Some(-0.25));
//! assert!(buf.channel(2).is_none());
//! buf.clear();
//! assert_eq!(buf.channel(0).map(|l| l[255]), Some(0.0));
//! ```
//!
//! # Alignment
//!
//! The struct is `#[repr(C, align(64))]`: plane 0 starts on a 64-byte (cache
//! line, AVX-512 vector) boundary. Plane `i` starts at byte `i * FRAMES * 4`,
//! so every plane is 64-byte aligned when `FRAMES` is a multiple of 16 (all
//! usual period sizes are powers of two ≥ 64). The converters do not *need*
//! alignment; it only saves split loads.
//!
//! # Real-time
//!
//! No allocation; `new` is `const` (so a buffer can live in a `static` or on
//! the stack), `clear` is one `memset` of `FRAMES * CHANNELS * 4` bytes, every
//! accessor is O(1).
//!
//! # Errors
//!
//! Out-of-range channel indices give `None`, never a panic.
//!
//! # Panics
//!
//! Never at run time. `FRAMES == 0`, `CHANNELS == 0` or `CHANNELS > 8` is a
//! compile-time error (a failed `const` assertion when `new` is
//! instantiated).

/// One period of planar `f32` audio: `CHANNELS` planes of `FRAMES` samples.
///
/// See the [module documentation](self).
#[repr(C, align(64))]
#[derive(Clone, PartialEq)]
pub struct PeriodBuffer<const FRAMES: usize, const CHANNELS: usize> {
    planes: [[f32; FRAMES]; CHANNELS],
}

impl<const FRAMES: usize, const CHANNELS: usize> PeriodBuffer<FRAMES, CHANNELS> {
    /// Compile-time check of the dimensions, evaluated when `new` is
    /// instantiated.
    const VALID: () = assert!(
        FRAMES > 0 && CHANNELS >= 1 && CHANNELS <= 8,
        "PeriodBuffer needs FRAMES > 0 and CHANNELS in 1..=8"
    );

    /// A buffer of silence (all samples `0.0`).
    #[must_use]
    pub const fn new() -> Self {
        let () = Self::VALID;
        Self {
            planes: [[0.0; FRAMES]; CHANNELS],
        }
    }

    /// Frames per channel (`FRAMES`).
    #[must_use]
    pub const fn frames(&self) -> usize {
        FRAMES
    }

    /// Number of channel planes (`CHANNELS`).
    #[must_use]
    pub const fn channels(&self) -> usize {
        CHANNELS
    }

    /// Plane `index`, or `None` if `index >= CHANNELS`.
    #[must_use]
    pub fn channel(&self, index: usize) -> Option<&[f32]> {
        self.planes.get(index).map(|p| p.as_slice())
    }

    /// Plane `index` mutably, or `None` if `index >= CHANNELS`.
    #[must_use]
    pub fn channel_mut(&mut self, index: usize) -> Option<&mut [f32]> {
        self.planes.get_mut(index).map(|p| p.as_mut_slice())
    }

    /// Every plane as a shared slice, in channel order.
    #[must_use]
    pub fn channels_ref(&self) -> [&[f32]; CHANNELS] {
        self.planes.each_ref().map(|p| p.as_slice())
    }

    /// Every plane mutably at once, in channel order — what a renderer
    /// writing all outputs in one call needs:
    /// `let [l, r] = buf.channels_mut();`.
    #[must_use]
    pub fn channels_mut(&mut self) -> [&mut [f32]; CHANNELS] {
        self.planes.each_mut().map(|p| p.as_mut_slice())
    }

    /// The planes as arrays (fixed length known to the compiler).
    #[must_use]
    pub const fn planes(&self) -> &[[f32; FRAMES]; CHANNELS] {
        &self.planes
    }

    /// The planes as mutable arrays.
    #[must_use]
    pub const fn planes_mut(&mut self) -> &mut [[f32; FRAMES]; CHANNELS] {
        &mut self.planes
    }

    /// Sets every sample to `0.0`.
    pub fn clear(&mut self) {
        for plane in &mut self.planes {
            plane.fill(0.0);
        }
    }
}

impl<const FRAMES: usize> PeriodBuffer<FRAMES, 2> {
    /// Left and right planes of a stereo buffer, both mutable.
    #[must_use]
    pub fn stereo_mut(&mut self) -> (&mut [f32], &mut [f32]) {
        let [left, right] = &mut self.planes;
        (left.as_mut_slice(), right.as_mut_slice())
    }

    /// Left and right planes of a stereo buffer.
    #[must_use]
    pub fn stereo(&self) -> (&[f32], &[f32]) {
        let [left, right] = &self.planes;
        (left.as_slice(), right.as_slice())
    }
}

impl<const FRAMES: usize, const CHANNELS: usize> Default for PeriodBuffer<FRAMES, CHANNELS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const FRAMES: usize, const CHANNELS: usize> core::fmt::Debug
    for PeriodBuffer<FRAMES, CHANNELS>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PeriodBuffer")
            .field("frames", &FRAMES)
            .field("channels", &CHANNELS)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl<const FRAMES: usize, const CHANNELS: usize> defmt::Format for PeriodBuffer<FRAMES, CHANNELS> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "PeriodBuffer {{ frames: {=usize}, channels: {=usize} }}",
            FRAMES,
            CHANNELS
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_is_silent_and_sized() {
        let buf = PeriodBuffer::<64, 2>::new();
        assert_eq!(buf.frames(), 64);
        assert_eq!(buf.channels(), 2);
        for ch in buf.channels_ref() {
            assert_eq!(ch.len(), 64);
            assert!(ch.iter().all(|&s| s == 0.0));
        }
    }

    #[test]
    fn const_new_in_static() {
        static BUF: PeriodBuffer<16, 1> = PeriodBuffer::new();
        assert_eq!(BUF.channel(0).map(<[f32]>::len), Some(16));
    }

    #[test]
    fn alignment_is_64_bytes() {
        assert_eq!(core::mem::align_of::<PeriodBuffer<64, 2>>(), 64);
        let buf = PeriodBuffer::<64, 2>::new();
        for ch in buf.channels_ref() {
            assert_eq!(ch.as_ptr() as usize % 64, 0);
        }
        // Odd frame counts: plane 0 stays aligned.
        let odd = PeriodBuffer::<3, 3>::new();
        assert_eq!(odd.planes().as_ptr() as usize % 64, 0);
    }

    #[test]
    fn channel_out_of_range_is_none() {
        let mut buf = PeriodBuffer::<8, 2>::new();
        assert!(buf.channel(2).is_none());
        assert!(buf.channel_mut(usize::MAX).is_none());
    }

    #[test]
    fn channels_mut_writes_each_plane_and_clear_zeroes() {
        let mut buf = PeriodBuffer::<8, 3>::new();
        for (i, ch) in buf.channels_mut().into_iter().enumerate() {
            ch.fill(i as f32 + 1.0);
        }
        assert_eq!(buf.channel(2).map(|c| c[7]), Some(3.0));
        let (l, r) = {
            let mut st = PeriodBuffer::<4, 2>::new();
            let (l, r) = st.stereo_mut();
            l[0] = 1.0;
            r[3] = -1.0;
            let (l, r) = st.stereo();
            (l[0], r[3])
        };
        assert_eq!((l, r), (1.0, -1.0));
        buf.clear();
        assert!(buf.planes().iter().flatten().all(|&s| s == 0.0));
    }
}
