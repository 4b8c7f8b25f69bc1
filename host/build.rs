//! Build script (not part of the player): turns `SMFPLAY_TESTBED=1` into
//! `cfg(testbed)` and `SMFPLAY_PIPEWIRE_TESTBED=1` into
//! `cfg(pipewire_testbed)`, the switches that let the tests needing the
//! audio test bed or the PipeWire test bed run. Without them they are
//! `#[ignore]`d with the reason, so a plain `cargo test` starts no server
//! and installs nothing (see `host/tests/common/testbed.rs`,
//! `host/tests/common/pipewire.rs` and the README's "Testing").

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for (var, cfg) in [
        ("SMFPLAY_TESTBED", "testbed"),
        ("SMFPLAY_PIPEWIRE_TESTBED", "pipewire_testbed"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some_and(|v| v == "1") {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
