//! ALSA sequencer ports: the ones that take MIDI (what `aplaymidi -l`
//! lists) and `--port` names resolved to `client:port` addresses (as
//! `aplaymidi -p` takes them).
//!
//! *Real-time*: not real-time (control side).

use alsa::seq::{Addr, ClientIter, PortCap, PortIter, Seq};

/// A port events can be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortEntry {
    /// Client number.
    pub client: i32,
    /// Port number.
    pub port: i32,
    /// The client's name.
    pub client_name: String,
    /// The port's name.
    pub port_name: String,
}

impl PortEntry {
    /// `client:port`.
    pub fn address(&self) -> String {
        format!("{}:{}", self.client, self.port)
    }

    /// The sequencer address.
    pub fn addr(&self) -> Addr {
        Addr {
            client: self.client,
            port: self.port,
        }
    }
}

/// The ports another client can subscribe to for writing, in client and
/// port order, without the system client (0) and `own` (the caller).
pub fn writable(seq: &Seq, own: Option<i32>) -> Vec<PortEntry> {
    let need = PortCap::WRITE | PortCap::SUBS_WRITE;
    let mut out = Vec::new();
    for client in ClientIter::new(seq) {
        let id = client.get_client();
        if id == 0 || Some(id) == own {
            continue;
        }
        let client_name = client.get_name().unwrap_or("").to_string();
        for port in PortIter::new(seq, id) {
            let caps = port.get_capability();
            if !caps.contains(need) || caps.contains(PortCap::NO_EXPORT) {
                continue;
            }
            out.push(PortEntry {
                client: id,
                port: port.get_port(),
                client_name: client_name.clone(),
                port_name: port.get_name().unwrap_or("").to_string(),
            });
        }
    }
    out
}

/// Finds the port a `--port` value names among `ports`:
///
/// - `CLIENT:PORT` or `CLIENT.PORT`, where `CLIENT` is a number, a client's
///   name, or the start of one (as `aplaymidi -p` takes them);
/// - `CLIENT` alone: its port 0… or its first writable port;
/// - a port's full name (e.g. `Midi Through Port-0`).
///
/// Names compare without regard to case after an exact match fails.
///
/// # Errors
/// One line saying what was not found, for `host: PORT: …`.
pub fn resolve<'p>(spec: &str, ports: &'p [PortEntry]) -> Result<&'p PortEntry, String> {
    let spec_t = spec.trim();
    if spec_t.is_empty() {
        return Err("an empty port name".into());
    }
    if let Some(p) = ports.iter().find(|p| p.port_name == spec_t) {
        return Ok(p);
    }
    let (client_part, port_no) = match spec_t.rsplit_once([':', '.']) {
        Some((c, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (
            c.trim(),
            Some(p.parse::<i32>().map_err(|_| "a port number out of range")?),
        ),
        _ => (spec_t, None),
    };
    let client = client_of(client_part, ports)
        .ok_or_else(|| "no such sequencer client that takes MIDI (see `host ports`)".to_string())?;
    let of_client = || ports.iter().filter(move |p| p.client == client);
    if of_client().next().is_none() {
        return Err(format!(
            "no such sequencer client that takes MIDI: {client} (see `host ports`)"
        ));
    }
    match port_no {
        Some(n) => of_client().find(|p| p.port == n).ok_or_else(|| {
            format!("client {client} has no port {n} that takes MIDI (see `host ports`)")
        }),
        None => of_client()
            .find(|p| p.port == 0)
            .or_else(|| of_client().next())
            .ok_or_else(|| "no such port (see `host ports`)".to_string()),
    }
}

/// The client a name or number means: a number; an exact name; the first
/// client whose name starts with it (case-sensitive, then not).
fn client_of(part: &str, ports: &[PortEntry]) -> Option<i32> {
    if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
        return part.parse().ok();
    }
    let lower = part.to_lowercase();
    let rules: [&dyn Fn(&PortEntry) -> bool; 4] = [
        &|p| p.client_name == part,
        &|p| p.client_name.to_lowercase() == lower,
        &|p| p.client_name.starts_with(part),
        &|p| p.client_name.to_lowercase().starts_with(&lower),
    ];
    rules
        .iter()
        .find_map(|rule| ports.iter().find(|p| rule(p)).map(|p| p.client))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(client: i32, port: i32, cn: &str, pn: &str) -> PortEntry {
        PortEntry {
            client,
            port,
            client_name: cn.into(),
            port_name: pn.into(),
        }
    }

    fn sample() -> Vec<PortEntry> {
        vec![
            entry(14, 0, "Midi Through", "Midi Through Port-0"),
            entry(20, 0, "SC-55", "SC-55 MIDI 1"),
            entry(20, 1, "SC-55", "SC-55 MIDI 2"),
            entry(24, 0, "Virtual Raw MIDI 2-0", "VirMIDI 2-0"),
            entry(130, 3, "FLUID Synth (123)", "Synth input port (123:0)"),
        ]
    }

    fn addr(spec: &str) -> Result<String, String> {
        let ports = sample();
        resolve(spec, &ports).map(PortEntry::address)
    }

    #[test]
    fn numbers_and_names_resolve_like_aplaymidi() {
        assert_eq!(addr("14:0").unwrap(), "14:0");
        assert_eq!(addr("20:1").unwrap(), "20:1");
        assert_eq!(addr("20.1").unwrap(), "20:1");
        assert_eq!(addr("20").unwrap(), "20:0");
        assert_eq!(addr("SC-55:1").unwrap(), "20:1");
        assert_eq!(addr("Midi Through").unwrap(), "14:0");
        assert_eq!(addr("midi through:0").unwrap(), "14:0");
        assert_eq!(addr("Virtual").unwrap(), "24:0");
        assert_eq!(addr("Midi Through Port-0").unwrap(), "14:0");
        // A client without port 0: its first port.
        assert_eq!(addr("FLUID").unwrap(), "130:3");
    }

    #[test]
    fn unknown_ports_say_what_is_missing() {
        assert!(addr("99:0").unwrap_err().contains("no such"));
        assert!(addr("20:7").unwrap_err().contains("no port 7"));
        assert!(addr("Nothing").unwrap_err().contains("no such"));
        assert!(addr("").unwrap_err().contains("empty"));
        assert!(addr("14:99999999999").is_err());
    }
}
