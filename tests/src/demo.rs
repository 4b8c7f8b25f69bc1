//! The composed demo song, `assets/demo.mid`: "Little Song for smfplay".
//!
//! A one-minute (about 60 s) pop tune in C major, 4/4, 100 bpm, on the
//! I–V–vi–IV progression: a two-bar intro (IV–V), an eight-bar verse
//! (I–V–vi–IV twice) with a lyric line, an eight-bar chorus
//! (vi–IV–I–V twice) with a pitch-bend scoop, a four-bar reprise of the
//! verse with a second lyric line, and a two-bar ending (V7–I) under a
//! ritardando (100 → 66 bpm).
//!
//! Format 1, 480 ticks per quarter note, six tracks:
//!
//! | track | contents | channel | GM program |
//! | --- | --- | --- | --- |
//! | 0 | conductor: title, copyright, text, time and key signature, markers, tempo | – | – |
//! | 1 | melody, with lyrics, modulation on long notes and a bend | 1 | 73 Flute |
//! | 2 | pads (sustained triads, expression swells) | 2 | 89 Pad 2 (warm) |
//! | 3 | piano arpeggios | 4 | 4 Electric Piano 1 |
//! | 4 | bass | 3 | 33 Electric Bass (finger) |
//! | 5 | drums | 10 | 0 Standard kit |
//!
//! Every channel gets volume (CC 7), pan (CC 10) and reverb (CC 91).
//! Velocities are humanised with the seeded [`Rng`], so the file is
//! byte-identical on every machine. `gen-fixtures --demo assets/demo.mid`
//! writes it; a test checks the committed file equals [`demo_song`].

use crate::fixtures::drum;
use crate::rng::Rng;
use crate::smf_writer::{Division, RunningStatus, TextKind, smf};
use crate::timeline::Timeline;

/// Ticks per quarter note of the demo song.
pub const DEMO_TPQ: u16 = 480;
const Q: u64 = DEMO_TPQ as u64;
const BAR: u64 = 4 * Q;
/// Number of bars.
pub const DEMO_BARS: u64 = 24;
/// Tick of the end-of-track events (one quarter of ring-out after the
/// last bar).
pub const DEMO_END_TICK: u64 = DEMO_BARS * BAR + Q;

const CH_MELODY: u8 = 0;
const CH_PAD: u8 = 1;
const CH_BASS: u8 = 2;
const CH_PIANO: u8 = 3;
const CH_DRUMS: u8 = 9;

/// The chord of each bar: root (MIDI key in the bass register) and the pad
/// voicing (keys around middle C, voice-led).
const CHORDS: [(u8, &[u8]); DEMO_BARS as usize] = {
    const C: (u8, &[u8]) = (36, &[60, 64, 67]);
    const G: (u8, &[u8]) = (43, &[59, 62, 67]);
    const AM: (u8, &[u8]) = (45, &[60, 64, 69]);
    const F: (u8, &[u8]) = (41, &[60, 65, 69]);
    const G7: (u8, &[u8]) = (43, &[59, 62, 65, 67]);
    [
        F, G, // intro
        C, G, AM, F, C, G, AM, F, // verse
        AM, F, C, G, AM, F, C, G, // chorus
        C, G, AM, F, // reprise
        G7, C, // ending
    ]
};

/// The melody, one string per bar from bar 2 (`NOTE/DUR`, C4 = 60; `w h q
/// e` whole to eighth, `.` dotted).
const MELODY: [&str; 22] = [
    // verse
    "E5/q D5/e C5/e D5/q E5/q",
    "D5/q. B4/e G4/h",
    "C5/q E5/q A5/q G5/e E5/e",
    "F5/q E5/e D5/e C5/h",
    "E5/q G5/q C6/q B5/e A5/e",
    "G5/q. D5/e B4/h",
    "A4/q C5/e E5/e A5/q G5/q",
    "A5/q G5/e F5/e E5/q D5/q",
    // chorus
    "C6/q. B5/e A5/q E5/q",
    "F5/q A5/q C6/q A5/q",
    "G5/q. E5/e C5/q E5/q",
    "D5/e E5/e F5/e G5/e B5/h",
    "C6/q. B5/e A5/q E5/q",
    "F5/q A5/q D6/q C6/q",
    "C6/q G5/q E5/q G5/e F5/e",
    "D5/q. E5/e D5/q B4/q",
    // reprise
    "E5/q D5/e C5/e D5/q E5/q",
    "D5/q. B4/e G4/h",
    "C5/q E5/q A5/q G5/e E5/e",
    "F5/q E5/e D5/e C5/q A4/q",
    // ending
    "G5/q F5/q D5/q B4/q",
    "C5/w",
];

