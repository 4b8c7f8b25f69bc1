//! The program's name as the user started it (`smfplay` when installed from
//! the Debian package, `host` for the development binary), and the command
//! line definition under that name, for messages, `--help`, `--version`,
//! completions and the manual page.
//!
//! *Real-time*: not used on the audio thread; read once at start-up, then a
//! `&'static str`.

use std::sync::OnceLock;

use clap::CommandFactory;

use crate::cli::Cli;

/// The name the definition in `cli.rs` and its examples use.
const DEVELOPMENT_NAME: &str = "host";

/// The name this process was started with: the file name of `argv[0]`
/// (`/usr/bin/smfplay` gives `smfplay`), `host` when it has none.
pub fn name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| name_from_argv0(std::env::args_os().next().as_deref()))
}

/// The program name for an `argv[0]`.
fn name_from_argv0(argv0: Option<&std::ffi::OsStr>) -> String {
    argv0
        .map(std::path::Path::new)
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty())
        .unwrap_or(DEVELOPMENT_NAME)
        .to_string()
}

/// The command line definition, named as this process was started.
pub fn command() -> clap::Command {
    named(Cli::command(), name())
}

/// `cmd` (the definition in `cli.rs`) renamed to `name`: its usage lines,
/// `--version`, and the program name in every help text and example.
pub fn named(cmd: clap::Command, name: &'static str) -> clap::Command {
    if name == DEVELOPMENT_NAME {
        return cmd;
    }
    rename_texts(cmd.name(name).bin_name(name), name)
}

/// Rewrites the program name in `cmd`'s after-help, its arguments' help and
/// its subcommands', recursively.
fn rename_texts(mut cmd: clap::Command, name: &str) -> clap::Command {
    if let Some(text) = cmd.get_after_help().map(|t| t.to_string()) {
        cmd = cmd.after_help(renamed(&text, name));
    }
    cmd.mut_args(|arg| match arg.get_help().map(|t| t.to_string()) {
        Some(text) => arg.help(renamed(&text, name)),
        None => arg,
    })
    .mut_subcommands(|sub| rename_texts(sub, name))
}

/// `text` with the word `host` (the development name, as in `host play`,
/// `_host` or `host.fish`, not `localhost`) replaced by `name`.
pub fn renamed(text: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(DEVELOPMENT_NAME) {
        let end = at + DEVELOPMENT_NAME.len();
        let before = rest[..at].chars().next_back();
        let after = rest[end..].chars().next();
        let word = !before.is_some_and(|c| c.is_alphanumeric())
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if word { name } else { DEVELOPMENT_NAME });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn the_name_is_the_file_name_of_argv0() {
        assert_eq!(
            name_from_argv0(Some(OsStr::new("/usr/bin/smfplay"))),
            "smfplay"
        );
        assert_eq!(
            name_from_argv0(Some(OsStr::new("target/debug/host"))),
            "host"
        );
        assert_eq!(name_from_argv0(Some(OsStr::new("smfplay"))), "smfplay");
        assert_eq!(name_from_argv0(Some(OsStr::new(""))), "host");
        assert_eq!(name_from_argv0(None), "host");
    }

    #[test]
    fn only_the_program_word_is_renamed() {
        assert_eq!(
            renamed(
                "host play a.mid; `host devices`; ~/.zfunc/_host; host.fish; localhost; hosts",
                "smfplay"
            ),
            "smfplay play a.mid; `smfplay devices`; ~/.zfunc/_smfplay; smfplay.fish; localhost; hosts"
        );
    }

    /// Help, examples, usage and version of the renamed definition never say
    /// `host`; the development binary's are unchanged.
    #[test]
    fn the_renamed_definition_says_smfplay_everywhere() {
        let mut cmd = named(Cli::command(), "smfplay");
        cmd.build();
        assert_eq!(
            cmd.render_version(),
            format!("smfplay {}\n", env!("CARGO_PKG_VERSION"))
        );
        for sub in cmd.get_subcommands_mut() {
            let help = sub.render_long_help().to_string();
            assert!(help.contains("Usage: smfplay "), "{help}");
            let words: Vec<&str> = help
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .collect();
            assert!(
                !words.contains(&"host") && !words.contains(&"_host"),
                "{help}"
            );
        }
        let mut dev = Cli::command();
        dev.build();
        assert!(dev.render_usage().to_string().contains("host"));
    }
}
