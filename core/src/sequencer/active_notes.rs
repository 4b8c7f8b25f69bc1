//! Which notes are sounding, and with which key they were sent (after
//! transposition), so that every note-off, pause, mute, seek and loop
//! releases exactly what sounds.
//!
//! *Real-time*: fixed 2 KiB table; releasing a channel is at most 128 steps.

use midly::num::u4;

const NONE: u8 = 0xFF;

/// Sounding notes per channel: original key → key sent to the synth.
#[derive(Clone)]
pub struct ActiveNotes {
    sent: [[u8; 128]; 16],
    count: u16,
}

impl Default for ActiveNotes {
    fn default() -> Self {
        Self::new()
    }
}

impl ActiveNotes {
    /// No note sounding.
    pub const fn new() -> Self {
        Self {
            sent: [[NONE; 128]; 16],
            count: 0,
        }
    }

    /// Forgets every note (as [`ActiveNotes::new`], in place).
    pub fn clear(&mut self) {
        for ch in self.sent.iter_mut() {
            *ch = [NONE; 128];
        }
        self.count = 0;
    }

    /// Number of sounding notes.
    pub const fn len(&self) -> usize {
        self.count as usize
    }

    /// Channels with a note sounding (bit n = channel n). Looks through
    /// the table (at most 2 KiB, nothing when no note sounds) rather than
    /// keeping counts, so tracking notes costs no more RAM or time.
    pub fn channels(&self) -> u16 {
        if self.count == 0 {
            return 0;
        }
        let mut mask = 0u16;
        for (ch, keys) in self.sent.iter().enumerate() {
            if keys.iter().any(|&k| k != NONE) {
                mask |= 1 << ch;
            }
        }
        mask
    }

    /// Whether nothing sounds.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Records that `key` on `channel` sounds as `sent_key`. Returns the key
    /// previously sent for the same original key, if it still sounded (the
    /// caller releases it first, so a re-struck note never hangs).
    pub fn note_on(&mut self, channel: u4, key: u8, sent_key: u8) -> Option<u8> {
        let slot = self.slot(channel, key)?;
        let previous = core::mem::replace(slot, sent_key & 0x7F);
        if previous == NONE {
            self.count += 1;
            None
        } else {
            Some(previous)
        }
    }

    /// Forgets `key` on `channel`; returns the key it was sent as, if it
    /// sounded.
    pub fn note_off(&mut self, channel: u4, key: u8) -> Option<u8> {
        let slot = self.slot(channel, key)?;
        let previous = core::mem::replace(slot, NONE);
        if previous == NONE {
            None
        } else {
            self.count -= 1;
            Some(previous)
        }
    }

    /// The key `key` on `channel` was sent as, if it sounds.
    pub fn sent_key(&self, channel: u4, key: u8) -> Option<u8> {
        let sent = *self
            .sent
            .get(usize::from(channel.as_int()))?
            .get(usize::from(key & 0x7F))?;
        (sent != NONE).then_some(sent)
    }

    /// Forgets every note of `channel`, calling `release(sent_key)` for each.
    pub fn release_channel(&mut self, channel: u4, mut release: impl FnMut(u8)) {
        let Some(keys) = self.sent.get_mut(usize::from(channel.as_int())) else {
            return;
        };
        for slot in keys.iter_mut() {
            if *slot != NONE {
                release(*slot);
                *slot = NONE;
                self.count -= 1;
            }
        }
    }

    /// Forgets every note of `channel` without releasing them (the synth
    /// was told "all notes off" already).
    pub fn forget_channel(&mut self, channel: u4) {
        self.release_channel(channel, |_| {});
    }

    /// Forgets every note, calling `release(channel, sent_key)` for each.
    pub fn release_all(&mut self, mut release: impl FnMut(u4, u8)) {
        if self.count == 0 {
            return;
        }
        for ch in 0..16u8 {
            self.release_channel(u4::new(ch), |k| release(u4::new(ch), k));
        }
    }

    fn slot(&mut self, channel: u4, key: u8) -> Option<&mut u8> {
        self.sent
            .get_mut(usize::from(channel.as_int()))?
            .get_mut(usize::from(key & 0x7F))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_sent_keys_and_releases() {
        let mut n = ActiveNotes::new();
        let ch = u4::new(3);
        assert_eq!(n.note_on(ch, 60, 62), None);
        assert_eq!(n.note_on(ch, 60, 64), Some(62));
        assert_eq!(n.len(), 1);
        assert_eq!(n.channels(), 1 << 3);
        assert_eq!(n.note_off(ch, 60), Some(64));
        assert_eq!(n.note_off(ch, 60), None);
        assert_eq!(n.channels(), 0);
        n.note_on(ch, 1, 1);
        n.note_on(u4::new(9), 36, 36);
        n.note_on(u4::new(9), 38, 38);
        assert_eq!(n.channels(), (1 << 3) | (1 << 9));
        n.release_channel(u4::new(9), |_| {});
        assert_eq!(n.channels(), 1 << 3);
        n.note_on(u4::new(9), 36, 36);
        let mut released = [(0u8, 0u8); 2];
        let mut i = 0;
        n.release_all(|c, k| {
            released[i] = (c.as_int(), k);
            i += 1;
        });
        assert_eq!(released, [(3, 1), (9, 36)]);
        assert!(n.is_empty());
    }
}
