//! Issue 14, feature `serde`: every public value type serializes in the
//! shape it has in the snapshot (SPEC T1) or plan (SPEC M6) JSON, round
//! trips through serde, and deserializing checks what the constructors and
//! `from_json` check, with the core's messages.
#![cfg(feature = "serde")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::registry::*;
use replica_router::{
    ActionKind, Deployment, DeploymentSpec, DirectRoute, Fraction, MigrationAction, MigrationPlan,
    MigrationStep, Placement, Region, RegionCatalog, Registry, RegistryTotals, ResourceName,
    RouteRequest, Router, RouterSpec, Schedule, Seed, Share, Strategy, TrafficSplit,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// `value` through serde_json and back.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> Value {
    let json = serde_json::to_value(value).unwrap();
    let back: T = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(&back, value, "{json}");
    // Through text as well.
    let text = serde_json::to_string(value).unwrap();
    assert_eq!(&serde_json::from_str::<T>(&text).unwrap(), value, "{text}");
    json
}

/// The message deserializing `json` as a `T` fails with.
fn rejected<T: DeserializeOwned + std::fmt::Debug>(json: Value) -> String {
    serde_json::from_value::<T>(json).unwrap_err().to_string()
}

/// A registry with a direct-routed deployment, routers of every strategy,
/// a display name, a model and a second account.
fn sample() -> Registry {
    let mut reg = ab_test();
    reg.create_deployment(
        DeploymentSpec::new(MODEL)
            .id("pinned")
            .region("US_ARIZONA_1")
            .replicas(0, 4)
            .direct_route(["secretkey1", "secretkey2"]),
    )
    .unwrap();
    reg.create_router(
        RouterSpec::new(["deployment-b"])
            .id("rr")
            .strategy(Strategy::WeightedRoundRobin)
            .display_name("Round robin")
            .model(MODEL)
            .session_affinity(true)
            .public(true),
    )
    .unwrap();
    reg.create_router(
        RouterSpec::new(["deployment-a"])
            .id("even")
            .strategy(Strategy::EvenLoad),
    )
    .unwrap();
    reg.set_account("other").unwrap();
    reg.create_deployment(DeploymentSpec::new("m").id("d"))
        .unwrap();
    reg
}

fn snapshot(reg: &Registry) -> Value {
    serde_json::from_str(&reg.to_json()).unwrap()
}

#[test]
fn t1_registry_values_serialize_as_their_snapshot_part() {
    let reg = sample();
    let snap = snapshot(&reg);
    let deployments = snap["deployments"].as_array().unwrap();
    // Every account's deployments, in the snapshot's (name) order.
    let mut listed: Vec<Deployment> = Vec::new();
    let mut reg_all = reg.clone();
    for account in ["my-account", "other"] {
        reg_all.set_account(account).unwrap();
        listed.extend(reg_all.list_deployments().cloned());
    }
    assert_eq!(listed.len(), deployments.len());
    for (d, part) in listed.iter().zip(deployments) {
        assert_eq!(&round_trip(d), part);
        assert_eq!(round_trip(d.placement()), part["region"]);
        assert_eq!(round_trip(d.name()), part["name"]);
        assert_eq!(round_trip(d.model()), part["model"]);
        if let Some(route) = d.direct_route() {
            // DirectRoute::to_json's shape: the snapshot's direct_route
            // members, plus the region the snapshot keeps on the deployment
            // and the secret check it keeps at the top.
            let mut alone = round_trip(route);
            assert_eq!(
                alone,
                serde_json::from_str::<Value>(&route.to_json()).unwrap()
            );
            assert_eq!(alone["region"], part["region"]);
            assert_eq!(alone["key_secret_check"], snap["key_secret_check"]);
            alone.as_object_mut().unwrap().remove("region");
            alone.as_object_mut().unwrap().remove("key_secret_check");
            assert_eq!(alone, part["direct_route"]);
            assert_eq!(alone["api_keys"].as_array().unwrap().len(), 2);
            let text = serde_json::to_string(route).unwrap();
            assert!(!text.contains("secretkey"), "{text}");
        }
    }
    assert!(listed.iter().any(|d| d.direct_route().is_some()));
    let routers = snap["routers"].as_array().unwrap();
    // Only my-account has routers.
    reg_all.set_account(ACCOUNT).unwrap();
    let listed: Vec<&Router> = reg_all.list_routers().collect();
    assert_eq!(listed.len(), routers.len());
    for (r, part) in listed.iter().zip(routers) {
        assert_eq!(&round_trip(*r), part);
        assert_eq!(round_trip(&r.strategy()), part["strategy"]);
    }
    assert_eq!(round_trip(reg.catalog()), snap["catalog"]);
    assert_eq!(round_trip(&reg.seed()), snap["seed"]);
    assert_eq!(
        serde_json::to_value(reg.account()).unwrap(),
        snap["account"]
    );
    let custom = RegionCatalog::new(["EU_PARIS_2", "us-texas-1"]).unwrap();
    assert_eq!(round_trip(&custom), json!(["EU_PARIS_2", "US_TEXAS_1"]));
    assert_eq!(round_trip(&Placement::MultiRegion), Value::Null);
}

