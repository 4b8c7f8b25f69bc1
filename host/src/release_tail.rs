//! The release-tail rule shared by `host render` and `host play`, so that
//! a song's natural end is the same samples in the WAV and on the device.
//!
//! After the song's last event (or render's `--end`), the output goes on in
//! blocks of [`TAIL_BLOCK`] frames counted from that frame, and stops at
//! the end of the first block that is *quiet* (peak below [`SILENCE`],
//! under half a 16-bit step: the reverb has died away too) while the synth
//! has no active voice, or that ends [`QUIET_MS`] of consecutive quiet
//! blocks (voices in a long release can stay "active" far below
//! audibility), or after [`TAIL_CAP_SECONDS`], whichever comes first.
//! Voice counts and peaks are taken at frames fixed by the song, never by
//! the period, so the rule is period-independent.
//!
//! *Real-time*: yes. [`Tailed::render`] does no allocation, locking or
//! I/O; it adds a peak scan of the tail's samples.

use std::cell::Cell;

use midly::MidiMessage;
use midly::num::{u4, u7};
use smfplay_core::audio::convert::peak;
use smfplay_core::synth::{Synth, SynthEvent};

/// Longest release tail after the last event, in seconds.
pub const TAIL_CAP_SECONDS: u32 = 3;
/// Tail blocks: FluidSynth's own block size.
pub const TAIL_BLOCK: u64 = 64;
/// A tail block is quiet when its peak is below this (half a 16-bit step).
pub const SILENCE: f32 = 1.0 / 65_536.0;
/// This long a run of quiet blocks ends the tail even while the synth
/// still counts voices (in their release, far below audibility).
pub const QUIET_MS: u32 = 50;

/// A synth that can say how many voices sound.
pub trait VoiceCount {
    /// Voices sounding now.
    fn active_voices(&self) -> u32;
}

/// Where the tail starts: set by whoever sees the song's end (an
/// observer), read by [`Tailed`]. A `Cell` because both are borrowed at
/// once while the sequencer plays a period.
pub type TailStart = Cell<Option<u64>>;

/// The rule's state across periods.
#[derive(Clone, Debug)]
pub struct TailRule {
    cap: u64,
    /// Frames rendered so far.
    frame: u64,
    /// Peak of the current tail block so far.
    peak: f32,
    /// Consecutive quiet tail blocks.
    quiet_blocks: u64,
    /// Quiet blocks that end the tail even with voices still active.
    quiet_needed: u64,
    /// Where the output ends, once decided.
    stop: Option<u64>,
}

impl TailRule {
    /// The rule at `rate` Hz, with the tail capped at [`TAIL_CAP_SECONDS`].
    pub fn new(rate: u32) -> Self {
        let rate = u64::from(rate);
        Self {
            cap: Self::cap_frames(rate),
            frame: 0,
            peak: 0.0,
            quiet_blocks: 0,
            quiet_needed: (rate * u64::from(QUIET_MS)).div_ceil(1000 * TAIL_BLOCK),
            stop: None,
        }
    }

    /// The cap in frames (whole blocks).
    pub fn cap_frames(rate: u64) -> u64 {
        (u64::from(TAIL_CAP_SECONDS) * rate).div_ceil(TAIL_BLOCK) * TAIL_BLOCK
    }

    /// Forgets a tail under way (the song was sought back into after its
    /// end: it plays on, and its end will start a new tail). Frames keep
    /// counting.
    pub fn restart(&mut self) {
        self.peak = 0.0;
        self.quiet_blocks = 0;
        self.stop = None;
    }

    /// Frames rendered through the rule so far.
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Where the output ends (a frame count from the first frame), once
    /// the tail has died away.
    pub fn stop(&self) -> Option<u64> {
        self.stop
    }

    /// Renders through `synth` with the rule applied.
    pub fn with<'a, S>(&'a mut self, synth: &'a mut S, start: &'a TailStart) -> Tailed<'a, S> {
        Tailed {
            inner: synth,
            start,
            rule: self,
        }
    }
}

/// A synth with the release-tail rule watching its output.
pub struct Tailed<'a, S> {
    inner: &'a mut S,
    start: &'a TailStart,
    rule: &'a mut TailRule,
}

impl<S> Tailed<'_, S> {
    /// Where the output ends, once the tail has died away.
    pub fn stop(&self) -> Option<u64> {
        self.rule.stop
    }

    /// The synth inside.
    pub fn inner_mut(&mut self) -> &mut S {
        self.inner
    }
}

impl<S: Synth + VoiceCount> Synth for Tailed<'_, S> {
    fn apply(&mut self, event: SynthEvent<'_>) {
        self.inner.apply(event);
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        let r = &mut *self.rule;
        let mut pos = 0usize;
        while pos < len {
            let tail = self.start.get().filter(|_| r.stop.is_none());
            let Some(ts) = tail else {
                self.inner.render(&mut left[pos..len], &mut right[pos..len]);
                r.frame += (len - pos) as u64;
                return;
            };
            let ts = ts.min(r.frame);
            let block_end = ts + ((r.frame - ts) / TAIL_BLOCK + 1) * TAIL_BLOCK;
            let seg = ((block_end - r.frame) as usize).min(len - pos);
            let (l, rr) = (&mut left[pos..pos + seg], &mut right[pos..pos + seg]);
            self.inner.render(l, rr);
            r.peak = r.peak.max(peak(l)).max(peak(rr));
            r.frame += seg as u64;
            pos += seg;
            if r.frame == block_end {
                let quiet = r.peak < SILENCE;
                r.quiet_blocks = if quiet { r.quiet_blocks + 1 } else { 0 };
                let silent = quiet && self.inner.active_voices() == 0;
                let inaudible = r.quiet_blocks >= r.quiet_needed;
                if silent || inaudible || r.frame - ts >= r.cap {
                    r.stop = Some(r.frame);
                }
                r.peak = 0.0;
            }
        }
    }
}

/// Sustain (64) and sostenuto (66) off on every channel: at `--end`,
/// after the notes are released, so that the tail is their release.
pub fn lift_pedals(synth: &mut impl Synth) {
    controllers_to_zero(synth, &[64, 66]);
}

/// Each of `controllers` set to 0 on every channel, channel by channel.
pub fn controllers_to_zero(synth: &mut impl Synth, controllers: &[u8]) {
    for ch in 0..16u8 {
        for &cc in controllers {
            synth.apply(SynthEvent::Midi {
                port: 0,
                channel: u4::new(ch),
                message: MidiMessage::Controller {
                    controller: u7::new(cc),
                    value: u7::new(0),
                },
            });
        }
    }
}
