//! Streaming Standard MIDI File reader (filled in by issue 2).
