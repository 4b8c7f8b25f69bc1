//! `host`: the smfplay command-line player. See `host --help` and the README.
//!
//! Module map: [`cli`] (arguments), [`exit`] (errors and exit codes),
//! [`midi_input`] (files and stdin), [`song`] (the core sequencer at host
//! capacities), [`fluid`] (FluidSynth), [`soundfont`] (finding one), and one
//! module per command.

mod cli;
mod describe;
mod devices;
mod dump;
mod exit;
mod fluid;
mod info;
mod json;
mod midi_input;
mod play;
mod progress;
mod release_tail;
mod render;
mod scan;
mod song;
mod soundfont;
mod wav_output;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Play(args) => play::run(&args),
        cli::Command::Render(args) => render::run(&args),
        cli::Command::Info(args) => info::run(&args),
        cli::Command::Dump(args) => dump::run(&args),
        cli::Command::Devices => devices::run(),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("host: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
