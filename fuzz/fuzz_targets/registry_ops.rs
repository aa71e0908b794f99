//! Random sequences of registry operations and routes (SPEC R3, R5, R6, D2):
//! never a panic, a failed operation leaves the snapshot unchanged, and every
//! successful route lands on a deployment of the target with replicas.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use replica_router::{DeploymentSpec, DeploymentUpdate, Registry, RouterSpec, RouterUpdate};

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
