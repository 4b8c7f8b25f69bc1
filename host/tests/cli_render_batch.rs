//! `host render` at scale: batches (`-O`, `-j`) whose files are byte for
//! byte the files rendered alone, a failing file that does not stop the
//! others, output names and `--force`, `--files-from` and `--shard`,
//! FLAC (decoded by the reference `flac` tool), and `--stems` adding up to
//! the mix.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Stdio;

use common::*;
use smfplay_tests::{demo, fixtures};

/// Options every render here shares (short songs, low rate: fast).
const OPTS: [&str; 6] = ["-q", "-r", "22050", "--end", "6", "-s"];

fn opts() -> Vec<&'static str> {
    let mut v = OPTS.to_vec();
    v.push(soundfont());
    v
}

/// Songs that leave a synth in very different states (programs, banks,
/// pitch bends, controllers, sysex, 16 busy channels).
fn songs(dir: &TempDir) -> Vec<String> {
    let in_dir = dir.path("in");
    std::fs::create_dir_all(&in_dir).unwrap();
    [
        ("a-demo.mid", demo::demo_song()),
        ("b-dense.mid", fixtures::dense_16ch(8)),
        ("c-sysex.mid", fixtures::sysex_mix(300)),
        ("d-multitrack.mid", fixtures::format1_multitrack()),
    ]
    .into_iter()
    .map(|(name, bytes)| dir.write(&format!("in/{name}"), &bytes))
    .collect()
}

/// `dir.write`, making the parent directories first.
fn write_in(dir: &TempDir, name: &str, bytes: &[u8]) -> String {
    std::fs::create_dir_all(dir.path(name).parent().unwrap()).unwrap();
    dir.write(name, bytes)
}

fn solo(mid: &str, out: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["render", mid, "-o", out];
    args.extend(opts());
    args.extend_from_slice(extra);
    run_ok(&args);
    std::fs::read(out).expect("read the solo render")
}

/// `solo` into `dir/name`, parsed.
fn solo_wav(dir: &TempDir, name: &str, mid: &str, extra: &[&str]) -> Wav {
    solo(mid, &dir.s(name), extra);
    read_wav(dir.path(name))
}

/// The largest |a - b| of two sample lists.
fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn stem_of(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn every_file_of_a_batch_is_the_file_rendered_alone() {
    let dir = TempDir::new("batch-solo");
    let mids = songs(&dir);
    for extra in [&[][..], &["--no-reverb", "--no-chorus", "-T", "2"][..]] {
        let refs: Vec<Vec<u8>> = mids
            .iter()
            .map(|m| solo(m, &dir.s(&format!("{}.solo.wav", stem_of(m))), extra))
            .collect();
        // -j 1: each song follows the others on one worker; -j 3: spread.
        for jobs in ["1", "3"] {
            let out = dir.s(&format!("out-{jobs}-{}", extra.len()));
            let input = dir.s("in");
            let mut args = vec!["render", &input, "-O", &out, "-j", jobs];
            args.extend(opts());
            args.extend_from_slice(extra);
            run_ok(&args);
            for (m, want) in mids.iter().zip(&refs) {
                let got = std::fs::read(format!("{out}/{}.wav", stem_of(m))).unwrap();
                assert!(
                    &got == want,
                    "-j {jobs} {extra:?}: {} differs from its solo render",
                    stem_of(m)
                );
            }
        }
    }
}

#[test]
fn a_failing_file_is_one_line_and_the_others_go_on() {
    let dir = TempDir::new("batch-fail");
    let mids = songs(&dir);
    let bad = write_in(&dir, "in/b2-bad.mid", b"<html>not midi</html>");
    let missing = dir.s("nowhere.mid");
    let out = dir.s("out");
    // Not quiet: plain lines (standard error is not a terminal here).
    let o = host()
        .args(["render", &dir.s("in"), &missing, "-O", &out, "-j", "1"])
        .args(["-r", "22050", "--end", "3", "-s", soundfont()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let about = |p: &str| {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("host: {p}: ")))
            .count()
    };
    assert_eq!(about(&bad), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("host: {bad}: not a MIDI file")),
        "{stderr}"
    );
    assert_eq!(about(&missing), 1, "{stderr}");
    for m in &mids {
        assert!(
            std::path::Path::new(&format!("{out}/{}.wav", stem_of(m))).is_file(),
            "{m} was not rendered: {stderr}"
        );
        assert!(
            stderr.contains(&format!("] {m} -> ")),
            "no line for {m}: {stderr}"
        );
    }
    assert!(!std::path::Path::new(&format!("{out}/b2-bad.wav")).exists());
    let summary = lines.last().unwrap();
    assert!(
        summary.starts_with("host: rendered 4 of 6 files") && summary.ends_with("; 2 failed"),
        "{summary}"
    );
}

