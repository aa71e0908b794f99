//! SPEC R7 `weighted-round-robin`: window exactness, smoothness, the
//! caller-owned cursor, huge totals and pinned values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use replica_router::{Error, WeightedRoundRobin};

/// Picks `len` consecutive positions starting at `cursor`.
fn window(rr: &WeightedRoundRobin, cursor: u64, len: usize) -> Vec<u32> {
    let mut out = vec![0; len];
    rr.fill(cursor, &mut out);
    out
}

fn counts(picks: &[u32], n: usize) -> Vec<u64> {
    let mut c = vec![0; n];
    for &p in picks {
        c[p as usize] += 1;
    }
    c
}

/// Longest run of each deployment, the cycle taken as a ring.
fn cyclic_runs(cycle: &[u32], n: usize) -> Vec<usize> {
    let mut longest = vec![0; n];
    let doubled: Vec<u32> = cycle.iter().chain(cycle).copied().collect();
    let mut run = 0;
    for (i, &p) in doubled.iter().enumerate() {
        run = if i > 0 && doubled[i - 1] == p {
            run + 1
        } else {
            1
        };
        let r = run.min(cycle.len());
        longest[p as usize] = longest[p as usize].max(r);
    }
    longest
}

fn weights() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(0u32..60, 1..8).prop_filter("total > 0", |w| w.iter().any(|&x| x > 0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// R7: every window of `total` consecutive picks, wherever it starts,
    /// has each deployment exactly `replicas` times.
    #[test]
    fn r7_every_window_of_total_picks_is_exact(weights in weights(), start in any::<u64>()) {
        let rr = WeightedRoundRobin::new(&weights).unwrap();
        let total = usize::try_from(rr.total()).unwrap();
        let expected: Vec<u64> = weights.iter().map(|&w| u64::from(w)).collect();
        prop_assert_eq!(counts(&window(&rr, start, total), weights.len()), expected.clone());
        // The window may also be walked one cursor at a time.
        let mut cursor = start;
        let mut picks = Vec::with_capacity(total);
        for _ in 0..total {
            picks.push(rr.pick(cursor));
            cursor = rr.next_cursor(cursor);
        }
        prop_assert_eq!(counts(&picks, weights.len()), expected);
    }

    /// R7 smoothness: the longest run of a deployment (cycle as a ring) is
    /// at most 1 + w / w_max_other; any window of L picks holds each
    /// deployment within 1 + m w / T of its share L w / T.
    #[test]
    fn r7_picks_are_smooth(weights in weights(), start in any::<u64>(), len in 1usize..200) {
        let rr = WeightedRoundRobin::new(&weights).unwrap();
        let total = rr.total();
        let cycle = window(&rr, 0, usize::try_from(total).unwrap());
        let runs = cyclic_runs(&cycle, weights.len());
        for (i, &w) in weights.iter().enumerate() {
            let max_other = weights.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &x)| x).max().unwrap_or(0);
            if w > 0 && max_other > 0 {
                prop_assert!(runs[i] as u32 <= 1 + w / max_other, "{weights:?}: run {} of {i}", runs[i]);
            }
        }
        assert_window_share(&rr, start, len);
    }
}

/// `|count_i * T - L * w_i| <= T + m * w_i` for the `L` picks from `start`.
fn assert_window_share(rr: &WeightedRoundRobin, start: u64, len: usize) {
    let t = u128::from(rr.total());
    let m = rr.weights().iter().filter(|&&w| w > 0).count() as u128;
    let c = counts(&window(rr, start, len), rr.len());
    for (i, &w) in rr.weights().iter().enumerate() {
        let (got, ideal) = (u128::from(c[i]) * t, len as u128 * u128::from(w));
        assert!(
            got.abs_diff(ideal) <= t + m * u128::from(w),
            "deployment {i}: {c:?} in {len} from {start}"
        );
    }
}

