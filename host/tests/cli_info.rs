//! `host info` and `host dump` against the midly reference: fixtures and
//! the real-world corpus (`../shared/corpus`).

mod common;

use common::*;
use midly::{MetaMessage, MidiMessage, Timing, TrackEventKind};
use smfplay_tests::corpus::{corpus_dir, manifest};
use smfplay_tests::{fixtures, reference};

/// Duration in seconds computed independently from midly's parse: the
/// exact time (a fraction) of the last event, tempo changes taking effect
/// at their tick, 120 BPM before the first; SMPTE ignores tempo.
fn reference_duration(r: &reference::Reference<'_>) -> f64 {
    match r.smf.header.timing {
        Timing::Metrical(tpq) => {
            let den = u128::from(tpq.as_int()) * 1_000_000;
            let (mut num, mut last, mut tempo) = (0u128, 0u64, 500_000u128);
            for e in &r.events {
                num += u128::from(e.tick - last) * tempo;
                last = e.tick;
                if let TrackEventKind::Meta(MetaMessage::Tempo(t)) = e.kind
                    && t.as_int() > 0
                {
                    tempo = u128::from(t.as_int());
                }
            }
            num as f64 / den as f64
        }
        Timing::Timecode(fps, tpf) => {
            let (n, d) = match fps.as_int() {
                29 => (2997u128, 100u128),
                f => (u128::from(f), 1),
            };
            (u128::from(r.end_tick()) * d) as f64 / (n * u128::from(tpf)) as f64
        }
    }
}

