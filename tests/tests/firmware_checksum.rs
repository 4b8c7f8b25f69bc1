//! The host side of the firmware check (`scripts/firmware-check`): the
//! checksum of the `(frame, event)` stream of a song, computed with the core
//! on the host exactly as the Cortex-M firmware (`firmware/`) computes it:
//! same file, sample rate, period and capacities, same code
//! (`firmware/src/shared.rs`, included here). Also checks that this
//! checksum does not depend on the capacities or the period as long as no
//! event is late, and that it equals the checksum of the log a correct
//! sequencer must produce (midly's parse + the exact tempo map).
//!
//! The song is `assets/demo.mid`, or the file named by `SMFPLAY_SONG` (as
//! for the firmware build). `--nocapture` prints the line the script parses:
//!
//! ```text
//! firmware-checksum host: song=demo.mid events=.. last_frame=.. checksum=0x..
//! ```

#[path = "../../firmware/src/shared.rs"]
#[allow(dead_code)]
mod shared;

use std::path::PathBuf;

use shared::{
    BLOCK_BYTES, BLOCKS, CHASE_SYSEX, EVENTS, Outcome, PAYLOAD, PERIOD, SAMPLE_RATE, SLOTS,
    SmallFeed, SmallPlayer, SmallSequencer, StreamSum, TRACKS, VOICES, WINDOW,
};
use smfplay_core::sched::{Calendar, EventPool};
use smfplay_core::sequencer::{ChaseState, SequencerConfig, SongEvent};
use smfplay_core::smf::{Reader, ReaderOptions, SliceSource};
use smfplay_core::tempo::TempoMap;
use smfplay_tests::our_reader::with_big_stack;
use smfplay_tests::recording_synth::Logged;
use smfplay_tests::sequencer_harness::{TestSequencer, expected_log};

fn song() -> (String, Vec<u8>) {
    let path = match std::env::var_os("SMFPLAY_SONG") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/demo.mid"),
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    (name, bytes)
}

/// Plays `bytes` in periods of `period` frames with a `$sequencer`
/// (on a big stack: the desktop capacities are large).
macro_rules! play_with {
    ($sequencer:ty, $bytes:expr, $period:expr) => {{
        let (bytes, period): (Vec<u8>, usize) = ($bytes, $period);
        with_big_stack(move || {
            let mut seq = Box::new(
                <$sequencer>::open(
                    SliceSource::new(&bytes),
                    ReaderOptions::LENIENT,
                    SequencerConfig::new(SAMPLE_RATE, period as u32),
                )
                .expect("open"),
            );
            let (mut l, mut r) = (vec![0.0; period], vec![0.0; period]);
            shared::play(&mut seq, &mut l, &mut r, u32::MAX).expect("play")
        })
    }};
}

fn play_small(bytes: Vec<u8>, period: usize) -> Outcome {
    play_with!(SmallSequencer<SliceSource<'_>>, bytes, period)
}

fn play_desktop(bytes: Vec<u8>, period: usize) -> Outcome {
    play_with!(TestSequencer<'_>, bytes, period)
}

/// The checksum of the log a correct sequencer must produce.
fn reference_sum(bytes: &[u8]) -> StreamSum {
    let mut sum = StreamSum::new();
    for (frame, e) in expected_log(bytes, SAMPLE_RATE) {
        match e {
            Logged::Midi(ch, m) => sum.midi(frame, ch, m),
            Logged::SysEx(d) => sum.sysex(frame, &d),
        }
    }
    sum
}

#[test]
fn host_checksum_matches_every_capacity_and_period() {
    let (name, bytes) = song();
    let firmware = play_small(bytes.clone(), PERIOD);
    println!(
        "firmware-checksum host: song={name} events={} last_frame={} checksum={:#018x} frames={} periods={} late={} dropped={} read_errors={} notes_over_capacity={}",
        firmware.sum.events,
        firmware.sum.last_frame,
        firmware.sum.hash.0,
        firmware.frames,
        firmware.periods,
        firmware.late,
        firmware.dropped,
        firmware.read_errors,
        firmware.notes_over_capacity
    );
    assert_eq!(firmware.late, 0, "events late with the firmware capacities");
    assert_eq!(
        firmware.notes_over_capacity, 0,
        "notes not played with the firmware's {VOICES} voices"
    );
    assert_eq!(
        firmware.dropped, 0,
        "sysex or texts dropped with the firmware capacities"
    );
    assert!(firmware.sum.events > 0);

    let reference = reference_sum(&bytes);
    assert_eq!(
        firmware.sum, reference,
        "firmware capacities vs the reference log"
    );

    for period in [PERIOD, 1, 64, 1000, 4096] {
        let desktop = play_desktop(bytes.clone(), period);
        assert_eq!(desktop.late, 0, "desktop capacities, period {period}");
        assert_eq!(
            desktop.sum, firmware.sum,
            "desktop capacities, period {period}"
        );
        if period != PERIOD {
            let small = play_small(bytes.clone(), period);
            if small.late == 0 {
                assert_eq!(
                    small.sum, firmware.sum,
                    "firmware capacities, period {period}"
                );
            }
        }
    }
}

/// The core's main types at the firmware's capacities, on the host (the
/// firmware prints the same for its target).
#[test]
fn sizes_at_firmware_capacities() {
    use std::mem::size_of;
    println!(
        "firmware-checksum host size_of: Reader={} Feed={} Player={} Sequencer={} Calendar={} EventPool={} ChaseState={} TempoMap={} SongEvent={}",
        size_of::<Reader<SliceSource<'static>, TRACKS, WINDOW, PAYLOAD>>(),
        size_of::<SmallFeed<SliceSource<'static>>>(),
        size_of::<SmallPlayer>(),
        size_of::<SmallSequencer<SliceSource<'static>>>(),
        size_of::<Calendar<SongEvent, EVENTS, SLOTS>>(),
        size_of::<EventPool<BLOCKS, BLOCK_BYTES>>(),
        size_of::<ChaseState<CHASE_SYSEX>>(),
        size_of::<TempoMap>(),
        size_of::<SongEvent>()
    );
}