/// Lyric syllables, sung on consecutive melody notes from the first note
/// of the verse (bar 2) and of the reprise (bar 18).
const LYRICS: [(u64, &[&str]); 2] = [
    (
        2,
        &[
            "Play ", "a ", "lit", "tle ", "song ", "from ", "the ", "bytes, ", "ev", "'ry ",
            "tick ", "in ", "time, ", "sing ", "it ", "a", "long.",
        ],
    ),
    (
        18,
        &[
            "Play ", "it ", "once ", "a", "gain ", "from ", "the ", "start, ", "ev", "'ry ",
            "note ", "a ", "beat ", "of ", "the ", "tune's ", "heart.",
        ],
    ),
];

fn key_of(name: &str) -> u8 {
    let b = name.as_bytes();
    let base: i32 = match b[0] {
        b'C' => 0,
        b'D' => 2,
        b'E' => 4,
        b'F' => 5,
        b'G' => 7,
        b'A' => 9,
        b'B' => 11,
        _ => panic!("bad note {name}"),
    };
    let (acc, rest) = match b[1] {
        b'#' => (1, &name[2..]),
        b'b' => (-1, &name[2..]),
        _ => (0, &name[1..]),
    };
    let octave: i32 = rest.parse().expect("octave");
    u8::try_from(12 * (octave + 1) + base + acc).expect("key")
}

fn ticks_of(dur: &str) -> u64 {
    let (d, dotted) = match dur.strip_suffix('.') {
        Some(d) => (d, true),
        None => (dur, false),
    };
    let t = match d {
        "w" => 4 * Q,
        "h" => 2 * Q,
        "q" => Q,
        "e" => Q / 2,
        "s" => Q / 4,
        _ => panic!("bad duration {dur}"),
    };
    if dotted { t + t / 2 } else { t }
}

/// The parsed melody: `(tick, length, key)`.
fn melody_notes() -> Vec<(u64, u64, u8)> {
    let mut out = Vec::new();
    for (i, bar) in MELODY.iter().enumerate() {
        let mut tick = (i as u64 + 2) * BAR;
        for tok in bar.split_whitespace() {
            let (name, dur) = tok.split_once('/').expect("NOTE/DUR");
            let len = ticks_of(dur);
            out.push((tick, len, key_of(name)));
            tick += len;
        }
        assert_eq!(tick, (i as u64 + 3) * BAR, "bar {} does not add up", i + 2);
    }
    out
}

fn setup(t: &mut Timeline, ch: u8, name: &str, instrument: &str, program: u8, vol: u8, pan: u8) {
    t.text(0, TextKind::TrackName, name)
        .text(0, TextKind::InstrumentName, instrument)
        .program(0, ch, program)
        .control(0, ch, 7, vol)
        .control(0, ch, 10, pan)
        .control(0, ch, 91, 50)
        .control(0, ch, 11, 100);
}

fn conductor() -> Timeline {
    let mut t = Timeline::new();
    t.text(0, TextKind::TrackName, "Little Song for smfplay")
        .text(
            0,
            TextKind::Copyright,
            "Public domain (CC0), the smfplay authors",
        )
        .text(0, TextKind::Text, "Composed for smfplay's tests and demos")
        .meta(0, 0x58, &[4, 2, 24, 8])
        .meta(0, 0x59, &[0, 0])
        .tempo(0, 600_000);
    for (bar, name) in [
        (0, "Intro"),
        (2, "Verse"),
        (10, "Chorus"),
        (18, "Reprise"),
        (22, "Ending"),
    ] {
        t.text(bar * BAR, TextKind::Marker, name);
    }
    // Ritardando over the last two bars: 96, 92, 88, 84, then 76 and 66 bpm.
    for (beat, bpm) in [(0, 96u32), (1, 92), (2, 88), (3, 84), (4, 76), (6, 66)] {
        t.tempo(22 * BAR + beat * Q, (60_000_000 + bpm / 2) / bpm);
    }
    t
}

