//! SPEC M4 (issue 18): every change an `InfeasiblePlan` error suggests was
//! checked by planning again with it, and is the smallest that works; SPEC
//! M3: a request M3 allows is never refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use replica_router::{
    DeploymentSpec, Error, Fixes, Infeasibility, MigrationPlan, MigrationRequest, Registry,
    RouterSpec, Schedule,
};

fn fixes(e: &Error) -> Fixes {
    match e {
        Error::InfeasiblePlan {
            reason:
                Infeasibility::TargetBelowCurrent { fixes, .. }
                | Infeasibility::CeilingBelowStart { fixes, .. }
                | Infeasibility::CeilingBelowTarget { fixes, .. }
                | Infeasibility::NoSurgeRoom { fixes, .. },
        } => *fixes,
        other => panic!("{other:?}"),
    }
}

/// Each suggested change plans, and the next smaller change does not.
fn check_fixes(reg: &Registry, req: &MigrationRequest) -> (Fixes, String) {
    let e = reg.plan_migration(req).unwrap_err();
    let f = fixes(&e);
    if let Some(c) = f.max_total_replicas {
        assert!(
            reg.plan_migration(&req.clone().max_total_replicas(c))
                .is_ok()
        );
        let below = c - 1;
        if Some(below) != req.max_total_replicas {
            assert!(
                reg.plan_migration(&req.clone().max_total_replicas(below))
                    .is_err()
            );
        }
    }
    if let Some(c) = f.min_total_replicas {
        assert!(
            reg.plan_migration(&req.clone().min_total_replicas(c))
                .is_ok()
        );
    }
    if let Some(c) = f.target_replicas {
        assert!(reg.plan_migration(&req.clone().target_replicas(c)).is_ok());
    }
    (f, e.to_string())
}

fn registry(from: u32) -> Registry {
    let mut reg = Registry::new("acct", 1).unwrap();
    reg.create_deployment(DeploymentSpec::new("llama").id("old").replicas(from, from))
        .unwrap();
    reg.create_router(RouterSpec::new(["old"]).id("r")).unwrap();
    reg
}

fn request() -> MigrationRequest {
    MigrationRequest::new("r", "old", "new", Schedule::MaxStep(100))
}

/// Issue 18: 1 -> 1 with a ceiling of 1 and a router holding only `from`
/// suggested lowering min_total_replicas to 0, which fails the same way (the
/// router keeps 1 serving replica whatever the floor).
#[test]
fn m4_no_surge_room_suggests_only_what_works() {
    let reg = registry(1);
    let req = request().target_replicas(1).max_total_replicas(1);
    let (f, message) = check_fixes(&reg, &req);
    assert_eq!(f.max_total_replicas, Some(2));
    assert_eq!(f.min_total_replicas, None);
    assert!(
        reg.plan_migration(&req.clone().min_total_replicas(0))
            .is_err()
    );
    assert!(
        message.contains("raise max_total_replicas to 2"),
        "{message}"
    );
    assert!(!message.contains("min_total_replicas to"), "{message}");
}

/// Issue 18: 3 -> 5 with a ceiling of 3 suggested target 3, which fails
/// (the default floor 3 then equals the ceiling).
#[test]
fn m4_ceiling_below_target_suggests_a_target_that_plans() {
    let reg = registry(3);
    let req = request().target_replicas(5).max_total_replicas(3);
    assert!(reg.plan_migration(&req.clone().target_replicas(3)).is_err());
    let (f, message) = check_fixes(&reg, &req);
    assert_ne!(f.target_replicas, Some(3));
    assert!(f.target_replicas.is_some() || f.max_total_replicas.is_some());
    assert!(!message.contains("target_replicas to 3"), "{message}");
}

/// Issue 18: `from` 1, `to` outside the router with 2 replicas, target 6,
/// ceiling 2 suggested a ceiling of 3, which leads straight to "the final
/// state needs 6".
#[test]
fn m4_ceiling_below_start_suggests_a_ceiling_that_plans() {
    let mut reg = registry(1);
    reg.create_deployment(DeploymentSpec::new("llama").id("new").replicas(2, 2))
        .unwrap();
    let req = request().target_replicas(6).max_total_replicas(2);
    let (f, message) = check_fixes(&reg, &req);
    let c = f.max_total_replicas.unwrap();
    assert!(c >= 6, "{c}");
    assert!(
        reg.plan_migration(&req.clone().max_total_replicas(3))
            .is_err()
    );
    assert!(
        message.contains(&format!("raise max_total_replicas to {c}")),
        "{message}"
    );
}

