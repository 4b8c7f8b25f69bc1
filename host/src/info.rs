//! `host info` (being written).

use crate::cli::InfoArgs;
use crate::exit::{HostError, Kind};

/// Runs `host info`; returns the exit code.
pub fn run(_args: &InfoArgs) -> Result<i32, HostError> {
    Err(HostError::new(Kind::Other, "info", "not written yet"))
}
