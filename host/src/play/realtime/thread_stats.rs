//! How the audio thread was scheduled (longest write, preemptions, page
//! faults), read with `getrusage(RUSAGE_THREAD)`.
//!
//! *Real-time*: read on the audio thread for a snapshot; `getrusage` is a
//! system call that neither blocks nor does I/O.

/// How the audio thread was scheduled: where a dropout's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThreadStats {
    /// Longest device write (waiting for room in the buffer, or not
    /// scheduled), in ns.
    pub write_max_ns: u64,
    /// Times the thread was preempted (involuntary context switches).
    pub preempted: u64,
    /// Page faults served without I/O.
    pub minor_faults: u64,
    /// Page faults that read from disk.
    pub major_faults: u64,
}

impl ThreadStats {
    /// The calling thread's counters (`getrusage(RUSAGE_THREAD)`), with
    /// this longest write.
    pub fn of_this_thread(write_max_ns: u64) -> Self {
        // (rustix has no getrusage.)
        // SAFETY: getrusage fills the zeroed plain-data struct it is given;
        // an all-zero `rusage` is a valid value.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid `who` and a live, writable struct.
        let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) } == 0;
        Self {
            write_max_ns,
            preempted: if ok { ru.ru_nivcsw as u64 } else { 0 },
            minor_faults: if ok { ru.ru_minflt as u64 } else { 0 },
            major_faults: if ok { ru.ru_majflt as u64 } else { 0 },
        }
    }
}
