//! The command line: `host play | render | info | dump | ports | devices`.
//!
//! *Real-time*: parsing happens once at start-up.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sample rates (Hz) play and render take.
pub const RATES: RangeInclusive<i64> = 22_050..=96_000;
/// Voice limits.
pub const POLYPHONY: RangeInclusive<i64> = 1..=65_535;
/// Play's period sizes (frames; up to `play::MAX_PERIOD`).
pub const PLAY_PERIODS: RangeInclusive<i64> = 16..=16_384;
/// Periods in play's device buffer.
pub const PERIOD_COUNTS: RangeInclusive<i64> = 2..=64;
/// Master gains.
pub const GAINS: RangeInclusive<f64> = 0.0..=10.0;

/// smfplay: plays Standard MIDI Files (.mid, .kar, .rmi) through FluidSynth
/// on an ALSA device, with low latency and no glitches.
#[derive(Debug, Parser)]
#[command(name = "host", version, about, long_about = None, propagate_version = true,
          after_help = MAIN_AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Read defaults from this configuration file instead of
    /// $XDG_CONFIG_HOME/smfplay/config.toml (~/.config/smfplay/config.toml).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "no_config",
        display_order = 900
    )]
    pub config: Option<PathBuf>,
    /// Ignore the configuration files: built-in defaults only.
    #[arg(long, global = true, display_order = 901)]
    pub no_config: bool,
    /// Say what was chosen and why on standard error: the SoundFont, the
    /// ALSA parameters, the priority obtained, FluidSynth's warnings
    /// (-vv: also FluidSynth's information lines).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count, display_order = 902)]
    pub verbose: u8,
}

/// The end of `host --help`: where defaults come from, and the exit codes.
const MAIN_AFTER_HELP: &str = "\
Defaults for play and render can be set in ~/.config/smfplay/config.toml
and /etc/smfplay/config.toml (see the README, \"Configuration\").

Exit codes:
  0         success
  1         anything else (an unexpected system error or a bug)
  2         bad command line, or a bad configuration file
  3         a MIDI input is missing, unreadable, not MIDI, or damaged under --strict
  4         no usable SoundFont
  5         the audio device is missing, busy, refuses the settings, or was lost
  6         the output file cannot be written
  129/130/143  stopped by SIGHUP / SIGINT (Ctrl-C) / SIGTERM";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Play MIDI files (or every MIDI file in a directory) on an ALSA device.
    Play(PlayArgs),
    /// Render a MIDI file to a WAV file, as fast as the machine allows.
    Render(RenderArgs),
    /// Describe a MIDI file: format, tracks, duration, tempo, instruments, lyrics…
    Info(InfoArgs),
    /// Print every event in playback order with its tick, time and track.
    Dump(DumpArgs),
    /// List the ALSA sequencer ports that take MIDI (for `play --port`), as `aplaymidi -l` does.
    #[command(after_help = "Example:\n  \
        host ports                          then: host play song.mid --port 20:0")]
    Ports(PortsArgs),
    /// List the ALSA playback devices (names for --device).
    #[command(after_help = "Example:\n  \
        host devices                        then: host play song.mid --device NAME\n  \
        host devices --json | jq -r .name")]
    Devices(DevicesArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples (installing them; open a new shell afterwards):\n  \
        host completions bash > ~/.local/share/bash-completion/completions/host\n  \
        host completions zsh > ~/.zfunc/_host     (with fpath+=~/.zfunc in ~/.zshrc)\n  \
        host completions fish > ~/.config/fish/completions/host.fish"
    )]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

