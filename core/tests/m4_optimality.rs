//! SPEC M4 against brute force on small instances: every planned step is the
//! best state one step can reach (searched action by action, with the M3
//! rules applied literally), greedy maximum-shift plans have the fewest
//! steps, and whenever the planner says `InfeasiblePlan`, no plan exists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeSet, HashMap, VecDeque};

use proptest::prelude::*;
use replica_router::{
    DeploymentSpec, Error, ErrorKind, MigrationPlan, MigrationRequest, Registry, RouterSpec,
    Schedule,
};

const MODEL: &str = "llama";

/// Where `to` starts.
#[derive(Debug, Clone, Copy)]
enum ToStart {
    Absent,
    InRouter(u32),
    Outside(u32),
}

#[derive(Debug, Clone)]
struct Case {
    from: u32,
    other: Option<u32>,
    to: ToStart,
    target: Option<u32>,
    floor: Option<u32>,
    ceiling: Option<u32>,
    schedule: Schedule,
}

fn case() -> impl Strategy<Value = Case> {
    let to = prop_oneof![
        Just(ToStart::Absent),
        (0u32..=3).prop_map(ToStart::InRouter),
        (0u32..=3).prop_map(ToStart::Outside),
    ];
    let schedule = prop_oneof![
        proptest::collection::btree_set(1u32..=99, 0..5).prop_map(|s| {
            let mut v: Vec<u32> = s.into_iter().collect();
            v.push(100);
            Schedule::Steps(v)
        }),
        (1u32..=100).prop_map(Schedule::MaxStep),
    ];
    (
        0u32..=6,
        proptest::option::of(0u32..=3),
        to,
        proptest::option::of(1u32..=6),
        proptest::option::of(0u32..=7),
        proptest::option::of(0u32..=12),
        schedule,
    )
        .prop_map(|(from, other, to, target, floor, ceiling, schedule)| Case {
            from,
            other,
            to,
            target,
            floor,
            ceiling,
            schedule,
        })
}

fn setup(c: &Case) -> (Registry, MigrationRequest) {
    let mut reg = Registry::new("acct", 1).unwrap();
    let mut create = |id: &str, r: u32| {
        reg.create_deployment(DeploymentSpec::new(MODEL).id(id).replicas(r, r))
            .unwrap();
    };
    create("from", c.from);
    let mut list = vec!["from"];
    if let Some(o) = c.other {
        create("other", o);
        list.push("other");
    }
    match c.to {
        ToStart::Absent => {}
        ToStart::InRouter(t) => {
            create("to", t);
            list.push("to");
        }
        ToStart::Outside(t) => create("to", t),
    }
    reg.create_router(RouterSpec::new(list).id("r")).unwrap();
    let mut req = MigrationRequest::new("r", "from", "to", c.schedule.clone());
    req.target_replicas = c.target;
    req.min_total_replicas = c.floor;
    req.max_total_replicas = c.ceiling;
    (reg, req)
}

/// The brute-force model: `(t, f)` counts, `to` serving from its first
/// action on (it joins the router first).
struct Model {
    target: u32,
    floor: u32,
    ceiling: u32,
    others: u32,
}

impl Model {
    /// Every state one step can reach from `(t, f)`, action by action: a
    /// scale-up must keep from+to within the ceiling; a scale-down must leave
    /// the serving count at or above the floor it keeps (`floor` here is
    /// already `min(floor, serving at the start)`: M3, issue 18) and keep
    /// the router serving.
    fn reachable(&self, t: u32, f: u32) -> BTreeSet<(u32, u32)> {
        let mut seen = BTreeSet::from([(t, f)]);
        let mut queue = VecDeque::from([(t, f)]);
        while let Some((t, f)) = queue.pop_front() {
            let mut next = Vec::new();
            for t2 in t + 1..=self.target {
                if t2 + f <= self.ceiling {
                    next.push((t2, f));
                }
            }
            for f2 in 0..f {
                let s = t + f2;
                if s >= self.floor && (self.others > 0 || s >= 1) {
                    next.push((t, f2));
                }
            }
            for s in next {
                if seen.insert(s) {
                    queue.push_back(s);
                }
            }
        }
        seen.retain(|&(t, f)| t + f >= 1);
        seen
    }
}

fn dist(t: u32, f: u32, p: u64, q: u64) -> (u64, u64) {
    // |t/(t+f) - p/q| as (numerator, denominator).
    let n = u64::from(t + f);
    ((u64::from(t) * q).abs_diff(p * n), n * q)
}

fn lt(a: (u64, u64), b: (u64, u64)) -> bool {
    u128::from(a.0) * u128::from(b.1) < u128::from(b.0) * u128::from(a.1)
}

/// M4: closest to p/q, then fewer replicas, then more `to`.
fn best_closest(states: &BTreeSet<(u32, u32)>, p: u64, q: u64) -> (u32, u32) {
    let mut best: Option<(u32, u32)> = None;
    for &(t, f) in states {
        let better = match best {
            None => true,
            Some((bt, bf)) => {
                let (d, bd) = (dist(t, f, p, q), dist(bt, bf, p, q));
                lt(d, bd) || (!lt(bd, d) && (t + f < bt + bf || (t + f == bt + bf && t > bt)))
            }
        };
        if better {
            best = Some((t, f));
        }
    }
    best.unwrap()
}

