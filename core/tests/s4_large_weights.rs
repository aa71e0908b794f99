//! SPEC S4: u32 weights, u64 totals. Huge weights and huge tables neither
//! overflow nor panic; `n * total >= 2^64` takes the two-draw path and is
//! still exact (SPEC S2); bad input is an error, never a panic (SPEC E1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::selection::assert_fits;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use replica_router::{Error, Seed, WeightedSelector};

#[test]
fn s4_hundred_thousand_max_weights() {
    let weights = vec![u32::MAX; 100_000];
    let s = WeightedSelector::new(&weights).unwrap();
    assert_eq!(s.total(), 100_000 * u64::from(u32::MAX));
    assert_eq!(s.len(), 100_000);
    let mut rng = Seed::from_u64(1).rng();
    for _ in 0..10_000 {
        assert!(s.pick(&mut rng) < 100_000);
    }
    let counts = s.counts(&mut rng, 1_000_000);
    assert_eq!(counts.iter().sum::<u64>(), 1_000_000);
    assert_fits("100,000 x u32::MAX", &weights, 2, 1_000_000);
}

#[test]
fn s4_two_max_weights() {
    let s = WeightedSelector::new(&[u32::MAX; 2]).unwrap();
    assert_eq!(s.total(), 2 * u64::from(u32::MAX));
    assert_fits("[MAX, MAX]", &[u32::MAX; 2], 3, 200_000);
}

#[test]
fn s4_max_and_one() {
    // P(1) = 1 / 2^32: in 200,000 picks index 1 is expected 0.00005 times.
    let fit = assert_fits("[MAX, 1]", &[u32::MAX, 1], 4, 200_000);
    assert_eq!(fit.degrees_of_freedom, 1);
}

#[test]
fn s4_one_zero_max() {
    assert_fits("[1, 0, MAX]", &[1, 0, u32::MAX], 5, 200_000);
}

/// 100,000 distinct large weights: `n * total` is about 3.3e19 > 2^64, so
/// every pick takes the two-draw fallback; it must still fit exactly.
#[test]
fn s4_fallback_path_fits() {
    let weights: Vec<u32> = (0..100_000u32)
        .map(|i| u32::MAX - (i % 1000) * 2_000_000)
        .collect();
    let s = WeightedSelector::new(&weights).unwrap();
    assert!(u128::from(s.total()) * 100_000 > u128::from(u64::MAX));
    assert_fits("fallback, 100,000 large", &weights, 6, 2_000_000);
}

/// A skewed fallback table: zeros never picked, the one small weight fits.
#[test]
fn s4_fallback_path_with_zeros_and_small_weights() {
    let mut weights = vec![u32::MAX; 80_000];
    for w in weights.iter_mut().step_by(7) {
        *w = 0;
    }
    weights[1] = u32::MAX / 2;
    let s = WeightedSelector::new(&weights).unwrap();
    assert!(u128::from(s.total()) * 80_000 > u128::from(u64::MAX));
    assert_fits("fallback with zeros", &weights, 7, 1_000_000);
}

#[test]
fn s4_errors_are_variants() {
    assert_eq!(WeightedSelector::new(&[]), Err(Error::EmptyWeights));
    assert_eq!(WeightedSelector::new(&[0]), Err(Error::ZeroTotalWeight));
    assert_eq!(
        WeightedSelector::new(&[0; 1000]),
        Err(Error::ZeroTotalWeight)
    );
    assert_eq!(Error::EmptyWeights.code(), "EMPTY_WEIGHTS");
    assert_eq!(Error::ZeroTotalWeight.code(), "ZERO_TOTAL_WEIGHT");
}

#[test]
fn s4_accessors() {
    let s = WeightedSelector::new(&[u32::MAX, 0, 1]).unwrap();
    assert_eq!(s.weights(), &[u32::MAX, 0, 1]);
    assert_eq!(s.len(), 3);
    assert!(!s.is_empty());
    assert_eq!(s.total(), 1 << 32);
    assert_eq!(s.clone(), s);
}

proptest! {
    #![proptest_config(Config {
        cases: 512,
        rng_seed: RngSeed::Fixed(0x5eed_5400),
        failure_persistence: None,
        ..Config::default()
    })]

    /// SPEC S4, E1: any `Vec<u32>` gives `Ok` or the right error, never a
    /// panic; picks are in range and never of zero weight.
    #[test]
    fn s4_any_weights_never_panic(
        weights in proptest::collection::vec(
            prop_oneof![Just(0u32), Just(u32::MAX), 0u32..4, any::<u32>()], 0..64),
        seed in any::<u64>(),
    ) {
        match WeightedSelector::new(&weights) {
            Ok(s) => {
                prop_assert_eq!(s.len(), weights.len());
                prop_assert_eq!(s.total(), weights.iter().map(|&w| u64::from(w)).sum::<u64>());
                let mut rng = Seed::from_u64(seed).rng();
                for _ in 0..256 {
                    let p = s.pick(&mut rng) as usize;
                    prop_assert!(p < weights.len());
                    prop_assert!(weights[p] > 0, "picked zero-weight index {}", p);
                }
            }
            Err(e) => {
                let expected = if weights.is_empty() {
                    Error::EmptyWeights
                } else {
                    Error::ZeroTotalWeight
                };
                prop_assert!(weights.iter().all(|&w| w == 0));
                prop_assert_eq!(e, expected);
            }
        }
    }
}
