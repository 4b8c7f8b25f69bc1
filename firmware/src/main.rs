//! smfplay-core on a Cortex-M4 (QEMU `mps2-an386`) or a Cortex-M0 (QEMU `microbit`).
//!
//! Sequences a MIDI file embedded with `include_bytes!` (the demo song, or the file
//! named by `SMFPLAY_SONG` at build time) through the real reader, tempo map,
//! calendar and sequencer with a small board's capacities ([`shared`]), period by
//! period, into a synth that renders nothing and folds every applied event and its
//! frame into a checksum. Prints the result over semihosting and exits with status
//! 0 (1 on error or panic). No heap: there is no `#[global_allocator]`, so nothing
//! in the graph can use `alloc` and still link.
//!
//! Output (one `key=value` line each, parsed by `scripts/firmware-check`):
//!
//! ```text
//! smfplay-firmware: target=thumbv7em-none-eabihf song=demo.mid bytes=7255
//! smfplay-firmware: events=.. last_frame=.. checksum=0x.. frames=.. periods=.. late=.. ..
//! smfplay-firmware: stack_high_water=.. stack_size=.. static_sequencer=..
//! smfplay-firmware: size_of Reader=.. Feed=.. ..
//! ```
#![no_std]
#![no_main]

mod shared;

use core::cell::RefCell;
use core::mem::size_of;

use cortex_m::interrupt::Mutex;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use smfplay_core::sched::{Calendar, EventPool};
use smfplay_core::sequencer::{ChaseState, SongEvent, SequencerConfig};
use smfplay_core::smf::{ByteSource, Error, Reader, ReaderOptions, SliceSource};
use smfplay_core::tempo::TempoMap;

use shared::{
    BLOCK_BYTES, BLOCKS, CHASE_SYSEX, EVENTS, PAYLOAD, PERIOD, SAMPLE_RATE, SLOTS,
    SmallFeed, SmallPlayer, SmallSequencer, TRACKS, WINDOW,
};

#[cfg(feature = "defmt-semihosting")]
use defmt_semihosting as _;

/// The song, chosen at build time (see build.rs).
static SONG: &[u8] = include_bytes!(env!("SMFPLAY_SONG_PATH"));
const SONG_NAME: &str = env!("SMFPLAY_SONG_NAME");

const TARGET: &str = env!("SMFPLAY_TARGET");

/// The embedded song as a byte source. A zero-sized type (it reads the
/// `static` [`SONG`]), so the sequencer that holds it keeps no pointer:
/// its `const` initial state is all zero bits.
#[derive(Clone, Copy, Debug)]
struct Song;

impl ByteSource for Song {
    fn byte_len(&mut self) -> Result<u64, embedded_io::ErrorKind> {
        SliceSource::new(SONG).byte_len()
    }

    #[inline]
    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, embedded_io::ErrorKind> {
        SliceSource::new(SONG).read_at(pos, buf)
    }
}

/// The sequencer lives in a `static`, never on the stack: it starts as the
/// empty (`const`) sequencer of the song and is opened in place with
/// `reopen`. Its initial state is all zero bits, so it is in `.bss` (zeroed
/// at start-up, no image in flash); `scripts/firmware-check` fails if it
/// lands in `.data`.
static SEQUENCER: Mutex<RefCell<SmallSequencer<Song>>> =
    Mutex::new(RefCell::new(SmallSequencer::new(Song)));

/// Upper bound on periods (a song of 60 s at 48 kHz in 128-frame periods is 22 500).
const MAX_PERIODS: u32 = 2_000_000;

unsafe extern "C" {
    static _stack_start: u32;
    static _stack_end: u32;
}

/// Bytes of stack used since reset: the start-up code painted the stack with
/// `STACK_PAINT_VALUE` (cortex-m-rt's `paint-stack`); the lowest word that changed
/// is the high-water mark.
fn stack_high_water() -> (usize, usize) {
    let end = (&raw const _stack_end) as usize;
    let start = (&raw const _stack_start) as usize;
    let mut p = end;
    while p < start {
        // SAFETY: [_stack_end, _stack_start) is RAM reserved for the stack.
        let w = unsafe { core::ptr::read_volatile(p as *const u32) };
        if w != cortex_m_rt::STACK_PAINT_VALUE {
            break;
        }
        p += 4;
    }
    (start - p, start - end)
}

