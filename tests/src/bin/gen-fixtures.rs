//! Writes smfplay's test fixtures as `.mid` files.
//!
//! ```text
//! gen-fixtures DIR          write every valid and damaged fixture as DIR/NAME.mid
//! gen-fixtures --list       print the fixture names (valid, then damaged), one a line
//! gen-fixtures --demo PATH  write the demo song (assets/demo.mid) to PATH
//! gen-fixtures --loops DIR  write a song per loop convention, and each
//!                           with its loop written out three times
//! ```

use std::path::Path;
use std::process::ExitCode;

use smfplay_tests::{demo, fixtures};

const USAGE: &str = "usage: gen-fixtures DIR | --list | --demo PATH | --loops DIR";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["--list"] => {
            for (name, _) in fixtures::all_valid().iter().chain(&fixtures::all_damaged()) {
                println!("{name}");
            }
            Ok(())
        }
        ["--demo", path] => {
            std::fs::write(path, demo::demo_song()).map_err(|e| format!("cannot write {path}: {e}"))
        }
        ["--loops", dir] => write_loop_songs(Path::new(dir)),
        [dir] if !dir.starts_with('-') => write_all(Path::new(dir)),
        ["-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-fixtures: {e}");
            ExitCode::from(2)
        }
    }
}

fn write_all(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let all = fixtures::all_valid()
        .into_iter()
        .chain(fixtures::all_damaged());
    for (name, bytes) in all {
        let path = dir.join(format!("{name}.mid"));
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn write_loop_songs(dir: &Path) -> Result<(), String> {
    use smfplay_core::sequencer::LoopConvention;
    use smfplay_tests::loop_songs::{looped, unrolled};
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let names = ["markers", "cc116-117", "cc110-111", "cc111"];
    let mut songs = vec![("loop-none".to_string(), looped(None))];
    for (name, c) in names.iter().zip(LoopConvention::ALL) {
        songs.push((format!("loop-{name}"), looped(Some(c))));
        songs.push((format!("loop-{name}-unrolled-3"), unrolled(Some(c), 3)));
    }
    for (name, bytes) in songs {
        let path = dir.join(format!("{name}.mid"));
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
