//! `host dump` (being written).

use crate::cli::DumpArgs;
use crate::exit::{HostError, Kind};

/// Runs `host dump`; returns the exit code.
pub fn run(_args: &DumpArgs) -> Result<i32, HostError> {
    Err(HostError::new(Kind::Other, "dump", "not written yet"))
}
