//! SPEC R1-R6: routers, atomic changes, exact shares and routing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::registry::*;
use replica_router::{
    DeploymentSpec, DeploymentUpdate, Error, Fraction, Registry, RouterSpec, RouterUpdate, Seed,
    Strategy,
};

fn frac(n: u64, d: u64) -> Fraction {
    Fraction::new(n, d).unwrap()
}

#[test]
fn r1_router_fields_and_defaults() {
    let mut reg = ab_test();
    let r = reg.get_router("ab-test").unwrap().clone();
    assert_eq!(r.strategy(), Strategy::WeightedRandom);
    assert!(!r.is_public());
    assert_eq!(r.display_name(), None);
    assert_eq!(r.model(), None);
    let names: Vec<String> = r.deployments().iter().map(ToString::to_string).collect();
    assert_eq!(names, [dep_name("deployment-a"), dep_name("deployment-b")]);

    let r = reg
        .create_router(
            RouterSpec::new(["deployment-b", "deployment-a"])
                .id("full")
                .display_name("Full router")
                .model("llama")
                .public(true),
        )
        .unwrap();
    assert_eq!(r.display_name(), Some("Full router"));
    assert_eq!(
        r.model().unwrap().to_string(),
        "accounts/my-account/models/llama"
    );
    assert!(r.is_public());
    assert_eq!(
        r.deployments()[0].id().as_str(),
        "deployment-b",
        "order is kept"
    );
}

#[test]
fn r1_needs_one_or_more_distinct_deployments() {
    let mut reg = ab_test();
    assert_eq!(
        reg.create_router(RouterSpec::new(Vec::<String>::new()))
            .unwrap_err(),
        Error::EmptyRouter
    );
    let err = reg
        .create_router(RouterSpec::new(["deployment-a", &dep_name("deployment-a")]))
        .unwrap_err();
    assert_eq!(
        err,
        Error::DuplicateDeployment {
            deployment: dep_name("deployment-a")
        }
    );
    for bad in ["", "\u{7}", &"x".repeat(257)] {
        let err = reg
            .create_router(RouterSpec::new(["deployment-a"]).display_name(bad))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidDisplayName { .. }), "{bad:?}");
    }
    let err = reg
        .create_router(RouterSpec::new(["deployment-a"]).id("ab-test"))
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }));
}