fn share(t: u32, f: u32) -> (u64, u64) {
    (u64::from(t), u64::from(t + f).max(1))
}

fn counts(plan: &MigrationPlan, i: usize) -> (u32, u32) {
    let s = &plan.steps()[i];
    (s.to_replicas(), s.from_replicas())
}

/// Fewest steps with every shift at most `m` points from `start` to
/// `(target, 0)`, or `None` (BFS over states; `joined` = `to` in router).
fn fewest_max_step(model: &Model, start: (u32, u32), joined: bool, m: u64) -> Option<usize> {
    let mut dist: HashMap<(u32, u32, bool), usize> =
        HashMap::from([((start.0, start.1, joined), 0)]);
    let mut queue = VecDeque::from([(start.0, start.1, joined)]);
    while let Some((t, f, j)) = queue.pop_front() {
        let d = dist[&(t, f, j)];
        // No from+to traffic: no traffic moves between them, any shift goes.
        let idle = f + if j { t } else { 0 } == 0;
        let from_share = if j { share(t, f) } else { (0, 1) };
        for (t2, f2) in model.reachable(t, f) {
            let final_state = (t2, f2) == (model.target, 0);
            if (t2, f2) == (t, f) && (j || t == 0) && !final_state {
                continue;
            }
            let s = share(t2, f2);
            // s - from_share <= m / 100
            let lhs = u128::from(s.0) * u128::from(from_share.1) * 100;
            let rhs = u128::from(from_share.0) * u128::from(s.1) * 100
                + u128::from(m) * u128::from(s.1) * u128::from(from_share.1);
            if !(idle || lhs <= rhs) {
                continue;
            }
            if final_state {
                return Some(d + 1);
            }
            if let std::collections::hash_map::Entry::Vacant(e) = dist.entry((t2, f2, true)) {
                e.insert(d + 1);
                queue.push_back((t2, f2, true));
            }
        }
    }
    None
}

