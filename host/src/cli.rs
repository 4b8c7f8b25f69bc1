//! The command line: `host play | render | info | dump | ports | devices |
//! completions` (and the hidden `host man`).
//!
//! *Real-time*: parsing happens once at start-up.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use smfplay_core::sequencer::TimePoint;

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
    /// Render MIDI files to WAV or FLAC, as fast as the machine allows: one
    /// file, or many on every core.
    Render(RenderArgs),
    /// Describe a MIDI file: format, tracks, duration, tempo, instruments, lyrics…
    Info(InfoArgs),
    /// Print every event in playback order with its tick, time and track
    /// (and its MIDI port when a track chose one with FF 21).
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
    /// Print the manual page (roff) of the program or of one of its commands.
    #[command(
        hide = true,
        after_help = "Examples:\n  \
        host man | man -l -                 read it\n  \
        host man render > smfplay-render.1   the page of `host render`"
    )]
    Man {
        /// The command whose page to print (without it: the program's page).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
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
    /// Start here: seconds (90, 12.5) or bar:beat (17:1, 17:1:240); notes
    /// and controllers set before that point are restored.
    #[arg(long, value_name = "TIME", value_parser = parse_time_point, allow_negative_numbers = true)]
    pub start: Option<TimePoint>,
    /// Stop here: seconds or bar:beat (song time, before --tempo).
    #[arg(long, value_name = "TIME", value_parser = parse_time_point, allow_negative_numbers = true)]
    pub end: Option<TimePoint>,
    /// Loop from A to B, seamlessly: 17:1-25:1 (bar:beat) or 30-45.5
    /// (seconds). `render` plays it --loops times, then on to the end.
    #[arg(long, value_name = "A-B", value_parser = parse_loop_range)]
    pub loop_range: Option<(TimePoint, TimePoint)>,
    /// Times the loop (--loop-range, or the file's own loop points) is
    /// played before the song goes on to its end: `render` 1 by default,
    /// `play` until you move on.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub loops: Option<u32>,
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
    /// Play songs straight through, ignoring the loop points they mark
    /// (loopStart/loopEnd markers, CC 111, CC 116/117, CC 110/111).
    #[arg(long)]
    pub no_file_loops: bool,
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
    /// `--port 20:0` or `--port "Midi Through"`. With several (at most
    /// 16), a track's port-number meta event (FF 21 n) sends it to the
    /// (n % count)-th, as aplaymidi does.
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
  host render song.mid -o song.flac             FLAC (by the extension; -f flac24 for 24 bits)
  host render song.mid -o song.wav -r 44100 -f f32
  host render song.mid -o - | aplay             WAV on standard output
  host render song.mid -o part.wav --start 30 --end 60 --solo 1
  host render ~/midi/ -O wav/                   every file of a directory, on every core
  find . -name '*.mid' | host render --files-from - -O out/ -f flac
  host render --files-from list.txt -O out/ --shard 3/8   the 4th of 8 disjoint parts
  host render song.mid -o song.wav --stems      song-01-acoustic-grand-piano.wav, …

A stop by Ctrl-C, SIGTERM or SIGHUP keeps what was rendered as a valid,
shorter WAV file (exit 130, 143, 129); a write error removes the file (exit 6).
A batch (-O) goes on past a file that fails and exits with that failure's
code (3 input, 6 output; the first one's when several).";

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

/// Sample format of a rendered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WavFormat {
    /// 16-bit integer PCM WAV.
    S16,
    /// 32-bit float WAV.
    F32,
    /// 16-bit FLAC (lossless: decodes to the s16 WAV's samples).
    Flac,
    /// 24-bit FLAC.
    Flac24,
}

/// `--shard K/N`: part K (0 to N-1) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part, 0-based.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

/// `host render`.
#[derive(Debug, Clone, Args)]
#[command(after_help = RENDER_EXAMPLES)]
pub struct RenderArgs {
    /// MIDI files or directories to render (a directory gives its .mid,
    /// .midi, .kar and .rmi files); `-` reads one file from standard input.
    #[arg(value_name = "FILE", required_unless_present = "files_from")]
    pub inputs: Vec<PathBuf>,
    /// File to write for a single input (`-` writes standard output); its
    /// extension picks the format (.flac is FLAC) unless -f is given.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        conflicts_with = "output_dir",
        required_unless_present = "output_dir"
    )]
    pub output: Option<PathBuf>,
    /// Directory to write into, one file per input named after it
    /// (song.mid → song.wav; a second song.mid from elsewhere → song-2.wav).
    /// Existing files are not overwritten without --force.
    #[arg(long, short = 'O', value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Overwrite existing files in --output-dir.
    #[arg(long)]
    pub force: bool,
    /// Read more inputs from this file, one path per line (`-` reads
    /// standard input), e.g. from `find`.
    #[arg(long, value_name = "LIST")]
    pub files_from: Option<PathBuf>,
    /// Render only part K of N (K from 0 to N-1) of the sorted list of
    /// inputs: the N parts are disjoint and together the whole list, so N
    /// machines or jobs (Slurm arrays, GNU parallel) share a collection.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Songs rendered at once, each by its own synthesizer (default: the
    /// cores available).
    #[arg(long, short = 'j', value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,
    /// FluidSynth threads for one song (synth.cpu-cores). More than 1 can
    /// be faster on one long, busy song but CHANGES THE SAMPLES slightly,
    /// and not the same way every run (voices are summed in another order):
    /// the output is then no longer bit-identical to `play`'s, to a 1-thread
    /// render or to itself.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: u32,
    /// One file per MIDI channel that sounds instead of the mix, named
    /// after the output, the channel and its first program (song-01-
    /// acoustic-grand-piano.wav, song-10-drums.wav), plus song-fx.wav, the
    /// reverb and chorus return, when those are on. They add up to the mix.
    #[arg(long)]
    pub stems: bool,
    /// Sample format [default: by the output's extension: .flac is flac,
    /// anything else s16].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<WavFormat>,
    /// Frames rendered per step (the same option as `play`; it does not change the output).
    #[arg(long, short = 'p', value_name = "FRAMES", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub period: u32,
    /// No progress line and no summary (warnings and errors are still printed).
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
    /// `port` for channel and SysEx events, `event`, and `text` for text
    /// events).
    #[arg(long)]
    pub json: bool,
    /// Refuse damaged files.
    #[arg(long)]
    pub strict: bool,
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("'{s}' is not K/N (e.g. 0/4: the first of 4 parts)"))?;
    let index: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("'{k}' is not a part number"))?;
    let count: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("'{n}' is not a number of parts"))?;
    if count == 0 {
        return Err("the number of parts must be at least 1".into());
    }
    if index >= count {
        return Err(format!(
            "part {index} of {count} does not exist: parts are numbered 0 to {}",
            count - 1
        ));
    }
    Ok(Shard { index, count })
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

fn parse_time_point(s: &str) -> Result<TimePoint, String> {
    TimePoint::parse(s).map_err(|e| format!("'{s}': {e}"))
}

/// `A-B`: two positions (bar:beat or seconds) joined by a dash.
pub fn parse_loop_range(s: &str) -> Result<(TimePoint, TimePoint), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("'{s}' is not a range: A-B, e.g. 17:1-25:1 or 30-45"))?;
    Ok((parse_time_point(a)?, parse_time_point(b)?))
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
