//! Delivers the [`Effect`]s of [`super::controls::Controls::apply`] —
//! from the keys and from a `--commands` file alike — over the existing
//! queues: commands to the audio thread, seek targets to the feeder (which
//! chases), and what is asked of the playlist ([`Nav`]). One per song; it
//! works with or without the live display.
//!
//! *Real-time*: control thread only; never blocks (a full queue drops the
//! effect and says so).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use smfplay_core::sequencer::SeekTarget;

use super::controls::Effect;
use crate::play::realtime::messages::AudioCmd;
use crate::play::realtime::play_status::PlayStatus;
use crate::play::realtime::queues::ControlEnds;

/// A seek pressed this soon after another counts from the first one's
/// target (the play head has not got there yet).
const SEEK_CHAIN: Duration = Duration::from_millis(600);

/// What the keys or a command file ask of the playlist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    /// Move this many files on (`n`: +1, `p`: −1; presses during one
    /// song add up, as seek presses do: `n n` skips two).
    Skip(i32),
    /// Stop playing.
    Quit,
}

/// How one effect went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivered {
    /// Sent (or nothing to send).
    Sent,
    /// A seek was sent: what was heard before it no longer applies.
    Seeked,
    /// Its queue was full: dropped.
    Dropped,
}

/// Delivers effects for one song.
pub struct Delivery {
    /// Song length in ms, when known (seeks stop there).
    total_ms: Option<u64>,
    rate: u32,
    last_seek: Option<(Instant, u64)>,
    nav: Option<Nav>,
}

impl Delivery {
    /// For a song of `total_ms` (if known) played at `rate` Hz.
    pub fn new(total_ms: Option<u64>, rate: u32) -> Self {
        Self {
            total_ms,
            rate,
            last_seek: None,
            nav: None,
        }
    }

    /// What was asked of the playlist during this song.
    pub fn nav(&self) -> Option<Nav> {
        self.nav
    }

    /// Sends `effect` where it goes.
    pub fn deliver(
        &mut self,
        effect: Effect,
        status: &PlayStatus,
        q: &mut ControlEnds<'_>,
    ) -> Delivered {
        self.deliver_at(effect, status, q, Instant::now())
    }

