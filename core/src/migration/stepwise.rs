//! Maximum-shift schedules (SPEC M4): the fewest steps that keep every
//! realised shift within the maximum, and among those plans, the largest
//! share at each step.
//!
//! # The problem
//!
//! A state is `(t, f)`: `to` and `from` replicas, share `s = t / (t + f)`.
//! One step goes from `(t, f)` to any `(t', f') != (t, f)` with `t <= t' <=
//! target`, `f' <= f`, `1 <= t' + f' <= ceiling`, `t' + f' >= floor` when
//! `f' < f` (and `t' = t` then if the ceiling equals the floor), and share
//! at most `s + m / 100` (`lattice.rs` proves this is exactly what a step's
//! actions can reach). The final step goes to `(target, 0)` and is allowed
//! from any state with `s >= 1 - m / 100`. Greedy (the largest share at
//! every step) is not always fewest: from 9 `from` replicas to a target of
//! 9 with a floor of 8 and 17-point steps, greedy needs 8 steps and the best
//! plan 7 (for example 1/8, 3/8, 5/7, 7/5, 8/3, 8/1, 9/0).
//!
//! # Closed-form lower bound
//!
//! Every step raises the share by at most `m / 100`, and the last state
//! before the final step needs `1 - m / 100`. From share `a / b` a plan
//! therefore has at least `k_lb = ceil(100 (b - a) / (m b)) - 1` steps before
//! the final one ([`lower_bound`]).
//!
//! # The certificate (the common case, O(k log² n))
//!
//! Run M4's own rule as a greedy plan: each step the largest share within
//! the maximum, ties to fewer replicas, then more `to` (each step one exact
//! lattice search, `search.rs`). If it has `k_lb` steps it is optimal, and it
//! is M4's plan: its first state is the M4-best of *all* one-step states and
//! it can still finish in the fewest steps (the greedy continuation does),
//! so it is the M4-best of those that keep the total fewest; by induction
//! every later state is too (from the first state the fewest remaining
//! steps are exactly `k_lb - 1`, which the greedy continuation meets).
//!
//! # The exact search when the certificate fails
//!
//! The fewest count `k` lies in `k_lb ..= k_g` where `k_g` is the shorter
//! of the two greedy plans (ties to fewer or to more replicas; a plan
//! exists with `k_g` steps). For each `k` in turn the layered search builds
//! layer `j` = the states reachable in exactly `j` steps whose share is at
//! least `1 - (k - j + 1) m / 100` ([`need_share`]): by the bound above no
//! other state can still finish within `k`, so the layers hold every
//! `k`-step plan. Marking each state that has a marked successor in the
//! next layer (the last layer is all marked) and then taking, step by step,
//! the M4-best marked successor gives M4's plan among the `k`-step plans;
//! the first `k` with a marked start is the fewest.
//! Small instances (up to about a hundred replicas a side) use the full
//! lattice search instead: every state's fewest remaining steps by a
//! backward pass, exact by construction.
//!
//! # What is checked, and the one limit
//!
//! At small sizes, exhaustively: the unit test
//! `m4_layered_search_matches_the_lattice_search_exhaustively` compares the
//! certificate plus the layered search (the path large requests take) with
//! the full lattice search on every combination of 1-9 `from` replicas,
//! `to` at 0-2, target 1-9, every floor, three ceilings, `to` serving or
//! not, and shifts 1-30, 33, 34, 40 and 50 points: the same plan, state for
//! state; `tests/m4_optimality.rs` compares the whole planner with a
//! breadth-first search over single actions (M3 applied literally) on every
//! combination of 1-4 replicas a side, floors, ceilings, another deployment
//! and 12 shifts, and on random cases: the fewest steps, and M4's pick at
//! each step among the states that keep the total fewest. At large sizes,
//! `tests/m4_fewest_steps.rs` holds the issue-18 examples (every N from 150
//! to 230 at 10 points, 139 -> 115 with floor 0 at 20 points) and a property
//! at sizes up to 100,000 a side: never more steps than a valid plan of the
//! explicit schedule `m, 2m, ..., 100`; and a property against an exact
//! breadth-first search over row intervals (test code, itself checked
//! against a search over single states): `to`'s target up to 100,000,
//! `from` up to 40, floors, ceilings and 1-60 points, the planner's count
//! equals the exact one (on 400 cases: 329 plans, 13 of them above the
//! closed-form bound, and 72 refusals the exact search confirms). That
//! search costs O(steps · from² · log target), so it does not reach 100,000
//! on both sides. A plan at the closed-form bound is fewest by the bound
//! alone; above the bound only the exact searches prove it, and they stop
//! at a budget:
//!
//! The layered search stops after [`LAYERED_WORK`] states or rows. Then a
//! guided search ([`guided`]) builds a plan step by step for each count from
//! there: the largest share within the maximum, on its ray the fewest
//! replicas from which a plan still finishes in the steps left (a greedy
//! plan, or the layered search within a small budget, says so). A guided
//! plan at the closed-form bound has the fewest steps; its tie choices are
//! M4's as far as the check sees. Past both, the planner returns the shorter
//! greedy plan: valid, never longer than the old planner's, but not proven
//! fewest. On 300 random instances with up to 100,000 replicas a side,
//! floors and ceilings, and maximums of 1 to 50 points, 299 plans met the
//! closed-form bound (the certificate, the layered or the guided search);
//! one (2,728 -> 37,647 replicas, floor 2,728, 1-point steps) took the bound
//! plus one, which may or may not be fewest. The guided search costs up to
//! tens of milliseconds on such instances; the certificate path, which the
//! benchmarks and most requests take, microseconds.
//!
//! # Towards an exact search at every size (open)
//!
//! What is known about the "row-interval layers" idea (rows: states with
//! the same `from` count `b`, `t` their `to` counts), from brute force over
//! random instances up to 80 replicas a side (floors, ceilings, 1-40
//! points):
//!
//! * The states that can still finish within `i` steps, and the states the
//!   start reaches within `j` steps, had at most two `t`-intervals per row
//!   in every instance tried. Not proven.
//! * A row is not an up-set: a higher `to` count in the same row can be
//!   worse. Target 4, `from` at 12, floor 4, 28-point steps: `(3, 10)`
//!   finishes in three steps through `(3, 3)` (share 3/13 to 1/2, 26.9
//!   points); `(4, 10)` cannot raise `to` (at the target) and its smallest
//!   useful drop, to `(4, 3)`, is 28.6 points. So no single threshold per
//!   row describes a layer.
//! * One row interval's successors in a lower row are at most two
//!   intervals (the share gap `t/(t+r) - t/(t+b)` of dropping from row `b`
//!   to row `r` at the same `t` is unimodal in `t`). But every row above
//!   can feed a row, and no dominance between states of different rows
//!   holds (`(t, b)` reaches all that `(t', b')` does only when they are
//!   equal), so a layer costs O(rows²) interval operations as written, not
//!   O(rows). A state `(u, r)` is reachable in one more step exactly when
//!   `share(u, r) - m / 100 <= G_r(u)`, the largest share among the
//!   layer's states with `from >= r` and `to <= u`; an exact search in
//!   O(steps · rows · log) needs a compact form of `G_r` swept over `r`
//!   (pieces are share curves of single rows), which is the next step.
//!   Short of that, the interval search of `tests/m4_fewest_steps.rs`
//!   (rows when `from` is the smaller side, columns by the mirrored rule
//!   otherwise) would make the planner exact whenever one side is up to a
//!   few thousand replicas.

