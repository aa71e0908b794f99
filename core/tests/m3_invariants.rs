//! SPEC M3 and M6 as properties over random routers (1-5 deployments, 0-50
//! replicas each) and random requests: every plan, applied action by action
//! to a real `Registry`, keeps every invariant after every action and ends in
//! the M3 final state; rollback from every step restores the initial JSON
//! snapshot under the same invariants; plans round-trip through JSON; any
//! refusal is a typed error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::migration::{assert_final, run_checked};
use proptest::prelude::*;
use replica_router::{
    DeploymentSpec, Error, ErrorKind, MigrationPlan, MigrationRequest, Registry, Schedule,
};

/// Which deployment `to` is.
#[derive(Debug, Clone, Copy)]
enum ToChoice {
    /// A new deployment the plan creates.
    New,
    /// Another deployment of the router (index modulo its size).
    InRouter(usize),
    /// An existing deployment outside the router.
    Outside,
}

#[derive(Debug, Clone)]
struct Case {
    replicas: Vec<u32>,
    outside: u32,
    from: usize,
    to: ToChoice,
    target: Option<u32>,
    floor: Option<u32>,
    /// Absolute, or (when `true`) a surge over the initial from+to replicas
    /// and the target.
    ceiling: Option<(bool, u32)>,
    schedule: Schedule,
}

fn schedule() -> impl Strategy<Value = Schedule> {
    prop_oneof![
        proptest::collection::btree_set(1u32..=99, 0..6).prop_map(|s| {
            let mut v: Vec<u32> = s.into_iter().collect();
            v.push(100);
            Schedule::Steps(v)
        }),
        (1u32..=100).prop_map(Schedule::MaxStep),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let to = prop_oneof![
        2 => Just(ToChoice::New),
        1 => (0usize..5).prop_map(ToChoice::InRouter),
        1 => Just(ToChoice::Outside),
    ];
    (
        proptest::collection::vec(0u32..=50, 1..=5),
        0u32..=50,
        0usize..5,
        to,
        proptest::option::of(0u32..=60),
        proptest::option::weighted(0.4, 0u32..=40),
        proptest::option::weighted(0.6, (proptest::bool::weighted(0.7), 0u32..=140)),
        schedule(),
    )
        .prop_map(
            |(replicas, outside, from, to, target, floor, ceiling, schedule)| Case {
                from: from % replicas.len(),
                replicas,
                outside,
                to,
                target,
                floor,
                ceiling,
                schedule,
            },
        )
}

/// The registry (deployments `d0..dn` in router `r`, plus `out` outside it)
/// and the request.
fn setup(c: &Case) -> (Registry, MigrationRequest) {
    let mut reg = common::migration::registry(&c.replicas, c.replicas.len());
    reg.create_deployment(
        DeploymentSpec::new(common::MODEL)
            .id("out")
            .replicas(c.outside, c.outside),
    )
    .unwrap();
    let n = c.replicas.len();
    let to = match c.to {
        ToChoice::InRouter(i) if n > 1 => format!("d{}", (c.from + 1 + i % (n - 1)) % n),
        ToChoice::New | ToChoice::InRouter(_) => "fresh".to_string(),
        ToChoice::Outside => "out".to_string(),
    };
    let mut req = MigrationRequest::new("r", format!("d{}", c.from), to, c.schedule.clone());
    req.target_replicas = c.target;
    req.min_total_replicas = c.floor;
    req.max_total_replicas = c.ceiling.map(|(surge, x)| {
        if surge {
            // Just above what the migration needs at rest: forces rolling
            // updates (x % 4 spare replicas).
            let from = c.replicas[c.from];
            let to_now = match &req.to[..] {
                "fresh" => 0,
                "out" => c.outside,
                d => c.replicas[d[1..].parse::<usize>().unwrap()],
            };
            let target = c.target.unwrap_or(from).max(to_now);
            (from + to_now).max(target) + x % 4
        } else {
            x
        }
    });
    (reg, req)
}

/// Applies a rollback plan action by action and checks it restores `initial`.
fn check_rollback(reg: &Registry, plan: &MigrationPlan, after: usize, initial: &str) {
    let back = plan.rollback(after).unwrap();
    assert_eq!(back.steps().len(), 1);
    let mut r = reg.clone();
    run_checked(&mut r, &back);
    assert_eq!(r.to_json(), initial, "rollback after step {after}");
    // The same through apply_step.
    let mut r2 = reg.clone();
    r2.apply_step(&back, 0).unwrap();
    assert_eq!(r2.to_json(), initial);
}

fn check(c: &Case) {
    let (reg, req) = setup(c);
    let initial = reg.to_json();
    let plan = match reg.plan_migration(&req) {
        Ok(plan) => plan,
        Err(e) => {
            // A typed refusal, never a panic; the registry is untouched.
            let same_deployment = matches!(e, Error::SameDeployment { .. });
            let ok = e.kind() == ErrorKind::InfeasiblePlan
                || same_deployment
                || matches!(
                    e,
                    Error::ZeroTargetReplicas
                        | Error::FloorAboveCeiling { .. }
                        | Error::FloorAboveTarget { .. }
                        | Error::LimitExceeded { .. }
                );
            assert!(ok, "unexpected error {e:?}");
            assert!(!e.to_string().is_empty());
            assert_eq!(reg.to_json(), initial);
            return;
        }
    };
    assert_eq!(
        reg.to_json(),
        initial,
        "planning must not change the registry"
    );
    // M6: exact JSON round trip.
    assert_eq!(MigrationPlan::from_json(&plan.to_json()).unwrap(), plan);
    // M3 after every action, then the final state.
    let mut work = reg.clone();
    let mut states = vec![work.clone()];
    for i in 0..plan.steps().len() {
        let mut next = states[i].clone();
        next.apply_step(&plan, i).unwrap();
        states.push(next);
    }
    run_checked(&mut work, &plan);
    assert_final(&work, &plan);
    assert_eq!(work.to_json(), states.last().unwrap().to_json());
    // M6: rollback from every step, and a step applied out of order fails
    // without changing anything.
    for (i, state) in states.iter().enumerate().skip(1) {
        check_rollback(state, &plan, i - 1, &initial);
    }
    if plan.steps().len() > 1 {
        let mut r = reg.clone();
        let e = r.apply_step(&plan, 1).unwrap_err();
        assert!(
            matches!(e, Error::StepNotApplicable { step: 1, .. }),
            "{e:?}"
        );
        assert_eq!(r.to_json(), initial);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// SPEC M3, M6 on random routers and requests.
    #[test]
    fn m3_invariants_hold_after_every_action(c in case()) {
        check(&c);
    }
}
