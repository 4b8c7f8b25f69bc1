//! The tempo map against an exact rational reference: after 10,000 tempo
//! changes at irregular ticks, every frame is within 1 of the exact answer
//! (in fact it is its floor), at several sample rates and divisions. A naive
//! converter that rounds each tempo segment to whole frames fails the same
//! check, which shows the check has teeth.

use midly::Timing;
use midly::num::u15;
use smfplay_core::tempo::TempoMap;
use smfplay_tests::rng::Rng;

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A non-negative rational kept in lowest terms.
#[derive(Clone, Copy)]
struct Ratio {
    num: u128,
    den: u128,
}
impl Ratio {
    fn new(num: u128, den: u128) -> Self {
        let g = gcd(num, den).max(1);
        Ratio {
            num: num / g,
            den: den / g,
        }
    }
    fn add(self, other: Ratio) -> Ratio {
        let g = gcd(self.den, other.den);
        let den = self.den / g * other.den;
        Ratio::new(
            self.num * (den / self.den) + other.num * (den / other.den),
            den,
        )
    }
}

/// Exact seconds of every tempo segment summed as fractions, then frames.
struct Reference {
    tpq: u128,
    changes: Vec<(u64, u32)>,
}
impl Reference {
    fn frame_floor(&self, tick: u64, rate: u32) -> u128 {
        let mut seconds = Ratio::new(0, 1);
        let mut at = 0u64;
        let mut tempo = 500_000u32;
        for &(t, new) in self.changes.iter().take_while(|c| c.0 <= tick) {
            seconds = seconds.add(Ratio::new(
                u128::from(t - at) * u128::from(tempo),
                self.tpq * 1_000_000,
            ));
            at = t;
            tempo = new;
        }
        seconds = seconds.add(Ratio::new(
            u128::from(tick - at) * u128::from(tempo),
            self.tpq * 1_000_000,
        ));
        seconds.num * u128::from(rate) / seconds.den
    }
}

fn random_changes(rng: &mut Rng, n: usize) -> Vec<(u64, u32)> {
    let mut tick = 0u64;
    (0..n)
        .map(|_| {
            tick += rng.below(700); // irregular, sometimes 0 (two changes at one tick)
            let tempo = match rng.below(4) {
                0 => 1 + rng.below(0xFF_FFFF) as u32, // anything a file can hold
                _ => 250_000 + rng.below(750_000) as u32, // musical tempos
            };
            (tick, tempo)
        })
        .collect()
}

#[test]
fn ten_thousand_tempo_changes_stay_exact() {
    let mut rng = Rng::new(0x5EED);
    let mut checked = 0usize;
    for &(tpq, rate) in &[
        (96u16, 44_100u32),
        (480, 48_000),
        (960, 96_000),
        (1, 22_050),
        (32_767, 48_000),
        (7, 44_100),
    ] {
        let changes = random_changes(&mut rng, 10_000);
        let reference = Reference {
            tpq: u128::from(tpq),
            changes: changes.clone(),
        };
        let mut map = TempoMap::new(Timing::Metrical(u15::new(tpq)), rate);
        // Probe points: each change tick, the tick before it, and a random
        // tick inside each segment, walked in order as a player would.
        let mut probes = Vec::new();
        for (i, &(t, _)) in changes.iter().enumerate() {
            let next = changes.get(i + 1).map_or(t + 1000, |c| c.0);
            probes.push(t.saturating_sub(1));
            probes.push(t);
            probes.push(t + rng.below(next - t + 1));
        }
        probes.sort_unstable();
        let mut applied = 0;
        for tick in probes {
            while applied < changes.len() && changes[applied].0 <= tick {
                let (t, tempo) = changes[applied];
                assert!(map.set_tempo(t, tempo));
                applied += 1;
            }
            // Compare only every few probes against the (slow) reference,
            // always including the very end.
            if rng.below(16) == 0 || applied == changes.len() {
                let exact = reference.frame_floor(tick, rate);
                let ours = u128::from(map.frame_at(tick));
                assert_eq!(
                    ours, exact,
                    "tpq {tpq} rate {rate} tick {tick}: ours {ours}, exact floor {exact}"
                );
                checked += 1;
            }
        }
        assert_eq!(applied, changes.len());
    }
    println!(
        "tempo map: {checked} frames checked against the rational reference, all exact floors"
    );
}

#[test]
fn a_converter_rounding_each_segment_drifts_where_the_map_does_not() {
    let mut rng = Rng::new(0xD81F7);
    let (tpq, rate) = (480u16, 44_100u32);
    let changes = random_changes(&mut rng, 10_000);
    let reference = Reference {
        tpq: u128::from(tpq),
        changes: changes.clone(),
    };
    let mut map = TempoMap::new(Timing::Metrical(u15::new(tpq)), rate);
    // Naive: whole frames per segment, rounded.
    let (mut naive_frames, mut at, mut tempo) = (0u64, 0u64, 500_000u64);
    for &(t, new) in &changes {
        let seg = (t - at) * tempo * u64::from(rate);
        naive_frames += (seg + u64::from(tpq) * 500_000) / (u64::from(tpq) * 1_000_000);
        at = t;
        tempo = u64::from(new);
        map.set_tempo(t, new);
    }
    let end = at;
    let exact = reference.frame_floor(end, rate) as i128;
    let naive_error = (naive_frames as i128 - exact).abs();
    assert!(
        naive_error > 1,
        "the naive converter should drift (error {naive_error})"
    );
    assert_eq!(i128::from(map.frame_at(end)), exact);
    println!(
        "after 10,000 changes: naive rounding is off by {naive_error} frames, the tempo map by 0"
    );
}
