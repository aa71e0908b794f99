//! SPEC R8 through the registry: `even-load` routers with a caller-held
//! [`LoadTracker`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::registry::*;
use replica_router::{
    DeploymentUpdate, Error, LoadTracker, Registry, RouteRequest, RouterSpec, RouterUpdate, Seed,
    Strategy, stats,
};

/// a (4), b (2), c (2) and routers `even` (even-load) and `random`
/// (weighted-random) over them.
fn registry_4_2_2() -> Registry {
    let mut reg = registry();
    for (id, r) in [("a", 4), ("b", 2), ("c", 2)] {
        deployment(&mut reg, id, r);
    }
    for (id, strategy) in [
        ("even", Strategy::EvenLoad),
        ("random", Strategy::WeightedRandom),
    ] {
        reg.create_router(RouterSpec::new(["a", "b", "c"]).id(id).strategy(strategy))
            .unwrap();
    }
    reg
}

fn pick(
    reg: &Registry,
    router: &str,
    load: Option<&LoadTracker>,
    rng: &mut replica_router::ChaCha8Rng,
) -> String {
    let mut req = RouteRequest::new(router, ACCOUNT);
    if let Some(load) = load {
        req = req.load(load);
    }
    let d = reg.route_request_with(&req, rng).unwrap();
    assert_eq!((d.replica, d.next_cursor), (None, None));
    d.deployment.id().to_string()
}

/// SPEC R8: with no load reported (a fresh tracker, or none at all) the picks
/// are exactly a weighted-random router's, draw for draw.
#[test]
fn r8_no_load_is_exactly_weighted_random() {
    let reg = registry_4_2_2();
    let load = reg.load_tracker("even").unwrap();
    let mut rngs = [0, 1, 2].map(|_| Seed::from_u64(11).rng());
    for _ in 0..5000 {
        let random = pick(&reg, "random", None, &mut rngs[0]);
        assert_eq!(pick(&reg, "even", Some(&load), &mut rngs[1]), random);
        assert_eq!(pick(&reg, "even", None, &mut rngs[2]), random);
    }
    // Equal load per replica everywhere is a full tie too.
    load.set(&dep_name("a"), 8).unwrap();
    load.set(&dep_name("b"), 4).unwrap();
    load.set(&dep_name("c"), 4).unwrap();
    for _ in 0..1000 {
        let random = pick(&reg, "random", None, &mut rngs[0]);
        assert_eq!(pick(&reg, "even", Some(&load), &mut rngs[1]), random);
    }
}

/// SPEC R8: the lowest in-flight per replica wins (exactly: 5/4 > 1 = 2/2);
/// a single winner takes no draw.
#[test]
fn r8_lowest_load_per_replica_wins() {
    let reg = registry_4_2_2();
    let load = reg.load_tracker("even").unwrap();
    load.set(&dep_name("a"), 5).unwrap();
    load.set(&dep_name("b"), 2).unwrap();
    load.set(&dep_name("c"), 3).unwrap();
    let mut rng = Seed::from_u64(1).rng();
    let untouched = rng.clone();
    assert_eq!(pick(&reg, "even", Some(&load), &mut rng), "b");
    assert_eq!(rng, untouched, "a single best deployment needs no draw");
    // a and b tied at 1 per replica, c at 3/2: a draw weighted 4:2.
    load.set(&dep_name("a"), 4).unwrap();
    let mut observed = [0u64; 2];
    for _ in 0..30_000 {
        match pick(&reg, "even", Some(&load), &mut rng).as_str() {
            "a" => observed[0] += 1,
            "b" => observed[1] += 1,
            other => panic!("{other} is not among the least loaded"),
        }
    }
    let fit = stats::chi_square(&observed, &[4, 2]).unwrap();
    assert!(fit.p_value >= 0.001, "{observed:?}: {fit:?}");
}

/// SPEC R8: a closed loop (started on route, finished later) keeps the load
/// per replica level; deployments with 0 replicas get nothing.
#[test]
fn r8_started_and_finished_keep_load_level() {
    let mut reg = registry_4_2_2();
    reg.update_deployment("c", DeploymentUpdate::new().replicas(0, 0))
        .unwrap();
    let load = reg.load_tracker("even").unwrap();
    let mut rng = Seed::from_u64(5).rng();
    for _ in 0..60 {
        let d = pick(&reg, "even", Some(&load), &mut rng);
        assert_ne!(d, "c");
        load.started(&dep_name(&d)).unwrap();
    }
    // 60 requests over 6 replicas, none finished: exactly 10 per replica.
    assert_eq!(load.in_flight(&dep_name("a")).unwrap(), 40);
    assert_eq!(load.in_flight(&dep_name("b")).unwrap(), 20);
    assert_eq!(load.in_flight(&dep_name("c")).unwrap(), 0);
    for _ in 0..20 {
        load.finished(&dep_name("b")).unwrap();
    }
    for _ in 0..10 {
        assert_eq!(pick(&reg, "even", Some(&load), &mut rng), "b");
        load.started(&dep_name("b")).unwrap();
    }
}

/// The tracker is shared by threads through `&` or `Arc`; the registry too.
#[test]
fn r8_tracker_and_registry_are_shared_across_threads() {
    let reg = Arc::new(registry_4_2_2());
    let load = Arc::new(reg.load_tracker("even").unwrap());
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (reg, load) = (Arc::clone(&reg), Arc::clone(&load));
            std::thread::spawn(move || {
                let mut rng = Seed::from_u64(t).rng();
                for _ in 0..1000 {
                    let req = RouteRequest::new("even", ACCOUNT).load(&load);
                    let d = reg
                        .route_request_with(&req, &mut rng)
                        .unwrap()
                        .deployment
                        .to_string();
                    load.started(&d).unwrap();
                    load.finished(&d).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    for id in ["a", "b", "c"] {
        assert_eq!(load.in_flight(&dep_name(id)).unwrap(), 0);
    }
}

/// A tracker must cover the router's deployments: after the list changes, a
/// stale tracker is a clear error, never a silent misreading.
#[test]
fn r8_stale_tracker_is_an_error() {
    let mut reg = registry_4_2_2();
    let load = reg.load_tracker("even").unwrap();
    deployment(&mut reg, "d", 1);
    reg.update_router("even", RouterUpdate::new().deployments(["a", "d"]))
        .unwrap();
    let err = reg
        .route_request(&RouteRequest::new("even", ACCOUNT).load(&load))
        .unwrap_err();
    assert!(matches!(&err, Error::NotFound { name } if name.contains("deployments/d")));
    assert!(matches!(
        load.started(&dep_name("d")),
        Err(Error::NotFound { .. })
    ));
    // A tracker over more deployments than the router is fine.
    let wide = LoadTracker::new(
        ["a", "b", "c", "d"].map(|id| reg.get_deployment(id).unwrap().name().clone()),
    );
    reg.route_request(&RouteRequest::new("even", ACCOUNT).load(&wide))
        .unwrap();
    // Other strategies ignore the tracker.
    reg.route_request(&RouteRequest::new("random", ACCOUNT).load(&load))
        .unwrap();
}
