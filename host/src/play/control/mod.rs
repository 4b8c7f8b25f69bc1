//! The control side of `host play` (the main thread, never real-time):
//! one song's steps and its control loop, the playlist, the keys and
//! `--commands` lines, what they change and how it is delivered, the live
//! display and terminal, what is printed, signals and the stall test hook.

pub(crate) mod commands;
pub(crate) mod control_loop;
pub(crate) mod controls;
pub(crate) mod delivery;
pub(crate) mod display;
pub(crate) mod keys;
pub(crate) mod play_song;
pub(crate) mod playlist;
pub(crate) mod report;
pub(crate) mod rtkit;
pub(crate) mod signals;
pub(crate) mod song_actions;
pub(crate) mod stall_hook;
pub(crate) mod terminal;
pub(crate) mod text_width;
pub(crate) mod ui;
