//! What the keys and a `--commands` file change: volume, tempo scale,
//! transposition, mute and solo masks, effects, playlist repeat — and the
//! commands each change sends. Both inputs are [`Action`]s through the one
//! [`Controls::apply`]: the keys step from the current settings, a command
//! file's lines set them (clamped to the keys' ranges), so a key after
//! `tempo 1.2` steps from 1.2. Pure (no queues, no terminal): `apply`
//! returns [`Effect`]s that the control loop delivers
//! ([`super::delivery`]), so every rule is unit-tested. The settings carry
//! over from song to song.
//!
//! Solo: `s` arms solo; the next channel key then toggles that channel's
//! solo instead of its mute. `s` twice clears every solo.
//!
//! *Real-time*: control thread only.

use midly::num::u4;
use smfplay_core::sequencer::Command;

use super::keys::Action;
use crate::play::realtime::messages::AudioCmd;

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

/// Something the control loop must do after a key or a command line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Effect {
    /// Send to the audio thread.
    Audio(AudioCmd),
    /// Seek by this many ms of song time from where the play head is.
    SeekBy(i64),
    /// Seek to the start.
    SeekStart,
    /// Seek to this song time, in ms.
    SeekTo(u64),
    /// End this song and play the next one.
    Next,
    /// End this song and play the previous one.
    Previous,
    /// End everything.
    Quit,
}

/// The settings the keys and command lines change.
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

