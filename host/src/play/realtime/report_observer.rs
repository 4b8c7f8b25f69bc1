//! The engine's [`Observer`]: the player's notices during a period become
//! [`Report`]s to the control thread (lyrics, tempo, key) or mark where the
//! song's end (and so its release tail) starts.
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
    /// Song position at the period's start (ms), stamped on texts.
    pub song_ms: u64,
    /// Frames played before this period.
    pub period_start: u64,
    /// Set at the song's end: the release tail starts there.
    pub tail_start: &'a TailStart,
}

impl Observer for ReportObserver<'_, '_> {
    fn notice(&mut self, offset: u32, notice: Notice<'_>) {
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
                Report::Text(kind, text, self.song_ms)
            }
            Notice::Tempo(us) => Report::Tempo(us),
            Notice::KeySignature(sharps, minor) => Report::Key(sharps, minor),
            _ => return,
        };
        let _ = self.reports.enqueue(report);
    }
}
