//! SPEC R7-R9 through the registry: each strategy selected on a router and
//! routed by `Registry::route` / `route_request`, the session-affinity flag
//! with every strategy, strategy changes, snapshots, cached state and hostile
//! replica counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::registry::*;
use replica_router::{
    DeploymentUpdate, Error, Registry, Rng, RouteDecision, RouteRequest, RouterSpec, RouterUpdate,
    Seed, Strategy, limits, stats,
};

/// deployment-a (3), deployment-b (2) and a router `r` over them.
fn router_with(strategy: Strategy) -> Registry {
    let mut reg = registry();
    deployment(&mut reg, "deployment-a", 3);
    deployment(&mut reg, "deployment-b", 2);
    reg.create_router(
        RouterSpec::new(["deployment-a", "deployment-b"])
            .id("r")
            .strategy(strategy),
    )
    .unwrap();
    reg
}

/// [`router_with`], with the session-affinity flag (SPEC R9).
fn affinity_router(strategy: Strategy) -> Registry {
    let mut reg = router_with(strategy);
    reg.update_router("r", RouterUpdate::new().session_affinity(true))
        .unwrap();
    reg
}

fn id(d: &RouteDecision<'_>) -> String {
    d.deployment.id().to_string()
}

fn index(d: &RouteDecision<'_>) -> usize {
    usize::from(d.deployment.id().as_str() == "deployment-b")
}

#[test]
fn r7_strategy_names_round_trip() {
    assert_eq!(
        Strategy::NAMES,
        ["weighted-random", "even-load", "weighted-round-robin"]
    );
    for name in Strategy::NAMES {
        let s: Strategy = name.parse().unwrap();
        assert_eq!(s.to_string(), name);
        assert_eq!(s.as_str(), name);
    }
    assert!(matches!(
        "round-robin".parse::<Strategy>(),
        Err(Error::InvalidStrategy { .. })
    ));
    // SPEC R9: session affinity is a flag now, not a strategy.
    for gone in ["session-affinity", "Session-Affinity", "evenLoad"] {
        assert!(matches!(
            gone.parse::<Strategy>(),
            Err(Error::InvalidStrategy { .. })
        ));
    }
}

#[test]
fn r7_round_robin_router_follows_the_cursor() {
    let reg = router_with(Strategy::WeightedRoundRobin);
    let mut rng = Seed::from_u64(1).rng();
    let untouched = rng.clone();
    let mut cursor = 0;
    let mut picks = Vec::new();
    for _ in 0..10 {
        let d = reg
            .route_request_with(&RouteRequest::new("r", ACCOUNT).cursor(cursor), &mut rng)
            .unwrap();
        assert_eq!(d.replica, None);
        picks.push(id(&d));
        cursor = d.next_cursor.unwrap();
    }
    assert_eq!(
        picks,
        [
            "deployment-a",
            "deployment-b",
            "deployment-a",
            "deployment-b",
            "deployment-a"
        ]
        .repeat(2)
    );
    assert_eq!(rng, untouched, "a cursor needs no draw");
    // Any u64 is a cursor, taken modulo the total.
    let d = reg
        .route_request_with(&RouteRequest::new("r", ACCOUNT).cursor(u64::MAX), &mut rng)
        .unwrap();
    assert_eq!(u64::MAX % 5, 0);
    assert_eq!((id(&d).as_str(), d.next_cursor), ("deployment-a", Some(1)));
}

#[test]
fn r7_round_robin_without_a_cursor_starts_at_a_drawn_position() {
    let mut reg = router_with(Strategy::WeightedRoundRobin);
    let mut observed = [0u64; 2];
    for _ in 0..50_000 {
        let d = reg.route_request(&RouteRequest::new("r", ACCOUNT)).unwrap();
        assert!(d.next_cursor.is_some_and(|c| c < 5));
        observed[index(&d)] += 1;
    }
    let fit = stats::chi_square(&observed, &[3, 2]).unwrap();
    assert!(fit.p_value >= 0.001, "{observed:?}: {fit:?}");
    // Registry::route works on every strategy.
    assert!(reg.route("r", ACCOUNT).is_ok());
}

#[test]
fn r7_round_robin_cursor_survives_a_replica_change() {
    let mut reg = router_with(Strategy::WeightedRoundRobin);
    let mut rng = Seed::from_u64(1).rng();
    let d = reg
        .route_request_with(&RouteRequest::new("r", ACCOUNT).cursor(3), &mut rng)
        .unwrap();
    let stored = d.next_cursor.unwrap();
    assert_eq!(stored, 4);
    // a: 3 -> 1 replica; total 5 -> 3. Keys: A 1/2, B 1/4 and 3/4, so the
    // cycle is now B A B.
    reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(1, 1))
        .unwrap();
    let picks: Vec<String> = (stored..stored + 6)
        .map(|c| {
            id(&reg
                .route_request_with(&RouteRequest::new("r", ACCOUNT).cursor(c), &mut rng)
                .unwrap())
        })
        .collect();
    // Cursor 4 is position 4 % 3 = 1 of the new cycle.
    assert_eq!(
        picks,
        ["deployment-a", "deployment-b", "deployment-b"].repeat(2)
    );
}

