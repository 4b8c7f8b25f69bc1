//! The configuration file: defaults for `play` and `render` that a user
//! sets once (SoundFont, device, rate, period…).
//!
//! # Where
//!
//! `--config FILE`, else `$XDG_CONFIG_HOME/smfplay/config.toml`, else
//! `~/.config/smfplay/config.toml`; `--no-config` reads none. A missing
//! default file is fine; a missing `--config FILE` is an error.
//!
//! # Format
//!
//! The subset of TOML a settings file needs, parsed here (no dependency):
//! one `key = value` per line, `#` comments, blank lines; values are
//! `"basic strings"` (escapes `\"`, `\\`, `\n`, `\t`, `\uXXXX`),
//! `'literal strings'`, integers, decimals and `true`/`false`. Tables,
//! arrays and multi-line strings are not used and are refused. Every key
//! is known ([`KEYS`]); an unknown key, a repeated key, a value of the
//! wrong type or out of range is an error naming the file, the line and
//! the key (exit 2).
//!
//! # Precedence
//!
//! Command line > environment (`SMFPLAY_SOUNDFONT`) > this file > built-in
//! defaults. [`apply_play`] and [`apply_render`] fill only the options the
//! command line did not give (clap's `ValueSource`).
//!
//! *Real-time*: start-up only.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;

use std::ops::RangeInclusive;

use crate::cli::{self, PlayArgs, RenderArgs, SynthArgs};

/// Every key the file may hold (listed in the unknown-key error).
pub const KEYS: &[&str] = &[
    "soundfont",
    "device",
    "rate",
    "period",
    "periods",
    "gain",
    "reverb",
    "chorus",
    "polyphony",
    "lazy-samples",
];

/// The defaults read from a configuration file. `None`: not set there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `soundfont = "/path/to/file.sf2"`.
    pub soundfont: Option<PathBuf>,
    /// `device = "hw:1,0"` (play).
    pub device: Option<String>,
    /// `rate = 44100`.
    pub rate: Option<u32>,
    /// `period = 512` (play's ALSA period).
    pub period: Option<u32>,
    /// `periods = 3` (play).
    pub periods: Option<u32>,
    /// `gain = 0.5`.
    pub gain: Option<f32>,
    /// `reverb = false`.
    pub reverb: Option<bool>,
    /// `chorus = false`.
    pub chorus: Option<bool>,
    /// `polyphony = 128`.
    pub polyphony: Option<u32>,
    /// `lazy-samples = true`.
    pub lazy_samples: Option<bool>,
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

/// The default file: `$XDG_CONFIG_HOME/smfplay/config.toml`, else
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

/// Loads the configuration: `explicit` (which must exist), else the
/// default file if it exists, else nothing; `disabled` (`--no-config`)
/// reads none.
pub fn load(explicit: Option<&Path>, disabled: bool) -> Result<Config, ConfigError> {
    if disabled {
        return Ok(Config::default());
    }
    let (path, must_exist) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path() {
            Some(p) => (p, false),
            None => return Ok(Config::default()),
        },
    };
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| ConfigError {
            path: path.clone(),
            line: None,
            message: "not a text file (not UTF-8)".into(),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
            return Ok(Config::default());
        }
        Err(e) => {
            return Err(ConfigError {
                path,
                line: None,
                message: format!(
                    "cannot read the configuration file: {}",
                    crate::exit::describe_io(&e)
                ),
            });
        }
    };
    parse(&text).map_err(|(line, message)| ConfigError {
        path,
        line: Some(line),
        message,
    })
}

/// A value as written in the file.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "true or false",
        }
    }
}

