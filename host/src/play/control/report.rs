//! What `play` prints: plain log lines (start, end, lyrics on a terminal,
//! xruns, load shedding, warnings, errors), JSON lines with `--json` (every
//! event, warning and error; texts, tempo and key changes with their exact
//! song time), nothing but errors with `--quiet`, and the timing report
//! (`--stats`, SIGUSR1).
//! While the live display runs ([`Log::set_live`]) it prints nothing the
//! display shows, and holds its standard-error lines until the terminal
//! is back.
//!
//! *Real-time*: control thread only.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::Duration;

use smfplay_core::sequencer::TextKind;
use smfplay_core::timing_histogram::{PERIOD_BUCKETS, TimingHistogram};

use crate::exit::HostError;
use crate::json_events::{PlayEvent, Stats, line, rounded};
use crate::play::realtime::alsa_output::Negotiated;
use crate::play::realtime::messages::Report;
use crate::play::realtime::shedder::ShedState;
use crate::play::realtime::snapshot::Snapshot;
use crate::play::realtime::thread_stats::ThreadStats;

/// The printer.
pub struct Log {
    quiet: bool,
    json: bool,
    tty: bool,
    /// The live display is up: what it shows is not printed, and stderr
    /// lines wait until it ends ([`Log::take_held`]).
    live: bool,
    held: RefCell<Vec<String>>,
}

/// Figures summed over the songs played.
#[derive(Default)]
pub struct Totals {
    /// Songs played.
    pub songs: u64,
    /// Work histogram over all songs.
    pub hist: Option<Box<TimingHistogram<PERIOD_BUCKETS>>>,
    /// Last snapshot (voices, shedding…) with summed counters.
    pub last: Option<Box<Snapshot>>,
    xruns: u64,
    late: u64,
    thread: ThreadStats,
    deferred: u64,
    dropped: u64,
}

impl Totals {
    /// Adds a song's final snapshot.
    pub fn add(&mut self, s: &Snapshot) {
        self.songs += 1;
        match &mut self.hist {
            Some(h) => h.merge(&s.hist),
            None => self.hist = Some(Box::new(s.hist.clone())),
        }
        self.xruns += s.xruns;
        self.late += s.late;
        self.deferred += s.deferred_periods;
        self.dropped += s.dropped;
        let t = &mut self.thread;
        t.write_max_ns = t.write_max_ns.max(s.thread.write_max_ns);
        t.preempted += s.thread.preempted;
        t.minor_faults += s.thread.minor_faults;
        t.major_faults += s.thread.major_faults;
        let mut last = Box::new(s.clone());
        last.thread = self.thread;
        last.xruns = self.xruns;
        last.late = self.late;
        last.deferred_periods = self.deferred;
        last.dropped = self.dropped;
        if let Some(h) = &self.hist {
            last.hist.clone_from(h);
        }
        self.last = Some(last);
    }
}

/// A song time in µs as JSON seconds, exact to the µs (`43.8`, as `host
/// dump` gives it, not `43.797`): the quotient is correctly rounded and
/// `serde_json` prints the shortest decimal that reads back as it.
fn seconds(us: u64) -> f64 {
    us as f64 / 1e6
}

fn us(ns: Option<u64>) -> f64 {
    ns.unwrap_or(0) as f64 / 1000.0
}

fn text_kind(k: TextKind) -> &'static str {
    match k {
        TextKind::Lyric => "lyric",
        TextKind::Marker => "marker",
        TextKind::CuePoint => "cue",
        TextKind::Text => "text",
    }
}

fn shed_words(level: u8, s: ShedState) -> String {
    if level == 0 {
        return "none".into();
    }
    format!(
        "level {level} (polyphony {}, reverb {}, chorus {})",
        s.polyphony,
        if s.reverb { "on" } else { "off" },
        if s.chorus { "on" } else { "off" }
    )
}

impl Log {
    /// A printer for these options.
    pub fn new(quiet: bool, json: bool, tty: bool) -> Self {
        Self {
            quiet,
            json,
            tty,
            live: false,
            held: RefCell::new(Vec::new()),
        }
    }

    /// The live display is up (or down again).
    pub fn set_live(&mut self, live: bool) {
        self.live = live;
    }

    /// The stderr lines held while the live display was up.
    pub fn take_held(&self) -> Vec<String> {
        std::mem::take(&mut *self.held.borrow_mut())
    }

    /// The last line held, for the display's status line.
    pub fn last_held(&self) -> Option<String> {
        self.held.borrow().last().cloned()
    }

    fn out(&self, line: &str) {
        if !self.quiet && !self.live {
            println!("{line}");
        }
    }

    fn err(&self, line: String) {
        if self.live {
            self.held.borrow_mut().push(line);
        } else {
            eprintln!("{line}");
        }
    }

