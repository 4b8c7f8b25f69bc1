//! A fixed pool of byte blocks for event payloads too big to copy around
//! (system exclusive messages), addressed by small generation-checked handles.
//!
//! ```
//! use smfplay_core::sched::{EventPool, PoolError};
//!
//! // 4 blocks of up to 32 bytes each.
//! let mut pool: EventPool<4, 32> = EventPool::new();
//! let h = pool.alloc(&[0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7]).unwrap();
//! assert_eq!(pool.get(h), Some(&[0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7][..]));
//! pool.free(h).unwrap();
//! assert_eq!(pool.get(h), None); // stale handle
//! assert_eq!(pool.free(h), Err(PoolError::Stale)); // double free
//! assert_eq!(pool.alloc(&[0; 33]), Err(PoolError::TooLong { len: 33, max: 32 }));
//! ```
//!
//! A [`PoolHandle`] is 4 bytes (block index and generation, `u16` each) and
//! `Copy`, so an event can carry one through the
//! [`Calendar`](super::Calendar) instead of the bytes. Each block has a
//! generation that changes when the block is freed; a handle whose
//! generation does not match (freed, double-freed, or from a block since
//! reused) is rejected. Generations are 16-bit: a handle kept across 65 536
//! reuses of its block would validate again, so detection is best-effort
//! (it catches bugs, it is not a security boundary).
//!
//! # Real-time
//!
//! Never allocates, never blocks. [`EventPool::alloc`] and
//! [`EventPool::free`] are O(1) (a free list); `alloc` also copies the
//! payload, O(length). [`EventPool::new`] is a `const fn`, so a pool can
//! live in a `static` (it is `BLOCKS` × (`BLOCK_BYTES` + a few words)
//! bytes).
//!
//! # Errors
//!
//! [`PoolError::Full`] when every block is in use, [`PoolError::TooLong`]
//! when a payload exceeds `BLOCK_BYTES`, [`PoolError::Stale`] when freeing a
//! handle that is not live.
//!
//! # Panics
//!
//! Never at run time. `EventPool::new` fails to *compile* (a `const`
//! assertion) unless `1 <= BLOCKS <= 65_535`.

use core::fmt;

/// The "no block" link of the free list. Links are block index + 1 (at
/// most 65 535 since `BLOCKS <= 65_535`), so that an empty pool is all
/// zero bits (a `static` of it goes to `.bss`, not `.data`).
const NIL: u16 = 0;

/// A live block in an [`EventPool`]: its index and the generation it was
/// allocated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PoolHandle {
    index: u16,
    generation: u16,
}

impl PoolHandle {
    /// The block index this handle refers to (for logging).
    pub const fn index(self) -> u16 {
        self.index
    }
}

/// Why an [`EventPool`] operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PoolError {
    /// Every block is in use.
    Full,
    /// The payload is longer than a block.
    TooLong {
        /// Length of the payload, in bytes.
        len: usize,
        /// Size of a block (`BLOCK_BYTES`).
        max: usize,
    },
    /// The handle is not live: already freed (double free), its block has
    /// been freed and reused since, or it is out of range (another pool's).
    Stale,
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full => f.write_str("event pool is full"),
            Self::TooLong { len, max } => {
                write!(
                    f,
                    "payload of {len} bytes exceeds the {max}-byte pool block"
                )
            }
            Self::Stale => f.write_str("stale or invalid event pool handle"),
        }
    }
}

impl core::error::Error for PoolError {}

/// Bookkeeping of one block.
#[derive(Clone, Copy)]
struct Meta {
    /// Payload length; `<= BLOCK_BYTES` while in use.
    len: usize,
    generation: u16,
    in_use: bool,
    /// Link (index + 1) of the next free block while free.
    next: u16,
}

const FRESH_META: Meta = Meta {
    len: 0,
    generation: 0,
    in_use: false,
    next: NIL,
};