#[test]
fn m6_plan_values_serialize_as_their_plan_part() {
    let (reg, request) = reference_migration();
    let plan = reg.plan_migration(&request).unwrap();
    let rollback = plan.rollback(2).unwrap();
    for plan in [&plan, &rollback] {
        let json: Value = serde_json::from_str(&plan.to_json()).unwrap();
        assert_eq!(round_trip(plan), json);
        assert_eq!(round_trip(&plan.kind()), json["kind"]);
        assert_eq!(round_trip(plan.schedule()), json["schedule"]);
        assert_eq!(round_trip(plan.initial()), json["initial"]);
        assert_eq!(round_trip(&plan.initial().from), json["initial"]["from"]);
        assert_eq!(round_trip(plan.router()), json["router"]);
        for (o, part) in plan.others().iter().zip(json["others"].as_array().unwrap()) {
            assert_eq!(&round_trip(o), part);
        }
        let steps = json["steps"].as_array().unwrap();
        assert_eq!(plan.steps().len(), steps.len());
        for (step, part) in plan.steps().iter().zip(steps) {
            assert_eq!(&round_trip(step), part);
            assert_eq!(round_trip(&step.to_share), part["to_share"]);
            for (a, p) in step.actions.iter().zip(part["actions"].as_array().unwrap()) {
                assert_eq!(&round_trip(a), p);
                assert_eq!(round_trip(&a.kind()), p["action"]);
            }
            for (s, p) in step.split.iter().zip(part["split"].as_array().unwrap()) {
                assert_eq!(&round_trip(s), p);
            }
        }
    }
    assert_eq!(
        round_trip(&rollback.kind()),
        json!({"rollback": {"after_step": 2}})
    );
    let max_step = Schedule::MaxStep(20);
    assert_eq!(round_trip(&max_step), json!({"max_step": 20}));
    for kind in ActionKind::ALL {
        assert_eq!(round_trip(&kind), json!(kind.as_str()));
    }
}

#[test]
fn r5_splits_totals_and_decisions_serialize() {
    let mut reg = sample();
    reg.set_account(ACCOUNT).unwrap();
    let split: TrafficSplit = reg.traffic_split("ab-test").unwrap();
    assert_eq!(
        round_trip(&split),
        json!({
            "router": router_name("ab-test"),
            "total_replicas": 5,
            "shares": [
                {"deployment": dep_name("deployment-a"), "replicas": 3, "fraction": "3/5"},
                {"deployment": dep_name("deployment-b"), "replicas": 2, "fraction": "2/5"},
            ],
        })
    );
    let share: &Share = &split.shares[0];
    assert_eq!(round_trip(share)["fraction"], "3/5");
    assert_eq!(
        round_trip(&reg.totals()),
        json!({"accounts": 2, "deployments": 4, "routers": 3})
    );
    let decision = reg
        .route_request(&RouteRequest::new(&router_name("rr"), ACCOUNT).session_key("user-1"))
        .unwrap();
    assert!(decision.replica.is_some());
    assert_eq!(
        serde_json::to_value(decision).unwrap(),
        json!({
            "deployment": dep_name("deployment-b"),
            "replica": decision.replica,
            "next_cursor": decision.next_cursor,
        })
    );
}

