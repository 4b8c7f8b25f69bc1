//! The playlist: files and directories on the command line → the files to
//! play, and their order (`--shuffle`).
//!
//! *Real-time*: control thread only.

use std::path::{Path, PathBuf};

use crate::exit::{HostError, Kind};

/// Files and directories → the files to play, in order. Directories give
/// their `.mid`, `.midi`, `.kar` and `.rmi` files, sorted by name.
pub fn expand_playlist(items: &[PathBuf]) -> Result<Vec<PathBuf>, HostError> {
    let mut out = Vec::new();
    for item in items {
        if item.as_os_str() != "-" && item.is_dir() {
            let rd = std::fs::read_dir(item)
                .map_err(|e| HostError::file(Kind::Input, item, crate::exit::describe_io(&e)))?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_midi_name(p))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(HostError::file(
                    Kind::Input,
                    item,
                    "no .mid, .midi, .kar or .rmi files in this directory",
                ));
            }
            out.extend(files);
        } else {
            out.push(item.clone());
        }
    }
    Ok(out)
}

fn is_midi_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "mid" | "midi" | "kar" | "rmi"))
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

    #[test]
    fn playlist_expands_directories_sorted() {
        let dir = std::env::temp_dir().join(format!("smfplay-playlist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["b.mid", "a.KAR", "c.txt", "d.rmi", "e.midi"] {
            std::fs::write(dir.join(name), b"MThd").unwrap();
        }
        let list = expand_playlist(&[dir.clone(), PathBuf::from("x.mid")]).unwrap();
        let names: Vec<_> = list
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.KAR", "b.mid", "d.rmi", "e.midi", "x.mid"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