#[test]
fn r1_deployment_limit() {
    let mut reg = registry();
    deployment(&mut reg, "d", 1);
    let many = vec!["d".to_owned(); replica_router::limits::MAX_ROUTER_DEPLOYMENTS + 1];
    assert!(matches!(
        reg.create_router(RouterSpec::new(many)),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn r2_deployments_must_exist_be_own_and_multi_region() {
    let mut reg = ab_test();
    let err = reg.create_router(RouterSpec::new(["nope"])).unwrap_err();
    assert_eq!(
        err,
        Error::NotFound {
            name: dep_name("nope")
        }
    );

    reg.create_deployment(
        DeploymentSpec::new(MODEL)
            .id("pinned")
            .region("US_ARIZONA_1")
            .direct_route(["k1"]),
    )
    .unwrap();
    let err = reg
        .create_router(RouterSpec::new(["deployment-a", "pinned"]))
        .unwrap_err();
    assert_eq!(
        err,
        Error::NotMultiRegion {
            deployment: dep_name("pinned"),
            region: "US_ARIZONA_1".into()
        }
    );

    reg.set_account("other").unwrap();
    deployment(&mut reg, "theirs", 1);
    let err = reg
        .create_router(RouterSpec::new(["theirs", &dep_name("deployment-a")]))
        .unwrap_err();
    assert!(matches!(err, Error::ForeignDeployment { .. }), "{err:?}");
}

#[test]
fn r3_failed_operations_change_nothing() {
    let mut reg = ab_test();
    let before = reg.to_json();
    assert!(
        reg.create_router(RouterSpec::new(["deployment-a", "missing"]).id("x"))
            .is_err()
    );
    assert!(
        reg.update_router(
            "ab-test",
            RouterUpdate::new().public(true).deployments(["missing"])
        )
        .is_err()
    );
    assert!(
        reg.update_router(
            "ab-test",
            RouterUpdate::new()
                .strategy(Strategy::WeightedRandom)
                .display_name("")
        )
        .is_err()
    );
    assert!(
        reg.update_router("missing", RouterUpdate::new().public(true))
            .is_err()
    );
    assert!(reg.delete_router("missing").is_err());
    assert_eq!(reg.to_json(), before);
    assert!(!reg.get_router("ab-test").unwrap().is_public());
}

#[test]
fn r3_update_changes_only_given_fields() {
    let mut reg = ab_test();
    reg.update_router("ab-test", RouterUpdate::new().display_name("AB"))
        .unwrap();
    let r = reg
        .update_router("ab-test", RouterUpdate::new().public(true))
        .unwrap();
    assert_eq!(r.display_name(), Some("AB"));
    assert!(r.is_public());
    assert_eq!(r.deployments().len(), 2);
    // The reference example's last step: shrink the list.
    let r = reg
        .update_router("ab-test", RouterUpdate::new().deployments(["deployment-b"]))
        .unwrap();
    assert_eq!(r.deployments().len(), 1);
    assert_eq!(r.display_name(), Some("AB"));
    assert_eq!(
        reg.traffic_split("ab-test").unwrap().shares[0].fraction,
        Fraction::ONE
    );
}

#[test]
fn r4_deleted_router_fails_at_once() {
    let mut reg = ab_test();
    reg.route(&router_name("ab-test"), ACCOUNT).unwrap();
    reg.delete_router("ab-test").unwrap();
    let err = reg.route(&router_name("ab-test"), ACCOUNT).unwrap_err();
    assert_eq!(
        err,
        Error::NotFound {
            name: router_name("ab-test")
        }
    );
    assert!(matches!(
        reg.traffic_split("ab-test"),
        Err(Error::NotFound { .. })
    ));
    // The deployments remain and can be deleted now.
    reg.delete_deployment("deployment-a").unwrap();
}

#[test]
fn r5_reference_splits_are_exact() {
    let reg = ab_test();
    let split = reg.traffic_split("ab-test").unwrap();
    assert_eq!(split.total_replicas, 5);
    assert_eq!(split.shares[0].fraction, frac(3, 5));
    assert_eq!(split.shares[1].fraction, frac(2, 5));
    assert_eq!(split.shares[0].fraction.percent(), 60.0);
    assert_eq!(split.shares[1].fraction.percent(), 40.0);

    let mut reg = registry();
    deployment(&mut reg, "current-deployment", 4);
    deployment(&mut reg, "new-deployment", 1);
    reg.create_router(RouterSpec::new(["current-deployment", "new-deployment"]).id("my-router"))
        .unwrap();
    let split = reg.traffic_split("my-router").unwrap();
    assert_eq!(split.shares[0].fraction, frac(4, 5), "80%");
    assert_eq!(split.shares[1].fraction, frac(1, 5), "20%");
}

#[test]
fn r5_zero_replicas_get_nothing_and_zero_total_is_no_capacity() {
    let mut reg = ab_test();
    reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(0, 0))
        .unwrap();
    let split = reg.traffic_split("ab-test").unwrap();
    assert_eq!(split.shares[0].fraction, Fraction::ZERO);
    assert_eq!(split.shares[1].fraction, Fraction::ONE);
    for _ in 0..100 {
        assert_eq!(
            reg.route("ab-test", ACCOUNT).unwrap().id().as_str(),
            "deployment-b"
        );
    }
    reg.update_deployment("deployment-b", DeploymentUpdate::new().replicas(0, 0))
        .unwrap();
    assert_eq!(
        reg.traffic_split("ab-test").unwrap_err(),
        Error::NoCapacity {
            name: router_name("ab-test")
        }
    );
    assert_eq!(
        reg.route("ab-test", ACCOUNT).unwrap_err(),
        Error::NoCapacity {
            name: router_name("ab-test")
        }
    );
    assert_eq!(
        reg.route(&dep_name("deployment-b"), ACCOUNT).unwrap_err(),
        Error::NoCapacity {
            name: dep_name("deployment-b")
        }
    );
}

#[test]
fn r6_router_and_deployment_names_route() {
    let mut reg = ab_test();
    let picked = reg.route(&router_name("ab-test"), ACCOUNT).unwrap().clone();
    assert!(picked.id().as_str().starts_with("deployment-"));
    assert_eq!(
        reg.route(&dep_name("deployment-a"), ACCOUNT)
            .unwrap()
            .to_string(),
        dep_name("deployment-a")
    );
    assert_eq!(
        reg.route("deployment-b", ACCOUNT).unwrap().to_string(),
        dep_name("deployment-b"),
        "bare deployment ID"
    );
    assert!(reg.route("ab-test", ACCOUNT).is_ok(), "bare router ID");
    assert!(matches!(
        reg.route("nothing", ACCOUNT),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        reg.route(&router_name("nothing"), ACCOUNT),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        reg.route("accounts/my-account/models/x", ACCOUNT),
        Err(Error::InvalidResourceName { .. })
    ));
    assert!(matches!(
        reg.route("Bad Name", ACCOUNT),
        Err(Error::InvalidName { .. })
    ));
    assert!(matches!(
        reg.route("ab-test", "Bad Caller"),
        Err(Error::InvalidName { .. })
    ));
}

#[test]
fn r6_private_router_refused_public_router_served() {
    let mut reg = ab_test();
    let err = reg
        .route(&router_name("ab-test"), "other-account")
        .unwrap_err();
    assert_eq!(
        err,
        Error::PermissionDenied {
            name: router_name("ab-test"),
            caller: "other-account".into()
        }
    );
    assert!(matches!(
        reg.route(&dep_name("deployment-a"), "other-account"),
        Err(Error::PermissionDenied { .. })
    ));
    reg.update_router("ab-test", RouterUpdate::new().public(true))
        .unwrap();
    let picked = reg.route(&router_name("ab-test"), "other-account").unwrap();
    assert_eq!(picked.account().as_str(), ACCOUNT);
    // Public routers can be read but not changed by other accounts.
    reg.set_account("other-account").unwrap();
    assert!(reg.get_router(&router_name("ab-test")).is_ok());
    assert!(reg.traffic_split(&router_name("ab-test")).is_ok());
    assert!(matches!(
        reg.update_router(&router_name("ab-test"), RouterUpdate::new().public(false)),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        reg.delete_router(&router_name("ab-test")),
        Err(Error::PermissionDenied { .. })
    ));
    // Issue 15: the message must not call a public router private.
    let message = reg
        .update_router(&router_name("ab-test"), RouterUpdate::new().public(false))
        .unwrap_err()
        .to_string();
    assert!(!message.contains("private"), "{message}");
    assert!(message.contains("belongs to another account"), "{message}");
    assert_eq!(
        reg.list_routers().len(),
        0,
        "listings show the acting account only"
    );
}

#[test]
fn r6_routing_never_rebuilds_tables() {
    let mut reg = ab_test();
    let builds = reg.table_builds();
    for _ in 0..1000 {
        reg.route("ab-test", ACCOUNT).unwrap();
    }
    assert_eq!(reg.table_builds(), builds, "no rebuild per request");
    reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(5, 5))
        .unwrap();
    assert_eq!(
        reg.table_builds(),
        builds + 1,
        "a replica change rebuilds the router's table"
    );
    reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(5, 5))
        .unwrap();
    assert_eq!(reg.table_builds(), builds + 1, "no change, no rebuild");
}

