//! SPEC T1-T2 and R3 under random operation sequences: snapshots round-trip
//! exactly, bad JSON is an error, failed operations leave the snapshot
//! byte-for-byte unchanged, shares always sum to exactly 1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::registry::*;
use proptest::prelude::*;
use replica_router::{
    DeploymentSpec, DeploymentUpdate, Error, Fraction, Registry, RouterSpec, RouterUpdate,
};

#[test]
fn t1_round_trip_is_exact_and_keeps_behaviour() {
    let mut reg = ab_test();
    reg.create_deployment(
        DeploymentSpec::new(MODEL)
            .id("pinned")
            .region("us-iowa-1")
            .direct_route(["k1", "k2"]),
    )
    .unwrap();
    reg.create_router(
        RouterSpec::new(["deployment-b"])
            .display_name("Solo \"B\"")
            .model("m")
            .public(true),
    )
    .unwrap();
    reg.set_account("other").unwrap();
    deployment(&mut reg, "theirs", 7);
    reg.set_account(ACCOUNT).unwrap();
    for _ in 0..10 {
        reg.route("ab-test", ACCOUNT).unwrap();
    }
    let json = reg.to_json();
    let mut loaded = Registry::from_json(&json).unwrap();
    assert_eq!(loaded.to_json(), json);
    // Same future: generated IDs and routes continue identically.
    let mut original = reg.clone();
    for _ in 0..50 {
        assert_eq!(
            loaded.route("ab-test", ACCOUNT).unwrap(),
            original.route("ab-test", ACCOUNT).unwrap()
        );
    }
    let a = loaded
        .create_router(RouterSpec::new(["deployment-a"]))
        .unwrap();
    let b = original
        .create_router(RouterSpec::new(["deployment-a"]))
        .unwrap();
    assert_eq!(a.name(), b.name());
}

#[test]
fn t1_format_has_a_version_and_listings_are_sorted() {
    let reg = ab_test();
    let value: serde_json::Value = serde_json::from_str(&reg.to_json()).unwrap();
    assert_eq!(value["format_version"], 3);
    assert_eq!(value["deployments"][0]["name"], dep_name("deployment-a"));
    assert_eq!(value["routers"][0]["strategy"], "weighted-random");
}

fn mutate(json: &str, f: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    f(&mut v);
    v.to_string()
}

/// Issue 15: messages that misled.
#[test]
fn t1_snapshot_errors_say_what_is_wrong_once() {
    let good = ab_test().to_json();
    // Replicas outside equal bounds: not "min 3 is greater than max 3".
    let bad = mutate(&good, |v| {
        let d = &mut v["deployments"][0];
        d["min_replicas"] = 3.into();
        d["max_replicas"] = 3.into();
        d["replicas"] = 4.into();
    });
    let message = Registry::from_json(&bad).unwrap_err().to_string();
    assert!(
        message
            .ends_with("replica count 4 is outside its bounds 3 to 3; use min <= replicas <= max"),
        "{message}"
    );
    // A bad digest: one prefix, the path in full.
    let bad = mutate(&good, |v| {
        let d = &mut v["deployments"][0];
        d["region"] = "US_ARIZONA_1".into();
        d["direct_route"] = serde_json::json!({
            "api_keys": [{"scheme": "salted-sha256", "salt": "00".repeat(16), "digest": "zz"}],
            "domain": "example.com"
        });
    });
    let err = Registry::from_json(&bad).unwrap_err();
    assert_eq!(err.code(), "INVALID_JSON");
    let message = err.to_string();
    assert!(
        message.starts_with(
            "invalid snapshot JSON: deployments[0].direct_route.api_keys[0]: expected scheme \
             hmac-sha256 or salted-sha256 with a salt of 32 lower-case hex digits"
        ),
        "{message}"
    );
    assert_eq!(message.matches("invalid snapshot").count(), 1, "{message}");
}

