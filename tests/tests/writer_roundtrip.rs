//! The byte-level writer round-trips through `midly`: events written with
//! `TrackWriter` (with or without running status, with canonical or padded
//! delta times) parse back to the same `TrackEventKind`s and deltas.

use midly::live::LiveEvent;
use midly::num::{u4, u7, u14, u24};
use midly::{MetaMessage, MidiMessage, PitchBend, Smf, TrackEventKind};
use proptest::prelude::*;
use smfplay_tests::smf_writer::{Division, RunningStatus, TrackWriter, smf};

fn midi_message() -> impl Strategy<Value = MidiMessage> {
    let k = || (0u8..128).prop_map(u7::new);
    prop_oneof![
        (k(), k()).prop_map(|(key, vel)| MidiMessage::NoteOff { key, vel }),
        (k(), k()).prop_map(|(key, vel)| MidiMessage::NoteOn { key, vel }),
        (k(), k()).prop_map(|(key, vel)| MidiMessage::Aftertouch { key, vel }),
        (k(), k()).prop_map(|(controller, value)| MidiMessage::Controller { controller, value }),
        k().prop_map(|program| MidiMessage::ProgramChange { program }),
        k().prop_map(|vel| MidiMessage::ChannelAftertouch { vel }),
        (0u16..0x4000).prop_map(|b| MidiMessage::PitchBend {
            bend: PitchBend(u14::new(b))
        }),
    ]
}

/// Owned description of one event (the data of `SysEx`/`Meta` must outlive
/// the `TrackEventKind` borrowing it).
#[derive(Clone, Debug)]
enum Ev {
    Midi(u8, MidiMessage),
    SysEx(Vec<u8>),
    Escape(Vec<u8>),
    Meta(u8, Vec<u8>),
    Tempo(u32),
}

fn event() -> impl Strategy<Value = Ev> {
    let bytes = || proptest::collection::vec(any::<u8>(), 0..300);
    prop_oneof![
        6 => (0u8..16, midi_message()).prop_map(|(c, m)| Ev::Midi(c, m)),
        1 => bytes().prop_map(Ev::SysEx),
        1 => bytes().prop_map(Ev::Escape),
        1 => (prop_oneof![1u8..=9, 0x60u8..0x7F, Just(0x7F)], bytes()).prop_map(|(k, d)| Ev::Meta(k, d)),
        1 => (0u32..=0xFF_FFFF).prop_map(Ev::Tempo),
    ]
}

fn expected(ev: &Ev) -> TrackEventKind<'_> {
    match ev {
        Ev::Midi(c, m) => TrackEventKind::Midi {
            channel: u4::new(*c),
            message: *m,
        },
        Ev::SysEx(d) => TrackEventKind::SysEx(d),
        Ev::Escape(d) => TrackEventKind::Escape(d),
        Ev::Tempo(t) => TrackEventKind::Meta(MetaMessage::Tempo(u24::new(*t))),
        Ev::Meta(k, d) => TrackEventKind::Meta(match k {
            1 => MetaMessage::Text(d),
            2 => MetaMessage::Copyright(d),
            3 => MetaMessage::TrackName(d),
            4 => MetaMessage::InstrumentName(d),
            5 => MetaMessage::Lyric(d),
            6 => MetaMessage::Marker(d),
            7 => MetaMessage::CuePoint(d),
            8 => MetaMessage::ProgramName(d),
            9 => MetaMessage::DeviceName(d),
            0x7F => MetaMessage::SequencerSpecific(d),
            k => MetaMessage::Unknown(*k, d),
        }),
    }
}

fn write(t: &mut TrackWriter, delta: u32, ev: &Ev) {
    match ev {
        Ev::Midi(c, m) => {
            let mut bytes = Vec::new();
            LiveEvent::Midi {
                channel: u4::new(*c),
                message: *m,
            }
            .write_std(&mut bytes)
            .unwrap();
            t.midi(delta, bytes[0], &bytes[1..]);
        }
        Ev::SysEx(d) => {
            t.sysex(delta, d);
        }
        Ev::Escape(d) => {
            t.escape(delta, d);
        }
        Ev::Meta(k, d) => {
            t.meta(delta, *k, d);
        }
        Ev::Tempo(us) => {
            t.tempo(delta, *us);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn writer_round_trips_through_midly(
        evs in proptest::collection::vec(
            (prop_oneof![0u32..200, 0u32..=0x0FFF_FFFF], 1usize..=4, event()),
            0..60,
        ),
        compliant in any::<bool>(),
    ) {
        let mode = if compliant { RunningStatus::Compliant } else { RunningStatus::Never };
        let mut t = TrackWriter::with_running_status(mode);
        for (delta, width, ev) in &evs {
            t.pad_next_delta(*width);
            write(&mut t, *delta, ev);
        }
        t.end_of_track(0);
        let bytes = smf(0, Division::Metrical(96), &[t]);
        prop_assert_eq!(smfplay_tests::strict::check(&bytes), Ok(()));
        let parsed = Smf::parse(&bytes).unwrap();
        let track = &parsed.tracks[0];
        prop_assert_eq!(track.len(), evs.len() + 1);
        for ((delta, _, ev), got) in evs.iter().zip(track) {
            prop_assert_eq!(got.delta.as_int(), *delta);
            prop_assert_eq!(got.kind, expected(ev));
        }
        prop_assert_eq!(track[evs.len()].kind, TrackEventKind::Meta(MetaMessage::EndOfTrack));
    }
}
