//! Smooth weighted round-robin (SPEC R7, `weighted-round-robin`); the cycle
//! and the cursor are documented on [`WeightedRoundRobin`].

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::error::Result;
use crate::selection::check_weights;

/// Totals up to this keep the whole cycle as a table (4 bytes a pick, at most
/// 256 KiB, O(1) a pick); larger totals compute each pick from the weights.
const TABLE_LIMIT: u64 = 1 << 16;

/// The cycle of smooth weighted round-robin over fixed weights (SPEC R7).
///
/// # The cycle
///
/// For weights `w_0 .. w_{n-1}` with total `T`, deployment `i` owns the `w_i`
/// keys `(2j + 1) / (2 w_i)` for `j = 0 .. w_i - 1`: the midpoints of `w_i`
/// equal slices of the unit interval. The cycle is all `T` keys in
/// ascending order, equal keys in deployment order; position `p` of the
/// cycle picks the deployment that owns the `p`-th key. This is the order in
/// which the Sainte-Laguë (Webster) divisor method hands out seats, so:
///
/// - each deployment appears exactly `w_i` times in the cycle, hence exactly
///   `w_i` times in *every* window of `T` consecutive picks (the cycle
///   repeats);
/// - picks are smooth: deployment `i`'s picks are `1 / w_i` apart in key
///   space, and the longest run of `i` (the cycle taken as a ring) is at most
///   `1 + w_i / w_max` picks (integer division), where `w_max` is the largest
///   other weight; 3:2 gives `A B A B A`; any window of `L` consecutive
///   picks holds deployment `i` within `1 + m w_i / T` of its share
///   `L w_i / T` (`m` = number of positive weights);
/// - it is integer-only: keys compare by cross-multiplication in `u128`.
///
/// # The cursor
///
/// The position in the cycle is a plain `u64` that the caller owns, stores
/// and passes back ([`WeightedRoundRobin::pick`],
/// [`WeightedRoundRobin::next_cursor`]). Every `u64` is a valid cursor: it is
/// taken modulo the current total. When replica counts change, the cycle is
/// the new weights' cycle and a stored cursor continues at
/// `cursor % new_total`; the window guarantee holds for windows within a
/// stretch of unchanged counts, and the first full window after the change
/// already has the new exact counts.
///
/// # Example
///
/// ```
/// use replica_router::WeightedRoundRobin;
/// let rr = WeightedRoundRobin::new(&[3, 2])?;
/// let mut picks = [0u32; 5];
/// let next = rr.fill(0, &mut picks);
/// assert_eq!(picks, [0, 1, 0, 1, 0]); // A B A B A
/// assert_eq!(next, 0); // the cycle starts over
/// # Ok::<(), replica_router::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedRoundRobin {
    weights: Vec<u32>,
    total: u64,
    /// `(index, weight)` of the deployments with a positive weight: zeros
    /// cost nothing when picking.
    active: Vec<(u32, u32)>,
    /// The whole cycle when `total <= TABLE_LIMIT`, else empty.
    cycle: Vec<u32>,
}

