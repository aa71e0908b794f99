//! [`WeightedSelector`]: an exact integer alias table (SPEC S2, S3, S4).

use std::sync::Arc;

use rand_core::Rng;

use super::{below, check_weights};
use crate::error::Result;

/// One bucket `i` of the alias table: cell `(i, u)` belongs to `i` when
/// `u < prob`, else to `alias`. Stored as `[prob, alias]` (8 bytes) when
/// `W <= u32::MAX`, so `prob <= W` fits a `u32` (replica counts and most
/// weights), else as [`WideBucket`] (16 bytes): half the memory and cache
/// footprint for the common case, the same picks either way.
trait Bucket: Copy {
    /// Bucket `own` with `prob` (at most `W`) and `alias`.
    fn new(own: u32, prob: u64, alias: u32) -> Self;
}

impl Bucket for [u32; 2] {
    /// Only used when `W <= u32::MAX`, so `prob <= W` fits.
    fn new(_own: u32, prob: u64, alias: u32) -> Self {
        [prob as u32, alias]
    }
}

/// A bucket of a table with `W > u32::MAX` (see [`Bucket`]): `pick[0]` (the
/// bucket's own index) when `u < prob`, else `pick[1]` (its alias). Both
/// indices sit in the bucket (16 bytes, as with padding) so a pick resolves
/// with one indexed load instead of a data-dependent branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WideBucket {
    prob: u64,
    pick: [u32; 2],
}

impl Bucket for WideBucket {
    fn new(own: u32, prob: u64, alias: u32) -> Self {
        WideBucket {
            prob,
            pick: [own, alias],
        }
    }
}

