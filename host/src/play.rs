//! `host play` (being written).

use crate::cli::PlayArgs;
use crate::exit::{HostError, Kind};

/// Runs `host play`; returns the exit code.
pub fn run(_args: &PlayArgs) -> Result<i32, HostError> {
    Err(HostError::new(Kind::Other, "play", "not written yet"))
}