    fn deliver_at(
        &mut self,
        effect: Effect,
        status: &PlayStatus,
        q: &mut ControlEnds<'_>,
        now: Instant,
    ) -> Delivered {
        match effect {
            Effect::Audio(cmd) => match q.commands.enqueue(cmd) {
                Ok(()) => Delivered::Sent,
                Err(_) => Delivered::Dropped,
            },
            Effect::SeekBy(_) | Effect::SeekStart | Effect::SeekTo(_) => {
                let base = match self.last_seek {
                    Some((at, target)) if now.duration_since(at) < SEEK_CHAIN => target,
                    _ => status.song_ms.load(Ordering::Relaxed),
                };
                let target = match effect {
                    Effect::SeekBy(ms) => base.saturating_add_signed(ms),
                    Effect::SeekTo(ms) => ms,
                    _ => 0,
                };
                let target = self.total_ms.map_or(target, |t| target.min(t));
                let frame = target.saturating_mul(u64::from(self.rate)) / 1000;
                match q.seeks.enqueue(SeekTarget::SongFrame(frame)) {
                    Ok(()) => {
                        self.last_seek = Some((now, target));
                        Delivered::Seeked
                    }
                    Err(_) => Delivered::Dropped,
                }
            }
            Effect::Next | Effect::Previous | Effect::Quit => {
                let step = match effect {
                    Effect::Next => 1,
                    Effect::Previous => -1,
                    _ => 0,
                };
                match self.nav {
                    // The song is already stopping: a quit wins, a skip adds up.
                    Some(Nav::Quit) => return Delivered::Sent,
                    Some(Nav::Skip(n)) => {
                        self.nav = Some(if step == 0 {
                            Nav::Quit
                        } else {
                            Nav::Skip(n.saturating_add(step))
                        });
                        return Delivered::Sent;
                    }
                    None => {}
                }
                if q.commands.enqueue(AudioCmd::Quit).is_err() {
                    return Delivered::Dropped;
                }
                self.nav = Some(if step == 0 {
                    Nav::Quit
                } else {
                    Nav::Skip(step)
                });
                Delivered::Sent
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play::realtime::queues::PlayQueues;
    use smfplay_core::sequencer::Command;

    #[test]
    fn effects_go_to_their_queues() {
        let mut queues = PlayQueues::new();
        let (feeder, mut audio, mut ctrl) = queues.split();
        let status = PlayStatus::new();
        status.song_ms.store(10_000, Ordering::Relaxed);
        let mut d = Delivery::new(Some(60_000), 1000);
        let t0 = Instant::now();
        let cmd = AudioCmd::Transport(Command::Pause);
        assert_eq!(
            d.deliver_at(Effect::Audio(cmd), &status, &mut ctrl, t0),
            Delivered::Sent
        );
        assert_eq!(audio.commands.dequeue(), Some(cmd));
        let mut seeks = feeder.seeks;
        // From the play head; a second seek soon after chains from the first.
        assert_eq!(
            d.deliver_at(Effect::SeekBy(5_000), &status, &mut ctrl, t0),
            Delivered::Seeked
        );
        assert_eq!(seeks.dequeue(), Some(SeekTarget::SongFrame(15_000)));
        d.deliver_at(Effect::SeekBy(-30_000), &status, &mut ctrl, t0);
        assert_eq!(seeks.dequeue(), Some(SeekTarget::SongFrame(0)));
        // An absolute seek stops at the song's end, and later ones step
        // from its target, not from the play head.
        d.deliver_at(Effect::SeekTo(90_000), &status, &mut ctrl, t0);
        assert_eq!(seeks.dequeue(), Some(SeekTarget::SongFrame(60_000)));
        d.deliver_at(Effect::SeekBy(-5_000), &status, &mut ctrl, t0);
        assert_eq!(seeks.dequeue(), Some(SeekTarget::SongFrame(55_000)));
        // Long after: from the play head again.
        let later = t0 + SEEK_CHAIN;
        d.deliver_at(Effect::SeekBy(5_000), &status, &mut ctrl, later);
        assert_eq!(seeks.dequeue(), Some(SeekTarget::SongFrame(15_000)));
        d.deliver_at(Effect::SeekStart, &status, &mut ctrl, later);
        assert_eq!(seeks.dequeue(), Some(SeekTarget::SongFrame(0)));
    }

    #[test]
    fn skips_add_up_a_quit_wins_and_the_song_stops_once() {
        let mut queues = PlayQueues::new();
        let (_feeder, mut audio, mut ctrl) = queues.split();
        let status = PlayStatus::new();
        let mut d = Delivery::new(None, 48_000);
        assert_eq!(d.nav(), None);
        d.deliver(Effect::Next, &status, &mut ctrl);
        assert_eq!(d.nav(), Some(Nav::Skip(1)));
        d.deliver(Effect::Next, &status, &mut ctrl);
        d.deliver(Effect::Next, &status, &mut ctrl);
        d.deliver(Effect::Previous, &status, &mut ctrl);
        assert_eq!(d.nav(), Some(Nav::Skip(2)), "n n n p");
        d.deliver(Effect::Quit, &status, &mut ctrl);
        d.deliver(Effect::Next, &status, &mut ctrl);
        assert_eq!(d.nav(), Some(Nav::Quit));
        assert_eq!(audio.commands.dequeue(), Some(AudioCmd::Quit));
        assert_eq!(audio.commands.dequeue(), None);
    }

    #[test]
    fn a_full_queue_drops_and_says_so() {
        let mut queues = PlayQueues::new();
        let (_feeder, _audio, mut ctrl) = queues.split();
        let status = PlayStatus::new();
        let mut d = Delivery::new(None, 48_000);
        let cmd = Effect::Audio(AudioCmd::Volume(0.5));
        let mut outcomes = Vec::new();
        for _ in 0..crate::play::realtime::queues::CMD_QUEUE + 1 {
            outcomes.push(d.deliver(cmd, &status, &mut ctrl));
        }
        assert_eq!(outcomes.last(), Some(&Delivered::Dropped));
        assert!(outcomes[0] == Delivered::Sent);
        assert_eq!(
            d.deliver(Effect::Quit, &status, &mut ctrl),
            Delivered::Dropped
        );
        assert_eq!(d.nav(), None, "a quit that was not sent is not taken");
    }
}