/// Checks `host info --json` against the reference; returns an error text.
fn check_info(name: &str, path: &str, bytes: &[u8]) -> Result<(), String> {
    let out = run(&["info", "--json", path]);
    if !out.status.success() {
        return Err(format!(
            "{name}: exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let j = parse_json(std::str::from_utf8(&out.stdout).expect("utf-8 JSON"));
    let r = reference::parse(bytes).map_err(|e| format!("{name}: midly: {e}"))?;
    let note_ons = r
        .events
        .iter()
        .filter(|e| matches!(e.kind, TrackEventKind::Midi { message: MidiMessage::NoteOn { vel, .. }, .. } if vel.as_int() > 0))
        .count() as u64;
    let mut errors = Vec::new();
    let check = |errors: &mut Vec<String>, what: &str, ours: u64, theirs: u64| {
        if ours != theirs {
            errors.push(format!("{what}: ours {ours}, reference {theirs}"));
        }
    };
    check(
        &mut errors,
        "events_total",
        j["events_total"].as_u64().unwrap_or(u64::MAX),
        r.events.len() as u64,
    );
    check(
        &mut errors,
        "note_ons",
        j["note_ons"].as_u64().unwrap_or(u64::MAX),
        note_ons,
    );
    let tracks = j["tracks"].as_array().expect("tracks array");
    check(
        &mut errors,
        "tracks",
        tracks.len() as u64,
        r.smf.tracks.len() as u64,
    );
    for (i, (t, rt)) in tracks.iter().zip(&r.smf.tracks).enumerate() {
        check(
            &mut errors,
            &format!("track {i} events"),
            t["events"].as_u64().unwrap_or(u64::MAX),
            rt.len() as u64,
        );
        let ref_name = rt.iter().find_map(|e| match e.kind {
            TrackEventKind::Meta(MetaMessage::TrackName(n)) => Some(n),
            _ => None,
        });
        if let Some(n) = ref_name
            && let Ok(n) = std::str::from_utf8(n)
            && t["name"].as_str() != Some(n)
        {
            errors.push(format!("track {i} name {:?} vs {n:?}", t["name"]));
        }
    }
    let (ours, theirs) = (
        j["duration_seconds"].as_f64().unwrap_or(f64::NAN),
        reference_duration(&r),
    );
    if (ours - theirs).abs() > 1e-9 * theirs.max(1.0) {
        errors.push(format!("duration: ours {ours}, reference {theirs}"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}", errors.join("; ")))
    }
}

/// Fixtures midly reads the same way as the streaming reader (see the
/// fixtures module: midly misreads running status across meta events).
fn comparable_fixtures() -> Vec<(&'static str, Vec<u8>)> {
    fixtures::all_valid()
        .into_iter()
        .filter(|(n, _)| *n != "running_status_across_meta")
        .collect()
}

#[test]
fn info_json_matches_midly_on_fixtures() {
    let dir = TempDir::new("info-fixtures");
    let mut failures = Vec::new();
    for (name, bytes) in comparable_fixtures() {
        let path = dir.write(&format!("{name}.mid"), &bytes);
        if let Err(e) = check_info(name, &path, &bytes) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn info_json_matches_midly_on_the_corpus() {
    let Some(dir) = corpus_dir() else { return };
    let rows: Vec<_> = manifest(&dir)
        .into_iter()
        .filter(|r| matches!(r.get("status"), "valid" | "edge"))
        .filter(|r| r.get("midly_events_total") == r.get("scan_events_total"))
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in &rows {
        let bytes = std::fs::read(&row.file).expect("read corpus file");
        if reference::parse(&bytes).is_err() {
            continue;
        }
        checked += 1;
        if let Err(e) = check_info(row.get("path"), row.file.to_str().unwrap(), &bytes) {
            failures.push(e);
        }
    }
    eprintln!("{checked} corpus files checked");
    assert!(checked > 100, "only {checked} corpus files checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn info_text_names_what_matters() {
    let dir = TempDir::new("info-text");
    let path = dir.write(
        "sysex.mid",
        &fixtures::sysex_mix(fixtures::SYSEX_MIX_BIG_LEN),
    );
    let text = String::from_utf8(run_ok(&["info", &path])).unwrap();
    for needle in [
        "Format:      0",
        "GM System On",
        "GS Reset",
        "XG System On",
        "Duration:",
        "Problems:    none",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    let j = parse_json(std::str::from_utf8(&run_ok(&["info", "--json", &path])).unwrap());
    assert_eq!(j["sysex"]["resets"].as_array().map(Vec::len), Some(3));
}

#[test]
fn info_reports_damage_and_strict_refuses() {
    let dir = TempDir::new("info-damage");
    let path = dir.write(
        "cut.mid",
        &fixtures::truncated(&fixtures::format1_multitrack(), 900),
    );
    let j = parse_json(std::str::from_utf8(&run_ok(&["info", "--json", &path])).unwrap());
    assert!(!j["problems"].as_array().expect("problems").is_empty());
    let out = run(&["info", "--strict", &path]);
    assert_eq!(out.status.code(), Some(3));
    let text = run(&["info", &dir.write("x.mid", b"RIFF\0\0\0\0WAVEfmt ")]);
    assert_eq!(text.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&text.stderr).contains("WAV"));
}

#[test]
fn dump_has_one_line_per_event_in_order() {
    let dir = TempDir::new("dump");
    for (name, bytes) in comparable_fixtures()
        .into_iter()
        .filter(|(n, _)| !n.starts_with("large") && !n.starts_with("dense"))
    {
        let path = dir.write(&format!("{name}.mid"), &bytes);
        let out = String::from_utf8(run_ok(&["dump", &path])).unwrap();
        let r = reference::parse(&bytes).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), r.events.len(), "{name}");
        // Each track's port: its last FF 21 so far (0 before one).
        let mut ports = std::collections::HashMap::<u16, u8>::new();
        for (line, e) in lines.iter().zip(&r.events) {
            let f: Vec<&str> = line.split('\t').collect();
            if let midly::TrackEventKind::Meta(midly::MetaMessage::MidiPort(p)) = e.kind {
                ports.insert(e.track, p.as_int());
            }
            let port = ports.get(&e.track).copied().unwrap_or(0);
            let routed = matches!(
                e.kind,
                midly::TrackEventKind::Midi { .. } | midly::TrackEventKind::SysEx(_)
            );
            // A fifth column for a channel or sysex event off port 0.
            if routed && port != 0 {
                assert_eq!(f.len(), 5, "{name}: {line}");
                assert_eq!(f[4], format!("port {port}"), "{name}: {line}");
            } else {
                assert_eq!(f.len(), 4, "{name}: {line}");
            }
            assert_eq!(f[0].parse::<u64>().unwrap(), e.tick, "{name}: {line}");
            assert_eq!(f[2].parse::<u16>().unwrap(), e.track, "{name}: {line}");
            let secs = f[1];
            assert_eq!(
                secs.split('.').nth(1).map(str::len),
                Some(6),
                "{name}: {line}"
            );
        }
    }
}

/// `dump --json`, `dump` and `info --json` decode texts alike: Latin-1,
/// UTF-8 and Shift-JIS (issue 14: one decoder).
#[test]
fn texts_are_decoded_alike_by_dump_and_info() {
    let dir = TempDir::new("info-texts");
    let path = dir.write("texts.mid", &encoded_texts_song());
    let dump = json_lines(std::str::from_utf8(&run_ok(&["dump", "--json", &path])).unwrap());
    let lyrics: Vec<&str> = dump
        .iter()
        .filter(|e| e["event"].as_str().is_some_and(|s| s.starts_with("lyric")))
        .map(|e| e["text"].as_str().expect("lyric text"))
        .collect();
    assert_eq!(lyrics, DECODED_LYRICS);
    assert_eq!(dump[0]["text"], "café");
    assert_eq!(dump[0]["tick"], 0);
    assert_eq!(dump.last().unwrap()["event"], "end-of-track");
    let plain = String::from_utf8(run_ok(&["dump", &path])).unwrap();
    for l in DECODED_LYRICS {
        assert!(plain.contains(&format!("lyric {l:?}")), "{plain}");
    }
    let info = parse_json(std::str::from_utf8(&run_ok(&["info", "--json", &path])).unwrap());
    assert_eq!(info["tracks"][0]["name"], "café");
}

/// `devices --json`: one object per line with a name and a description.
#[test]
fn devices_as_json_lines() {
    let out = run_ok(&["devices", "--json"]);
    let text = std::str::from_utf8(&out).unwrap();
    let devices = json_lines(text);
    assert_eq!(devices.len(), text.lines().count(), "{text}");
    assert!(
        !devices.is_empty(),
        "ALSA lists at least `null` and `default`"
    );
    for d in &devices {
        assert!(d["name"].as_str().is_some_and(|n| !n.is_empty()), "{d}");
        assert!(d["description"].is_string(), "{d}");
    }
}

/// A karaoke file as `.kar` files are made: `@` tags and syllables as
/// text events (one with a clear-screen and colour sequence), General MIDI
/// programs on channel 1 (Violin) and 10 (Jazz Kit), a channel with notes
/// but no program change (3: program 0).
fn karaoke_file() -> Vec<u8> {
    use smfplay_tests::smf_writer::{Division, RunningStatus, TextKind, smf};
    use smfplay_tests::timeline::Timeline;
    let mut t = Timeline::new();
    for (i, tag) in [
        "@KMIDI KARAOKE FILE",
        "@V0100",
        "@I Free use of this file is granted",
        "@LENGL",
        "@TYesterday",
        "@TThe Beatles",
    ]
    .iter()
    .enumerate()
    {
        t.text(i as u64, TextKind::Text, tag);
    }
    t.program(0, 0, 40).program(0, 9, 32);
    let words = [
        "\\Yes",
        "ter",
        "day,\r\n",
        "all ",
        "my\ttrou",
        "bles",
        "/\u{1b}[2J\u{1b}[31mseemed ",
        "so ",
        "far",
        "/a",
        "way",
    ];
    for (i, w) in words.iter().enumerate() {
        let tick = 480 * (i as u64 + 1);
        t.text(tick, TextKind::Text, w);
        t.note(tick, 240, 0, 60, 90)
            .note(tick, 240, 9, 42, 90)
            .note(tick, 240, 2, 48, 80);
    }
    smf(
        0,
        Division::Metrical(480),
        &[t.render(RunningStatus::Never, 480 * 13)],
    )
}

/// `info` shows what the README promises: instruments by their General
/// MIDI names (a drum kit on channel 10), the lyrics (first lines and a
/// count, karaoke text events included, tags not), the karaoke title; all
/// in `--json` too, and no terminal control sequence from the file.
#[test]
fn info_names_instruments_lyrics_and_karaoke_title() {
    let dir = TempDir::new("info-karaoke");
    let path = dir.write("yesterday.kar", &karaoke_file());
    let text = String::from_utf8(run_ok(&["info", &path])).unwrap();
    for want in [
        "Title:       Yesterday (The Beatles)",
        "Lyrics:      4 lines, 11 syllable events",
        "             Yesterday,",
        "             all my troubles",
        "             seemed so far",
        "             away",
        "   1: 11 note-ons, Violin (40)",
        "   3: 11 note-ons, Acoustic Grand Piano",
        "  10: 11 note-ons, Jazz Kit (32) (drums)",
        "Karaoke:     language ENGL, version 0100",
        "             Free use of this file is granted",
    ] {
        assert!(
            text.lines().any(|l| l == want),
            "no line {want:?} in:\n{text}"
        );
    }
    assert!(
        !text.contains('\u{1b}'),
        "a control sequence shown:\n{text}"
    );
    assert!(
        !text.contains("[2J"),
        "a control sequence's rest shown:\n{text}"
    );
    assert!(!text.contains("IFree"), "a tag shown as a lyric:\n{text}");

    let j = parse_json(std::str::from_utf8(&run_ok(&["info", "--json", &path])).unwrap());
    let names: Vec<Vec<String>> = j["instruments_per_channel"]
        .as_array()
        .expect("instruments_per_channel")
        .iter()
        .map(|c| {
            c.as_array()
                .expect("a channel's names")
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(names.len(), 16);
    assert_eq!(names[0], ["Violin"]);
    assert_eq!(names[2], ["Acoustic Grand Piano"]);
    assert_eq!(names[9], ["Jazz Kit"]);
    assert!(names[1].is_empty());
    let lyrics = &j["lyrics"];
    assert_eq!(lyrics["events"], 11);
    assert_eq!(lyrics["lines"], 4);
    assert_eq!(
        lyrics["first_lines"],
        serde_json::json!(["Yesterday,", "all my troubles", "seemed so far", "away"])
    );
    let k = &j["karaoke"];
    assert_eq!(k["title"], "Yesterday");
    assert_eq!(k["language"], "ENGL");
    assert_eq!(k["information"][0], "Free use of this file is granted");
    // A file without tags has no karaoke object.
    let plain = dir.write("plain.mid", &fixtures::format0_basic());
    let j = parse_json(std::str::from_utf8(&run_ok(&["info", "--json", &plain])).unwrap());
    assert!(j["karaoke"].is_null(), "{j}");
}

/// "header declares 1 track", not "1 tracks"; "1 text", not "1 texts".
#[test]
fn counts_of_one_are_singular() {
    let dir = TempDir::new("info-singular");
    let mut bytes = fixtures::format0_basic();
    // A second copy of the one track chunk: the header still says 1.
    let track = bytes[14..].to_vec();
    bytes.extend_from_slice(&track);
    let path = dir.write("two.mid", &bytes);
    let text = String::from_utf8(run_ok(&["info", &path])).unwrap();
    assert!(
        text.contains("header declares 1 track but the file has 2"),
        "{text}"
    );
    let kar = dir.write("one.kar", &karaoke_file());
    let text = String::from_utf8(run_ok(&["info", &kar])).unwrap();
    assert!(
        text.contains(" 0 lyrics, 0 markers, 0 cue points, 17 texts, 0 track names"),
        "{text}"
    );
    let basic = dir.write("basic.mid", &fixtures::format0_basic());
    let text = String::from_utf8(run_ok(&["info", &basic])).unwrap();
    assert!(
        !text.contains(" 1 texts") && !text.contains(" 1 lyrics"),
        "{text}"
    );
}
