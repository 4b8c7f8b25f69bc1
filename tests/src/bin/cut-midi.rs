//! `cut-midi IN OUT SECONDS`: writes the first SECONDS of a Standard MIDI
//! File (notes still sounding there are released at the cut; every track
//! ends there). Used by `scripts/bench-batch` to give `host render` and
//! `fluidsynth -F` the same short songs (FluidSynth's CLI has no `--end`).
//! Exit 1 when the file does not parse.

use std::collections::HashSet;

use midly::num::{u4, u7, u28};
use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output, seconds] = &args[..] else {
        eprintln!("usage: cut-midi IN OUT SECONDS");
        std::process::exit(2);
    };
    let cut: f64 = seconds.parse().expect("SECONDS is a number");
    let bytes = std::fs::read(input).expect("read IN");
    let Ok(smf) = Smf::parse(&bytes) else {
        eprintln!("cut-midi: {input}: not parsed");
        std::process::exit(1);
    };
    // Tempo changes (absolute tick, µs per quarter) from every track.
    let mut tempos: Vec<(u64, u32)> = vec![];
    for track in &smf.tracks {
        let mut tick = 0u64;
        for e in track {
            tick += u64::from(e.delta.as_int());
            if let TrackEventKind::Meta(MetaMessage::Tempo(t)) = e.kind {
                tempos.push((tick, t.as_int()));
            }
        }
    }
    tempos.sort_by_key(|&(t, _)| t);
    let cut_tick = match smf.header.timing {
        Timing::Metrical(tpq) => {
            let tpq = f64::from(tpq.as_int().max(1));
            let (mut tick, mut time, mut us) = (0u64, 0.0f64, 500_000u32);
            for &(t, tempo) in &tempos {
                let end = time + (t - tick) as f64 * f64::from(us) / 1e6 / tpq;
                if end >= cut {
                    break;
                }
                (tick, time, us) = (t, end, tempo);
            }
            tick + ((cut - time) * 1e6 * tpq / f64::from(us)) as u64
        }
        Timing::Timecode(fps, sub) => (cut * f64::from(fps.as_f32()) * f64::from(sub)) as u64,
    };
    let mut tracks = vec![];
    for track in &smf.tracks {
        let (mut tick, mut last) = (0u64, 0u64);
        let mut on: HashSet<(u8, u8)> = HashSet::new();
        let mut out: Vec<TrackEvent> = vec![];
        for e in track {
            tick += u64::from(e.delta.as_int());
            if tick > cut_tick {
                break;
            }
            if let TrackEventKind::Meta(MetaMessage::EndOfTrack) = e.kind {
                continue;
            }
            if let TrackEventKind::Midi { channel, message } = e.kind {
                match message {
                    MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                        on.insert((channel.as_int(), key.as_int()));
                    }
                    MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                        on.remove(&(channel.as_int(), key.as_int()));
                    }
                    _ => {}
                }
            }
            out.push(TrackEvent {
                delta: u28::new((tick - last) as u32),
                kind: e.kind,
            });
            last = tick;
        }
        let mut delta = u28::new(cut_tick.saturating_sub(last).min(0x0FFF_FFFF) as u32);
        let mut held: Vec<_> = on.into_iter().collect();
        held.sort_unstable();
        for (channel, key) in held {
            out.push(TrackEvent {
                delta,
                kind: TrackEventKind::Midi {
                    channel: u4::new(channel),
                    message: MidiMessage::NoteOff {
                        key: u7::new(key),
                        vel: u7::new(0),
                    },
                },
            });
            delta = u28::new(0);
        }
        out.push(TrackEvent {
            delta,
            kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
        });
        tracks.push(out);
    }
    let cut_smf = Smf {
        header: smf.header,
        tracks,
    };
    cut_smf.save(output).expect("write OUT");
}
