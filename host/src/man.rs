//! `host man [COMMAND]`: the manual pages, in roff, generated from the
//! command line definition with `clap_mangen`: `smfplay(1)` for the program
//! (its commands, exit status, environment, files) and `smfplay-play(1)`,
//! `smfplay-render(1)`, … for each command. `scripts/package` installs them.
//!
//! *Real-time*: not used on the audio thread.

use std::io::Write;

use clap_mangen::Man;

use crate::exit::{self, HostError, Kind, code};
use crate::program;

/// The one-line description in the program page's NAME section (`whatis`).
const WHATIS: &str = "play Standard MIDI Files through FluidSynth on an ALSA device";

/// The program page's DESCRIPTION.
const DESCRIPTION: &str = "\
Plays Standard MIDI Files (.mid, .kar, .rmi), and folders of them, through the FluidSynth \
synthesizer on an ALSA device, with a real-time audio thread; renders them to WAV files; \
describes them; lists the ALSA devices. Each command has its own page, below.";

/// Prints the page of the program, or of `command`, on standard output.
pub fn run(command: Option<&str>) -> Result<i32, HostError> {
    let page = match page(program::command(), command) {
        Ok(page) => page,
        Err(known) => {
            eprintln!(
                "{}: man: no command '{}' (the commands are {known})",
                program::name(),
                command.unwrap_or_default()
            );
            return Ok(code::USAGE);
        }
    };
    match std::io::stdout().lock().write_all(page.as_bytes()) {
        Ok(()) => Ok(code::OK),
        // `host man | head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code::OK),
        Err(e) => Err(HostError::new(
            Kind::Output,
            "standard output",
            exit::describe_io(&e),
        )),
    }
}

/// The page of `cmd`, or of its subcommand `command`; `Err` with the list of
/// the commands when there is no such command.
pub fn page(cmd: clap::Command, command: Option<&str>) -> Result<String, String> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let program = cmd.get_name().to_string();
    let version = cmd.get_version().unwrap_or_default().to_string();
    let mut out = Vec::new();
    match command {
        None => {
            let top = cmd.clone().about(WHATIS).long_about(DESCRIPTION);
            write_page(&mut out, &program, &version, top, Some(&cmd))
        }
        Some(name) => {
            let Some(sub) = cmd
                .get_subcommands()
                .find(|s| s.get_name() == name && !s.is_hide_set())
            else {
                return Err(commands(&cmd).join(", "));
            };
            write_page(&mut out, &program, &version, sub.clone(), None)
        }
    }
    .expect("writing to a Vec cannot fail");
    Ok(String::from_utf8(out).expect("clap_mangen writes UTF-8"))
}

/// The visible commands of the program.
fn commands(cmd: &clap::Command) -> Vec<String> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect()
}

/// One page: clap_mangen's sections, the examples (the after-help, kept as
/// laid out), and for the program's page (`program_cmd`) the sections a
/// manual page has that the definition does not.
fn write_page(
    w: &mut Vec<u8>,
    program: &str,
    version: &str,
    cmd: clap::Command,
    program_cmd: Option<&clap::Command>,
) -> std::io::Result<()> {
    let after_help = cmd.get_after_help().map(|t| t.to_string());
    let has_args = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_commands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let title = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_uppercase();
    let man = Man::new(cmd)
        .title(title)
        .source(format!("{program} {version}"))
        .manual("smfplay manual");
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    if has_args {
        man.render_options_section(w)?;
    }
    if has_commands {
        man.render_subcommands_section(w)?;
    }
    if let Some(text) = after_help.as_deref() {
        match text.strip_prefix("Examples:\n") {
            Some(examples) => section(w, "EXAMPLES", examples)?,
            None => {
                writeln!(w, ".SH NOTES")?;
                writeln!(w, "{}", roff_line(&text.replace('\n', " ")))?;
            }
        }
    }
    if program_cmd.is_some() {
        let codes: Vec<(&str, String)> = exit::MEANINGS
            .iter()
            .map(|&(code, meaning)| (code, meaning.to_string()))
            .collect();
        tagged(w, "EXIT STATUS", &codes)?;
        tagged(w, "ENVIRONMENT", &environment(program))?;
        tagged(w, "FILES", &files())?;
        writeln!(w, ".SH \"SEE ALSO\"")?;
        writeln!(
            w,
            "{}",
            roff_line(&see_also(program, program_cmd.map(commands)))
        )?;
    }
    man.render_version_section(w)
}

