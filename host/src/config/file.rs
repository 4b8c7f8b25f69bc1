//! One configuration file read with `toml` + `serde`: the whole TOML
//! language into [`FileSettings`] (`deny_unknown_fields`), then every value
//! range-checked into [`Layer`]s, one error line naming the file, the line
//! and the key.
//!
//! *Real-time*: start-up only.

use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{ConfigError, Layer, Origin, Setting};
use crate::cli;

/// Every key a table may hold (listed in the unknown-key error).
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
    "mute",
    "solo",
];

/// The tables that override the top-level keys for one command.
pub const TABLES: &[&str] = &["play", "render"];

/// The keys of the top level, of `[play]` and of `[render]`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileSettings {
    soundfont: Option<Spanned<String>>,
    device: Option<Spanned<String>>,
    rate: Option<Spanned<i64>>,
    period: Option<Spanned<i64>>,
    periods: Option<Spanned<i64>>,
    gain: Option<Spanned<f64>>,
    reverb: Option<Spanned<bool>>,
    chorus: Option<Spanned<bool>>,
    polyphony: Option<Spanned<i64>>,
    lazy_samples: Option<Spanned<bool>>,
    mute: Option<Spanned<Vec<i64>>>,
    solo: Option<Spanned<Vec<i64>>>,
    /// `[play]`: only at the top level.
    play: Option<Spanned<Box<FileSettings>>>,
    /// `[render]`: only at the top level.
    render: Option<Spanned<Box<FileSettings>>>,
}

/// A file's settings: the top level and the two command tables.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileLayers {
    /// Keys outside any table (both commands).
    pub top: Layer,
    /// `[play]`.
    pub play: Layer,
    /// `[render]`.
    pub render: Layer,
}

/// Reads the text of the file at `path` (for error lines) into its layers.
pub fn parse(path: &Path, text: &str) -> Result<FileLayers, ConfigError> {
    let lines = LineIndex::new(text);
    let file: FileSettings =
        toml::from_str(text).map_err(|e| toml_error(path, text, &lines, &e))?;
    let check = Checker {
        path,
        lines: &lines,
    };
    let mut out = FileLayers {
        top: check.layer(&file, "")?,
        ..FileLayers::default()
    };
    for (name, table, slot) in [
        ("play", &file.play, &mut out.play),
        ("render", &file.render, &mut out.render),
    ] {
        if let Some(t) = table {
            if let Some(inner) = t.get_ref().play.as_ref().or(t.get_ref().render.as_ref()) {
                return Err(check.error(
                    inner.span(),
                    format!("{name}: tables go at the top level only (not inside [{name}])"),
                ));
            }
            *slot = check.layer(t.get_ref(), &format!("{name}."))?;
        }
    }
    Ok(out)
}

/// Byte offsets of line starts, to turn spans into 1-based lines.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts)
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset).max(1)
    }
}

/// Range-checks one table's values.
struct Checker<'a> {
    path: &'a Path,
    lines: &'a LineIndex,
}

