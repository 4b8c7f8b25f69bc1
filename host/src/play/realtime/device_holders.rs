//! Which programs hold an ALSA playback device open, for the "device busy"
//! error: the processes with a `/dev/snd/pcmC*D*p` file open, found in
//! `/proc/*/fd` (only those the user may look at; cheap: one `readlink`
//! per open file).
//!
//! *Real-time*: not real-time (start-up error path only).

use std::path::Path;

/// "name (pid N)" for every other process holding a playback PCM device.
pub fn playback_holders() -> Vec<String> {
    holders_of(Path::new("/proc"), |target| {
        target
            .strip_prefix("/dev/snd/pcmC")
            .is_some_and(|rest| rest.ends_with('p'))
    })
}

/// "name (pid N)" for every process except this one under `proc_root`
/// with an open file whose path satisfies `wanted`.
pub fn holders_of(proc_root: &Path, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    holders_including(proc_root, &wanted, false)
}

fn holders_including(proc_root: &Path, wanted: &dyn Fn(&str) -> bool, me_too: bool) -> Vec<String> {
    let me = std::process::id();
    let Ok(procs) = std::fs::read_dir(proc_root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me && !me_too {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path())
                .ok()
                .and_then(|t| t.to_str().map(&wanted))
                .unwrap_or(false)
        });
        if holds {
            let name = std::fs::read_to_string(entry.path().join("comm"))
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "?".into());
            out.push(format!("{name} (pid {pid})"));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_process_holding_a_file() {
        let path = std::env::temp_dir().join(format!("smfplay-holder-{}", std::process::id()));
        let held = std::fs::File::create(&path).unwrap();
        let want = path.to_str().unwrap().to_string();
        let found = holders_including(Path::new("/proc"), &|t| t == want, true);
        let me = format!("(pid {})", std::process::id());
        assert!(found.iter().any(|h| h.ends_with(&me)), "{found:?}");
        // Not ourselves when asked for the others only.
        assert!(
            !holders_of(Path::new("/proc"), |t| t == want)
                .iter()
                .any(|h| h.ends_with(&me))
        );
        drop(held);
        let _ = std::fs::remove_file(&path);
        assert!(
            !holders_including(Path::new("/proc"), &|t| t == want, true)
                .iter()
                .any(|h| h.ends_with(&me))
        );
    }
}
