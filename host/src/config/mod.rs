//! The configuration: defaults for `play` and `render` that a user or an
//! administrator sets once (SoundFont, device, rate, period, muted
//! channels…), read from TOML files.
//!
//! # Where, in order (later wins)
//!
//! 1. the system file `/etc/smfplay/config.toml` (`$SMFPLAY_SYSTEM_CONFIG`
//!    names another, for packagers and tests);
//! 2. the user's file: `--config FILE`, else
//!    `$XDG_CONFIG_HOME/smfplay/config.toml`, else
//!    `~/.config/smfplay/config.toml`;
//! 3. the environment (`SMFPLAY_SOUNDFONT`);
//! 4. the command line.
//!
//! `--no-config` reads neither file. A missing default file is fine; a
//! missing `--config FILE` is an error for every command (exit 2).
//!
//! # Format
//!
//! TOML ([`file`]): top-level keys for both commands, and `[play]` and
//! `[render]` tables whose keys override them for that command. Unknown
//! keys, values of the wrong type or out of range are one error line naming
//! the file, the line and the key (exit 2).
//!
//! *Real-time*: start-up only.

pub mod file;

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::{PlayArgs, RenderArgs, SynthArgs};
use file::FileLayers;

/// The system-wide file.
pub const SYSTEM_PATH: &str = "/etc/smfplay/config.toml";

/// The variable that names another system file (packagers, tests).
pub const SYSTEM_ENV_VAR: &str = "SMFPLAY_SYSTEM_CONFIG";

/// Where a setting was written: a file and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The configuration file.
    pub path: PathBuf,
    /// The line of the value.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// A checked value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Its file and line.
    pub origin: Origin,
}

/// The settings of one table of one file, or of all files merged. `None`:
/// not set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layer {
    /// `soundfont = "/path/to/file.sf2"` (`~/` expanded).
    pub soundfont: Option<Setting<PathBuf>>,
    /// `device = "hw:1,0"` (play).
    pub device: Option<Setting<String>>,
    /// `rate = 44100`.
    pub rate: Option<Setting<u32>>,
    /// `period = 512` (play's ALSA period).
    pub period: Option<Setting<u32>>,
    /// `periods = 3` (play).
    pub periods: Option<Setting<u32>>,
    /// `gain = 0.5`.
    pub gain: Option<Setting<f32>>,
    /// `reverb = false`.
    pub reverb: Option<Setting<bool>>,
    /// `chorus = false`.
    pub chorus: Option<Setting<bool>>,
    /// `polyphony = 128`.
    pub polyphony: Option<Setting<u32>>,
    /// `lazy-samples = true`.
    pub lazy_samples: Option<Setting<bool>>,
    /// `mute = [10]`.
    pub mute: Option<Setting<Vec<u8>>>,
    /// `solo = [1, 2]`.
    pub solo: Option<Setting<Vec<u8>>>,
}

impl Layer {
    /// `self` with every key `over` sets replaced by `over`'s.
    fn overridden_by(mut self, over: &Layer) -> Layer {
        macro_rules! take {
            ($($f:ident),*) => { $( if over.$f.is_some() { self.$f = over.$f.clone(); } )* };
        }
        take!(
            soundfont,
            device,
            rate,
            period,
            periods,
            gain,
            reverb,
            chorus,
            polyphony,
            lazy_samples,
            mute,
            solo
        );
        self
    }
}

/// The files read, in order (system, then user).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    files: Vec<FileLayers>,
}

/// Which command's table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum For {
    /// `[play]`.
    Play,
    /// `[render]`.
    Render,
}

impl Config {
    /// The settings for one command: each file's top level then its table,
    /// system file first.
    pub fn for_command(&self, command: For) -> Layer {
        self.files.iter().fold(Layer::default(), |acc, f| {
            let table = match command {
                For::Play => &f.play,
                For::Render => &f.render,
            };
            acc.overridden_by(&f.top).overridden_by(table)
        })
    }
}

/// A configuration error: one line naming the file (and line) and what is
/// wrong. Exit code 2, like a bad command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when the error is about one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(n) => write!(f, "{}:{n}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The user's default file: `$XDG_CONFIG_HOME/smfplay/config.toml`, else
/// `$HOME/.config/smfplay/config.toml`; `None` when neither variable is set.
pub fn default_path() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".config"))
    })?;
    Some(base.join("smfplay").join("config.toml"))
}

