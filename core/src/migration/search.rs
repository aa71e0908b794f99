//! Exact searches over lattice points `(u, n)` for migration planning
//! (SPEC M4), in O(log² n) time and O(1) space.
//!
//! A step's candidate states are `(t, f)` replica pairs; with `n = t + f` the
//! realised `to` share is `t / n`. The constraints of one step make each
//! candidate set a [`Region`]: `u` in a range, `w = n - u` in a range and `n`
//! in a range (with `u = t, w = f`, or mirrored `u = f, w = t`).
//! [`best_below`] finds the point with the largest `u / n` that is at most
//! (or strictly below) a rational `q`, ties going to the smallest `n`. Every
//! other search of the planner is built from it:
//!
//! - largest share `<= q`: `best_below(region, q)`;
//! - smallest share `>= q`: mirror the region and take `best_below(1 - q)`;
//! - smallest share `> q`: the same with a strict bound.
//!
//! For each `n` the best `u` is `min(u_hi, n - w_lo, g(n))` with
//! `g(n) = floor(q n)` (or `ceil(q n) - 1` when strict). Where one of the
//! first two binds, the share is monotone in `n` and one end of an interval
//! wins. Where `g` binds, the answer is the best rational approximation of `q`
//! from below with its denominator in `[n1, n2]`: a Stern-Brocot descent with
//! galloping runs, each comparison answered exactly by counting lattice points
//! under two lines with `floor_sum` (the Euclid-like algorithm), so no step
//! ever scans the replica counts.

use std::cmp::Ordering;

/// A rational in `[0, 1]`, in lowest terms, `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ratio {
    pub(crate) num: u128,
    pub(crate) den: u128,
}

impl Ratio {
    /// `num / den` in lowest terms, clamped to `[0, 1]`; `den == 0` gives 0.
    pub(crate) fn new(num: u128, den: u128) -> Ratio {
        if den == 0 {
            return Ratio { num: 0, den: 1 };
        }
        let num = num.min(den);
        let g = gcd(num, den);
        Ratio {
            num: num / g,
            den: den / g,
        }
    }

    /// `1 - self`.
    pub(crate) fn complement(self) -> Ratio {
        Ratio::new(self.den - self.num, self.den)
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// Lattice points `(u, n)` with `u` in `[u_lo, u_hi]`, `w = n - u` in
/// `[w_lo, w_hi]` and `n` in `[n_lo, n_hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) u_lo: u64,
    pub(crate) u_hi: u64,
    pub(crate) w_lo: u64,
    pub(crate) w_hi: u64,
    pub(crate) n_lo: u64,
    pub(crate) n_hi: u64,
}

impl Region {
    /// The same points with the roles of `u` and `w` exchanged.
    pub(crate) fn mirrored(self) -> Region {
        Region {
            u_lo: self.w_lo,
            u_hi: self.w_hi,
            w_lo: self.u_lo,
            w_hi: self.u_hi,
            ..self
        }
    }
}

/// `sum_{i=0}^{n-1} floor((a i + b) / m)` for `m > 0` (the Euclid-like
/// algorithm of the AtCoder Library). Exact in `u128` for every input this
/// module builds (`n < 2^35`, `a, b, m < 2^80`).
fn floor_sum(mut n: u128, mut m: u128, mut a: u128, mut b: u128) -> u128 {
    let mut ans = 0u128;
    if n == 0 || m == 0 {
        return 0;
    }
    loop {
        if a >= m {
            ans += n * (n - 1) / 2 * (a / m);
            a %= m;
        }
        if b >= m {
            ans += n * (b / m);
            b %= m;
        }
        let y_max = a * n + b;
        if y_max < m {
            break;
        }
        n = y_max / m;
        b = y_max % m;
        std::mem::swap(&mut m, &mut a);
    }
    ans
}

/// `g(n) = floor(q n)`, or `ceil(q n) - 1` when strict: the largest `u` with
/// `u / n <= q` (or `< q`). Requires `n >= 1` and, when strict, `q > 0`.
#[derive(Debug, Clone, Copy)]
struct Bound {
    q: Ratio,
    strict: bool,
}

impl Bound {
    fn g(self, n: u128) -> u128 {
        let x = self.q.num * n;
        if self.strict {
            x.saturating_sub(1) / self.q.den
        } else {
            x / self.q.den
        }
    }

