//! [`WeightedSelector`]: an exact integer alias table (SPEC S2, S3, S4).

use rand_core::Rng;

use super::below;
use crate::error::{Error, Result};
use crate::limits::MAX_WEIGHTS;

/// One bucket of the alias table: `pick[0]` (the bucket's own index) when
/// `u < prob`, else `pick[1]` (its alias). Both indices sit in the entry
/// (16 bytes, as with padding) so a pick resolves with one indexed load
/// instead of a data-dependent branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    prob: u64,
    pick: [u32; 2],
}

/// How a pick turns raw generator output into a cell `(i, u)` of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Draw {
    /// `n * W <= 2^24`: one 32-bit Lemire draw over `[0, n * W)`, split into
    /// `(i, u)` without division. `reject_below` is `2^32 mod (n * W)`, so a
    /// draw is rejected with probability below `2^-8`.
    Small { reject_below: u32 },
    /// `n * W` fits in a `u64`: one Lemire draw over `[0, n * W)`, split into
    /// `(i, u)` without division. `reject_below` is `2^64 mod (n * W)`.
    Single { reject_below: u64 },
    /// `n * W` does not fit: `i = below(n)`, then `u = below(W)`.
    Double,
}

/// Picks index `j` of a weight vector with probability exactly
/// `weights[j] / total` (SPEC S2), in O(1) per pick (SPEC S3), identically on
/// every platform (SPEC S1).
///
/// # Algorithm
///
/// An integer alias table (Vose's method). With `n` weights summing to `W`,
/// there are `n` buckets of `W` cells each, `n * W` cells in all. Index `j`
/// has mass `m_j = n * w_j` cells (exact: `n` and `w_j` are below 2^32). Vose
/// fills each bucket `i` with `prob[i]` cells of its own index and the other
/// `W - prob[i]` cells of one other index, `alias[i]`: repeatedly take an
/// index `s` with remaining mass below `W` and an index `l` with remaining
/// mass of at least `W`; bucket `s` keeps its `m_s` cells and gives the rest
/// to `l` (`alias[s] = l`), and `l` loses `W - m_s`. Buckets left over have
/// exactly `W` (all arithmetic is exact, so the remaining masses always sum
/// to `W` times the remaining buckets and no small index is ever left without
/// a large partner).
///
/// A pick draws a uniform cell `(i, u)`, `i` in `[0, n)` and `u` in `[0, W)`,
/// and returns `i` if `u < prob[i]`, else `alias[i]`.
///
/// * **When `n * W <= 2^24`** (small tables such as `[3, 2]`), the same map
///   is computed from one `u32` `x` with 32-bit halves in place of the 64-bit
///   ones below: `r = floor(x * n * W / 2^32)`, rejected while
///   `x * n * W mod 2^32 < 2^32 mod (n * W)`. Half the randomness of a `u64`
///   draw makes these picks about twice as fast.
/// * **When `n * W < 2^64`** (every other table whose total is below `2^64 / n`),
///   one `u64` `x` is drawn and `r = floor(x * n * W / 2^64)` is Lemire's map
///   onto `[0, n * W)`, with `x` rejected and redrawn while
///   `x * n * W mod 2^64 < 2^64 mod (n * W)` (the threshold is computed once,
///   at build). The cell is `(i, u) = (r div W, r mod W)`, computed without a
///   division: with `x * n = i * 2^64 + f` (`f < 2^64`),
///   `x * n * W = i * W * 2^64 + f * W`, so `r = i * W + floor(f * W / 2^64)`
///   and `u = floor(f * W / 2^64) < W`; the low half of `f * W` is also the
///   low half of `x * n * W`, used by the rejection test.
/// * **Otherwise**, `i = below(n)` and then `u = below(W)`, each an exact
///   Lemire draw.
///
/// # Exactness
///
/// Lemire's rejection leaves exactly `floor(2^64 / (n * W))` accepted `x` for
/// each `r`, so `r`, and hence the cell `(i, u)`, is exactly uniform over the
/// `n * W` cells (in the fallback, `i` and `u` are independent and exactly
/// uniform). Index `j` owns `prob[j]` cells of its own bucket plus
/// `W - prob[i]` cells of each bucket `i` with `alias[i] = j`, which Vose's
/// construction makes exactly `m_j = n * w_j`. So
/// `P(j) = n * w_j / (n * W) = w_j / W`, with no rounding anywhere.
/// A zero weight has `prob = 0` and is never an alias (aliases are only
/// indices whose remaining mass is at least `W > 0`), so it is never picked.
///
/// # Randomness consumed (SPEC S1)
///
/// Each pick draws one `u32` (plus one more per rejection) when
/// `n * W <= 2^24`, one `u64` (plus one more per rejection) when
/// `n * W < 2^64`, and two `u64` (plus one per rejection) otherwise. This holds even when only
/// one weight is non-zero, so the generator's position never depends on the
/// weight values beyond `n * W`. Draws are always `next_u32` or `next_u64`,
/// never `usize`-sized, and use no floats.
///
/// ```
/// use replica_router::{Seed, WeightedSelector};
///
/// let selector = WeightedSelector::new(&[3, 2])?; // P(0) = 3/5, P(1) = 2/5
/// let mut rng = Seed::from_u64(42).rng();
/// let pick = selector.pick(&mut rng);
/// assert!(pick < 2);
/// let counts = selector.counts(&mut rng, 1000);
/// assert_eq!(counts.iter().sum::<u64>(), 1000);
/// # Ok::<(), replica_router::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightedSelector {
    weights: Vec<u32>,
    table: Vec<Entry>,
    /// `n` as a `u64`, so picks never depend on `usize`.
    n: u64,
    /// `W`, the sum of the weights.
    total: u64,
    draw: Draw,
}

