//! `host render`: byte-identical output for any `--period` and every run,
//! WAV headers (file, stdout, s16, f32, rates), transport options, and
//! every option that changes the sound. (Its errors: `cli_errors.rs`.)

mod common;

use common::*;
use smfplay_tests::fixtures;

fn render(dir: &TempDir, mid: &str, out: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "render",
        mid,
        "-o",
        out,
        "-q",
        "-s",
        soundfont(),
        "-r",
        "22050",
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
    let _ = dir;
    std::fs::read(out).expect("read WAV")
}

#[test]
fn output_is_the_same_for_every_period_and_every_run() {
    let dir = TempDir::new("render-periods");
    let mid = dir.write("f1.mid", &fixtures::format1_multitrack());
    let options: [&[&str]; 2] = [
        &[],
        &[
            "--tempo",
            "1.3",
            "--transpose",
            "3",
            "--start",
            "2.5",
            "--end",
            "9.25",
            "--mute",
            "10",
        ],
    ];
    for extra in options {
        let reference = render(&dir, &mid, &dir.s("ref.wav"), extra);
        let again = render(&dir, &mid, &dir.s("again.wav"), extra);
        assert!(reference == again, "two runs differ ({extra:?})");
        for period in ["1000", "64", "17", "4096", "65536"] {
            let mut args = extra.to_vec();
            args.extend(["--period", period]);
            let wav = render(&dir, &mid, &dir.s(&format!("p{period}.wav")), &args);
            assert!(
                wav == reference,
                "--period {period} changes the output ({extra:?})"
            );
        }
    }
}

#[test]
fn headers_formats_rates_and_stdout() {
    let dir = TempDir::new("render-headers");
    let mid = dir.write("f0.mid", &fixtures::format0_basic());
    let s16 = read_wav(dir.path("s16.wav").tap(|p| {
        run_ok(&[
            "render",
            &mid,
            "-o",
            p,
            "-q",
            "-s",
            soundfont(),
            "-r",
            "44100",
        ]);
    }));
    assert_eq!(
        (s16.format_tag, s16.bits, s16.rate, s16.channels),
        (1, 16, 44_100, 2)
    );
    assert_eq!(
        s16.data_size as usize,
        s16.samples.len() * 2,
        "patched data size"
    );
    let f32w = read_wav(dir.path("f32.wav").tap(|p| {
        run_ok(&[
            "render",
            &mid,
            "-o",
            p,
            "-q",
            "-s",
            soundfont(),
            "-r",
            "44100",
            "-f",
            "f32",
        ]);
    }));
    assert_eq!((f32w.format_tag, f32w.bits), (3, 32));
    assert_eq!(f32w.frames(), s16.frames());
    // 5.5 s song plus a tail of at most 3 s.
    let secs = s16.frames() as f64 / 44_100.0;
    assert!((5.5..=8.5).contains(&secs), "{secs} s");
    for rate in ["22050", "96000"] {
        let w = read_wav(dir.path(&format!("r{rate}.wav")).tap(|p| {
            run_ok(&["render", &mid, "-o", p, "-q", "-s", soundfont(), "-r", rate]);
        }));
        assert_eq!(w.rate.to_string(), rate);
    }
    // Standard output: exact sizes up front, the file's samples first, then
    // silence up to the declared length.
    let stream = run_ok(&[
        "render",
        &mid,
        "-o",
        "-",
        "-q",
        "-s",
        soundfont(),
        "-r",
        "44100",
    ]);
    let sw = parse_wav(&stream);
    assert_eq!(
        sw.data_size as usize + sw.data_offset,
        stream.len(),
        "declared = written"
    );
    assert_eq!(sw.riff_size as usize + 8, stream.len());
    assert!(sw.frames() >= s16.frames());
    assert_eq!(&sw.samples[..s16.samples.len()], &s16.samples[..]);
    assert!(sw.samples[s16.samples.len()..].iter().all(|&x| x == 0.0));
}

trait Tap {
    fn tap(self, f: impl FnOnce(&str)) -> Self;
}

impl Tap for std::path::PathBuf {
    fn tap(self, f: impl FnOnce(&str)) -> Self {
        f(self.to_str().unwrap());
        self
    }
}

#[test]
fn start_end_mute_and_solo() {
    let dir = TempDir::new("render-transport");
    let mid = dir.write("f1.mid", &fixtures::format1_multitrack());
    let full = read_wav(dir.path("full.wav").tap(|p| {
        render(&dir, &mid, p, &[]);
    }));
    let part = read_wav(dir.path("part.wav").tap(|p| {
        render(&dir, &mid, p, &["--start", "2", "--end", "5"]);
    }));
    let secs = part.frames() as f64 / 22_050.0;
    assert!(
        (3.0..=6.0).contains(&secs),
        "--start 2 --end 5 gave {secs} s"
    );
    assert!(part.frames() < full.frames());
    let slow = read_wav(dir.path("slow.wav").tap(|p| {
        render(&dir, &mid, p, &["--tempo", "0.5", "--end", "4"]);
    }));
    let secs = slow.frames() as f64 / 22_050.0;
    assert!(
        (8.0..=11.0).contains(&secs),
        "--tempo 0.5 --end 4 gave {secs} s"
    );
    let all: Vec<String> = (1..=16).map(|c| c.to_string()).collect();
    let muted = read_wav(dir.path("muted.wav").tap(|p| {
        render(
            &dir,
            &mid,
            p,
            &["--mute", &all.join(","), "--no-reverb", "--no-chorus"],
        );
    }));
    assert!(
        muted.samples.iter().all(|&x| x == 0.0),
        "all channels muted is silence"
    );
    let solo = read_wav(dir.path("solo.wav").tap(|p| {
        render(&dir, &mid, p, &["--solo", "10"]);
    }));
    assert!(solo.samples.iter().any(|&x| x != 0.0));
    assert!(solo.samples != full.samples[..solo.samples.len().min(full.samples.len())]);
}

