//! Transport scenarios against exact expected `(frame, event)` logs: seek
//! with chase, A–B loop, tempo scale, transpose, mute, solo, pause, stop,
//! and positions.
//!
//! The song: 480 ticks per quarter at 48 kHz, 120 BPM (50 frames per tick)
//! until a tempo change to 240 BPM (25 frames per tick) at tick 1920 and to
//! 60 BPM (100 frames per tick) at tick 2880.

use midly::MidiMessage::*;
use midly::num::{u4, u7, u14};
use smfplay_core::sequencer::{Command, LoopRange, SeekTarget};
use smfplay_tests::recording_synth::Logged;
use smfplay_tests::sequencer_harness::run;
use smfplay_tests::smf_writer::{Division, RunningStatus, smf};
use smfplay_tests::timeline::Timeline;

const RATE: u32 = 48_000;
const PERIOD: usize = 256;

fn song() -> Vec<u8> {
    let mut conductor = Timeline::new();
    conductor
        .tempo(0, 500_000)
        .tempo(1920, 250_000)
        .tempo(2880, 1_000_000);
    conductor.meta(0, 0x58, &[3, 2, 24, 8]); // 3/4
    let mut lead = Timeline::new(); // channel 0
    lead.program(0, 0, 40)
        .control(10, 0, 7, 90)
        .control(20, 0, 74, 33);
    lead.control(30, 0, 101, 0)
        .control(31, 0, 100, 0)
        .control(32, 0, 6, 12);
    lead.pitch_bend(40, 0, 9000);
    lead.note(480, 960, 0, 60, 100).note(960, 480, 0, 62, 100);
    lead.note(1440, 480, 0, 64, 100)
        .note(1920, 480, 0, 65, 100)
        .note(2400, 960, 0, 67, 100);
    lead.note(3360, 960, 0, 69, 100); // crosses the loop end at 3840
    let mut pad = Timeline::new(); // channel 1
    pad.note(0, 3840, 1, 48, 80)
        .control(2000, 1, 11, 100)
        .note(3840, 480, 1, 50, 80);
    let mut drums = Timeline::new(); // channel 10
    for beat in 0..9 {
        drums.note(beat * 480, 240, 9, 36, 110);
    }
    let end = 4800;
    let tracks: Vec<_> = [conductor, lead, pad, drums]
        .iter()
        .map(|t| t.render(RunningStatus::Compliant, end))
        .collect();
    smf(1, Division::Metrical(480), &tracks)
}

/// Output frame of a tick with no transport commands.
fn frame_of(tick: u64) -> u64 {
    match tick {
        t if t <= 1920 => t * 50,
        t if t <= 2880 => 1920 * 50 + (t - 1920) * 25,
        t => 1920 * 50 + 960 * 25 + (t - 2880) * 100,
    }
}

fn on(ch: u8, key: u8) -> Logged {
    Logged::Midi(
        ch,
        NoteOn {
            key: u7::new(key),
            vel: u7::new(if ch == 1 {
                80
            } else if ch == 9 {
                110
            } else {
                100
            }),
        },
    )
}
fn off(ch: u8, key: u8) -> Logged {
    Logged::Midi(
        ch,
        NoteOff {
            key: u7::new(key),
            vel: u7::new(0),
        },
    )
}
fn cc(ch: u8, c: u8, v: u8) -> Logged {
    Logged::Midi(
        ch,
        Controller {
            controller: u7::new(c),
            value: u7::new(v),
        },
    )
}
fn is_note_on(e: &Logged, ch: u8, key: u8) -> bool {
    matches!(e, Logged::Midi(c, NoteOn { key: k, vel }) if *c == ch && k.as_int() == key && vel.as_int() > 0)
}
fn frames_of_note_on(log: &[(u64, Logged)], ch: u8, key: u8) -> Vec<u64> {
    log.iter()
        .filter(|(_, e)| is_note_on(e, ch, key))
        .map(|(f, _)| *f)
        .collect()
}
fn at(log: &[(u64, Logged)], frame: u64) -> Vec<Logged> {
    log.iter()
        .filter(|(f, _)| *f == frame)
        .map(|(_, e)| e.clone())
        .collect()
}

