//! Stand-in D-Bus services for the rtkit tests, served on a
//! [`super::private_bus::PrivateBus`] by the test process itself: an rtkit
//! that records each request (the thread, the priority, and the caller's
//! `RLIMIT_RTTIME` read from `/proc` at that moment) and refuses or grants
//! it, and a polkit that authorizes everything (what a desktop's polkit
//! rules answer for rtkit) and records the questions. Not real-time code:
//! test helpers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::zvariant::OwnedValue;

/// One `MakeThreadRealtimeWithPID` the stand-in rtkit received.
#[derive(Debug, Clone)]
pub struct RtkitCall {
    pub pid: u64,
    pub tid: u64,
    pub priority: u32,
    /// The caller's `RLIMIT_RTTIME` (soft, hard) when it asked, from
    /// `/proc/PID/limits` ("unlimited" or microseconds).
    pub rttime: (String, String),
    /// Whether the thread was one of the process's (`/proc/PID/task/TID`).
    pub thread_of_process: bool,
}

/// What the stand-in rtkit answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `AccessDenied`, as rtkit-daemon says for `EPERM`.
    Refuse,
    /// Makes the thread `SCHED_FIFO` itself (the test runs as root).
    Grant,
}

/// The stand-in rtkit.
pub struct StandInRtkit {
    pub max_priority: i32,
    pub rttime_usec_max: i64,
    pub answer: Answer,
    pub calls: Arc<Mutex<Vec<RtkitCall>>>,
}

#[zbus::interface(name = "org.freedesktop.RealtimeKit1")]
impl StandInRtkit {
    #[zbus(property, name = "MaxRealtimePriority")]
    fn max_realtime_priority(&self) -> i32 {
        self.max_priority
    }

    #[zbus(property, name = "RTTimeUSecMax")]
    fn rttime_usec_max(&self) -> i64 {
        self.rttime_usec_max
    }

    #[zbus(name = "MakeThreadRealtimeWithPID")]
    fn make_thread_realtime_with_pid(
        &self,
        pid: u64,
        tid: u64,
        priority: u32,
    ) -> zbus::fdo::Result<()> {
        let call = RtkitCall {
            pid,
            tid,
            priority,
            rttime: rttime_of(pid),
            thread_of_process: std::path::Path::new(&format!("/proc/{pid}/task/{tid}")).exists(),
        };
        self.calls.lock().unwrap().push(call);
        match self.answer {
            Answer::Refuse => Err(zbus::fdo::Error::AccessDenied(
                "Operation not permitted".into(),
            )),
            Answer::Grant => {
                let param = libc::sched_param {
                    sched_priority: priority as i32,
                };
                // SAFETY: a plain system call on another process's thread.
                let rc = unsafe {
                    libc::sched_setscheduler(
                        tid as i32,
                        libc::SCHED_FIFO | libc::SCHED_RESET_ON_FORK,
                        &param,
                    )
                };
                if rc == 0 {
                    Ok(())
                } else {
                    Err(zbus::fdo::Error::Failed(
                        std::io::Error::last_os_error().to_string(),
                    ))
                }
            }
        }
    }
}

/// `RLIMIT_RTTIME` (soft, hard) of a process, from `/proc/PID/limits`.
pub fn rttime_of(pid: u64) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
    limits
        .lines()
        .find_map(|l| l.strip_prefix("Max realtime timeout"))
        .map(|rest| {
            let mut w = rest.split_whitespace();
            (
                w.next().unwrap_or("").to_string(),
                w.next().unwrap_or("").to_string(),
            )
        })
        .unwrap_or_default()
}

/// The stand-in polkit: authorizes every `CheckAuthorization` and records
/// (action, subject kind, subject's pid).
pub struct StandInPolkit {
    pub calls: Arc<Mutex<Vec<(String, String, u32)>>>,
}

#[zbus::interface(name = "org.freedesktop.PolicyKit1.Authority")]
impl StandInPolkit {
    fn check_authorization(
        &self,
        subject: (String, HashMap<String, OwnedValue>),
        action_id: String,
        _details: HashMap<String, String>,
        _flags: u32,
        _cancellation_id: String,
    ) -> ((bool, bool, HashMap<String, String>),) {
        let pid = subject
            .1
            .get("pid")
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0);
        self.calls.lock().unwrap().push((action_id, subject.0, pid));
        // One struct `(bba{ss})`, as polkit answers (rtkit reads a struct).
        ((true, false, HashMap::new()),)
    }
}

/// Calls recorded by a stand-in rtkit.
pub type RtkitCalls = Arc<Mutex<Vec<RtkitCall>>>;

/// Serves a stand-in rtkit (maximum priority 20, `RTTimeUSecMax`
/// `rttime_usec_max`, answering `answer`) on the bus; the connection must
/// be kept. Returns it and the calls it records.
pub fn serve_rtkit(
    bus: &super::private_bus::PrivateBus,
    rttime_usec_max: i64,
    answer: Answer,
) -> (zbus::blocking::Connection, RtkitCalls) {
    let calls = RtkitCalls::default();
    let rtkit = StandInRtkit {
        max_priority: 20,
        rttime_usec_max,
        answer,
        calls: calls.clone(),
    };
    let conn = bus
        .connect()
        .name("org.freedesktop.RealtimeKit1")
        .unwrap()
        .serve_at("/org/freedesktop/RealtimeKit1", rtkit)
        .unwrap()
        .build()
        .expect("serve the stand-in rtkit");
    (conn, calls)
}

/// Serves the stand-in polkit on the bus; the connection must be kept.
pub fn serve_polkit(
    bus: &super::private_bus::PrivateBus,
    polkit: StandInPolkit,
) -> zbus::blocking::Connection {
    bus.connect()
        .name("org.freedesktop.PolicyKit1")
        .unwrap()
        .serve_at("/org/freedesktop/PolicyKit1/Authority", polkit)
        .unwrap()
        .build()
        .expect("serve the stand-in polkit")
}