#[test]
fn summary_line_without_progress_bar_when_not_a_terminal() {
    let dir = TempDir::new("render-summary");
    let ok = dir.write("ok.mid", &fixtures::format0_basic());
    let out = run(&[
        "render",
        &ok,
        "-o",
        &dir.s("o.wav"),
        "-s",
        soundfont(),
        "-r",
        "22050",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("real time") && !err.contains('\r'), "{err}");
}

/// Peak resident memory of `host ARGS` in KiB (from `wait4`'s rusage: this
/// child only), asserting success.
// The child is reaped by `wait4`, which std's `wait` cannot replace: it
// gives the child's own rusage.
#[allow(clippy::zombie_processes)]
fn max_rss_kib(args: &[&str]) -> i64 {
    let child = host()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn host");
    let mut status = 0;
    // SAFETY: waits for our own child; rusage is plain data.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "host {args:?} failed"
    );
    usage.ru_maxrss
}

/// Every option that changes the sound takes effect: --gain scales,
/// --transpose 12 doubles the pitch, --polyphony 1 thins a dense song,
/// --no-reverb and --no-chorus change the output, and --lazy-samples
/// needs less memory for (nearly) the same sound.
#[test]
fn sound_options_take_effect() {
    let dir = TempDir::new("render-sound-options");
    let mid = dir.write("f0.mid", &fixtures::format0_basic());
    let dense = dir.write("dense.mid", &fixtures::dense_16ch(3));
    let wav = |name: &str, file: &str, extra: &[&str]| -> Wav {
        let p = dir.s(name);
        parse_wav(&render(&dir, file, &p, extra))
    };
    let dry = ["--no-reverb", "--no-chorus"];
    let base = wav("base.wav", &mid, &dry);
    // Gain: twice the gain, twice the amplitude.
    let loud = wav("loud.wav", &mid, &[&dry[..], &["-g", "0.8"]].concat());
    let ratio = rms(&loud) / rms(&base);
    assert!((1.9..=2.1).contains(&ratio), "--gain 0.8 vs 0.4: {ratio}");
    // Transpose an octave up: the first note, C4 (261.6 Hz) on a piano,
    // sounds as C5 (523.3 Hz).
    let up = wav("up.wav", &mid, &[&dry[..], &["--transpose", "12"]].concat());
    let (f_base, f_up) = (pitch_hz(&base, 0.03, 0.2), pitch_hz(&up, 0.03, 0.2));
    assert!(
        (f_base / 261.6 - 1.0).abs() < 0.03,
        "C4 measured at {f_base} Hz"
    );
    assert!(
        (f_up / 523.3 - 1.0).abs() < 0.03,
        "--transpose 12: {f_up} Hz"
    );
    // Polyphony 1: one voice at a time is much thinner than 16 channels.
    let full = wav("full.wav", &dense, &dry);
    let thin = wav(
        "thin.wav",
        &dense,
        &[&dry[..], &["--polyphony", "1"]].concat(),
    );
    assert!(
        rms(&thin) < 0.7 * rms(&full),
        "--polyphony 1: rms {} vs {}",
        rms(&thin),
        rms(&full)
    );
    // Reverb and chorus each change the sound. (GM's default chorus send
    // is 0: the song's volume controller becomes a chorus send, CC 93.)
    let mut chorused = fixtures::format0_basic();
    let at = chorused
        .windows(3)
        .position(|w| w == [0xB0, 7, 100])
        .expect("the volume controller");
    chorused[at + 1] = 93;
    let chorused = dir.write("chorus.mid", &chorused);
    let with_fx = wav("fx.wav", &chorused, &[]);
    let no_reverb = wav("norev.wav", &chorused, &["--no-reverb"]);
    let no_chorus = wav("nocho.wav", &chorused, &["--no-chorus"]);
    assert!(
        with_fx.samples != no_reverb.samples,
        "--no-reverb did nothing"
    );
    assert!(
        with_fx.samples != no_chorus.samples,
        "--no-chorus did nothing"
    );
    assert!(no_reverb.samples != no_chorus.samples);
    // Lazy samples: only the piano's samples are loaded, not the whole
    // SoundFont (TimGM6mb holds about 5.7 MB of samples).
    let (eager_out, lazy_out) = (dir.s("eager.wav"), dir.s("lazy.wav"));
    let eager_kib = max_rss_kib(&["render", &mid, "-o", &eager_out, "-q", "-s", soundfont()]);
    let lazy_kib = max_rss_kib(&[
        "render",
        &mid,
        "-o",
        &lazy_out,
        "-q",
        "-s",
        soundfont(),
        "--lazy-samples",
    ]);
    assert!(
        lazy_kib + 3 * 1024 < eager_kib,
        "--lazy-samples: {lazy_kib} KiB peak vs {eager_kib} KiB"
    );
    // (FluidSynth prepares lazily loaded samples slightly differently: the
    // sound is the same within -40 dB, not bit for bit.)
    let (eager, lazy) = (
        read_wav(dir.path("eager.wav")),
        read_wav(dir.path("lazy.wav")),
    );
    assert_eq!(eager.frames(), lazy.frames());
    let diff = eager
        .samples
        .iter()
        .zip(&lazy.samples)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(diff < 0.01, "--lazy-samples changed the sound by {diff}");
}
