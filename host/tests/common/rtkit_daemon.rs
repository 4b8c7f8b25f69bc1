//! The real `rtkit-daemon` (Debian package `rtkit`) on a private system
//! bus ([`super::private_bus::PrivateBus`]) with a stand-in polkit that
//! authorizes (as a desktop's rules do for rtkit), for the tests that get
//! real time through rtkit; and what the kernel says of a process's
//! threads' scheduling (`/proc/PID/task/*/stat`), to see it granted.
//! Runs as root (`--no-drop-privileges`); stopped (by its process id) when
//! dropped. Not real-time code: test helpers.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::private_bus::PrivateBus;
use super::stand_ins::{StandInPolkit, serve_polkit};

/// A running rtkit-daemon and the bus it serves on.
pub struct RealRtkit {
    daemon: Child,
    _polkit: zbus::blocking::Connection,
    /// The questions rtkit asked polkit: (action, subject kind, pid).
    pub polkit_calls: Arc<Mutex<Vec<(String, String, u32)>>>,
    /// Its bus (`DBUS_SYSTEM_BUS_ADDRESS` for `host`: `bus.address`).
    pub bus: PrivateBus,
}

impl RealRtkit {
    /// Starts a private bus named `name`, the stand-in polkit and
    /// rtkit-daemon; returns once rtkit owns its name on the bus (fails
    /// within 10 s, with its standard error, when it does not).
    pub fn start(name: &str) -> Self {
        let daemon_path = ["/usr/libexec/rtkit-daemon", "/usr/lib/rtkit/rtkit-daemon"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("rtkit-daemon is missing: run scripts/setup --test (Debian package rtkit)");
        let bus = PrivateBus::start(name);
        let polkit_calls = Arc::new(Mutex::new(Vec::new()));
        let polkit = serve_polkit(
            &bus,
            StandInPolkit {
                calls: polkit_calls.clone(),
            },
        );
        let mut daemon = Command::new(daemon_path)
            .args([
                "--no-drop-privileges",
                "--no-chroot",
                "--no-canary",
                "--stderr",
            ])
            .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rtkit-daemon");
        let watcher = bus.connect().build().unwrap();
        let dbus = zbus::blocking::fdo::DBusProxy::new(&watcher).unwrap();
        let start = Instant::now();
        while !dbus
            .name_has_owner("org.freedesktop.RealtimeKit1".try_into().unwrap())
            .unwrap()
        {
            if let Some(status) = daemon.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(daemon.stderr.as_mut().unwrap(), &mut err).unwrap();
                panic!("rtkit-daemon exited ({status}): {err}");
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = daemon.kill();
                let _ = daemon.wait();
                panic!("rtkit-daemon did not take its name on the private bus within 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            daemon,
            _polkit: polkit,
            polkit_calls,
            bus,
        }
    }

    /// Whether rtkit asked polkit to let process `pid` acquire real time.
    pub fn asked_polkit_for(&self, pid: u32) -> bool {
        self.polkit_calls
            .lock()
            .unwrap()
            .iter()
            .any(|(action, kind, p)| {
                action == "org.freedesktop.RealtimeKit1.acquire-real-time"
                    && kind == "unix-process"
                    && *p == pid
            })
    }
}

impl Drop for RealRtkit {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// What the kernel says of a process's threads: (name, policy,
/// rt_priority) from `/proc/PID/task/*/stat`.
fn threads_of(pid: u32) -> Vec<(String, u32, u32)> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_string();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let num = |n: usize| fields.get(n - 3).and_then(|f| f.parse().ok()).unwrap_or(0);
        found.push((name, num(41), num(40)));
    }
    found
}

/// Waits until `child`'s thread named `thread` is real-time (`SCHED_FIFO`,
/// policy 1, or `SCHED_RR`, 2: rtkit-daemon's default policy) or the child
/// ends, at most `limit`; returns that thread's real-time priority. (Other
/// threads may get real time too: pipewire-alsa's asks rtkit for its own.)
pub fn watch_for_realtime(child: &mut Child, thread: &str, limit: Duration) -> Option<u32> {
    let start = Instant::now();
    while start.elapsed() < limit && child.try_wait().unwrap().is_none() {
        if let Some((_, _, prio)) = threads_of(child.id())
            .into_iter()
            .find(|(name, policy, _)| name == thread && (*policy == 1 || *policy == 2))
        {
            return Some(prio);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}