/// One key of the cycle: `odd / (2 * weight)` of deployment `index`, with
/// `odd = 2j + 1`. Ordered by key, then by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    odd: u64,
    weight: u32,
    index: u32,
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        // odd_a / w_a vs odd_b / w_b; odd < 2^33 and w < 2^32, so the
        // products fit in u128 with room to spare.
        let a = u128::from(self.odd) * u128::from(other.weight);
        let b = u128::from(other.odd) * u128::from(self.weight);
        a.cmp(&b).then(self.index.cmp(&other.index))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl WeightedRoundRobin {
    /// The cycle over `weights` (replica counts; index `i` is deployment
    /// `i`).
    ///
    /// # Errors
    /// [`Error::EmptyWeights`](crate::Error::EmptyWeights) for no weights; [`Error::ZeroTotalWeight`](crate::Error::ZeroTotalWeight)
    /// when they sum to 0; [`Error::LimitExceeded`](crate::Error::LimitExceeded) for more than
    /// [`MAX_WEIGHTS`](crate::limits::MAX_WEIGHTS) weights.
    ///
    /// # Performance
    /// O(T log n) time and 4 T bytes for totals `T` up to 65,536, so every
    /// pick is O(1); above that, O(n) here and O(m log m) per pick, with `m`
    /// the number of positive weights, and no table (a total of 2^40 costs no
    /// more memory than a total of 2^17).
    pub fn new(weights: &[u32]) -> Result<WeightedRoundRobin> {
        let total = check_weights(weights.iter().copied())?;
        let active = (0u32..)
            .zip(weights.iter().copied())
            .filter(|&(_, w)| w > 0)
            .collect();
        let mut rr = WeightedRoundRobin {
            weights: weights.to_vec(),
            total,
            active,
            cycle: Vec::new(),
        };
        if total <= TABLE_LIMIT {
            rr.cycle = rr.build_cycle();
        }
        Ok(rr)
    }

    /// Merges the deployments' key sequences: O(T log m).
    fn build_cycle(&self) -> Vec<u32> {
        let mut merge = self.merge_from_start();
        let mut cycle = Vec::with_capacity(usize::try_from(self.total).unwrap_or(0));
        while let Some(index) = merge.next() {
            cycle.push(index);
        }
        cycle
    }

    /// The merge at the start of the cycle: every deployment's first key.
    fn merge_from_start(&self) -> Merge {
        self.merge_after(0)
    }

    /// Number of weights (deployments), zeros included.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Always false: a cycle has at least one weight.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Length of the cycle: the sum of the weights.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The weights, as given.
    pub fn weights(&self) -> &[u32] {
        &self.weights
    }

    /// Where `cursor` is in the cycle: `cursor % total`.
    pub fn position(&self, cursor: u64) -> u64 {
        cursor % self.total
    }

    /// The cursor after a pick at `cursor`: `(cursor % total + 1) % total`,
    /// always below [`total`](WeightedRoundRobin::total).
    pub fn next_cursor(&self, cursor: u64) -> u64 {
        let next = self.position(cursor) + 1;
        if next == self.total { 0 } else { next }
    }

    /// The deployment index picked at `cursor`.
    ///
    /// # Performance
    /// O(1) for totals up to 65,536; above, O(m log m) with `m` the number of
    /// positive weights, plus an `m`-element scratch buffer.
    pub fn pick(&self, cursor: u64) -> u32 {
        let position = self.position(cursor);
        match usize::try_from(position)
            .ok()
            .and_then(|p| self.cycle.get(p))
        {
            Some(&index) => index,
            None => self.compute(position),
        }
    }

    /// Fills `out` with the picks at `cursor`, `cursor + 1`, ... (each taken
    /// modulo the total) and returns the cursor after the last one.
    ///
    /// # Performance
    /// O(1) a pick for totals up to 65,536. Above, whatever the weights:
    /// one [`pick`](WeightedRoundRobin::pick)'s O(m log m) to find the
    /// start, then O(log m) a pick (the deployments' key sequences merged
    /// from there on), with an `m`-element heap; no other allocation.
    pub fn fill(&self, cursor: u64, out: &mut [u32]) -> u64 {
        let mut cursor = self.position(cursor);
        if !self.cycle.is_empty() {
            for slot in out {
                *slot = self.pick(cursor);
                cursor = self.next_cursor(cursor);
            }
            return cursor;
        }
        if out.is_empty() {
            return cursor;
        }
        let mut merge = self.merge_at(cursor);
        for slot in out {
            *slot = match merge.next() {
                Some(index) => index,
                // The cycle ended (the cursor wrapped to 0): start it over.
                None => {
                    merge = self.merge_from_start();
                    merge.next().unwrap_or(0)
                }
            };
            cursor = self.next_cursor(cursor);
        }
        cursor
    }

    /// How many keys of deployment `weight` lie at or below `t / (2T)`:
    /// the `j` with `(2j + 1) T <= t w`.
    fn count_one(&self, t: u128, weight: u32) -> u128 {
        #[cfg(test)]
        tests::WEIGHT_EVALUATIONS.with(|c| c.set(c.get() + 1));
        let w = u128::from(weight);
        (t * w / u128::from(self.total)).div_ceil(2).min(w)
    }

    /// How many keys of the cycle lie at or below `t / (2T)`.
    fn count(&self, t: u128) -> u128 {
        self.active.iter().map(|&(_, w)| self.count_one(t, w)).sum()
    }

    /// The merge of the deployments' keys above `t / (2T)`: each
    /// deployment's first key there, in a min-heap (O(m)).
    fn merge_after(&self, t: u128) -> Merge {
        let keys: Vec<Reverse<Key>> = self
            .active
            .iter()
            .filter_map(|&(index, weight)| {
                let below = self.count_one(t, weight);
                (below < u128::from(weight)).then(|| {
                    Reverse(Key {
                        odd: u64::try_from(2 * below + 1).unwrap_or(u64::MAX),
                        weight,
                        index,
                    })
                })
            })
            .collect();
        Merge {
            heap: BinaryHeap::from(keys),
        }
    }

    /// The deployment at `position < total` without a table.
    fn compute(&self, position: u64) -> u32 {
        self.merge_at(position).next().unwrap_or(0)
    }

    /// The merge positioned at `position < total`: its next key is the
    /// pick there.
    ///
    /// Scaled by `2T`, key `(i, j)` is `(2j + 1) T / w_i` and lies in
    /// `(0, 2T)`; `count(t)` counts keys at or below `t`. With `m` positive
    /// weights, `count(t)` is within `m / 2` of `t / 2`, so the largest `t`
    /// with `count(t) <= position` lies in a window of about `2m` integers:
    /// binary search finds it (O(m log m)). A deployment's keys are
    /// `2T / w_i >= 2` apart, so fewer than `m` keys lie between that `t`
    /// and the position: the merge from `t` skips them (O(m log m)).
    fn merge_at(&self, position: u64) -> Merge {
        let k = u128::from(position);
        let m = self.active.len() as u128;
        let two_t = 2 * u128::from(self.total);
        let mut lo = (2 * k).saturating_sub(m);
        let mut hi = (2 * k + 2 + m).min(two_t);
        // The bounds are proven above; re-widen if that proof is ever wrong.
        if self.count(lo) > k {
            lo = 0;
        }
        if self.count(hi) <= k {
            hi = two_t;
        }
        let mut below = self.count(lo);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let c = self.count(mid);
            if c > k {
                hi = mid;
            } else {
                lo = mid;
                below = c;
            }
        }
        let mut merge = self.merge_after(lo);
        for _ in below..k {
            merge.next();
        }
        merge
    }
}