/// `BLOCKS` blocks of `BLOCK_BYTES` bytes each. See the
/// [module docs](self).
pub struct EventPool<const BLOCKS: usize, const BLOCK_BYTES: usize> {
    data: [[u8; BLOCK_BYTES]; BLOCKS],
    meta: [Meta; BLOCKS],
    /// Link (index + 1) of the head of the free list of blocks that were
    /// used and released.
    free: u16,
    /// Blocks `fresh..BLOCKS` were never used.
    fresh: u16,
    used: u16,
}

impl<const BLOCKS: usize, const BLOCK_BYTES: usize> EventPool<BLOCKS, BLOCK_BYTES> {
    /// Empties the pool in place (as [`EventPool::new`], without building
    /// one on the stack): every handle becomes stale.
    pub fn reset(&mut self) {
        for m in self.meta.iter_mut() {
            *m = FRESH_META;
        }
        self.free = NIL;
        self.fresh = 0;
        self.used = 0;
    }

    /// An empty pool. Fails to compile unless `1 <= BLOCKS <= 65_535`.
    pub const fn new() -> Self {
        const {
            assert!(
                BLOCKS >= 1 && BLOCKS <= u16::MAX as usize,
                "EventPool: BLOCKS must be in 1..=65535"
            );
        }
        Self {
            data: [[0; BLOCK_BYTES]; BLOCKS],
            meta: [FRESH_META; BLOCKS],
            free: NIL,
            fresh: 0,
            used: 0,
        }
    }

    /// Number of blocks: `BLOCKS`.
    pub const fn capacity(&self) -> usize {
        BLOCKS
    }

    /// Largest payload a block holds: `BLOCK_BYTES`.
    pub const fn max_len(&self) -> usize {
        BLOCK_BYTES
    }

    /// Number of blocks in use.
    pub const fn len(&self) -> usize {
        self.used as usize
    }

    /// Whether no block is in use.
    pub const fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Copy `bytes` into a free block. O(1) plus the copy.
    ///
    /// # Errors
    ///
    /// [`PoolError::TooLong`] if `bytes` is longer than `BLOCK_BYTES`,
    /// [`PoolError::Full`] if every block is in use.
    pub fn alloc(&mut self, bytes: &[u8]) -> Result<PoolHandle, PoolError> {
        let h = self.take_block(bytes.len())?;
        if let Some(block) = self.data.get_mut(usize::from(h.index)) {
            for (d, s) in block.iter_mut().zip(bytes) {
                *d = *s;
            }
        }
        Ok(h)
    }

    /// Take a free block holding `len` zero bytes, to be filled in place
    /// through [`EventPool::get_mut`] (for example while reading a sysex
    /// payload from a stream). O(1) plus zeroing.
    ///
    /// # Errors
    ///
    /// As [`EventPool::alloc`].
    pub fn alloc_zeroed(&mut self, len: usize) -> Result<PoolHandle, PoolError> {
        let h = self.take_block(len)?;
        if let Some(block) = self.data.get_mut(usize::from(h.index)) {
            block.iter_mut().take(len).for_each(|b| *b = 0);
        }
        Ok(h)
    }

    fn take_block(&mut self, len: usize) -> Result<PoolHandle, PoolError> {
        if len > BLOCK_BYTES {
            return Err(PoolError::TooLong {
                len,
                max: BLOCK_BYTES,
            });
        }
        let from_free = self.free != NIL;
        let index = if from_free {
            self.free - 1
        } else if usize::from(self.fresh) < BLOCKS {
            self.fresh
        } else {
            return Err(PoolError::Full);
        };
        let Some(meta) = self.meta.get_mut(usize::from(index)) else {
            return Err(PoolError::Full);
        };
        if from_free {
            self.free = meta.next;
        } else {
            // fresh < BLOCKS <= u16::MAX: cannot overflow.
            self.fresh = self.fresh.saturating_add(1);
        }
        meta.len = len;
        meta.in_use = true;
        meta.next = NIL;
        self.used = self.used.saturating_add(1);
        Ok(PoolHandle {
            index,
            generation: meta.generation,
        })
    }