/// Parses the file's text; an error is (line, message).
fn parse(text: &str) -> Result<Config, (usize, String)> {
    let mut c = Config::default();
    let mut seen: Vec<&str> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            return Err((
                n,
                format!("sections such as {line} are not used: write the keys at the top level"),
            ));
        }
        let Some((key, rest)) = line.split_once('=') else {
            return Err((n, format!("expected `key = value`, found {line:?}")));
        };
        let key = key.trim();
        let key = key
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .unwrap_or(key);
        if key.is_empty() {
            return Err((n, "a key is missing before `=`".into()));
        }
        let Some(&known) = KEYS.iter().find(|k| **k == key) else {
            let hint = KEYS
                .iter()
                .find(|k| k.replace('-', "_") == key || similar(k, key))
                .map(|k| format!(" (did you mean '{k}'?)"))
                .unwrap_or_default();
            return Err((
                n,
                format!(
                    "unknown key '{key}'{hint}; the keys are {}",
                    KEYS.join(", ")
                ),
            ));
        };
        if seen.contains(&known) {
            return Err((n, format!("'{known}' is set twice")));
        }
        seen.push(known);
        let value = parse_value(rest.trim()).map_err(|m| (n, format!("{known}: {m}")))?;
        set(&mut c, known, value).map_err(|m| (n, format!("{known}: {m}")))?;
    }
    Ok(c)
}

/// Whether `a` and `b` differ by one edit at most (a typo).
fn similar(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

/// A value and an optional trailing comment.
fn parse_value(s: &str) -> Result<Value, String> {
    let (value, rest) = if let Some(body) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.char_indices();
        let end = loop {
            let Some((i, ch)) = chars.next() else {
                return Err("the string has no closing \"".into());
            };
            match ch {
                '"' => break i + 1,
                '\\' => match chars.next().map(|(_, e)| e) {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('u') => {
                        let hex: String =
                            (0..4).filter_map(|_| chars.next().map(|c| c.1)).collect();
                        let c = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("bad escape \\u{hex}"))?;
                        out.push(c);
                    }
                    Some(e) => return Err(format!("unknown escape \\{e} in a string")),
                    None => return Err("the string has no closing \"".into()),
                },
                c => out.push(c),
            }
        };
        (Value::Str(out), &body[end..])
    } else if let Some(body) = s.strip_prefix('\'') {
        let end = body
            .find('\'')
            .ok_or_else(|| "the string has no closing '".to_string())?;
        (Value::Str(body[..end].to_string()), &body[end + 1..])
    } else {
        let (word, rest) = s.split_at(s.find(['#', ' ', '\t']).unwrap_or(s.len()));
        let value = match word {
            "" => return Err("the value is missing after `=`".into()),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            w => {
                let digits = w.replace('_', "");
                if let Ok(i) = digits.parse::<i64>() {
                    Value::Int(i)
                } else if let Ok(f) = digits.parse::<f64>()
                    && f.is_finite()
                    && digits.bytes().any(|b| b.is_ascii_digit())
                {
                    Value::Float(f)
                } else if w.starts_with('[') || w.starts_with('{') {
                    return Err("arrays and tables are not used here".into());
                } else if w.eq_ignore_ascii_case("true") || w.eq_ignore_ascii_case("false") {
                    return Err(format!("write {} in lower case", w.to_ascii_lowercase()));
                } else {
                    return Err(format!(
                        "{w:?} is not a value (write strings in quotes: \"{w}\")"
                    ));
                }
            }
        };
        (value, rest)
    };
    let rest = rest.trim_start();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return Err(format!("unexpected {rest:?} after the value"));
    }
    Ok(value)
}

fn int_in(v: &Value, range: RangeInclusive<i64>) -> Result<u32, String> {
    match v {
        Value::Int(i) if range.contains(i) => Ok(*i as u32),
        Value::Int(i) => Err(format!("{i} is outside {}–{}", range.start(), range.end())),
        other => Err(format!("expected an integer, found {}", other.kind())),
    }
}

fn boolean(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(format!("expected true or false, found {}", other.kind())),
    }
}

fn string(v: Value) -> Result<String, String> {
    match v {
        Value::Str(s) if !s.is_empty() => Ok(s),
        Value::Str(_) => Err("the string is empty".into()),
        other => Err(format!(
            "expected a string in quotes, found {}",
            other.kind()
        )),
    }
}