#[test]
fn r9_session_affinity_router_pins_keys_to_replicas() {
    let reg = affinity_router(Strategy::WeightedRandom);
    let mut rng = Seed::from_u64(1).rng();
    let untouched = rng.clone();
    let req = RouteRequest::new("r", ACCOUNT).session_key("conversation-42");
    let first = reg.route_request_with(&req, &mut rng).unwrap();
    for _ in 0..100 {
        assert_eq!(reg.route_request_with(&req, &mut rng).unwrap(), first);
    }
    assert_eq!(rng, untouched, "a keyed route needs no draw");
    assert_eq!(
        (id(&first).as_str(), first.replica, first.next_cursor),
        ("deployment-a", Some(1), None)
    );
    // Value stability through the registry (same as the standalone vectors).
    let pinned = [
        ("", "deployment-a", 0),
        ("user-1", "deployment-a", 2),
        ("x".repeat(100).leak(), "deployment-b", 0),
    ];
    for (key, deployment, slot) in pinned {
        let d = reg
            .route_request_with(&RouteRequest::new("r", ACCOUNT).session_key(key), &mut rng)
            .unwrap();
        assert_eq!(
            (id(&d).as_str(), d.replica),
            (deployment, Some(slot)),
            "{key:?}"
        );
    }
    // Full names and bare IDs are the same router.
    let full = router_name("r");
    let by_full = reg.route_request_with(
        &RouteRequest::new(&full, ACCOUNT).session_key("conversation-42"),
        &mut rng,
    );
    assert_eq!(by_full.unwrap(), first);
}

#[test]
fn r9_session_affinity_without_a_key_is_weighted_random() {
    let affinity = affinity_router(Strategy::WeightedRandom);
    let random = router_with(Strategy::WeightedRandom);
    let (mut rng_a, mut rng_r) = (Seed::from_u64(9).rng(), Seed::from_u64(9).rng());
    let mut observed = [0u64; 2];
    for _ in 0..50_000 {
        let a = affinity
            .route_request_with(&RouteRequest::new("r", ACCOUNT), &mut rng_a)
            .unwrap();
        let r = random
            .route_request_with(&RouteRequest::new("r", ACCOUNT), &mut rng_r)
            .unwrap();
        assert_eq!(a, r, "the same draws as a weighted-random router");
        assert_eq!(a.replica, None);
        observed[index(&a)] += 1;
    }
    let fit = stats::chi_square(&observed, &[3, 2]).unwrap();
    assert!(fit.p_value >= 0.001, "{observed:?}: {fit:?}");
}

#[test]
fn r7_weighted_random_ignores_key_and_cursor() {
    let reg = router_with(Strategy::WeightedRandom);
    let (mut rng_1, mut rng_2) = (Seed::from_u64(5).rng(), Seed::from_u64(5).rng());
    for i in 0..1000 {
        let plain = reg
            .route_request_with(&RouteRequest::new("r", ACCOUNT), &mut rng_1)
            .unwrap();
        let dressed = RouteRequest::new("r", ACCOUNT).session_key("k").cursor(i);
        assert_eq!(reg.route_request_with(&dressed, &mut rng_2).unwrap(), plain);
        assert_eq!((plain.replica, plain.next_cursor), (None, None));
    }
}

#[test]
fn r7_routing_to_a_deployment_ignores_the_strategy_fields() {
    let mut reg = affinity_router(Strategy::WeightedRandom);
    let req = RouteRequest::new("deployment-b", ACCOUNT)
        .session_key("k")
        .cursor(3);
    let d = reg.route_request(&req).unwrap();
    assert_eq!(
        (id(&d).as_str(), d.replica, d.next_cursor),
        ("deployment-b", None, None)
    );
}

