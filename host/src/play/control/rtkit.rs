//! The rtkit client: asks `org.freedesktop.RealtimeKit1` (rtkit-daemon, as
//! PipeWire and PulseAudio clients do) on the system D-Bus to make the
//! audio thread real-time when the kernel refused it `SCHED_FIFO` for want of an
//! `RLIMIT_RTPRIO` (a desktop user, Raspberry Pi OS with PipeWire).
//!
//! It reads rtkit's `MaxRealtimePriority` and `RTTimeUSecMax`, asks for our
//! priority clamped to the first, sets `RLIMIT_RTTIME` (hard: rtkit's
//! maximum; soft: half of it, see [`crate::play::realtime::scheduling`]
//! for what the kernel does past each) and calls
//! `MakeThreadRealtimeWithPID(pid, tid, priority)`; then it reads the
//! thread's policy back from `/proc` (the kernel's word, not rtkit's).
//! The connection is made lazily, the first time a song needs it (so
//! `host info` and a root or `rtprio` user never touch D-Bus), and kept for
//! the next songs. `DBUS_SYSTEM_BUS_ADDRESS` names the bus (the tests run a
//! private one); the default is `/var/run/dbus/system_bus_socket`.
//!
//! *Not real-time*: runs on the control thread (socket I/O, allocation,
//! waits up to [`TIMEOUT`] for an answer).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use zbus::DBusError;
use zbus::blocking::Connection;
use zbus::zvariant::OwnedValue;

const SERVICE: &str = "org.freedesktop.RealtimeKit1";
const PATH: &str = "/org/freedesktop/RealtimeKit1";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";

/// The longest wait for the bus and rtkit's answer (it asks polkit first).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The soft `RLIMIT_RTTIME` set (µs), for the warning when it was hit.
static SOFT_RTTIME_US: AtomicU64 = AtomicU64::new(0);

/// What rtkit granted.
#[derive(Debug, Clone, Copy)]
pub struct Granted {
    /// The policy rtkit chose: `SCHED_RR` (rtkit-daemon's default) or
    /// `SCHED_FIFO`.
    pub policy: &'static str,
    /// The real-time priority obtained.
    pub priority: u32,
    /// rtkit's `MaxRealtimePriority`.
    pub max_priority: u32,
    /// The hard and soft `RLIMIT_RTTIME` set (µs).
    pub rttime_us: (u64, u64),
}

impl Granted {
    /// For `--verbose`.
    pub fn words(&self) -> String {
        format!(
            "its maximum {}; RLIMIT_RTTIME {} ms, SIGXCPU at {} ms",
            self.max_priority,
            self.rttime_us.0 / 1000,
            self.rttime_us.1 / 1000
        )
    }
}

/// The soft `RLIMIT_RTTIME` set for rtkit (µs; 0 before).
pub fn soft_rttime_us() -> u64 {
    SOFT_RTTIME_US.load(Ordering::Relaxed)
}

/// Asks rtkit to make thread `tid` of this process real-time (rtkit picks
/// the policy: `SCHED_RR` unless configured otherwise) at
/// `wanted` (clamped to rtkit's maximum). The error says why not, in
/// words for the warning ("no system bus at …", "rtkit-daemon not
/// running …", "refused: …").
///
/// The request runs on a helper thread: a bus that accepts the connection
/// but never answers (zbus bounds method calls, not the connection's
/// handshake) costs the control thread [`TIMEOUT`], not the song.
pub fn make_thread_realtime(tid: i32, wanted: u32) -> Result<Granted, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("rtkit".into())
        .spawn(move || {
            let _ = tx.send(request(tid, wanted));
        })
        .map_err(|e| format!("cannot start its thread ({e})"))?;
    rx.recv_timeout(TIMEOUT)
        .unwrap_or_else(|_| Err(format!("no answer on the system bus within {TIMEOUT:?}")))
}

/// The request itself (on the helper thread).
fn request(tid: i32, wanted: u32) -> Result<Granted, String> {
    let conn = connection()?;
    let max_priority = property(&conn, "MaxRealtimePriority")?;
    let rttime_max = property(&conn, "RTTimeUSecMax")?;
    let max_priority = u32::try_from(max_priority).unwrap_or(0);
    let rttime_max = u64::try_from(rttime_max).unwrap_or(0);
    if max_priority == 0 || rttime_max == 0 {
        return Err(format!(
            "refused: it hands out no real-time priority (MaxRealtimePriority {max_priority}, \
             RTTimeUSecMax {rttime_max})"
        ));
    }
    let priority = wanted.min(max_priority);
    let rttime_us = limit_rttime(rttime_max)?;
    let pid = rustix::process::getpid().as_raw_nonzero().get();
    conn.call_method(
        Some(SERVICE),
        PATH,
        Some(SERVICE),
        "MakeThreadRealtimeWithPID",
        &(pid as u64, tid as u64, priority),
    )
    .map_err(|e| format!("refused: {}", error_words(&e)))?;
    match realtime_policy(tid) {
        Some((policy, p)) if p > 0 => Ok(Granted {
            policy,
            priority: p,
            max_priority,
            rttime_us,
        }),
        _ => Err("it answered yes, but the thread is not real-time".to_string()),
    }
}

