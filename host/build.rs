//! Build script (not part of the player): turns `SMFPLAY_TESTBED=1` into
//! `cfg(testbed)`, the switch that lets the tests needing the audio test
//! bed run. Without it they are `#[ignore]`d with the reason, so a plain
//! `cargo test` starts no server and installs nothing (see
//! `host/tests/common/testbed.rs` and the README's "Testing").

fn main() {
    println!("cargo::rustc-check-cfg=cfg(testbed)");
    println!("cargo::rerun-if-env-changed=SMFPLAY_TESTBED");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("SMFPLAY_TESTBED").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=testbed");
    }
}