#[test]
fn r7_update_router_changes_the_strategy() {
    let mut reg = router_with(Strategy::WeightedRandom);
    let req = RouteRequest::new("r", ACCOUNT)
        .session_key("conversation-42")
        .cursor(1);
    let mut rng = Seed::from_u64(2).rng();
    assert_eq!(
        reg.route_request_with(&req, &mut rng).unwrap().next_cursor,
        None
    );

    let builds = reg.table_builds();
    let r = reg
        .update_router(
            "r",
            RouterUpdate::new().strategy(Strategy::WeightedRoundRobin),
        )
        .unwrap();
    assert_eq!(r.strategy(), Strategy::WeightedRoundRobin);
    assert_eq!(reg.table_builds(), builds + 1);
    let d = reg.route_request_with(&req, &mut rng).unwrap();
    assert_eq!(
        (id(&d).as_str(), d.replica, d.next_cursor),
        ("deployment-b", None, Some(2))
    );

    // SPEC R9: the flag on a round-robin router pins keyed requests; the
    // strategy stays.
    let r = reg
        .update_router("r", RouterUpdate::new().session_affinity(true))
        .unwrap();
    assert_eq!(
        (r.strategy(), r.session_affinity()),
        (Strategy::WeightedRoundRobin, true)
    );
    let d = reg.route_request_with(&req, &mut rng).unwrap();
    assert_eq!(
        (id(&d).as_str(), d.replica, d.next_cursor),
        ("deployment-a", Some(1), None)
    );
    // Unkeyed requests still follow the cycle.
    let d = reg
        .route_request_with(&RouteRequest::new("r", ACCOUNT).cursor(1), &mut rng)
        .unwrap();
    assert_eq!(d.next_cursor, Some(2));
    // Updating the strategy keeps the flag, and clearing the flag keeps the
    // strategy (SPEC R3).
    let r = reg
        .update_router("r", RouterUpdate::new().strategy(Strategy::EvenLoad))
        .unwrap();
    assert_eq!(
        (r.strategy(), r.session_affinity()),
        (Strategy::EvenLoad, true)
    );
    let r = reg
        .update_router("r", RouterUpdate::new().session_affinity(false))
        .unwrap();
    assert_eq!(
        (r.strategy(), r.session_affinity()),
        (Strategy::EvenLoad, false)
    );
    assert_eq!(
        reg.route_request_with(&req, &mut rng).unwrap().replica,
        None
    );
}

/// SPEC R9: keyed requests get the same slot whatever the strategy; unkeyed
/// ones are the strategy's.
#[test]
fn r9_the_flag_works_with_every_strategy() {
    let reference = affinity_router(Strategy::WeightedRandom);
    for strategy in [Strategy::EvenLoad, Strategy::WeightedRoundRobin] {
        let reg = affinity_router(strategy);
        let plain = router_with(strategy);
        let load = reg.load_tracker("r").unwrap();
        load.set(&dep_name("deployment-a"), 100).unwrap();
        let (mut rng_1, mut rng_2) = (Seed::from_u64(4).rng(), Seed::from_u64(4).rng());
        for i in 0..500u64 {
            let key = format!("session-{i}");
            let keyed = RouteRequest::new("r", ACCOUNT)
                .session_key(&key)
                .cursor(i)
                .load(&load);
            let expected = reference.route_request_with(&keyed, &mut rng_1).unwrap();
            let got = reg.route_request_with(&keyed, &mut rng_2).unwrap();
            assert_eq!(
                got, expected,
                "{strategy}: keyed requests ignore load and cursor"
            );
            assert!(got.replica.is_some());
            let unkeyed = RouteRequest::new("r", ACCOUNT).cursor(i).load(&load);
            assert_eq!(
                reg.route_request_with(&unkeyed, &mut rng_1).unwrap(),
                plain.route_request_with(&unkeyed, &mut rng_2).unwrap(),
                "{strategy}: unkeyed requests go by the strategy"
            );
        }
    }
}

#[test]
fn r7_routing_never_rebuilds_state() {
    for (strategy, affinity) in [
        (Strategy::WeightedRoundRobin, false),
        (Strategy::WeightedRandom, true),
        (Strategy::EvenLoad, true),
    ] {
        let mut reg = router_with(strategy);
        if affinity {
            reg.update_router("r", RouterUpdate::new().session_affinity(true))
                .unwrap();
        }
        let builds = reg.table_builds();
        for i in 0..1000u64 {
            let key = i.to_string();
            reg.route_request(&RouteRequest::new("r", ACCOUNT).session_key(&key).cursor(i))
                .unwrap();
            reg.route("r", ACCOUNT).unwrap();
        }
        assert_eq!(reg.table_builds(), builds);
        reg.update_deployment("deployment-b", DeploymentUpdate::new().replicas(4, 4))
            .unwrap();
        assert_eq!(
            reg.table_builds(),
            builds + 1,
            "a replica change rebuilds the router's state"
        );
    }
}