use super::MAX_PLAN_STEPS;
use super::infeasible::Infeasibility;
use super::lattice::{Limits, Point, share_cmp};
use super::search::{Ratio, Tie};
use crate::share::Fraction;

/// Most `states · (from + 1)` the exact search takes on.
pub(crate) const EXACT_WORK: u64 = 2_000_000;

const UNREACHABLE: u32 = u32::MAX;

/// Where a maximum-shift schedule starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start {
    pub(crate) t: u64,
    pub(crate) f: u64,
    /// `to`'s current share of the from+to traffic (0 while `to` is not
    /// serving).
    pub(crate) share: Ratio,
    /// No from+to replica serves: no traffic moves between them, so the first
    /// step may go straight to the end.
    pub(crate) idle: bool,
}

/// `share + m / 100`, possibly 1 or more (then the final state is in reach).
/// Below 2^48 with `share`'s denominator below 2^41.
#[derive(Debug, Clone, Copy)]
struct Cap {
    num: u64,
    den: u64,
}

impl Cap {
    fn new(share: Ratio, m: u32) -> Cap {
        Cap {
            num: share.num * 100 + u64::from(m) * share.den,
            den: share.den * 100,
        }
    }
    fn reaches_end(self) -> bool {
        self.num >= self.den
    }
    fn admits(self, (t, f): (u64, u64)) -> bool {
        u128::from(t) * u128::from(self.den) <= u128::from(self.num) * u128::from(t + f)
    }
    /// The most `to` replicas a row with `b` from-replicas may have.
    fn max_t(self, b: u64) -> u128 {
        match self.den.checked_sub(self.num) {
            Some(room) if room > 0 => (u128::from(b) * u128::from(self.num)) / u128::from(room),
            _ => u128::MAX,
        }
    }
    pub(crate) fn ratio(self) -> Ratio {
        Ratio::new(self.num, self.den)
    }
}

/// The `(t, f)` states of the steps before the final one, or why none
/// exist.
pub(crate) fn plan(
    limits: &Limits,
    start: &Start,
    m: u32,
) -> Result<Vec<(u64, u64)>, Infeasibility> {
    search(limits, start, m).ok_or_else(|| infeasible(limits, start, m))
}

/// The plan's states, or `None` when no plan exists.
fn search(limits: &Limits, start: &Start, m: u32) -> Option<Vec<(u64, u64)>> {
    search_with(limits, start, m, true)
}

