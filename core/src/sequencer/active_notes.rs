//! Which notes are sounding, and with which key they were sent (after
//! transposition), so that every note-off, pause, mute, seek and loop
//! releases exactly what sounds.
//!
//! A table of up to `VOICES` sounding notes, sorted by port (`FF 21`, up
//! to [`MAX_PORTS`]), channel and key. The default, [`ALL_NOTES`] (16
//! channels × 128 keys), can never be full with one port; a player with
//! several chooses `ports × ALL_NOTES`. A small board chooses fewer (its synth plays fewer voices anyway): a note
//! struck while the table is full is refused ([`NotesFull`]), and the
//! player does not play it, so nothing it cannot release ever sounds. The
//! empty table is all zero bits (a `static` sequencer goes to `.bss`).
//!
//! *Real-time*: fixed size (3 bytes per voice: 6 KiB by default); a lookup
//! is a binary search, striking or releasing a note moves at most the
//! notes after it, releasing a channel or everything visits each sounding
//! note once.

use midly::num::u4;

use super::chase::MAX_PORTS;

/// Voices that cover every key of every channel of one port: a table
/// this large is never full while every note is on port 0.
pub const ALL_NOTES: usize = 16 * 128;

/// The table is full: the note was not recorded (and must not be played).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NotesFull;

/// Sounding notes: (port, channel, original key) → key sent to the synth.
#[derive(Clone)]
pub struct ActiveNotes<const VOICES: usize = ALL_NOTES> {
    /// `port << 11 | channel << 7 | key` of each sounding note, ascending;
    /// `len` used.
    keys: [u16; VOICES],
    /// The key each of them was sent as.
    sent: [u8; VOICES],
    len: u16,
}

impl<const VOICES: usize> Default for ActiveNotes<VOICES> {
    fn default() -> Self {
        Self::new()
    }
}

/// The sort key of a note (ports fold as `port % MAX_PORTS`).
fn id(port: u8, channel: u4, key: u8) -> u16 {
    (u16::from(port) % MAX_PORTS as u16) << 11
        | u16::from(channel.as_int()) << 7
        | u16::from(key & 0x7F)
}

/// The port of a sort key.
fn port_of(id: u16) -> u8 {
    (id >> 11) as u8
}

/// The channel of a sort key.
fn channel_of(id: u16) -> u4 {
    u4::new(((id >> 7) & 0x0F) as u8)
}

impl<const VOICES: usize> ActiveNotes<VOICES> {
    /// No note sounding. Fails to compile unless `1 <= VOICES <= 32768`
    /// (every key of every channel of [`MAX_PORTS`] ports).
    pub const fn new() -> Self {
        const {
            assert!(
                VOICES >= 1 && VOICES <= MAX_PORTS * ALL_NOTES,
                "ActiveNotes: VOICES must be in 1..=32768"
            );
        }
        Self {
            keys: [0; VOICES],
            sent: [0; VOICES],
            len: 0,
        }
    }

    /// Forgets every note (as [`ActiveNotes::new`], in place).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Number of sounding notes.
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Channels with a note sounding on any port (bit n = channel n).
    /// Looks through the sounding notes rather than keeping counts, so
    /// tracking notes costs no more RAM; nothing to do when no note sounds.
    pub fn channels(&self) -> u16 {
        self.keys[..self.len()]
            .iter()
            .fold(0u16, |mask, &id| mask | 1 << channel_of(id).as_int())
    }

    /// Whether nothing sounds.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The most notes that can sound at once: `VOICES`.
    pub const fn capacity(&self) -> usize {
        VOICES
    }

    /// Where `id` is, or where it would go.
    fn find(&self, id: u16) -> Result<usize, usize> {
        self.keys[..self.len()].binary_search(&id)
    }

