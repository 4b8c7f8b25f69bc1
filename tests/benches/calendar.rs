//! Calendar queue vs `heapless::BinaryHeap` vs a sorted `Vec`, on
//! period-windowed workloads.
//!
//! Run: `cargo bench -p smfplay-tests --bench calendar`.
//!
//! Each scheduler holds N pending events (N = 1k, 100k, 1M). One *event*
//! of work is: pop the earliest due event (if nothing is due before the
//! play head, advance the head by one period of 256 frames and look again),
//! then insert a replacement ahead of the head, so N stays constant. One
//! criterion iteration is a batch of 1 000 such events, so the reported
//! `elem/s` is events per second (one pop plus one insert each).
//!
//! Two workloads:
//! - `random`: the replacement's frame is uniform over the next 4 s at
//!   48 kHz (the classic "hold" model; inserts land anywhere in the queue).
//! - `inorder`: the replacement is exactly 4 s ahead, so inserts come in
//!   non-decreasing frame order (a sequencer reading ahead of the play
//!   head).
//!
//! Schedulers:
//! - `calendar`: `Calendar` with the bucket width tuned to N (about the mean
//!   gap between pending events) and enough slots to cover the 4 s window.
//! - `calendar_period`: `Calendar` with period-sized buckets (256 frames,
//!   1024 slots) whatever N: shows the cost of walking crowded buckets.
//! - `binary_heap`: `heapless::BinaryHeap<(frame, seq, item), Min, N>` (a
//!   min-heap on (frame, insertion sequence), the same as a max-heap of
//!   `Reverse((frame, seq))`).
//! - `sorted_vec`: a `Vec` kept sorted latest-first, popped from the end,
//!   inserting by a linear scan from the earliest end plus `Vec::insert`.
//!   Skipped at 1M: each insert moves ~10 MB there.
//!
//! The 1M structures are ~24 MB each. `Box::new(Calendar::new(..))` may
//! build the value on the stack before moving it to the heap, so they are
//! built on a helper thread with a 256 MB stack and the `Box` is sent back.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use heapless::binary_heap::{BinaryHeap, Min};
use smfplay_core::sched::Calendar;
use smfplay_tests::rng::Rng;

const RATE: u64 = 48_000;
const PERIOD: u64 = 256;
/// How far ahead events are scheduled: 4 s.
const WINDOW: u64 = 4 * RATE;
/// Events per criterion iteration.
const BATCH: u64 = 1_000;

/// What the benchmark needs of a scheduler.
trait Sched {
    fn insert(&mut self, frame: u64, item: u32);
    fn pop_due(&mut self, before: u64) -> Option<(u64, u32)>;
}

impl<const E: usize, const S: usize> Sched for Calendar<u32, E, S> {
    #[inline]
    fn insert(&mut self, frame: u64, item: u32) {
        if Calendar::insert(self, frame, item).is_err() {
            panic!("calendar full");
        }
    }
    #[inline]
    fn pop_due(&mut self, before: u64) -> Option<(u64, u32)> {
        Calendar::pop_due(self, before)
    }
}

/// A min-heap on (frame, seq): equal frames come out in insertion order.
struct Heap<const N: usize> {
    heap: BinaryHeap<(u64, u64, u32), Min, N>,
    seq: u64,
}

impl<const N: usize> Sched for Heap<N> {
    #[inline]
    fn insert(&mut self, frame: u64, item: u32) {
        self.seq += 1;
        if self.heap.push((frame, self.seq, item)).is_err() {
            panic!("heap full");
        }
    }
    #[inline]
    fn pop_due(&mut self, before: u64) -> Option<(u64, u32)> {
        match self.heap.peek() {
            Some(&(frame, _, _)) if frame < before => {
                self.heap.pop().map(|(frame, _, item)| (frame, item))
            }
            _ => None,
        }
    }
}

/// The naive scheduler: sorted latest-first, so the earliest is at the end.
struct SortedVec {
    events: Vec<(u64, u32)>,
}