/// How the synthesizer sounds.
#[derive(Debug, Clone, Args)]
pub struct SynthArgs {
    /// SoundFont (.sf2) to play with [default: $SMFPLAY_SOUNDFONT, then the
    /// configuration file's, then the usual system paths such as
    /// /usr/share/sounds/sf2/default-GM.sf2]
    #[arg(long, short = 's', value_name = "FILE")]
    pub soundfont: Option<PathBuf>,
    /// Sample rate in Hz, 22050–96000; for play the device must take it
    /// (`host devices` lists devices; the error says which rates it offers).
    #[arg(long, short = 'r', value_name = "HZ", default_value_t = 48_000,
          value_parser = clap::value_parser!(u32).range(RATES))]
    pub rate: u32,
    /// Master gain (FluidSynth's synth.gain, 0–10); lower it if the sound clips.
    #[arg(long, short = 'g', value_name = "GAIN", default_value_t = 0.4, value_parser = parse_gain,
          allow_negative_numbers = true)]
    pub gain: f32,
    /// Turn FluidSynth's reverb off.
    #[arg(long)]
    pub no_reverb: bool,
    /// Turn FluidSynth's chorus off.
    #[arg(long)]
    pub no_chorus: bool,
    /// Most voices sounding at once, 1–65535 (FluidSynth's synth.polyphony;
    /// its default is 256). Lower it if a small board cannot keep up.
    #[arg(long, value_name = "VOICES", value_parser = clap::value_parser!(u32).range(POLYPHONY))]
    pub polyphony: Option<u32>,
    /// Load SoundFont samples only when an instrument first plays: much less
    /// memory for big SoundFonts on small boards.
    #[arg(long)]
    pub lazy_samples: bool,
    /// The configuration file and line that set `soundfont` (for errors and
    /// `--verbose`); `None` when it came from elsewhere.
    #[arg(skip)]
    pub soundfont_origin: Option<crate::config::Origin>,
}

impl SynthArgs {
    /// The FluidSynth settings these options ask for (`play` and `render`
    /// alike, so both sound the same).
    pub fn fluid_options(&self) -> crate::fluid::FluidOptions {
        crate::fluid::FluidOptions {
            sample_rate: self.rate,
            gain: self.gain,
            reverb: !self.no_reverb,
            chorus: !self.no_chorus,
            polyphony: self.polyphony,
            lazy_samples: self.lazy_samples,
        }
    }
}

/// How the song is played.
#[derive(Debug, Clone, Args)]
pub struct SequenceArgs {
    /// Tempo scale: 0.5 is half speed, 2 is double (0.25–4).
    #[arg(long, short = 't', value_name = "SCALE", default_value_t = 1.0, value_parser = parse_tempo,
          allow_negative_numbers = true)]
    pub tempo: f64,
    /// Transpose by this many semitones (−24 to 24; never the drums on channel 10).
    #[arg(long, short = 'T', value_name = "SEMITONES", default_value_t = 0, allow_hyphen_values = true,
          value_parser = clap::value_parser!(i8).range(-24..=24))]
    pub transpose: i8,
    /// Channels to silence, 1–16, comma-separated (e.g. --mute 10 or --mute 1,2).
    #[arg(long, value_name = "CHANNELS", value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=16))]
    pub mute: Vec<u8>,
    /// Channels to play alone, 1–16, comma-separated.
    #[arg(long, value_name = "CHANNELS", value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=16))]
    pub solo: Vec<u8>,
    /// Start this many seconds into the song (e.g. 90 or 12.5); notes and
    /// controllers set before that point are restored.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, allow_negative_numbers = true)]
    pub start: Option<f64>,
    /// Stop this many seconds into the song (song time, before --tempo).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, allow_negative_numbers = true)]
    pub end: Option<f64>,
    /// Refuse damaged files instead of playing what can be decoded.
    #[arg(long)]
    pub strict: bool,
    /// Longest stretch of song (seconds of song time from --start) to go
    /// through: `play` stops there with a warning, `render` refuses a longer
    /// song (exit 3) before writing anything. Guards against files whose
    /// timing says hours or years of silence.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_MAX_DURATION_S,
          value_parser = parse_max_duration, allow_negative_numbers = true)]
    pub max_duration: f64,
}

