//! The witness walk (SPEC M4): M4's maximum-shift plan built step by step
//! when the greedy certificate fails, each state proven able to finish in
//! the steps left. `stepwise.rs` has the problem and the exact search this
//! walk stands in front of.
//!
//! # The rule it follows
//!
//! With `k` the fewest steps before the final one, M4's plan takes at step
//! `j` the M4-best successor (the largest share, then fewer replicas) among
//! the states that can finish within `r = k - 1 - j` more steps. The walk
//! guesses `k` = the closed-form bound `k_lb` (then `k_lb + 1`, `k_lb + 2`)
//! and at each step goes through the successors in M4's order
//! ([`Limits::next_by_m4`]), taking the first that can finish within `r`
//! steps. Each candidate `z` is settled exactly:
//!
//! - **No** when its own closed-form bound exceeds `r`; the same then holds
//!   for every later candidate (a share no larger), so none is left.
//! - **Yes** when a *witness* shows it: a plan from `z` with at most `r`
//!   steps. Witnesses are, in this order, the rest of the last witness
//!   (when the walk's pick is its next state, it stays valid and nothing is
//!   searched), the plan that keeps `z`'s from+to total (each step moves
//!   `floor(m n / 100)` replicas; O(r) arithmetic), and greedy plans from
//!   `z` (ties to more replicas, then to fewer).
//! - Otherwise **by an exact search from `z`**
//!   ([`exact::finishes_within`]): forward over `z`'s `from` rows or
//!   backward over the `to` rows above it, whichever is smaller; forward,
//!   every state whose closed-form bound says it cannot finish in time is
//!   dropped after each sweep, so few states survive. A candidate that fell
//!   into a corner (few replicas, so a coarse lattice of shares) dies out in
//!   a few sweeps: a quick try of [`QUICK_WORK`] rows comes before the
//!   greedy witnesses, and the full search after them.
//!
//! Every pick is therefore exactly the one the full exact search makes, and
//! the plan it builds is M4's plan (the tests compare the two state for
//! state). At step 0 no candidate finishing within `r` proves the guess of
//! `k` too small, and the walk tries the next. At a later step it cannot
//! happen (the state before was proven to finish within `r + 1`).
//!
//! # When it gives up
//!
//! The walk stops, and leaves the plan to the exact searches (`stepwise.rs`:
//! a forward count over `from`'s rows when they are fewer, followed by this
//! walk for that count, else the exact search over `to`'s rows), when a decision
//! would sweep more than [`WALK_WORK`] rows in all, after [`WALK_REJECTS`]
//! rejected candidates, or when `k_lb + 2` steps are not enough. Those are
//! budgets on work, not on correctness: giving up costs time, never a wrong
//! plan.
//!
//! # Cost
//!
//! When the fewest count meets the bound and one witness carries the walk,
//! a plan costs about two greedy plans: O(k log² n). The shape that made
//! the walk worth having, 100,000 -> 100,000 replicas with floor 0 at
//! 1 point (M4's greedy plan runs into 1 `to` and 9 `from` replicas, a
//! corner it cannot leave by 1-point steps), walks in under a millisecond
//! where the exact search takes seconds; see `benches/README.md`.

use super::exact;
use super::lattice::Limits;
use super::search::{Ratio, Tie};
use super::stepwise::{Cap, Start, greedy, joins, lower_bound, sweeps_apply};

/// Most rows the exact decisions of one walk may sweep (rows times layers).
const WALK_WORK: u64 = 1 << 23;

/// Most steps of greedy witnesses one walk may try (each costs one
/// O(log² n) search).
const WALK_GREEDY_STEPS: u64 = 1 << 13;

/// Most candidates one walk may reject.
const WALK_REJECTS: u32 = 256;

/// The rows a quick exact decision may sweep before the greedy witnesses
/// are tried.
const QUICK_WORK: u64 = 4096;

/// Step counts above the closed-form bound the walk tries.
const WALK_EXTRA: u64 = 2;

/// What a walk may still spend.
struct Spend {
    work: u64,
    greedy_steps: u64,
    rejects: u32,
}

/// M4's plan (the states before the final step) by the witness walk, or
/// `None` when the walk cannot settle it within its budgets. `count` is
/// the fewest count when known (else the walk tries the closed-form bound
/// and `WALK_EXTRA` more). The caller has handled a start that the final
/// step can leave at once.
pub(crate) fn walk(
    limits: &Limits,
    start: &Start,
    m: u32,
    count: Option<u64>,
) -> Option<Vec<(u64, u64)>> {
    if !sweeps_apply(limits, start) {
        return None;
    }
    let bound = lower_bound(start.share, m);
    let (least, most) = count.map_or((bound.max(1), bound + WALK_EXTRA), |k| (k, k));
    // Never more than the exact search would sweep: about 2 (k + 1)
    // layers of all its rows.
    let rows = limits.target - start.t + 1;
    let mut spend = Spend {
        work: WALK_WORK.min(rows.saturating_mul(2 * (most + 1))),
        greedy_steps: WALK_GREEDY_STEPS,
        rejects: WALK_REJECTS,
    };
    for k in least..=most {
        if let Some(plan) = walk_k(limits, start, m, k, &mut spend)? {
            return Some(plan);
        }
    }
    None
}

