//! SPEC S1: the same seed and weights give the same picks on every target.
//!
//! These literals pin the streams. They were produced once by this code and
//! must never change: a change here is a breaking change of every seeded
//! result (Rust, Python and JS alike). This file uses no dev-dependencies so
//! that it also builds for `wasm32-wasip1` and runs under Node, proving the
//! same streams on a 32-bit target:
//!
//! ```text
//! CARGO_TARGET_WASM32_WASIP1_RUNNER="node tools/wasi-runner.mjs" \
//!     cargo test --target wasm32-wasip1 --test s1_value_stability
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::selection::{assert_same_position, histogram, picks};
use replica_router::{Rng, Seed, WeightedSelector};

const SEED_42_BYTES: [u8; 32] = [
    149, 110, 235, 47, 38, 50, 215, 189, 3, 241, 102, 178, 51, 227, 239, 40, 82, 159, 15, 19, 87,
    103, 82, 71, 148, 227, 74, 14, 255, 225, 28, 88,
];

const SEED_42_RAW: [u64; 4] = [
    0x3115_9ef9_87c9_1afc,
    0x1755_9844_b416_9001,
    0xf7d0_afbf_9ad9_a69f,
    0xb920_7ad5_fd37_495a,
];

const PICKS_3_2: [u32; 32] = [
    1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0,
];

const PICKS_1_TO_10: [u32; 32] = [
    5, 9, 7, 8, 6, 8, 8, 7, 9, 8, 9, 2, 6, 7, 5, 6, 4, 8, 5, 9, 4, 3, 8, 6, 5, 7, 9, 6, 2, 7, 5, 9,
];

const COUNTS_3_2_SEED_7: [u64; 2] = [59844, 40156];

#[test]
fn s1_seed_from_u64_bytes_are_pinned() {
    assert_eq!(*Seed::from_u64(42).as_bytes(), SEED_42_BYTES);
    assert_eq!(Seed::from(42u64), Seed::from_bytes(SEED_42_BYTES));
}

/// A seed given as bytes is taken verbatim when there are exactly 32 of them
/// and refused, with the length, otherwise.
#[test]
fn s4_seed_from_slice_takes_exactly_32_bytes() {
    assert_eq!(
        Seed::from_slice(&SEED_42_BYTES),
        Ok(Seed::from_bytes(SEED_42_BYTES))
    );
    assert_eq!(Seed::try_from(&SEED_42_BYTES[..]), Ok(Seed::from_u64(42)));
    for len in [0, 1, 31, 33, 64] {
        let bytes = vec![7u8; len];
        assert_eq!(
            Seed::from_slice(&bytes),
            Err(replica_router::Error::InvalidSeed { len })
        );
    }
}

/// Independent of the pasted bytes: SplitMix64's published first outputs for
/// state 0 (0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F,
/// 0xF88BB8A8724C81EC), little-endian.
#[test]
fn s1_seed_from_u64_is_splitmix64() {
    let expected: Vec<u8> = [
        0xE220_A839_7B1D_CDAFu64,
        0x6E78_9E6A_A1B9_65F4,
        0x06C4_5D18_8009_454F,
        0xF88B_B8A8_724C_81EC,
    ]
    .iter()
    .flat_map(|z| z.to_le_bytes())
    .collect();
    assert_eq!(Seed::from_u64(0).as_bytes()[..], expected[..]);
}

#[test]
fn s1_raw_generator_stream_is_pinned() {
    let mut rng = Seed::from_u64(42).rng();
    let raw: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
    assert_eq!(raw, SEED_42_RAW);
}

#[test]
fn s1_first_32_picks_of_3_2_are_pinned() {
    let s = WeightedSelector::new(&[3, 2]).unwrap();
    assert_eq!(picks(&s, &mut Seed::from_u64(42).rng(), 32), PICKS_3_2);
}

#[test]
fn s1_first_32_picks_of_1_to_10_are_pinned() {
    let s = WeightedSelector::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).unwrap();
    assert_eq!(picks(&s, &mut Seed::from_u64(42).rng(), 32), PICKS_1_TO_10);
}

#[test]
fn s1_counts_of_3_2_seed_7_are_pinned() {
    let s = WeightedSelector::new(&[3, 2]).unwrap();
    assert_eq!(
        s.counts(&mut Seed::from_u64(7).rng(), 100_000),
        COUNTS_3_2_SEED_7
    );
}

/// Independent of the pasted picks: for [3, 2] (n = 2, W = 5) the alias table
/// is bucket 0 = all index 0, bucket 1 = index 1 for u < 4 and index 0 for
/// u = 4 (masses 6 and 4 cells of 10). `n * W = 10 <= 2^24`, so each pick
/// draws one raw `next_u32` `x`, and is 1 exactly when
/// `r = floor(x * 10 / 2^32)` is 5, 6, 7 or 8; `x` is rejected (redrawn) when
/// the low half of `x * 10` is below `2^32 mod 10 = 6`.
#[test]
fn s1_picks_of_3_2_follow_from_the_raw_stream() {
    let s = WeightedSelector::new(&[3, 2]).unwrap();
    let mut raw = Seed::from_u64(42).rng();
    let mut rng = Seed::from_u64(42).rng();
    for _ in 0..1_000 {
        let r = loop {
            let m = u64::from(raw.next_u32()) * 10;
            if (m as u32) >= 6 {
                break m >> 32;
            }
        };
        let expected = u32::from((5..=8).contains(&r));
        assert_eq!(s.pick(&mut rng), expected);
    }
    assert_same_position(&mut raw, &mut rng);
}

/// Independent of the pasted literals: the batch forms agree with `pick`
/// (SPEC S3), on the pinned seeds.
#[test]
fn s1_batch_forms_agree_with_pick_on_pinned_seeds() {
    for weights in [&[3u32, 2][..], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] {
        let s = WeightedSelector::new(weights).unwrap();
        let mut a = Seed::from_u64(42).rng();
        let mut b = Seed::from_u64(42).rng();
        let mut buf = [0u32; 32];
        s.fill(&mut a, &mut buf);
        assert_eq!(buf.to_vec(), picks(&s, &mut b, 32));
        assert_same_position(&mut a, &mut b);
    }
    let s = WeightedSelector::new(&[3, 2]).unwrap();
    let mut rng = Seed::from_u64(7).rng();
    let one_by_one = picks(&s, &mut rng, 100_000);
    assert_eq!(
        s.counts(&mut Seed::from_u64(7).rng(), 100_000),
        histogram(&one_by_one, 2)
    );
}

/// The generator is `usize`-independent: the word position after the picks
/// is the same on every target (each pick of a table with `n * W <= 2^24`
/// consumes one `u32` word; no rejection happens in these 32 picks).
#[test]
fn s1_stream_position_after_picks() {
    let s = WeightedSelector::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).unwrap();
    let mut rng = Seed::from_u64(42).rng();
    let _ = picks(&s, &mut rng, 32);
    // 32 picks of one u32 word each.
    assert_eq!(rng.get_word_pos(), 32);
}