/// Default `--max-duration`: 4 hours.
pub const DEFAULT_MAX_DURATION_S: f64 = 4.0 * 3600.0;

/// `host play`.
#[derive(Debug, Clone, Args)]
#[command(after_help = PLAY_EXAMPLES)]
pub struct PlayArgs {
    /// MIDI files or directories to play in order; `-` reads one file from standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub synth: SynthArgs,
    #[command(flatten)]
    pub sequence: SequenceArgs,
    /// ALSA playback device, e.g. default, hw:1,0, plughw:CARD=Device (names:
    /// `host devices`).
    #[arg(long, short = 'd', value_name = "NAME", default_value = "default")]
    pub device: String,
    /// Frames per ALSA period, 16–16384: smaller is lower latency, larger is
    /// safer on a busy machine (512 or 1024 on a Pi 3). Latency is
    /// period × periods / rate. When given, the device must take it; by
    /// default the nearest size the device takes is used.
    #[arg(long, short = 'p', value_name = "FRAMES", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(PLAY_PERIODS))]
    pub period: u32,
    /// Periods in the device buffer, 2–64 (3 is safer against crackles).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(PERIOD_COUNTS))]
    pub periods: u32,
    /// Play the list again and again (until Ctrl-C).
    #[arg(long = "loop", short = 'l')]
    pub repeat: bool,
    /// Play the list in random order (a new order each time round with --loop).
    #[arg(long)]
    pub shuffle: bool,
    /// Take only the files directly in a directory given, not those in its
    /// subdirectories (by default a directory is searched all the way
    /// down, in natural order: track2 before track10).
    #[arg(long)]
    pub no_recursive: bool,
    /// Print nothing but errors (for services).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print one JSON object per line (start, lyrics, end, errors) for scripts.
    #[arg(long)]
    pub json: bool,
    /// Print timing and xrun statistics at the end (`kill -USR1` prints them while playing).
    #[arg(long)]
    pub stats: bool,
    /// Read transport commands from this file or named pipe, one per line
    /// (`seek 30`, `pause`, `resume`, `tempo 1.2`, `mute 3`, `wait 2`, …;
    /// see the README), to drive the player from a script.
    #[arg(long, value_name = "FILE")]
    pub commands: Option<PathBuf>,
    /// Play on MIDI hardware instead of FluidSynth: ALSA sequencer ports as
    /// `client:port` numbers or names (`host ports` lists them), e.g.
    /// `--port 20:0` or `--port "Midi Through"`. With several, a track's
    /// port-number meta event (FF 21) picks the n-th (as aplaymidi does).
    #[arg(long, value_name = "PORT[,PORT…]", value_delimiter = ',')]
    pub port: Vec<String>,
    /// With --port: the reset sent before the song and after every seek
    /// (default: what the file sends itself, else GM).
    #[arg(long, value_enum, value_name = "KIND")]
    pub reset: Option<ResetChoice>,
    /// With --port: milliseconds the synth gets after each SysEx message
    /// before the next event (an MT-32 needs them after its resets); later
    /// events are never held back more than this.
    #[arg(long, value_name = "MS", default_value_t = 40,
          value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub sysex_delay: u32,
    /// Sample format sent to the device (auto: the first of S16_LE, S32_LE,
    /// FLOAT_LE that it takes).
    #[arg(long, value_enum, default_value_t = SampleFormat::Auto)]
    pub format: SampleFormat,
    /// Whether the user chose the period (command line or configuration
    /// file): then the device must take it.
    #[arg(skip)]
    pub period_chosen: bool,
}

const PLAY_EXAMPLES: &str = "\
Examples:
  host play song.mid                       play on the default ALSA device
  host play ~/midi/ extra.kar --shuffle -l a directory and a file, shuffled, looped
  host play song.mid -d hw:1,0 -p 512 --periods 3
                                           a USB card, safer buffer (32 ms at 48 kHz)
  host play song.mid -t 0.8 -T -2 --mute 10 slower, two semitones down, no drums
  curl -s URL | host play -                from standard input
  host play song.mid --port 20:0 --reset gs on MIDI hardware (ports: host ports)