/// Stores one checked value. Ranges are the command line's.
fn set(c: &mut Config, key: &str, v: Value) -> Result<(), String> {
    match key {
        "soundfont" => c.soundfont = Some(expand_home(&string(v)?)),
        "device" => c.device = Some(string(v)?),
        "rate" => c.rate = Some(int_in(&v, cli::RATES)?),
        "period" => c.period = Some(int_in(&v, cli::PLAY_PERIODS)?),
        "periods" => c.periods = Some(int_in(&v, cli::PERIOD_COUNTS)?),
        "polyphony" => c.polyphony = Some(int_in(&v, cli::POLYPHONY)?),
        "gain" => {
            let g = match v {
                Value::Int(i) => i as f64,
                Value::Float(f) => f,
                other => return Err(format!("expected a number, found {}", other.kind())),
            };
            if !cli::GAINS.contains(&g) {
                return Err(format!(
                    "{g} is outside {}–{}",
                    cli::GAINS.start(),
                    cli::GAINS.end()
                ));
            }
            c.gain = Some(g as f32);
        }
        "reverb" => c.reverb = Some(boolean(&v)?),
        "chorus" => c.chorus = Some(boolean(&v)?),
        "lazy-samples" => c.lazy_samples = Some(boolean(&v)?),
        _ => return Err("unknown key".into()),
    }
    Ok(())
}

/// `~/x` → `$HOME/x` (what people write for a SoundFont in their home).
fn expand_home(s: &str) -> PathBuf {
    match (s.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(s),
    }
}

/// Whether the command line gave `id` itself.
fn given(m: &ArgMatches, id: &str) -> bool {
    m.value_source(id) == Some(ValueSource::CommandLine)
}

fn apply_synth(c: &Config, m: &ArgMatches, s: &mut SynthArgs) {
    // The environment's SoundFont comes before the file's.
    let env_soundfont = std::env::var_os(crate::soundfont::ENV_VAR).is_some_and(|v| !v.is_empty());
    if let Some(sf) = &c.soundfont
        && !given(m, "soundfont")
        && !env_soundfont
    {
        s.soundfont = Some(sf.clone());
    }
    if let Some(r) = c.rate
        && !given(m, "rate")
    {
        s.rate = r;
    }
    if let Some(g) = c.gain
        && !given(m, "gain")
    {
        s.gain = g;
    }
    if let Some(p) = c.polyphony
        && !given(m, "polyphony")
    {
        s.polyphony = Some(p);
    }
    // The flags only turn things off or on; the file sets the default.
    if c.reverb == Some(false) {
        s.no_reverb = true;
    }
    if c.chorus == Some(false) {
        s.no_chorus = true;
    }
    if c.lazy_samples == Some(true) {
        s.lazy_samples = true;
    }
}

/// Fills `play`'s options the command line left to their defaults.
pub fn apply_play(c: &Config, m: &ArgMatches, a: &mut PlayArgs) {
    apply_synth(c, m, &mut a.synth);
    if let Some(d) = &c.device
        && !given(m, "device")
    {
        a.device = d.clone();
    }
    if let Some(p) = c.period
        && !given(m, "period")
    {
        a.period = p;
    }
    if let Some(p) = c.periods
        && !given(m, "periods")
    {
        a.periods = p;
    }
    // A period chosen by the user (here or in the file) must be met by the
    // device; the built-in one adapts to what the device offers.
    a.period_chosen = given(m, "period") || c.period.is_some();
}