#[test]
fn names_collisions_and_force() {
    let dir = TempDir::new("batch-names");
    let a = write_in(&dir, "x/song.mid", &fixtures::format0_basic());
    let b = write_in(&dir, "y/song.mid", &fixtures::format0_basic());
    let out = dir.s("out");
    let mut args = vec!["render", &b, &a, "-O", &out, "-f", "flac"];
    args.extend(opts());
    run_ok(&args);
    let names: BTreeSet<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Sorted list: x/song.mid first.
    assert_eq!(
        names,
        BTreeSet::from(["song.flac".to_string(), "song-2.flac".to_string()])
    );
    // Again: nothing is overwritten without --force (exit 6, one line each).
    let before = std::fs::read(format!("{out}/song.flac")).unwrap();
    std::fs::write(format!("{out}/song.flac"), b"keep me").unwrap();
    let o = host().args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(6), "{stderr}");
    assert_eq!(
        stderr.matches("exists; pass --force").count(),
        2,
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(format!("{out}/song.flac")).unwrap(),
        b"keep me"
    );
    args.push("--force");
    run_ok(&args);
    assert_eq!(std::fs::read(format!("{out}/song.flac")).unwrap(), before);
    // -o takes one input only.
    let o = run(&["render", &a, &b, "-o", &dir.s("one.wav")]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn files_from_stdin_and_shards_split_the_list() {
    let dir = TempDir::new("batch-shard");
    let mut list = String::new();
    for i in 0..7 {
        let m = write_in(&dir, &format!("in/s{i}.mid"), &fixtures::format0_basic());
        list.push_str(&m);
        list.push('\n');
    }
    let render_list = |out: &str, shard: Option<&str>| -> BTreeSet<String> {
        let mut c = host();
        c.args(["render", "--files-from", "-", "-O", out, "-j", "2"])
            .args(opts());
        if let Some(s) = shard {
            c.args(["--shard", s]);
        }
        let mut child = c
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(list.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_dir(out)
            .map(|rd| {
                rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let whole = render_list(&dir.s("whole"), None);
    assert_eq!(whole.len(), 7);
    let mut union = BTreeSet::new();
    for k in 0..3 {
        let part = render_list(&dir.s(&format!("part{k}")), Some(&format!("{k}/3")));
        assert!(!part.is_empty() && part.len() <= 3, "{part:?}");
        assert!(union.is_disjoint(&part), "shard {k} overlaps: {part:?}");
        union.extend(part);
    }
    assert_eq!(union, whole, "the shards together are the whole list");
    // Stable: the same shard again is the same files.
    assert_eq!(
        render_list(&dir.s("again"), Some("1/3")),
        render_list(&dir.s("again2"), Some("1/3"))
    );
    let o = run(&["render", "a.mid", "-O", &dir.s("x"), "--shard", "3/3"]);
    assert_eq!(o.status.code(), Some(2));
}

/// What the reference decoder (`flac -d`) makes of `flac`: raw
/// little-endian signed samples, interleaved.
fn flac_decode(flac: &std::path::Path) -> Vec<u8> {
    let raw = flac.with_extension("raw");
    let o = std::process::Command::new("flac")
        .args([
            "-d",
            "-f",
            "-s",
            "--force-raw-format",
            "--endian=little",
            "--sign=signed",
            "-o",
        ])
        .arg(&raw)
        .arg(flac)
        .output()
        .expect("the flac tool (scripts/setup --test installs it)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(&raw).unwrap()
}

/// The bytes of a WAV's data chunk.
fn wav_data(path: &std::path::Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let wav = parse_wav(&bytes);
    bytes[wav.data_offset..wav.data_offset + wav.data_size as usize].to_vec()
}

#[test]
fn flac_decodes_to_the_wav_samples() {
    let dir = TempDir::new("render-flac");
    let mid = dir.write("demo.mid", &demo::demo_song());
    solo(&mid, &dir.s("s16.wav"), &[]);
    let wav = wav_data(&dir.path("s16.wav"));
    // By the extension, to a file: exactly the WAV's samples.
    solo(&mid, &dir.s("by-ext.flac"), &[]);
    let decoded = flac_decode(&dir.path("by-ext.flac"));
    assert!(
        decoded == wav,
        "the FLAC does not decode to the WAV's samples"
    );
    // -f flac on standard output.
    let mut args = vec!["render", &mid, "-o", "-", "-f", "flac"];
    args.extend(opts());
    let stream = run_ok(&args);
    std::fs::write(dir.path("stream.flac"), &stream).unwrap();
    let decoded = flac_decode(&dir.path("stream.flac"));
    // The stream declares the song plus the whole tail cap; the rest is silence.
    assert!(decoded.len() >= wav.len());
    assert!(decoded[..wav.len()] == wav[..], "the streamed FLAC differs");
    assert!(decoded[wav.len()..].iter().all(|&b| b == 0));
    // 24 bits: the float render rounded to 24 bits (within one step).
    let f32wav = solo_wav(&dir, "f32.wav", &mid, &["-f", "f32"]);
    solo(&mid, &dir.s("deep.flac"), &["-f", "flac24"]);
    let deep: Vec<f64> = flac_decode(&dir.path("deep.flac"))
        .chunks(3)
        .map(|b| f64::from(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) / f64::from(1 << 23))
        .collect();
    assert_eq!(deep.len(), f32wav.samples.len());
    let step = 1.0 / f64::from(1 << 23);
    let worst = max_difference(&deep, &f32wav.samples);
    assert!(
        worst <= step,
        "24-bit FLAC is {worst} from the float render"
    );
    assert!(deep.iter().any(|&x| x != 0.0));
}

#[test]
fn stems_add_up_to_the_mix() {
    let dir = TempDir::new("render-stems");
    let mid = dir.write("demo.mid", &demo::demo_song());
    for (effects, extra) in [
        (false, &["--no-reverb", "--no-chorus"][..]),
        (true, &[][..]),
    ] {
        let mut base = vec!["-f", "f32"];
        base.extend_from_slice(extra);
        let mix = solo_wav(&dir, &format!("mix{effects}.wav"), &mid, &base);
        let out = dir.s(&format!("stems{effects}/song.wav"));
        std::fs::create_dir_all(dir.path(&format!("stems{effects}"))).unwrap();
        let mut args = vec!["render", &mid, "-o", &out, "--stems"];
        args.extend(opts());
        args.extend_from_slice(&base);
        run_ok(&args);
        let files: BTreeSet<String> = std::fs::read_dir(dir.path(&format!("stems{effects}")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        // The demo's channels, named after their first General MIDI program.
        assert!(files.contains("song-10-drums.wav"), "{files:?}");
        assert!(files.iter().any(|f| f.starts_with("song-01-")), "{files:?}");
        assert!(!files.contains("song.wav"), "{files:?}");
        assert_eq!(files.contains("song-fx.wav"), effects, "{files:?}");
        let mut sum = vec![0.0f64; mix.samples.len()];
        for f in &files {
            let stem = read_wav(dir.path(&format!("stems{effects}/{f}")));
            assert_eq!(stem.samples.len(), mix.samples.len(), "{f}");
            assert!(rms(&stem) > 0.0, "{f} is silent");
            for (s, x) in sum.iter_mut().zip(&stem.samples) {
                *s += x;
            }
        }
        let worst = max_difference(&sum, &mix.samples);
        assert!(
            worst < 1e-6,
            "effects {effects}: the stems sum to {worst} away from the mix"
        );
    }
}