/// The keys of the cycle in order from some position on: a min-heap of each
/// deployment's next key (at most one a deployment).
struct Merge {
    heap: BinaryHeap<Reverse<Key>>,
}

impl Merge {
    /// The deployment owning the next key, which is replaced by that
    /// deployment's following key; `None` at the end of the cycle.
    fn next(&mut self) -> Option<u32> {
        let Reverse(key) = self.heap.pop()?;
        // Next key of the same deployment: j + 1 < w, i.e. odd + 2 < 2w + 1.
        if key.odd + 2 < 2 * u64::from(key.weight) {
            self.heap.push(Reverse(Key {
                odd: key.odd + 2,
                ..key
            }));
        }
        Some(key.index)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    thread_local! {
        /// `count_one` evaluations on this thread: the work of positioning
        /// in the cycle, counted instead of timed.
        pub(super) static WEIGHT_EVALUATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    fn evaluations_of(f: impl FnOnce()) -> u64 {
        WEIGHT_EVALUATIONS.with(|c| c.set(0));
        f();
        WEIGHT_EVALUATIONS.with(std::cell::Cell::get)
    }

    /// Issue 15: a batch over large weights evaluated every weight some 30
    /// times for every pick (1 ms a pick for 10,000 weights of 2^32 - 1,
    /// 26 ms for a million zeros and two large weights). Now a batch
    /// positions once, then merges: the evaluations do not grow with the
    /// batch, and zero weights are never evaluated.
    #[test]
    fn e3_batch_cost_does_not_depend_on_the_weights() {
        let rr = WeightedRoundRobin::new(&[u32::MAX; 1_000]).unwrap();
        let mut out = vec![0u32; 2_000];
        let few = evaluations_of(|| {
            rr.fill(123_456_789, &mut out[..10]);
        });
        let many = evaluations_of(|| {
            rr.fill(123_456_789, &mut out);
        });
        assert!(few > 0 && few <= 64 * 1_000, "{few}");
        assert_eq!(many, few);
        // Equal weights: equal keys, deployment order.
        let expected: Vec<u32> = (123_456_789u32..).take(2_000).map(|p| p % 1_000).collect();
        assert_eq!(out, expected);

        let mut weights = vec![0u32; 100_000];
        weights.extend([u32::MAX, u32::MAX - 1]);
        let rr = WeightedRoundRobin::new(&weights).unwrap();
        let evaluations = evaluations_of(|| {
            rr.fill(1 << 40, &mut out);
        });
        assert!(evaluations <= 64 * 2, "{evaluations}");
        for (i, &pick) in out.iter().enumerate() {
            assert_eq!(pick, rr.compute(rr.position((1 << 40) + i as u64)));
        }
    }

    #[test]
    fn r7_batches_match_single_picks_across_the_end_of_the_cycle() {
        let rr = WeightedRoundRobin::new(&[40_000, 25_001, 7, 1, 0, 3_000]).unwrap();
        let cycle = rr.build_cycle();
        let total = rr.total();
        let mut all = vec![0u32; cycle.len()];
        assert_eq!(rr.fill(0, &mut all), 0);
        assert_eq!(all, cycle);
        let mut wrapped = vec![0u32; 10];
        assert_eq!(rr.fill(total - 5, &mut wrapped), 5);
        let expected: Vec<u32> = cycle[cycle.len() - 5..]
            .iter()
            .chain(&cycle[..5])
            .copied()
            .collect();
        assert_eq!(wrapped, expected);
        assert_eq!(rr.fill(u64::MAX, &mut []), rr.position(u64::MAX));
    }

    fn computed(rr: &WeightedRoundRobin) -> Vec<u32> {
        (0..rr.total()).map(|p| rr.compute(p)).collect()
    }

    #[test]
    fn r7_three_two_is_abab_a() {
        let rr = WeightedRoundRobin::new(&[3, 2]).unwrap();
        assert_eq!(rr.cycle, [0, 1, 0, 1, 0]);
        assert_eq!(computed(&rr), rr.cycle);
    }

    #[test]
    fn r7_large_totals_need_no_table() {
        let rr = WeightedRoundRobin::new(&[u32::MAX, 7, u32::MAX, 0, 1 << 20]).unwrap();
        assert!(rr.cycle.is_empty());
        let rr = WeightedRoundRobin::new(&[u32::MAX; 3]).unwrap();
        for cursor in [0, 1, 2, 3, 1 << 33, u64::MAX, rr.total() - 1] {
            // Equal weights: equal keys, deployment order.
            assert_eq!(u64::from(rr.pick(cursor)), cursor % rr.total() % 3);
        }
    }

    #[test]
    fn r7_computation_matches_the_merge_above_the_table_limit() {
        let rr = WeightedRoundRobin::new(&[40_000, 25_001, 7, 1, 0, 3_000]).unwrap();
        assert!(rr.cycle.is_empty() && rr.total() > TABLE_LIMIT);
        assert_eq!(computed(&rr), rr.build_cycle());
    }

    proptest! {
        /// The table and the table-free computation define the same cycle.
        #[test]
        fn r7_table_and_computation_agree(weights in prop::collection::vec(0u32..40, 1..9)) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let rr = WeightedRoundRobin::new(&weights).unwrap();
            prop_assert_eq!(computed(&rr), rr.cycle.clone());
        }

        #[test]
        fn r7_table_and_computation_agree_on_skewed_weights(
            big in 1u32..3000, small in prop::collection::vec(0u32..4, 1..6)
        ) {
            let mut weights = small;
            weights.push(big);
            let rr = WeightedRoundRobin::new(&weights).unwrap();
            prop_assert_eq!(computed(&rr), rr.cycle.clone());
        }
    }
}
