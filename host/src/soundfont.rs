//! Finding the SoundFont to play with: `--soundfont`, then
//! `$SMFPLAY_SOUNDFONT`, then the usual system paths.
//!
//! *Real-time*: start-up only.

use std::path::{Path, PathBuf};

use crate::exit::{HostError, Kind};

/// Where Debian, Raspberry Pi OS, Fedora and Arch put General MIDI SoundFonts,
/// best first.
pub const SYSTEM_PATHS: &[&str] = &[
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/FluidR3_GS.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/sounds/sf2/GeneralUser_GS.sf2",
    "/usr/share/soundfonts/GeneralUser_GS.sf2",
];

/// The environment variable that names a SoundFont.
pub const ENV_VAR: &str = "SMFPLAY_SOUNDFONT";

/// The SoundFont to use: the explicit one (which must exist), else the
/// environment's, else the first system path that exists.
pub fn find(explicit: Option<&Path>) -> Result<PathBuf, HostError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(ENV_VAR).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    SYSTEM_PATHS.iter().map(PathBuf::from).find(|p| p.is_file()).ok_or_else(|| {
        HostError::new(
            Kind::SoundFont,
            "",
            format!(
                "no SoundFont found (looked at --soundfont, ${ENV_VAR}, {}); install one \
                 (Debian/Raspberry Pi OS: sudo apt-get install fluid-soundfont-gm) or pass --soundfont FILE.sf2",
                SYSTEM_PATHS.join(", ")
            ),
        )
    })
}
