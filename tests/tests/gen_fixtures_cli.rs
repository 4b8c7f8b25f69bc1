//! The `gen-fixtures` binary writes every fixture and the demo song.

use std::process::Command;

use smfplay_tests::fixtures;

const BIN: &str = env!("CARGO_BIN_EXE_gen-fixtures");

#[test]
fn list_prints_every_name() {
    let out = Command::new(BIN).arg("--list").output().unwrap();
    assert!(out.status.success());
    let names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let want: Vec<&str> = fixtures::all_valid()
        .iter()
        .chain(&fixtures::all_damaged())
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(names, want);
}

#[test]
fn writes_all_fixtures_and_demo() {
    let dir = std::env::temp_dir().join(format!("smfplay-gen-fixtures-{}", std::process::id()));
    let status = Command::new(BIN).arg(&dir).status().unwrap();
    assert!(status.success());
    for (name, bytes) in fixtures::all_valid()
        .into_iter()
        .chain(fixtures::all_damaged())
    {
        let got = std::fs::read(dir.join(format!("{name}.mid"))).unwrap();
        assert!(got == bytes, "{name}.mid differs");
    }
    let demo = dir.join("demo.mid");
    let status = Command::new(BIN).arg("--demo").arg(&demo).status().unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read(&demo).unwrap(),
        smfplay_tests::demo::demo_song()
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let bad = Command::new(BIN).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
