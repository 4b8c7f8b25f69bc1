//! `seq-check`: the receiving end of the kernel-sequencer tests and of the
//! `--port` timing benchmark (`scripts/kernel-seq-test`,
//! `scripts/bench-seq-timing`). Not part of the player.
//!
//! ```text
//! seq-check record PORT OUT [READY]   subscribe to PORT (e.g. 14:0), write each event that
//!                                     arrives as "MICROSECONDS<TAB>EVENT" to OUT until SIGTERM/SIGINT
//!                                     (READY is created once subscribed)
//! seq-check receive NAME OUT [READY]  create a port NAME that takes events (`host play --port NAME`)
//!                                     and write what arrives to OUT as `record` does
//! seq-check expect DUMP [N COUNT]     `host dump` output -> the EVENT lines a receiver should see
//!                                     (with N and COUNT: the receiver given N-th of COUNT ports:
//!                                     the events whose `port P` column has P % COUNT == N)
//! seq-check events RECORD             a record's EVENT column
//! seq-check timing RECORD DUMP        error of each arrival against its intended time (the dump's
//!                                     seconds), after removing the median offset: n, p50, p99, max (µs)
//! seq-check balance RECORD            every note-on released? prints unmatched notes, exit 1 if any
//! ```
//!
//! EVENT is one of `on CH KEY VEL`, `off CH KEY VEL`, `kp CH KEY V`,
//! `cc CH N V`, `pc CH P`, `cp CH V`, `pb CH V` (−8192…8191) or
//! `sysex F0 … F7`, channels from 1. The arrival time is the kernel's
//! timestamp on a real-time queue the recorder starts, so how fast the
//! recorder reads does not matter.
//!
//! *Real-time*: not real-time (a test tool).

