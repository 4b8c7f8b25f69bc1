//! Picks the memory map for the target (mps2-an386 for the Cortex-M4, micro:bit
//! for the Cortex-M0), passes the linker scripts, and chooses the song:
//! `SMFPLAY_SONG=path` at build time (default: the demo song).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=SMFPLAY_TARGET={target}");
    let memory = if target.starts_with("thumbv6m") {
        "memory-microbit.x"
    } else {
        "memory-mps2-an386.x"
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::copy(memory, out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={memory}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    if env::var_os("CARGO_FEATURE_DEFMT_SEMIHOSTING").is_some() {
        println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
    }

    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("manifest dir"));
    println!("cargo:rerun-if-env-changed=SMFPLAY_SONG");
    let song = match env::var_os("SMFPLAY_SONG") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => manifest.join("../assets/demo.mid"),
    };
    let song =
        fs::canonicalize(&song).unwrap_or_else(|e| panic!("SMFPLAY_SONG: {}: {e}", song.display()));
    println!("cargo:rerun-if-changed={}", song.display());
    println!("cargo:rustc-env=SMFPLAY_SONG_PATH={}", song.display());
    let name = song
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!("cargo:rustc-env=SMFPLAY_SONG_NAME={name}");
}