    /// `n - g(n)`, the matching smallest `w`.
    fn h(self, n: u128) -> u128 {
        n - self.g(n)
    }

    /// `sum_{n=n1}^{n1+len-1} g(n)`.
    fn range_sum(self, n1: u128, len: u128) -> u128 {
        let b = self.q.num * n1;
        let b = if self.strict { b - 1 } else { b };
        floor_sum(len, self.q.den, self.q.num, b)
    }

    /// `true` when `a / b` exceeds the bound (`>= q` when strict).
    fn excludes(self, a: u128, b: u128) -> bool {
        let lhs = a * self.q.den;
        let rhs = self.q.num * b;
        lhs > rhs || (self.strict && lhs == rhs)
    }
}

/// The smallest `n` in `[lo, hi]` where the monotone (false, then true)
/// predicate holds.
fn first(lo: u128, hi: u128, pred: impl Fn(u128) -> bool) -> Option<u128> {
    if lo > hi || !pred(hi) {
        return None;
    }
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(lo)
}

/// The largest `n` in `[lo, hi]` where the monotone (true, then false)
/// predicate holds.
fn last(lo: u128, hi: u128, pred: impl Fn(u128) -> bool) -> Option<u128> {
    if lo > hi || !pred(lo) {
        return None;
    }
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if pred(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(lo)
}

/// Which point wins among points with the same `u / n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tie {
    /// The smallest `n` (fewest replicas, SPEC M4).
    SmallN,
    /// The largest `n` (finest lattice for later steps).
    LargeN,
}

/// True when `(u1, n1)` is better than `(u2, n2)`: a larger `u / n`, then the
/// `tie` rule.
fn better(a: (u128, u128), b: (u128, u128), tie: Tie) -> bool {
    match (a.0 * b.1).cmp(&(b.0 * a.1)) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => match tie {
            Tie::SmallN => a.1 < b.1,
            Tie::LargeN => a.1 > b.1,
        },
    }
}

fn keep_best(best: &mut Option<(u128, u128)>, candidate: (u128, u128), tie: Tie) {
    if best.is_none_or(|b| better(candidate, b, tie)) {
        *best = Some(candidate);
    }
}

/// The point of `region` with the largest `u / n` such that `u / n <= q`
/// (`< q` when `strict`), ties going to the smallest `n`; `None` when no point
/// qualifies. Runs in O(log² n).
pub(crate) fn best_below(region: &Region, q: Ratio, strict: bool) -> Option<(u64, u64)> {
    best_below_tie(region, q, strict, Tie::SmallN)
}

/// [`best_below`] with a choice of tie-break.
pub(crate) fn best_below_tie(
    region: &Region,
    q: Ratio,
    strict: bool,
    tie: Tie,
) -> Option<(u64, u64)> {
    if strict && q.num == 0 {
        return None;
    }
    let bound = Bound { q, strict };
    let lo = u128::from(region.n_lo.max(1));
    let hi = u128::from(region.n_hi);
    let (u_lo, u_hi) = (u128::from(region.u_lo), u128::from(region.u_hi));
    let (w_lo, w_hi) = (u128::from(region.w_lo), u128::from(region.w_hi));
    if lo > hi || u_lo > u_hi || w_lo > w_hi {
        return None;
    }
    let g = |n: u128| bound.g(n);
    let h = |n: u128| bound.h(n);
    let mut best = None;

    // u = u_hi binds: the share u_hi / n falls with n, so the smallest n wins.
    // (Every n ties at share 0 when u_hi = 0.)
    if let Some(n0) = first(lo, hi, |n| g(n) >= u_hi) {
        let (n, top) = (n0.max(u_hi + w_lo), hi.min(u_hi + w_hi));
        if n <= top {
            let n = if u_hi == 0 && tie == Tie::LargeN {
                top
            } else {
                n
            };
            keep_best(&mut best, (u_hi, n), tie);
        }
    }
    // w = w_lo binds: the share (n - w_lo) / n rises with n, so the largest n
    // wins (every n ties at share 1 when w_lo = 0, and then the smallest wins).
    let low_n = lo.max(u_lo + w_lo);
    if let Some(nb) = last(lo, hi.min(u_hi + w_lo), |n| h(n) <= w_lo) {
        let n = if w_lo == 0 && tie == Tie::SmallN {
            low_n
        } else {
            nb
        };
        if n >= low_n && n <= nb {
            keep_best(&mut best, (n - w_lo, n), tie);
        }
    }
    // u = g(n) binds: best approximation of q from below with n in [n1, n2].
    let n1 = first(lo, hi, |n| g(n) >= u_lo)
        .zip(first(lo, hi, |n| h(n) >= w_lo))
        .map(|(a, b)| a.max(b));
    let n2 = last(lo, hi, |n| g(n) <= u_hi)
        .zip(last(lo, hi, |n| h(n) <= w_hi))
        .map(|(a, b)| a.min(b));
    if let (Some(n1), Some(n2)) = (n1, n2)
        && n1 <= n2
        && let Some(point) = best_ratio(bound, n1, n2, tie)
    {
        keep_best(&mut best, point, tie);
    }
    best.map(|(u, n)| (u as u64, n as u64))
}