/// Fills `render`'s options the command line left to their defaults
/// (`device`, `period` and `periods` are play's).
pub fn apply_render(c: &Config, m: &ArgMatches, a: &mut RenderArgs) {
    apply_synth(c, m, &mut a.synth);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_key_with_comments() {
        let c = parse(
            "# smfplay\n\
             soundfont = \"/usr/share/sounds/sf2/FluidR3_GM.sf2\"  # the big one\n\
             device = 'hw:1,0'\n\
             \n\
             rate = 44_100\n\
             period = 512\n\
             periods = 3\n\
             gain = 0.6\n\
             reverb = false\n\
             chorus = true\n\
             polyphony = 128\n\
             lazy-samples = true\n",
        )
        .unwrap();
        assert_eq!(
            c.soundfont.as_deref(),
            Some(Path::new("/usr/share/sounds/sf2/FluidR3_GM.sf2"))
        );
        assert_eq!(c.device.as_deref(), Some("hw:1,0"));
        assert_eq!(
            (c.rate, c.period, c.periods, c.polyphony),
            (Some(44_100), Some(512), Some(3), Some(128))
        );
        assert_eq!(c.gain, Some(0.6));
        assert_eq!(
            (c.reverb, c.chorus, c.lazy_samples),
            (Some(false), Some(true), Some(true))
        );
    }

    #[test]
    fn strings_with_escapes_and_integer_gain() {
        let c = parse("device = \"a\\\"b\\\\c\\u00e9\"\ngain = 1\n").unwrap();
        assert_eq!(c.device.as_deref(), Some("a\"b\\cé"));
        assert_eq!(c.gain, Some(1.0));
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let cases: &[(&str, usize, &str)] = &[
            (
                "rate = 48000\nsondfont = \"x\"\n",
                2,
                "unknown key 'sondfont' (did you mean 'soundfont'?)",
            ),
            ("lazy_samples = true\n", 1, "did you mean 'lazy-samples'"),
            ("\n\nrate = 8000\n", 3, "rate: 8000 is outside 22050–96000"),
            (
                "rate = \"fast\"\n",
                1,
                "rate: expected an integer, found a string",
            ),
            ("gain = 11\n", 1, "gain: 11 is outside 0–10"),
            ("reverb = 0\n", 1, "reverb: expected true or false"),
            ("device = hw:1\n", 1, "not a value (write strings in quotes"),
            ("device = \"hw:1\n", 1, "no closing"),
            ("[play]\n", 1, "sections such as [play] are not used"),
            ("rate 48000\n", 1, "expected `key = value`"),
            ("rate = 48000\nrate = 44100\n", 2, "'rate' is set twice"),
            (
                "period = 512 512\n",
                1,
                "unexpected \"512\" after the value",
            ),
            ("soundfont = \"\"\n", 1, "the string is empty"),
            ("rate =\n", 1, "the value is missing"),
            ("reverb = True\n", 1, "reverb: write true in lower case"),
            ("gain = inf\n", 1, "gain: \"inf\" is not a value"),
            ("device = [\"a\"]\n", 1, "arrays and tables are not used"),
        ];
        for (text, line, want) in cases {
            let (n, msg) = parse(text).expect_err(text);
            assert_eq!(n, *line, "{text:?}: {msg}");
            assert!(msg.contains(want), "{text:?}: {msg}");
        }
    }

    #[test]
    fn byte_order_mark_and_spacing() {
        let c = parse("\u{feff}rate=44100\n   gain   =   0.5   # quiet\n").unwrap();
        assert_eq!((c.rate, c.gain), (Some(44_100), Some(0.5)));
    }

    #[test]
    fn typo_detection() {
        assert!(similar("soundfont", "sondfont"));
        assert!(similar("period", "periot"));
        assert!(similar("rate", "rates"));
        assert!(!similar("rate", "gain"));
        assert!(!similar("device", "dev"));
    }

    #[test]
    fn missing_default_file_is_fine_but_a_named_one_is_not() {
        let missing = std::env::temp_dir().join("smfplay-no-such-config.toml");
        let e = load(Some(&missing), false).unwrap_err();
        assert!(e.to_string().contains("no such file"), "{e}");
        assert_eq!(load(Some(&missing), true).unwrap(), Config::default());
    }
}
