//! Access to the real-world MIDI corpus in `../shared/corpus` (files written
//! by other people, with a manifest of what `mido` and `midly` make of each).
//!
//! The corpus is found at `$SMFPLAY_CORPUS`, else `<repo>/../shared/corpus`.
//! When it is missing the corpus tests skip with a message, unless
//! `SMFPLAY_REQUIRE_CORPUS=1` (set by `.ci/run`), which makes that a failure.

use std::collections::HashMap;
use std::path::PathBuf;

/// One row of `MANIFEST.tsv`, as column name → value.
#[derive(Debug, Clone)]
pub struct ManifestRow {
    /// Column values by header name.
    pub fields: HashMap<String, String>,
    /// Absolute path of the file.
    pub file: PathBuf,
}

impl ManifestRow {
    /// A column's value ("" when absent).
    pub fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", String::as_str)
    }

    /// A numeric column, when it parses.
    pub fn number(&self, column: &str) -> Option<u64> {
        self.get(column).parse().ok()
    }
}

/// The corpus directory, or `None` when it is absent and not required.
///
/// # Panics
/// When the corpus is absent and `SMFPLAY_REQUIRE_CORPUS=1`.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SMFPLAY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    if dir.join("MANIFEST.tsv").is_file() {
        return Some(dir);
    }
    let required = std::env::var("SMFPLAY_REQUIRE_CORPUS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "corpus not found at {} (SMFPLAY_REQUIRE_CORPUS=1)",
        dir.display()
    );
    eprintln!(
        "corpus not found at {}: corpus tests skipped",
        dir.display()
    );
    None
}

/// All manifest rows (the manifest is tab-separated, unquoted, header first).
pub fn manifest(dir: &std::path::Path) -> Vec<ManifestRow> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("manifest header").split('\t').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let fields: HashMap<String, String> = header
                .iter()
                .zip(line.split('\t'))
                .map(|(k, v)| ((*k).to_owned(), v.to_owned()))
                .collect();
            let file = dir.join(fields.get("path").map_or("", String::as_str));
            ManifestRow { fields, file }
        })
        .collect()
}
