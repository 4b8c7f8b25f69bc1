//! `host` (installed as `smfplay`): the smfplay command-line player. See
//! `host --help` and the README.
//!
//! Module map: [`cli`] (arguments), [`config`] (the configuration files),
//! [`exit`] (errors and exit codes), [`program`] (the name it was started
//! with), [`man`] (the manual pages), [`midi_input`] (files and stdin),
//! [`capacities`] and [`any_sequencer`] (the core sequencer at host
//! capacities), [`opening`] (opening a reader), [`fluid`]
//! (FluidSynth), [`soundfont`] (finding one), and one module per command.

mod any_sequencer;
mod capacities;
mod cli;
mod config;
mod describe;
mod devices;
mod dump;
mod exit;
mod flac_output;
mod fluid;
mod gm_names;
mod info;
mod info_json;
mod json_events;
mod karaoke;
mod man;
mod midi_input;
mod opening;
mod play;
mod ports;
mod printable;
mod program;
mod progress;
mod release_tail;
mod render;
mod scan;
mod seq;
mod song_map;
mod soundfont;
mod text_decode;
mod usage;
mod verbose;
mod wav_output;

use clap::FromArgMatches;

fn main() {
    let matches = usage::matches(program::command());
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => usage::exit(&e),
    };
    verbose::set_level(cli.verbose);
    // Every command reads the configuration (a bad or missing `--config`
    // file is exit 2 for all alike); play and render take defaults from it.
    let config = match config::load(cli.config.as_deref(), cli.no_config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}", program::name());
            std::process::exit(exit::code::USAGE);
        }
    };
    let sub = matches.subcommand().map(|(_, m)| m);
    let result = match cli.command {
        cli::Command::Play(mut args) => {
            if let Some(m) = sub {
                config::apply_play(&config, m, &mut args);
            }
            play::run(&args)
        }
        cli::Command::Render(mut args) => {
            if let Some(m) = sub {
                config::apply_render(&config, m, &mut args);
            }
            render::run(&args)
        }
        cli::Command::Info(args) => info::run(&args),
        cli::Command::Dump(args) => dump::run(&args),
        cli::Command::Ports(args) => ports::run(&args),
        cli::Command::Devices(args) => devices::run(&args),
        cli::Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut program::command(), program::name(), &mut script);
            exit::print(&script).map(|()| exit::code::OK)
        }
        cli::Command::Man { command } => man::run(command.as_deref()),
    };
    match result {
        Ok(code) => std::process::exit(code),
        // `host … | head`: the reader had what it wanted.
        Err(e) if e.kind == exit::Kind::ReaderGone => std::process::exit(e.exit_code()),
        Err(e) => {
            eprintln!(
                "{}: {}",
                program::name(),
                printable::printable(&e.to_string())
            );
            std::process::exit(e.exit_code());
        }
    }
}
