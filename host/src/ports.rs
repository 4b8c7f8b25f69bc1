//! `host ports`: the ALSA sequencer ports that take MIDI, for `play
//! --port`, as `aplaymidi -l` lists them:
//!
//! ```text
//!  Port    Client name                      Port name
//!  14:0    Midi Through                     Midi Through Port-0
//! ```
//!
//! `--json` prints one array of `{"port","client","client_name","port_name"}`.
//!
//! *Real-time*: not real-time (a CLI command).

use std::io::Write;

use crate::cli::PortsArgs;
use crate::exit::{HostError, Kind, code, describe_io};
use crate::json_events::{PortLine, line};
use crate::seq::client::open_sequencer;
use crate::seq::ports::{PortEntry, writable};

/// Runs `host ports`; returns the exit code.
pub fn run(args: &PortsArgs) -> Result<i32, HostError> {
    let seq = open_sequencer()?;
    let own = seq.client_id().ok();
    let ports = writable(&seq, own);
    let text = if args.json {
        json(&ports)
    } else {
        table(&ports)
    };
    match std::io::stdout().write_all(text.as_bytes()) {
        Ok(()) => Ok(code::OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code::OK),
        Err(e) => Err(HostError::new(
            Kind::Output,
            "standard output",
            describe_io(&e),
        )),
    }
}

/// The table, aplaymidi's columns.
fn table(ports: &[PortEntry]) -> String {
    let mut out = String::from(" Port    Client name                      Port name\n");
    for p in ports {
        out.push_str(&format!(
            "{:>3}:{:<3}  {:<32} {}\n",
            p.client, p.port, p.client_name, p.port_name
        ));
    }
    out
}

/// The ports as one JSON array ([`PortLine`]s), with a newline.
fn json(ports: &[PortEntry]) -> String {
    let lines: Vec<PortLine<'_>> = ports
        .iter()
        .map(|p| PortLine {
            port: p.address(),
            client: p.client,
            client_name: &p.client_name,
            port_name: &p.port_name,
        })
        .collect();
    let mut out = line(&lines);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through() -> PortEntry {
        PortEntry {
            client: 14,
            port: 0,
            client_name: "Midi Through".into(),
            port_name: "Midi Through Port-0".into(),
        }
    }

    #[test]
    fn the_table_has_aplaymidis_columns() {
        let t = table(&[through()]);
        assert_eq!(
            t,
            " Port    Client name                      Port name\n \
             14:0    Midi Through                     Midi Through Port-0\n"
        );
    }

    #[test]
    fn json_is_one_array() {
        let text = json(&[through()]);
        assert!(text.ends_with("]\n") && text.lines().count() == 1, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            serde_json::json!([{
                "port": "14:0",
                "client": 14,
                "client_name": "Midi Through",
                "port_name": "Midi Through Port-0"
            }])
        );
    }
}
