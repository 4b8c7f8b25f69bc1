//! Build script of `fluidsynth-sys`: finds the system libfluidsynth 2.x with pkg-config.
//!
//! * Links `libfluidsynth` (the `pkg-config` crate prints the `rustc-link-*` lines).
//! * Exports the directory holding `fluidsynth.h` to dependants as `DEP_FLUIDSYNTH_INCLUDE`
//!   (`cargo:include=`), and to this package's own tests as the compile-time variable
//!   `FLUIDSYNTH_SYS_INCLUDE_DIRS` (all of pkg-config's include directories, in the
//!   platform's `PATH` list format), which the header signature test compiles against,
//!   and the target's C compiler and flags (`CC_<target>`, `CFLAGS_<target>`, ... as the
//!   `cc` crate reads them; default `cc`) as `FLUIDSYNTH_SYS_TEST_CC` / `_CFLAGS`.
//! * Cross-compiling works through pkg-config's usual variables (`PKG_CONFIG_SYSROOT_DIR`,
//!   `PKG_CONFIG_PATH`, `PKG_CONFIG_LIBDIR`, `PKG_CONFIG`, `PKG_CONFIG_ALLOW_CROSS`, each
//!   also in its `_<target>` / `TARGET_` form), all handled by the `pkg-config` crate.
//! * When the library is missing, fails with one message that says what to install.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process;

/// The oldest libfluidsynth whose API matches the declarations in `src/lib.rs`.
const MIN_VERSION: &str = "2.0";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The `pkg-config` crate also prints these (and their per-target forms) as it reads them;
    // listing the plain names here keeps the dependency explicit.
    for var in [
        "PKG_CONFIG",
        "PKG_CONFIG_PATH",
        "PKG_CONFIG_LIBDIR",
        "PKG_CONFIG_SYSROOT_DIR",
        "PKG_CONFIG_ALLOW_CROSS",
        "FLUIDSYNTH_NO_PKG_CONFIG",
        "FLUIDSYNTH_STATIC",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let library = match pkg_config::Config::new()
        .atleast_version(MIN_VERSION)
        .probe("fluidsynth")
    {
        Ok(library) => library,
        Err(error) => fail(&error),
    };

    let header_dir = header_dir(&library.include_paths);
    println!("cargo:include={}", header_dir.display());
    println!("cargo:version={}", library.version);

    let mut test_dirs = vec![header_dir];
    for dir in &library.include_paths {
        if !test_dirs.contains(dir) {
            test_dirs.push(dir.clone());
        }
    }
    match env::join_paths(&test_dirs) {
        Ok(joined) => println!(
            "cargo:rustc-env=FLUIDSYNTH_SYS_INCLUDE_DIRS={}",
            joined.to_string_lossy()
        ),
        // A directory name with the list separator in it: the tests then rely on the
        // compiler's default search path.
        Err(_) => println!("cargo:rustc-env=FLUIDSYNTH_SYS_INCLUDE_DIRS="),
    }

    // The C compiler and flags for the target, which the header signature test compiles with
    // (it runs on the target, e.g. under qemu, but must check the target's headers with the
    // target's compiler): `CC_<target>` / `CFLAGS_<target>` etc., the `cc` crate's convention.
    let cc = targeted_env("CC").unwrap_or_else(|| "cc".into());
    let cflags = targeted_env("CFLAGS").unwrap_or_default();
    println!(
        "cargo:rustc-env=FLUIDSYNTH_SYS_TEST_CC={}",
        cc.to_string_lossy()
    );
    println!(
        "cargo:rustc-env=FLUIDSYNTH_SYS_TEST_CFLAGS={}",
        cflags.to_string_lossy()
    );
}

/// The directory that holds `fluidsynth.h`.
///
/// pkg-config leaves the system include directory (`/usr/include`) out of `--cflags`, so
/// fall back to the `.pc` file's `includedir`, under the sysroot when cross-compiling.
fn header_dir(include_paths: &[PathBuf]) -> PathBuf {
    if let Some(dir) = include_paths
        .iter()
        .find(|dir| dir.join("fluidsynth.h").is_file())
    {
        return dir.clone();
    }
    let includedir = pkg_config::get_variable("fluidsynth", "includedir")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/usr/include"));
    match targeted_env("PKG_CONFIG_SYSROOT_DIR") {
        Some(sysroot) if !includedir.starts_with(&sysroot) => {
            let relative = includedir.strip_prefix("/").unwrap_or(&includedir);
            Path::new(&sysroot).join(relative)
        }
        _ => includedir,
    }
}

/// Reads `NAME` the way the `pkg-config` crate does: `NAME_<target>`, `NAME_<target_with_underscores>`,
/// `TARGET_NAME` (cross) or `HOST_NAME` (native), then `NAME`.
fn targeted_env(name: &str) -> Option<OsString> {
    let target = env::var("TARGET").unwrap_or_default();
    let host = env::var("HOST").unwrap_or_default();
    let kind = if target == host { "HOST" } else { "TARGET" };
    [
        format!("{name}_{target}"),
        format!("{name}_{}", target.replace('-', "_")),
        format!("{kind}_{name}"),
        name.to_owned(),
    ]
    .iter()
    .find_map(|var| {
        println!("cargo:rerun-if-env-changed={var}");
        env::var_os(var)
    })
}

/// Prints one explanation of what is missing and stops the build.
fn fail(error: &pkg_config::Error) -> ! {
    let first_line = |text: &str| {
        let line = text.lines().next().unwrap_or("").trim();
        line.trim_end_matches('.').to_owned()
    };
    let reason = match error {
        pkg_config::Error::CrossCompilation => {
            eprintln!(
                "error: fluidsynth-sys: cross-compiling, but pkg-config is not set up for the target.\n\
                 Point pkg-config at the target's libfluidsynth 2.x (>= {MIN_VERSION}), e.g. set\n\
                 PKG_CONFIG_SYSROOT_DIR=<target sysroot> and PKG_CONFIG_LIBDIR=<sysroot>/usr/lib/<triple>/pkgconfig,\n\
                 or PKG_CONFIG=<a cross pkg-config wrapper>. Install the target's libfluidsynth-dev into that sysroot."
            );
            process::exit(1);
        }
        pkg_config::Error::Failure { output, .. }
        | pkg_config::Error::ProbeFailure { output, .. } => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            first_line(&stderr)
        }
        other => first_line(&other.to_string()),
    };
    eprintln!(
        "error: fluidsynth-sys: libfluidsynth {MIN_VERSION} or newer was not found with pkg-config \
         ({reason}).\n\
         Install the FluidSynth development files and pkg-config:\n\
         \x20 Debian / Ubuntu / Raspberry Pi OS: sudo apt-get install libfluidsynth-dev pkg-config\n\
         \x20 Fedora:                            sudo dnf install fluidsynth-devel\n\
         \x20 Arch:                              sudo pacman -S fluidsynth\n\
         or run this project's scripts/setup (Debian / Raspberry Pi OS), which installs everything smfplay needs.\n\
         If FluidSynth is installed in an unusual place, add the directory holding fluidsynth.pc to PKG_CONFIG_PATH."
    );
    process::exit(1);
}
