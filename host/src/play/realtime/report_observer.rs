//! The engine's [`Observer`]: the player's notices during a period become
//! [`Report`]s to the control thread (lyrics, tempo, key, each with its
//! event's exact song time) or mark where the song's end (and so its
//! release tail) starts.
//!
//! *Real-time*: runs on the audio thread; reports go into a lock-free
//! queue without waiting (a full queue drops them).

use heapless::spsc::Producer;
use smfplay_core::sequencer::{Notice, Observer};

use super::messages::{Report, TEXT_BYTES};
use crate::release_tail::TailStart;

/// Turns the player's notices into reports (see the module docs).
pub struct ReportObserver<'a, 'q> {
    /// Where the reports go.
    pub reports: &'a mut Producer<'q, Report>,
    /// Song position at the period's start (song frames).
    pub song_frame: u64,
    /// Tempo scale (thousandths): song frames per output frame × 1000.
    pub tempo_milli: u32,
    /// Sample rate.
    pub rate: u32,
    /// Frames played before this period.
    pub period_start: u64,
    /// Set at the song's end: the release tail starts there.
    pub tail_start: &'a TailStart,
}

impl ReportObserver<'_, '_> {
    /// The song time (µs) of a notice `offset` frames into the period:
    /// its event's own time, not the period's start.
    fn song_us(&self, offset: u32) -> u64 {
        let frame = self.song_frame + u64::from(offset) * u64::from(self.tempo_milli) / 1000;
        let us = u128::from(frame) * 1_000_000 / u128::from(self.rate.max(1));
        u64::try_from(us).unwrap_or(u64::MAX)
    }
}

impl Observer for ReportObserver<'_, '_> {
    fn notice(&mut self, offset: u32, notice: Notice<'_>) {
        let at = self.song_us(offset);
        let report = match notice {
            Notice::End => {
                if self.tail_start.get().is_none() {
                    self.tail_start
                        .set(Some(self.period_start + u64::from(offset)));
                }
                return;
            }
            Notice::Text(kind, bytes) => {
                let mut text = heapless::Vec::new();
                let n = bytes.len().min(TEXT_BYTES);
                let _ = text.extend_from_slice(&bytes[..n]);
                Report::Text(kind, text, at)
            }
            Notice::Tempo(us) => Report::Tempo(us, at),
            Notice::KeySignature(sharps, minor) => Report::Key(sharps, minor, at),
            _ => return,
        };
        let _ = self.reports.enqueue(report);
    }
}