    /// The device as opened.
    pub fn device(&self, name: &str, n: &Negotiated, asked_period: u32) {
        if self.json {
            self.out(&line(&PlayEvent::Device {
                device: name,
                format: n.format.name(),
                rate: n.rate,
                period: n.period,
                buffer: n.buffer,
                latency_ms: rounded(n.latency_ms(), 2),
            }));
        } else {
            let asked = if n.period as u32 != asked_period {
                format!(" (asked {asked_period})")
            } else {
                String::new()
            };
            self.out(&format!(
                "device {name}: {} {} Hz, period {} frames{asked}, buffer {} frames ({:.1} ms)",
                n.format.name(),
                n.rate,
                n.period,
                n.buffer,
                n.latency_ms()
            ));
        }
    }

    /// The sequencer ports `--port` plays on (instead of [`Log::device`]).
    pub fn ports(&self, ports: &str) {
        self.event_or_text(&PlayEvent::Ports { ports }, &format!("ports {ports}"));
    }

    /// A song starts.
    pub fn start(&self, file: &str) {
        self.event_or_text(&PlayEvent::Start { file }, &format!("playing {file}"));
    }

    /// `event` as a JSON line with `--json`, else `text`.
    fn event_or_text(&self, event: &PlayEvent, text: &str) {
        if self.json {
            self.out(&line(event));
        } else {
            self.out(text);
        }
    }

    /// A song ended.
    pub fn end(&self, file: &str, s: &Snapshot, wall: Duration, stopped: bool) {
        let played = s.song_ms as f64 / 1000.0;
        if self.json {
            self.out(&line(&PlayEvent::End {
                file,
                stopped,
                song_s: rounded(played, 3),
                wall_s: rounded(wall.as_secs_f64(), 3),
                xruns: s.xruns,
                late: s.late,
                periods: s.periods,
            }));
        } else {
            self.out(&format!(
                "{} {file} ({played:.1} s, {} xruns)",
                if stopped { "stopped" } else { "end" },
                s.xruns
            ));
        }
    }

    /// An error (always printed, on stderr; on stdout too as JSON).
    pub fn error(&self, e: &HostError) {
        self.json_error(e);
        self.err(format!(
            "{}: {}",
            crate::program::name(),
            crate::printable::printable(&e.to_string())
        ));
    }

    /// The JSON line of an error that ends the program (`main` prints its
    /// stderr line).
    pub fn json_error(&self, e: &HostError) {
        if self.json && !self.quiet {
            println!(
                "{}",
                line(&PlayEvent::Error {
                    code: e.exit_code(),
                    message: e.to_string(),
                })
            );
        }
    }

    /// A warning, `host: warning: …` as `render` says it (stderr unless
    /// quiet; on stdout too as JSON).
    pub fn warning(&self, w: &str) {
        if self.quiet {
            return;
        }
        let w = crate::printable::printable(w);
        if self.json {
            println!("{}", line(&PlayEvent::Warning { message: &w }));
        }
        self.err(format!("{}: warning: {w}", crate::program::name()));
    }

    /// Something the audio thread reported.
    pub fn report(&self, r: &Report) {
        match r {
            Report::Text(kind, bytes, at) => {
                let text = crate::text_decode::decode(bytes);
                if self.json {
                    let time_s = seconds(*at);
                    let text = &*text;
                    self.out(&line(&match kind {
                        TextKind::Lyric => PlayEvent::Lyric { time_s, text },
                        TextKind::Marker => PlayEvent::Marker { time_s, text },
                        TextKind::CuePoint => PlayEvent::Cue { time_s, text },
                        TextKind::Text => PlayEvent::Text { time_s, text },
                    }));
                } else if self.tty && matches!(kind, TextKind::Lyric | TextKind::Marker) {
                    let text = crate::printable::printable(text.trim_end());
                    self.out(&format!("  {}: {text}", text_kind(*kind)));
                }
            }
            Report::Tempo(us, at) => {
                if self.json {
                    let bpm = 60_000_000.0 / f64::from((*us).max(1));
                    self.out(&line(&PlayEvent::Tempo {
                        time_s: seconds(*at),
                        us_per_quarter: *us,
                        bpm: rounded(bpm, 3),
                    }));
                }
            }
            Report::Key(sharps, minor, at) => {
                if self.json {
                    self.out(&line(&PlayEvent::Key {
                        time_s: seconds(*at),
                        sharps: *sharps,
                        minor: *minor,
                    }));
                }
            }
            Report::Xrun(n, total) => {
                if self.json {
                    self.out(&line(&PlayEvent::Xrun {
                        count: *n,
                        total: *total,
                    }));
                } else if !self.quiet && !self.live {
                    eprintln!(
                        "{}: xrun ({total} so far): the device ran dry and was restarted",
                        crate::program::name()
                    );
                }
            }
            Report::Shed(level, state) => {
                if self.json {
                    self.out(&line(&PlayEvent::Shed {
                        level: *level,
                        polyphony: state.polyphony,
                        reverb: state.reverb,
                        chorus: state.chorus,
                    }));
                } else if !self.quiet && !self.live {
                    eprintln!(
                        "{}: load {}: {}",
                        crate::program::name(),
                        if *level == 0 {
                            "normal again"
                        } else {
                            "high, shedding"
                        },
                        shed_words(*level, *state)
                    );
                }
            }
        }
    }