impl WeightedSelector {
    /// Builds the alias table for `weights`: index `j` will be picked with
    /// probability exactly `weights[j] / sum(weights)`.
    ///
    /// The weights are validated before anything is built.
    ///
    /// # Errors
    ///
    /// * [`Error::EmptyWeights`] if `weights` is empty.
    /// * [`Error::LimitExceeded`] if there are more than
    ///   [`limits::MAX_WEIGHTS`](crate::limits::MAX_WEIGHTS) weights (indices
    ///   are `u32`).
    /// * [`Error::ZeroTotalWeight`] if every weight is zero.
    ///
    /// Any other `&[u32]` is accepted: the total is a `u64` and cannot
    /// overflow (`(2^32 - 1)^2 < 2^64`), so for example 100,000 weights of
    /// `u32::MAX` are fine (SPEC S4).
    ///
    /// # Performance
    ///
    /// O(n) time and memory: 4 bytes for the weight copy plus 16 bytes for
    /// the table per weight, plus O(n) temporary memory while building.
    ///
    /// ```
    /// use replica_router::{Error, WeightedSelector};
    ///
    /// let s = WeightedSelector::new(&[0, 5, 0, 5])?;
    /// assert_eq!(s.total(), 10);
    /// assert_eq!(WeightedSelector::new(&[]), Err(Error::EmptyWeights));
    /// assert_eq!(WeightedSelector::new(&[0, 0]), Err(Error::ZeroTotalWeight));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(weights: &[u32]) -> Result<Self> {
        if weights.is_empty() {
            return Err(Error::EmptyWeights);
        }
        if weights.len() > MAX_WEIGHTS {
            return Err(Error::LimitExceeded {
                what: "weights in a weighted selector",
                limit: MAX_WEIGHTS,
                got: weights.len(),
            });
        }
        // At most u32::MAX weights below 2^32 each: the sum is below 2^64.
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return Err(Error::ZeroTotalWeight);
        }
        let n = weights.len() as u64;
        let table = build_table(weights, n, total);
        let cells = u128::from(n) * u128::from(total);
        let draw = match u64::try_from(cells) {
            Ok(cells) if cells <= SMALL_CELLS => {
                // `cells <= 2^24` fits a `u32`.
                let cells = cells as u32;
                Draw::Small {
                    reject_below: cells.wrapping_neg() % cells,
                }
            }
            Ok(cells) => Draw::Single {
                reject_below: cells.wrapping_neg() % cells,
            },
            Err(_) => Draw::Double,
        };
        Ok(WeightedSelector {
            weights: weights.to_vec(),
            table,
            n,
            total,
            draw,
        })
    }

    /// The number of weights, `n` (zero weights included).
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Always `false`: a selector has at least one weight. Present for API
    /// symmetry with [`len`](Self::len).
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The sum of the weights, `W` (at least 1).
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The weights, as given to [`new`](Self::new).
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub fn weights(&self) -> &[u32] {
        &self.weights
    }

    /// Picks one index: `j` with probability exactly `weights[j] / total`.
    /// The result is always below [`len`](Self::len) and never an index of
    /// zero weight.
    ///
    /// # Errors
    ///
    /// None: every selector can pick.
    ///
    /// # Performance
    ///
    /// O(1): one `u32` draw when `len * total <= 2^24`, else one `u64` draw
    /// and two 64x64-bit multiplies when `len * total < 2^64`, otherwise two
    /// `u64` draws; rarely (probability
    /// below `len * total / 2^64` per draw) a draw is rejected and repeated.
    /// No allocation.
    ///
    /// ```
    /// use replica_router::{Seed, WeightedSelector};
    ///
    /// let s = WeightedSelector::new(&[1, 0, 1])?;
    /// let mut rng = Seed::from_u64(7).rng();
    /// for _ in 0..100 {
    ///     assert_ne!(s.pick(&mut rng), 1);
    /// }
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    #[inline]
    pub fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self.draw {
            Draw::Small { reject_below } => self.pick_small(rng, reject_below),
            Draw::Single { reject_below } => self.pick_single(rng, reject_below),
            Draw::Double => self.pick_double(rng),
        }
    }

    /// Fills `out` with picks: exactly the values of `out.len()` successive
    /// [`pick`](Self::pick) calls, leaving `rng` in the same state.
    ///
    /// # Errors
    ///
    /// None.
    ///
    /// # Performance
    ///
    /// O(`out.len()`), no allocation.
    ///
    /// ```
    /// use replica_router::{Seed, WeightedSelector};
    ///
    /// let s = WeightedSelector::new(&[3, 2])?;
    /// let mut buf = [0u32; 8];
    /// s.fill(&mut Seed::from_u64(1).rng(), &mut buf);
    /// let mut rng = Seed::from_u64(1).rng();
    /// assert!(buf.iter().all(|&p| p == s.pick(&mut rng)));
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    pub fn fill<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [u32]) {
        match self.draw {
            Draw::Small { reject_below } => {
                for slot in out {
                    *slot = self.pick_small(rng, reject_below);
                }
            }
            Draw::Single { reject_below } => {
                for slot in out {
                    *slot = self.pick_single(rng, reject_below);
                }
            }
            Draw::Double => {
                for slot in out {
                    *slot = self.pick_double(rng);
                }
            }
        }
    }

    /// Counts `n` picks into a histogram of length [`len`](Self::len):
    /// equal to counting `n` successive [`pick`](Self::pick) calls, leaving
    /// `rng` in the same state. The counts sum to `n`; `n = 0` gives all
    /// zeros and draws nothing.
    ///
    /// # Errors
    ///
    /// None.
    ///
    /// # Performance
    ///
    /// O(`n` + `len`) time, O(`len`) memory (the result).
    ///
    /// ```
    /// use replica_router::{Seed, WeightedSelector};
    ///
    /// let s = WeightedSelector::new(&[3, 0, 2])?;
    /// let counts = s.counts(&mut Seed::from_u64(5).rng(), 10_000);
    /// assert_eq!(counts.iter().sum::<u64>(), 10_000);
    /// assert_eq!(counts[1], 0);
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    pub fn counts<R: Rng + ?Sized>(&self, rng: &mut R, n: u64) -> Vec<u64> {
        let mut counts = vec![0u64; self.weights.len()];
        match self.draw {
            Draw::Small { reject_below } => {
                for _ in 0..n {
                    counts[self.pick_small(rng, reject_below) as usize] += 1;
                }
            }
            Draw::Single { reject_below } => {
                for _ in 0..n {
                    counts[self.pick_single(rng, reject_below) as usize] += 1;
                }
            }
            Draw::Double => {
                for _ in 0..n {
                    counts[self.pick_double(rng) as usize] += 1;
                }
            }
        }
        counts
    }

    /// One 32-bit Lemire draw over the `n * W <= 2^24` cells (see the type docs).
    #[inline(always)]
    fn pick_small<R: Rng + ?Sized>(&self, rng: &mut R, reject_below: u32) -> u32 {
        // `n` and `W` are at most 2^24 here, so the products below fit a u64.
        let n = self.n;
        let total = self.total;
        loop {
            let xn = u64::from(rng.next_u32()) * n;
            let frac_w = u64::from(xn as u32) * total;
            // Low half of `frac * W` == `x * n * W mod 2^32`.
            if (frac_w as u32) >= reject_below {
                // `xn >> 32 < n`.
                return self.resolve((xn >> 32) as usize, frac_w >> 32);
            }
        }
    }

    /// One Lemire draw over the `n * W` cells (see the type docs).
    #[inline(always)]
    fn pick_single<R: Rng + ?Sized>(&self, rng: &mut R, reject_below: u64) -> u32 {
        let n = u128::from(self.n);
        let total = u128::from(self.total);
        loop {
            let xn = u128::from(rng.next_u64()) * n;
            let frac_w = u128::from(xn as u64) * total;
            // Low half of `frac * W` == `x * n * W mod 2^64`.
            if (frac_w as u64) >= reject_below {
                // `xn >> 64 < n <= u32::MAX`, so it fits `usize` on every target.
                return self.resolve((xn >> 64) as usize, (frac_w >> 64) as u64);
            }
        }
    }

    /// Two independent Lemire draws: the bucket, then the cell in it.
    #[inline(always)]
    fn pick_double<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let i = below(rng, self.n);
        let u = below(rng, self.total);
        // `i < n <= u32::MAX`.
        self.resolve(i as usize, u)
    }

    /// The index owning cell `(i, u)`: `i` if `u < prob[i]`, else `alias[i]`.
    ///
    /// An indexed load rather than an `if`: the comparison is a coin flip for
    /// mixed buckets, and a mispredicted branch would cost more than the rest
    /// of the pick.
    #[inline(always)]
    fn resolve(&self, i: usize, u: u64) -> u32 {
        let entry = &self.table[i];
        entry.pick[usize::from(u >= entry.prob)]
    }

    /// For tests: the `(prob, alias)` of every bucket.
    #[cfg(test)]
    fn buckets(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.table.iter().map(|e| (e.prob, e.pick[1]))
    }
}

