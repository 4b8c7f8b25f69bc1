//! Exact tick → frame conversion (filled in by issue 2).
