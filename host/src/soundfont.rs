//! Finding the SoundFont to play with: `--soundfont`, then
//! `$SMFPLAY_SOUNDFONT`, then the configuration file's, then the usual
//! system paths; and saying where the chosen path came from.
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

/// Where the chosen SoundFont's path came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// `--soundfont`.
    CommandLine,
    /// `$SMFPLAY_SOUNDFONT`.
    Environment,
    /// A configuration file's `soundfont =` at this file and line.
    ConfigFile(crate::config::Origin),
    /// The first of [`SYSTEM_PATHS`] that exists.
    SystemPath,
}

/// The SoundFont chosen and why.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The file.
    pub path: PathBuf,
    /// Where its path came from.
    pub why: Why,
}

impl Choice {
    /// `e`, an error loading [`Choice::path`], told with where the path
    /// came from: `$SMFPLAY_SOUNDFONT`, or the configuration file and line.
    pub fn explain(&self, mut e: HostError) -> HostError {
        match &self.why {
            Why::Environment => e.message = format!("{} (the path is from ${ENV_VAR})", e.message),
            Why::ConfigFile(origin) => {
                e.message = format!("soundfont: {}: {}", e.subject, e.message);
                e.subject = origin.to_string();
            }
            Why::CommandLine | Why::SystemPath => {}
        }
        e
    }

    /// One line for `--verbose`: the file and why it was chosen.
    pub fn describe(&self) -> String {
        let why = match &self.why {
            Why::CommandLine => "given by --soundfont".to_string(),
            Why::Environment => format!("from ${ENV_VAR}"),
            Why::ConfigFile(origin) => format!("set in {origin}"),
            Why::SystemPath => "the first system path that exists".to_string(),
        };
        format!("SoundFont {} ({why})", self.path.display())
    }
}

/// The SoundFont the synth options ask for, and why (see [`find`]).
pub fn choose(synth: &crate::cli::SynthArgs) -> Result<Choice, HostError> {
    let env_set = std::env::var_os(ENV_VAR).is_some_and(|v| !v.is_empty());
    let why = match (&synth.soundfont, &synth.soundfont_origin) {
        (Some(_), Some(origin)) => Why::ConfigFile(origin.clone()),
        (Some(_), None) => Why::CommandLine,
        (None, _) if env_set => Why::Environment,
        (None, _) => Why::SystemPath,
    };
    let choice = Choice {
        path: find(synth.soundfont.as_deref())?,
        why,
    };
    crate::verbose::say(1, &choice.describe());
    Ok(choice)
}

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