    /// Records that `key` on `channel` of `port` sounds as `sent_key`.
    /// Returns the key previously sent for the same original key, if it
    /// still sounded (the caller releases it first, so a re-struck note
    /// never hangs).
    ///
    /// # Errors
    ///
    /// [`NotesFull`] when `VOICES` notes sound and this is not one of them
    /// (never with [`ALL_NOTES`]); nothing is recorded.
    pub fn note_on(
        &mut self,
        port: u8,
        channel: u4,
        key: u8,
        sent_key: u8,
    ) -> Result<Option<u8>, NotesFull> {
        let id = id(port, channel, key);
        match self.find(id) {
            Ok(i) => Ok(Some(core::mem::replace(&mut self.sent[i], sent_key & 0x7F))),
            Err(_) if self.len() >= VOICES => Err(NotesFull),
            Err(i) => {
                let n = self.len();
                self.keys.copy_within(i..n, i + 1);
                self.sent.copy_within(i..n, i + 1);
                self.keys[i] = id;
                self.sent[i] = sent_key & 0x7F;
                self.len += 1;
                Ok(None)
            }
        }
    }

    /// Forgets `key` on `channel` of `port`; returns the key it was sent
    /// as, if it sounded.
    pub fn note_off(&mut self, port: u8, channel: u4, key: u8) -> Option<u8> {
        let i = self.find(id(port, channel, key)).ok()?;
        let sent = self.sent[i];
        let n = self.len();
        self.keys.copy_within(i + 1..n, i);
        self.sent.copy_within(i + 1..n, i);
        self.len -= 1;
        Some(sent)
    }

    /// The key `key` on `channel` of `port` was sent as, if it sounds.
    pub fn sent_key(&self, port: u8, channel: u4, key: u8) -> Option<u8> {
        self.find(id(port, channel, key)).ok().map(|i| self.sent[i])
    }

    /// Forgets every note of `channel` on ports `0..ports`, calling
    /// `release(port, sent_key)` for each (by port, then original key).
    pub fn release_channel(&mut self, channel: u4, ports: usize, mut release: impl FnMut(u8, u8)) {
        for port in 0..ports.min(MAX_PORTS) as u8 {
            self.release_port_channel(port, channel, |key| release(port, key));
        }
    }

    /// Forgets every note of `channel` on `port` without releasing them
    /// (the synth was told "all notes off" there already).
    pub fn forget_channel(&mut self, port: u8, channel: u4) {
        self.release_port_channel(port, channel, |_| {});
    }

    /// Forgets every note of `channel` on `port`, calling `release(sent_key)`
    /// for each (in ascending order of the original key).
    fn release_port_channel(&mut self, port: u8, channel: u4, mut release: impl FnMut(u8)) {
        let n = self.len();
        let first = id(port, channel, 0);
        let start = self.keys[..n].partition_point(|&k| k < first);
        let end = start + self.keys[start..n].partition_point(|&k| k < first + 128);
        for &sent in &self.sent[start..end] {
            release(sent);
        }
        self.keys.copy_within(end..n, start);
        self.sent.copy_within(end..n, start);
        self.len -= (end - start) as u16;
    }

