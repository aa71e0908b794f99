//! Helpers for the migration tests (SPEC M3-M6): registries of small
//! routers, and plans applied action by action with the M3 invariants checked
//! after each.

use replica_router::{
    Deployment, DeploymentSpec, DeploymentUpdate, MigrationAction, MigrationPlan, PlanKind,
    Registry, RouterUpdate,
};

pub use super::{ACCOUNT, MODEL};

/// A registry with deployments `d0..dn` (the given replicas, bounds min = max)
/// and a router `r` over the first `in_router` of them.
pub fn registry(replicas: &[u32], in_router: usize) -> Registry {
    let mut reg = Registry::new(ACCOUNT, 7).unwrap();
    for (i, &r) in replicas.iter().enumerate() {
        reg.create_deployment(
            DeploymentSpec::new(MODEL)
                .id(format!("d{i}"))
                .replicas(r, r),
        )
        .unwrap();
    }
    let names: Vec<String> = (0..in_router).map(|i| format!("d{i}")).collect();
    reg.create_router(replica_router::RouterSpec::new(names).id("r"))
        .unwrap();
    reg
}

/// Applies one action through the registry's public operations.
pub fn apply_action(reg: &mut Registry, action: &MigrationAction) {
    match action {
        MigrationAction::CreateDeployment {
            deployment,
            model,
            replicas,
        } => {
            reg.create_deployment(
                DeploymentSpec::new(model.to_string())
                    .id(deployment.to_string())
                    .replicas(*replicas, *replicas),
            )
            .unwrap();
        }
        MigrationAction::AddToRouter {
            router,
            deployments,
            ..
        }
        | MigrationAction::RemoveFromRouter {
            router,
            deployments,
            ..
        } => {
            reg.update_router(
                &router.to_string(),
                RouterUpdate::new().deployments(deployments.iter().map(ToString::to_string)),
            )
            .unwrap();
        }
        MigrationAction::SetReplicaBounds {
            deployment,
            min_replicas,
            max_replicas,
        } => {
            reg.update_deployment(
                &deployment.to_string(),
                DeploymentUpdate::new().replicas(*min_replicas, *max_replicas),
            )
            .unwrap();
        }
        MigrationAction::DeleteDeployment { deployment } => {
            reg.delete_deployment(&deployment.to_string()).unwrap();
        }
        other => panic!("unknown action {other:?}"),
    }
}

/// What the M3 invariants look at, read from a real registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// `from`'s replicas (0 when it does not exist).
    pub from: u64,
    /// `to`'s replicas (0 when it does not exist).
    pub to: u64,
    /// From+to replicas serving in the router.
    pub serving: u64,
    /// All replicas of the router's deployments.
    pub router_total: u64,
    /// `to`'s serving replicas and the from+to serving replicas.
    pub to_share: (u64, u64),
    /// `to`'s share of the router: (to serving, router total).
    pub to_router_share: (u64, u64),
    /// The router's other deployments, in order.
    pub others: Vec<Deployment>,
}

/// Reads what the M3 invariants look at.
pub fn observe(reg: &Registry, plan: &MigrationPlan) -> Observed {
    let router = reg.get_router(&plan.router().to_string()).unwrap();
    let count = |name: &replica_router::ResourceName| {
        reg.get_deployment(&name.to_string())
            .map(|d| u64::from(d.replicas()))
            .unwrap_or(0)
    };
    let in_router = |name| router.deployments().contains(name);
    let serving_of = |name| if in_router(name) { count(name) } else { 0 };
    let (from, to) = (plan.from(), plan.to());
    let router_total = router.deployments().iter().map(count).sum();
    let others = router
        .deployments()
        .iter()
        .filter(|d| *d != from && *d != to)
        .map(|d| reg.get_deployment(&d.to_string()).unwrap().clone())
        .collect();
    let serving = serving_of(from) + serving_of(to);
    Observed {
        from: count(from),
        to: count(to),
        serving,
        router_total,
        to_share: (serving_of(to), serving),
        to_router_share: (serving_of(to), router_total),
        others,
    }
}

