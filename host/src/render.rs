//! `host render` (being written).

use crate::cli::RenderArgs;
use crate::exit::{HostError, Kind};

/// Runs `host render`; returns the exit code.
pub fn run(_args: &RenderArgs) -> Result<i32, HostError> {
    Err(HostError::new(Kind::Other, "render", "not written yet"))
}
