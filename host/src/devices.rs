//! `host devices`: the ALSA playback devices, with their descriptions, from
//! ALSA's name hints (what `aplay -L` lists), without the plugins that only
//! convert for another device (rate converters, up- and down-mixers,
//! Speex's DSP) and without `oss` when the kernel has no OSS device: a
//! list of what a user can play on.
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
        .filter(|d| !is_converter(&d.name))
        .filter(|d| d.name != "oss" || std::path::Path::new("/dev/dsp").exists())
        .collect())
}

/// Whether an ALSA PCM name is one of libasound2-plugins' converters
/// (`samplerate`, `speexrate_best`, `lavrate:…`, `upmix`, `vdownmix`,
/// `speex`): they play through another device and change the sound, so
/// they are not devices to choose.
fn is_converter(name: &str) -> bool {
    let base = name.split([':', '_']).next().unwrap_or(name);
    matches!(
        base,
        "lavrate" | "lavcrate" | "samplerate" | "speexrate" | "speex" | "upmix" | "vdownmix"
    )
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
        crate::exit::print(b"no ALSA playback devices found\n")?;
        return Ok(crate::exit::code::OK);
    }
    let width = devices
        .iter()
        .map(|d| d.name.len())
        .max()
        .unwrap_or(0)
        .min(40);
    let mut text = String::new();
    for d in &devices {
        if d.description.is_empty() {
            text.push_str(&d.name);
        } else {
            text.push_str(&format!("{:width$}  {}", d.name, d.description));
        }
        text.push('\n');
    }
    crate::exit::print(text.as_bytes())?;
    Ok(crate::exit::code::OK)
}

#[cfg(test)]
mod tests {
    use super::is_converter;

    #[test]
    fn converters_are_not_devices() {
        for name in [
            "lavrate",
            "samplerate_best",
            "speexrate_medium",
            "speex",
            "upmix",
            "vdownmix",
        ] {
            assert!(is_converter(name), "{name}");
        }
        for name in [
            "default",
            "null",
            "pulse",
            "jack",
            "hw:CARD=PCH,DEV=0",
            "plughw:1,0",
        ] {
            assert!(!is_converter(name), "{name}");
        }
    }
}
