//! Small Standard MIDI Files built in memory for the core's unit tests
//! (reader, feed). Test-only (it allocates).

use std::vec::Vec;

/// End of track at delta 0.
pub(crate) const EOT: [u8; 4] = [0x00, 0xFF, 0x2F, 0];

/// A file of `format` with 96 ticks per quarter and these tracks (their
/// data bytes: delta times and events).
pub(crate) fn smf(format: u16, tracks: &[&[u8]]) -> Vec<u8> {
    let mut f = Vec::from(*b"MThd");
    f.extend_from_slice(&[0, 0, 0, 6]);
    f.extend_from_slice(&format.to_be_bytes());
    f.extend_from_slice(&(tracks.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0, 96]);
    for t in tracks {
        f.extend_from_slice(b"MTrk");
        f.extend_from_slice(&(t.len() as u32).to_be_bytes());
        f.extend_from_slice(t);
    }
    f
}

/// Track data: `(delta, key)` note-ons of velocity 1 on channel 0, then
/// end of track.
pub(crate) fn notes(events: &[(u8, u8)]) -> Vec<u8> {
    let mut t = Vec::new();
    for &(delta, key) in events {
        t.extend_from_slice(&[delta, 0x90, key, 1]);
    }
    t.extend_from_slice(&EOT);
    t
}