/// How a pick turns raw generator output into a cell `(i, u)` of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Draw {
    /// `n * W <= 2^10`: the same 32-bit Lemire draw as [`Draw::Small`], with
    /// `cells = n * W` and `reject_below = 2^32 mod (n * W)`, but `r` is
    /// looked up in the precomputed `lookup[r]` instead of being split into
    /// `(i, u)`: one multiply and one load per pick.
    Tiny { cells: u32, reject_below: u32 },
    /// `2^10 < n * W <= 2^24`: one 32-bit Lemire draw over `[0, n * W)`, split into
    /// `(i, u)` without division. `reject_below` is `2^32 mod (n * W)`, so a
    /// draw is rejected with probability below `2^-8`. Narrow table.
    Small { reject_below: u32 },
    /// `n * W` fits in a `u64` and `W <= u32::MAX`: one Lemire draw over
    /// `[0, n * W)`, split into `(i, u)` without division. `reject_below` is
    /// `2^64 mod (n * W)`. Narrow table.
    Single { reject_below: u64 },
    /// As [`Draw::Single`], with `W > u32::MAX`: wide table.
    SingleWide { reject_below: u64 },
    /// `n * W` does not fit: `i = below(n)`, then `u = below(W)`. Then
    /// `W >= 2^64 / n > 2^32` (as `n < 2^32`): wide table.
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
///   draw makes these picks about twice as fast. **When `n * W <= 2^10`**,
///   the index owning each of the `n * W` cells is also precomputed at build
///   (`lookup[r]` = the pick for `(i, u) = (r div W, r mod W)`, at most
///   2 KiB), so a pick is `lookup[r]`: the same `x`, the same rejections and
///   the same result, with one multiply and one load.
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
    /// The alias table when `W <= u32::MAX` (see [`Bucket`]), else empty.
    narrow: Arc<[[u32; 2]]>,
    /// The alias table when `W > u32::MAX`, else empty.
    wide: Vec<WideBucket>,
    /// For [`Draw::Tiny`]: the index owning cell `r`, for each of the
    /// `n * W <= 2^10` cells (so `n <= 2^10` and indices fit a `u16`).
    /// Empty otherwise.
    lookup: Arc<[u16]>,
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
    /// * [`Error::EmptyWeights`](crate::Error::EmptyWeights) if `weights` is empty.
    /// * [`Error::LimitExceeded`](crate::Error::LimitExceeded) if there are more than
    ///   [`limits::MAX_WEIGHTS`](crate::limits::MAX_WEIGHTS) weights (indices
    ///   are `u32`).
    /// * [`Error::ZeroTotalWeight`](crate::Error::ZeroTotalWeight) if every weight is zero.
    ///
    /// Any other `&[u32]` is accepted: the total is a `u64` and cannot
    /// overflow (`(2^32 - 1)^2 < 2^64`), so for example 100,000 weights of
    /// `u32::MAX` are fine (SPEC S4).
    ///
    /// # Performance
    ///
    /// O(n) time and memory: 4 bytes for the weight copy plus 8 bytes for
    /// the table per weight (16 when the total exceeds `u32::MAX`), plus O(n)
    /// temporary memory while building; when
    /// `n * W <= 2^10`, also O(n * W) time and at most 2 KiB for the cell
    /// look-up.
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
        let total = check_weights(weights.iter().copied())?;
        let n = weights.len() as u64;
        let is_wide = total > u64::from(u32::MAX);
        let (narrow, wide) = if is_wide {
            (Arc::default(), build_table(weights, n, total))
        } else {
            (build_table(weights, n, total).into(), Vec::new())
        };
        let cells = u128::from(n) * u128::from(total);
        let draw = match u64::try_from(cells) {
            Ok(cells) if cells <= TINY_CELLS => {
                // `cells <= 2^10` fits a `u32`.
                let cells = cells as u32;
                Draw::Tiny {
                    cells,
                    reject_below: cells.wrapping_neg() % cells,
                }
            }
            Ok(cells) if cells <= SMALL_CELLS => {
                // `cells <= 2^24` fits a `u32`.
                let cells = cells as u32;
                Draw::Small {
                    reject_below: cells.wrapping_neg() % cells,
                }
            }
            Ok(cells) if !is_wide => Draw::Single {
                reject_below: cells.wrapping_neg() % cells,
            },
            Ok(cells) => Draw::SingleWide {
                reject_below: cells.wrapping_neg() % cells,
            },
            // `n * W >= 2^64` with `n < 2^32` forces `W > 2^32`: wide.
            Err(_) => Draw::Double,
        };
        let mut selector = WeightedSelector {
            weights: weights.to_vec(),
            narrow,
            wide,
            lookup: Arc::default(),
            n,
            total,
            draw,
        };
        if let Draw::Tiny { cells, .. } = draw {
            // Cell r is (i, u) = (r div W, r mod W): bucket by bucket, its
            // first `prob` cells are its own index and the rest its alias,
            // exactly as `resolve_narrow` reads them. `W <= cells <= 2^10`
            // and every index is below n <= 2^10, so all of it fits.
            let mut lookup = Vec::with_capacity(cells as usize);
            for (i, &[prob, alias]) in selector.narrow.iter().enumerate() {
                let own = prob as usize;
                lookup.extend(std::iter::repeat_n(i as u16, own));
                lookup.extend(std::iter::repeat_n(alias as u16, total as usize - own));
            }
            selector.lookup = lookup.into();
        }
        Ok(selector)
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
            Draw::Tiny {
                cells,
                reject_below,
            } => self.pick_tiny(rng, cells, reject_below),
            Draw::Small { reject_below } => self.pick_small(rng, reject_below),
            Draw::Single { reject_below } => self.pick_single::<false, R>(rng, reject_below),
            Draw::SingleWide { reject_below } => self.pick_single::<true, R>(rng, reject_below),
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
            Draw::Tiny {
                cells,
                reject_below,
            } => {
                for slot in out {
                    *slot = self.pick_tiny(rng, cells, reject_below);
                }
            }
            Draw::Small { reject_below } => {
                for slot in out {
                    *slot = self.pick_small(rng, reject_below);
                }
            }
            Draw::Single { reject_below } => {
                for slot in out {
                    *slot = self.pick_single::<false, R>(rng, reject_below);
                }
            }
            Draw::SingleWide { reject_below } => {
                for slot in out {
                    *slot = self.pick_single::<true, R>(rng, reject_below);
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
            Draw::Tiny {
                cells,
                reject_below,
            } => {
                for _ in 0..n {
                    counts[self.pick_tiny(rng, cells, reject_below) as usize] += 1;
                }
            }
            Draw::Small { reject_below } => {
                for _ in 0..n {
                    counts[self.pick_small(rng, reject_below) as usize] += 1;
                }
            }
            Draw::Single { reject_below } => {
                for _ in 0..n {
                    counts[self.pick_single::<false, R>(rng, reject_below) as usize] += 1;
                }
            }
            Draw::SingleWide { reject_below } => {
                for _ in 0..n {
                    counts[self.pick_single::<true, R>(rng, reject_below) as usize] += 1;
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

    /// This selector's draw over its shared table, when it is one 32-bit
    /// draw (up to 2^24 cells, see [`Draw`]); `None` for larger selectors.
    pub(crate) fn shared_draw(&self) -> Option<SharedDraw> {
        match self.draw {
            Draw::Tiny {
                cells,
                reject_below,
            } => Some(SharedDraw::Tiny {
                cells,
                reject_below,
                lookup: Arc::clone(&self.lookup),
            }),
            // `n` and `W` are at most 2^24 for `Small`.
            Draw::Small { reject_below } => Some(SharedDraw::Small {
                n: u32::try_from(self.n).ok()?,
                total: u32::try_from(self.total).ok()?,
                reject_below,
                narrow: Arc::clone(&self.narrow),
            }),
            Draw::Single { .. } | Draw::SingleWide { .. } | Draw::Double => None,
        }
    }

    /// One 32-bit Lemire draw over the `n * W <= 2^10` cells, looked up
    /// (see the type docs): the same draws and results as
    /// [`pick_small`](Self::pick_small).
    #[inline(always)]
    fn pick_tiny<R: Rng + ?Sized>(&self, rng: &mut R, cells: u32, reject_below: u32) -> u32 {
        draw_tiny(rng, cells, reject_below, &self.lookup)
    }

    /// One 32-bit Lemire draw over the `n * W <= 2^24` cells (see the type docs).
    #[inline(always)]
    fn pick_small<R: Rng + ?Sized>(&self, rng: &mut R, reject_below: u32) -> u32 {
        draw_small(rng, self.n, self.total, reject_below, &self.narrow)
    }

    /// One Lemire draw over the `n * W` cells (see the type docs), on the
    /// wide table if `WIDE`, else on the narrow one.
    #[inline(always)]
    fn pick_single<const WIDE: bool, R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        reject_below: u64,
    ) -> u32 {
        let n = u128::from(self.n);
        let total = u128::from(self.total);
        loop {
            let xn = u128::from(rng.next_u64()) * n;
            let frac_w = u128::from(xn as u64) * total;
            // Low half of `frac * W` == `x * n * W mod 2^64`.
            if (frac_w as u64) >= reject_below {
                // `xn >> 64 < n <= u32::MAX`, so it fits `usize` on every target.
                let (i, u) = ((xn >> 64) as usize, (frac_w >> 64) as u64);
                return if WIDE {
                    self.resolve_wide(i, u)
                } else {
                    self.resolve_narrow(i, u)
                };
            }
        }
    }

    /// Two independent Lemire draws: the bucket, then the cell in it.
    #[inline(always)]
    fn pick_double<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let i = below(rng, self.n);
        let u = below(rng, self.total);
        // `i < n <= u32::MAX`; `Double` tables are wide (see `Draw`).
        self.resolve_wide(i as usize, u)
    }

    /// The index owning cell `(i, u)` of the narrow table (see the free
    /// [`resolve_narrow`]).
    #[inline(always)]
    fn resolve_narrow(&self, i: usize, u: u64) -> u32 {
        resolve_narrow(&self.narrow, i, u)
    }

    /// As [`resolve_narrow`](Self::resolve_narrow), on the wide table: an
    /// indexed load (see [`WideBucket`]).
    #[inline(always)]
    fn resolve_wide(&self, i: usize, u: u64) -> u32 {
        let bucket = &self.wide[i];
        bucket.pick[usize::from(u >= bucket.prob)]
    }

    /// For tests: the index owning cell `(i, u)`, from whichever table.
    #[cfg(test)]
    fn resolve(&self, i: usize, u: u64) -> u32 {
        if self.wide.is_empty() {
            self.resolve_narrow(i, u)
        } else {
            self.resolve_wide(i, u)
        }
    }

    /// For tests: the `(prob, alias)` of every bucket.
    #[cfg(test)]
    fn buckets(&self) -> Vec<(u64, u32)> {
        let narrow = self.narrow.iter().map(|&[p, a]| (u64::from(p), a));
        let wide = self.wide.iter().map(|b| (b.prob, b.pick[1]));
        narrow.chain(wide).collect()
    }
}

/// A [`WeightedSelector`]'s draw, sharing its table: what the registry's
/// index of full names keeps next to a router's name, so that routing by
/// name reads no more than the index entry and the table (issue 20). Its
/// [`pick`](Self::pick) is the selector's: the same code, the same draws and
/// results. Cloning it clones no table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SharedDraw {
    /// [`Draw::Tiny`] with the cell look-up.
    Tiny {
        cells: u32,
        reject_below: u32,
        lookup: Arc<[u16]>,
    },
    /// [`Draw::Small`] with `n`, `W` and the narrow table.
    Small {
        n: u32,
        total: u32,
        reject_below: u32,
        narrow: Arc<[[u32; 2]]>,
    },
}