impl Sched for SortedVec {
    #[inline]
    fn insert(&mut self, frame: u64, item: u32) {
        // Scan from the earliest end past every event at or before
        // `frame` (so equal frames keep insertion order), insert there.
        let mut i = self.events.len();
        while i > 0 && self.events[i - 1].0 <= frame {
            i -= 1;
        }
        self.events.insert(i, (frame, item));
    }
    #[inline]
    fn pop_due(&mut self, before: u64) -> Option<(u64, u32)> {
        match self.events.last() {
            Some(&(frame, _)) if frame < before => self.events.pop(),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum Workload {
    Random,
    InOrder,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Random => "random",
            Workload::InOrder => "inorder",
        }
    }
}

/// A scheduler with N pending events and a play head.
struct Driver<S> {
    sched: Box<S>,
    head: u64,
    rng: Rng,
    workload: Workload,
    /// Order-sensitive hash of everything popped, to cross-check the
    /// schedulers against each other.
    check: u64,
}

impl<S: Sched> Driver<S> {
    fn new(mut sched: Box<S>, n: u64, workload: Workload) -> Self {
        let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
        for i in 0..n {
            let frame = match workload {
                Workload::Random => rng.below(WINDOW),
                Workload::InOrder => i * WINDOW / n,
            };
            sched.insert(frame, i as u32);
        }
        Self {
            sched,
            head: 0,
            rng,
            workload,
            check: 0,
        }
    }

    /// `events` times: pop the next due event (advancing the head by a
    /// period when none is due) and insert a replacement.
    #[inline]
    fn run(&mut self, events: u64) {
        for _ in 0..events {
            let item = loop {
                if let Some((frame, item)) = self.sched.pop_due(self.head) {
                    self.check = self
                        .check
                        .wrapping_mul(31)
                        .wrapping_add(frame ^ u64::from(item));
                    break item;
                }
                self.head += PERIOD;
            };
            let frame = match self.workload {
                Workload::Random => self.head + self.rng.below(WINDOW),
                Workload::InOrder => self.head + WINDOW,
            };
            self.sched.insert(frame, black_box(item));
        }
    }
}

/// Build a big value on a thread with a large stack and box it there.
fn boxed<T: Send + 'static>(make: impl FnOnce() -> T + Send + 'static) -> Box<T> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || Box::new(make()))
        .expect("spawn builder thread")
        .join()
        .expect("builder thread")
}

fn bench_one<S: Sched>(c: &mut Criterion, name: &str, n: u64, workload: Workload, sched: Box<S>) {
    let mut driver = Driver::new(sched, n, workload);
    let mut group = c.benchmark_group(format!("calendar/{}", workload.name()));
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function(BenchmarkId::new(name, n), |b| b.iter(|| driver.run(BATCH)));
    group.finish();
}

/// All schedulers at capacity `N`; `w` and `S` are the tuned calendar's
/// bucket width exponent and slot count.
fn bench_n<const N: usize, const S: usize>(c: &mut Criterion, w: u32, sorted_vec: bool) {
    let n = N as u64;
    for workload in [Workload::Random, Workload::InOrder] {
        bench_one(
            c,
            "calendar",
            n,
            workload,
            boxed(move || Calendar::<u32, N, S>::new(w)),
        );
        bench_one(
            c,
            "calendar_period",
            n,
            workload,
            boxed(|| Calendar::<u32, N, 1024>::new(8)),
        );
        bench_one(
            c,
            "binary_heap",
            n,
            workload,
            boxed(|| Heap::<N> {
                heap: BinaryHeap::new(),
                seq: 0,
            }),
        );
        if sorted_vec {
            bench_one(
                c,
                "sorted_vec",
                n,
                workload,
                Box::new(SortedVec {
                    events: Vec::with_capacity(N),
                }),
            );
        }
    }
}

/// The schedulers pop exactly the same (frame, item) sequence.
fn cross_check() {
    for workload in [Workload::Random, Workload::InOrder] {
        let mut cal = Driver::new(
            Box::new(Calendar::<u32, 1_000, 64>::new(6)),
            1_000,
            workload,
        );
        let mut heap = Driver::new(
            Box::new(Heap::<1_000> {
                heap: BinaryHeap::new(),
                seq: 0,
            }),
            1_000,
            workload,
        );
        let mut vec = Driver::new(
            Box::new(SortedVec {
                events: Vec::with_capacity(1_000),
            }),
            1_000,
            workload,
        );
        cal.run(50_000);
        heap.run(50_000);
        vec.run(50_000);
        assert_eq!(cal.check, heap.check, "calendar vs heap");
        assert_eq!(cal.check, vec.check, "calendar vs sorted vec");
    }
}

fn calendar(c: &mut Criterion) {
    cross_check();
    // Tuning: bucket width ≈ the mean gap between pending events
    // (WINDOW / N frames), slots ≥ WINDOW / width.
    // 1k: gap 192 → 256 frames × 1024 slots.
    bench_n::<1_000, 1024>(c, 8, true);
    // 100k: gap 1.9 → 4 frames × 65536 slots.
    bench_n::<100_000, 65_536>(c, 2, true);
    // 1M: gap 0.19 → 1 frame × 262144 slots. No sorted Vec (too slow).
    bench_n::<1_000_000, 262_144>(c, 0, false);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10);
    targets = calendar
}
criterion_main!(benches);
