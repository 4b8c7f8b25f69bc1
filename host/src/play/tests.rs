//! Unit tests of the play engine.
