//! `host play`'s playlist: the files and directories given → the files to
//! play, in order. A directory gives its `.mid`, `.midi`, `.kar` and `.rmi`
//! files and, unless `--no-recursive`, those of its subdirectories (hidden
//! ones, whose names begin with `.`, left out), in natural order: names
//! compared with their digits as numbers (`track2` before `track10`),
//! letters without regard to case, each directory's files and
//! subdirectories together by name. Standard input (`-`) may be given
//! once.
//!
//! The order they play in is [`PlayOrder`] (`--shuffle`).
//!
//! *Real-time*: control thread only (walks directories before playing).

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use crate::exit::{HostError, Kind, describe_io};

/// The files to play, and what could not be read on the way (a
/// subdirectory without permission, a symbolic link loop), skipped.
#[derive(Debug, Default)]
pub struct Playlist {
    /// The files, in playing order.
    pub files: Vec<PathBuf>,
    /// What was skipped, one problem each.
    pub skipped: Vec<HostError>,
}

/// Expands the command line's items. Errors: standard input given twice
/// (exit 2: it can be read only once), a directory that cannot be read or
/// holds no MIDI file (exit 3).
pub fn expand(items: &[PathBuf], recursive: bool) -> Result<Playlist, HostError> {
    if items.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(HostError::new(
            Kind::Usage,
            "standard input",
            "given more than once: it can be read only once (give `-` once)",
        ));
    }
    let mut list = Playlist::default();
    for item in items {
        if item.as_os_str() != "-" && item.is_dir() {
            let found = walk(item, recursive, &mut list.skipped)?;
            if found.is_empty() {
                return Err(HostError::file(
                    Kind::Input,
                    item,
                    if recursive {
                        "no .mid, .midi, .kar or .rmi files in this directory or below"
                    } else {
                        "no .mid, .midi, .kar or .rmi files in this directory"
                    },
                ));
            }
            list.files.extend(found);
        } else {
            list.files.push(item.clone());
        }
    }
    Ok(list)
}

/// The MIDI files in `dir` (and below when `recursive`), in natural order.
fn walk(
    dir: &Path,
    recursive: bool,
    skipped: &mut Vec<HostError>,
) -> Result<Vec<PathBuf>, HostError> {
    // The directory itself must be readable: a clear error, not a skip.
    std::fs::read_dir(dir).map_err(|e| HostError::file(Kind::Input, dir, describe_io(&e)))?;
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(if recursive { usize::MAX } else { 1 })
        .follow_links(true)
        .sort_by(|a, b| {
            natural_order(
                &a.file_name().to_string_lossy(),
                &b.file_name().to_string_lossy(),
            )
        });
    let mut files = Vec::new();
    let entries = walker.into_iter().filter_entry(|e| {
        !(e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('.'))
    });
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_file() && is_midi_name(e.path()) => {
                files.push(e.into_path());
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let why = if e.loop_ancestor().is_some() {
                    "a symbolic link back to a directory above it (skipped)".to_string()
                } else {
                    match e.io_error() {
                        Some(io) => format!("cannot read: {} (skipped)", describe_io(io)),
                        None => "cannot read (skipped)".to_string(),
                    }
                };
                skipped.push(HostError::file(Kind::Input, &path, why));
            }
        }
    }
    Ok(files)
}

/// Whether a file name has a MIDI file's extension.
pub fn is_midi_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "mid" | "midi" | "kar" | "rmi"))
}

/// Natural order: runs of digits compare as numbers (`2` < `10`), the
/// rest without regard to case; names equal that way (`Track2`,
/// `track02`) are ordered by their exact text.
pub fn natural_order(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.is_empty(), y.is_empty()) {
            (true, true) => return a.cmp(b),
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let digits_x = x.starts_with(|c: char| c.is_ascii_digit());
        let digits_y = y.starts_with(|c: char| c.is_ascii_digit());
        let (run_x, rest_x) = split_run(x, digits_x);
        let (run_y, rest_y) = split_run(y, digits_y);
        let order = match (digits_x, digits_y) {
            (true, true) => {
                let (vx, vy) = (run_x.trim_start_matches('0'), run_y.trim_start_matches('0'));
                vx.len().cmp(&vy.len()).then_with(|| vx.cmp(vy))
            }
            _ => {
                let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
                lower(run_x).cmp(&lower(run_y))
            }
        };
        if order != Ordering::Equal {
            return order;
        }
        (x, y) = (rest_x, rest_y);
    }
}

