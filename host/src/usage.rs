//! Command-line mistakes as one line, like every other error:
//! `host: invalid value '8000' for '--rate <HZ>': 8000 is not in 22050–96000`,
//! exit code 2. Help and version requests print as clap prints them.
//!
//! *Real-time*: not real-time (parsing happens once at start-up).

use clap::error::ErrorKind;

use crate::exit::code;

/// Parses the command line, or exits: help and version (exit 0) as clap
/// prints them, a mistake as one `host: …` line with exit code 2.
pub fn matches(command: clap::Command) -> clap::ArgMatches {
    command.try_get_matches().unwrap_or_else(|e| exit(&e))
}

/// Exits for a clap error (see [`matches`]).
pub fn exit(e: &clap::Error) -> ! {
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        _ => {
            eprintln!("host: {}", one_line(&e.render().to_string()));
            std::process::exit(code::USAGE);
        }
    }
}

/// clap's error text (`error: …`, indented details and tips, a usage line,
/// "For more information…") as one line: the error and its details, with
/// ranges written as the rest of the program writes them (`22050–96000`).
pub fn one_line(text: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            continue;
        }
        let line = line.strip_prefix("error: ").unwrap_or(line);
        match line.strip_prefix("tip: ") {
            Some(tip) => parts.push(format!("({tip})")),
            None => parts.push(line.to_string()),
        }
    }
    ranges(&parts.join(" "))
}

/// `A..=B` → `A–B`, and `A..B` → `A–B` (clap writes Rust ranges).
fn ranges(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("..") {
        let before = &rest[..at];
        let after = &rest[at + 2..];
        let after = after.strip_prefix('=').unwrap_or(after);
        let digit_before = before.ends_with(|c: char| c.is_ascii_digit());
        let digit_after = after.starts_with(|c: char| c.is_ascii_digit() || c == '-');
        out.push_str(before);
        if digit_before && digit_after {
            out.push('–');
            rest = after;
        } else {
            out.push_str("..");
            rest = &rest[at + 2..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_become_one_line() {
        assert_eq!(
            one_line(
                "error: invalid value '8000' for '--rate <HZ>': 8000 is not in 22050..=96000\n\n\
                 For more information, try '--help'.\n"
            ),
            "invalid value '8000' for '--rate <HZ>': 8000 is not in 22050–96000"
        );
        assert_eq!(
            one_line(
                "error: unexpected argument '--strat' found\n\n  \
                 tip: a similar argument exists: '--start'\n\n\
                 Usage: host render --output <FILE> --start <SECONDS> <FILE>\n\n\
                 For more information, try '--help'.\n"
            ),
            "unexpected argument '--strat' found (a similar argument exists: '--start')"
        );
        assert_eq!(
            one_line(
                "error: the following required arguments were not provided:\n  \
                 --output <FILE>\n\nUsage: host render --output <FILE> <FILE>\n"
            ),
            "the following required arguments were not provided: --output <FILE>"
        );
        assert_eq!(
            ranges("-24..=24 and 1..16 and a..b"),
            "-24–24 and 1–16 and a..b"
        );
    }
}
