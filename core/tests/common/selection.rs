//! Helpers for the selection tests (SPEC S1-S4).

use replica_router::stats::{self, ChiSquare};
use replica_router::{Rng, Seed, WeightedSelector};

/// Significance level of every statistical test: a fit is rejected below it.
pub const ALPHA: f64 = 0.001;

/// Counts `picks` into a histogram of `len` categories.
pub fn histogram(picks: &[u32], len: usize) -> Vec<u64> {
    let mut counts = vec![0u64; len];
    for &p in picks {
        counts[p as usize] += 1;
    }
    counts
}

/// `n` successive `pick`s, one call each.
pub fn picks<R: Rng + ?Sized>(selector: &WeightedSelector, rng: &mut R, n: usize) -> Vec<u32> {
    (0..n).map(|_| selector.pick(rng)).collect()
}

/// Asserts that two generators are at the same position by comparing their
/// next outputs (`ChaCha8Rng` has no `PartialEq`).
pub fn assert_same_position<A: Rng, B: Rng>(a: &mut A, b: &mut B) {
    for _ in 0..4 {
        assert_eq!(a.next_u64(), b.next_u64(), "generators diverged");
    }
}

/// Draws `n` picks of `weights` with `seed` (SPEC S2), asserts that no
/// zero-weight index was picked and that the chi-square fit against the exact
/// shares has p >= [`ALPHA`], and returns the fit.
pub fn assert_fits(label: &str, weights: &[u32], seed: u64, n: u64) -> ChiSquare {
    let selector = WeightedSelector::new(weights).unwrap();
    let counts = selector.counts(&mut Seed::from_u64(seed).rng(), n);
    assert_eq!(
        counts.iter().sum::<u64>(),
        n,
        "{label}: counts must sum to n"
    );
    for (j, (&c, &w)) in counts.iter().zip(weights).enumerate() {
        assert!(
            w > 0 || c == 0,
            "{label}: zero-weight index {j} picked {c} times"
        );
    }
    let fit = stats::chi_square(&counts, weights).expect("non-empty observations");
    println!(
        "{label}: n={n} seed={seed} chi2={:.3} df={} p={:.4}",
        fit.statistic, fit.degrees_of_freedom, fit.p_value
    );
    assert!(
        fit.p_value >= ALPHA,
        "{label}: picks do not fit the weights: {fit:?}"
    );
    fit
}
