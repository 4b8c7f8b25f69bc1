//! Differential test against `midly` over the real-world corpus.
//!
//! For every valid and edge file in `../shared/corpus/MANIFEST.tsv`, the
//! merged event stream of smfplay's streaming reader must equal midly's
//! parse merged by tick, event by event with absolute ticks, except where
//! the manifest documents that midly is wrong (its event count differs from
//! the corpus scanner's: running status across meta/sysex, system messages
//! inside a track); there our count, plus the events we report as skipped,
//! must equal the `scan_events_*` columns, track by track. Every `valid`
//! file also reads in strict mode without a single complaint.

use smfplay_core::smf::ReaderOptions;
use smfplay_tests::corpus::{corpus_dir, manifest};
use smfplay_tests::our_reader::{read_all, with_big_stack};
use smfplay_tests::reference;

#[test]
fn streaming_reader_matches_midly_on_every_valid_corpus_file() {
    let Some(dir) = corpus_dir() else { return };
    let rows: Vec<_> = manifest(&dir)
        .into_iter()
        .filter(|r| matches!(r.get("status"), "valid" | "edge"))
        .collect();
    let summary = with_big_stack(move || {
        let (mut identical, mut by_scan, mut events_total) = (0usize, 0usize, 0usize);
        let mut failures = Vec::new();
        for row in &rows {
            let bytes = std::fs::read(&row.file).expect("read corpus file");
            let ours = read_all(&bytes, ReaderOptions::LENIENT);
            let path = row.get("path");
            if ours.errors.iter().any(|e| e.is_fatal()) {
                failures.push(format!("{path}: fatal {:?}", ours.errors));
                continue;
            }
            events_total += ours.events.len();
            if row.get("status") == "valid" {
                let strict = read_all(&bytes, ReaderOptions::STRICT);
                if !strict.errors.is_empty() {
                    failures.push(format!(
                        "{path}: valid file rejected in strict mode: {:?}",
                        strict.errors
                    ));
                }
            }
            let midly_right = row.get("midly_events_total") == row.get("scan_events_total");
            if midly_right {
                let reference = reference::rendered(&bytes).expect("midly parses the valid file");
                if reference != ours.events {
                    let at = reference.iter().zip(&ours.events).position(|(a, b)| a != b);
                    failures.push(format!(
                        "{path}: {} events vs midly {}; first difference at {:?}: ours {:?} midly {:?}",
                        ours.events.len(),
                        reference.len(),
                        at,
                        at.and_then(|i| ours.events.get(i)),
                        at.and_then(|i| reference.get(i)),
                    ));
                } else {
                    identical += 1;
                }
            } else {
                // midly is documented wrong here: compare with the scanner, per track.
                let tracks = ours.header.map_or(0, |h| usize::from(h.tracks));
                let mut per_track = vec![0u64; tracks];
                for (_, t, _) in &ours.events {
                    per_track[usize::from(*t)] += 1;
                }
                for e in &ours.errors {
                    if let Some(t) = e.track {
                        per_track[usize::from(t)] += 1; // a skipped event still counts as read
                    }
                }
                let ours_counts: Vec<String> = per_track.iter().map(u64::to_string).collect();
                let scan = row.get("scan_events_per_track");
                if ours_counts.join(",") != scan {
                    failures.push(format!(
                        "{path}: per-track counts {ours_counts:?} vs scan {scan}"
                    ));
                } else {
                    by_scan += 1;
                }
            }
        }
        (rows.len(), identical, by_scan, events_total, failures)
    });
    let (files, identical, by_scan, events_total, failures) = summary;
    println!(
        "corpus differential: {files} valid/edge files, {identical} identical to midly event by event, \
         {by_scan} where midly is documented wrong matched the scanner's per-track counts, \
         {events_total} events compared"
    );
    assert!(
        failures.is_empty(),
        "{} files differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(identical + by_scan, files);
}
