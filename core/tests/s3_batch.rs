//! SPEC S3: batch forms. `fill` equals successive `pick`s (same values, same
//! generator position after); `counts` equals the histogram of successive
//! picks and sums to `n`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::selection::{assert_same_position, histogram, picks};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use replica_router::{Rng, Seed, WeightedSelector};

fn cases() -> Vec<Vec<u32>> {
    vec![
        vec![3, 2],
        vec![7],
        vec![0, 0, 1],
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        vec![u32::MAX, 1],
        vec![u32::MAX; 2],
        // n * total >= 2^64: the two-draw path.
        vec![u32::MAX; 70_000],
    ]
}

#[test]
fn s3_fill_equals_successive_picks() {
    for (k, weights) in cases().iter().enumerate() {
        let s = WeightedSelector::new(weights).unwrap();
        for len in [0usize, 1, 2, 31, 1000] {
            let mut a = Seed::from_u64(k as u64).rng();
            let mut b = Seed::from_u64(k as u64).rng();
            let mut buf = vec![u32::MAX; len];
            s.fill(&mut a, &mut buf);
            assert_eq!(buf, picks(&s, &mut b, len), "{len} picks of case {k}");
            assert_same_position(&mut a, &mut b);
        }
    }
}

#[test]
fn s3_counts_equal_histogram_of_picks() {
    for (k, weights) in cases().iter().enumerate() {
        let s = WeightedSelector::new(weights).unwrap();
        for n in [0u64, 1, 5, 10_000] {
            let mut a = Seed::from_u64(100 + k as u64).rng();
            let mut b = Seed::from_u64(100 + k as u64).rng();
            let counts = s.counts(&mut a, n);
            assert_eq!(counts.len(), weights.len());
            assert_eq!(counts.iter().sum::<u64>(), n);
            assert_eq!(
                counts,
                histogram(&picks(&s, &mut b, n as usize), weights.len())
            );
            assert_same_position(&mut a, &mut b);
        }
    }
}

#[test]
fn s3_zero_picks_draw_nothing() {
    let s = WeightedSelector::new(&[3, 2]).unwrap();
    let mut rng = Seed::from_u64(1).rng();
    assert_eq!(s.counts(&mut rng, 0), vec![0, 0]);
    s.fill(&mut rng, &mut []);
    assert_eq!(rng.get_word_pos(), 0);
    assert_eq!(rng.next_u64(), Seed::from_u64(1).rng().next_u64());
}

/// Batch forms work through a `dyn` generator too.
#[test]
fn s3_batch_through_dyn_rng() {
    let s = WeightedSelector::new(&[1, 2, 3]).unwrap();
    let mut rng = Seed::from_u64(3).rng();
    let dyn_rng: &mut dyn Rng = &mut rng;
    let mut buf = [0u32; 64];
    s.fill(dyn_rng, &mut buf);
    let counts = s.counts(dyn_rng, 64);
    assert_eq!(counts.iter().sum::<u64>(), 64);
    assert!(buf.iter().all(|&p| p < 3));
}

proptest! {
    #![proptest_config(Config {
        cases: 64,
        rng_seed: RngSeed::Fixed(0x5eed_5300),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn s3_batch_forms_match_picks(
        weights in proptest::collection::vec(prop_oneof![Just(0u32), 0u32..100, any::<u32>()], 1..40),
        seed in any::<u64>(),
        n in 0usize..300,
    ) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        let s = WeightedSelector::new(&weights).unwrap();
        let one_by_one = picks(&s, &mut Seed::from_u64(seed).rng(), n);
        let mut buf = vec![0u32; n];
        s.fill(&mut Seed::from_u64(seed).rng(), &mut buf);
        prop_assert_eq!(&buf, &one_by_one);
        let counts = s.counts(&mut Seed::from_u64(seed).rng(), n as u64);
        prop_assert_eq!(counts, histogram(&one_by_one, weights.len()));
    }
}
