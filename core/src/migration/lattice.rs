//! One step's reachable states and the searches over them (SPEC M3, M4).
//!
//! From a state `(tp, fp)` (to, from replicas) one step can reach exactly
//! the states `(t, f)` with `tp <= t <= target`, `f <= fp`, `1 <= t + f <=
//! ceiling`, and, when `from` scales down (`f < fp`), `t + f >= floor` and,
//! if `to` also scales up, `ceiling > floor` (room for the alternation).
//! Proof sketch: ups only raise the count (ceiling-checked), each down must
//! end at or above the floor (so the last one does, and the end count is at
//! least the floor), and with `ceiling > floor` alternating maximal moves
//! always progress. The reachable set is therefore two regions for the
//! lattice search: `f = fp` (pure scale-ups) and `f < fp`.

use super::search::{Ratio, Region, Tie, best_below, best_below_tie};

/// The constraints of every step's search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) target: u64,
    /// The effective floor: decreases end at or above it.
    pub(crate) floor: u64,
    pub(crate) ceiling: Option<u64>,
}

/// `(t, n)` with `n = t + f`.
pub(crate) type Point = (u64, u64);

impl Limits {
    /// The states reachable from `(tp, fp)` in one step, as search regions
    /// with `u = t` and `w = f`.
    pub(crate) fn regions(&self, tp: u64, fp: u64) -> Vec<Region> {
        let cap = self.ceiling.unwrap_or(u64::MAX).min(self.target + fp);
        let mut out = Vec::with_capacity(2);
        if let Some(room) = cap.checked_sub(fp) {
            out.push(Region {
                u_lo: tp,
                u_hi: self.target.min(room),
                w_lo: fp,
                w_hi: fp,
                n_lo: 1,
                n_hi: cap,
            });
        }
        if fp >= 1 {
            let no_surge = self.ceiling.is_some_and(|c| c <= self.floor);
            out.push(Region {
                u_lo: tp,
                u_hi: if no_surge { tp } else { self.target },
                w_lo: 0,
                w_hi: fp - 1,
                n_lo: self.floor.max(1),
                n_hi: cap,
            });
        }
        out
    }

    /// The state closest to share `q` (M4): exact distance, then fewer
    /// replicas, then more `to` replicas.
    pub(crate) fn closest(&self, tp: u64, fp: u64, q: Ratio) -> Option<Point> {
        let mut best: Option<Point> = None;
        let mut consider = |p: Point| {
            if best.is_none_or(|b| closer(p, b, q)) {
                best = Some(p);
            }
        };
        for r in self.regions(tp, fp) {
            if let Some(p) = best_below(&r, q, false) {
                consider(p);
            }
            if let Some((f, n)) = best_below(&r.mirrored(), q.complement(), false) {
                consider((n - f, n));
            }
        }
        best
    }

    /// The state with the largest share at most `q` (below it when
    /// `strict`), ties by `tie`.
    pub(crate) fn largest_below(
        &self,
        tp: u64,
        fp: u64,
        q: Ratio,
        strict: bool,
        tie: Tie,
    ) -> Option<Point> {
        let mut best: Option<Point> = None;
        for r in self.regions(tp, fp) {
            if let Some(p) = best_below_tie(&r, q, strict, tie) {
                let wins = |b: Point| {
                    let by_n = match tie {
                        Tie::SmallN => b.1.cmp(&p.1),
                        Tie::LargeN => p.1.cmp(&b.1),
                    };
                    share_cmp(p, b).then(by_n).is_gt()
                };
                if best.is_none_or(wins) {
                    best = Some(p);
                }
            }
        }
        best
    }

    /// The state after `after` in M4's order (the larger share, then fewer
    /// replicas) among those with share at most `q`, or the first when
    /// `after` is `None`. `(tp, fp)` itself is among them. O(log² n).
    pub(crate) fn next_by_m4(
        &self,
        tp: u64,
        fp: u64,
        q: Ratio,
        after: Option<Point>,
    ) -> Option<Point> {
        let Some((t, n)) = after else {
            return self.largest_below(tp, fp, q, false, Tie::SmallN);
        };
        let s = Ratio::new(t, n);
        let regions = self.regions(tp, fp);
        // The same share with more replicas: the fewest of them.
        let same = regions
            .iter()
            .filter_map(|r| {
                let more = Region {
                    n_lo: r.n_lo.max(n + 1),
                    ..*r
                };
                best_below(&more, s, false).filter(|&p| share_cmp(p, (t, n)).is_eq())
            })
            .min_by_key(|p| p.1);
        if same.is_some() {
            return same;
        }
        // Else the largest share below, the fewest replicas on ties.
        self.largest_below(tp, fp, s, true, Tie::SmallN)
    }

    /// The state with the smallest share strictly above `q`.
    pub(crate) fn smallest_above(&self, tp: u64, fp: u64, q: Ratio) -> Option<Point> {
        let mut best: Option<Point> = None;
        for r in self.regions(tp, fp) {
            if let Some((f, n)) = best_below(&r.mirrored(), q.complement(), true) {
                let p = (n - f, n);
                if best.is_none_or(|b| share_cmp(b, p).then(b.1.cmp(&p.1)).is_gt()) {
                    best = Some(p);
                }
            }
        }
        best
    }
}

/// Compares the shares `t / n` of two points.
pub(crate) fn share_cmp(a: Point, b: Point) -> std::cmp::Ordering {
    (u128::from(a.0) * u128::from(b.1)).cmp(&(u128::from(b.0) * u128::from(a.1)))
}

/// True when `a` is closer to `q` than `b` under the M4 tie-breaks.
fn closer(a: Point, b: Point, q: Ratio) -> bool {
    let (num, den) = (u128::from(q.num), u128::from(q.den));
    let dist = |(t, n): Point| (u128::from(t) * den).abs_diff(num * u128::from(n));
    let (da, db) = (dist(a) * u128::from(b.1), dist(b) * u128::from(a.1));
    da.cmp(&db).then(a.1.cmp(&b.1)).then(b.0.cmp(&a.0)).is_lt()
}