/// The leading run of digits (or of non-digits) of `s`, and the rest.
fn split_run(s: &str, digits: bool) -> (&str, &str) {
    let end = s
        .find(|c: char| c.is_ascii_digit() != digits)
        .unwrap_or(s.len());
    s.split_at(end)
}

/// The order a playlist of `len` files is played in: as given, or
/// shuffled anew for each round (`--shuffle`, with `--loop` each round).
pub struct PlayOrder {
    order: Vec<usize>,
    /// Seeded by `fastrand` from the process's random state.
    shuffle: Option<fastrand::Rng>,
}

impl PlayOrder {
    /// The order of `len` files, shuffled or not.
    pub fn new(len: usize, shuffle: bool) -> Self {
        Self {
            order: (0..len).collect(),
            shuffle: shuffle.then(fastrand::Rng::new),
        }
    }

    /// The order of the next round.
    pub fn next_round(&mut self) -> &[usize] {
        if let Some(rng) = &mut self.shuffle {
            rng.shuffle(&mut self.order);
        }
        &self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory for one test, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str, files: &[&str]) -> Self {
            let dir = std::env::temp_dir().join(format!("smfplay-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for f in files {
                let p = dir.join(f);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, b"MThd").unwrap();
            }
            Self(dir)
        }

        fn names(&self, list: &Playlist) -> Vec<String> {
            list.files
                .iter()
                .map(|p| {
                    p.strip_prefix(&self.0)
                        .unwrap_or(p)
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn directories_give_their_midi_files_in_natural_order() {
        let d = Scratch::new(
            "playlist-flat",
            &[
                "b.mid",
                "a.KAR",
                "c.txt",
                "d.rmi",
                "e.midi",
                "track10.mid",
                "track2.mid",
            ],
        );
        let list = expand(&[d.0.clone(), PathBuf::from("x.mid")], true).unwrap();
        assert_eq!(
            d.names(&list),
            [
                "a.KAR",
                "b.mid",
                "d.rmi",
                "e.midi",
                "track2.mid",
                "track10.mid",
                "x.mid"
            ]
        );
    }

    #[test]
    fn subdirectories_unless_turned_off() {
        let d = Scratch::new(
            "playlist-tree",
            &[
                "Artist 10/song.mid",
                "Artist 2/b.mid",
                "Artist 2/CD1/a.mid",
                "top.mid",
                ".hidden/no.mid",
                "notes.txt",
            ],
        );
        let list = expand(std::slice::from_ref(&d.0), true).unwrap();
        assert_eq!(
            d.names(&list),
            [
                "Artist 2/b.mid",
                "Artist 2/CD1/a.mid",
                "Artist 10/song.mid",
                "top.mid"
            ]
        );
        let list = expand(std::slice::from_ref(&d.0), false).unwrap();
        assert_eq!(d.names(&list), ["top.mid"]);
        let only_below = Scratch::new("playlist-below", &["Game/level1.mid"]);
        let e = expand(std::slice::from_ref(&only_below.0), false).unwrap_err();
        assert!(e.message.contains("no .mid"), "{e}");
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn a_link_loop_is_skipped_not_followed_forever() {
        let d = Scratch::new("playlist-loop", &["a/song.mid"]);
        std::os::unix::fs::symlink(&d.0, d.0.join("a/back")).unwrap();
        let list = expand(std::slice::from_ref(&d.0), true).unwrap();
        assert_eq!(d.names(&list), ["a/song.mid"]);
        assert_eq!(list.skipped.len(), 1, "{:?}", list.skipped);
        assert!(list.skipped[0].message.contains("symbolic link"));
    }

    #[test]
    fn standard_input_only_once() {
        let e = expand(&[PathBuf::from("-"), PathBuf::from("-")], true).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string()
                .starts_with("standard input: given more than once"),
            "{e}"
        );
        assert_eq!(expand(&[PathBuf::from("-")], true).unwrap().files.len(), 1);
    }

    #[test]
    fn natural_order_reads_numbers_as_numbers() {
        let mut names = vec![
            "track10.mid",
            "Track2.mid",
            "track1.mid",
            "track02.mid",
            "b.mid",
            "A.mid",
            "track2b.mid",
            "track 9.mid",
        ];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            names,
            [
                "A.mid",
                "b.mid",
                "track1.mid",
                "Track2.mid",
                "track02.mid",
                "track2b.mid",
                "track10.mid",
                "track 9.mid",
            ]
        );
        assert_eq!(
            natural_order("x99999999999999999999999", "x100000000000000000000000"),
            Ordering::Less
        );
    }
}