/// Sets or clears channel `ch`'s bit in a channel mask.
fn set_bit(mask: &mut u16, ch: u8, on: bool) {
    let bit = 1u16 << (ch & 0x0F);
    *mask = if on { *mask | bit } else { *mask & !bit };
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

    /// Applies a key's or a command line's action; returns what must be
    /// sent or done.
    pub fn apply(&mut self, action: Action) -> Vec<Effect> {
        let transport = |c| vec![Effect::Audio(AudioCmd::Transport(c))];
        if !matches!(action, Action::Channel(_) | Action::Solo) {
            self.solo_armed = false;
        }
        match action {
            Action::TogglePause => transport(Command::TogglePause),
            Action::Pause => transport(Command::Pause),
            Action::Resume => transport(Command::Play),
            Action::SeekBy(s) => vec![Effect::SeekBy(i64::from(s) * 1000)],
            Action::SeekStart => vec![Effect::SeekStart],
            Action::SeekTo(ms) => vec![Effect::SeekTo(ms)],
            Action::Volume(d) => {
                let stepped = if d > 0 {
                    self.volume_percent + VOLUME_STEP
                } else {
                    self.volume_percent.saturating_sub(VOLUME_STEP)
                };
                self.set_volume(stepped)
            }
            Action::SetVolume(percent) => self.set_volume(percent),
            Action::Tempo(d) => self.set_tempo(if d > 0 {
                self.tempo_milli + TEMPO_STEP
            } else {
                self.tempo_milli.saturating_sub(TEMPO_STEP)
            }),
            Action::SetTempo(milli) => self.set_tempo(milli),
            Action::Transpose(d) => self.set_transpose(self.transpose.saturating_add(d.signum())),
            Action::SetTranspose(t) => self.set_transpose(t),
            Action::Channel(ch) => {
                let bit = 1u16 << (ch & 0x0F);
                if std::mem::take(&mut self.solo_armed) {
                    self.set_solo(ch, self.solo & bit == 0)
                } else {
                    self.set_mute(ch, self.muted & bit == 0)
                }
            }
            Action::SetMute(ch, on) => self.set_mute(ch, on),
            Action::SetSolo(ch, on) => self.set_solo(ch, on),
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
            Action::Dismiss => Vec::new(),
        }
    }

    fn set_volume(&mut self, percent: u32) -> Vec<Effect> {
        self.volume_percent = percent.min(VOLUME_MAX);
        vec![Effect::Audio(AudioCmd::Volume(self.gain()))]
    }

    fn set_tempo(&mut self, milli: u32) -> Vec<Effect> {
        self.tempo_milli = milli.clamp(TEMPO_RANGE.0, TEMPO_RANGE.1);
        vec![Effect::Audio(AudioCmd::Transport(Command::TempoMilli(
            self.tempo_milli,
        )))]
    }

    fn set_transpose(&mut self, semitones: i8) -> Vec<Effect> {
        self.transpose = semitones.clamp(-TRANSPOSE_MAX, TRANSPOSE_MAX);
        vec![Effect::Audio(AudioCmd::Transport(Command::Transpose(
            self.transpose,
        )))]
    }

    fn set_mute(&mut self, ch: u8, on: bool) -> Vec<Effect> {
        set_bit(&mut self.muted, ch, on);
        vec![Effect::Audio(AudioCmd::Transport(Command::Mute(
            channel(ch),
            on,
        )))]
    }

    fn set_solo(&mut self, ch: u8, on: bool) -> Vec<Effect> {
        set_bit(&mut self.solo, ch, on);
        vec![Effect::Audio(AudioCmd::Transport(Command::Solo(
            channel(ch),
            on,
        )))]
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
        // Another key disarms solo, and does what it does.
        c.apply(Action::Solo);
        assert_eq!(c.apply(Action::Volume(1)).len(), 1);
        assert!(!c.solo_armed);
        // So does a key without an action (Escape, `x`).
        c.apply(Action::Solo);
        assert_eq!(c.apply(Action::Dismiss), []);
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

    #[test]
    fn setters_clamp_to_the_keys_ranges() {
        let mut c = Controls::new(1.0, 0, &[], &[], false);
        assert_eq!(
            c.apply(Action::SetVolume(200)),
            [Effect::Audio(AudioCmd::Volume(1.5))]
        );
        assert_eq!(c.volume_percent, VOLUME_MAX);
        assert_eq!(
            c.apply(Action::SetTempo(5000)),
            [t(Command::TempoMilli(4000))]
        );
        assert_eq!(
            c.apply(Action::SetTempo(100)),
            [t(Command::TempoMilli(250))]
        );
        assert_eq!(
            c.apply(Action::SetTranspose(-40)),
            [t(Command::Transpose(-24))]
        );
        assert_eq!(
            c.apply(Action::SetTranspose(30)),
            [t(Command::Transpose(24))]
        );
        // Setting what is already set sends it again and changes nothing.
        assert_eq!(
            c.apply(Action::SetMute(4, false)),
            [t(Command::Mute(u4::new(4), false))]
        );
        assert_eq!(c.muted, 0);
        c.apply(Action::SetMute(4, true));
        c.apply(Action::SetMute(4, true));
        c.apply(Action::SetSolo(0, true));
        assert_eq!((c.muted, c.solo), (1 << 4, 1));
        c.apply(Action::SetSolo(0, false));
        assert_eq!(c.solo, 0);
        assert_eq!(c.apply(Action::Pause), [t(Command::Pause)]);
        assert_eq!(c.apply(Action::Resume), [t(Command::Play)]);
        assert_eq!(c.apply(Action::SeekTo(30_000)), [Effect::SeekTo(30_000)]);
    }

    #[test]
    fn a_key_after_a_setting_steps_from_it() {
        let mut c = Controls::new(1.0, 0, &[], &[], false);
        c.apply(Action::SetTempo(1200));
        assert_eq!(c.apply(Action::Tempo(1)), [t(Command::TempoMilli(1250))]);
        c.apply(Action::SetTranspose(-3));
        assert_eq!(c.apply(Action::Transpose(1)), [t(Command::Transpose(-2))]);
        c.apply(Action::SetVolume(50));
        assert_eq!(
            c.apply(Action::Volume(-1)),
            [Effect::Audio(AudioCmd::Volume(0.4))]
        );
        // A channel key toggles from what a line set.
        c.apply(Action::SetMute(9, true));
        assert_eq!(
            c.apply(Action::Channel(9)),
            [t(Command::Mute(u4::new(9), false))]
        );
        c.apply(Action::SetSolo(2, true));
        c.apply(Action::Solo);
        assert_eq!(
            c.apply(Action::Channel(2)),
            [t(Command::Solo(u4::new(2), false))]
        );
        // A line disarms a pending `s`, like any other key.
        c.apply(Action::Solo);
        c.apply(Action::SetTempo(1000));
        assert!(!c.solo_armed);
        assert_eq!(
            c.apply(Action::Channel(5)),
            [t(Command::Mute(u4::new(5), true))]
        );
    }

    #[test]
    fn settings_carry_to_the_next_song() {
        let mut c = Controls::new(1.0, 0, &[], &[], false);
        c.apply(Action::SetTempo(1200));
        c.apply(Action::SetTranspose(-3));
        c.apply(Action::SetMute(9, true));
        c.apply(Action::SetSolo(0, true));
        c.apply(Action::SetVolume(50));
        assert_eq!(
            c.song_start_commands(),
            [
                Command::TempoMilli(1200),
                Command::Transpose(-3),
                Command::Solo(u4::new(0), true),
                Command::Mute(u4::new(9), true),
            ]
        );
        assert_eq!(c.gain(), 0.5);
    }
}