/// The `(g(n), n)` with the largest `g(n) / n` over `n` in `[n1, n2]`, the
/// smallest (or largest) such `n` on ties: a Stern-Brocot descent towards the
/// optimum `x*`, each comparison made exact by lattice-point counts.
fn best_ratio(bound: Bound, n1: u128, n2: u128, tie: Tie) -> Option<(u128, u128)> {
    let len = n2 - n1 + 1;
    let sum_g = bound.range_sum(n1, len);
    // Where x* = max g(n)/n lies relative to a/b.
    let cmp = |a: u128, b: u128| -> Ordering {
        if bound.excludes(a, b) {
            return Ordering::Less;
        }
        // Points with a/b < u/n <= g(n)/n: any means x* > a/b.
        let below = floor_sum(len, b, a, a * n1);
        if sum_g > below {
            return Ordering::Greater;
        }
        // Points with a/b <= u/n: with none above, x* = a/b.
        let ceil_sum = floor_sum(len, b, a, a * n1 + b - 1);
        if sum_g + len > ceil_sum {
            Ordering::Equal
        } else {
            Ordering::Less
        }
    };
    // Every multiple of x*'s denominator in [n1, n2] attains x*.
    let found = |a: u128, b: u128| -> Option<(u128, u128)> {
        let k = match tie {
            Tie::SmallN => n1.div_ceil(b),
            Tie::LargeN => n2 / b,
        };
        (k * b >= n1 && k * b <= n2).then_some((k * a, k * b))
    };
    if bound.q.num == bound.q.den && !bound.strict {
        return found(1, 1);
    }
    match cmp(0, 1) {
        Ordering::Equal => return found(0, 1),
        Ordering::Less => return None,
        Ordering::Greater => {}
    }
    // Invariant: la/lb < x* < ra/rb, Stern-Brocot neighbours.
    let (mut la, mut lb, mut ra, mut rb) = (0u128, 1u128, 1u128, 1u128);
    for _ in 0..512 {
        // Right run: the largest k with (la + k ra) / (lb + k rb) < x*.
        // Fractions with denominators above n2 lie above x* here.
        let cap = n2.saturating_sub(lb) / rb;
        match gallop(cap, |k| cmp(la + k * ra, lb + k * rb)) {
            Run::Hit(k) => return found(la + k * ra, lb + k * rb),
            Run::Stop(k) => {
                la += k * ra;
                lb += k * rb;
            }
        }
        // Left run: the largest j with (ra + j la) / (rb + j lb) > x*.
        let cap = n2.saturating_sub(rb) / lb;
        match gallop(cap, |j| cmp(ra + j * la, rb + j * lb).reverse()) {
            Run::Hit(j) => return found(ra + j * la, rb + j * lb),
            Run::Stop(j) => {
                ra += j * la;
                rb += j * lb;
            }
        }
    }
    None
}

enum Run {
    /// The k-th fraction is x* itself.
    Hit(u128),
    /// The largest k in `[0, cap]` whose fraction is still on the near side.
    Stop(u128),
}

