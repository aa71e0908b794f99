//! SPEC S2: pick probabilities equal `weight / total` exactly.
//!
//! Statistical checks: chi-square goodness of fit against the exact shares,
//! fixed seeds, at significance 0.001 (see `common::selection::assert_fits`). The exact,
//! sampling-free check (every cell of the alias table counted, `n * w_j`
//! cells for index `j`) is a unit test in `src/selection/weighted.rs`, since
//! the table is private.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::selection::assert_fits;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

const N: u64 = 200_000;

#[test]
fn s2_three_two() {
    assert_fits("[3, 2]", &[3, 2], 1, N);
}

#[test]
fn s2_four_one() {
    assert_fits("[4, 1]", &[4, 1], 2, N);
}

#[test]
fn s2_one_dominant() {
    assert_fits("[1, 1, 1, 997]", &[1, 1, 1, 997], 3, N);
}

#[test]
fn s2_zeros_between() {
    assert_fits("[0, 5, 0, 5, 0]", &[0, 5, 0, 5, 0], 4, N);
}

#[test]
fn s2_single_nonzero_after_zeros() {
    let fit = assert_fits("[0, 0, 1]", &[0, 0, 1], 5, N);
    assert_eq!(fit.degrees_of_freedom, 0);
    assert_eq!(fit.statistic, 0.0);
}

#[test]
fn s2_one_to_ten() {
    assert_fits("[1..=10]", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 6, N);
}

#[test]
fn s2_hundred_thousand_entries() {
    let weights: Vec<u32> = (0..100_000u32).map(|i| (i * 7919 % 1000) + 1).collect();
    let fit = assert_fits("100,000 entries", &weights, 7, 2_000_000);
    assert_eq!(fit.degrees_of_freedom, 99_999);
}

/// The test itself can fail: a skewed histogram is rejected.
#[test]
fn s2_chi_square_rejects_a_wrong_distribution() {
    use replica_router::{Seed, WeightedSelector, stats};
    let s = WeightedSelector::new(&[1, 1]).unwrap();
    let counts = s.counts(&mut Seed::from_u64(8).rng(), N);
    let fit = stats::chi_square(&counts, &[51, 49]).unwrap();
    assert!(fit.p_value < common::selection::ALPHA, "{fit:?}");
}

proptest! {
    #![proptest_config(Config {
        cases: 16,
        rng_seed: RngSeed::Fixed(0x5eed_5200),
        failure_persistence: None,
        ..Config::default()
    })]

    /// SPEC S2 over random weight vectors, zeros included.
    #[test]
    fn s2_random_weight_vectors_fit(
        weights in proptest::collection::vec(prop_oneof![1 => Just(0u32), 3 => 0u32..1000], 1..50),
        seed in any::<u64>(),
    ) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        assert_fits("random", &weights, seed, N);
    }
}