/// [`search`], with the full lattice search allowed or not (tests compare
/// the two).
fn search_with(
    limits: &Limits,
    start: &Start,
    m: u32,
    use_lattice: bool,
) -> Option<Vec<(u64, u64)>> {
    if start.idle || Cap::new(start.share, m).reaches_end() {
        return Some(Vec::new());
    }
    let bound = lower_bound(start.share, m);
    // The certificate: M4's greedy rule meets the closed-form bound, so it
    // has the fewest steps, and it is M4's plan among them (module docs).
    let m4_greedy = greedy(limits, start, m, Tie::SmallN).ok();
    if let Some(g) = &m4_greedy
        && g.len() as u64 == bound
    {
        return m4_greedy;
    }
    // Ties to more replicas keep a finer lattice for later steps: the
    // shorter of the two greedy plans is the upper bound.
    let greedy = match (m4_greedy, greedy(limits, start, m, Tie::LargeN).ok()) {
        (Some(a), Some(b)) => Some(if b.len() < a.len() { b } else { a }),
        (a, b) => a.or(b),
    };
    if use_lattice && let Some(lattice) = Lattice::new(limits, start.t, start.f) {
        return lattice.fewest(start, m);
    }
    let (mut budget, mut rows) = (LAYERED_WORK, LAYERED_WORK);
    // The fewest steps lie in `bound..greedy`: try each count in turn. With
    // no greedy plan, a breadth-first search finds the count first.
    let top = match &greedy {
        Some(g) => g.len() as u64,
        None => match fewest_count(limits, start, m, &mut budget, &mut rows) {
            Ok(Some(k)) => k,
            Ok(None) => return None,
            Err(OverBudget) => return guided_from(limits, start, m, bound, bound + GUIDED_EXTRA),
        },
    };
    // `top` steps do exist; the layered search also picks M4's plan there.
    for k in bound..=top {
        match layered(limits, start, m, k, &mut budget, &mut rows) {
            Ok(Some(plan)) => return Some(plan),
            Ok(None) => {}
            Err(OverBudget) => {
                return guided_from(limits, start, m, k, top.saturating_sub(1)).or(greedy);
            }
        }
    }
    greedy
}

/// The work budget of one exact check in [`guided`].
const ORACLE_WORK: u64 = 20_000;

/// How many step counts past the bound the guided search tries when no
/// greedy plan exists.
const GUIDED_EXTRA: u64 = 3;

/// The first guided plan ([`guided`]) with `from..=to` steps.
fn guided_from(
    limits: &Limits,
    start: &Start,
    m: u32,
    from: u64,
    to: u64,
) -> Option<Vec<(u64, u64)>> {
    (from..=to).find_map(|k| guided(limits, start, m, k))
}

/// A plan with exactly `k` steps before the final one, built step by step:
/// each step takes the largest share within the maximum, on that share's
/// ray the fewest replicas from which a plan still finishes in the steps
/// left: a greedy plan (either tie rule) that does, or the layered search
/// within [`ORACLE_WORK`]. The check is sufficient, not necessary: `None` does not prove that no `k`-step plan exists, but a plan
/// found with `k` at the closed-form bound has the fewest steps.
fn guided(limits: &Limits, start: &Start, m: u32, k: u64) -> Option<Vec<(u64, u64)>> {
    let mut cur = (start.t, start.f);
    let mut share = start.share;
    let mut out = Vec::new();
    for left in (0..k).rev() {
        let cap = Cap::new(share, m);
        let finishes = |z: (u64, u64)| {
            let s = Ratio::new(z.0, z.0 + z.1);
            if Cap::new(s, m).reaches_end() {
                return true;
            }
            let from_z = Start {
                t: z.0,
                f: z.1,
                share: s,
                idle: false,
            };
            if left == 0 {
                return false;
            }
            let fits = |tie| greedy(limits, &from_z, m, tie).is_ok_and(|g| g.len() as u64 <= left);
            if fits(Tie::LargeN) || fits(Tie::SmallN) {
                return true;
            }
            // Coarse states (few replicas) have small layers: decide exactly.
            let (mut work, mut rows) = (ORACLE_WORK, ORACLE_WORK);
            (lower_bound(s, m)..=left).any(|j| {
                matches!(
                    layered(limits, &from_z, m, j, &mut work, &mut rows),
                    Ok(Some(_))
                )
            })
        };
        let above = |(t, n): Point| {
            u128::from(t) * u128::from(share.den) > u128::from(share.num) * u128::from(n)
        };
        let small = limits
            .largest_at_most(cur.0, cur.1, cap.ratio(), Tie::SmallN)
            .filter(|&p| above(p))?;
        let large = limits
            .largest_at_most(cur.0, cur.1, cap.ratio(), Tie::LargeN)
            .filter(|&p| above(p))?;
        let state = |(t, n): Point| (t, n - t);
        let pick = if finishes(state(small)) {
            small
        } else if !finishes(state(large)) {
            return None;
        } else {
            // The fewest replicas on the ray that still finish: a binary
            // search between the two ends (a state off the ray's valid part
            // counts as not finishing).
            let g = gcd(small.0, small.1);
            let (a, b) = (small.0 / g, small.1 / g);
            let (mut lo, mut hi) = (small.1 / b, large.1 / b);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let z = (mid * a, mid * (b - a));
                if valid_step(limits, cur, z) && finishes(z) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            (hi * a, hi * b)
        };
        cur = state(pick);
        share = Ratio::new(cur.0, cur.0 + cur.1);
        out.push(cur);
        if Cap::new(share, m).reaches_end() {
            break;
        }
    }
    Cap::new(share, m).reaches_end().then_some(out)
}