fn melody(rng: &mut Rng) -> Timeline {
    let mut t = Timeline::new();
    setup(&mut t, CH_MELODY, "Melody", "Flute", 73, 105, 64);
    let notes = melody_notes();
    for (tick, len, key) in &notes {
        let accent = if tick % BAR == 0 { 8 } else { 0 };
        let vel = 82 + accent + rng.below(10) as u8;
        let gap = if *len >= Q { 30 } else { 15 };
        t.note(*tick, len - gap, CH_MELODY, *key, vel);
        // Vibrato (modulation wheel) swelling on long notes.
        if *len >= 2 * Q {
            for (i, v) in [20u8, 40, 60, 70].iter().enumerate() {
                t.control(tick + Q / 2 + i as u64 * Q / 4, CH_MELODY, 1, *v);
            }
            t.control(tick + len - gap, CH_MELODY, 1, 0);
        }
    }
    // Chorus: a little more presence, and a scoop into its first note.
    t.control(10 * BAR - 10, CH_MELODY, 11, 115)
        .control(18 * BAR - 10, CH_MELODY, 11, 100);
    for (i, bend) in [0x1800u16, 0x1A00, 0x1C00, 0x1E00, 0x2000]
        .iter()
        .enumerate()
    {
        t.pitch_bend(10 * BAR + i as u64 * 20, CH_MELODY, *bend);
    }
    for (first_bar, words) in LYRICS {
        let start = notes
            .iter()
            .position(|n| n.0 == first_bar * BAR)
            .expect("lyric start");
        for (n, w) in notes[start..].iter().zip(words.iter()) {
            t.text(n.0, TextKind::Lyric, w);
        }
    }
    t
}

fn pads(rng: &mut Rng) -> Timeline {
    let mut t = Timeline::new();
    setup(&mut t, CH_PAD, "Pads", "Warm Pad", 89, 72, 40);
    t.control(0, CH_PAD, 93, 40);
    for (bar, (_, voicing)) in CHORDS.iter().enumerate() {
        let start = bar as u64 * BAR;
        let len = if bar as u64 == DEMO_BARS - 1 {
            BAR + Q / 2
        } else {
            BAR - 10
        };
        for &k in *voicing {
            t.note(start, len, CH_PAD, k, 55 + rng.below(8) as u8);
        }
        // Expression swell through each bar, louder in the chorus.
        let top = if (10..18).contains(&bar) { 110 } else { 90 };
        for i in 0..4u64 {
            t.control(start + i * Q, CH_PAD, 11, top - 24 + 8 * i as u8);
        }
    }
    t
}

fn piano(rng: &mut Rng) -> Timeline {
    let mut t = Timeline::new();
    setup(&mut t, CH_PIANO, "Piano", "Electric Piano", 4, 78, 88);
    for (bar, (root, voicing)) in CHORDS.iter().enumerate() {
        let start = bar as u64 * BAR;
        let root = root + 12; // tenor register
        if bar as u64 == DEMO_BARS - 1 {
            // Final bar: one rolled chord.
            for (i, k) in [root, root + 7, root + 12, root + 16].iter().enumerate() {
                t.note(
                    start + i as u64 * 40,
                    BAR + Q / 2 - i as u64 * 40,
                    CH_PIANO,
                    *k,
                    70,
                );
            }
            continue;
        }
        let v = voicing;
        let pattern = [root, root + 7, v[0], v[1], v[2], v[1], v[0], root + 7];
        for (i, k) in pattern.iter().enumerate() {
            let vel = if i % 2 == 0 { 68 } else { 56 } + rng.below(8) as u8;
            t.note(start + i as u64 * Q / 2, Q / 2 - 20, CH_PIANO, *k, vel);
        }
    }
    t
}