#[test]
fn plain_playback_puts_every_note_on_its_frame() {
    let r = run(&song(), RATE, PERIOD, u64::MAX, &[]);
    assert_eq!(frames_of_note_on(&r.synth.log, 0, 60), vec![frame_of(480)]);
    assert_eq!(frames_of_note_on(&r.synth.log, 0, 67), vec![frame_of(2400)]);
    assert_eq!(frames_of_note_on(&r.synth.log, 0, 69), vec![frame_of(3360)]);
    assert_eq!(frames_of_note_on(&r.synth.log, 9, 36).len(), 9);
    assert!(r.synth.sounding().is_empty());
    // tick-0 events are played (FluidSynth's player skips them)
    assert!(at(&r.synth.log, 0).contains(&on(1, 48)));
    assert!(at(&r.synth.log, 0).contains(&Logged::Midi(
        0,
        ProgramChange {
            program: u7::new(40)
        }
    )));
}

#[test]
fn seek_chases_state_releases_notes_and_keeps_events_at_the_target() {
    // Seek to tick 960 once output frame 10 000 is reached (period start 10 240).
    let seek_at = 10_240;
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(10_000, Command::Seek(SeekTarget::Tick(960)))],
    );
    let there = at(&r.synth.log, seek_at);
    // The pad note sounding at the seek is released first.
    assert_eq!(there.first(), Some(&off(1, 48)), "{there:?}");
    // The synth is told of the jump (an external synth's reset goes
    // there), once, at the seek, after the release and before the chase.
    let first_at_seek = r.synth.log.iter().position(|(f, _)| *f == seek_at);
    let [(frame, looped, index)] = r.synth.jumps[..] else {
        panic!("one jump expected: {:?}", r.synth.jumps);
    };
    assert_eq!((frame, looped), (seek_at, false));
    let releases = &r.synth.log[first_at_seek.expect("events at the seek")..index];
    assert!(
        !releases.is_empty()
            && releases
                .iter()
                .all(|(_, e)| matches!(e, Logged::Midi(_, NoteOff { .. }))),
        "{releases:?}"
    );
    assert_eq!(r.synth.log[index].1, cc(0, 121, 0));
    // Channel 0's state as the file set it before tick 960, in order.
    let chase: Vec<_> = there
        .iter()
        .filter(|e| matches!(e, Logged::Midi(0, _)))
        .cloned()
        .collect();
    let expected_chase = vec![
        cc(0, 121, 0),
        cc(0, 0, 0),
        Logged::Midi(
            0,
            ProgramChange {
                program: u7::new(40),
            },
        ),
        cc(0, 7, 90),
        cc(0, 10, 64),
        cc(0, 91, 40),
        cc(0, 93, 0),
        cc(0, 74, 33),
        cc(0, 101, 0),
        cc(0, 100, 0),
        cc(0, 6, 12),
        cc(0, 101, 0),
        cc(0, 100, 0),
        Logged::Midi(
            0,
            PitchBend {
                bend: midly::PitchBend(u14::new(9000)),
            },
        ),
        on(0, 62), // the note exactly at the target tick is played, not lost
    ];
    assert_eq!(chase, expected_chase);
    // Note 60 (ticks 480–1440) was never reached before the seek and is
    // sounding at the target: it is not struck late.
    assert!(frames_of_note_on(&r.synth.log, 0, 60).is_empty());
    // The pad note (ticks 0–3840) was sounding at 960 but is not re-struck either.
    assert_eq!(frames_of_note_on(&r.synth.log, 1, 48), vec![0]);
    // Later events keep their spacing from the target.
    assert_eq!(
        frames_of_note_on(&r.synth.log, 0, 64),
        vec![seek_at + frame_of(1440) - frame_of(960)]
    );
    assert!(
        r.synth.sounding().is_empty(),
        "hanging: {:?}",
        r.synth.sounding()
    );
    // Drums: the beat at tick 960 plays at the jump; the ones before it do not repeat.
    assert!(there.contains(&on(9, 36)));
}