/// The system bus connection, made on first use and kept.
fn connection() -> Result<Connection, String> {
    static CONN: Mutex<Option<Connection>> = Mutex::new(None);
    let mut held = CONN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = held.as_ref() {
        return Ok(c.clone());
    }
    let address = std::env::var("DBUS_SYSTEM_BUS_ADDRESS")
        .unwrap_or_else(|_| "unix:path=/var/run/dbus/system_bus_socket".to_string());
    let conn = zbus::blocking::connection::Builder::system()
        .and_then(|b| b.method_timeout(TIMEOUT).build())
        .map_err(|e| format!("no system bus at {address} ({})", error_words(&e)))?;
    *held = Some(conn.clone());
    Ok(conn)
}

/// One of rtkit's properties.
fn property(conn: &Connection, name: &str) -> Result<i64, String> {
    let reply = conn
        .call_method(
            Some(SERVICE),
            PATH,
            Some(PROPERTIES),
            "Get",
            &(SERVICE, name),
        )
        .map_err(|e| match dbus_error_name(&e).as_deref() {
            Some(
                "org.freedesktop.DBus.Error.ServiceUnknown"
                | "org.freedesktop.DBus.Error.NameHasNoOwner",
            ) => format!("rtkit-daemon not running ({})", error_words(&e)),
            _ => format!("cannot read its {name} ({})", error_words(&e)),
        })?;
    let value: OwnedValue = reply
        .body()
        .deserialize()
        .map_err(|e| format!("its {name} unreadable ({e})"))?;
    // rtkit says `MaxRealtimePriority` as int32, `RTTimeUSecMax` as int64.
    i64::try_from(&value)
        .or_else(|_| i32::try_from(&value).map(i64::from))
        .or_else(|_| u32::try_from(&value).map(i64::from))
        .map_err(|_| format!("its {name} is not a number ({value:?})"))
}

/// Sets `RLIMIT_RTTIME` for rtkit: hard at most `max_us` (never raised),
/// soft at half the hard. Returns (hard, soft).
fn limit_rttime(max_us: u64) -> Result<(u64, u64), String> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let now = getrlimit(Resource::Rttime);
    let hard = now.maximum.map_or(max_us, |m| m.min(max_us));
    let soft = (hard / 2).max(1);
    setrlimit(
        Resource::Rttime,
        Rlimit {
            current: Some(soft),
            maximum: Some(hard),
        },
    )
    .map_err(|e| format!("RLIMIT_RTTIME could not be set ({e})"))?;
    SOFT_RTTIME_US.store(soft, Ordering::Relaxed);
    Ok((hard, soft))
}

/// The thread's real-time policy and priority as the kernel reports them
/// (`/proc/self/task/TID/stat`: `rt_priority` and `policy`, the 40th and
/// 41st fields); `None` when it is not real-time or cannot be read.
pub fn realtime_policy(tid: i32) -> Option<(&'static str, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // After the command name, in parentheses, the third field is first.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let rt_priority: u32 = fields.get(40 - 3)?.parse().ok()?;
    let policy: i32 = fields.get(41 - 3)?.parse().ok()?;
    match policy {
        libc::SCHED_FIFO => Some(("SCHED_FIFO", rt_priority)),
        libc::SCHED_RR => Some(("SCHED_RR", rt_priority)),
        _ => None,
    }
}

/// The D-Bus error's name and text, when the error is one.
fn dbus_error(e: &zbus::Error) -> Option<(String, Option<String>)> {
    match e {
        zbus::Error::MethodError(name, text, _) => Some((name.to_string(), text.clone())),
        zbus::Error::FDO(fdo) => Some((
            fdo.name().to_string(),
            fdo.description().map(str::to_string),
        )),
        _ => None,
    }
}

/// The D-Bus error's name, when the error is one.
fn dbus_error_name(e: &zbus::Error) -> Option<String> {
    dbus_error(e).map(|(name, _)| name)
}

/// A zbus error in words: the D-Bus error's text and name when it is one.
fn error_words(e: &zbus::Error) -> String {
    match (dbus_error(e), e) {
        (Some((name, Some(text))), _) => format!("{text}: {name}"),
        (Some((name, None)), _) => name,
        (None, zbus::Error::InputOutput(io)) => io.to_string(),
        (None, other) => other.to_string(),
    }
}