    /// The report for SIGUSR1 (stderr, whatever `--quiet` says: it was asked for).
    pub fn snapshot(&self, s: &Snapshot, n: &Negotiated, device: &str) {
        self.err(format_report(s, n, device, self.json));
    }

    /// The `--stats` report.
    pub fn totals(&self, t: &Totals, n: &Negotiated, device: &str) {
        if let Some(s) = &t.last {
            eprintln!("{}", format_report(s, n, device, self.json));
        }
    }
}

/// The audio thread's priority in the text report: "SCHED_FIFO 60",
/// "real-time 20 (rtkit)" or "normal priority".
fn priority_words() -> String {
    use crate::play::realtime::scheduling;
    match scheduling::granted_by() {
        Some("rtkit") => format!("real-time {} (rtkit)", scheduling::priority()),
        Some(_) => format!("SCHED_FIFO {}", scheduling::priority()),
        None => "normal priority".to_string(),
    }
}

/// The timing report.
pub fn format_report(s: &Snapshot, n: &Negotiated, device: &str, json: bool) -> String {
    let budget_us = n.period as f64 * 1e6 / f64::from(n.rate);
    let p50 = us(s.hist.percentile(50.0));
    let p99 = us(s.hist.percentile(99.0));
    let max = us(s.hist.max());
    let pct = |v: f64| v * 100.0 / budget_us;
    let delay = s.delay.unwrap_or(-1);
    let delay_ms = delay as f64 * 1000.0 / f64::from(n.rate);
    let rt = crate::play::realtime::scheduling::is_realtime();
    if json {
        return line(&PlayEvent::Stats(Box::new(Stats {
            device,
            format: n.format.name(),
            rate: n.rate,
            period: n.period,
            buffer: n.buffer,
            latency_ms: rounded(n.latency_ms(), 2),
            delay_frames: delay,
            budget_us: rounded(budget_us, 1),
            work_p50_us: rounded(p50, 1),
            work_p99_us: rounded(p99, 1),
            work_max_us: rounded(max, 1),
            work_p99_percent: rounded(pct(p99), 1),
            periods: s.hist.count(),
            xruns: s.xruns,
            late: s.late,
            deferred_periods: s.deferred_periods,
            dropped_payloads: s.dropped,
            voices: s.voices,
            polyphony: s.shed.polyphony,
            shed_level: s.shed_level,
            reverb: s.shed.reverb,
            chorus: s.shed.chorus,
            song_s: rounded(s.song_ms as f64 / 1000.0, 3),
            realtime: rt,
            priority: crate::play::realtime::scheduling::priority(),
            realtime_by: crate::play::realtime::scheduling::granted_by(),
            memory_locked: crate::play::realtime::scheduling::is_locked(),
            locked_kib: crate::play::realtime::scheduling::hot_bytes() / 1024,
            write_max_us: rounded(s.thread.write_max_ns as f64 / 1000.0, 1),
            preempted: s.thread.preempted,
            minor_faults: s.thread.minor_faults,
            major_faults: s.thread.major_faults,
        })));
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "smfplay report: {device}, {} {} Hz, period {} frames, buffer {} frames ({} periods), latency {:.1} ms, ALSA delay now {} frames ({:.1} ms)",
        n.format.name(),
        n.rate,
        n.period,
        n.buffer,
        n.periods(),
        n.latency_ms(),
        delay,
        delay_ms
    );
    let _ = writeln!(
        o,
        "  work per period (budget {budget_us:.0} µs): p50 {p50:.0} µs ({:.1}%), p99 {p99:.0} µs ({:.1}%), max {max:.0} µs ({:.1}%) over {} periods",
        pct(p50),
        pct(p99),
        pct(max),
        s.hist.count()
    );
    let _ = write!(
        o,
        "  xruns {}, late events {}, deferred periods {}, dropped payloads {}, voices {}/{}, shed: {}, position {:.1} s, {}",
        s.xruns,
        s.late,
        s.deferred_periods,
        s.dropped,
        s.voices,
        s.shed.polyphony,
        shed_words(s.shed_level, s.shed),
        s.song_ms as f64 / 1000.0,
        priority_words()
    );
    let _ = write!(
        o,
        "\n  audio thread: longest device write {:.1} ms, preempted {} times, page faults {} minor / {} major, memory locked: {}",
        s.thread.write_max_ns as f64 / 1e6,
        s.thread.preempted,
        s.thread.minor_faults,
        s.thread.major_faults,
        crate::play::realtime::scheduling::lock_words()
    );
    o
}