/// Issue 18 (SPEC M3): `from` at 0, target 2, floor 3, ceiling 3, other
/// deployments [1, 2], 10-point steps: from+to start at 0, below the floor,
/// so they only must never fall; one step to (2, 0).
#[test]
fn m3_floor_above_target_with_from_at_zero_plans() {
    let mut reg = Registry::new("acct", 1).unwrap();
    for (id, n) in [("old", 0), ("a", 1), ("b", 2)] {
        reg.create_deployment(DeploymentSpec::new("llama").id(id).replicas(n, n))
            .unwrap();
    }
    reg.create_router(RouterSpec::new(["old", "a", "b"]).id("r"))
        .unwrap();
    let req = MigrationRequest::new("r", "old", "new", Schedule::MaxStep(10))
        .target_replicas(2)
        .min_total_replicas(3)
        .max_total_replicas(3);
    let plan = reg.plan_migration(&req).unwrap();
    let counts: Vec<(u32, u32)> = plan
        .steps()
        .iter()
        .map(|s| (s.to_replicas(), s.from_replicas()))
        .collect();
    assert_eq!(counts, [(2, 0)]);
    // The plan applies, and its rollback returns to the start (SPEC M6).
    let before = reg.to_json();
    let mut applied = reg.clone();
    applied.apply_step(&plan, 0).unwrap();
    match plan.rollback(0) {
        Ok(back) => {
            for i in 0..back.steps().len() {
                applied.apply_step(&back, i).unwrap();
            }
            assert_eq!(applied.to_json(), before);
        }
        Err(e) => panic!("rollback: {e}"),
    }
}

/// SPEC M3 (issue 18): `from` at 1 replica, target 2, floor 3. The from+to
/// replicas start at 1, below the floor, so they may never fall below 1:
/// the plan ends with 2 serving and every scale-down keeps at least 1.
#[test]
fn m3_start_below_the_floor_never_falls_below_the_start() {
    let reg = registry(1);
    for schedule in [Schedule::MaxStep(50), Schedule::Steps(vec![50, 100])] {
        let mut req = request().target_replicas(2).min_total_replicas(3);
        req.schedule = schedule;
        let plan = reg.plan_migration(&req).unwrap();
        assert_eq!(plan.min_total_replicas(), 3);
        assert_eq!(plan.effective_floor(), 1);
        let last = plan.steps().last().unwrap();
        assert_eq!((last.to_replicas(), last.from_replicas()), (2, 0));
        // Applied action by action, the plan replays (its JSON check runs
        // the M3 invariants), and the registry ends at the final state.
        MigrationPlan::from_json(&plan.to_json()).unwrap();
        let mut applied = reg.clone();
        for i in 0..plan.steps().len() {
            applied.apply_step(&plan, i).unwrap();
        }
        assert_eq!(applied.get_deployment("new").unwrap().replicas(), 2);
    }
    // From 3 serving down to a target of 2 falls below that start count.
    let reg3 = registry(3);
    let e = reg3
        .plan_migration(&request().target_replicas(2).min_total_replicas(5))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("below the 3 from+to replicas serving"),
        "{e}"
    );
}

/// The floor-above-target fixes of `e`.
fn floor_fixes(e: &Error) -> Fixes {
    match e {
        Error::FloorAboveTarget { fixes, .. } => *fixes,
        other => panic!("{other:?}"),
    }
}

/// SPEC M3, M4 (issue 18): a start at or above the floor and a target below
/// it is refused, with suggestions each checked by planning again.
#[test]
fn m3_start_at_the_floor_and_target_below_it_is_refused_with_checked_fixes() {
    let reg = registry(4);
    let req = request().target_replicas(2).min_total_replicas(3);
    let e = reg.plan_migration(&req).unwrap_err();
    let f = floor_fixes(&e);
    assert_eq!(f.min_total_replicas, Some(2));
    assert_eq!(f.target_replicas, Some(3));
    assert_eq!(f.max_total_replicas, None);
    reg.plan_migration(&req.clone().min_total_replicas(2))
        .unwrap();
    reg.plan_migration(&req.clone().target_replicas(3)).unwrap();
    let message = e.to_string();
    assert!(
        message.contains("lower min_total_replicas to 2 or set target_replicas to 3"),
        "{message}"
    );
    // With a ceiling of 4 and 5-point steps each fix is checked again.
    let tight = req
        .clone()
        .max_total_replicas(4)
        .schedule(Schedule::MaxStep(5));
    let e = reg.plan_migration(&tight).unwrap_err();
    let f = floor_fixes(&e);
    if let Some(floor) = f.min_total_replicas {
        reg.plan_migration(&tight.clone().min_total_replicas(floor))
            .unwrap();
    }
    if let Some(target) = f.target_replicas {
        reg.plan_migration(&tight.clone().target_replicas(target))
            .unwrap();
    }
    let message = e.to_string();
    assert!(
        f.min_total_replicas.is_some()
            || f.target_replicas.is_some()
            || message.contains("no single change"),
        "{message}"
    );
}

/// Issue 18 (SPEC M2): old at 1 replica, steps [75, 100]: the 75% step
/// already reaches the final counts (1, 0), so it is the last step and also
/// takes `from` out of the router.
#[test]
fn m2_step_reaching_the_final_counts_is_merged() {
    let reg = registry(1);
    let req = MigrationRequest::new("r", "old", "new", Schedule::Steps(vec![75, 100]));
    let plan = reg.plan_migration(&req).unwrap();
    assert_eq!(plan.steps().len(), 1);
    let step = &plan.steps()[0];
    assert_eq!((step.to_replicas(), step.from_replicas()), (1, 0));
    assert!(!step.state.from.in_router);
}
