//! Real-time priority through rtkit when the kernel refuses `SCHED_FIFO`:
//! `host play` runs as an unprivileged user (`nobody`, `RLIMIT_RTPRIO` 0)
//! on the paced test bed, with a private system bus
//! (`DBUS_SYSTEM_BUS_ADDRESS`). Against the real `rtkit-daemon` (Debian
//! package `rtkit`, with a stand-in polkit that authorizes) the audio
//! thread is seen `SCHED_FIFO` in `/proc`; against a stand-in rtkit the
//! request (thread, clamped priority, `RLIMIT_RTTIME`) is recorded and a
//! refusal's reason is the warning's; no bus and no rtkit are named; a
//! real-time thread that never blocks gets `SIGXCPU` and is put back to
//! normal priority, not killed.
//!
//! They need root (the user switch, the stand-in's grant, rtkit-daemon)
//! and the test bed: `scripts/test` runs them.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::private_bus::PrivateBus;
use common::rtkit_daemon::{RealRtkit, watch_for_realtime};
use common::stand_ins::{Answer, serve_rtkit};
use common::testbed;
use smfplay_tests::fixtures;

/// The priority `host` asks for (`scheduling::PRIORITY`).
const ASKED: u32 = 60;

/// `host play` as `nobody` (when the tests run as root) with
/// `RLIMIT_RTPRIO` 0, on the test bed, with the private bus.
fn unprivileged_play(bus: &str, args: &[&str]) -> Command {
    // Children inherit it: the kernel refuses SCHED_FIFO to the host
    // whatever the machine's limits (root keeps CAP_SYS_NICE, not `nobody`).
    rustix::process::setrlimit(
        rustix::process::Resource::Rtprio,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )
    .expect("lower RLIMIT_RTPRIO");
    let mut c = common::host_unprivileged();
    for (k, v) in testbed::testbed() {
        c.env(k, v);
    }
    c.env("DBUS_SYSTEM_BUS_ADDRESS", bus)
        .env_remove("SMFPLAY_STALL")
        .env_remove("SMFPLAY_NO_RT")
        .arg("play")
        .args(["-s", testbed::SF2])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// A song of one note and `seconds` of rest (cheap to render).
fn long_rest(seconds: u32) -> Vec<u8> {
    let ticks = seconds * 2 * 96; // 96 ticks a quarter, 120 bpm
    let mut track = vec![0x00, 0x90, 60, 100];
    let mut vlq = vec![(ticks & 0x7f) as u8];
    let mut rest = ticks >> 7;
    while rest > 0 {
        vlq.insert(0, 0x80 | (rest & 0x7f) as u8);
        rest >>= 7;
    }
    track.extend(vlq);
    track.extend([0x80, 60, 0, 0x00, 0xff, 0x2f, 0x00]);
    let mut smf = b"MThd\0\0\0\x06\0\0\0\x01\0\x60MTrk".to_vec();
    smf.extend((track.len() as u32).to_be_bytes());
    smf.extend(track);
    smf
}

/// Plays a short song as `nobody` against `bus`; returns the output and
/// the pid the host ran as.
fn play_short(bus: &str, extra: &[&str]) -> (Output, u32) {
    let song = testbed::write_fixture("rtkit-short.mid", &fixtures::format0_basic());
    let song = song.to_str().unwrap();
    let mut args = vec![song, "--device", "tb_pulse", "--end", "0.6"];
    args.extend(extra);
    let child = unprivileged_play(bus, &args).spawn().expect("run host");
    let pid = child.id();
    (
        testbed::wait_with_timeout(child, Duration::from_secs(30)),
        pid,
    )
}

/// The one warning: real time refused, with `reason` and what to do.
fn assert_one_refusal(out: &Output, reason: &str) {
    assert!(out.status.success(), "{out:?}");
    let w = common::warnings(out);
    assert_eq!(w.len(), 1, "{w:?}");
    for words in [
        "real-time priority (SCHED_FIFO 60) refused",
        "RLIMIT_RTPRIO is 0",
        reason,
        "install rtkit",
        "rtprio 95",
    ] {
        assert!(w[0].contains(words), "no {words:?} in {:?}", w[0]);
    }
}

#[test]
#[cfg_attr(
    not(testbed),
    ignore = "needs the audio test bed and root: run scripts/test"
)]
fn no_system_bus_is_named_in_the_warning() {
    let _g = testbed::serial();
    let (out, _) = play_short("unix:path=/nonexistent/system_bus_socket", &[]);
    assert_one_refusal(
        &out,
        "rtkit: no system bus at unix:path=/nonexistent/system_bus_socket",
    );
}

