//! The control side of `host play` (the main thread, never real-time):
//! the keys and `--commands` lines, what they change and how it is
//! delivered, the live display and terminal, what is printed, and signals.

pub(crate) mod commands;
pub(crate) mod controls;
pub(crate) mod delivery;
pub(crate) mod display;
pub(crate) mod keys;
pub(crate) mod report;
pub(crate) mod signals;
pub(crate) mod terminal;
pub(crate) mod ui;
