//! Streaming Standard MIDI File reader in bounded memory.
//!
//! [`Reader`] reads formats 0, 1 and 2, plain or inside a RIFF `RMID`
//! wrapper, with metrical or SMPTE division, from any [`ByteSource`]: an
//! `embedded_io::Read + Seek` through [`IoSource`] or a slice through
//! [`SliceSource`]. Its memory is fixed by three const generics (tracks,
//! window bytes per track, longest payload) and it yields the merged events
//! of all tracks in midly's vocabulary ([`midly::TrackEventKind`]).
//!
//! *Real-time*: no allocation anywhere; each call does bounded work.
//!
//! *Errors*: [`Error`], with [`Severity`] telling whether reading goes on.
//!
//! *Panics*: never, whatever the input (fuzzed).

mod body;
mod checkpoint;
mod diagnostics;
mod error;
mod event;
mod header;
mod merge_heap;
mod reader;
mod source;
#[cfg(test)]
pub(crate) mod test_file;
mod track_cursor;

pub use checkpoint::ReaderCheckpoint;
pub use diagnostics::Diagnostics;
pub(crate) use error::ErrorSlot;
pub use error::{Error, ErrorKind, Severity};
pub use event::Event;
pub use header::Header;
pub use reader::{Reader, ReaderOptions};
pub use source::{ByteSource, IoSource, SliceSource};