    /// Forgets every note, calling `release(port, channel, sent_key)` for
    /// each (by port, channel, then original key).
    pub fn release_all(&mut self, mut release: impl FnMut(u8, u4, u8)) {
        let n = self.len();
        for (&k, &sent) in self.keys[..n].iter().zip(&self.sent[..n]) {
            release(port_of(k), channel_of(k), sent);
        }
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_sent_keys_and_releases() {
        let mut n = ActiveNotes::<ALL_NOTES>::new();
        let ch = u4::new(3);
        assert_eq!(n.note_on(0, ch, 60, 62), Ok(None));
        assert_eq!(n.note_on(0, ch, 60, 64), Ok(Some(62)));
        assert_eq!(n.len(), 1);
        assert_eq!(n.channels(), 1 << 3);
        assert_eq!(n.note_off(0, ch, 60), Some(64));
        assert_eq!(n.note_off(0, ch, 60), None);
        assert_eq!(n.channels(), 0);
        n.note_on(0, ch, 1, 1).unwrap();
        n.note_on(0, u4::new(9), 36, 36).unwrap();
        n.note_on(0, u4::new(9), 38, 38).unwrap();
        assert_eq!(n.channels(), (1 << 3) | (1 << 9));
        n.release_channel(u4::new(9), 1, |_, _| {});
        assert_eq!(n.channels(), 1 << 3);
        n.note_on(0, u4::new(9), 36, 36).unwrap();
        let mut released = [(0u8, 0u8); 2];
        let mut i = 0;
        n.release_all(|_, c, k| {
            released[i] = (c.as_int(), k);
            i += 1;
        });
        assert_eq!(released, [(3, 1), (9, 36)]);
        assert!(n.is_empty());
    }

    #[test]
    fn every_key_of_every_channel_fits_by_default() {
        let mut n = ActiveNotes::<ALL_NOTES>::new();
        // Keys downwards: each note goes before the channel's others (a
        // shift), channels upwards (Miri runs this too: keep it cheap).
        for ch in 0..16 {
            for key in (0..128).rev() {
                assert_eq!(n.note_on(0, u4::new(ch), key, 127 - key), Ok(None));
            }
        }
        assert_eq!(n.len(), ALL_NOTES);
        assert_eq!(n.sent_key(0, u4::new(5), 7), Some(120));
        let mut keys = std::vec::Vec::new();
        n.release_channel(u4::new(5), 1, |_, k| keys.push(k));
        assert_eq!(keys, (0..128).rev().collect::<std::vec::Vec<u8>>());
        assert_eq!(n.len(), ALL_NOTES - 128);
        assert_eq!(n.sent_key(0, u4::new(5), 7), None);
        assert_eq!(n.sent_key(0, u4::new(6), 7), Some(120));
        let mut last = None;
        let mut count = 0;
        n.release_all(|_, c, k| {
            let now = (c.as_int(), 127 - k);
            assert!(last < Some(now), "{last:?} then {now:?}");
            last = Some(now);
            count += 1;
        });
        assert_eq!(count, ALL_NOTES - 128);
    }

    #[test]
    fn a_small_table_refuses_notes_when_full() {
        let mut n = ActiveNotes::<2>::new();
        let ch = u4::new(0);
        assert_eq!(n.note_on(0, ch, 60, 60), Ok(None));
        assert_eq!(n.note_on(0, ch, 64, 64), Ok(None));
        assert_eq!(n.note_on(0, ch, 67, 67), Err(NotesFull));
        assert_eq!(n.note_on(0, ch, 64, 65), Ok(Some(64)), "a re-strike fits");
        assert_eq!(n.note_off(0, ch, 67), None, "the refused note was not kept");
        assert_eq!(n.note_off(0, ch, 60), Some(60));
        assert_eq!(n.note_on(0, ch, 67, 67), Ok(None));
        n.forget_channel(0, ch);
        assert!(n.is_empty());
    }

    #[test]
    fn ports_keep_their_own_notes() {
        let mut n = ActiveNotes::<ALL_NOTES>::new();
        let ch = u4::new(0);
        assert_eq!(n.note_on(0, ch, 60, 60), Ok(None));
        assert_eq!(n.note_on(1, ch, 60, 62), Ok(None), "same key, other port");
        assert_eq!(n.note_on(1, u4::new(2), 61, 61), Ok(None));
        assert_eq!(n.len(), 3);
        assert_eq!(n.channels(), 0b101);
        assert_eq!(n.sent_key(1, ch, 60), Some(62));
        assert_eq!(n.note_off(0, ch, 60), Some(60));
        assert_eq!(
            n.sent_key(1, ch, 60),
            Some(62),
            "port 1's note still sounds"
        );
        n.note_on(0, ch, 64, 64).unwrap();
        // A channel is released on every port; others stay.
        let mut released = std::vec::Vec::new();
        n.release_channel(ch, 16, |port, key| released.push((port, key)));
        assert_eq!(released, [(0, 64), (1, 62)]);
        assert_eq!(n.len(), 1);
        n.note_on(3, ch, 1, 1).unwrap();
        n.forget_channel(1, u4::new(2));
        let mut all = std::vec::Vec::new();
        n.release_all(|p, c, k| all.push((p, c.as_int(), k)));
        assert_eq!(all, [(3, 0, 1)]);
        // Ports fold as port % MAX_PORTS.
        n.note_on(17, ch, 5, 5).unwrap();
        assert_eq!(n.note_off(1, ch, 5), Some(5));
    }
}
