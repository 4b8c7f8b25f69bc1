//! The list a batch `host render` works through: the command line's files
//! and directories and `--files-from`'s lines, sorted, duplicates dropped;
//! each input's output name in `--output-dir`; and `--shard K/N`'s part.
//!
//! # Stability
//!
//! Names and shards are decided on the whole sorted list, so that N runs
//! with `--shard 0/N` … `--shard N-1/N` (on N machines, a Slurm array, a
//! Kubernetes indexed Job) render every file exactly once and never write
//! the same output name: input i of the sorted list goes to part i mod N,
//! and the first of several inputs with the same name (`a/song.mid`,
//! `b/song.mid`) gets `song.wav`, the next `song-2.wav`, and so on.
//!
//! *Real-time*: not real-time (start-up only).

use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::cli::Shard;
use crate::exit::{HostError, Kind, describe_io};

/// One file to render and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The MIDI file.
    pub input: PathBuf,
    /// The output file.
    pub output: PathBuf,
}

/// The command line's inputs and `--files-from`'s lines, directories
/// expanded (their .mid, .midi, .kar and .rmi files, subdirectories
/// included, as for `play`), sorted, without
/// duplicates. A directory that cannot be read or holds no MIDI file is an
/// error of its own, returned beside the list (the batch goes on).
pub fn collect(
    items: &[PathBuf],
    files_from: Option<&Path>,
) -> Result<(Vec<PathBuf>, Vec<HostError>), HostError> {
    let mut all: Vec<PathBuf> = items.to_vec();
    if let Some(list) = files_from {
        all.extend(read_list(list)?);
    }
    let mut files = Vec::with_capacity(all.len());
    let mut errors = Vec::new();
    for item in all {
        if item.as_os_str() != "-" && item.is_dir() {
            // As `play` lists a directory: its MIDI files and those below.
            match crate::play::control::playlist::expand(std::slice::from_ref(&item), true) {
                Ok(found) => {
                    files.extend(found.files);
                    errors.extend(found.skipped);
                }
                Err(e) => errors.push(e),
            }
        } else {
            files.push(item);
        }
    }
    files.sort();
    files.dedup();
    Ok((files, errors))
}

/// The paths in `list`, one a line (`-`: standard input); blank lines are
/// skipped, a trailing `\r` dropped.
fn read_list(list: &Path) -> Result<Vec<PathBuf>, HostError> {
    let fail = |e: std::io::Error| HostError::file(Kind::Input, list, describe_io(&e));
    let reader: Box<dyn BufRead> = if list.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(list).map_err(fail)?,
        ))
    };
    let mut out = Vec::new();
    for line in reader.split(b'\n') {
        let mut line = line.map_err(fail)?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if !line.is_empty() {
            use std::os::unix::ffi::OsStringExt;
            out.push(PathBuf::from(std::ffi::OsString::from_vec(line)));
        }
    }
    Ok(out)
}

/// Each input's output in `dir`: its file stem and `ext`, with `-2`, `-3`,
/// … for the second and later inputs of the same name (in list order).
pub fn plan(files: &[PathBuf], dir: &Path, ext: &str) -> Vec<Planned> {
    let mut taken: HashSet<String> = HashSet::with_capacity(files.len());
    files
        .iter()
        .map(|input| {
            let stem = if input.as_os_str() == "-" {
                "stdin".to_string()
            } else {
                input
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "song".into())
            };
            let mut name = format!("{stem}.{ext}");
            let mut n = 2;
            while !taken.insert(name.to_lowercase()) {
                name = format!("{stem}-{n}.{ext}");
                n += 1;
            }
            Planned {
                input: input.clone(),
                output: dir.join(name),
            }
        })
        .collect()
}

/// Part `shard.index` of `shard.count` of `list`: entries i with
/// i mod count = index.
pub fn shard<T: Clone>(list: &[T], shard: Shard) -> Vec<T> {
    list.iter()
        .enumerate()
        .filter(|(i, _)| *i as u64 % shard.count == shard.index)
        .map(|(_, x)| x.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(names: &[&str]) -> Vec<PathBuf> {
        names.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn shards_are_disjoint_and_cover_the_list() {
        let list: Vec<u32> = (0..103).collect();
        for count in [1u64, 2, 3, 7, 103, 200] {
            let mut seen = vec![0u32; list.len()];
            let mut sizes = vec![];
            for index in 0..count {
                let part = shard(&list, Shard { index, count });
                sizes.push(part.len());
                for x in part {
                    seen[x as usize] += 1;
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "N = {count}: {seen:?}");
            // Balanced: sizes differ by at most one.
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "N = {count}: {sizes:?}");
        }
        // Stable: the same list and N give the same part.
        let a = shard(&list, Shard { index: 2, count: 7 });
        assert_eq!(a, shard(&list, Shard { index: 2, count: 7 }));
        assert_eq!(&a[..3], &[2, 9, 16]);
    }

    #[test]
    fn names_are_unique_and_decided_on_the_whole_list() {
        let files = paths(&[
            "a/song.mid",
            "b/Song.kar",
            "b/song-2.mid",
            "c/song.mid",
            "x.mid",
        ]);
        let planned = plan(&files, Path::new("out"), "wav");
        let names: Vec<String> = planned
            .iter()
            .map(|p| p.output.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "out/song.wav",
                "out/Song-2.wav",
                "out/song-2-2.wav",
                "out/song-3.wav",
                "out/x.wav"
            ]
        );
    }

    #[test]
    fn collect_sorts_dedups_and_reads_lists() {
        let dir = std::env::temp_dir().join(format!("smfplay-inputs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("d")).unwrap();
        for f in ["d/b.mid", "d/a.MID", "d/notes.txt"] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        std::fs::create_dir_all(dir.join("empty")).unwrap();
        let list = dir.join("list.txt");
        std::fs::write(
            &list,
            format!("z.mid\r\n\n{}\nd/b.mid\n", dir.join("d").display()),
        )
        .unwrap();
        let (files, errors) =
            collect(&[PathBuf::from("z.mid"), dir.join("empty")], Some(&list)).unwrap();
        assert_eq!(errors.len(), 1, "the empty directory: {errors:?}");
        assert_eq!(
            files,
            vec![
                dir.join("d/a.MID"),
                dir.join("d/b.mid"),
                PathBuf::from("d/b.mid"),
                PathBuf::from("z.mid")
            ]
        );
        assert!(collect(&[], Some(&dir.join("missing.txt"))).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