/// `gcd(a, b)`, at least 1.
fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// Whether one step goes from `cur` to `z` (the share aside).
fn valid_step(limits: &Limits, cur: (u64, u64), z: (u64, u64)) -> bool {
    let n = z.0 + z.1;
    let down = z.1 < cur.1;
    let no_surge = limits.ceiling.is_some_and(|c| c <= limits.floor);
    z.0 >= cur.0
        && z.1 <= cur.1
        && z.0 <= limits.target
        && n >= 1
        && limits.ceiling.is_none_or(|c| n <= c)
        && (!down || (n >= limits.floor && !(no_surge && z.0 > cur.0)))
}

/// The closed-form lower bound on the steps before the final one: each step
/// raises `to`'s share by at most `m / 100`, and the final step needs a share
/// of at least `1 - m / 100` before it. From share `a / b` that is
/// `ceil(100 (b - a) / (m b)) - 1` steps.
fn lower_bound(share: Ratio, m: u32) -> u64 {
    let gap = 100 * u128::from(share.den - share.num);
    let per = u128::from(m) * u128::from(share.den);
    u64::try_from(gap.div_ceil(per).saturating_sub(1)).unwrap_or(u64::MAX)
}

/// Most successor states the layered search visits before it gives up.
const LAYERED_WORK: u64 = 300_000;

/// The layered search ran out of [`LAYERED_WORK`].
struct OverBudget;

/// The lowest `to` count of row `b` (`from` at `b`): at least the start, at
/// least 1 replica in all, and at or above the floor once `from` has fallen.
fn row_lo(limits: &Limits, start: &Start, b: u64) -> u64 {
    let mut l = start.t.max(1u64.saturating_sub(b));
    if b < start.f {
        l = l.max(limits.floor.saturating_sub(b));
    }
    l
}

/// The highest `to` count of row `b` (`None`: the row is empty).
fn row_hi(limits: &Limits, b: u64) -> Option<u64> {
    let cap = limits.ceiling.unwrap_or(u64::MAX);
    Some(limits.target.min(cap.checked_sub(b)?))
}

/// The smallest `t` with `t / (t + b) >= need` (`None`: none).
fn need_t(need: Ratio, b: u64) -> Option<u64> {
    if need.num == 0 {
        return Some(0);
    }
    if need.num >= need.den {
        return (b == 0).then_some(1);
    }
    let t = (u128::from(need.num) * u128::from(b)).div_ceil(u128::from(need.den - need.num));
    u64::try_from(t).ok()
}

/// Calls `visit` with every state one step from `z` reaches within `cap`
/// whose share is at least `need`. Rows run from `z`'s own down; once the cap
/// admits no `t` at or above `z`'s, no lower row does either (the cap's
/// largest `t` falls with the row).
fn successors(
    limits: &Limits,
    start: &Start,
    z: (u64, u64),
    (cap, need): (Cap, Ratio),
    stay: bool,
    rows: &mut u64,
    visit: &mut impl FnMut((u64, u64)) -> Result<(), OverBudget>,
) -> Result<(), OverBudget> {
    let no_surge = limits.ceiling.is_some_and(|c| c <= limits.floor);
    if stay && cap.admits(z) && need_t(need, z.1).is_some_and(|n| n <= z.0) {
        visit(z)?;
    }
    for b in (0..=z.1).rev() {
        // Rows cost work even when empty: they share the budget.
        *rows = rows.checked_sub(1).ok_or(OverBudget)?;
        let top = cap.max_t(b);
        if top < u128::from(z.0) {
            break;
        }
        let Some(hi) = row_hi(limits, b) else {
            continue;
        };
        let mut lo = row_lo(limits, start, b).max(z.0);
        if b == z.1 {
            lo = lo.max(z.0 + 1);
        }
        let Some(n) = need_t(need, b) else {
            continue;
        };
        lo = lo.max(n);
        let mut hi = u128::from(hi).min(top);
        if no_surge && b < z.1 {
            hi = hi.min(u128::from(z.0));
        }
        let hi = u64::try_from(hi).unwrap_or(u64::MAX);
        for t in lo..=hi {
            visit((t, b))?;
        }
    }
    Ok(())
}

