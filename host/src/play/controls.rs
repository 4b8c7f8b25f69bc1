//! What the keys change: volume, tempo scale, transposition, mute and
//! solo masks, effects, playlist repeat — and the commands each change
//! sends. Pure (no queues, no terminal): [`Controls::apply`] returns
//! [`Effect`]s that the control loop delivers, so every rule is
//! unit-tested. The settings carry over from song to song.
//!
//! Solo: `s` arms solo; the next channel key then toggles that channel's
//! solo instead of its mute. `s` twice clears every solo.
//!
//! *Real-time*: control thread only.

use midly::num::u4;
use smfplay_core::sequencer::Command;

use super::audio_thread::AudioCmd;
use super::keys::Action;

/// Volume step and range, in percent of unity gain.
pub const VOLUME_STEP: u32 = 10;
/// Loudest volume, percent.
pub const VOLUME_MAX: u32 = 150;
/// Tempo scale step, in thousandths.
pub const TEMPO_STEP: u32 = 50;
/// Tempo scale range, in thousandths (as the core clamps it).
pub const TEMPO_RANGE: (u32, u32) = (250, 4000);
/// Transposition range, in semitones (as the core clamps it).
pub const TRANSPOSE_MAX: i8 = 24;

/// Something the control loop must do after a key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Effect {
    /// Send to the audio thread.
    Audio(AudioCmd),
    /// Seek by this many ms of song time from where the play head is.
    SeekBy(i64),
    /// Seek to the start.
    SeekStart,
    /// End this song and play the next one.
    Next,
    /// End this song and play the previous one.
    Previous,
    /// End everything.
    Quit,
}

/// The settings the keys change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Controls {
    /// Output volume, percent of unity gain.
    pub volume_percent: u32,
    /// Tempo scale, thousandths.
    pub tempo_milli: u32,
    /// Transposition, semitones.
    pub transpose: i8,
    /// Muted channels (bit n = channel n).
    pub muted: u16,
    /// Soloed channels.
    pub solo: u16,
    /// The next channel key solos.
    pub solo_armed: bool,
    /// Reverb and chorus on (as far as the command line allows).
    pub effects: bool,
    /// Repeat the playlist.
    pub repeat: bool,
}

fn channel(ch: u8) -> u4 {
    u4::new(ch & 0x0F)
}

impl Controls {
    /// Settings from the command line.
    pub fn new(tempo: f64, transpose: i8, mute: &[u8], solo: &[u8], repeat: bool) -> Self {
        let mask = |chs: &[u8]| {
            chs.iter()
                .filter(|c| (1..=16).contains(*c))
                .fold(0u16, |m, c| m | 1 << (c - 1))
        };
        Self {
            volume_percent: 100,
            tempo_milli: ((tempo * 1000.0).round() as u32).clamp(TEMPO_RANGE.0, TEMPO_RANGE.1),
            transpose: transpose.clamp(-TRANSPOSE_MAX, TRANSPOSE_MAX),
            muted: mask(mute),
            solo: mask(solo),
            solo_armed: false,
            effects: true,
            repeat,
        }
    }

    /// Output gain.
    pub fn gain(&self) -> f32 {
        self.volume_percent as f32 / 100.0
    }

    /// Applies a key's action; returns what must be sent or done.
    pub fn apply(&mut self, action: Action) -> Vec<Effect> {
        let transport = |c| vec![Effect::Audio(AudioCmd::Transport(c))];
        if !matches!(action, Action::Channel(_) | Action::Solo) {
            self.solo_armed = false;
        }
        match action {
            Action::TogglePause => transport(Command::TogglePause),
            Action::SeekBy(s) => vec![Effect::SeekBy(i64::from(s) * 1000)],
            Action::SeekStart => vec![Effect::SeekStart],
            Action::Volume(d) => {
                self.volume_percent = if d > 0 {
                    (self.volume_percent + VOLUME_STEP).min(VOLUME_MAX)
                } else {
                    self.volume_percent.saturating_sub(VOLUME_STEP)
                };
                vec![Effect::Audio(AudioCmd::Volume(self.gain()))]
            }
            Action::Tempo(d) => {
                self.tempo_milli = if d > 0 {
                    self.tempo_milli + TEMPO_STEP
                } else {
                    self.tempo_milli.saturating_sub(TEMPO_STEP)
                }
                .clamp(TEMPO_RANGE.0, TEMPO_RANGE.1);
                transport(Command::TempoMilli(self.tempo_milli))
            }
            Action::Transpose(d) => {
                self.transpose = self
                    .transpose
                    .saturating_add(d.signum())
                    .clamp(-TRANSPOSE_MAX, TRANSPOSE_MAX);
                transport(Command::Transpose(self.transpose))
            }
            Action::Channel(ch) => {
                let bit = 1u16 << (ch & 0x0F);
                if std::mem::take(&mut self.solo_armed) {
                    self.solo ^= bit;
                    transport(Command::Solo(channel(ch), self.solo & bit != 0))
                } else {
                    self.muted ^= bit;
                    transport(Command::Mute(channel(ch), self.muted & bit != 0))
                }
            }
            Action::Solo => {
                if std::mem::take(&mut self.solo_armed) {
                    let cleared = std::mem::take(&mut self.solo);
                    (0..16u8)
                        .filter(|ch| cleared & (1 << ch) != 0)
                        .map(|ch| {
                            Effect::Audio(AudioCmd::Transport(Command::Solo(channel(ch), false)))
                        })
                        .collect()
                } else {
                    self.solo_armed = true;
                    Vec::new()
                }
            }
            Action::ToggleLoop => {
                self.repeat = !self.repeat;
                Vec::new()
            }
            Action::Next => vec![Effect::Next],
            Action::Previous => vec![Effect::Previous],
            Action::ToggleEffects => {
                self.effects = !self.effects;
                vec![Effect::Audio(AudioCmd::Effects(self.effects))]
            }
            Action::Quit => vec![Effect::Quit],
        }
    }

