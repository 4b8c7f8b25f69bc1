//! `host devices`: the ALSA playback devices, with their descriptions, from
//! ALSA's name hints (what `aplay -L` lists).
//!
//! *Real-time*: not real-time.

use alsa::Direction;
use alsa::device_name::HintIter;

use crate::exit::{HostError, Kind};

/// One playback device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Name to pass to `--device`.
    pub name: String,
    /// What it is (first line of ALSA's description), may be empty.
    pub description: String,
}

/// Lists the PCM devices that can play.
pub fn list() -> Result<Vec<Device>, HostError> {
    crate::play::silence_alsa_lib_errors();
    let hints = HintIter::new_str(None, "pcm").map_err(|e| {
        HostError::new(
            Kind::Device,
            "",
            format!("cannot list ALSA devices: {}", e.errno()),
        )
    })?;
    Ok(hints
        .filter(|h| h.direction.is_none_or(|d| d == Direction::Playback))
        .filter_map(|h| {
            let name = h.name?;
            let description = h
                .desc
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            Some(Device { name, description })
        })
        .collect())
}

/// Runs `host devices`; returns the exit code.
pub fn run(args: &crate::cli::DevicesArgs) -> Result<i32, HostError> {
    let devices = list()?;
    if args.json {
        for d in &devices {
            println!(
                "{}",
                crate::json_events::line(&crate::json_events::DeviceLine {
                    name: &d.name,
                    description: &d.description,
                })
            );
        }
        return Ok(crate::exit::code::OK);
    }
    if devices.is_empty() {
        println!("no ALSA playback devices found");
        return Ok(crate::exit::code::OK);
    }
    let width = devices
        .iter()
        .map(|d| d.name.len())
        .max()
        .unwrap_or(0)
        .min(40);
    for d in &devices {
        if d.description.is_empty() {
            println!("{}", d.name);
        } else {
            println!("{:width$}  {}", d.name, d.description);
        }
    }
    Ok(crate::exit::code::OK)
}