/// `1 - (k + 1) m / 100`, clamped at 0: the least share a state may have
/// with `k` steps left before the final one (each step adds at most `m`
/// points and the final one needs `1 - m / 100`).
fn need_share(m: u32, k: u64) -> Ratio {
    let used = u64::from(m).saturating_mul(k + 1);
    Ratio::new(100u64.saturating_sub(used), 100)
}

/// Breadth-first search over the states: the fewest steps before the final
/// one, if any plan exists.
fn fewest_count(
    limits: &Limits,
    start: &Start,
    m: u32,
    budget: &mut u64,
    rows: &mut u64,
) -> Result<Option<u64>, OverBudget> {
    let zero = Ratio::new(0, 1);
    let mut seen = std::collections::HashSet::from([(start.t, start.f)]);
    let mut layer = vec![(start.t, start.f)];
    let mut steps = 0u64;
    loop {
        steps += 1;
        let mut next = Vec::new();
        for (i, &z) in layer.iter().enumerate() {
            let share = if steps == 1 {
                start.share
            } else {
                Ratio::new(z.0, z.0 + z.1)
            };
            let stay = steps == 1 && i == 0 && joins(start);
            let mut visit = |s: (u64, u64)| {
                *budget = budget.checked_sub(1).ok_or(OverBudget)?;
                if (stay && s == z) || seen.insert(s) {
                    next.push(s);
                }
                Ok(())
            };
            successors(
                limits,
                start,
                z,
                (Cap::new(share, m), zero),
                stay,
                rows,
                &mut visit,
            )?;
        }
        if next
            .iter()
            .any(|&(t, f)| Cap::new(Ratio::new(t, t + f), m).reaches_end())
        {
            return Ok(Some(steps));
        }
        if next.is_empty() || steps as usize > MAX_PLAN_STEPS {
            return Ok(None);
        }
        layer = next;
    }
}

/// `to` outside the router joins without moving: the first step may keep
/// the counts.
fn joins(start: &Start) -> bool {
    u128::from(start.t) * u128::from(start.share.den)
        > u128::from(start.share.num) * u128::from(start.t + start.f)
}

/// M4's plan among the plans with exactly `k` steps before the final one
/// (`None`: there is none). Layer `j` holds the states `j` steps from the
/// start whose share is at least [`need_share`] of the `k - j` steps left
/// (no other state can finish in time); then each state marked
/// when it can still finish, then each step the M4-best marked successor.
fn layered(
    limits: &Limits,
    start: &Start,
    m: u32,
    k: u64,
    budget: &mut u64,
    rows: &mut u64,
) -> Result<Option<Vec<(u64, u64)>>, OverBudget> {
    let k = usize::try_from(k).map_err(|_| OverBudget)?;
    let mut states = vec![vec![(start.t, start.f)]];
    // edges[j]: (index in layer j, index in layer j + 1).
    let mut edges: Vec<Vec<(usize, usize)>> = Vec::new();
    for j in 1..=k {
        let need = need_share(m, (k - j) as u64);
        let mut index = std::collections::HashMap::new();
        let mut next = Vec::new();
        let mut out = Vec::new();
        for (p, &z) in states[j - 1].iter().enumerate() {
            let share = if j == 1 {
                start.share
            } else {
                Ratio::new(z.0, z.0 + z.1)
            };
            let stay = j == 1 && joins(start);
            let mut visit = |s: (u64, u64)| {
                *budget = budget.checked_sub(1).ok_or(OverBudget)?;
                let i = *index.entry(s).or_insert_with(|| {
                    next.push(s);
                    next.len() - 1
                });
                out.push((p, i));
                Ok(())
            };
            successors(
                limits,
                start,
                z,
                (Cap::new(share, m), need),
                stay,
                rows,
                &mut visit,
            )?;
        }
        if next.is_empty() {
            return Ok(None);
        }
        states.push(next);
        edges.push(out);
    }
    // good[j][i]: layer j's state i starts a plan through the later layers.
    let mut good: Vec<Vec<bool>> = states.iter().map(|l| vec![false; l.len()]).collect();
    good[k].fill(true);
    for j in (0..k).rev() {
        for &(p, s) in &edges[j] {
            if good[j + 1][s] {
                good[j][p] = true;
            }
        }
    }
    if !good[0][0] {
        return Ok(None);
    }
    let mut cur = 0;
    let mut plan = Vec::with_capacity(k);
    for j in 0..k {
        let mut best: Option<usize> = None;
        for &(p, s) in &edges[j] {
            if p == cur
                && good[j + 1][s]
                && best.is_none_or(|b| m4_better(states[j + 1][s], states[j + 1][b]))
            {
                best = Some(s);
            }
        }
        let Some(b) = best else {
            return Ok(None);
        };
        plan.push(states[j + 1][b]);
        cur = b;
    }
    Ok(Some(plan))
}

/// Where a greedy plan stalls: the state and its share.
type Stall = ((u64, u64), Ratio);