impl SharedDraw {
    /// Exactly [`WeightedSelector::pick`] of the selector this came from.
    #[inline(always)]
    pub(crate) fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            SharedDraw::Tiny {
                cells,
                reject_below,
                lookup,
            } => draw_tiny(rng, *cells, *reject_below, lookup),
            SharedDraw::Small {
                n,
                total,
                reject_below,
                narrow,
            } => draw_small(rng, u64::from(*n), u64::from(*total), *reject_below, narrow),
        }
    }
}

/// [`Draw::Tiny`]: one 32-bit Lemire draw over the `cells = n * W <= 2^10`
/// cells, looked up in `lookup` (see [`WeightedSelector`]).
#[inline(always)]
fn draw_tiny<R: Rng + ?Sized>(rng: &mut R, cells: u32, reject_below: u32, lookup: &[u16]) -> u32 {
    let cells = u64::from(cells);
    loop {
        let m = u64::from(rng.next_u32()) * cells;
        // Low half == `x * n * W mod 2^32`, as in `draw_small`.
        if (m as u32) >= reject_below {
            // `m >> 32 < cells == lookup.len()`.
            return u32::from(lookup[(m >> 32) as usize]);
        }
    }
}

/// [`Draw::Small`]: one 32-bit Lemire draw over the `n * W <= 2^24` cells,
/// resolved in the narrow table (see [`WeightedSelector`]).
#[inline(always)]
fn draw_small<R: Rng + ?Sized>(
    rng: &mut R,
    n: u64,
    total: u64,
    reject_below: u32,
    narrow: &[[u32; 2]],
) -> u32 {
    // `n` and `W` are at most 2^24 here, so the products below fit a u64.
    loop {
        let xn = u64::from(rng.next_u32()) * n;
        let frac_w = u64::from(xn as u32) * total;
        // Low half of `frac * W` == `x * n * W mod 2^32`.
        if (frac_w as u32) >= reject_below {
            // `xn >> 32 < n`.
            return resolve_narrow(narrow, (xn >> 32) as usize, frac_w >> 32);
        }
    }
}