fn share_le(a: (u64, u64), b: (u64, u64)) -> bool {
    // a <= b, with 0/0 read as 0.
    let (an, ad) = if a.1 == 0 { (0, 1) } else { a };
    let (bn, bd) = if b.1 == 0 { (0, 1) } else { b };
    u128::from(an) * u128::from(bd) <= u128::from(bn) * u128::from(ad)
}

/// Asserts the SPEC M3 invariants of one action, from `before` to `after`.
/// `start` is the observation before the plan's first action.
pub fn assert_m3(
    plan: &MigrationPlan,
    start: &Observed,
    before: &Observed,
    after: &Observed,
    at: &str,
) {
    let floor = u64::from(plan.min_total_replicas());
    let rollback_to_idle = matches!(plan.kind(), PlanKind::Rollback { .. })
        && plan.steps().last().is_some_and(|s| s.split.is_empty());
    if start.router_total > 0 && !rollback_to_idle {
        assert!(after.router_total > 0, "{at}: the router stopped serving");
        if after.others.iter().all(|d| d.replicas() == 0) {
            assert!(after.serving >= 1, "{at}: no from+to replica serves");
        }
    }
    // M3 (issue 18): serving replicas never fall below the floor, or below
    // their start count when they start below it.
    assert!(
        after.serving >= before.serving || after.serving >= floor.min(start.serving),
        "{at}: serving fell from {} to {} with floor {floor}",
        before.serving,
        after.serving
    );
    if let Some(c) = plan.max_total_replicas() {
        assert!(
            after.from + after.to <= u64::from(c),
            "{at}: ceiling {c} exceeded"
        );
    }
    assert!(after.from <= before.from, "{at}: from rose");
    assert!(after.to >= before.to, "{at}: to fell");
    assert!(
        share_le(before.to_share, after.to_share),
        "{at}: to's from+to share fell"
    );
    assert!(
        share_le(before.to_router_share, after.to_router_share),
        "{at}: to's router share fell"
    );
    assert_eq!(
        after.others, start.others,
        "{at}: other deployments touched"
    );
}

/// Applies every action of `plan` one by one to `reg`, checking M3 after
/// each, and checks that each step ends in its recorded state and split.
pub fn run_checked(reg: &mut Registry, plan: &MigrationPlan) {
    let start = observe(reg, plan);
    let mut before = start.clone();
    for (i, step) in plan.steps().iter().enumerate() {
        for (j, action) in step.actions.iter().enumerate() {
            apply_action(reg, action);
            let after = observe(reg, plan);
            assert_m3(
                plan,
                &start,
                &before,
                &after,
                &format!("step {i} action {j} ({action})"),
            );
            before = after;
        }
        let split = reg.traffic_split(&plan.router().to_string());
        let got: Vec<_> = match split {
            Ok(split) => split
                .shares
                .iter()
                .map(|s| (s.deployment.clone(), s.replicas, s.fraction))
                .collect(),
            // Only a rollback to a router that served nothing ends idle.
            Err(replica_router::Error::NoCapacity { .. }) => Vec::new(),
            Err(e) => panic!("step {i}: {e}"),
        };
        let want: Vec<_> = step
            .split
            .iter()
            .map(|s| (s.deployment.clone(), s.replicas, s.share))
            .collect();
        assert_eq!(got, want, "step {i}: split");
        assert_eq!(before.to, u64::from(step.to_replicas()), "step {i}: to");
        assert_eq!(
            before.from,
            u64::from(step.from_replicas()),
            "step {i}: from"
        );
    }
}

/// The SPEC M3 final state of a migration: `to` at the target, `from` at 0
/// and out of the router, the other deployments untouched.
pub fn assert_final(reg: &Registry, plan: &MigrationPlan) {
    let to = reg.get_deployment(&plan.to().to_string()).unwrap();
    assert_eq!(to.replicas(), plan.target_replicas(), "to at target");
    let from = reg.get_deployment(&plan.from().to_string()).unwrap();
    assert_eq!(from.replicas(), 0, "from at 0");
    let router = reg.get_router(&plan.router().to_string()).unwrap();
    assert!(!router.deployments().contains(plan.from()), "from removed");
    assert!(router.deployments().contains(plan.to()), "to in router");
}