/// Galloping then binary search for the largest `k` in `[0, cap]` with
/// `side(k) == Greater` (k = 0 always is), stopping early on `Equal`.
/// `side` must be `Greater` up to some k and `Less` after it (or `Equal` at
/// its end).
fn gallop(cap: u128, side: impl Fn(u128) -> Ordering) -> Run {
    let mut good = 0u128;
    let mut bad = cap + 1;
    let mut k = 1u128;
    while k <= cap {
        match side(k) {
            Ordering::Greater => {
                good = k;
                k *= 2;
            }
            Ordering::Equal => return Run::Hit(k),
            Ordering::Less => {
                bad = k;
                break;
            }
        }
    }
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        match side(mid) {
            Ordering::Greater => good = mid,
            Ordering::Equal => return Run::Hit(mid),
            Ordering::Less => bad = mid,
        }
    }
    Run::Stop(good)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_floor_sum(n: u128, m: u128, a: u128, b: u128) -> u128 {
        (0..n).map(|i| (a * i + b) / m).sum()
    }

    #[test]
    fn floor_sum_matches_brute_force() {
        for n in 0..12 {
            for m in 1..9 {
                for a in 0..11 {
                    for b in 0..13 {
                        assert_eq!(floor_sum(n, m, a, b), brute_floor_sum(n, m, a, b));
                    }
                }
            }
        }
    }

    fn brute_best_below(r: &Region, q: Ratio, strict: bool, tie: Tie) -> Option<(u64, u64)> {
        let mut best: Option<(u128, u128)> = None;
        for n in r.n_lo.max(1)..=r.n_hi {
            for u in r.u_lo..=r.u_hi.min(n) {
                let w = n - u;
                if w < r.w_lo || w > r.w_hi {
                    continue;
                }
                let (u, n) = (u128::from(u), u128::from(n));
                let (l, rr) = (u * q.den, q.num * n);
                if l > rr || (strict && l == rr) {
                    continue;
                }
                keep_best(&mut best, (u, n), tie);
            }
        }
        best.map(|(u, n)| (u as u64, n as u64))
    }

    #[test]
    fn best_below_matches_brute_force_on_small_regions() {
        let mut checked = 0;
        let mut state = 12345u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        for _ in 0..4000 {
            let u_lo = next(6);
            let u_hi = u_lo + next(9);
            let w_lo = next(6);
            let w_hi = w_lo + next(9);
            let n_lo = next(8);
            let n_hi = n_lo + next(20);
            let r = Region {
                u_lo,
                u_hi,
                w_lo,
                w_hi,
                n_lo,
                n_hi,
            };
            let den = 1 + u128::from(next(40));
            let q = Ratio::new(u128::from(next(41)).min(den), den);
            for strict in [false, true] {
                for tie in [Tie::SmallN, Tie::LargeN] {
                    assert_eq!(
                        best_below_tie(&r, q, strict, tie),
                        brute_best_below(&r, q, strict, tie),
                        "{r:?} q={q:?} strict={strict} {tie:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 16000);
    }

    #[test]
    fn best_below_is_fast_on_huge_regions() {
        let r = Region {
            u_lo: 0,
            u_hi: u64::from(u32::MAX),
            w_lo: 0,
            w_hi: u64::from(u32::MAX),
            n_lo: 1,
            n_hi: 2 * u64::from(u32::MAX),
        };
        // 1/3 is exact; a golden-ratio-like q is not.
        assert_eq!(best_below(&r, Ratio::new(1, 3), false), Some((1, 3)));
        let q = Ratio::new(2_971_215_073, 4_807_526_976);
        let (u, n) = best_below(&r, q, true).unwrap_or_default();
        let (u, n) = (u128::from(u), u128::from(n));
        assert!(u * q.den < q.num * n, "strictly below q");
        // At least as good as the largest denominators' own best numerators.
        for m in [r.n_hi - 1, r.n_hi] {
            let m = u128::from(m);
            let g = (q.num * m - 1) / q.den;
            assert!(u * m >= g * n, "{u}/{n} worse than {g}/{m}");
        }
    }
}
