//! Random sequences of registry operations, routes (every strategy) and
//! migration plans (SPEC R3, R5, R6, R7, D2, M3, M6): never a panic, a failed
//! operation leaves the snapshot unchanged, every successful route lands on
//! a deployment of the target with replicas, and every plan replays with its
//! invariants, applies to its final state and rolls back to the start.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use replica_router::{
    DeploymentSpec, DeploymentUpdate, MigrationPlan, MigrationRequest, Registry, RouteRequest,
    RouterSpec, RouterUpdate, Schedule, Strategy,
};

#[derive(Debug, Arbitrary)]
enum Op {
    CreateDeployment { id: u8, min: u8, max: u8, pinned: bool },
    UpdateDeployment { id: u8, min: Option<u8>, max: Option<u8> },
    DeleteDeployment { id: u8 },
    CreateRouter { id: Option<u8>, deployments: Vec<u8>, public: bool },
    UpdateRouter { id: u8, deployments: Option<Vec<u8>>, public: Option<bool> },
    DeleteRouter { id: u8 },
    SwitchAccount { account: bool },
    Route { target: u8, router: bool, caller: bool },
    RawRoute { model: String, caller: String },
    SetStrategy { id: u8, strategy: u8 },
    RouteRequest { target: u8, session_key: Option<String>, cursor: Option<u64>, caller: bool },
    Plan { router: u8, from: u8, to: u8, target: Option<u8>, steps: Option<Vec<u8>>, max_step: u8, floor: Option<u8>, ceiling: Option<u8>, rollback_after: u8 },
}

fn d(i: u8) -> String {
    format!("d{}", i % 8)
}

fn r(i: u8) -> String {
    format!("r{}", i % 8)
}

fn account(b: bool) -> &'static str {
    if b { "acct-b" } else { "acct-a" }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut reg = Registry::new("acct-a", 7).unwrap();
    for op in ops.iter().take(64) {
        let before = reg.to_json();
        let failed = match op {
            Op::CreateDeployment { id, min, max, pinned } => {
                let mut spec = DeploymentSpec::new("m").id(d(*id)).replicas(u32::from(*min % 8), u32::from(*max % 8));
                if *pinned {
                    spec = spec.region("US_TEXAS_1");
                }
                reg.create_deployment(spec).is_err()
            }
            Op::UpdateDeployment { id, min, max } => {
                let mut u = DeploymentUpdate::new();
                u.min_replicas = min.map(|m| u32::from(m % 8));
                u.max_replicas = max.map(|m| u32::from(m % 8));
                reg.update_deployment(&d(*id), u).is_err()
            }
            Op::DeleteDeployment { id } => reg.delete_deployment(&d(*id)).is_err(),
            Op::CreateRouter { id, deployments, public } => {
                let mut spec = RouterSpec::new(deployments.iter().take(6).map(|i| d(*i))).public(*public);
                spec.id = id.map(r);
                reg.create_router(spec).is_err()
            }
            Op::UpdateRouter { id, deployments, public } => {
                let mut u = RouterUpdate::new();
                u.deployments = deployments.as_ref().map(|ds| ds.iter().take(6).map(|i| d(*i)).collect());
                u.public = *public;
                reg.update_router(&r(*id), u).is_err()
            }
            Op::DeleteRouter { id } => reg.delete_router(&r(*id)).is_err(),
            Op::SwitchAccount { account: a } => reg.set_account(account(*a)).is_err(),
            Op::Route { target, router, caller } => {
                let model = if *router {
                    format!("accounts/acct-a/routers/{}", r(*target))
                } else {
                    format!("accounts/acct-a/deployments/{}", d(*target))
                };
                let caller = account(*caller);
                let routed = reg.route(&model, caller).map(|n| n.to_string());
                if let Ok(picked) = routed {
                    check_route(&reg, &model, caller, &picked);
                }
                // Routing advances the registry's generator: not a failure.
                false
            }
            Op::RawRoute { model, caller } => {
                let _ = reg.route(model, caller);
                false
            }
            Op::SetStrategy { id, strategy } => {
                let name = [Strategy::WeightedRandom, Strategy::EvenLoad, Strategy::WeightedRoundRobin]
                    [usize::from(*strategy % 3)];
                let update = RouterUpdate::new().strategy(name).session_affinity(*strategy / 3 % 2 == 1);
                reg.update_router(&r(*id), update).is_err()
            }
            Op::RouteRequest { target, session_key, cursor, caller } => {
                let model = format!("accounts/acct-a/routers/{}", r(*target));
                let caller = account(*caller);
                // A tracker with a load that depends on the cursor, for even-load routers.
                let load = reg.load_tracker(&model).ok();
                if let Some(load) = &load {
                    for (i, d) in load.deployments().iter().enumerate() {
                        let _ = load.set(&d.to_string(), cursor.unwrap_or(0).rotate_left(i as u32) % 7);
                    }
                }
                let mut request = RouteRequest::new(&model, caller);
                request.session_key = session_key.as_deref();
                request.cursor = *cursor;
                request.load = load.as_ref();
                let decided = reg
                    .route_request(&request)
                    .map(|d| (d.deployment.to_string(), d.replica));
                if let Ok((picked, replica)) = decided {
                    check_route(&reg, &model, caller, &picked);
                    if let Some(slot) = replica {
                        let mut owner = reg.clone();
                        owner.set_account("acct-a").unwrap();
                        assert!(slot < owner.get_deployment(&picked).unwrap().replicas(), "replica slot out of range");
                    }
                }
                false
            }
            Op::Plan { router, from, to, target, steps, max_step, floor, ceiling, rollback_after } => {
                let schedule = match steps {
                    Some(steps) => Schedule::Steps(steps.iter().take(6).map(|s| u32::from(*s)).collect()),
                    None => Schedule::MaxStep(u32::from(*max_step)),
                };
                let mut request = MigrationRequest::new(r(*router), d(*from), d(*to), schedule);
                request.target_replicas = target.map(|t| u32::from(t % 16));
                request.min_total_replicas = floor.map(|f| u32::from(f % 16));
                request.max_total_replicas = ceiling.map(|c| u32::from(c % 32));
                if let Ok(plan) = reg.plan_migration(&request) {
                    assert_eq!(reg.to_json(), before, "planning changed the registry");
                    check_plan(&reg, &plan, usize::from(*rollback_after));
                }
                false
            }
        };
        if failed {
            assert_eq!(reg.to_json(), before, "failed {op:?} changed the state");
        }
    }
    let json = reg.to_json();
    assert_eq!(Registry::from_json(&json).unwrap().to_json(), json);
});