#[test]
fn r6_routing_follows_replica_changes() {
    let mut reg = ab_test();
    reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(0, 0))
        .unwrap();
    assert!(
        (0..200).all(|_| reg.route("ab-test", ACCOUNT).unwrap().id().as_str() == "deployment-b")
    );
    reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(1, 1))
        .unwrap();
    assert!(
        (0..200).any(|_| reg.route("ab-test", ACCOUNT).unwrap().id().as_str() == "deployment-a")
    );
}

#[test]
fn r6_route_with_a_caller_generator_is_deterministic() {
    let reg = ab_test();
    let picks = |seed: u64| -> Vec<String> {
        let mut rng = Seed::from_u64(seed).rng();
        (0..64)
            .map(|_| {
                reg.route_with("ab-test", ACCOUNT, &mut rng)
                    .unwrap()
                    .id()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(picks(7), picks(7));
    assert_ne!(picks(7), picks(8));
    // The registry's own generator is reproducible from the seed too.
    let run = || {
        let mut r = ab_test();
        (0..64)
            .map(|_| r.route("ab-test", ACCOUNT).unwrap().id().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn r7_weighted_random_matches_the_shares() {
    // 200,000 routes through the registry: chi-square with df = 1 against 3/5, 2/5.
    let mut reg = ab_test();
    let mut a = 0u64;
    let n = 200_000u64;
    for _ in 0..n {
        if reg.route("ab-test", ACCOUNT).unwrap().id().as_str() == "deployment-a" {
            a += 1;
        }
    }
    let (ea, eb) = (n as f64 * 0.6, n as f64 * 0.4);
    let b = n - a;
    let chi2 = (a as f64 - ea).powi(2) / ea + (b as f64 - eb).powi(2) / eb;
    // Critical value of chi-square with 1 degree of freedom at p = 0.001.
    assert!(chi2 < 10.828, "chi2 = {chi2}, a = {a}");
}

#[test]
fn t2_router_listing_is_ordered_by_name() {
    let mut reg = ab_test();
    for id in ["zz", "aa", "mm"] {
        reg.create_router(RouterSpec::new(["deployment-a"]).id(id))
            .unwrap();
    }
    let ids: Vec<_> = reg
        .list_routers()
        .map(|r| r.name().id().to_string())
        .collect();
    assert_eq!(ids, ["aa", "ab-test", "mm", "zz"]);
}

#[test]
fn registries_are_independent_values() {
    let reg = ab_test();
    let mut copy = reg.clone();
    copy.delete_router("ab-test").unwrap();
    assert!(reg.get_router("ab-test").is_ok());
    assert!(Registry::new(ACCOUNT, [7u8; 32]).is_ok(), "32-byte seeds");
}
