//! Every malformed file of the real-world corpus ends in a clear error or a
//! clean partial read (lenient mode), never a panic or a hang; strict mode
//! rejects every file with a structural fault. Each file's outcome is
//! printed (run with `--nocapture` to see the list).

use smfplay_core::smf::ReaderOptions;
use smfplay_tests::corpus::{ManifestRow, corpus_dir, manifest};
use smfplay_tests::our_reader::{ReadOutcome, read_all, with_big_stack};

/// Anomalies of the corpus scanner that a strict reader of the file format
/// has nothing to reject for: key signature values out of range are only
/// semantic (the bytes are a well-formed meta event), and an `MThd` longer
/// than 6 bytes is allowed by the spec ("read and honor the length").
const SEMANTIC_ONLY: &[&str] = &[
    "key-signature-mode-invalid",
    "key-signature-out-of-range",
    "header-length-10",
];

fn structural(row: &ManifestRow) -> bool {
    let anomalies = row.get("anomalies");
    !anomalies.is_empty()
        && anomalies
            .split(',')
            .filter(|a| !a.starts_with("...("))
            .any(|a| !SEMANTIC_ONLY.iter().any(|s| a.ends_with(s)))
}

fn outcome_line(o: &ReadOutcome) -> String {
    match o.errors.iter().find(|e| e.is_fatal()) {
        Some(fatal) => format!("rejected: {fatal}"),
        None => {
            let d = &o.diagnostics;
            let first = d.first_problem().map(|e| e.to_string()).unwrap_or_default();
            format!(
                "read {} events; {} errors returned, {} tracks cut, {} events skipped, {} tracks without end{}{}",
                o.events.len(),
                o.errors.len(),
                d.tracks_cut,
                d.events_skipped,
                d.tracks_without_end,
                if first.is_empty() { "" } else { "; first: " },
                first
            )
        }
    }
}

#[test]
fn malformed_corpus_files_end_cleanly_and_strict_mode_rejects_structural_faults() {
    let Some(dir) = corpus_dir() else { return };
    let rows: Vec<_> = manifest(&dir)
        .into_iter()
        .filter(|r| r.get("status") == "malformed")
        .collect();
    let report = with_big_stack(move || {
        let mut lines = Vec::new();
        let mut problems = Vec::new();
        let (mut rejected, mut partial, mut clean) = (0, 0, 0);
        for row in &rows {
            let bytes = std::fs::read(&row.file).expect("read corpus file");
            let lenient = read_all(&bytes, ReaderOptions::LENIENT);
            let strict = read_all(&bytes, ReaderOptions::STRICT);
            let path = row.get("path");
            let fatal = lenient.errors.iter().any(|e| e.is_fatal());
            let noticed = fatal || !lenient.errors.is_empty() || !lenient.diagnostics.is_clean();
            if fatal {
                rejected += 1;
            } else if noticed {
                partial += 1;
            } else {
                clean += 1;
            }
            lines.push(format!(
                "{path}\t{}\tstrict: {}",
                outcome_line(&lenient),
                outcome_line(&strict)
            ));
            // Every error names what and where in one line.
            for e in lenient.errors.iter().chain(&strict.errors) {
                let text = e.to_string();
                if text.contains('\n') || !text.starts_with("track ") && !text.starts_with("byte ")
                {
                    problems.push(format!("{path}: unclear error text {text:?}"));
                }
            }
            let strict_rejects = strict.errors.iter().any(|e| e.is_fatal());
            if structural(row) && !strict_rejects {
                problems.push(format!(
                    "{path}: scanner found {:?} but strict mode accepted it",
                    row.get("anomalies")
                ));
            }
            if structural(row) && !noticed {
                problems.push(format!(
                    "{path}: scanner found {:?} but lenient mode reported nothing",
                    row.get("anomalies")
                ));
            }
            // Strict mode never yields more than lenient mode.
            if strict.events.len() > lenient.events.len() {
                problems.push(format!("{path}: strict read more events than lenient"));
            }
        }
        (rows.len(), rejected, partial, clean, lines, problems)
    });
    let (files, rejected, partial, clean, lines, problems) = report;
    for line in &lines {
        println!("{line}");
    }
    println!(
        "corpus malformed: {files} files: {rejected} rejected with an error, {partial} read in part \
         with problems reported, {clean} read cleanly (semantic-only faults)"
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