    /// The commands that put a fresh player in these settings (at the
    /// start of each song; volume and effects go in the engine's
    /// configuration).
    pub fn song_start_commands(&self) -> Vec<Command> {
        let mut out = vec![
            Command::TempoMilli(self.tempo_milli),
            Command::Transpose(self.transpose),
        ];
        for ch in 0..16u8 {
            if self.muted & (1 << ch) != 0 {
                out.push(Command::Mute(channel(ch), true));
            }
            if self.solo & (1 << ch) != 0 {
                out.push(Command::Solo(channel(ch), true));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(c: Command) -> Effect {
        Effect::Audio(AudioCmd::Transport(c))
    }

    #[test]
    fn starts_from_the_command_line() {
        let c = Controls::new(1.25, -3, &[2, 16], &[10], true);
        assert_eq!(c.tempo_milli, 1250);
        assert_eq!(c.transpose, -3);
        assert_eq!(c.muted, 0b1000_0000_0000_0010);
        assert_eq!(c.solo, 1 << 9);
        assert!(c.repeat && c.effects);
        assert_eq!(
            c.song_start_commands(),
            [
                Command::TempoMilli(1250),
                Command::Transpose(-3),
                Command::Mute(u4::new(1), true),
                Command::Solo(u4::new(9), true),
                Command::Mute(u4::new(15), true),
            ]
        );
    }

    #[test]
    fn volume_tempo_and_transpose_step_within_their_ranges() {
        let mut c = Controls::new(1.0, 0, &[], &[], false);
        assert_eq!(
            c.apply(Action::Volume(-1)),
            [Effect::Audio(AudioCmd::Volume(0.9))]
        );
        for _ in 0..20 {
            c.apply(Action::Volume(1));
        }
        assert_eq!(c.volume_percent, VOLUME_MAX);
        for _ in 0..20 {
            c.apply(Action::Volume(-1));
        }
        assert_eq!(c.volume_percent, 0);
        assert_eq!(c.apply(Action::Tempo(1)), [t(Command::TempoMilli(1050))]);
        for _ in 0..100 {
            c.apply(Action::Tempo(-1));
        }
        assert_eq!(c.tempo_milli, 250);
        assert_eq!(c.apply(Action::Transpose(-1)), [t(Command::Transpose(-1))]);
        for _ in 0..40 {
            c.apply(Action::Transpose(1));
        }
        assert_eq!(c.transpose, 24);
    }

    #[test]
    fn channel_keys_toggle_mute_and_s_arms_solo() {
        let mut c = Controls::new(1.0, 0, &[], &[], false);
        assert_eq!(
            c.apply(Action::Channel(2)),
            [t(Command::Mute(u4::new(2), true))]
        );
        assert_eq!(
            c.apply(Action::Channel(2)),
            [t(Command::Mute(u4::new(2), false))]
        );
        assert_eq!(c.apply(Action::Solo), []);
        assert!(c.solo_armed);
        assert_eq!(
            c.apply(Action::Channel(15)),
            [t(Command::Solo(u4::new(15), true))]
        );
        assert!(!c.solo_armed);
        assert_eq!(c.muted, 0, "a solo key does not mute");
        c.apply(Action::Solo);
        c.apply(Action::Channel(4));
        assert_eq!(c.solo, (1 << 15) | (1 << 4));
        // Another key disarms solo.
        c.apply(Action::Solo);
        c.apply(Action::Volume(1));
        assert!(!c.solo_armed);
        // `s` twice clears every solo.
        c.apply(Action::Solo);
        assert_eq!(
            c.apply(Action::Solo),
            [
                t(Command::Solo(u4::new(4), false)),
                t(Command::Solo(u4::new(15), false))
            ]
        );
        assert_eq!(c.solo, 0);
    }

    #[test]
    fn transport_navigation_and_toggles() {
        let mut c = Controls::new(1.0, 0, &[], &[], false);
        assert_eq!(c.apply(Action::TogglePause), [t(Command::TogglePause)]);
        assert_eq!(c.apply(Action::SeekBy(-30)), [Effect::SeekBy(-30_000)]);
        assert_eq!(c.apply(Action::SeekStart), [Effect::SeekStart]);
        assert_eq!(c.apply(Action::Next), [Effect::Next]);
        assert_eq!(c.apply(Action::Previous), [Effect::Previous]);
        assert_eq!(c.apply(Action::Quit), [Effect::Quit]);
        assert_eq!(c.apply(Action::ToggleLoop), []);
        assert!(c.repeat);
        assert_eq!(
            c.apply(Action::ToggleEffects),
            [Effect::Audio(AudioCmd::Effects(false))]
        );
    }
}