/// The index owning cell `(i, u)` of the narrow table: `i` if
/// `u < prob[i]`, else `alias[i]`, for `u < W <= u32::MAX` and
/// `i < n <= u32::MAX`.
///
/// Arithmetic rather than a branch: the comparison is a coin flip for
/// mixed buckets, and a mispredicted branch would cost more than the rest
/// of the pick (a plain `if`, or a select, is compiled to one). Both `u`
/// and `prob` are below 2^32, so `u - prob` (wrapping) has its high 32
/// bits all set exactly when `u < prob`, and clear otherwise.
#[inline(always)]
fn resolve_narrow(narrow: &[[u32; 2]], i: usize, u: u64) -> u32 {
    let [prob, alias] = narrow[i];
    let own_mask = (u.wrapping_sub(u64::from(prob)) >> 32) as u32;
    alias ^ ((alias ^ i as u32) & own_mask)
}

/// Largest `n * W` that picks by cell look-up ([`Draw::Tiny`]): 2 KiB of
/// `u16` at most.
const TINY_CELLS: u64 = 1 << 10;

/// Largest `n * W` that picks with one 32-bit draw ([`Draw::Small`]).
const SMALL_CELLS: u64 = 1 << 24;

/// Vose's construction with integer masses (see [`WeightedSelector`]).
/// `weights` is non-empty with at most `u32::MAX` entries and `total >= 1`.
///
/// The small and large work lists are stacks (last in, first out), each
/// filled in index order; each step pops the top small index `s`, pairs it
/// with the top large index `l`, and moves `l` to the top of the small stack
/// once its mass drops below `W`. This order fixes the table, and with it
/// every pinned pick (SPEC S1), so it must not change.
///
/// The code is shaped for speed without changing that order: both stacks
/// share one buffer (small grows up from 0, large grows down from the end,
/// so together they never need more than `n` slots and never reallocate),
/// each stack slot carries its index's remaining mass next to the index (so
/// a step needs no dependent load), and the two data-dependent decisions
/// (small or large at the start; whether `l` turned small) are computed as
/// integers instead of branches, which a random weight vector would
/// mispredict about once per weight.
fn build_table<B: Bucket>(weights: &[u32], n: u64, total: u64) -> Vec<B> {
    let len = weights.len();
    // Buckets never settled below keep prob = W and alias j (unused).
    let mut table: Vec<B> = (0..len)
        .map(|i| B::new(i as u32, total, i as u32))
        .collect();
    // Small stack: slots ..small, top at small - 1. Large stack: slots
    // large.., top at large. Every unsettled index sits on exactly one of
    // them, so small <= large at all times. `mass[k]` is the remaining mass
    // of the index in slot k.
    let mut index: Vec<u32> = vec![0; len];
    let mut mass: Vec<u64> = vec![0; len];
    let mut small = 0usize;
    let mut large = len;
    for (i, &w) in weights.iter().enumerate() {
        // m_j = n * w_j < 2^64: both factors are below 2^32.
        let m = u64::from(w) * n;
        // Before index i, small + (len - large) = i, so large - small =
        // len - i >= 1 and both slots below are free: write i to both tops,
        // keep one.
        let is_small = m < total;
        index[small] = i as u32;
        mass[small] = m;
        index[large - 1] = i as u32;
        mass[large - 1] = m;
        small += usize::from(is_small);
        large -= usize::from(!is_small);
    }
    while small > 0 && large < len {
        // Pop the top small index s; pair it with the top large index l.
        small -= 1;
        let (s, m_s) = (index[small], mass[small]);
        let l = index[large];
        // Bucket s keeps its m_s cells and gives the other W - m_s to l.
        table[s as usize] = B::new(s, m_s, l);
        // m_l >= W > W - m_s: no underflow.
        let m_l = mass[large] - (total - m_s);
        mass[large] = m_l;
        // If l turned small: pop it from the large stack and push it onto
        // the small one, into the slot s just left (written either way,
        // kept only then).
        let turned_small = usize::from(m_l < total);
        index[small] = l;
        mass[small] = m_l;
        small += turned_small;
        large += turned_small;
    }
    // `small` is empty: the remaining masses sum to W times the remaining
    // buckets, which all-small forbids. So whatever is left on the large
    // stack has remaining mass exactly W and keeps `prob = W`.
    debug_assert_eq!(small, 0);
    debug_assert!(mass[large..].iter().all(|&m| m == total));
    table
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::Seed;
    use crate::selection::test_rng::Replay;
    use proptest::prelude::*;
    use rand_core::Rng;

    /// Cells owned by each index, from the table alone (SPEC S2).
    fn cells(s: &WeightedSelector) -> Vec<u128> {
        let w = u128::from(s.total());
        let mut cells = vec![0u128; s.len()];
        for (i, (prob, alias)) in s.buckets().into_iter().enumerate() {
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
        let buckets = s.buckets();
        for &(prob, alias) in &buckets {
            if u128::from(prob) < u128::from(s.total()) {
                assert_ne!(weights[alias as usize], 0, "zero weight as alias");
            }
        }
        for (i, &w) in weights.iter().enumerate() {
            if w == 0 {
                assert_eq!(buckets[i].0, 0);
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

    /// Walks every `r` in `[0, n * W)` of small tables through the 32-bit
    /// paths (look-up for `n * W <= 2^10`, split above) with an `x` that maps
    /// onto it, and checks `(i, u) = divmod(r, W)`.
    #[test]
    fn s2_small_draw_maps_each_r_to_divmod() {
        for (w, tiny) in [
            (&[3, 2][..], true),
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], true),
            (&[0, 0, 1], true),
            (&[1024], true),
            (&[1025], false),
            (&[1000, 24], false),
            (&[700, 0, 324], false),
        ] {
            let s = WeightedSelector::new(w).unwrap();
            let cells = s.n * s.total;
            let reject_below = match s.draw {
                Draw::Tiny {
                    cells: c,
                    reject_below,
                } if tiny => {
                    assert_eq!(u64::from(c), cells);
                    assert_eq!(s.lookup.len() as u64, cells);
                    reject_below
                }
                Draw::Small { reject_below } if !tiny => {
                    assert!(s.lookup.is_empty());
                    reject_below
                }
                other => panic!("{w:?}: unexpected {other:?}"),
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
        for (w, wide) in [
            (&[30_000_000, 20_000_000][..], false),
            (&[u32::MAX, 1, 0, 77], true),
            (&[u32::MAX, 0], false),
            (&[u32::MAX, 1], true),
            (&[1 << 23, 0, 0], false),
        ] {
            let s = WeightedSelector::new(w).unwrap();
            let cells = s.n * s.total;
            let reject_below = match s.draw {
                Draw::Single { reject_below } if !wide => reject_below,
                Draw::SingleWide { reject_below } if wide => reject_below,
                other => panic!("{w:?}: unexpected {other:?}"),
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

    /// The narrow table's branch-free resolve is `if u < prob { i } else
    /// { alias }` at every edge, up to `W = u32::MAX` (SPEC S2).
    #[test]
    fn s2_narrow_resolve_matches_its_definition() {
        for w in [
            &[u32::MAX - 5, 3, 2][..],
            &[u32::MAX / 2, u32::MAX / 2, 1],
            &[1, 0, (1 << 31) + 7, 5],
            &[3, 2],
        ] {
            let s = WeightedSelector::new(w).unwrap();
            assert!(s.wide.is_empty());
            let total = s.total;
            for (i, &[prob, alias]) in s.narrow.iter().enumerate() {
                let prob = u64::from(prob);
                let us = [0, 1, prob.saturating_sub(1), prob, prob + 1, total - 1];
                for u in us.into_iter().filter(|&u| u < total) {
                    let expected = if u < prob { i as u32 } else { alias };
                    assert_eq!(s.resolve_narrow(i, u), expected, "{w:?} i={i} u={u}");
                }
            }
        }
    }

    /// SPEC S1: the look-up path is only a faster form of the 32-bit split
    /// path: on the same stream, the same picks and the same draws.
    #[test]
    fn s1_tiny_lookup_picks_like_the_small_split() {
        for w in [
            &[3, 2][..],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            &[0, 7, 0, 1],
            &[1024],
        ] {
            let s = WeightedSelector::new(w).unwrap();
            let Draw::Tiny { reject_below, .. } = s.draw else {
                panic!("{w:?} is not tiny")
            };
            let mut a = Seed::from_u64(3).rng();
            let mut b = Seed::from_u64(3).rng();
            for _ in 0..20_000 {
                assert_eq!(s.pick(&mut a), s.pick_small(&mut b, reject_below), "{w:?}");
            }
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    /// The shared draw the registry keeps for a router picks exactly as its
    /// selector (the same picks and draws), for the tiny and small draws;
    /// larger selectors have none.
    #[test]
    fn shared_draw_picks_as_its_selector() {
        for w in [
            &[3, 2][..],
            &[0, 7, 0, 1],
            &[1024],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
            &[1 << 11, 1, 1 << 11],
            &[1 << 24],
            &[1 << 23, 3, 1 << 23],
            &[u32::MAX, 1],
        ] {
            let s = WeightedSelector::new(w).unwrap();
            let Some(shared) = s.shared_draw() else {
                assert!(
                    matches!(s.draw, Draw::Single { .. } | Draw::SingleWide { .. }),
                    "{w:?}"
                );
                continue;
            };
            assert!(
                matches!(s.draw, Draw::Tiny { .. } | Draw::Small { .. }),
                "{w:?}"
            );
            let mut a = Seed::from_u64(3).rng();
            let mut b = Seed::from_u64(3).rng();
            for _ in 0..20_000 {
                assert_eq!(s.pick(&mut a), shared.pick(&mut b), "{w:?}");
            }
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn draws_reject_like_lemire() {
        // n * W = 3: 2^32 mod 3 = 1, so x = 0 is rejected (32-bit path).
        let s = WeightedSelector::new(&[1, 0, 0]).unwrap();
        assert_eq!(
            s.draw,
            Draw::Tiny {
                cells: 3,
                reject_below: 1
            }
        );
        let mut rng = Replay::new(&[0, 5]);
        assert_eq!(s.pick(&mut rng), 0);
        assert_eq!(rng.drawn, 2);
        // n * W = 2 * 1025 > 2^10: 2^32 mod 2050 = 2046, so x = 0 is rejected
        // (32-bit split path).
        let s = WeightedSelector::new(&[1025, 0]).unwrap();
        assert_eq!(s.draw, Draw::Small { reject_below: 2046 });
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
        assert!(matches!(s.draw, Draw::SingleWide { .. }));
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

    /// A bucket of [`reference_table`]: `pick[0]` (its own index) when
    /// `u < prob`, else `pick[1]` (its alias).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Entry {
        prob: u64,
        pick: [u32; 2],
    }

    /// The first, plain form of [`build_table`] (two growing stacks, a mass
    /// array, 16-byte buckets), kept as the reference: the faster form must
    /// build the very same table, or every pinned pick would change (SPEC S1).
    fn reference_table(weights: &[u32], n: u64, total: u64) -> Vec<Entry> {
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
            let m_l = mass[l as usize] - (total - m_s);
            mass[l as usize] = m_l;
            if m_l < total {
                large.pop();
                small.push(l);
            }
        }
        table
    }

    fn assert_same_table_as_reference(weights: &[u32]) {
        let s = WeightedSelector::new(weights).unwrap();
        let reference = reference_table(weights, s.n, s.total);
        // Every bucket's own index is the bucket (what the narrow and wide
        // tables leave implicit), and prob and alias agree.
        for (i, e) in reference.iter().enumerate() {
            assert_eq!(e.pick[0], i as u32);
        }
        let expected: Vec<(u64, u32)> = reference.iter().map(|e| (e.prob, e.pick[1])).collect();
        assert_eq!(s.buckets(), expected, "{weights:?}");
        for (i, b) in s.wide.iter().enumerate() {
            assert_eq!(b.pick[0], i as u32);
        }
        // The table's width follows the total.
        assert_eq!(s.wide.is_empty(), s.total <= u64::from(u32::MAX));
        assert_eq!(s.narrow.is_empty(), s.total > u64::from(u32::MAX));
    }

    #[test]
    fn s1_table_equals_reference_construction() {
        for w in [
            &[3, 2][..],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            &[0, 5, 0, 5, 0],
            &[0, 0, 1],
            &[7],
            &[u32::MAX, 1, 0, 77],
            &[1, 1, 1, 997],
            &[u32::MAX; 3],
        ] {
            assert_same_table_as_reference(w);
        }
        // Large random tables (the benches' shape and a skewed one).
        let mut rng = Seed::from_u64(11).rng();
        for n in [1_000usize, 100_000] {
            let uniform: Vec<u32> = (0..n).map(|_| 1 + rng.next_u32() % 100).collect();
            assert_same_table_as_reference(&uniform);
            let skewed: Vec<u32> = (0..n)
                .map(|_| rng.next_u32() >> (rng.next_u32() % 32))
                .collect();
            assert_same_table_as_reference(&skewed);
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

        /// SPEC S1: the table (and so every pick) is the reference one.
        #[test]
        fn s1_table_is_the_reference_one(weights in proptest::collection::vec(
            prop_oneof![Just(0u32), 0u32..10, any::<u32>()], 1..200)) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            assert_same_table_as_reference(&weights);
        }
    }
}