/// What the program reads from the environment.
fn environment(program: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "SMFPLAY_SOUNDFONT",
            "the SoundFont when neither --soundfont nor the configuration file names one".into(),
        ),
        (
            "XDG_CONFIG_HOME",
            "where the configuration file is looked for (default ~/.config)".into(),
        ),
        (
            "DBUS_SYSTEM_BUS_ADDRESS",
            format!(
                "the system D-Bus where {program} play asks rtkit for real-time priority when \
                 the kernel refuses it (default unix:path=/var/run/dbus/system_bus_socket)"
            ),
        ),
        (
            "SMFPLAY_NO_RT",
            format!(
                "when set, {program} play asks for neither real-time priority nor locked memory"
            ),
        ),
    ]
}

/// The files the program reads.
fn files() -> Vec<(&'static str, String)> {
    vec![
        (
            "~/.config/smfplay/config.toml",
            "defaults for play and render (--config FILE reads another, --no-config none)".into(),
        ),
        (
            "/usr/share/sounds/sf2/",
            "where the SoundFonts default-GM.sf2, FluidR3_GM.sf2, TimGM6mb.sf2, … are looked for \
             when none is given"
                .into(),
        ),
        (
            "/etc/default/smfplay",
            "the folder, device and options of smfplay.service, the jukebox of the Debian package"
                .into(),
        ),
    ]
}

/// SEE ALSO: the commands' pages and the programs around it.
fn see_also(program: &str, commands: Option<Vec<String>>) -> String {
    let mut pages: Vec<String> = commands
        .unwrap_or_default()
        .iter()
        .map(|c| format!("{program}-{c}(1)"))
        .collect();
    pages.extend(["fluidsynth(1)", "aplay(1)"].map(String::from));
    pages.join(", ")
}

/// A section of tagged paragraphs: each tag in bold, its text indented below.
fn tagged(w: &mut Vec<u8>, heading: &str, items: &[(&str, String)]) -> std::io::Result<()> {
    writeln!(w, ".SH \"{heading}\"")?;
    for (tag, text) in items {
        writeln!(w, ".TP\n\\fB{}\\fR\n{}", roff_line(tag), roff_line(text))?;
    }
    Ok(())
}

/// A section of preformatted text (no filling, no adjusting), roff-escaped.
fn section(w: &mut Vec<u8>, heading: &str, text: &str) -> std::io::Result<()> {
    writeln!(w, ".SH \"{heading}\"")?;
    writeln!(w, ".nf")?;
    for line in text.trim_end().lines() {
        writeln!(w, "{}", roff_line(line))?;
    }
    writeln!(w, ".fi")
}

/// `line` as roff text: backslashes and minus signs escaped, and a leading
/// `.` or `'` kept from being read as a request.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    fn smfplay() -> clap::Command {
        program::named(Cli::command(), "smfplay")
    }

    #[test]
    fn the_program_page_lists_commands_exit_codes_and_files() {
        let page = page(smfplay(), None).unwrap();
        assert!(page.contains("\n.TH SMFPLAY 1 "), "{page}");
        assert!(
            page.contains("smfplay \\- play Standard MIDI Files"),
            "{page}"
        );
        for c in [
            "play",
            "render",
            "info",
            "dump",
            "ports",
            "devices",
            "completions",
        ] {
            assert!(
                page.contains(&format!("smfplay\\-{c}(1)")),
                "{c} missing: {page}"
            );
        }
        assert!(
            !page.contains("smfplay\\-man(1)"),
            "the hidden command is listed"
        );
        assert!(page.contains(".SH \"EXIT STATUS\""));
        for (code, _) in exit::MEANINGS {
            assert!(page.contains(code), "exit code {code} missing");
        }
        assert!(page.contains("config.toml"));
    }

    #[test]
    fn each_command_has_a_page_with_its_options_and_examples() {
        let page = page(smfplay(), Some("render")).unwrap();
        assert!(page.contains("\n.TH SMFPLAY-RENDER 1 "), "{page}");
        assert!(page.contains("\\-\\-max\\-duration"), "{page}");
        assert!(page.contains(".SH \"EXAMPLES\""), "{page}");
        assert!(
            page.contains("smfplay render song.mid \\-o song.wav"),
            "{page}"
        );
        assert!(!page.contains("host"), "{page}");
    }

    #[test]
    fn an_unknown_command_gets_the_list() {
        let known = page(smfplay(), Some("plya")).unwrap_err();
        assert!(known.starts_with("play, render, info, dump, "), "{known}");
        assert!(known.ends_with("devices, completions"), "{known}");
        assert!(
            page(smfplay(), Some("man")).is_err(),
            "the hidden command has no page"
        );
    }

    #[test]
    fn roff_requests_and_escapes_are_neutralised() {
        assert_eq!(roff_line(".x -a \\n"), "\\&.x \\-a \\en");
        assert_eq!(roff_line("'quoted"), "\\&'quoted");
    }
}
