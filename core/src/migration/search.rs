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

/// A rational in `[0, 1]`, in lowest terms, `den > 0`. The planner's
/// ratios have denominators below 2^41; products with counts widen to
/// `u128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ratio {
    pub(crate) num: u64,
    pub(crate) den: u64,
}

impl Ratio {
    /// `num / den` in lowest terms, clamped to `[0, 1]`; `den == 0` gives 0.
    pub(crate) fn new(num: u64, den: u64) -> Ratio {
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

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// Lattice points `(u, n)` with `u` in `[u_lo, u_hi]`, `w = n - u` in
/// `[w_lo, w_hi]` and `n` in `[n_lo, n_hi]`. The bounds are replica counts
/// and sums of two of them (below 2^34), so sums of two bounds fit in `u64`.
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
/// Both `g` and `h(n) = n - g(n)` (the matching smallest `w`) rise with `n`.
#[derive(Debug, Clone, Copy)]
struct Bound {
    /// `q`'s numerator and denominator.
    num: u128,
    den: u128,
    strict: bool,
}

impl Bound {
    /// The smallest `n` in `[lo, hi]` with `g(n) >= c`. With `q = a / b`,
    /// `floor(a n / b) >= c` iff `a n >= c b`, and `floor((a n - 1) / b) >= c`
    /// iff `a n >= c b + 1`.
    fn first_g_at_least(self, c: u64, lo: u64, hi: u64) -> Option<u64> {
        let need = u128::from(c) * self.den + u128::from(self.strict);
        first_at_least(self.num, need, lo, hi)
    }

    /// The smallest `n` in `[lo, hi]` with `h(n) >= c`. Here `h(n)` is
    /// `ceil((b - a) n / b)`, or `floor((b - a) n / b) + 1` when strict, so
    /// for `c >= 1` it is at least `c` iff `(b - a) n >= (c - 1) b + 1`, or
    /// `>= (c - 1) b` when strict; for `c = 0` always.
    fn first_h_at_least(self, c: u64, lo: u64, hi: u64) -> Option<u64> {
        let need = (u128::from(c) * self.den + u128::from(!self.strict)).saturating_sub(self.den);
        first_at_least(self.den - self.num, need, lo, hi)
    }

    /// The largest `n` in `[lo, hi]` with `g(n) <= c`.
    fn last_g_at_most(self, c: u64, lo: u64, hi: u64) -> Option<u64> {
        last_before(self.first_g_at_least(c + 1, lo, hi), lo, hi)
    }

    /// The largest `n` in `[lo, hi]` with `h(n) <= c`.
    fn last_h_at_most(self, c: u64, lo: u64, hi: u64) -> Option<u64> {
        last_before(self.first_h_at_least(c + 1, lo, hi), lo, hi)
    }

    /// `sum_{n=n1}^{n1+len-1} g(n)`.
    fn range_sum(self, n1: u128, len: u128) -> u128 {
        let b = self.num * n1;
        let b = if self.strict { b - 1 } else { b };
        floor_sum(len, self.den, self.num, b)
    }

    /// `true` when `a / b` exceeds the bound (`>= q` when strict).
    fn excludes(self, a: u128, b: u128) -> bool {
        let lhs = a * self.den;
        let rhs = self.num * b;
        lhs > rhs || (self.strict && lhs == rhs)
    }
}

/// The smallest `n` in `[lo, hi]` with `a n >= b`.
fn first_at_least(a: u128, b: u128, lo: u64, hi: u64) -> Option<u64> {
    let n = if b == 0 {
        lo
    } else if a == 0 {
        return None;
    } else {
        // Beyond u64 is beyond `hi`.
        lo.max(u64::try_from(b.div_ceil(a)).ok()?)
    };
    (n <= hi).then_some(n)
}

/// The largest `n` in `[lo, hi]` below `first`, the first `n` of `[lo, hi]`
/// where a rising predicate holds (`None`: nowhere).
fn last_before(first: Option<u64>, lo: u64, hi: u64) -> Option<u64> {
    match first {
        Some(n) => (n > lo).then(|| n - 1),
        None => (lo <= hi).then_some(hi),
    }
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
fn better(a: (u64, u64), b: (u64, u64), tie: Tie) -> bool {
    let (a0, a1, b0, b1) = (
        u128::from(a.0),
        u128::from(a.1),
        u128::from(b.0),
        u128::from(b.1),
    );
    match (a0 * b1).cmp(&(b0 * a1)) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => match tie {
            Tie::SmallN => a.1 < b.1,
            Tie::LargeN => a.1 > b.1,
        },
    }
}

fn keep_best(best: &mut Option<(u64, u64)>, candidate: (u64, u64), tie: Tie) {
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
    let bound = Bound {
        num: q.num.into(),
        den: q.den.into(),
        strict,
    };
    let (lo, hi) = (region.n_lo.max(1), region.n_hi);
    let (u_lo, u_hi, w_lo, w_hi) = (region.u_lo, region.u_hi, region.w_lo, region.w_hi);
    if lo > hi || u_lo > u_hi || w_lo > w_hi {
        return None;
    }
    let mut best = None;

    // u = u_hi binds: the share u_hi / n falls with n, so the smallest n wins.
    // (Every n ties at share 0 when u_hi = 0.)
    if let Some(n0) = bound.first_g_at_least(u_hi, lo, hi) {
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
    if let Some(nb) = bound.last_h_at_most(w_lo, lo, hi.min(u_hi + w_lo)) {
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
    let n1 = bound
        .first_g_at_least(u_lo, lo, hi)
        .zip(bound.first_h_at_least(w_lo, lo, hi))
        .map(|(a, b)| a.max(b));
    let n2 = bound
        .last_g_at_most(u_hi, lo, hi)
        .zip(bound.last_h_at_most(w_hi, lo, hi))
        .map(|(a, b)| a.min(b));
    if let (Some(n1), Some(n2)) = (n1, n2)
        && n1 <= n2
        && let Some(point) = best_ratio(bound, n1, n2, tie)
    {
        keep_best(&mut best, point, tie);
    }
    best
}

/// The `(g(n), n)` with the largest `g(n) / n` over `n` in `[n1, n2]`, the
/// smallest (or largest) such `n` on ties: a Stern-Brocot descent towards the
/// optimum `x*`, each comparison made exact by lattice-point counts.
///
/// Every fraction `a / b` of the descent lies in `[0, 1]`, and the runs never
/// pass a denominator above `n2` (their cap), so the descent works in `u64`;
/// the lattice-point counts widen to `u128`.
fn best_ratio(bound: Bound, n1: u64, n2: u64, tie: Tie) -> Option<(u64, u64)> {
    let len = u128::from(n2 - n1 + 1);
    let sum_g = bound.range_sum(n1.into(), len);
    // Where x* = max g(n)/n lies relative to a/b.
    let cmp = |a: u64, b: u64| -> Ordering {
        let (a, b) = (u128::from(a), u128::from(b));
        if bound.excludes(a, b) {
            return Ordering::Less;
        }
        // Points with a/b < u/n <= g(n)/n: any means x* > a/b.
        let below = floor_sum(len, b, a, a * u128::from(n1));
        if sum_g > below {
            return Ordering::Greater;
        }
        // Points with a/b <= u/n: with none above, x* = a/b.
        let ceil_sum = floor_sum(len, b, a, a * u128::from(n1) + b - 1);
        if sum_g + len > ceil_sum {
            Ordering::Equal
        } else {
            Ordering::Less
        }
    };
    // Every multiple of x*'s denominator in [n1, n2] attains x*.
    let found = |a: u64, b: u64| -> Option<(u64, u64)> {
        let k = match tie {
            Tie::SmallN => n1.div_ceil(b),
            Tie::LargeN => n2 / b,
        };
        (k * b >= n1 && k * b <= n2).then_some((k * a, k * b))
    };
    if bound.num == bound.den && !bound.strict {
        return found(1, 1);
    }
    match cmp(0, 1) {
        Ordering::Equal => return found(0, 1),
        Ordering::Less => return None,
        Ordering::Greater => {}
    }
    // Invariant: la/lb < x* < ra/rb, Stern-Brocot neighbours. The runs
    // alternate. A right run takes the largest k with (la + k ra) /
    // (lb + k rb) < x*, a left run the largest j with (ra + j la) /
    // (rb + j lb) > x*: each moves the `near` end towards the `far` one.
    // Fractions with denominators above n2 lie beyond x* there.
    let (mut near, mut far) = ((0u64, 1u64), (1u64, 1u64));
    for run in 0..1024 {
        let right = run % 2 == 0;
        let at = |k: u64| (near.0 + k * far.0, near.1 + k * far.1);
        let side = |k: u64| {
            let (a, b) = at(k);
            let side = cmp(a, b);
            if right { side } else { side.reverse() }
        };
        match gallop(n2.saturating_sub(near.1) / far.1, side) {
            Run::Hit(k) => {
                let (a, b) = at(k);
                return found(a, b);
            }
            Run::Stop(k) => near = at(k),
        }
        (near, far) = (far, near);
    }
    None
}

enum Run {
    /// The k-th fraction is x* itself.
    Hit(u64),
    /// The largest k in `[0, cap]` whose fraction is still on the near side.
    Stop(u64),
}

/// Galloping then binary search for the largest `k` in `[0, cap]` with
/// `side(k) == Greater` (k = 0 always is), stopping early on `Equal`.
/// `side` must be `Greater` up to some k and `Less` after it (or `Equal` at
/// its end).
fn gallop(cap: u64, side: impl Fn(u64) -> Ordering) -> Run {
    let mut good = 0;
    let mut bad = cap + 1;
    let mut k = 1;
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
        let mut best: Option<(u64, u64)> = None;
        for n in r.n_lo.max(1)..=r.n_hi {
            for u in r.u_lo..=r.u_hi.min(n) {
                let w = n - u;
                if w < r.w_lo || w > r.w_hi {
                    continue;
                }
                let (l, rr) = (u * q.den, q.num * n);
                if l > rr || (strict && l == rr) {
                    continue;
                }
                keep_best(&mut best, (u, n), tie);
            }
        }
        best
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
            let den = 1 + next(40);
            let q = Ratio::new(next(41).min(den), den);
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
        let (num, den) = (u128::from(q.num), u128::from(q.den));
        assert!(u * den < num * n, "strictly below q");
        // At least as good as the largest denominators' own best numerators.
        for m in [r.n_hi - 1, r.n_hi] {
            let m = u128::from(m);
            let g = (num * m - 1) / den;
            assert!(u * m >= g * n, "{u}/{n} worse than {g}/{m}");
        }
    }
}