#[test]
fn seek_by_time_lands_between_events() {
    // 1.5 s = 72 000 song frames = tick 1440 exactly (120 BPM): note 64 plays at the jump.
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(0, Command::Seek(SeekTarget::SongFrame(72_000)))],
    );
    assert_eq!(frames_of_note_on(&r.synth.log, 0, 64), vec![0]);
    // 1.51 s: tick 1449.6 → 1450; note 65 (tick 1920) comes 470 ticks × 50 frames − 0.4 tick later.
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(0, Command::Seek(SeekTarget::SongFrame(72_480)))],
    );
    assert_eq!(
        frames_of_note_on(&r.synth.log, 0, 65),
        vec![frame_of(1920) - 72_480]
    );
    assert!(frames_of_note_on(&r.synth.log, 0, 64).is_empty());
}

#[test]
fn a_b_loop_repeats_seamlessly_with_the_tempo_of_its_start() {
    // Loop bars of ticks [1920, 3840): 960 ticks at 240 BPM then 960 at 60 BPM.
    let range = LoopRange {
        start: 1920,
        end: Some(3840),
    };
    let turn = 960 * 25 + 960 * 100; // 120 000 frames
    let r = run(
        &song(),
        RATE,
        PERIOD,
        frame_of(1920) + 3 * turn + 1000,
        &[(0, Command::Loop(Some(range)))],
    );
    let n65 = frames_of_note_on(&r.synth.log, 0, 65);
    let first = frame_of(1920);
    assert_eq!(
        n65,
        vec![first, first + turn, first + 2 * turn, first + 3 * turn]
    );
    let n67 = frames_of_note_on(&r.synth.log, 0, 67);
    assert_eq!(
        n67,
        vec![
            frame_of(2400),
            frame_of(2400) + turn,
            frame_of(2400) + 2 * turn
        ]
    );
    // The note crossing the loop end (tick 3360–4320) is released at every turn.
    for k in 1..=3 {
        let jump = first + k * turn;
        assert!(at(&r.synth.log, jump).contains(&off(0, 69)), "turn {k}");
    }
    // Nothing after the loop end is ever played.
    assert!(frames_of_note_on(&r.synth.log, 1, 50).is_empty());
}

#[test]
fn whole_song_loop_starts_again_at_tick_zero() {
    let end = frame_of(4800);
    let r = run(
        &song(),
        RATE,
        PERIOD,
        end * 2 - PERIOD as u64,
        &[(0, Command::Loop(Some(LoopRange::WHOLE_SONG)))],
    );
    assert_eq!(frames_of_note_on(&r.synth.log, 1, 48), vec![0, end]);
    // The turn is a jump the synth hears of as a loop's (no reset).
    let turns: Vec<_> = r
        .synth
        .jumps
        .iter()
        .map(|&(f, looped, _)| (f, looped))
        .collect();
    assert_eq!(turns, [(end, true)]);
    assert_eq!(
        frames_of_note_on(&r.synth.log, 0, 60),
        vec![frame_of(480), end + frame_of(480)]
    );
}

#[test]
fn tempo_scale_changes_spacing_without_a_jump() {
    // Double speed from output frame 30 000 (period start 30 208).
    let change = 30_208u64;
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(30_000, Command::TempoMilli(2000))],
    );
    // Note 62 at song frame 48 000: 30 208 + (48 000 − 30 208) / 2.
    let expected = change + (frame_of(960) - change) / 2;
    assert_eq!(frames_of_note_on(&r.synth.log, 0, 62), vec![expected]);
    // Position is continuous across the change.
    let i = r
        .positions
        .iter()
        .position(|p| p.output_frame >= change + PERIOD as u64)
        .unwrap();
    let (a, b) = (r.positions[i - 1], r.positions[i]);
    assert_eq!(b.song_frame - a.song_frame, 2 * PERIOD as u64);
}