#[test]
fn e1_invalid_values_are_rejected_with_the_core_message() {
    let mut reg = sample();
    reg.set_account(ACCOUNT).unwrap();
    let snap = snapshot(&reg);
    let deployment = snap["deployments"][0].clone();
    let pinned = snap["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| !d["direct_route"].is_null())
        .unwrap()
        .clone();
    let router = snap["routers"][0].clone();
    let edit = |v: &Value, key: &str, new: Value| {
        let mut v = v.clone();
        v[key] = new;
        v
    };
    let message = |e: replica_router::Error| e.to_string();

    // Deployments: the rules of create_deployment and from_json.
    let mut fresh = registry();
    let bounds = fresh
        .create_deployment(DeploymentSpec::new(MODEL).replicas(3, 2))
        .unwrap_err();
    let bad = edit(
        &edit(&deployment, "min_replicas", json!(3)),
        "max_replicas",
        json!(2),
    );
    assert_eq!(rejected::<Deployment>(bad), message(bounds));
    let bad = edit(&deployment, "region", json!("nowhere"));
    assert_eq!(
        rejected::<Deployment>(bad),
        message(Region::new("nowhere").unwrap_err())
    );
    let bad = edit(&deployment, "name", json!("accounts/my-account/routers/r"));
    assert!(rejected::<Deployment>(bad).contains("is invalid: expected a full name"));
    let bad = edit(&deployment, "replicas", json!(-1));
    assert_eq!(
        rejected::<Deployment>(bad),
        "replicas: expected an unsigned integer that fits u32, found -1"
    );
    assert_eq!(
        rejected::<Deployment>(edit(&deployment, "extra", json!(1))),
        "unknown field `extra`"
    );
    let mut missing = deployment.clone();
    missing.as_object_mut().unwrap().remove("model");
    assert_eq!(rejected::<Deployment>(missing), "missing field `model`");
    // A direct route needs a region, as in a snapshot.
    let bad = edit(&pinned, "region", Value::Null);
    assert_eq!(
        rejected::<Deployment>(bad),
        message(replica_router::Error::RegionRequired)
    );

    // Direct routes: repeated digests and bad domains, as from_json.
    let route = serde_json::to_value(
        reg.get_deployment(pinned["name"].as_str().unwrap())
            .unwrap()
            .direct_route()
            .unwrap(),
    )
    .unwrap();
    let stored = route["api_keys"][0].clone();
    let bad = edit(&route, "api_keys", json!([stored, stored]));
    assert_eq!(
        rejected::<DirectRoute>(bad),
        DirectRoute::new(Region::new("US_ARIZONA_1").unwrap(), &["k", "k"], 1)
            .unwrap_err()
            .to_string()
    );
    let bad = edit(&route, "domain", json!("-bad-"));
    let domain_error = DirectRoute::new(Region::new("US_ARIZONA_1").unwrap(), &["k"], 1)
        .unwrap()
        .with_domain("-bad-")
        .unwrap_err();
    assert_eq!(rejected::<DirectRoute>(bad), message(domain_error));
    let bad = edit(&route, "api_keys", json!([]));
    assert_eq!(
        rejected::<DirectRoute>(bad),
        DirectRoute::new(Region::new("US_ARIZONA_1").unwrap(), &[] as &[&str], 1)
            .unwrap_err()
            .to_string()
    );
    let mut short = stored.clone();
    short["digest"] = json!("00");
    let bad = edit(&route, "api_keys", json!([short]));
    assert!(rejected::<DirectRoute>(bad).ends_with("and a digest of 64 lower-case hex digits"));

    // Routers: what a router alone can break.
    let foreign = edit(
        &router,
        "deployments",
        json!(["accounts/other/deployments/d"]),
    );
    let err = registry_with_other()
        .create_router(RouterSpec::new(["accounts/other/deployments/d"]))
        .unwrap_err();
    assert_eq!(rejected::<Router>(foreign), message(err));
    let a = dep_name("deployment-a");
    let repeated = edit(&router, "deployments", json!([a, a]));
    let err = reg
        .clone()
        .create_router(RouterSpec::new([a.as_str(), a.as_str()]))
        .unwrap_err();
    assert_eq!(rejected::<Router>(repeated), message(err));
    let empty = edit(&router, "deployments", json!([]));
    let err = reg
        .clone()
        .create_router(RouterSpec::new(Vec::<String>::new()))
        .unwrap_err();
    assert_eq!(rejected::<Router>(empty), message(err));
    let bad = edit(&router, "strategy", json!("fastest"));
    assert_eq!(
        rejected::<Router>(bad),
        message("fastest".parse::<Strategy>().unwrap_err())
    );

    // Values held as strings.
    assert_eq!(
        rejected::<Strategy>(json!("fastest")),
        message("fastest".parse::<Strategy>().unwrap_err())
    );
    assert_eq!(
        rejected::<Region>(json!("nowhere")),
        message(Region::new("nowhere").unwrap_err())
    );
    assert_eq!(
        rejected::<RegionCatalog>(json!(["US_ARIZONA_1", "nowhere"])),
        message(RegionCatalog::new(["US_ARIZONA_1", "nowhere"]).unwrap_err())
    );
    assert!(rejected::<ResourceName>(json!("my-router")).contains("is not a full resource name"));
    assert!(rejected::<ResourceName>(json!("accounts/A/routers/r")).contains("account ID"));
    assert!(rejected::<Fraction>(json!("2/4")).contains("not a fraction in lowest terms"));
    assert!(rejected::<Fraction>(json!("1/0")).contains("not a fraction in lowest terms"));
    assert!(rejected::<ActionKind>(json!("explode")).starts_with("unknown action 'explode'"));
    assert_eq!(
        rejected::<Seed>(json!("abc")),
        "seed: expected 64 lower-case hex digits"
    );
    assert_eq!(round_trip(&Fraction::new(6, 10).unwrap()), json!("3/5"));
    assert_eq!(
        round_trip(&Region::new("us-arizona-1").unwrap()),
        json!("US_ARIZONA_1")
    );

    // Plan parts: the plan reader's checks, e.g. an unknown action.
    let plan = reference_plan_json();
    let mut action = plan["steps"][0]["actions"][0].clone();
    action["action"] = json!("explode");
    assert!(rejected::<MigrationAction>(action).starts_with("unknown action 'explode'"));
    let mut step = plan["steps"][0].clone();
    step["to_share"] = json!("0.5");
    assert!(rejected::<MigrationStep>(step).starts_with("to_share: '0.5' is not a fraction"));
    // A whole plan is checked as from_json checks it.
    let mut tampered = plan.clone();
    tampered["steps"][0]["to_share"] = json!("1/1");
    assert_eq!(
        rejected::<MigrationPlan>(tampered.clone()),
        MigrationPlan::from_json(&tampered.to_string())
            .unwrap_err()
            .to_string()
    );
}

fn registry_with_other() -> Registry {
    let mut reg = registry();
    reg.set_account("other").unwrap();
    reg.create_deployment(DeploymentSpec::new("m").id("d"))
        .unwrap();
    reg.set_account(ACCOUNT).unwrap();
    reg
}

fn reference_plan_json() -> Value {
    let (reg, request) = reference_migration();
    serde_json::to_value(reg.plan_migration(&request).unwrap()).unwrap()
}

#[test]
fn totals_and_seeds_round_trip() {
    assert_eq!(
        rejected::<RegistryTotals>(json!({"accounts": 1, "deployments": 2})),
        "missing field `routers`"
    );
    let seed = Seed::from_u64(42);
    assert_eq!(round_trip(&seed).as_str().unwrap().len(), 64);
}
