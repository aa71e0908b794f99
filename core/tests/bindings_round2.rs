//! Core side of issues 15.1 and 19.10-19.14: the limits bindings check
//! before converting, one step numbering, clearing router fields, registry
//! equality and totals, batch routing and applying a whole plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use replica_router::limits::{
    MAX_CATALOG_REGIONS, MAX_SESSION_AFFINITY_REPLICAS, MAX_TRAFFIC_STEPS,
};
use replica_router::{
    DeploymentSpec, Error, ErrorKind, MigrationRequest, RegionCatalog, Registry, RouterSpec,
    RouterUpdate, Schedule, SessionAffinity,
};

fn ab(seed: u64) -> Registry {
    let mut reg = Registry::new("my-account", seed).unwrap();
    reg.create_deployment(DeploymentSpec::new("m").id("a").replicas(3, 3))
        .unwrap();
    reg.create_deployment(DeploymentSpec::new("m").id("b").replicas(2, 2))
        .unwrap();
    reg.create_router(RouterSpec::new(["a", "b"]).id("ab"))
        .unwrap();
    reg
}

fn reference() -> (Registry, replica_router::MigrationPlan) {
    let mut reg = Registry::new("my-account", 42).unwrap();
    reg.create_deployment(DeploymentSpec::new("m").id("current").replicas(4, 4))
        .unwrap();
    reg.create_router(RouterSpec::new(["current"]).id("my-router"))
        .unwrap();
    let request = MigrationRequest::new(
        "my-router",
        "current",
        "new",
        Schedule::Steps(vec![20, 80, 100]),
    )
    .target_replicas(4);
    let plan = reg.plan_migration(&request).unwrap();
    (reg, plan)
}

#[test]
fn limits_bindings_check_are_enforced_in_core_too() {
    let steps: Vec<u32> = (1..=101).collect();
    let err = Schedule::Steps(steps).validate().unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { limit, .. } if limit == MAX_TRAFFIC_STEPS));
    let regions: Vec<String> = (0..=MAX_CATALOG_REGIONS)
        .map(|i| format!("US_R_{i}"))
        .collect();
    let err = RegionCatalog::new(&regions).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { limit, .. } if limit == MAX_CATALOG_REGIONS));
    assert!(RegionCatalog::new(&regions[..MAX_CATALOG_REGIONS]).is_ok());
    let pairs = (0..=MAX_SESSION_AFFINITY_REPLICAS).map(|i| (format!("d{i}"), u32::from(i == 0)));
    let err = SessionAffinity::new(pairs).unwrap_err();
    assert!(
        matches!(err, Error::LimitExceeded { limit, .. } if limit == MAX_SESSION_AFFINITY_REPLICAS)
    );
}

#[test]
fn table_numbers_steps_like_the_api() {
    let (_, plan) = reference();
    let table = plan.table();
    let lines: Vec<&str> = table.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("step ")).unwrap();
    let rows: Vec<&str> = lines[header + 1..]
        .iter()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(rows, ["start", "0", "1", "2"]);
    assert!(
        plan.rollback(1)
            .unwrap()
            .table()
            .contains("from after step 1")
    );
}

#[test]
fn floor_above_ceiling_or_target_is_infeasible() {
    let (reg, _) = reference();
    let base = MigrationRequest::new("my-router", "current", "new", Schedule::Steps(vec![100]));
    let mut above_ceiling = base.clone();
    above_ceiling.min_total_replicas = Some(5);
    above_ceiling.max_total_replicas = Some(4);
    let mut above_target = base;
    above_target.target_replicas = Some(2);
    above_target.min_total_replicas = Some(3);
    for (request, code) in [
        (above_ceiling, "FLOOR_ABOVE_CEILING"),
        (above_target, "FLOOR_ABOVE_TARGET"),
    ] {
        let err = reg.plan_migration(&request).unwrap_err();
        assert_eq!((err.code(), err.kind()), (code, ErrorKind::InfeasiblePlan));
    }
}

#[test]
fn router_display_name_and_model_can_be_cleared() {
    let mut reg = ab(1);
    let set = RouterUpdate::new().display_name("A/B").model("mm");
    reg.update_router("ab", set).unwrap();
    let r = reg
        .update_router("ab", RouterUpdate::new().clear_display_name())
        .unwrap();
    assert_eq!(r.display_name(), None);
    assert!(r.model().is_some());
    let r = reg
        .update_router("ab", RouterUpdate::new().clear_model())
        .unwrap();
    assert_eq!(r.model(), None);
    // Set after clear in one update: the value wins (documented).
    let mut both = RouterUpdate::new().clear_display_name();
    both.display_name = Some("again".into());
    let r = reg.update_router("ab", both).unwrap();
    assert_eq!(r.display_name(), Some("again"));
}

#[test]
fn registries_compare_by_snapshot_and_count_every_account() {
    let mut reg = ab(1);
    let copy = Registry::from_json(&reg.to_json()).unwrap();
    assert_eq!(copy, reg);
    reg.route("ab", "my-account").unwrap();
    assert_ne!(copy, reg);
    reg.set_account("bob").unwrap();
    assert_eq!(reg.list_deployments().len(), 0);
    let totals = reg.totals();
    assert_eq!(
        (totals.accounts, totals.deployments, totals.routers),
        (1, 2, 1)
    );
}

#[test]
fn route_many_matches_route_calls_and_checks_first() {
    let (mut batch, mut single) = (ab(9), ab(9));
    let mut picks = vec![0u32; 5000];
    let names = {
        let mut b = batch.route_many("ab", "my-account").unwrap();
        b.fill(&mut picks);
        b.deployments().to_vec()
    };
    for &p in &picks {
        let want = single.route("ab", "my-account").unwrap().clone();
        assert_eq!(names[p as usize], want);
    }
    assert_eq!(batch, single);
    let denied = batch
        .route_many("accounts/my-account/routers/ab", "other")
        .unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::PermissionDenied);
    assert_eq!(batch, single, "a refused batch draws nothing");
}

#[test]
fn apply_plan_applies_the_remaining_steps() {
    let (reg, plan) = reference();
    let mut stepwise = reg.clone();
    for i in 0..plan.steps().len() {
        stepwise.apply_step(&plan, i).unwrap();
    }
    let mut whole = reg.clone();
    assert_eq!(whole.apply_plan(&plan).unwrap(), 3);
    assert_eq!(whole, stepwise);
    let mut middle = reg.clone();
    middle.apply_step(&plan, 0).unwrap();
    assert_eq!(middle.apply_plan(&plan).unwrap(), 2);
    assert_eq!(middle.apply_plan(&plan).unwrap(), 0);
    let mut drifted = reg;
    drifted
        .update_deployment(
            "current",
            replica_router::DeploymentUpdate::new().replicas(3, 3),
        )
        .unwrap();
    let before = drifted.to_json();
    let err = drifted.apply_plan(&plan).unwrap_err();
    assert_eq!(err.code(), "STEP_NOT_APPLICABLE");
    assert_eq!(drifted.to_json(), before);
}
