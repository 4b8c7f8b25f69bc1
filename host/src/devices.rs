//! `host devices` (being written).

use crate::exit::{HostError, Kind};

/// Runs `host devices`; returns the exit code.
pub fn run() -> Result<i32, HostError> {
    Err(HostError::new(Kind::Other, "devices", "not written yet"))
}