/// A successful route lands on a deployment with replicas, listed by the
/// router when the target is a router.
fn check_route(reg: &Registry, model: &str, caller: &str, picked: &str) {
    let mut owner = reg.clone();
    owner.set_account("acct-a").unwrap();
    let deployment = owner.get_deployment(picked).expect("routed to an existing deployment");
    assert!(deployment.replicas() > 0, "routed to a deployment with 0 replicas");
    if model.contains("/routers/") {
        let router = owner.get_router(model).unwrap();
        assert!(router.deployments().iter().any(|n| n.to_string() == picked));
        assert!(router.is_public() || caller == "acct-a", "private router served to {caller}");
    } else {
        assert_eq!(model, picked);
        assert_eq!(caller, "acct-a", "deployment served to another account");
    }
}

/// A plan replays with its M3 invariants (from_json re-checks every action),
/// applies step by step to its final state, and rolls back to the start.
fn check_plan(reg: &Registry, plan: &MigrationPlan, rollback_after: usize) {
    let json = plan.to_json();
    assert_eq!(&MigrationPlan::from_json(&json).expect("a plan's own JSON replays"), plan);
    let start = reg.to_json();
    let mut applied = reg.clone();
    let mut previous = (0u32, u32::MAX);
    for step in 0..plan.steps().len() {
        applied.apply_step(plan, step).expect("a fresh plan applies");
        let s = &plan.steps()[step];
        let now = (s.to_replicas(), s.from_replicas());
        assert!(now.0 >= previous.0 && now.1 <= previous.1, "to fell or from rose");
        previous = now;
    }
    if let Some(last) = plan.steps().last() {
        assert_eq!(last.to_replicas(), plan.target_replicas(), "ends at the target");
        assert_eq!(last.from_replicas(), 0, "from ends at 0");
        let mut owner = applied.clone();
        owner.set_account(plan.router().account().as_str()).unwrap();
        let router = owner.get_router(&plan.router().to_string()).unwrap();
        assert!(!router.deployments().contains(plan.from()), "from removed from the router");
        let k = rollback_after % plan.steps().len();
        let mut partial = reg.clone();
        for step in 0..=k {
            partial.apply_step(plan, step).unwrap();
        }
        let back = plan.rollback(k).expect("rollback from any step");
        for step in 0..back.steps().len() {
            partial.apply_step(&back, step).expect("rollback applies");
        }
        assert_eq!(partial.to_json(), start, "rollback returns to the initial snapshot");
    }
}
