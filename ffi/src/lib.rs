//! Raw declarations for libfluidsynth 2.x (filled in by issue 4).