#[test]
fn t1_bad_json_is_an_error_never_a_partial_state() {
    let good = ab_test().to_json();
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "INVALID_JSON"),
        ("{".into(), "INVALID_JSON"),
        ("[]".into(), "INVALID_JSON"),
        ("{}".into(), "INVALID_JSON"),
        (
            mutate(&good, |v| v["format_version"] = 4.into()),
            "UNSUPPORTED_FORMAT_VERSION",
        ),
        (mutate(&good, |v| v["extra"] = 1.into()), "INVALID_JSON"),
        (mutate(&good, |v| v["seed"] = "zz".into()), "INVALID_JSON"),
        (
            mutate(&good, |v| v["route_rng_word_pos"] = "-1".into()),
            "INVALID_JSON",
        ),
        // Issue 15: non-canonical numbers would be written back changed.
        (
            mutate(&good, |v| v["route_rng_word_pos"] = "+0005".into()),
            "INVALID_JSON",
        ),
        (
            mutate(&good, |v| v["id_rng_word_pos"] = "00".into()),
            "INVALID_JSON",
        ),
        (
            mutate(&good, |v| v["id_rng_word_pos"] = " 5".into()),
            "INVALID_JSON",
        ),
        (
            mutate(&good, |v| v["account"] = "Bad".into()),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| v["catalog"][0] = "nowhere".into()),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| v["deployments"][0]["replicas"] = 9.into()),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| v["deployments"][0]["min_replicas"] = 9.into()),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| v["deployments"][0]["name"] = "d1".into()),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| v["deployments"][1] = v["deployments"][0].clone()),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| {
                v["routers"][0]["deployments"] = serde_json::json!([])
            }),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| {
                v["routers"][0]["deployments"][1] = dep_name("gone").into()
            }),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| {
                v["routers"][0]["deployments"][1] = "accounts/x/deployments/y".into()
            }),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| v["routers"][0]["strategy"] = "random".into()),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| {
                let dup = v["routers"][0].clone();
                v["routers"].as_array_mut().unwrap().push(dup)
            }),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(&good, |v| {
                v["deployments"][0]["region"] = "US_IOWA_1".into()
            }),
            "INVALID_SNAPSHOT",
        ),
        (
            mutate(
                &good,
                |v| v["deployments"][1]["direct_route"] = serde_json::json!({"api_keys": [{"scheme": "sha256", "salt": null, "digest": "00".repeat(32)}], "domain": "x.com"}),
            ),
            "INVALID_SNAPSHOT",
        ),
    ];
    for (json, code) in cases {
        let err = Registry::from_json(&json).unwrap_err();
        assert_eq!(err.code(), code, "{json}\n{err}");
    }
    let err = Registry::from_json(&mutate(&good, |v| {
        v["deployments"][0]["replicas"] = 9.into()
    }))
    .unwrap_err();
    assert!(err.to_string().contains("deployments[0]"), "{err}");
}