fn check(c: &Case) -> Result<(), TestCaseError> {
    let (reg, req) = setup(c);
    let result = reg.plan_migration(&req);
    let (f0, (t0, to_exists, to_in)) = (
        c.from,
        match c.to {
            ToStart::Absent => (0, false, false),
            ToStart::InRouter(t) => (t, true, true),
            ToStart::Outside(t) => (t, true, false),
        },
    );
    let target = c.target.unwrap_or(f0);
    let serving0 = f0 + if to_in { t0 } else { 0 };
    let floor = c.floor.unwrap_or(serving0.min(target));
    let others = c.other.unwrap_or(0);
    match &result {
        Err(Error::ZeroTargetReplicas) => prop_assert_eq!(target, 0),
        Err(Error::FloorAboveCeiling { .. }) => prop_assert!(floor > c.ceiling.unwrap()),
        // SPEC M3 (issue 18): serving replicas that start below the floor
        // never fall below their start count, so only a target below
        // `min(floor, serving at the start)` is refused.
        Err(Error::FloorAboveTarget { .. }) => prop_assert!(target < floor.min(serving0)),
        Err(e) if e.kind() == ErrorKind::InfeasiblePlan => {}
        Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        Ok(_) => prop_assert!(target >= 1 && target >= floor.min(serving0)),
    }
    if target == 0 || target < floor.min(serving0) || c.ceiling.is_some_and(|ce| floor > ce) {
        return Ok(());
    }
    let model = Model {
        target,
        floor: floor.min(serving0),
        ceiling: c.ceiling.unwrap_or(u32::MAX),
        others,
    };
    let start_ok = t0 <= target && f0 + t0 <= model.ceiling;
    let final_reachable = start_ok && model.reachable(t0, f0).contains(&(target, 0));
    match (&c.schedule, result) {
        (Schedule::Steps(_), Err(e)) => {
            prop_assert!(
                !final_reachable,
                "planner said {e} but the final state is reachable"
            );
        }
        (Schedule::MaxStep(m), Err(e)) => {
            let exists = start_ok
                && fewest_max_step(&model, (t0, f0), to_in || !to_exists, u64::from(*m)).is_some();
            prop_assert!(!exists, "planner said {e} but a plan exists");
        }
        (Schedule::Steps(steps), Ok(plan)) => {
            prop_assert!(final_reachable);
            let (mut t, mut f, mut joined) = (t0, f0, to_in);
            let mut next_step = 0;
            for (k, &p) in steps.iter().enumerate() {
                let last = k + 1 == steps.len();
                let best = if last {
                    (target, 0)
                } else {
                    best_closest(&model.reachable(t, f), u64::from(p), 100)
                };
                let changes = best != (t, f) || last || (!joined && to_exists && best.0 > 0);
                if changes {
                    // SPEC M2 (issue 18): a step that reaches the final counts
                    // is the last; it also takes `from` out of the router.
                    if best == (target, 0) {
                        prop_assert!(next_step < plan.steps().len(), "missing step for {p}%");
                        prop_assert_eq!(counts(&plan, next_step), best);
                        prop_assert_eq!(next_step + 1, plan.steps().len(), "not merged");
                        return Ok(());
                    }
                    prop_assert!(next_step < plan.steps().len(), "missing step for {p}%");
                    prop_assert_eq!(counts(&plan, next_step), best, "step for {}%", p);
                    next_step += 1;
                    (t, f) = best;
                    joined |= t > 0 || to_exists;
                }
            }
            prop_assert_eq!(next_step, plan.steps().len());
        }
        (Schedule::MaxStep(m), Ok(plan)) => {
            let m = u64::from(*m);
            let len = plan.steps().len();
            let start_joined = to_in || !to_exists;
            prop_assert_eq!(
                fewest_max_step(&model, (t0, f0), start_joined, m),
                Some(len),
                "not the fewest steps"
            );
            // Each step: the largest share (then fewer replicas, then more
            // `to`) among the states within the maximum that keep the total
            // fewest.
            let (mut t, mut f, mut joined) = (t0, f0, start_joined);
            for i in 0..len {
                let last = i + 1 == len;
                let idle = f + if joined { t } else { 0 } == 0;
                let prev = if joined { share(t, f) } else { (0, 1) };
                let within = |s: (u64, u64)| {
                    idle || u128::from(s.0) * u128::from(prev.1) * 100
                        <= u128::from(prev.0) * u128::from(s.1) * 100
                            + u128::from(m) * u128::from(s.1) * u128::from(prev.1)
                };
                let mut best: Option<(u32, u32)> = None;
                for (a, b) in model.reachable(t, f) {
                    let moves = (a, b) != (t, f) || (!joined && a > 0) || last;
                    let keeps_fewest = if last {
                        (a, b) == (target, 0)
                    } else {
                        fewest_max_step(&model, (a, b), true, m) == Some(len - i - 1)
                    };
                    if !moves || !within(share(a, b)) || !keeps_fewest {
                        continue;
                    }
                    let better = best.is_none_or(|(bt, bf)| {
                        lt(share(bt, bf), share(a, b))
                            || (!lt(share(a, b), share(bt, bf))
                                && (a + b < bt + bf || (a + b == bt + bf && a > bt)))
                    });
                    if better {
                        best = Some((a, b));
                    }
                }
                prop_assert_eq!(Some(counts(&plan, i)), best, "step {}", i);
                (t, f) = counts(&plan, i);
                joined = true;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// SPEC M4: planned steps equal the brute-force best; infeasible means
    /// no plan exists.
    #[test]
    fn m4_planner_matches_brute_force(c in case()) {
        check(&c)?;
    }
}

/// SPEC M4: the tie-breaks (fewer replicas, then more `to`) on a case where
/// several states are equally close.
#[test]
fn m4_ties_go_to_fewer_replicas() {
    // from 6, target 6, floor 0, no ceiling: 50% is met exactly by (1,1),
    // (2,2), (3,3), ...; fewest replicas wins.
    let c = Case {
        from: 6,
        other: Some(1),
        to: ToStart::Absent,
        target: Some(6),
        floor: Some(0),
        ceiling: None,
        schedule: Schedule::Steps(vec![50, 100]),
    };
    let (reg, req) = setup(&c);
    let plan = reg.plan_migration(&req).unwrap();
    assert_eq!(counts(&plan, 0), (1, 1));
    check(&c).unwrap();
}

/// SPEC M4 (issue 18), exhaustively at small sizes: every combination of
/// `from` (1-4 replicas), `to` (absent, or 1 replica in or outside the
/// router), target (1-4), floor (default or 0-4), ceiling (none, or the
/// larger of start and target plus 1), another deployment (none, or 1
/// replica) and the maximum shifts 1, 2, 3, 5, 7, 10, 15, 20, 25, 34, 50
/// and 100 points: the plan has the fewest steps of a breadth-first
/// search over single actions, and each step is M4's pick among the states
/// that keep the total fewest (`check`).
#[test]
fn m4_exhaustive_small_sizes_match_brute_force() {
    let shifts = [1, 2, 3, 5, 7, 10, 15, 20, 25, 34, 50, 100];
    let mut checked = 0u32;
    for from in 1u32..=4 {
        for to in [ToStart::Absent, ToStart::InRouter(1), ToStart::Outside(1)] {
            let t0 = match to {
                ToStart::Absent => 0,
                ToStart::InRouter(t) | ToStart::Outside(t) => t,
            };
            for target in 1u32..=4 {
                let top = (from + t0).max(target);
                for floor in std::iter::once(None).chain((0u32..=4).map(Some)) {
                    for ceiling in [None, Some(top + 1)] {
                        for other in [None, Some(1)] {
                            for &m in &shifts {
                                let c = Case {
                                    from,
                                    other,
                                    to,
                                    target: Some(target),
                                    floor,
                                    ceiling,
                                    schedule: Schedule::MaxStep(m),
                                };
                                if let Err(e) = check(&c) {
                                    panic!("{c:?}: {e}");
                                }
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 4 * 3 * 4 * 6 * 2 * 2 * 12);
}
