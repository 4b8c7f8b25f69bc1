//! Fault injection for the device error tests: `alsa_fault.so`, an
//! `LD_PRELOAD` shim (source: `host/tests/shims/alsa_fault.c`) that makes
//! `snd_pcm_open` of one named PCM fail with a chosen errno, the way a
//! device held by another program answers (EBUSY), on a machine without a
//! sound card. Built once per test binary with the system C compiler
//! (`gcc` and `libasound2-dev` come with `scripts/setup`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The built shim's path.
pub fn alsa_fault_shim() -> &'static Path {
    static SHIM: OnceLock<PathBuf> = OnceLock::new();
    SHIM.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shims/alsa_fault.c");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("alsa_fault.so");
        let cc = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&out)
            .arg(&src)
            .arg("-ldl")
            .output()
            .expect("run cc (install gcc: scripts/setup)");
        assert!(
            cc.status.success(),
            "cannot build {}: {}",
            src.display(),
            String::from_utf8_lossy(&cc.stderr)
        );
        out
    })
}

/// Makes `host`'s `snd_pcm_open(pcm)` fail with `errno`.
pub fn fail_pcm_open(cmd: &mut Command, pcm: &str, errno: i32) {
    cmd.env("LD_PRELOAD", alsa_fault_shim())
        .env("SMFPLAY_FAULT_PCM", pcm)
        .env("SMFPLAY_FAULT_OPEN_ERRNO", errno.to_string());
}