impl Checker<'_> {
    fn origin(&self, span: Range<usize>) -> Origin {
        Origin {
            path: self.path.to_path_buf(),
            line: self.lines.line(span.start),
        }
    }

    fn error(&self, span: Range<usize>, message: String) -> ConfigError {
        ConfigError {
            path: self.path.to_path_buf(),
            line: Some(self.lines.line(span.start)),
            message,
        }
    }

    fn int(
        &self,
        v: &Option<Spanned<i64>>,
        key: &str,
        range: RangeInclusive<i64>,
    ) -> Result<Option<Setting<u32>>, ConfigError> {
        let Some(v) = v else { return Ok(None) };
        let n = *v.get_ref();
        if !range.contains(&n) {
            return Err(self.error(
                v.span(),
                format!("{key}: {n} is outside {}–{}", range.start(), range.end()),
            ));
        }
        Ok(Some(Setting {
            value: n as u32,
            origin: self.origin(v.span()),
        }))
    }

    fn boolean(&self, v: &Option<Spanned<bool>>) -> Option<Setting<bool>> {
        v.as_ref().map(|v| Setting {
            value: *v.get_ref(),
            origin: self.origin(v.span()),
        })
    }

    fn string(
        &self,
        v: &Option<Spanned<String>>,
        key: &str,
    ) -> Result<Option<Setting<String>>, ConfigError> {
        let Some(v) = v else { return Ok(None) };
        if v.get_ref().is_empty() {
            return Err(self.error(v.span(), format!("{key}: the string is empty")));
        }
        Ok(Some(Setting {
            value: v.get_ref().clone(),
            origin: self.origin(v.span()),
        }))
    }

    fn channels(
        &self,
        v: &Option<Spanned<Vec<i64>>>,
        key: &str,
    ) -> Result<Option<Setting<Vec<u8>>>, ConfigError> {
        let Some(v) = v else { return Ok(None) };
        let mut out = Vec::new();
        for &c in v.get_ref() {
            if !(1..=16).contains(&c) {
                return Err(self.error(v.span(), format!("{key}: channel {c} is outside 1–16")));
            }
            out.push(c as u8);
        }
        Ok(Some(Setting {
            value: out,
            origin: self.origin(v.span()),
        }))
    }

    /// One table's keys, checked; `prefix` is `""`, `"play."` or `"render."`.
    fn layer(&self, f: &FileSettings, prefix: &str) -> Result<Layer, ConfigError> {
        let k = |key: &str| format!("{prefix}{key}");
        let gain = match &f.gain {
            Some(g) if !cli::GAINS.contains(g.get_ref()) => {
                return Err(self.error(
                    g.span(),
                    format!(
                        "{}: {} is outside {}–{}",
                        k("gain"),
                        g.get_ref(),
                        cli::GAINS.start(),
                        cli::GAINS.end()
                    ),
                ));
            }
            Some(g) => Some(Setting {
                value: *g.get_ref() as f32,
                origin: self.origin(g.span()),
            }),
            None => None,
        };
        let soundfont = self
            .string(&f.soundfont, &k("soundfont"))?
            .map(|s| Setting {
                value: expand_home(&s.value),
                origin: s.origin,
            });
        Ok(Layer {
            soundfont,
            device: self.string(&f.device, &k("device"))?,
            rate: self.int(&f.rate, &k("rate"), cli::RATES)?,
            period: self.int(&f.period, &k("period"), cli::PLAY_PERIODS)?,
            periods: self.int(&f.periods, &k("periods"), cli::PERIOD_COUNTS)?,
            polyphony: self.int(&f.polyphony, &k("polyphony"), cli::POLYPHONY)?,
            gain,
            reverb: self.boolean(&f.reverb),
            chorus: self.boolean(&f.chorus),
            lazy_samples: self.boolean(&f.lazy_samples),
            mute: self.channels(&f.mute, &k("mute"))?,
            solo: self.channels(&f.solo, &k("solo"))?,
        })
    }
}

/// `~/x` → `$HOME/x` (what people write for a SoundFont in their home).
fn expand_home(s: &str) -> PathBuf {
    match (s.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(s),
    }
}

/// A `toml`/`serde` error as one line: the line, the key and what is wrong,
/// with a "did you mean" for an unknown key.
fn toml_error(path: &Path, text: &str, lines: &LineIndex, e: &toml::de::Error) -> ConfigError {
    let line = e.span().map(|s| lines.line(s.start));
    let message = e.message().trim().replace('\n', " ");
    let message = if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let known = if TABLES.iter().any(|t| line_table(text, line) == Some(*t)) {
            KEYS.to_vec()
        } else {
            KEYS.iter().chain(TABLES).copied().collect()
        };
        let hint = known
            .iter()
            .filter(|k| k.replace('-', "_") == key || strsim::levenshtein(k, key) <= 2)
            .min_by_key(|k| strsim::levenshtein(k, key))
            .map(|k| format!(" (did you mean '{k}'?)"))
            .unwrap_or_default();
        format!(
            "unknown key '{key}'{hint}; the keys are {}",
            known.join(", ")
        )
    } else {
        let readable = message
            .replace("expected i64", "expected an integer")
            .replace("expected f64", "expected a number")
            .replace("expected a sequence", "expected an array such as [10]");
        match line.and_then(|n| line_key(text, n)) {
            Some(key) => format!("{key}: {readable}"),
            None => readable,
        }
    };
    ConfigError {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// The key written on 1-based line `n` (`key = …`), with its table.
fn line_key(text: &str, n: usize) -> Option<String> {
    let (key, _) = text.lines().nth(n - 1)?.split_once('=')?;
    let key = key.trim().trim_matches(['"', '\'']);
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    Some(match line_table(text, Some(n)) {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

/// The `[table]` header above 1-based line `n`, if any.
fn line_table(text: &str, n: Option<usize>) -> Option<&str> {
    let n = n?;
    let lines: Vec<&str> = text.lines().take(n).collect();
    lines
        .into_iter()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(['[', ']', ' ']))
        .filter(|t| TABLES.contains(t))
}