use std::ffi::CString;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use alsa::seq::{Addr, EvCtrl, EvNote, EventType, PortCap, PortSubscribe, PortType, Seq};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = match a.as_slice() {
        ["record", port, out] => record(Source::Subscribe(port), out, None),
        ["record", port, out, ready] => record(Source::Subscribe(port), out, Some(ready)),
        ["receive", name, out] => record(Source::OwnPort(name), out, None),
        ["receive", name, out, ready] => record(Source::OwnPort(name), out, Some(ready)),
        ["expect", dump] => read(dump).map(|d| {
            for (_, e) in expected(&d) {
                println!("{e}");
            }
            true
        }),
        ["expect", dump, n, count] => {
            let (Ok(n), Ok(count)) = (n.parse::<u32>(), count.parse::<u32>()) else {
                return ExitCode::from(2);
            };
            read(dump).map(|d| {
                for (_, e) in expected_at(&d, n, count.max(1)) {
                    println!("{e}");
                }
                true
            })
        }
        ["events", rec] => read(rec).map(|r| {
            for (_, e) in recorded(&r) {
                println!("{e}");
            }
            true
        }),
        ["timing", rec, dump] => timing(rec, dump),
        ["balance", rec] => read(rec).map(|r| balance(&r)),
        _ => Err("usage: seq-check record PORT OUT [READY] | receive NAME OUT [READY] | expect DUMP [N COUNT] | events RECORD | timing RECORD DUMP | balance RECORD".into()),
    };
    match r {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("seq-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

/// Where a recorder's events come from.
enum Source<'a> {
    /// What a port (`CLIENT:PORT`) sends, with arrival times.
    Subscribe(&'a str),
    /// What is sent to our own port of this name (times: the sender's).
    OwnPort(&'a str),
}

fn record(source: Source<'_>, out: &str, ready: Option<&str>) -> Result<bool, String> {
    fn err(what: &str) -> impl Fn(alsa::Error) -> String + '_ {
        move |e| format!("{what}: {e}")
    }
    let seq = Seq::open(None, None, true).map_err(err("open the sequencer"))?;
    seq.set_client_name(&CString::new("seq-check").unwrap_or_default())
        .map_err(err("name"))?;
    let me = seq.client_id().map_err(err("client id"))?;
    let port_name = match source {
        Source::Subscribe(_) => "record",
        Source::OwnPort(name) => name,
    };
    let my_port = seq
        .create_simple_port(
            &CString::new(port_name).map_err(|_| format!("{port_name}: not a port name"))?,
            PortCap::WRITE | PortCap::SUBS_WRITE,
            PortType::MIDI_GENERIC | PortType::APPLICATION,
        )
        .map_err(err("create port"))?;
    if let Source::Subscribe(port) = source {
        let src: Addr = port
            .parse()
            .map_err(|_| format!("{port}: not CLIENT:PORT"))?;
        let queue = seq.alloc_queue().map_err(err("alloc queue"))?;
        let sub = PortSubscribe::empty().map_err(err("subscribe"))?;
        sub.set_sender(src);
        sub.set_dest(Addr {
            client: me,
            port: my_port,
        });
        sub.set_queue(queue);
        sub.set_time_update(true);
        sub.set_time_real(true);
        seq.subscribe_port(&sub)
            .map_err(err(&format!("subscribe to {port}")))?;
        seq.control_queue(queue, EventType::Start, 0, None)
            .map_err(err("start queue"))?;
        seq.drain_output().map_err(err("drain"))?;
    }
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
    }
    let mut file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    if let Some(r) = ready {
        std::fs::write(r, "ready\n").map_err(|e| format!("{r}: {e}"))?;
    }
    let mut lines = String::new();
    let mut input = seq.input();
    while !STOP.load(Ordering::SeqCst) {
        match input.event_input() {
            Ok(ev) => {
                let us = ev.get_time().map_or(0, |t| t.as_micros());
                if let Some(text) = describe(&ev) {
                    lines.push_str(&format!("{us}\t{text}\n"));
                }
            }
            Err(e) if e.errno() == libc::EAGAIN => {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    file.write_all(lines.as_bytes())
        .map_err(|e| format!("{out}: {e}"))?;
    Ok(true)
}

fn describe(ev: &alsa::seq::Event<'_>) -> Option<String> {
    let t = ev.get_type();
    if let Some(n) = ev.get_data::<EvNote>() {
        let (c, k, v) = (n.channel + 1, n.note, n.velocity);
        return match t {
            EventType::Noteon => Some(format!("on {c} {k} {v}")),
            EventType::Noteoff => Some(format!("off {c} {k} {v}")),
            EventType::Keypress => Some(format!("kp {c} {k} {v}")),
            _ => None,
        };
    }
    if let Some(x) = ev.get_data::<EvCtrl>() {
        let c = x.channel + 1;
        return match t {
            EventType::Controller => Some(format!("cc {c} {} {}", x.param, x.value)),
            EventType::Pgmchange => Some(format!("pc {c} {}", x.value)),
            EventType::Chanpress => Some(format!("cp {c} {}", x.value)),
            EventType::Pitchbend => Some(format!("pb {c} {}", x.value)),
            _ => None,
        };
    }
    if t == EventType::Sysex {
        let data = ev.get_ext()?;
        let hex: Vec<String> = data.iter().map(|b| format!("{b:02X}")).collect();
        return Some(format!("sysex {}", hex.join(" ")));
    }
    None
}

/// `(seconds, EVENT)` for each line of `host dump` a receiver sees.
fn expected(dump: &str) -> Vec<(f64, String)> {
    expected_at(dump, 0, 1)
}

/// `(seconds, EVENT)` for each line of `host dump` that the `n`-th of
/// `count` ports receives: the dump's fifth column `port P` (none: 0) as
/// `host play --port` routes it, `P % count`.
fn expected_at(dump: &str, n: u32, count: u32) -> Vec<(f64, String)> {
    dump.lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let (_, secs, _, ev) = (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
            let port = match cols.next() {
                Some(p) => p.strip_prefix("port ")?.parse::<u32>().ok()?,
                None => 0,
            };
            if port % count != n {
                return None;
            }
            Some((secs.parse().ok()?, canonical(ev)?))
        })
        .collect()
}

/// `host dump`'s wording of an event -> EVENT.
fn canonical(ev: &str) -> Option<String> {
    let w: Vec<&str> = ev.split_whitespace().collect();
    let num = |s: &str| -> Option<i32> {
        s.trim_matches(|c| c == '(' || c == ')' || c == '+')
            .parse()
            .ok()
    };
    Some(match w.as_slice() {
        ["note-on", "ch", c, _, k, "vel", v] => format!("on {c} {} {v}", num(k)?),
        ["note-off", "ch", c, _, k, "vel", v] => format!("off {c} {} {v}", num(k)?),
        ["key-pressure", "ch", c, _, k, v] => format!("kp {c} {} {v}", num(k)?),
        ["control", "ch", c, "cc", n, "=", v] => format!("cc {c} {n} {v}"),
        ["program", "ch", c, p] => format!("pc {c} {p}"),
        ["channel-pressure", "ch", c, v] => format!("cp {c} {v}"),
        ["pitch-bend", "ch", c, v] => format!("pb {c} {}", num(v)?),
        ["sysex", "F0", rest @ ..] => {
            // Drop the " (GM System On)"-style name after the bytes.
            let bytes: Vec<&str> = rest
                .iter()
                .take_while(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit()))
                .copied()
                .collect();
            format!("sysex F0 {}", bytes.join(" "))
        }
        _ => return None,
    })
}

fn recorded(rec: &str) -> Vec<(u64, String)> {
    rec.lines()
        .filter_map(|l| {
            let (t, e) = l.split_once('\t')?;
            Some((t.parse().ok()?, e.to_string()))
        })
        .collect()
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn timing(rec: &str, dump: &str) -> Result<bool, String> {
    let got = recorded(&read(rec)?);
    let want = expected(&read(dump)?);
    // Match in order, by event text (extra events such as a reset are skipped).
    let mut offsets = Vec::new();
    let mut wi = 0;
    for (t, e) in &got {
        // The next dump event with this text, a little ahead at most; an
        // event the dump does not have (a reset, the final all-off) is skipped.
        let ahead = want[wi..].iter().take(64).position(|(_, w)| w == e);
        if let Some(j) = ahead {
            offsets.push(*t as f64 - want[wi + j].0 * 1e6);
            wi += j + 1;
        }
    }
    if offsets.is_empty() {
        return Err("no event of the dump arrived".into());
    }
    let mut sorted = offsets.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let mut err: Vec<u64> = offsets
        .iter()
        .map(|o| (o - median).abs().round() as u64)
        .collect();
    err.sort_unstable();
    println!(
        "n={} matched_of={} p50_us={} p99_us={} max_us={}",
        err.len(),
        want.len(),
        percentile(&err, 0.5),
        percentile(&err, 0.99),
        err.last().copied().unwrap_or(0)
    );
    Ok(true)
}

fn balance(rec: &str) -> bool {
    let mut sounding = std::collections::BTreeMap::<(u32, u32), i64>::new();
    for (_, e) in recorded(rec) {
        let w: Vec<&str> = e.split_whitespace().collect();
        let n = |i: usize| w.get(i).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
        match w.first() {
            Some(&"on") if n(3) > 0 => *sounding.entry((n(1), n(2))).or_default() += 1,
            Some(&"on") | Some(&"off") => {
                let c = sounding.entry((n(1), n(2))).or_default();
                *c = (*c - 1).max(0);
            }
            _ => {}
        }
    }
    let left: Vec<_> = sounding.iter().filter(|(_, c)| **c > 0).collect();
    for ((ch, key), c) in &left {
        println!("sounding: ch {ch} key {key} ({c} note-on(s) not released)");
    }
    if left.is_empty() {
        println!("every note-on released");
    }
    left.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_lines_become_receiver_events() {
        let dump = "0\t0.000000\t1\tnote-on ch 1 C4 (60) vel 100\n\
                    0\t0.000000\t0\ttempo 500000 us/quarter (120 bpm)\n\
                    10\t0.010000\t1\tcontrol ch 10 cc 64 = 127\n\
                    10\t0.010000\t1\tpitch-bend ch 2 -8192\n\
                    10\t0.010000\t1\tpitch-bend ch 2 +5\n\
                    10\t0.010000\t1\tsysex F0 7E 7F 09 01 F7 (GM System On)\n\
                    20\t0.020000\t1\tnote-off ch 1 C4 (60) vel 0\n";
        let e: Vec<String> = expected(dump).into_iter().map(|(_, e)| e).collect();
        assert_eq!(
            e,
            [
                "on 1 60 100",
                "cc 10 64 127",
                "pb 2 -8192",
                "pb 2 5",
                "sysex F0 7E 7F 09 01 F7",
                "off 1 60 0"
            ]
        );
    }

    #[test]
    fn a_port_gets_the_events_of_its_tracks() {
        let dump = "0\t0.000000\t0\tprogram ch 1 5\n\
                    0\t0.000000\t1\tmidi-port 1\n\
                    0\t0.000000\t1\tprogram ch 1 48\tport 1\n\
                    0\t0.000000\t2\tprogram ch 1 7\tport 3\n\
                    5\t0.005000\t0\tnote-on ch 1 C4 (60) vel 100\n";
        let at = |n, count| -> Vec<String> {
            expected_at(dump, n, count)
                .into_iter()
                .map(|(_, e)| e)
                .collect()
        };
        assert_eq!(at(0, 2), ["pc 1 5", "on 1 60 100"]);
        assert_eq!(at(1, 2), ["pc 1 48", "pc 1 7"]);
        assert_eq!(at(0, 1).len(), 4);
    }

    #[test]
    fn timing_skips_events_the_dump_does_not_have() {
        let dir = std::env::temp_dir().join(format!("seq-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (rec, dump) = (dir.join("rec"), dir.join("dump"));
        std::fs::write(
            &rec,
            "100\tsysex F0 7E 7F 09 01 F7\n1000\ton 1 60 100\n501300\toff 1 60 0\n",
        )
        .unwrap();
        std::fs::write(
            &dump,
            "0\t0.000000\t1\tnote-on ch 1 C4 (60) vel 100\n\
                               1\t0.500000\t1\tnote-off ch 1 C4 (60) vel 0\n",
        )
        .unwrap();
        assert!(timing(rec.to_str().unwrap(), dump.to_str().unwrap()).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn balance_finds_unreleased_notes() {
        assert!(balance("1\ton 1 60 100\n2\ton 1 60 0\n"));
        assert!(!balance("1\ton 1 60 100\n2\toff 1 61 0\n"));
    }
}
