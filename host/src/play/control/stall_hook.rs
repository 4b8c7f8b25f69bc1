//! The hidden test hook `SMFPLAY_STALL=MS@PERIOD[xCOUNT]`: the audio
//! thread sleeps `MS` ms at period `PERIOD` (and every 50 periods after
//! it, `COUNT` times in all), to cause xruns on purpose.
//!
//! *Real-time*: parsed on the control thread; the engine sleeps as told.

use std::time::Duration;

/// The hook from the environment, if set and well formed: (period,
/// pause, count).
pub fn from_env() -> Option<(u64, Duration, u32)> {
    parse_stall(std::env::var("SMFPLAY_STALL").ok().as_deref())
}

/// `MS@PERIOD[xCOUNT]`.
fn parse_stall(s: Option<&str>) -> Option<(u64, Duration, u32)> {
    let s = s?;
    let (ms, rest) = s.split_once('@')?;
    let (at, count) = rest.split_once('x').unwrap_or((rest, "1"));
    Some((
        at.trim().parse().ok()?,
        Duration::from_millis(ms.trim().parse().ok()?),
        count.trim().parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stall_hook_parses() {
        assert_eq!(
            parse_stall(Some("30@200")),
            Some((200, Duration::from_millis(30), 1))
        );
        assert_eq!(
            parse_stall(Some("5@10x4")),
            Some((10, Duration::from_millis(5), 4))
        );
        assert_eq!(parse_stall(Some("nonsense")), None);
    }
}
