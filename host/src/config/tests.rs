//! Unit tests of the configuration files (TOML, ranges, tables, layers).

use std::path::Path;

use super::file::parse;
use super::*;

fn layers(text: &str) -> file::FileLayers {
    parse(Path::new("c.toml"), text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn config(texts: &[&str]) -> Config {
    Config {
        files: texts.iter().map(|t| layers(t)).collect(),
    }
}

#[test]
fn parses_every_key_with_comments() {
    let c = config(&["# smfplay\n\
         soundfont = \"/usr/share/sounds/sf2/FluidR3_GM.sf2\"  # the big one\n\
         device = 'hw:1,0'\n\
         \n\
         rate = 44_100\n\
         period = 512\n\
         periods = 3\n\
         gain = 0.6\n\
         reverb = false\n\
         chorus = true\n\
         polyphony = 128\n\
         lazy-samples = true\n\
         mute = [10]\n\
         solo = [1, 2]\n"])
    .for_command(For::Play);
    let sf = c.soundfont.unwrap();
    assert_eq!(sf.value, Path::new("/usr/share/sounds/sf2/FluidR3_GM.sf2"));
    assert_eq!(sf.origin.line, 2);
    assert_eq!(c.device.unwrap().value, "hw:1,0");
    let v = |s: Option<Setting<u32>>| s.map(|s| s.value);
    assert_eq!(
        (v(c.rate), v(c.period), v(c.periods), v(c.polyphony)),
        (Some(44_100), Some(512), Some(3), Some(128))
    );
    assert_eq!(c.gain.unwrap().value, 0.6);
    assert!(!c.reverb.unwrap().value && c.chorus.unwrap().value && c.lazy_samples.unwrap().value);
    assert_eq!(c.mute.unwrap().value, vec![10]);
    assert_eq!(c.solo.unwrap().value, vec![1, 2]);
}

#[test]
fn the_whole_toml_language() {
    // Hexadecimal, multi-line basic and literal strings, \U escapes,
    // quoted keys, dotted keys, inline tables.
    let c = config(&["rate = 0xBB80\n\
         device = \"\"\"\n\
         hw:1,\\\n    0\"\"\"\n\
         \"soundfont\" = '''/a/\\b.sf2'''\n\
         gain = 1\n\
         play.periods = 4\n\
         render = { rate = 22_050, mute = [\n  1,\n  2,\n] }\n"]);
    let play = c.for_command(For::Play);
    assert_eq!(play.rate.unwrap().value, 48_000);
    assert_eq!(play.device.unwrap().value, "hw:1,0");
    assert_eq!(play.soundfont.unwrap().value, Path::new("/a/\\b.sf2"));
    assert_eq!(play.gain.unwrap().value, 1.0);
    assert_eq!(play.periods.unwrap().value, 4);
    let render = c.for_command(For::Render);
    assert_eq!(render.rate.unwrap().value, 22_050);
    assert_eq!(render.mute.unwrap().value, vec![1, 2]);
    assert!(render.periods.is_none());
    let e = layers("device = \"\\U0001F3B9\"\n").top.device.unwrap();
    assert_eq!(e.value, "🎹");
}

#[test]
fn tables_override_the_top_level_and_user_overrides_system() {
    let c = config(&[
        "rate = 44100\ngain = 0.5\n[render]\nrate = 96000\n",
        "gain = 0.7\n[play]\nrate = 22050\n",
    ]);
    let play = c.for_command(For::Play);
    let render = c.for_command(For::Render);
    assert_eq!(play.rate.as_ref().unwrap().value, 22_050);
    assert_eq!(render.rate.as_ref().unwrap().value, 96_000);
    assert_eq!(play.gain.as_ref().unwrap().value, 0.7);
    assert_eq!(render.gain.unwrap().origin.line, 1);
}

#[test]
fn invalid_toml_is_refused() {
    for text in [
        "rate = 048000\n",
        "gain = .5\n",
        "rate = 48__000\n",
        "device = \"a\u{1}b\"\n",
        "rate = 1\nrate = 2\n",
    ] {
        assert!(parse(Path::new("c.toml"), text).is_err(), "{text:?}");
    }
}

#[test]
fn errors_name_the_line_the_key_and_the_problem() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "rate = 48000\nsondfont = \"x\"\n",
            2,
            "unknown key 'sondfont' (did you mean 'soundfont'?)",
        ),
        ("lazy_samples = true\n", 1, "did you mean 'lazy-samples'"),
        ("\n\nrate = 8000\n", 3, "rate: 8000 is outside 22050–96000"),
        (
            "[render]\n\nrate = 8000\n",
            3,
            "render.rate: 8000 is outside 22050–96000",
        ),
        (
            "rate = \"fast\"\n",
            1,
            "rate: invalid type: string \"fast\", expected an integer",
        ),
        ("[play]\nperiods = true\n", 2, "play.periods: invalid type"),
        ("gain = 11\n", 1, "gain: 11 is outside 0–10"),
        ("reverb = 0\n", 1, "reverb: invalid type"),
        ("mute = [17]\n", 1, "mute: channel 17 is outside 1–16"),
        (
            "mute = 10\n",
            1,
            "mute: invalid type: integer `10`, expected an array such as [10]",
        ),
        (
            "[play]\nmutee = [1]\n",
            2,
            "unknown key 'mutee' (did you mean 'mute'?)",
        ),
        ("[paly]\n", 1, "unknown key 'paly' (did you mean 'play'?)"),
        (
            "[play.render]\nrate = 44100\n",
            1,
            "tables go at the top level only",
        ),
        ("soundfont = \"\"\n", 1, "soundfont: the string is empty"),
    ];
    for (text, line, want) in cases {
        let e = parse(Path::new("c.toml"), text).expect_err(text);
        assert_eq!(e.line, Some(*line), "{text:?}: {e}");
        assert!(e.message.contains(want), "{text:?}: {e}");
        assert!(!e.to_string().contains('\n'), "{text:?}: {e}");
        assert!(
            e.to_string().starts_with(&format!("c.toml:{line}: ")),
            "{e}"
        );
    }
}

#[test]
fn missing_default_file_is_fine_but_a_named_one_is_not() {
    let missing = std::env::temp_dir().join("smfplay-no-such-config.toml");
    let e = load(Some(&missing), false).unwrap_err();
    assert!(e.to_string().contains("no such file"), "{e}");
    assert_eq!(load(Some(&missing), true).unwrap(), Config::default());
}