#[test]
#[cfg_attr(
    not(testbed),
    ignore = "needs the audio test bed and root: run scripts/test"
)]
fn rtkit_not_running_is_named_in_the_warning() {
    let _g = testbed::serial();
    let bus = PrivateBus::start("no-rtkit");
    let (out, _) = play_short(&bus.address, &[]);
    assert_one_refusal(&out, "rtkit: rtkit-daemon not running");
}

/// The request a stand-in rtkit sees: this process's audio thread, the
/// priority clamped to its maximum, `RLIMIT_RTTIME` set at most to its
/// `RTTimeUSecMax` (soft half of it); its refusal is the warning's reason.
#[test]
#[cfg_attr(
    not(testbed),
    ignore = "needs the audio test bed and root: run scripts/test"
)]
fn rtkit_request_is_made_as_rtkit_requires_and_its_refusal_is_said() {
    let _g = testbed::serial();
    let bus = PrivateBus::start("refusing-rtkit");
    let (_rtkit, calls) = serve_rtkit(&bus, 150_000, Answer::Refuse);
    let (out, pid) = play_short(&bus.address, &[]);
    assert_one_refusal(
        &out,
        "rtkit: refused: Operation not permitted: org.freedesktop.DBus.Error.AccessDenied",
    );
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 1, "one request: {calls:?}");
    let call = &calls[0];
    assert_eq!(call.pid, u64::from(pid), "{call:?}");
    assert_ne!(call.tid, call.pid, "the audio thread, not the main one");
    assert!(call.thread_of_process, "{call:?}");
    assert_eq!(call.priority, 20, "{ASKED} clamped to rtkit's maximum");
    assert_eq!(
        call.rttime,
        ("75000".to_string(), "150000".to_string()),
        "RLIMIT_RTTIME (soft, hard) when rtkit was asked"
    );
}

/// The real rtkit-daemon on the private bus (with a stand-in polkit that
/// authorizes, as a desktop's rules do) makes the unprivileged player's
/// audio thread real-time at rtkit's maximum (`SCHED_RR`, rtkit's default
/// policy): seen in `/proc`, said by `--verbose`, and no warning.
#[test]
#[cfg_attr(
    not(testbed),
    ignore = "needs the audio test bed and root: run scripts/test"
)]
fn real_rtkit_daemon_makes_the_audio_thread_sched_fifo() {
    let _g = testbed::serial();
    let rtkit = RealRtkit::start("real-rtkit");
    let song = testbed::write_fixture("rtkit-real.mid", &fixtures::format0_basic());
    let mut child = unprivileged_play(
        &rtkit.bus.address,
        &[
            song.to_str().unwrap(),
            "--device",
            "tb_pulse",
            "--end",
            "1.5",
            "-v",
        ],
    )
    .spawn()
    .expect("run host");
    let pid = child.id();
    let fifo = watch_for_realtime(&mut child, "audio", Duration::from_secs(20));
    let out = testbed::wait_with_timeout(child, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        fifo,
        Some(20),
        "the audio thread, real-time at rtkit's maximum (20); stderr: {stderr}"
    );
    assert!(
        stderr.contains("audio thread: SCHED_RR priority 20 through rtkit"),
        "{stderr}"
    );
    assert!(common::warnings(&out).is_empty(), "{stderr}");
    assert!(
        rtkit.asked_polkit_for(pid),
        "rtkit asked polkit about this process: {:?}",
        rtkit.polkit_calls.lock().unwrap()
    );
}

/// A real-time audio thread that never blocks (ALSA's `null` device does
/// not pace) reaches the soft `RLIMIT_RTTIME`: `SIGXCPU` puts it back to
/// normal priority and one warning says so; the kernel's `SIGKILL` at the
/// hard limit never comes, and the song plays to its end.
#[test]
#[cfg_attr(
    not(testbed),
    ignore = "needs the audio test bed and root: run scripts/test"
)]
fn sigxcpu_gives_real_time_back_instead_of_a_kill() {
    let _g = testbed::serial();
    let bus = PrivateBus::start("granting-rtkit");
    let (_rtkit, calls) = serve_rtkit(&bus, 100_000, Answer::Grant);
    let song = testbed::write_fixture("rtkit-rest.mid", &long_rest(1800));
    let child = unprivileged_play(
        &bus.address,
        &[song.to_str().unwrap(), "--device", "null", "-v"],
    )
    .spawn()
    .expect("run host");
    let out = testbed::wait_with_timeout(child, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "not killed: {out:?}");
    assert_eq!(calls.lock().unwrap().len(), 1, "{stderr}");
    let w = common::warnings(&out);
    assert_eq!(w.len(), 1, "{stderr}");
    assert!(
        w[0].contains("real-time priority dropped")
            && w[0].contains("50 ms without waiting for the device"),
        "{w:?}"
    );
}
