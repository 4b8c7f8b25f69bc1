//! The JSON that `host play --json`, `host devices --json`,
//! `host ports --json` and `host dump --json` print: one `#[derive(Serialize)]` type per line,
//! written with `serde_json` (one object per line, `"event"` naming it).
//! The README ("JSON output") documents every field.
//!
//! *Real-time*: control thread only (builds `String`s).

use serde::Serialize;

/// A float rounded to `decimals` places, as JSON shows it (`43.8`, not
/// `43.800000000000004`).
pub fn rounded(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// One line of `host play --json`.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PlayEvent<'a> {
    /// The device as opened.
    Device {
        device: &'a str,
        format: &'a str,
        rate: u32,
        period: usize,
        buffer: usize,
        latency_ms: f64,
    },
    /// The sequencer ports `--port` plays on (instead of `device`).
    Ports { ports: &'a str },
    /// A song starts.
    Start { file: &'a str },
    /// A song ended or was stopped.
    End {
        file: &'a str,
        stopped: bool,
        song_s: f64,
        wall_s: f64,
        xruns: u64,
        late: u64,
        periods: u64,
    },
    /// An error (also on standard error): a file's, or the one that ends
    /// the program (the SoundFont's, the device's).
    Error { code: i32, message: String },
    /// A warning (also on standard error, as `host: warning: …`).
    Warning { message: &'a str },
    /// A lyric as it is sung.
    Lyric { time_s: f64, text: &'a str },
    /// A marker.
    Marker { time_s: f64, text: &'a str },
    /// A cue point.
    Cue { time_s: f64, text: &'a str },
    /// A text event.
    Text { time_s: f64, text: &'a str },
    /// A tempo change at its exact song time.
    Tempo {
        time_s: f64,
        us_per_quarter: u32,
        bpm: f64,
    },
    /// A key signature at its exact song time.
    Key {
        time_s: f64,
        sharps: i8,
        minor: bool,
    },
    /// The device ran dry.
    Xrun { count: u32, total: u64 },
    /// Load shedding changed.
    Shed {
        level: u8,
        polyphony: u32,
        reverb: bool,
        chorus: bool,
    },
    /// The timing report (`--stats`, SIGUSR1).
    Stats(Box<Stats<'a>>),
}

/// The timing report's figures.
#[derive(Debug, Serialize)]
pub struct Stats<'a> {
    pub device: &'a str,
    pub format: &'a str,
    pub rate: u32,
    pub period: usize,
    pub buffer: usize,
    pub latency_ms: f64,
    pub delay_frames: i64,
    pub budget_us: f64,
    pub work_p50_us: f64,
    pub work_p99_us: f64,
    pub work_max_us: f64,
    pub work_p99_percent: f64,
    pub periods: u64,
    pub xruns: u64,
    pub late: u64,
    pub deferred_periods: u64,
    pub dropped_payloads: u64,
    pub voices: u32,
    pub polyphony: u32,
    pub shed_level: u8,
    pub reverb: bool,
    pub chorus: bool,
    pub song_s: f64,
    pub realtime: bool,
    /// The audio thread's `SCHED_FIFO` priority (0: normal priority).
    pub priority: u32,
    /// Who granted it: `"kernel"` (`RLIMIT_RTPRIO` or root) or `"rtkit"`.
    pub realtime_by: Option<&'static str>,
    pub memory_locked: bool,
    pub locked_kib: u64,
    pub write_max_us: f64,
    pub preempted: u64,
    pub minor_faults: u64,
    pub major_faults: u64,
}

/// One line of `host devices --json`.
#[derive(Debug, Serialize)]
pub struct DeviceLine<'a> {
    /// The name to pass to `--device`.
    pub name: &'a str,
    /// ALSA's description (may be empty).
    pub description: &'a str,
}

/// One port of `host ports --json` (the output is one array of them).
#[derive(Debug, Serialize)]
pub struct PortLine<'a> {
    /// `client:port`, as `--port` takes it.
    pub port: String,
    /// The client number.
    pub client: i32,
    /// The client's name.
    pub client_name: &'a str,
    /// The port's name.
    pub port_name: &'a str,
}

/// One line of `host dump --json`: an event in playback order.
#[derive(Debug, Serialize)]
pub struct DumpLine<'a> {
    /// Tick from the start of the file.
    pub tick: u64,
    /// Exact song time in seconds (microsecond resolution).
    pub time_s: f64,
    /// Track, from 0 in file order.
    pub track: u16,
    /// For channel and sysex events: the track's MIDI port (its last
    /// `FF 21`, 0 before one), which `play --port A,B` routes by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u8>,
    /// The event as `host dump` writes it.
    pub event: &'a str,
    /// The text of a text event (lyric, marker, name…), decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
}

/// `value` as one JSON line (without the newline).
pub fn line<T: Serialize>(value: &T) -> String {
    // Serializing these types cannot fail: no maps with non-string keys,
    // no fallible `Serialize` impls.
    serde_json::to_string(value)
        .unwrap_or_else(|e| format!("{{\"event\":\"error\",\"message\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_objects() {
        let v: serde_json::Value = serde_json::from_str(&line(&PlayEvent::Lyric {
            time_s: rounded(43.800_000_000_004, 3),
            text: "caf\u{e9} \"x\"",
        }))
        .unwrap();
        assert_eq!(v["event"], "lyric");
        assert_eq!(v["time_s"], 43.8);
        assert_eq!(v["text"], "café \"x\"");
        let v: serde_json::Value =
            serde_json::from_str(&line(&PlayEvent::Start { file: "a.mid" })).unwrap();
        assert_eq!(v, serde_json::json!({"event": "start", "file": "a.mid"}));
    }
}