/// One registry operation with small, colliding names so that both
/// successes and failures are common.
#[derive(Debug, Clone)]
enum Op {
    CreateDeployment {
        id: u8,
        min: u32,
        max: u32,
        pinned: bool,
    },
    UpdateDeployment {
        id: u8,
        min: Option<u32>,
        max: Option<u32>,
    },
    DeleteDeployment {
        id: u8,
    },
    CreateRouter {
        id: Option<u8>,
        deployments: Vec<u8>,
        public: bool,
    },
    UpdateRouter {
        id: u8,
        deployments: Option<Vec<u8>>,
        public: Option<bool>,
    },
    DeleteRouter {
        id: u8,
    },
    SwitchAccount {
        account: u8,
    },
    Route {
        router: u8,
        caller: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0u8..6;
    prop_oneof![
        (id.clone(), 0u32..5, 0u32..5, proptest::bool::weighted(0.2)).prop_map(
            |(id, min, max, pinned)| Op::CreateDeployment {
                id,
                min,
                max,
                pinned
            }
        ),
        (
            id.clone(),
            proptest::option::of(0u32..6),
            proptest::option::of(0u32..6)
        )
            .prop_map(|(id, min, max)| Op::UpdateDeployment { id, min, max }),
        id.clone().prop_map(|id| Op::DeleteDeployment { id }),
        (
            proptest::option::of(id.clone()),
            proptest::collection::vec(id.clone(), 0..4),
            any::<bool>()
        )
            .prop_map(|(id, deployments, public)| Op::CreateRouter {
                id,
                deployments,
                public
            }),
        (
            id.clone(),
            proptest::option::of(proptest::collection::vec(id.clone(), 0..4)),
            proptest::option::of(any::<bool>())
        )
            .prop_map(|(id, deployments, public)| Op::UpdateRouter {
                id,
                deployments,
                public
            }),
        id.clone().prop_map(|id| Op::DeleteRouter { id }),
        (0u8..2).prop_map(|account| Op::SwitchAccount { account }),
        (id.clone(), 0u8..2).prop_map(|(router, caller)| Op::Route { router, caller }),
    ]
}

fn account(i: u8) -> String {
    format!("acct-{i}")
}

/// Applies `op`; returns whether it failed.
fn apply(reg: &mut Registry, op: &Op) -> bool {
    let d = |i: &u8| format!("d{i}");
    let r = |i: &u8| format!("r{i}");
    let result: Result<(), Error> = match op {
        Op::CreateDeployment {
            id,
            min,
            max,
            pinned,
        } => {
            let mut spec = DeploymentSpec::new("m").id(d(id)).replicas(*min, *max);
            if *pinned {
                spec = spec.region("US_TEXAS_1");
            }
            reg.create_deployment(spec).map(drop)
        }
        Op::UpdateDeployment { id, min, max } => {
            let mut u = DeploymentUpdate::new();
            u.min_replicas = *min;
            u.max_replicas = *max;
            reg.update_deployment(&d(id), u).map(drop)
        }
        Op::DeleteDeployment { id } => reg.delete_deployment(&d(id)),
        Op::CreateRouter {
            id,
            deployments,
            public,
        } => {
            let mut spec = RouterSpec::new(deployments.iter().map(d)).public(*public);
            spec.id = id.as_ref().map(r);
            reg.create_router(spec).map(drop)
        }
        Op::UpdateRouter {
            id,
            deployments,
            public,
        } => {
            let mut u = RouterUpdate::new();
            u.deployments = deployments.as_ref().map(|ds| ds.iter().map(d).collect());
            u.public = *public;
            reg.update_router(&r(id), u).map(drop)
        }
        Op::DeleteRouter { id } => reg.delete_router(&r(id)),
        Op::SwitchAccount { account: a } => reg.set_account(&account(*a)),
        Op::Route { router, caller } => {
            let target = format!("accounts/acct-0/routers/{}", r(router));
            reg.route(&target, &account(*caller)).map(drop)
        }
    };
    result.is_err()
}

/// Checks every rule the state must keep, through the public API only.
fn check_invariants(reg: &Registry) {
    for d in reg.list_deployments() {
        assert!(
            d.min_replicas() <= d.replicas() && d.replicas() <= d.max_replicas(),
            "D1"
        );
    }
    for r in reg.list_routers() {
        assert!(!r.deployments().is_empty(), "R1");
        let unique: std::collections::BTreeSet<_> = r.deployments().iter().collect();
        assert_eq!(unique.len(), r.deployments().len(), "R1 distinct");
        for d in r.deployments() {
            let dep = reg
                .get_deployment(&d.to_string())
                .expect("R2: listed deployments exist");
            assert!(dep.is_multi_region(), "R2");
        }
        match reg.traffic_split(&r.name().to_string()) {
            Ok(split) => {
                let mut sum = Fraction::ZERO;
                let mut num: u128 = 0;
                for s in &split.shares {
                    let dep = reg.get_deployment(&s.deployment.to_string()).unwrap();
                    assert_eq!(s.replicas, dep.replicas());
                    assert_eq!(
                        s.fraction,
                        Fraction::new(u64::from(s.replicas), split.total_replicas).unwrap(),
                        "R5"
                    );
                    num += u128::from(s.replicas);
                    sum = Fraction::new(num as u64, split.total_replicas).unwrap();
                }
                assert_eq!(sum, Fraction::ONE, "R5: shares sum to exactly 1");
            }
            Err(Error::NoCapacity { .. }) => {
                assert!(
                    r.deployments().iter().all(|d| reg
                        .get_deployment(&d.to_string())
                        .unwrap()
                        .replicas()
                        == 0)
                );
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn r3_t1_random_operation_sequences(ops in proptest::collection::vec(op(), 1..40)) {
        let mut reg = Registry::new("acct-0", 9).unwrap();
        for op in &ops {
            let before = reg.to_json();
            let failed = apply(&mut reg, op);
            if failed {
                prop_assert_eq!(&reg.to_json(), &before, "failed {:?} changed the snapshot", op);
            }
            check_invariants(&reg);
        }
        let json = reg.to_json();
        let loaded = Registry::from_json(&json).unwrap();
        prop_assert_eq!(loaded.to_json(), json);
    }
}