#[test]
fn transpose_spares_drums_and_releases_with_the_key_that_sounded() {
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[
            (0, Command::Transpose(3)),
            (frame_of(500), Command::Transpose(-2)),
        ],
    );
    // 60 + 3 at tick 480, and later 65 − 2 at tick 1920.
    assert_eq!(
        frames_of_note_on(&r.synth.log, 0, 63),
        vec![frame_of(480), frame_of(1920)]
    );
    // Released as 63 although the transposition changed meanwhile.
    assert!(r.synth.log.iter().any(|(f, e)| *f == frame_of(1440)
        && *e
            == Logged::Midi(
                0,
                NoteOff {
                    key: u7::new(63),
                    vel: u7::new(64)
                }
            )));
    assert_eq!(frames_of_note_on(&r.synth.log, 0, 60), vec![frame_of(960)]); // 62 − 2
    assert_eq!(frames_of_note_on(&r.synth.log, 9, 36).len(), 9); // drums never transposed
    assert!(r.synth.sounding().is_empty());
}

#[test]
fn mute_releases_and_silences_a_channel_but_keeps_its_controllers() {
    let ch1 = u4::new(1);
    let mute_at = 10_240;
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(10_000, Command::Mute(ch1, true))],
    );
    assert_eq!(at(&r.synth.log, mute_at), vec![off(1, 48)]);
    assert!(frames_of_note_on(&r.synth.log, 1, 50).is_empty());
    assert!(r.synth.log.iter().any(|(_, e)| *e == cc(1, 11, 100)));
    // The file's own note-off for the muted note is not sent again.
    let offs = r
        .synth
        .log
        .iter()
        .filter(|(_, e)| matches!(e, Logged::Midi(1, NoteOff { .. })))
        .count();
    assert_eq!(offs, 1);
    // Unmuted later: new notes play.
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[
            (10_000, Command::Mute(ch1, true)),
            (100_000, Command::Mute(ch1, false)),
        ],
    );
    assert_eq!(frames_of_note_on(&r.synth.log, 1, 50), vec![frame_of(3840)]);
}

#[test]
fn solo_keeps_only_the_soloed_channels() {
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(0, Command::Solo(u4::new(9), true))],
    );
    let channels: std::collections::BTreeSet<u8> = r
        .synth
        .log
        .iter()
        .filter_map(|(_, e)| match e {
            Logged::Midi(c, NoteOn { .. }) => Some(*c),
            _ => None,
        })
        .collect();
    assert_eq!(channels.into_iter().collect::<Vec<_>>(), vec![9]);
}

#[test]
fn pause_releases_notes_holds_time_and_resumes_where_it_stopped() {
    let (p1, p2) = (30_208u64, 130_048u64);
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(30_000, Command::Pause), (130_000, Command::Play)],
    );
    let paused = at(&r.synth.log, p1);
    assert!(
        paused.contains(&off(1, 48)) && paused.contains(&off(0, 60)),
        "{paused:?}"
    );
    assert!(r.synth.log.iter().all(|(f, _)| *f <= p1 || *f >= p2));
    // Everything after the pause is shifted by its length.
    assert_eq!(
        frames_of_note_on(&r.synth.log, 0, 62),
        vec![frame_of(960) + (p2 - p1)]
    );
    let still: Vec<_> = r
        .positions
        .iter()
        .filter(|p| p.output_frame > p1 && p.output_frame <= p2)
        .collect();
    assert!(still.windows(2).all(|w| w[0].song_frame == w[1].song_frame));
}

