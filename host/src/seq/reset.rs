//! The reset `host play --port` sends an external synth before the song and
//! after every seek: the one `--reset` names, or by default the file's own
//! (the chase replays a GM, GS or XG reset the file sent before the seek
//! point) and GM for a file that sends none.
//!
//! *Real-time*: the messages are constants; choosing one is control side.

use smfplay_core::sequencer::reset_kind;

use crate::cli::ResetChoice;

/// General MIDI System On (bytes after `F0`).
pub const GM: &[u8] = &[0x7E, 0x7F, 0x09, 0x01, 0xF7];
/// Roland GS Reset.
pub const GS: &[u8] = &[0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7];
/// Yamaha XG System On.
pub const XG: &[u8] = &[0x43, 0x10, 0x4C, 0x00, 0x00, 0x7E, 0x00, 0xF7];
/// Roland MT-32 "all parameters reset" (DT1 to address 7F 00 00).
pub const MT32: &[u8] = &[0x41, 0x10, 0x16, 0x12, 0x7F, 0x00, 0x00, 0x00, 0x01, 0xF7];

/// The reset to send, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetPlan {
    /// Sent before the song's first event.
    pub at_start: Option<&'static [u8]>,
    /// Sent after every seek (not at a loop's turn), before the chase.
    pub at_seek: Option<&'static [u8]>,
}

impl ResetPlan {
    /// What `--reset` (or its absence) means for a file that sends
    /// `file_resets` (true when it sends a GM, GM2, GS or XG reset itself).
    pub fn new(choice: Option<ResetChoice>, file_resets: bool) -> Self {
        let fixed = |m: Option<&'static [u8]>| Self {
            at_start: m,
            at_seek: m,
        };
        match choice {
            Some(ResetChoice::None) => fixed(None),
            Some(ResetChoice::Gm) => fixed(Some(GM)),
            Some(ResetChoice::Gs) => fixed(Some(GS)),
            Some(ResetChoice::Xg) => fixed(Some(XG)),
            Some(ResetChoice::Mt32) => fixed(Some(MT32)),
            // The file's own reset plays at its start, and the chase
            // replays it after a seek.
            None if file_resets => fixed(None),
            None => fixed(Some(GM)),
        }
    }
}

/// Whether a SysEx message (bytes after `F0`) is a reset the chase knows.
pub fn is_reset(data: &[u8]) -> bool {
    reset_kind(data).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_are_the_resets_the_chase_knows() {
        for m in [GM, GS, XG] {
            assert!(is_reset(m), "{m:02X?}");
        }
        assert!(!is_reset(MT32));
    }

    #[test]
    fn mt32_reset_checksum_is_right() {
        // Roland checksum: address + data + checksum ≡ 0 (mod 128).
        let body = &MT32[4..MT32.len() - 1];
        let sum: u32 = body.iter().map(|&b| u32::from(b)).sum();
        assert_eq!(sum % 128, 0);
    }

    #[test]
    fn default_is_the_files_own_reset_else_gm() {
        assert_eq!(ResetPlan::new(None, true).at_start, None);
        assert_eq!(ResetPlan::new(None, false).at_start, Some(GM));
        assert_eq!(ResetPlan::new(None, false).at_seek, Some(GM));
        assert_eq!(ResetPlan::new(Some(ResetChoice::None), false).at_seek, None);
        assert_eq!(
            ResetPlan::new(Some(ResetChoice::Gs), true).at_seek,
            Some(GS)
        );
    }
}