    fn live_meta(&self, h: PoolHandle) -> Option<&Meta> {
        self.meta
            .get(usize::from(h.index))
            .filter(|m| m.in_use && m.generation == h.generation)
    }

    /// The payload of a live handle; `None` if the handle is stale.
    pub fn get(&self, h: PoolHandle) -> Option<&[u8]> {
        let len = self.live_meta(h)?.len;
        self.data.get(usize::from(h.index))?.get(..len)
    }

    /// The payload of a live handle, writable; `None` if the handle is stale.
    pub fn get_mut(&mut self, h: PoolHandle) -> Option<&mut [u8]> {
        let len = self.live_meta(h)?.len;
        self.data.get_mut(usize::from(h.index))?.get_mut(..len)
    }

    /// Release a block. O(1).
    ///
    /// # Errors
    ///
    /// [`PoolError::Stale`] if the handle is not live (double free, stale
    /// or foreign handle); nothing is changed then.
    pub fn free(&mut self, h: PoolHandle) -> Result<(), PoolError> {
        let free_head = self.free;
        let meta = self
            .meta
            .get_mut(usize::from(h.index))
            .filter(|m| m.in_use && m.generation == h.generation)
            .ok_or(PoolError::Stale)?;
        meta.in_use = false;
        meta.len = 0;
        meta.generation = meta.generation.wrapping_add(1);
        meta.next = free_head;
        // h.index < BLOCKS <= u16::MAX (checked by `get_mut` above).
        self.free = h.index + 1;
        self.used = self.used.saturating_sub(1);
        Ok(())
    }
}