Ctrl-C stops (exit 130). Defaults come from
~/.config/smfplay/config.toml (see the README, \"Configuration\").";

const RENDER_EXAMPLES: &str = "\
Examples:
  host render song.mid -o song.wav              16-bit WAV at 48 kHz
  host render song.mid -o song.wav -r 44100 -f f32
  host render song.mid -o - | aplay             WAV on standard output
  host render song.mid -o part.wav --start 30 --end 60 --solo 1

A stop by Ctrl-C, SIGTERM or SIGHUP keeps what was rendered as a valid,
shorter WAV file (exit 130, 143, 129); a write error removes the file (exit 6).";

/// `host ports`.
#[derive(Debug, Clone, Args)]
pub struct PortsArgs {
    /// One JSON array of the ports (client, port, names) instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// The reset `play --port` sends to external synths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResetChoice {
    /// No reset: only the chased state is sent.
    None,
    /// General MIDI System On.
    Gm,
    /// Roland GS Reset.
    Gs,
    /// Yamaha XG System On.
    Xg,
    /// Roland MT-32 all-parameters reset.
    Mt32,
}

/// Sample format of `play`'s output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SampleFormat {
    /// The first the device takes: S16_LE, S32_LE, FLOAT_LE.
    Auto,
    /// 16-bit integer.
    S16,
    /// 32-bit integer.
    S32,
    /// 32-bit float.
    F32,
}

/// Sample format of a rendered WAV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WavFormat {
    /// 16-bit integer PCM.
    S16,
    /// 32-bit float.
    F32,
}

/// `host render`.
#[derive(Debug, Clone, Args)]
#[command(after_help = RENDER_EXAMPLES)]
pub struct RenderArgs {
    /// MIDI file to render (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// WAV file to write (`-` writes standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Sample format of the WAV.
    #[arg(long, short = 'f', value_enum, default_value_t = WavFormat::S16)]
    pub format: WavFormat,
    /// Frames rendered per step (the same option as `play`; it does not change the output).
    #[arg(long, short = 'p', value_name = "FRAMES", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub period: u32,
    /// No progress bar and no summary line (warnings and errors are still printed).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub synth: SynthArgs,
    #[command(flatten)]
    pub sequence: SequenceArgs,
}

/// `host info`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    host info song.mid                  format, tracks, duration, tempo, instruments, lyrics, damage\n  \
    host info song.mid --json | jq .duration_seconds")]
pub struct InfoArgs {
    /// MIDI file to describe (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Refuse damaged files.
    #[arg(long)]
    pub strict: bool,
}

/// `host devices`.
#[derive(Debug, Clone, Args)]
pub struct DevicesArgs {
    /// Print one JSON object per device and line (`name`, `description`).
    #[arg(long)]
    pub json: bool,
}

/// `host dump`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    host dump song.mid | less\n  \
    host dump song.mid | grep lyric      the lyrics with their times\n  \
    host dump song.mid --json | jq -c 'select(.text)'")]
pub struct DumpArgs {
    /// MIDI file to list (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print one JSON object per event and line (`tick`, `time_s`, `track`,
    /// `event`, and `text` for text events).
    #[arg(long)]
    pub json: bool,
    /// Refuse damaged files.
    #[arg(long)]
    pub strict: bool,
}

fn parse_gain(s: &str) -> Result<f32, String> {
    let g: f32 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if GAINS.contains(&f64::from(g)) {
        Ok(g)
    } else {
        Err(format!("gain {g} is outside 0–10"))
    }
}