/// The walk for exactly `k` steps before the final one: `Some(None)` when
/// it proves none exists, `None` when it gives up.
fn walk_k(
    limits: &Limits,
    start: &Start,
    m: u32,
    k: u64,
    spend: &mut Spend,
) -> Option<Option<Vec<(u64, u64)>>> {
    let mut cur = (start.t, start.f);
    let mut cap = Cap::new(start.share, m).ratio();
    // `to` outside the router joins without moving: the first step may
    // keep the counts.
    let stay = joins(start);
    // The rest of a plan from the last pick, next state last.
    let mut witness: Vec<(u64, u64)> = Vec::new();
    let mut plan = Vec::with_capacity(usize::try_from(k).ok()?);
    for j in 0..k {
        let r = k - 1 - j;
        let mut after = None;
        let pick = loop {
            let Some(p) = limits.next_by_m4(cur.0, cur.1, cap, after) else {
                break None;
            };
            after = Some(p);
            let z = (p.0, p.1 - p.0);
            if z == cur && !(j == 0 && stay) {
                continue;
            }
            if lower_bound(Ratio::new(p.0, p.1), m) > r {
                break None;
            }
            if finishes(limits, start.f, z, r, m, &mut witness, spend)? {
                break Some(z);
            }
            spend.rejects = spend.rejects.checked_sub(1)?;
        };
        let Some(z) = pick else {
            // At step 0: no plan has `k` steps. Later it cannot happen (the
            // state before was proven to finish within `r + 1`).
            return (j == 0).then_some(None);
        };
        plan.push(z);
        cur = z;
        cap = Cap::new(Ratio::new(z.0, z.0 + z.1), m).ratio();
    }
    Some(Some(plan))
}

/// Whether `z` can reach a state the final step leaves within `r` steps
/// (module docs); `None` when it cannot tell within the budget. A yes by a
/// new plan from `z` keeps that plan as the witness.
fn finishes(
    limits: &Limits,
    f0: u64,
    z: (u64, u64),
    r: u64,
    m: u32,
    witness: &mut Vec<(u64, u64)>,
    spend: &mut Spend,
) -> Option<bool> {
    if witness.last() == Some(&z) {
        witness.pop();
        return Some(true);
    }
    let share = Ratio::new(z.0, z.0 + z.1);
    if lower_bound(share, m) == 0 {
        witness.clear();
        return Some(true);
    }
    let r = usize::try_from(r).ok()?;
    let mut keep = |plan: Vec<(u64, u64)>| {
        *witness = plan;
        witness.reverse();
        Some(true)
    };
    if let Some(plan) = same_total(limits, f0, z, m, r) {
        return keep(plan);
    }
    let bounds = (limits.target, limits.floor, limits.ceiling);
    // A quick exact try: the pruned forward search settles a candidate in a
    // corner in a few hundred rows, for less than a greedy plan costs.
    let mut quick = QUICK_WORK.min(spend.work);
    let before = quick;
    let settled = exact::finishes_within(bounds, f0, z, r, m, &mut quick);
    spend.work -= before - quick;
    if settled.is_none() {
        let from_z = Start {
            t: z.0,
            f: z.1,
            share,
            idle: false,
        };
        for tie in [Tie::LargeN, Tie::SmallN] {
            spend.greedy_steps = spend.greedy_steps.checked_sub(r as u64 + 1)?;
            if let Ok(plan) = greedy(limits, &from_z, m, tie, r)
                && plan.len() <= r
            {
                return keep(plan);
            }
        }
    }
    let yes = match settled {
        Some(yes) => yes,
        None => exact::finishes_within(bounds, f0, z, r, m, &mut spend.work)?,
    };
    // A rejected `z` leaves the witness for a later candidate.
    if yes {
        witness.clear();
    }
    Some(yes)
}

/// The plan from `z` that keeps its from+to total `n`: each step moves
/// `floor(m n / 100)` replicas from `from` to `to` (a share of exactly that
/// over `n`), until the final step can leave it; `None` when that is not a
/// plan within `r` steps. O(r), no search: the witness for the common case
/// of a pick whose total divides evenly (100 replicas at 1 point: 1/99,
/// 2/98, ...).
fn same_total(
    limits: &Limits,
    f0: u64,
    (t, f): (u64, u64),
    m: u32,
    r: usize,
) -> Option<Vec<(u64, u64)>> {
    let n = t + f;
    let c = u64::from(m) * n / 100;
    // Each state must be one the lattice holds: `to` within its target,
    // and (below the starting row) at or above the floor.
    if c == 0 || (f == f0 && n < limits.floor) {
        return None;
    }
    let mut out = Vec::new();
    let (mut t, mut f) = (t, f);
    // Until the share is at least 1 - m / 100: 100 f <= m n.
    while 100 * u128::from(f) > u128::from(m) * u128::from(n) {
        if out.len() == r {
            return None;
        }
        let moved = c.min(f);
        (t, f) = (t + moved, f - moved);
        if t > limits.target {
            return None;
        }
        out.push((t, f));
    }
    Some(out)
}
