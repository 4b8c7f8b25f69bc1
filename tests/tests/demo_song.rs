//! The committed `assets/demo.mid` is exactly what `demo_song()` generates,
//! and it is the song its documentation promises.

use std::collections::BTreeSet;

use midly::{Format, MetaMessage, MidiMessage, TrackEventKind};
use smfplay_tests::demo::demo_song;
use smfplay_tests::reference;

fn committed() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/demo.mid");
    std::fs::read(path).expect("assets/demo.mid (regenerate: gen-fixtures --demo assets/demo.mid)")
}

#[test]
fn committed_demo_matches_generator() {
    assert!(
        committed() == demo_song(),
        "assets/demo.mid is stale: run `cargo run -p smfplay-tests --bin gen-fixtures -- --demo assets/demo.mid`"
    );
}

#[test]
fn demo_song_shape() {
    let bytes = demo_song();
    assert!(bytes.len() < 20 * 1024, "{} bytes", bytes.len());
    assert_eq!(smfplay_tests::strict::check(&bytes), Ok(()));
    let r = reference::parse(&bytes).unwrap();
    assert_eq!(r.smf.header.format, Format::Parallel);
    assert_eq!(r.smf.tracks.len(), 6);
    let secs = reference::duration_seconds(&r).unwrap();
    assert!((40.0..=70.0).contains(&secs), "{secs} s");

    let metas = |f: fn(&MetaMessage) -> bool| {
        r.smf.tracks[0]
            .iter()
            .filter(|e| matches!(&e.kind, TrackEventKind::Meta(m) if f(m)))
            .count()
    };
    assert_eq!(metas(|m| matches!(m, MetaMessage::TrackName(_))), 1);
    assert_eq!(metas(|m| matches!(m, MetaMessage::Copyright(_))), 1);
    assert_eq!(
        metas(|m| matches!(m, MetaMessage::TimeSignature(4, 2, ..))),
        1
    );
    assert_eq!(
        metas(|m| matches!(m, MetaMessage::KeySignature(0, false))),
        1
    );
    assert!(metas(|m| matches!(m, MetaMessage::Marker(_))) >= 3);
    assert!(metas(|m| matches!(m, MetaMessage::Tempo(_))) >= 2);

    let lyrics: String = r
        .events
        .iter()
        .filter_map(|e| match e.kind {
            TrackEventKind::Meta(MetaMessage::Lyric(l)) => {
                Some(String::from_utf8_lossy(l).into_owned())
            }
            _ => None,
        })
        .collect();
    assert!(
        lyrics.starts_with("Play a little song from the bytes,"),
        "{lyrics}"
    );

    let mut programs = BTreeSet::new();
    let mut cc = BTreeSet::new();
    let (mut bends, mut drum_notes) = (0, 0);
    for e in &r.events {
        if let TrackEventKind::Midi { channel, message } = e.kind {
            match message {
                MidiMessage::ProgramChange { program } => {
                    programs.insert((channel.as_int(), program.as_int()));
                }
                MidiMessage::Controller { controller, .. } => {
                    cc.insert(controller.as_int());
                }
                MidiMessage::PitchBend { .. } => bends += 1,
                MidiMessage::NoteOn { vel, .. } if channel == 9 && vel > 0 => drum_notes += 1,
                _ => {}
            }
        }
    }
    assert_eq!(programs.len(), 5);
    assert!(cc.is_superset(&[1, 7, 10].into()));
    assert!(bends > 0);
    assert!(drum_notes > 100);
}