/// M4's rule: each step the largest share within the maximum. `Err` holds
/// the state and share where it stalls.
fn greedy(limits: &Limits, start: &Start, m: u32, tie: Tie) -> Result<Vec<(u64, u64)>, Stall> {
    let mut cur = (start.t, start.f);
    let mut share = start.share;
    let mut out = Vec::new();
    loop {
        let cap = Cap::new(share, m);
        if cap.reaches_end() || out.len() > MAX_PLAN_STEPS {
            return Ok(out);
        }
        let next = limits
            .largest_at_most(cur.0, cur.1, cap.ratio(), tie)
            .filter(|&(t, n)| {
                u128::from(t) * u128::from(share.den) > u128::from(share.num) * u128::from(n)
            });
        let Some((t, n)) = next else {
            return Err((cur, share));
        };
        cur = (t, n - t);
        share = Ratio::new(t, n);
        out.push(cur);
    }
}

/// The error for a schedule with no plan: where the greedy plan stalls, and
/// the smallest maximum (or ceiling) that admits a plan.
fn infeasible(limits: &Limits, start: &Start, m: u32) -> Infeasibility {
    let (stuck, share) = greedy(limits, start, m, Tie::LargeN)
        .err()
        .unwrap_or(((start.t, start.f), start.share));
    let next = limits
        .smallest_above(stuck.0, stuck.1, share)
        .map_or(Ratio::new(1, 1), |(t, n)| Ratio::new(t, n));
    // A maximum of 100 always admits a plan (straight to the end).
    let (mut lo, mut hi) = (m + 1, 100);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if search(limits, start, mid).is_some() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let needed_ceiling = limits.ceiling.and_then(|c| {
        let with = |ceiling: u64| Limits {
            ceiling: Some(ceiling),
            ..*limits
        };
        let top = (start.t + start.f + limits.target).min(u64::from(u32::MAX));
        if top <= c || search(&with(top), start, m).is_none() {
            return None;
        }
        let (mut lo, mut hi) = (c + 1, top);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if search(&with(mid), start, m).is_some() {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        u32::try_from(lo).ok()
    });
    let fraction = |r: Ratio| Fraction::new(r.num, r.den).unwrap_or(Fraction::ZERO);
    Infeasibility::MaxStepTooSmall {
        max_step_percent: m,
        stuck_share: fraction(share),
        next_share: fraction(next),
        needed_max_step_percent: lo,
        needed_max_total_replicas: needed_ceiling,
    }
}

/// Every state a plan can visit, by rows of equal `from` count `b`: `t`
/// runs over `lo[b]..=hi[b]`, stored at `off[b]` in a flat array.
struct Lattice {
    lo: Vec<u64>,
    hi: Vec<u64>,
    off: Vec<usize>,
    len: usize,
    /// The ceiling equals the floor: a step cannot both add and remove.
    no_surge: bool,
}

impl Lattice {
    /// The states reachable from `(t0, f0)` over any number of steps: `to`
    /// between `t0` and the target, `from` up to `f0`, within the ceiling,
    /// and at or above the floor once `from` has fallen. `None` when the
    /// exact search would cost more than [`EXACT_WORK`].
    fn new(limits: &Limits, t0: u64, f0: u64) -> Option<Lattice> {
        if f0 >= EXACT_WORK {
            return None;
        }
        let cap = limits.ceiling.unwrap_or(u64::MAX);
        let rows = usize::try_from(f0 + 1).ok()?;
        let (mut lo, mut hi, mut off) = (
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
        );
        let mut len: u64 = 0;
        for b in 0..=f0 {
            let mut l = t0.max(1u64.saturating_sub(b));
            if b < f0 {
                l = l.max(limits.floor.saturating_sub(b));
            }
            // An empty row has lo > hi.
            let h = match cap.checked_sub(b) {
                Some(room) => limits.target.min(room),
                None => {
                    l = 1;
                    0
                }
            };
            off.push(usize::try_from(len).ok()?);
            lo.push(l);
            hi.push(h);
            if l <= h {
                len += h - l + 1;
            }
            if len.saturating_mul(f0 + 1) > EXACT_WORK {
                return None;
            }
        }
        Some(Lattice {
            lo,
            hi,
            off,
            len: usize::try_from(len).ok()?,
            no_surge: limits.ceiling.is_some_and(|c| c <= limits.floor),
        })
    }

    fn row(&self, b: u64) -> Option<(u64, u64, usize)> {
        let i = usize::try_from(b).ok()?;
        let (l, h) = (*self.lo.get(i)?, *self.hi.get(i)?);
        (l <= h).then(|| (l, h, self.off[i]))
    }

    fn index(&self, (t, b): (u64, u64)) -> Option<usize> {
        let (l, h, off) = self.row(b)?;
        (t >= l && t <= h).then(|| off + usize::try_from(t - l).unwrap_or(0))
    }

    /// The `t` range of row `b` one step from `(t, f)` can reach within
    /// `cap`, excluding `(t, f)` itself.
    fn range(&self, (t, f): (u64, u64), b: u64, cap: Cap) -> Option<(u64, u64)> {
        let (l, h, _) = self.row(b)?;
        let mut from = l.max(t);
        if b == f {
            from = from.max(t + 1);
        }
        let mut to = u128::from(h).min(cap.max_t(b));
        if self.no_surge && b < f {
            to = to.min(u128::from(t));
        }
        let to = u64::try_from(to).ok()?;
        (from <= to).then_some((from, to))
    }

    /// The fewest-steps plan from `start`, each step taking the largest
    /// share that keeps the total fewest.
    fn fewest(&self, start: &Start, m: u32) -> Option<Vec<(u64, u64)>> {
        let steps = self.remaining_steps(m);
        // `to` outside the router joins without moving: a step of its own.
        let joins = u128::from(start.t) * u128::from(start.share.den)
            > u128::from(start.share.num) * u128::from(start.t + start.f);
        let mut cur = (start.t, start.f);
        let mut cap = Cap::new(start.share, m);
        let mut out = Vec::new();
        loop {
            // The next state: the fewest remaining steps, then M4's best (the
            // first on ties). After the first step this is `steps[cur] - 1`,
            // as `remaining_steps` computed it over the same successors.
            let mut best: Option<((u64, u64), u32)> = None;
            let mut consider = |z: (u64, u64)| {
                if let Some(i) = self.index(z) {
                    let h = steps[i];
                    if best.is_none_or(|(p, hp)| h < hp || (h == hp && m4_better(z, p))) {
                        best = Some((z, h));
                    }
                }
            };
            if out.is_empty() && joins && cap.admits(cur) {
                consider(cur);
            }
            for b in 0..=cur.1 {
                if let Some((a, z)) = self.range(cur, b, cap) {
                    for t in a..=z {
                        consider((t, b));
                    }
                }
            }
            let (pick, remaining) = best.filter(|&(_, h)| h != UNREACHABLE)?;
            out.push(pick);
            if remaining == 0 {
                return Some(out);
            }
            cur = pick;
            cap = Cap::new(Ratio::new(pick.0, pick.0 + pick.1), m);
        }
    }

    /// Each state's fewest steps before the final one (0 when the final
    /// state is within the maximum). A step never raises `from` nor lowers
    /// `to`, so going through the rows by rising `from`, each by falling
    /// `to`, every successor is known first.
    fn remaining_steps(&self, m: u32) -> Vec<u32> {
        let mut tree = MinTree::new(self.len);
        let mut steps = vec![UNREACHABLE; self.len];
        for b in 0..self.lo.len() as u64 {
            let Some((l, h, _)) = self.row(b) else {
                continue;
            };
            for t in (l..=h).rev() {
                let z = (t, b);
                let share = Ratio::new(t, t + b);
                let cap = Cap::new(share, m);
                let v = if cap.reaches_end() {
                    0
                } else {
                    let mut best = UNREACHABLE;
                    for r in 0..=b {
                        let ends = self
                            .range(z, r, cap)
                            .and_then(|(a, e)| Some((self.index((a, r))?, self.index((e, r))?)));
                        if let Some((i, j)) = ends {
                            best = best.min(tree.min(i, j + 1));
                        }
                    }
                    best.saturating_add(1)
                };
                if let Some(i) = self.index(z) {
                    steps[i] = v;
                    tree.set(i, v);
                }
            }
        }
        steps
    }
}

/// M4 among equally good states: the larger share, then fewer replicas,
/// then more `to`.
fn m4_better(a: (u64, u64), b: (u64, u64)) -> bool {
    let (na, nb) = (a.0 + a.1, b.0 + b.1);
    share_cmp((a.0, na), (b.0, nb))
        .then(nb.cmp(&na))
        .then(a.0.cmp(&b.0))
        .is_gt()
}

/// A segment tree of minimums.
struct MinTree {
    size: usize,
    data: Vec<u32>,
}

impl MinTree {
    fn new(len: usize) -> MinTree {
        let size = len.next_power_of_two().max(1);
        MinTree {
            size,
            data: vec![UNREACHABLE; 2 * size],
        }
    }

    fn set(&mut self, i: usize, v: u32) {
        let mut i = i + self.size;
        self.data[i] = v;
        while i > 1 {
            i /= 2;
            self.data[i] = self.data[2 * i].min(self.data[2 * i + 1]);
        }
    }

    /// The minimum over `[lo, hi)`.
    fn min(&self, lo: usize, hi: usize) -> u32 {
        let (mut lo, mut hi) = (lo + self.size, hi + self.size);
        let mut out = UNREACHABLE;
        while lo < hi {
            if lo % 2 == 1 {
                out = out.min(self.data[lo]);
                lo += 1;
            }
            if hi % 2 == 1 {
                hi -= 1;
                out = out.min(self.data[hi]);
            }
            lo /= 2;
            hi /= 2;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The certificate and the layered search against the full lattice
    /// search (every state's fewest remaining steps) on random small
    /// instances: the same plan, state for state.
    #[test]
    fn m4_layered_search_matches_the_lattice_search() {
        let mut state = 99u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let (mut compared, mut feasible) = (0, 0);
        while compared < 3000 {
            let f0 = 1 + next(14);
            let target = 1 + next(14);
            let t0 = next(target + 1);
            let floor = next(target + 1);
            let ceiling = match next(3) {
                0 => None,
                _ => Some(target.max(t0 + f0) + next(6)),
            };
            if ceiling.is_some_and(|c| c <= floor) {
                continue;
            }
            let limits = Limits {
                target,
                floor: floor.max(1),
                ceiling,
            };
            let serving = next(2) == 0;
            let share = if serving {
                Ratio::new(t0, t0 + f0)
            } else {
                Ratio::new(0, 1)
            };
            let start = Start {
                t: t0,
                f: f0,
                share,
                idle: f0 == 0 && !serving,
            };
            let m = 1 + u32::try_from(next(60)).unwrap_or(0);
            let Some(lattice) = Lattice::new(&limits, t0, f0) else {
                continue;
            };
            let exact = if start.idle || Cap::new(share, m).reaches_end() {
                Some(Vec::new())
            } else {
                lattice.fewest(&start, m)
            };
            let layered = search_with(&limits, &start, m, false);
            assert_eq!(layered, exact, "{limits:?} {start:?} m={m}");
            compared += 1;
            feasible += usize::from(exact.is_some());
        }
        assert!(feasible > 1000, "{feasible}");
    }

    /// The same comparison exhaustively at small sizes: every `from` of 1-9
    /// replicas, `to` at 0-2, target 1-9, floor 1 to the target, ceiling
    /// none or the larger of start and target plus 1 or 3, `to` serving or
    /// not, and every maximum shift of 1-30 points, and 33, 34, 40 and 50.
    #[test]
    fn m4_layered_search_matches_the_lattice_search_exhaustively() {
        let shifts: Vec<u32> = (1..=30).chain([33, 34, 40, 50]).collect();
        let mut compared = 0u32;
        for f0 in 1..=9u64 {
            for t0 in 0..=2u64 {
                for target in t0.max(1)..=9 {
                    let top = target.max(t0 + f0);
                    for floor in 1..=target {
                        for ceiling in [None, Some(top + 1), Some(top + 3)] {
                            for serving in [true, false] {
                                let limits = Limits {
                                    target,
                                    floor,
                                    ceiling,
                                };
                                let share = if serving {
                                    Ratio::new(t0, t0 + f0)
                                } else {
                                    Ratio::new(0, 1)
                                };
                                let start = Start {
                                    t: t0,
                                    f: f0,
                                    share,
                                    idle: false,
                                };
                                let lattice = Lattice::new(&limits, t0, f0);
                                assert!(lattice.is_some(), "{limits:?}: lattice too large");
                                let Some(lattice) = lattice else { continue };
                                for &m in &shifts {
                                    let exact = if Cap::new(share, m).reaches_end() {
                                        Some(Vec::new())
                                    } else {
                                        lattice.fewest(&start, m)
                                    };
                                    let layered = search_with(&limits, &start, m, false);
                                    assert_eq!(layered, exact, "{limits:?} {start:?} m={m}");
                                    compared += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(compared > 100_000, "{compared}");
    }

    /// The guided search never beats the exact fewest count, and every plan
    /// it returns is valid: each step one the actions can take, within the
    /// maximum, and the last state one the final step can leave.
    #[test]
    fn m4_guided_plans_are_valid_and_never_beat_the_exact_count() {
        let mut state = 5u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let mut found = 0;
        for _ in 0..2000 {
            let f0 = 1 + next(12);
            let target = 1 + next(12);
            let floor = 1 + next(target);
            let ceiling = (next(2) == 0).then(|| target.max(f0) + 1 + next(5));
            let limits = Limits {
                target,
                floor,
                ceiling,
            };
            let start = Start {
                t: 0,
                f: f0,
                share: Ratio::new(0, 1),
                idle: false,
            };
            let m = 1 + u32::try_from(next(50)).unwrap_or(0);
            let Some(lattice) = Lattice::new(&limits, 0, f0) else {
                continue;
            };
            let exact = lattice.fewest(&start, m).map(|p| p.len() as u64);
            let bound = lower_bound(start.share, m);
            for k in bound..bound + 3 {
                let Some(plan) = guided(&limits, &start, m, k) else {
                    continue;
                };
                found += 1;
                assert!(exact.is_some_and(|e| plan.len() as u64 >= e));
                let (mut cur, mut share) = ((0, f0), start.share);
                for &z in &plan {
                    assert!(valid_step(&limits, cur, z) && z != cur);
                    assert!(Cap::new(share, m).admits(z));
                    (cur, share) = (z, Ratio::new(z.0, z.0 + z.1));
                }
                assert!(Cap::new(share, m).reaches_end());
            }
        }
        assert!(found > 500, "{found}");
    }
}
