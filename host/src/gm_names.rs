//! General MIDI names: the 128 melodic programs and the drum kits (the
//! GS kit numbers most General MIDI SoundFonts follow) for `host info`.
//!
//! *Real-time*: not real-time (names for `info`); plain tables.

/// The General MIDI Level 1 program names, program 0 first.
pub const PROGRAMS: [&str; 128] = [
    // Piano
    "Acoustic Grand Piano",
    "Bright Acoustic Piano",
    "Electric Grand Piano",
    "Honky-tonk Piano",
    "Electric Piano 1",
    "Electric Piano 2",
    "Harpsichord",
    "Clavi",
    // Chromatic percussion
    "Celesta",
    "Glockenspiel",
    "Music Box",
    "Vibraphone",
    "Marimba",
    "Xylophone",
    "Tubular Bells",
    "Dulcimer",
    // Organ
    "Drawbar Organ",
    "Percussive Organ",
    "Rock Organ",
    "Church Organ",
    "Reed Organ",
    "Accordion",
    "Harmonica",
    "Tango Accordion",
    // Guitar
    "Acoustic Guitar (nylon)",
    "Acoustic Guitar (steel)",
    "Electric Guitar (jazz)",
    "Electric Guitar (clean)",
    "Electric Guitar (muted)",
    "Overdriven Guitar",
    "Distortion Guitar",
    "Guitar Harmonics",
    // Bass
    "Acoustic Bass",
    "Electric Bass (finger)",
    "Electric Bass (pick)",
    "Fretless Bass",
    "Slap Bass 1",
    "Slap Bass 2",
    "Synth Bass 1",
    "Synth Bass 2",
    // Strings
    "Violin",
    "Viola",
    "Cello",
    "Contrabass",
    "Tremolo Strings",
    "Pizzicato Strings",
    "Orchestral Harp",
    "Timpani",
    // Ensemble
    "String Ensemble 1",
    "String Ensemble 2",
    "Synth Strings 1",
    "Synth Strings 2",
    "Choir Aahs",
    "Voice Oohs",
    "Synth Voice",
    "Orchestra Hit",
    // Brass
    "Trumpet",
    "Trombone",
    "Tuba",
    "Muted Trumpet",
    "French Horn",
    "Brass Section",
    "Synth Brass 1",
    "Synth Brass 2",
    // Reed
    "Soprano Sax",
    "Alto Sax",
    "Tenor Sax",
    "Baritone Sax",
    "Oboe",
    "English Horn",
    "Bassoon",
    "Clarinet",
    // Pipe
    "Piccolo",
    "Flute",
    "Recorder",
    "Pan Flute",
    "Blown Bottle",
    "Shakuhachi",
    "Whistle",
    "Ocarina",
    // Synth lead
    "Lead 1 (square)",
    "Lead 2 (sawtooth)",
    "Lead 3 (calliope)",
    "Lead 4 (chiff)",
    "Lead 5 (charang)",
    "Lead 6 (voice)",
    "Lead 7 (fifths)",
    "Lead 8 (bass + lead)",
    // Synth pad
    "Pad 1 (new age)",
    "Pad 2 (warm)",
    "Pad 3 (polysynth)",
    "Pad 4 (choir)",
    "Pad 5 (bowed)",
    "Pad 6 (metallic)",
    "Pad 7 (halo)",
    "Pad 8 (sweep)",
    // Synth effects
    "FX 1 (rain)",
    "FX 2 (soundtrack)",
    "FX 3 (crystal)",
    "FX 4 (atmosphere)",
    "FX 5 (brightness)",
    "FX 6 (goblins)",
    "FX 7 (echoes)",
    "FX 8 (sci-fi)",
    // Ethnic
    "Sitar",
    "Banjo",
    "Shamisen",
    "Koto",
    "Kalimba",
    "Bag pipe",
    "Fiddle",
    "Shanai",
    // Percussive
    "Tinkle Bell",
    "Agogo",
    "Steel Drums",
    "Woodblock",
    "Taiko Drum",
    "Melodic Tom",
    "Synth Drum",
    "Reverse Cymbal",
    // Sound effects
    "Guitar Fret Noise",
    "Breath Noise",
    "Seashore",
    "Bird Tweet",
    "Telephone Ring",
    "Helicopter",
    "Applause",
    "Gunshot",
];

/// The MIDI channel (from 0) General MIDI keeps for drums: channel 10.
pub const DRUM_CHANNEL: usize = 9;

/// The name of `program` on `channel` (from 0): a General MIDI instrument,
/// or on channel 10 a drum kit ("Standard Kit", "Jazz Kit", …; programs
/// without a kit of their own play the standard kit in GS and GM2).
pub fn instrument(channel: usize, program: u8) -> String {
    if channel == DRUM_CHANNEL {
        return format!("{} Kit", drum_kit(program).unwrap_or("Standard"));
    }
    PROGRAMS[usize::from(program & 0x7F)].to_string()
}

/// The GS drum kit `program` selects, if it has one.
fn drum_kit(program: u8) -> Option<&'static str> {
    Some(match program {
        0 => "Standard",
        8 => "Room",
        16 => "Power",
        24 => "Electronic",
        25 => "TR-808",
        32 => "Jazz",
        40 => "Brush",
        48 => "Orchestra",
        56 => "Sound Effects",
        127 => "CM-64/CM-32L",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(instrument(0, 0), "Acoustic Grand Piano");
        assert_eq!(instrument(3, 40), "Violin");
        assert_eq!(instrument(15, 127), "Gunshot");
        assert_eq!(instrument(9, 0), "Standard Kit");
        assert_eq!(instrument(9, 32), "Jazz Kit");
        assert_eq!(instrument(9, 5), "Standard Kit");
        // The families start where General MIDI starts them.
        for (program, name) in [
            (24, "Acoustic Guitar (nylon)"),
            (56, "Trumpet"),
            (112, "Tinkle Bell"),
        ] {
            assert_eq!(PROGRAMS[program], name);
        }
    }
}