#[test]
fn r7_three_to_two_is_a_b_a_b_a() {
    let rr = WeightedRoundRobin::new(&[3, 2]).unwrap();
    assert_eq!(window(&rr, 0, 10), [0, 1, 0, 1, 0, 0, 1, 0, 1, 0]);
    assert_eq!(
        rr.fill(0, &mut [0; 5]),
        0,
        "one cycle brings the cursor back"
    );
}

#[test]
fn r7_round_robin_value_stability() {
    let cases: [(&[u32], &[u32]); 5] = [
        (&[1], &[0]),
        (&[1, 1, 1], &[0, 1, 2]),
        (&[5, 1], &[0, 0, 0, 1, 0, 0]),
        (&[0, 4, 0, 2], &[1, 3, 1, 1, 3, 1]),
        (&[5, 3, 2], &[0, 1, 2, 0, 0, 1, 0, 2, 1, 0]),
    ];
    for (weights, cycle) in cases {
        let rr = WeightedRoundRobin::new(weights).unwrap();
        assert_eq!(window(&rr, 0, cycle.len()), cycle, "{weights:?}");
    }
}

#[test]
fn r7_cursor_round_trips_and_is_taken_modulo_the_total() {
    let rr = WeightedRoundRobin::new(&[5, 3, 2]).unwrap();
    let straight = window(&rr, 7, 25);
    // A stateless gateway: the cursor goes out with each response (as JSON
    // text, say) and comes back with the next request.
    let mut cursor = 7u64;
    let mut resumed = Vec::new();
    for _ in 0..25 {
        resumed.push(rr.pick(cursor));
        let stored = serde_json::to_string(&rr.next_cursor(cursor)).unwrap();
        cursor = serde_json::from_str(&stored).unwrap();
        assert!(cursor < rr.total());
    }
    assert_eq!(resumed, straight);
    // u64::MAX = 18446744073709551615, position 5 of 10.
    assert_eq!(rr.position(u64::MAX), 5);
    assert_eq!(rr.pick(u64::MAX), rr.pick(5));
    assert_eq!(rr.next_cursor(u64::MAX), 6);
    assert_eq!(rr.next_cursor(9), 0);
}

#[test]
fn r7_huge_totals_neither_overflow_nor_allocate_the_cycle() {
    // 100 deployments of u32::MAX replicas: a total of about 2^38.6.
    let rr = WeightedRoundRobin::new(&[u32::MAX; 100]).unwrap();
    assert_eq!(rr.total(), 100 * u64::from(u32::MAX));
    for cursor in [0, 99, 100, 12_345, u64::MAX, rr.total() - 1] {
        assert_eq!(u64::from(rr.pick(cursor)), rr.position(cursor) % 100);
    }
    let skewed = WeightedRoundRobin::new(&[u32::MAX, 1, u32::MAX / 3, 0, 1 << 20]).unwrap();
    for start in [0, 1, 1 << 31, skewed.total() / 2, skewed.total() - 500] {
        assert_window_share(&skewed, start, 5_000);
    }
    // The lone replica of deployment 1 appears exactly once per cycle.
    let ones = window(&WeightedRoundRobin::new(&[70_000, 1]).unwrap(), 0, 70_001);
    assert_eq!(ones.iter().filter(|&&p| p == 1).count(), 1);
    // Pinned picks of the table-free path. By hand: A's first keys are
    // 1/(2 w_A) and 3/(2 w_A) = 1/(2 w_C) (w_A = 3 w_C), a tie that goes to A,
    // then C; the last key of the cycle is A's 1 - 1/(2 w_A).
    let picks: Vec<u32> = [0, 1, 2, 3, 1 << 32, 1 << 33, skewed.total() - 1]
        .iter()
        .map(|&c| skewed.pick(c))
        .collect();
    assert_eq!(picks, [0, 0, 2, 0, 0, 0, 0]);
}

#[test]
fn r7_round_robin_rejects_what_selectors_reject() {
    assert_eq!(
        WeightedRoundRobin::new(&[]).unwrap_err(),
        Error::EmptyWeights
    );
    assert_eq!(
        WeightedRoundRobin::new(&[0, 0]).unwrap_err(),
        Error::ZeroTotalWeight
    );
}