#[entry]
fn main() -> ! {
    hprintln!(
        "smfplay-firmware: target={} song={} bytes={}",
        TARGET,
        SONG_NAME,
        SONG.len()
    );
    // No interrupts are used: the whole run is one critical section.
    cortex_m::interrupt::free(|cs| run(&mut SEQUENCER.borrow(cs).borrow_mut()))
}

/// Opens the song in place and plays it.
fn run(seq: &mut SmallSequencer<Song>) -> ! {
    let config = SequencerConfig::new(SAMPLE_RATE, PERIOD as u32);
    if let Err(e) = open(seq, config) {
        hprintln!("smfplay-firmware: error=open {}", e);
        fail()
    }
    let (stack_open, _) = stack_high_water();
    let outcome = play(seq);
    let (stack_used, stack_size) = stack_high_water();
    let o = match outcome {
        Ok(o) => o,
        Err(e) => {
            hprintln!("smfplay-firmware: error=read {}", e);
            fail()
        }
    };
    hprintln!(
        "smfplay-firmware: events={} last_frame={} checksum={:#018x} frames={} periods={} late={} read={} dropped={} read_errors={} notes_over_capacity={} finished={}",
        o.sum.events,
        o.sum.last_frame,
        o.sum.hash.0,
        o.frames,
        o.periods,
        o.late,
        o.read,
        o.dropped,
        o.read_errors,
        o.notes_over_capacity,
        seq.is_finished()
    );
    hprintln!(
        "smfplay-firmware: stack_high_water={} stack_after_open={} stack_size={} static_sequencer={}",
        stack_used,
        stack_open,
        stack_size,
        size_of::<SmallSequencer<Song>>()
    );
    hprintln!(
        "smfplay-firmware: size_of Reader={} Feed={} Player={} Sequencer={} Calendar={} EventPool={} ChaseState={} TempoMap={} SongEvent={}",
        size_of::<Reader<Song, TRACKS, WINDOW, PAYLOAD>>(),
        size_of::<SmallFeed<Song>>(),
        size_of::<SmallPlayer>(),
        size_of::<SmallSequencer<Song>>(),
        size_of::<Calendar<SongEvent, EVENTS, SLOTS>>(),
        size_of::<EventPool<BLOCKS, BLOCK_BYTES>>(),
        size_of::<ChaseState<CHASE_SYSEX>>(),
        size_of::<TempoMap>(),
        size_of::<SongEvent>()
    );
    #[cfg(feature = "defmt-semihosting")]
    defmt::println!(
        "events={=u32} last_frame={=u64} checksum={=u64:#x} late={=u64}",
        o.sum.events,
        o.sum.last_frame,
        o.sum.hash.0,
        o.late
    );
    if stack_used >= stack_size {
        hprintln!("smfplay-firmware: error=stack overflow");
        fail()
    }
    let ok = o.late == 0
        && o.read_errors == 0
        && o.dropped == 0
        && o.notes_over_capacity == 0
        && seq.is_finished();
    if !ok {
        hprintln!(
            "smfplay-firmware: error=incomplete (late, dropped, read errors, notes over capacity or not finished)"
        );
        fail()
    }
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}

/// Opens the song in place. Not inlined: its temporaries and those of
/// playing do not share one stack frame.
#[inline(never)]
fn open(seq: &mut SmallSequencer<Song>, config: SequencerConfig) -> Result<(), Error> {
    seq.reopen(ReaderOptions::LENIENT, config)
}

/// Plays the whole song (not inlined, see [`open`]).
#[inline(never)]
fn play(seq: &mut SmallSequencer<Song>) -> Result<shared::Outcome, Error> {
    let (mut left, mut right) = ([0.0f32; PERIOD], [0.0f32; PERIOD]);
    shared::play(seq, &mut left, &mut right, MAX_PERIODS)
}

fn fail() -> ! {
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

/// Reports a panic without its message: formatting `PanicInfo` would link
/// every panic message and location and `core::fmt`'s padding machinery
/// (about 3 KiB of flash). The core has no panics of its own (no unwrap,
/// no expect; indexing is bounded by construction), so this is a last resort.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    hprintln!("smfplay-firmware: panic");
    fail()
}