#[test]
fn stop_silences_every_channel_and_goes_back_to_the_start() {
    let r = run(&song(), RATE, PERIOD, 60_000, &[(30_000, Command::Stop)]);
    let stopped = at(&r.synth.log, 30_208);
    for ch in 0..16 {
        assert!(
            stopped.contains(&cc(ch, 123, 0)) && stopped.contains(&cc(ch, 120, 0)),
            "channel {ch}"
        );
    }
    let last = r.positions.last().unwrap();
    assert_eq!(last.tick, 0);
    // Play again: the song starts over with its state restored.
    let r = run(
        &song(),
        RATE,
        PERIOD,
        u64::MAX,
        &[(30_000, Command::Stop), (40_000, Command::Play)],
    );
    assert_eq!(
        frames_of_note_on(&r.synth.log, 0, 60),
        vec![frame_of(480), 40_192 + frame_of(480)]
    );
}

#[test]
fn positions_follow_ticks_bars_and_tempo() {
    let r = run(&song(), RATE, PERIOD, u64::MAX, &[]);
    let find = |frame: u64| {
        r.positions
            .iter()
            .find(|p| p.output_frame == frame)
            .copied()
            .unwrap()
    };
    let p = find(256 * 188); // 48 128 frames: tick 962 at 50 frames per tick
    assert_eq!(p.tick, 962);
    assert_eq!((p.bar, p.beat), (1, 3)); // 3/4: 1440 ticks per bar, beat 3 starts at 960
    let p = find(256 * 400); // 102 400 frames: past the 240 BPM change at 96 000
    assert_eq!(p.tick, 1920 + (102_400 - 96_000) / 25);
    assert_eq!(p.us_per_quarter, 250_000);
    assert_eq!((p.bar, p.beat), (2, 1 + (p.tick - 1440) as u32 / 480));
}

#[test]
fn notes_without_note_offs_are_released_at_the_end() {
    let mut t = Timeline::new();
    t.midi(0, 0x90, &[60, 100])
        .midi(0, 0x91, &[64, 100])
        .midi(480, 0x92, &[67, 100]);
    let file = smf(
        0,
        Division::Metrical(480),
        &[t.render(RunningStatus::Compliant, 960)],
    );
    let r = run(&file, RATE, PERIOD, u64::MAX, &[]);
    assert!(
        r.synth.sounding().is_empty(),
        "hanging: {:?}",
        r.synth.sounding()
    );
    let end = frame_of(960);
    let released = at(&r.synth.log, end);
    for (ch, key) in [(0u8, 60u8), (1, 64), (2, 67)] {
        assert!(
            released.contains(&off(ch, key)),
            "{ch}/{key} not released: {released:?}"
        );
    }
}

#[test]
fn all_notes_off_in_the_file_is_not_followed_by_stray_note_offs() {
    // Note 60 on, the file's own all-notes-off, then its note-off: only the
    // all-notes-off reaches the synth after the note-on; a pause later sends
    // nothing for the forgotten note.
    let mut t = Timeline::new();
    t.midi(0, 0x90, &[60, 100])
        .midi(100, 0xB0, &[123, 0])
        .midi(200, 0x80, &[60, 0]);
    let file = smf(
        0,
        Division::Metrical(480),
        &[t.render(RunningStatus::Compliant, 1920)],
    );
    let r = run(
        &file,
        RATE,
        PERIOD,
        u64::MAX,
        &[
            (frame_of(300), Command::Pause),
            (frame_of(400), Command::Play),
        ],
    );
    let offs = r
        .synth
        .log
        .iter()
        .filter(|(_, e)| matches!(e, Logged::Midi(0, NoteOff { .. })))
        .count();
    assert_eq!(offs, 0, "{:?}", r.synth.log);
    assert!(
        r.synth
            .log
            .iter()
            .any(|(f, e)| *f == frame_of(100) && *e == cc(0, 123, 0))
    );
}