/// The system file: `$SMFPLAY_SYSTEM_CONFIG`, else [`SYSTEM_PATH`].
pub fn system_path() -> PathBuf {
    std::env::var_os(SYSTEM_ENV_VAR)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(SYSTEM_PATH), PathBuf::from)
}

/// Loads the configuration: the system file if it exists, then `explicit`
/// (which must exist) or the user's default file if it exists;
/// `disabled` (`--no-config`) reads none.
pub fn load(explicit: Option<&Path>, disabled: bool) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    if disabled {
        return Ok(config);
    }
    let user = explicit
        .map(|p| (p.to_path_buf(), true))
        .or_else(|| default_path().map(|p| (p, false)));
    for (path, must_exist) in std::iter::once((system_path(), false)).chain(user) {
        if let Some(layers) = read(&path, must_exist)? {
            config.files.push(layers);
        }
    }
    Ok(config)
}

/// One file's layers; `None` when it is absent and may be.
fn read(path: &Path, must_exist: bool) -> Result<Option<FileLayers>, ConfigError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok(None),
        Err(e) => {
            return Err(ConfigError {
                path: path.to_path_buf(),
                line: None,
                message: format!(
                    "cannot read the configuration file: {}",
                    crate::exit::describe_io(&e)
                ),
            });
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| ConfigError {
        path: path.to_path_buf(),
        line: None,
        message: "not a text file (not UTF-8)".into(),
    })?;
    file::parse(path, &text).map(Some)
}

/// Whether the command line gave `id` itself.
fn given(m: &ArgMatches, id: &str) -> bool {
    m.value_source(id) == Some(ValueSource::CommandLine)
}

/// Sets `slot` from `setting` unless the command line gave `id`.
fn fill<T: Clone, U>(
    m: &ArgMatches,
    id: &str,
    setting: &Option<Setting<T>>,
    slot: &mut U,
    f: impl FnOnce(T) -> U,
) {
    if let Some(s) = setting
        && !given(m, id)
    {
        *slot = f(s.value.clone());
    }
}

fn apply_synth(c: &Layer, m: &ArgMatches, s: &mut SynthArgs) {
    // The environment's SoundFont comes before the file's.
    let env_soundfont = std::env::var_os(crate::soundfont::ENV_VAR).is_some_and(|v| !v.is_empty());
    if let Some(sf) = &c.soundfont
        && !given(m, "soundfont")
        && !env_soundfont
    {
        s.soundfont = Some(sf.value.clone());
        s.soundfont_origin = Some(sf.origin.clone());
    }
    fill(m, "rate", &c.rate, &mut s.rate, |r| r);
    fill(m, "gain", &c.gain, &mut s.gain, |g| g);
    fill(m, "polyphony", &c.polyphony, &mut s.polyphony, Some);
    // The flags only turn things off or on; the file sets the default.
    if c.reverb.as_ref().is_some_and(|r| !r.value) {
        s.no_reverb = true;
    }
    if c.chorus.as_ref().is_some_and(|r| !r.value) {
        s.no_chorus = true;
    }
    if c.lazy_samples.as_ref().is_some_and(|r| r.value) {
        s.lazy_samples = true;
    }
}

fn apply_sequence(c: &Layer, m: &ArgMatches, s: &mut crate::cli::SequenceArgs) {
    fill(m, "mute", &c.mute, &mut s.mute, |v| v);
    fill(m, "solo", &c.solo, &mut s.solo, |v| v);
}

/// Fills `play`'s options the command line left to their defaults.
pub fn apply_play(c: &Config, m: &ArgMatches, a: &mut PlayArgs) {
    let c = c.for_command(For::Play);
    apply_synth(&c, m, &mut a.synth);
    apply_sequence(&c, m, &mut a.sequence);
    fill(m, "device", &c.device, &mut a.device, |d| d);
    fill(m, "period", &c.period, &mut a.period, |p| p);
    fill(m, "periods", &c.periods, &mut a.periods, |p| p);
    // A period chosen by the user (here or in the file) must be met by the
    // device; the built-in one adapts to what the device offers.
    a.period_chosen = given(m, "period") || c.period.is_some();
}

/// Fills `render`'s options the command line left to their defaults
/// (`device`, `period` and `periods` are play's).
pub fn apply_render(c: &Config, m: &ArgMatches, a: &mut RenderArgs) {
    let c = c.for_command(For::Render);
    apply_synth(&c, m, &mut a.synth);
    apply_sequence(&c, m, &mut a.sequence);
}

#[cfg(test)]
mod tests;