/// Largest `n * W` that picks with one 32-bit draw ([`Draw::Small`]).
const SMALL_CELLS: u64 = 1 << 24;

/// Vose's construction with integer masses (see [`WeightedSelector`]).
/// `weights` is non-empty with at most `u32::MAX` entries and `total >= 1`.
fn build_table(weights: &[u32], n: u64, total: u64) -> Vec<Entry> {
    // m_j = n * w_j < 2^64: both factors are below 2^32.
    let mut mass: Vec<u64> = weights.iter().map(|&w| u64::from(w) * n).collect();
    let mut table: Vec<Entry> = (0..weights.len())
        .map(|i| Entry {
            prob: total,
            pick: [i as u32; 2],
        })
        .collect();
    let mut small: Vec<u32> = Vec::new();
    let mut large: Vec<u32> = Vec::new();
    for (i, &m) in mass.iter().enumerate() {
        if m < total {
            small.push(i as u32);
        } else {
            large.push(i as u32);
        }
    }
    while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
        small.pop();
        let m_s = mass[s as usize];
        table[s as usize] = Entry {
            prob: m_s,
            pick: [s, l],
        };
        // m_l >= W > W - m_s: no underflow.
        let m_l = mass[l as usize] - (total - m_s);
        mass[l as usize] = m_l;
        if m_l < total {
            large.pop();
            small.push(l);
        }
    }
    // Whatever is left in `large` has mass exactly W and keeps the default
    // `prob = W` (never uses its alias). `small` is empty: the remaining
    // masses sum to W times the remaining buckets, which all-small forbids.
    debug_assert!(small.is_empty());
    table
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::Seed;
    use crate::selection::test_rng::Replay;
    use proptest::prelude::*;

    /// Cells owned by each index, from the table alone (SPEC S2).
    fn cells(s: &WeightedSelector) -> Vec<u128> {
        let w = u128::from(s.total());
        let mut cells = vec![0u128; s.len()];
        for (i, (prob, alias)) in s.buckets().enumerate() {
            assert!(u128::from(prob) <= w);
            cells[i] += u128::from(prob);
            cells[alias as usize] += w - u128::from(prob);
        }
        cells
    }

    fn assert_exact(weights: &[u32]) {
        let s = WeightedSelector::new(weights).unwrap();
        let n = weights.len() as u128;
        for (j, (c, &w)) in cells(&s).iter().zip(weights).enumerate() {
            assert_eq!(*c, n * u128::from(w), "index {j} of {weights:?}");
        }
        for (prob, alias) in s.buckets() {
            if u128::from(prob) < u128::from(s.total()) {
                assert_ne!(weights[alias as usize], 0, "zero weight as alias");
            }
        }
        for (i, &w) in weights.iter().enumerate() {
            if w == 0 {
                assert_eq!(s.table[i].prob, 0);
            }
        }
    }

    #[test]
    fn s2_cells_per_index_are_exactly_n_times_weight() {
        for w in [
            &[3, 2][..],
            &[4, 1],
            &[1, 1, 1, 997],
            &[0, 5, 0, 5, 0],
            &[0, 0, 1],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            &[u32::MAX, 1],
            &[1, 0, u32::MAX],
            &[u32::MAX; 3],
            &[7],
        ] {
            assert_exact(w);
        }
    }

    /// Brute force over every cell `(i, u)` of small tables, by the same
    /// `resolve` the picks use (SPEC S2).
    #[test]
    fn s2_enumerating_every_cell_gives_n_times_weight() {
        for w in [
            &[3, 2][..],
            &[0, 5, 0, 5, 0],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            &[0, 0, 1],
        ] {
            let s = WeightedSelector::new(w).unwrap();
            let mut hits = vec![0u64; w.len()];
            for i in 0..w.len() {
                for u in 0..s.total() {
                    hits[s.resolve(i, u) as usize] += 1;
                }
            }
            let expect: Vec<u64> = w.iter().map(|&x| u64::from(x) * w.len() as u64).collect();
            assert_eq!(hits, expect, "{w:?}");
        }
    }

    /// Walks every `r` in `[0, n * W)` of small tables through the 32-bit path
    /// with an `x` that maps onto it, and checks `(i, u) = divmod(r, W)`.
    #[test]
    fn s2_small_draw_maps_each_r_to_divmod() {
        for w in [&[3, 2][..], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], &[0, 0, 1]] {
            let s = WeightedSelector::new(w).unwrap();
            let cells = s.n * s.total;
            let Draw::Small { reject_below } = s.draw else {
                unreachable!()
            };
            for r in 0..cells {
                // Smallest x with floor(x * cells / 2^32) = r, then the largest.
                let first = (r << 32).div_ceil(cells);
                let last = (((r + 1) << 32) - 1) / cells;
                for x in [first, last] {
                    let lo = x.wrapping_mul(cells) as u32;
                    // u32::MAX has low half 2^32 - n*W >= 2^32 mod n*W: accepted.
                    let mut rng = Replay::new(&[x, u64::from(u32::MAX)]);
                    let got = s.pick(&mut rng);
                    let (i, u) = ((r / s.total) as usize, r % s.total);
                    if lo >= reject_below {
                        assert_eq!(rng.drawn, 1);
                        assert_eq!(got, s.resolve(i, u), "r={r} x={x:#x}");
                    } else {
                        assert_eq!(rng.drawn, 2, "x={x:#x} must be rejected");
                    }
                }
            }
        }
    }

    /// The 64-bit one-draw path on tables too large for the 32-bit one:
    /// an `x` mapping onto `r` gives the cell `divmod(r, W)`, for a spread of
    /// `r` including both ends.
    #[test]
    fn s2_single_draw_maps_r_to_divmod() {
        for w in [
            &[30_000_000, 20_000_000][..],
            &[u32::MAX, 1, 0, 77],
            &[1 << 23, 0, 0],
        ] {
            let s = WeightedSelector::new(w).unwrap();
            let cells = s.n * s.total;
            let Draw::Single { reject_below } = s.draw else {
                unreachable!()
            };
            let step = (cells / 5_000).max(1);
            let rs = (0..cells).step_by(step as usize).chain([cells - 1]);
            for r in rs {
                let first = ((u128::from(r) << 64).div_ceil(u128::from(cells))) as u64;
                let last = (((u128::from(r + 1) << 64) - 1) / u128::from(cells)) as u64;
                for x in [first, last] {
                    let lo = x.wrapping_mul(cells);
                    let mut rng = Replay::new(&[x, u64::MAX]);
                    let got = s.pick(&mut rng);
                    let (i, u) = ((r / s.total) as usize, r % s.total);
                    if lo >= reject_below {
                        assert_eq!(rng.drawn, 1);
                        assert_eq!(got, s.resolve(i, u), "r={r} x={x:#x}");
                    } else {
                        assert_eq!(rng.drawn, 2, "x={x:#x} must be rejected");
                    }
                }
            }
        }
    }

    #[test]
    fn draws_reject_like_lemire() {
        // n * W = 3: 2^32 mod 3 = 1, so x = 0 is rejected (32-bit path).
        let s = WeightedSelector::new(&[1, 0, 0]).unwrap();
        assert_eq!(s.draw, Draw::Small { reject_below: 1 });
        let mut rng = Replay::new(&[0, 5]);
        assert_eq!(s.pick(&mut rng), 0);
        assert_eq!(rng.drawn, 2);
        // n * W = 3 * 2^23 > 2^24: 2^64 mod (3 * 2^23) = 2^24, so x = 0 is
        // rejected (64-bit path).
        let s = WeightedSelector::new(&[1 << 23, 0, 0]).unwrap();
        assert_eq!(
            s.draw,
            Draw::Single {
                reject_below: 1 << 24
            }
        );
        let mut rng = Replay::new(&[0, 5]);
        assert_eq!(s.pick(&mut rng), 0);
        assert_eq!(rng.drawn, 2);
    }

    #[test]
    fn one_nonzero_weight_still_draws() {
        let s = WeightedSelector::new(&[0, 9, 0]).unwrap();
        let mut rng = Replay::new(&[123, 456]);
        assert_eq!(s.pick(&mut rng), 1);
        assert_eq!(rng.drawn, 1);
    }

    #[test]
    fn fallback_when_cells_exceed_u64() {
        // n * W >= 2^64 needs n^2 * u32::MAX >= 2^64, so n >= 65,536.
        let s = WeightedSelector::new(&[u32::MAX; 65_535]).unwrap();
        assert!(matches!(s.draw, Draw::Single { .. }));
        let mut weights = vec![u32::MAX; 70_000];
        weights[1] = 0;
        weights[69_999] = 1;
        let s = WeightedSelector::new(&weights).unwrap();
        assert_eq!(s.draw, Draw::Double);
        assert_exact(&weights);
        let mut rng = Seed::from_u64(1).rng();
        let mut replay = Seed::from_u64(1).rng();
        for _ in 0..10_000 {
            let p = s.pick(&mut rng);
            assert_ne!(p, 1);
            // Bucket first, then the cell in it.
            let i = below(&mut replay, 70_000);
            let u = below(&mut replay, s.total());
            assert_eq!(p, s.resolve(i as usize, u));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// SPEC S2: for any weights, every index owns exactly n * w cells.
        #[test]
        fn s2_alias_table_is_exact(weights in proptest::collection::vec(
            prop_oneof![Just(0u32), 0u32..10, any::<u32>()], 1..200)) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            assert_exact(&weights);
        }
    }
}