#[test]
fn r9_scaling_through_the_registry_moves_only_onto_the_new_replica() {
    let mut reg = affinity_router(Strategy::WeightedRandom);
    let keys: Vec<String> = {
        let mut rng = Seed::from_u64(77).rng();
        (0..100_000)
            .map(|_| format!("{:016x}", rng.next_u64()))
            .collect()
    };
    let mut rng = Seed::from_u64(0).rng();
    let mut place = |reg: &Registry| -> Vec<(String, u32)> {
        keys.iter()
            .map(|k| {
                let d = reg
                    .route_request_with(&RouteRequest::new("r", ACCOUNT).session_key(k), &mut rng)
                    .unwrap();
                (id(&d), d.replica.unwrap())
            })
            .collect()
    };
    let before = place(&reg);
    reg.update_deployment("deployment-b", DeploymentUpdate::new().replicas(3, 3))
        .unwrap();
    let after = place(&reg);
    let moved: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert!(
        moved
            .iter()
            .all(|(_, a)| *a == &("deployment-b".to_owned(), 2))
    );
    let ratio = moved.len() as f64 / keys.len() as f64 * 6.0;
    assert!((0.95..=1.05).contains(&ratio), "{ratio}");
    // Scaling back restores every placement.
    reg.update_deployment("deployment-b", DeploymentUpdate::new().replicas(2, 2))
        .unwrap();
    assert_eq!(place(&reg), before);
}

#[test]
fn r7_snapshots_keep_strategies_and_decisions() {
    let mut reg = affinity_router(Strategy::EvenLoad);
    deployment(&mut reg, "deployment-c", 4);
    reg.create_router(
        RouterSpec::new(["deployment-c", "deployment-a"])
            .id("rr")
            .strategy(Strategy::WeightedRoundRobin),
    )
    .unwrap();
    let json = reg.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let strategies: Vec<(&str, bool)> = value["routers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["strategy"].as_str().unwrap(),
                r["session_affinity"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        strategies,
        [("even-load", true), ("weighted-round-robin", false)]
    );
    let mut loaded = Registry::from_json(&json).unwrap();
    assert_eq!(loaded.to_json(), json);
    for i in 0..200u64 {
        let key = format!("k{i}");
        for router in ["r", "rr"] {
            let req = RouteRequest::new(router, ACCOUNT)
                .session_key(&key)
                .cursor(i);
            assert_eq!(
                loaded.route_request(&req).unwrap(),
                reg.route_request(&req).unwrap()
            );
            let plain = RouteRequest::new(router, ACCOUNT);
            assert_eq!(
                loaded.route_request(&plain).unwrap(),
                reg.route_request(&plain).unwrap()
            );
        }
    }
}

#[test]
fn r7_hostile_replica_counts_stay_bounded() {
    let mut reg = affinity_router(Strategy::WeightedRandom);
    reg.create_router(
        RouterSpec::new(["deployment-a", "deployment-b"])
            .id("rr")
            .strategy(Strategy::WeightedRoundRobin),
    )
    .unwrap();
    // u32::MAX replicas: neither router allocates per replica.
    reg.update_deployment(
        "deployment-a",
        DeploymentUpdate::new().replicas(u32::MAX, u32::MAX),
    )
    .unwrap();
    let keyed = RouteRequest::new("r", ACCOUNT).session_key("conversation-42");
    assert_eq!(
        reg.route_request(&keyed).unwrap_err(),
        Error::LimitExceeded {
            what: "replicas in a session-affinity router",
            limit: limits::MAX_SESSION_AFFINITY_REPLICAS,
            got: usize::try_from(u64::from(u32::MAX) + 2).unwrap_or(usize::MAX),
        }
    );
    // Requests without a key still route; so does the round-robin router.
    assert!(
        reg.route_request(&RouteRequest::new("r", ACCOUNT))
            .unwrap()
            .replica
            .is_none()
    );
    let d = reg
        .route_request(&RouteRequest::new("rr", ACCOUNT).cursor(u64::MAX))
        .unwrap();
    assert!(d.next_cursor.unwrap() < u64::from(u32::MAX) + 2);
    // Back under the limit, keyed routing works again.
    reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(3, 3))
        .unwrap();
    assert_eq!(reg.route_request(&keyed).unwrap().replica, Some(1));
}

#[test]
fn r7_no_capacity_and_permissions_apply_to_every_strategy() {
    for strategy in [Strategy::WeightedRoundRobin, Strategy::EvenLoad] {
        let mut reg = affinity_router(strategy);
        for d in ["deployment-a", "deployment-b"] {
            reg.update_deployment(d, DeploymentUpdate::new().replicas(0, 0))
                .unwrap();
        }
        let req = RouteRequest::new("r", ACCOUNT).session_key("k").cursor(0);
        assert!(matches!(
            reg.route_request(&req),
            Err(Error::NoCapacity { .. })
        ));
        let other =
            RouteRequest::new("accounts/my-account/routers/r", "other-account").session_key("k");
        assert!(matches!(
            reg.route_request(&other),
            Err(Error::PermissionDenied { .. })
        ));
    }
}