fn parse_tempo(s: &str) -> Result<f64, String> {
    let t: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.25..=4.0).contains(&t) {
        Ok(t)
    } else {
        Err(format!("tempo scale {t} is outside 0.25–4"))
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    let t: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if t.is_finite() && t >= 0.0 {
        Ok(t)
    } else if t < 0.0 {
        Err(format!(
            "{s} is before the song's start: the value must be ≥ 0 seconds"
        ))
    } else {
        Err(format!("{t} is not a time in the song"))
    }
}

fn parse_max_duration(s: &str) -> Result<f64, String> {
    let t: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if t.is_finite() && t > 0.0 {
        Ok(t)
    } else {
        Err("--max-duration must be more than 0 seconds".into())
    }
}

/// `seconds` as a person says it: "45 s", "2.5 min", "4 h", "3.2 years".
pub fn human_duration(seconds: f64) -> String {
    const YEAR: f64 = 365.25 * 86_400.0;
    let (value, unit) = if seconds >= YEAR {
        (seconds / YEAR, "years")
    } else if seconds >= 2.0 * 86_400.0 {
        (seconds / 86_400.0, "days")
    } else if seconds >= 3600.0 {
        (seconds / 3600.0, "h")
    } else if seconds >= 120.0 {
        (seconds / 60.0, "min")
    } else {
        (seconds, "s")
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every option of every command says what it does, every value has a
    /// name, and each command's help ends with examples.
    #[test]
    fn every_option_is_documented_with_examples() {
        let mut cli = Cli::command();
        cli.build();
        for sub in cli.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = sub.get_name();
            assert!(
                sub.get_after_help()
                    .is_some_and(|h| h.to_string().contains("xample")),
                "`host {name} --help` has no example"
            );
            for arg in sub.get_arguments() {
                let id = arg.get_id();
                if id == "help" || id == "version" {
                    continue;
                }
                assert!(
                    arg.get_help().is_some_and(|h| h.to_string().len() > 10),
                    "host {name}: {id} has no help text"
                );
                if arg.get_action().takes_values() && arg.get_possible_values().is_empty() {
                    assert!(
                        arg.get_value_names().is_some(),
                        "host {name}: {id} has no value name"
                    );
                }
            }
        }
    }

    #[test]
    fn parses_a_full_play_line() {
        let cli = Cli::try_parse_from([
            "host",
            "play",
            "a.mid",
            "dir",
            "--device",
            "hw:0",
            "--period",
            "64",
            "--periods",
            "3",
            "--tempo",
            "1.5",
            "--transpose",
            "-3",
            "--mute",
            "1,10",
            "--no-reverb",
            "--loop",
        ])
        .unwrap();
        let Command::Play(p) = cli.command else {
            panic!("not play")
        };
        assert_eq!(p.files.len(), 2);
        assert_eq!((p.period, p.periods), (64, 3));
        assert_eq!(p.sequence.transpose, -3);
        assert_eq!(p.sequence.mute, vec![1, 10]);
        assert!(p.synth.no_reverb && p.repeat);
    }

    #[test]
    fn rejects_out_of_range_values() {
        for bad in [
            vec!["host", "render", "a.mid", "-o", "x.wav", "--rate", "8000"],
            vec!["host", "render", "a.mid", "-o", "x.wav", "--tempo", "5"],
            vec!["host", "render", "a.mid", "-o", "x.wav", "--mute", "17"],
            vec!["host", "render", "a.mid", "-o", "x.wav", "--gain", "-1"],
            vec![
                "host",
                "render",
                "a.mid",
                "-o",
                "x.wav",
                "--max-duration",
                "0",
            ],
        ] {
            assert!(Cli::try_parse_from(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(human_duration(45.0), "45 s");
        assert_eq!(human_duration(150.0), "2.5 min");
        assert_eq!(human_duration(4.0 * 3600.0), "4 h");
        assert_eq!(human_duration(3.25 * 365.25 * 86_400.0), "3.2 years");
    }
}