fn bass(rng: &mut Rng) -> Timeline {
    let mut t = Timeline::new();
    setup(&mut t, CH_BASS, "Bass", "Finger Bass", 33, 100, 64);
    for (bar, (root, _)) in CHORDS.iter().enumerate() {
        let start = bar as u64 * BAR;
        let bar = bar as u64;
        if bar < 2 || bar == DEMO_BARS - 1 {
            let len = if bar == DEMO_BARS - 1 {
                BAR + Q / 2
            } else {
                BAR - 20
            };
            t.note(start, len, CH_BASS, *root, 95);
            continue;
        }
        let next = CHORDS.get(bar as usize + 1).map_or(*root, |c| c.0);
        // Beat 4: a step towards the next root.
        let approach = if next > *root {
            next - 2
        } else if next < *root {
            next + 1
        } else {
            root + 7
        };
        for (pos, len, k) in [
            (0, 3 * Q / 2, *root),
            (3 * Q / 2, Q / 2, *root),
            (2 * Q, Q, root + 7),
            (3 * Q, Q, approach),
        ] {
            t.note(start + pos, len - 25, CH_BASS, k, 92 + rng.below(12) as u8);
        }
    }
    t
}

fn drums(rng: &mut Rng) -> Timeline {
    const TOMS: [u8; 4] = [50, 48, 45, 41];
    let mut t = Timeline::new();
    setup(&mut t, CH_DRUMS, "Drums", "Standard Kit", 0, 96, 64);
    let mut hit = |t: &mut Timeline, tick: u64, key: u8, vel: u64| {
        let v = (vel + rng.below(8)).min(127) as u8;
        t.note(tick, Q / 4, CH_DRUMS, key, v);
    };
    for bar in 0..DEMO_BARS {
        let s = bar * BAR;
        let e = Q / 2;
        match bar {
            0 | 1 => {
                for i in 0..4 {
                    hit(&mut t, s + i * Q, drum::HAT, 45);
                }
                hit(&mut t, s, drum::KICK, 80);
                if bar == 1 {
                    hit(&mut t, s + 2 * Q, drum::KICK, 80);
                    hit(&mut t, s + 3 * Q + e, drum::SNARE, 70);
                }
            }
            23 => {
                hit(&mut t, s, drum::CRASH, 105);
                hit(&mut t, s, drum::KICK, 105);
            }
            _ => {
                let chorus = (10..18).contains(&bar);
                let cymbal = if chorus { drum::RIDE } else { drum::HAT };
                for i in 0..8 {
                    let open = !chorus && i == 7 && bar % 2 == 1;
                    let key = if open { drum::OPEN_HAT } else { cymbal };
                    hit(&mut t, s + i * e, key, if i % 2 == 0 { 72 } else { 52 });
                }
                hit(&mut t, s, drum::KICK, 100);
                hit(&mut t, s + 2 * Q, drum::KICK, 95);
                if chorus {
                    hit(&mut t, s + Q + e, drum::KICK, 85);
                } else if bar % 2 == 1 {
                    hit(&mut t, s + 2 * Q + e, drum::KICK, 80);
                }
                hit(&mut t, s + Q, drum::SNARE, 96);
                let fill = matches!(bar, 9 | 17 | 21);
                if fill {
                    for (i, k) in TOMS.iter().enumerate() {
                        hit(&mut t, s + 3 * Q + i as u64 * Q / 4, *k, 90 + 4 * i as u64);
                    }
                } else {
                    hit(&mut t, s + 3 * Q, drum::SNARE, 96);
                }
                if matches!(bar, 2 | 10 | 14 | 18) {
                    hit(&mut t, s, drum::CRASH, 100);
                }
            }
        }
    }
    t
}

/// The demo song's bytes (see the module docs).
pub fn demo_song() -> Vec<u8> {
    let mut rng = Rng::new(0x5EED_0D3E);
    let tracks: Vec<_> = [
        conductor(),
        melody(&mut rng),
        pads(&mut rng),
        piano(&mut rng),
        bass(&mut rng),
        drums(&mut rng),
    ]
    .iter()
    .map(|t| t.render(RunningStatus::Compliant, DEMO_END_TICK))
    .collect();
    smf(1, Division::Metrical(DEMO_TPQ), &tracks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_names() {
        assert_eq!(key_of("C4"), 60);
        assert_eq!(key_of("A4"), 69);
        assert_eq!(key_of("F#3"), 54);
        assert_eq!(key_of("Bb2"), 46);
        assert_eq!(ticks_of("q."), 720);
    }

    #[test]
    fn melody_bars_add_up_and_lyrics_fit() {
        let notes = melody_notes();
        for (bar, words) in LYRICS {
            let start = notes.iter().position(|n| n.0 == bar * BAR).unwrap();
            assert!(notes.len() - start >= words.len());
        }
    }
}