impl<const BLOCKS: usize, const BLOCK_BYTES: usize> Default for EventPool<BLOCKS, BLOCK_BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BLOCKS: usize, const BLOCK_BYTES: usize> fmt::Debug for EventPool<BLOCKS, BLOCK_BYTES> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventPool")
            .field("len", &self.used)
            .field("blocks", &BLOCKS)
            .field("block_bytes", &BLOCK_BYTES)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::format;

    #[test]
    fn full() {
        let mut pool: EventPool<2, 4> = EventPool::new();
        let a = pool.alloc(&[1]).unwrap();
        let b = pool.alloc(&[2, 2]).unwrap();
        assert_eq!(pool.alloc(&[3]), Err(PoolError::Full));
        assert_eq!(pool.alloc_zeroed(1), Err(PoolError::Full));
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.get(a), Some(&[1][..]));
        assert_eq!(pool.get(b), Some(&[2, 2][..]));
        pool.free(a).unwrap();
        let c = pool.alloc(&[3, 3, 3]).unwrap();
        assert_eq!(pool.get(c), Some(&[3, 3, 3][..]));
    }

    #[test]
    fn too_long() {
        let mut pool: EventPool<2, 4> = EventPool::new();
        assert_eq!(
            pool.alloc(&[0; 5]),
            Err(PoolError::TooLong { len: 5, max: 4 })
        );
        assert_eq!(
            pool.alloc_zeroed(100),
            Err(PoolError::TooLong { len: 100, max: 4 })
        );
        assert!(pool.is_empty(), "a rejected payload takes no block");
        let h = pool.alloc(&[9; 4]).unwrap();
        assert_eq!(pool.get(h), Some(&[9; 4][..]));
        let e = pool.alloc(&[]).unwrap();
        assert_eq!(pool.get(e), Some(&[][..]));
    }

    #[test]
    fn stale_handle() {
        let mut pool: EventPool<2, 4> = EventPool::new();
        let a = pool.alloc(&[1]).unwrap();
        pool.free(a).unwrap();
        // The block is reused, with a new generation.
        let b = pool.alloc(&[2]).unwrap();
        assert_eq!(a.index(), b.index());
        assert_ne!(a, b);
        assert_eq!(pool.get(a), None);
        assert_eq!(pool.free(a), Err(PoolError::Stale));
        assert_eq!(pool.get(b), Some(&[2][..]), "untouched by the stale free");
        // Out-of-range handle (from a bigger pool).
        let mut big: EventPool<3, 4> = EventPool::new();
        let _ = big.alloc(&[0]).unwrap();
        let _ = big.alloc(&[0]).unwrap();
        let far = big.alloc(&[0]).unwrap();
        assert_eq!(pool.get(far), None);
        assert_eq!(pool.free(far), Err(PoolError::Stale));
        assert!(pool.get_mut(a).is_none());
    }

    #[test]
    fn double_free() {
        let mut pool: EventPool<2, 4> = EventPool::new();
        let a = pool.alloc(&[1]).unwrap();
        let b = pool.alloc(&[2]).unwrap();
        assert_eq!(pool.free(a), Ok(()));
        assert_eq!(pool.free(a), Err(PoolError::Stale));
        assert_eq!(pool.len(), 1);
        // The free list was not corrupted: exactly one block is free.
        let c = pool.alloc(&[3]).unwrap();
        assert_eq!(pool.alloc(&[4]), Err(PoolError::Full));
        assert_eq!(pool.get(b), Some(&[2][..]));
        assert_eq!(pool.get(c), Some(&[3][..]));
    }

    #[test]
    fn reuse() {
        let mut pool: EventPool<3, 8> = EventPool::new();
        let mut live = [None; 3];
        for round in 0..1_000u32 {
            let slot = (round % 3) as usize;
            if let Some(h) = live[slot].take() {
                pool.free(h).unwrap();
            }
            let bytes = round.to_le_bytes();
            let h = pool.alloc(&bytes[..(round % 5) as usize]).unwrap();
            live[slot] = Some(h);
            for h in live.iter().flatten() {
                assert!(pool.get(*h).is_some());
            }
            assert_eq!(pool.get(h), Some(&bytes[..(round % 5) as usize]));
        }
        for h in live.iter().flatten() {
            pool.free(*h).unwrap();
        }
        assert!(pool.is_empty());
    }

    #[test]
    fn fill_in_place() {
        let mut pool: EventPool<2, 8> = EventPool::new();
        let a = pool.alloc(&[7; 8]).unwrap();
        pool.free(a).unwrap();
        let h = pool.alloc_zeroed(3).unwrap();
        assert_eq!(pool.get(h), Some(&[0, 0, 0][..]), "old bytes are cleared");
        pool.get_mut(h)
            .unwrap()
            .copy_from_slice(&[0xF0, 0x01, 0xF7]);
        assert_eq!(pool.get(h), Some(&[0xF0, 0x01, 0xF7][..]));
    }

    #[test]
    fn generation_wraps_without_panic() {
        let mut pool: EventPool<1, 1> = EventPool::new();
        for _ in 0..70_000 {
            let h = pool.alloc(&[1]).unwrap();
            pool.free(h).unwrap();
        }
        assert!(pool.is_empty());
    }

    #[test]
    fn errors_and_sizes() {
        assert_eq!(format!("{}", PoolError::Full), "event pool is full");
        assert_eq!(
            format!("{}", PoolError::TooLong { len: 9, max: 8 }),
            "payload of 9 bytes exceeds the 8-byte pool block"
        );
        assert_eq!(
            format!("{}", PoolError::Stale),
            "stale or invalid event pool handle"
        );
        let _: &dyn core::error::Error = &PoolError::Full;
        assert_eq!(core::mem::size_of::<PoolHandle>(), 4);
        assert_eq!(core::mem::size_of::<Option<PoolHandle>>(), 6);
        static POOL: EventPool<2, 16> = EventPool::new();
        assert_eq!(POOL.capacity(), 2);
        assert_eq!(POOL.max_len(), 16);
        let pool: EventPool<2, 16> = EventPool::default();
        assert!(format!("{pool:?}").starts_with("EventPool"));
    }
}
