//! registry.json (SPEC R1-R7, D1-D3, N1-N3, S1, T1, T2): scenarios of
//! registry operations, each result recorded.

use serde_json::{Value, json};

use crate::MODEL;
use crate::json::{file, one_line};
use crate::ops::{
    Op, Scenario, apply, create_deployment, create_router, cursor_chain, keys, loaded, named,
    plain, route, route_request, sessions, set_account, split_of, strs, update_deployment,
};

/// Requests routed per `route` batch.
const ROUTES: u32 = 1000;

pub(crate) fn registry_file() -> Value {
    let mut scenarios = Vec::new();

    // 1. The reference A/B test, scaling, generated IDs, and the R-rule errors.
    let me = "my-account";
    let mut s = Scenario::new(
        "ab-test",
        &["R1", "R2", "R3", "R4", "R5", "R6", "D1", "D2", "D3", "N3"],
        me,
        42,
        "The reference A/B test (3 and 2 replicas), routed 1,000 times with the registry's \
         own generator; scaling; generated IDs; every router-rule error; delete.",
    );
    s.run(create_deployment("deployment-a", 3, 3));
    s.run(create_deployment("deployment-b", 2, 2));
    s.run(create_router(
        Some("ab-test"),
        &["deployment-a", "deployment-b"],
    ));
    s.run(split_of("ab-test"));
    s.run(route("ab-test", me, ROUTES));
    s.run(route("accounts/my-account/routers/ab-test", me, 5));
    s.run(route("deployment-a", me, 3));
    s.run(update_deployment("deployment-a", Some(1), Some(1)));
    s.run(split_of("accounts/my-account/routers/ab-test"));
    s.run(route("ab-test", me, ROUTES));
    // Generated IDs (N3) from the registry's seeded generator.
    let generated = s.created(Op {
        op: "create_deployment",
        model: Some("llama-v3p1-8b-instruct".into()),
        min_replicas: Some(0),
        max_replicas: Some(4),
        ..Op::default()
    });
    s.run(update_deployment(&generated, Some(2), None));
    let gen_router = s.created(create_router(None, &["deployment-b", generated.as_str()]));
    s.run(Op {
        op: "update_router",
        name: Some(gen_router.clone()),
        display_name: Some("Generated router".into()),
        public: Some(true),
        model: Some("llama-v3p1-8b-instruct".into()),
        ..Op::default()
    });
    s.run(get_router_op(&gen_router));
    s.run(split_of(&gen_router));
    s.run(route(&gen_router, me, 20));
    // R2: region-pinned deployments cannot join a router.
    s.run(Op {
        op: "create_deployment",
        model: Some(MODEL.into()),
        id: Some("pinned".into()),
        region: Some("us-arizona-1".into()),
        direct_route_api_keys: Some(strs(&["key1", "Key2"])),
        ..Op::default()
    });
    s.run(create_router(Some("bad"), &["deployment-a", "pinned"]));
    s.run(create_router(
        Some("bad"),
        &["deployment-a", "deployment-a"],
    ));
    s.run(create_router(Some("bad"), &[] as &[&str]));
    s.run(create_router(Some("bad"), &["missing"]));
    s.run(create_router(
        Some("bad"),
        &["accounts/other/deployments/x"],
    ));
    s.run(create_router(Some("ab-test"), &["deployment-a"]));
    s.run(Op {
        strategy: Some("round-robin".into()),
        ..create_router(Some("bad"), &["deployment-a"])
    });
    s.run(Op {
        display_name: Some(String::new()),
        ..create_router(Some("bad"), &["deployment-a"])
    });
    s.run(update_deployment("deployment-a", Some(5), Some(4)));
    s.run(update_deployment("deployment-a", None, Some(0)));
    s.run(named("delete_deployment", "deployment-a"));
    s.run(Op {
        op: "update_router",
        name: Some("ab-test".into()),
        deployments: Some(strs(&["deployment-a", "missing"])),
        ..Op::default()
    });
    s.run(get_router_op("ab-test"));
    // R5: a total of 0 is NoCapacity; a 0-replica deployment gets nothing.
    s.run(update_deployment("deployment-b", Some(0), Some(0)));
    s.run(split_of("ab-test"));
    s.run(route("ab-test", me, 1));
    s.run(route("deployment-b", me, 1));
    s.run(update_deployment("deployment-a", Some(0), Some(6)));
    s.run(update_deployment("deployment-a", Some(6), None));
    s.run(split_of("ab-test"));
    s.run(route("ab-test", me, 10));
    // R4: delete takes effect at once; then the deployment may go.
    s.run(named("delete_router", "ab-test"));
    s.run(route("ab-test", me, 1));
    s.run(split_of("ab-test"));
    s.run(named("delete_router", "ab-test"));
    s.run(named("delete_deployment", "deployment-a"));
    s.run(named("get_deployment", "deployment-a"));
    s.run(route(&gen_router, me, 10));
    s.run(plain("reload"));
    s.run(route(&gen_router, me, 10));
    scenarios.push(s.finish());

    // 2. Accounts: public and private routers, permission errors.
    let mut s = Scenario::new(
        "accounts",
        &["N2", "R6", "T1", "T2"],
        "alpha",
        7,
        "Two accounts: a public and a private router of one, routed and read from the other; \
         changes across accounts are denied; a snapshot round trip keeps the generators.",
    );
    for (id, r) in [("d1", 5), ("d2", 1), ("d3", 2)] {
        s.run(create_deployment(id, r, r));
    }
    s.run(Op {
        public: Some(true),
        strategy: Some("weighted-random".into()),
        ..create_router(Some("public-router"), &["d1", "d2", "d3"])
    });
    s.run(create_router(Some("private-router"), &["d3", "d1"]));
    s.run(set_account("beta"));
    s.run(plain("list"));
    s.run(route(
        "accounts/alpha/routers/public-router",
        "beta",
        ROUTES,
    ));
    s.run(route("accounts/alpha/routers/private-router", "beta", 1));
    s.run(route("accounts/alpha/deployments/d1", "beta", 1));
    s.run(route("public-router", "beta", 1));
    s.run(split_of("accounts/alpha/routers/public-router"));
    s.run(split_of("accounts/alpha/routers/private-router"));
    s.run(get_router_op("accounts/alpha/routers/public-router"));
    s.run(named("get_deployment", "accounts/alpha/deployments/d1"));
    s.run(update_deployment(
        "accounts/alpha/deployments/d1",
        Some(1),
        Some(1),
    ));
    s.run(named(
        "delete_router",
        "accounts/alpha/routers/public-router",
    ));
    s.run(Op {
        op: "create_deployment",
        model: Some(MODEL.into()),
        id: Some("accounts/alpha/deployments/intruder".into()),
        ..Op::default()
    });
    s.run(create_deployment("b1", 2, 2));
    s.run(create_router(
        Some("mixed"),
        &["b1", "accounts/alpha/deployments/d1"],
    ));
    s.run(set_account("Bad_Account"));
    let beta_router = s.created(create_router(None, &["b1"]));
    s.run(route(&beta_router, "alpha", 1));
    s.run(route(&beta_router, "beta", 5));
    s.run(route(
        "accounts/alpha/routers/private-router",
        "alpha",
        ROUTES,
    ));
    s.run(plain("reload"));
    s.run(route("accounts/alpha/routers/private-router", "alpha", 50));
    s.run(set_account("alpha"));
    s.run(route("private-router", "alpha", 50));
    scenarios.push(s.finish());

    // 3. Strategies in the registry (R7).
    let mut s = Scenario::new(
        "strategies",
        &["R7", "R6"],
        me,
        2024,
        "A weighted-round-robin router routed with cursors (chains from 0 and from 2^64 - 1, \
         and without a cursor), a router with the session-affinity flag (R9) routed by \
         session key before and after a scale-up, requests without a key, strategy changes \
         that keep the flag, and the old strategy name `session-affinity` refused.",
    );
    for (id, r) in [("a", 3), ("b", 2), ("c", 0), ("d", 1)] {
        s.run(create_deployment(id, r, r));
    }
    s.run(Op {
        strategy: Some("weighted-round-robin".into()),
        ..create_router(Some("rr"), &["a", "b", "c", "d"])
    });
    s.run(cursor_chain("rr", me, 0, 18));
    s.run(cursor_chain("rr", me, u64::MAX, 8));
    s.run(route_request("rr", me, None, Some(4)));
    s.run(route_request("rr", me, Some("ignored-key"), Some(5)));
    for _ in 0..5 {
        s.run(route_request("rr", me, None, None));
    }
    s.run(route("rr", me, 60));
    s.run(update_deployment("c", Some(2), Some(2)));
    s.run(cursor_chain("rr", me, 5, 16));
    s.run(Op {
        session_affinity: Some(true),
        ..create_router(Some("sticky"), &["a", "b", "c", "d"])
    });
    let session_keys: Vec<String> = keys("session-", 48)
        .into_iter()
        .chain(
            [
                "",
                "conversation-42",
                "user:1234/chat:é",
                "日本語のセッション",
            ]
            .map(String::from),
        )
        .collect();
    s.run(sessions("sticky", me, &session_keys));
    s.run(route_request("sticky", me, Some("conversation-42"), None));
    s.run(route_request(
        "sticky",
        me,
        Some("conversation-42"),
        Some(3),
    ));
    s.run(route_request("sticky", me, None, None));
    s.run(route("sticky", me, 100));
    s.run(update_deployment("b", Some(3), Some(3)));
    s.run(sessions("sticky", me, &session_keys));
    s.run(route_request("sticky", "my-account", Some("x"), None));
    s.run(route_request(
        "accounts/my-account/deployments/a",
        me,
        Some("x"),
        Some(1),
    ));
    s.run(Op {
        op: "update_router",
        name: Some("sticky".into()),
        strategy: Some("weighted-round-robin".into()),
        ..Op::default()
    });
    s.run(cursor_chain("sticky", me, 0, 12));
    s.run(Op {
        op: "update_router",
        name: Some("sticky".into()),
        strategy: Some("sticky".into()),
        ..Op::default()
    });
    s.run(Op {
        strategy: Some("weighted-random".into()),
        ..create_router(Some("random"), &["a", "b", "d"])
    });
    s.run(route_request("random", me, Some("k"), Some(7)));
    s.run(route("random", me, ROUTES));
    s.run(plain("reload"));
    s.run(route("random", me, 20));
    s.run(Op {
        op: "update_router",
        name: Some("sticky".into()),
        strategy: Some("session-affinity".into()),
        ..Op::default()
    });
    s.run(Op {
        op: "update_router",
        name: Some("sticky".into()),
        strategy: Some("even-load".into()),
        ..Op::default()
    });
    s.run(sessions("sticky", me, &session_keys[..8]));
    s.run(Op {
        op: "update_router",
        name: Some("sticky".into()),
        session_affinity: Some(false),
        ..Op::default()
    });
    s.run(route_request("sticky", me, Some("conversation-42"), None));
    scenarios.push(s.finish());

    scenarios.push(even_load_scenario());

    // 4. A wide router: 40 deployments, zeros included.
    let mut s = Scenario::new(
        "wide",
        &["R5", "R6", "S2"],
        "wide-account",
        u64::MAX,
        "40 deployments with (i * 7) % 11 replicas (zeros included) behind one router; the \
         exact split and 1,000 routes; then half of them scaled to zero.",
    );
    let ids: Vec<String> = (0..40).map(|i| format!("dep-{i:02}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let r = (i as u32 * 7) % 11;
        s.run(create_deployment(id, r, r));
    }
    s.run(create_router(Some("wide"), &ids));
    s.run(route("wide", "wide-account", ROUTES));
    for id in ids.iter().step_by(2) {
        s.run(update_deployment(id, Some(0), Some(0)));
    }
    s.run(route("wide", "wide-account", ROUTES));
    scenarios.push(s.finish());

    file(
        &["R1-R7", "D1-D3", "N1-N3", "S1", "T1", "T2"],
        "Registry scenarios. Each scenario creates `Registry(account, seed)` and applies \
         `ops` in order; every op's result must equal `expect`. Ops: create_deployment, \
         update_deployment, delete_deployment, get_deployment (result: the deployment), \
         create_router, update_router, get_router (the router), delete_router, set_account \
         ({}), list (the acting account's deployment and router names, in order), \
         traffic_split (exact shares), route (`count` requests through the registry's own \
         generator with `route`; picks index `deployments`), route_request (one request with \
         optional session_key and cursor: deployment, replica, next_cursor), \
         route_cursor_chain (`count` requests, each with the previous next_cursor, starting \
         at `cursor`), route_sessions (one request per key: [deployment index, replica]), \
         route_loaded (even-load, SPEC R8: a load tracker from `load_tracker(model)`, each \
         [deployment, in_flight] of `loads` set, then `count` route_request calls with the \
         tracker through the registry's own generator; with `started`, each pick is counted \
         as started before the next; picks index `deployments`), \
         reload (replace the registry by from_json(to_json())), snapshot (to_json, parsed).",
        json!({ "scenarios": scenarios }),
    )
}

/// `get_router` of `name`.
fn get_router_op(name: &str) -> Op {
    named("get_router", name)
}

/// Even-load routers (SPEC R8) with load tables, and the session-affinity
/// flag on an even-load router (R9).
fn even_load_scenario() -> Value {
    let me = "my-account";
    let mut s = Scenario::new(
        "even-load",
        &["R8", "R9", "R7"],
        me,
        1616,
        "Even-load routers over a (4), b (2), c (2), d (0): no load (the generator checks that \
         these are exactly the picks of the weighted-random router `random` from the same \
         generator position), a single least \
         loaded deployment, partial ties drawn by replicas, a closed loop of started requests, \
         a load on a zero-replica deployment, and an untracked deployment; then the \
         session-affinity flag on the even-load router (keyed requests ignore the load).",
    );
    for (id, r) in [("a", 4), ("b", 2), ("c", 2), ("d", 0)] {
        s.run(create_deployment(id, r, r));
    }
    s.run(Op {
        strategy: Some("even-load".into()),
        ..create_router(Some("even"), &["a", "b", "c", "d"])
    });
    s.run(create_router(Some("random"), &["a", "b", "c", "d"]));
    let none: [(&str, u64); 0] = [];
    let mut twin = s.reg.clone();
    let weighted_random = apply(&mut twin, &route("random", me, 40));
    let even_load = s.run(loaded("even", &none, 40, false));
    assert_eq!(
        one_line(&even_load),
        one_line(&weighted_random),
        "SPEC R8: with no load, even-load is exactly weighted-random"
    );
    s.run(plain("reload"));
    s.run(route("random", me, 40));
    s.run(route("even", me, 20));
    // One least-loaded deployment: c (1/2) below a (3/4) and b (2/2).
    s.run(loaded("even", &[("a", 3), ("b", 2), ("c", 1)], 5, false));
    // Ties: a (4/4) and b (2/2) below c (3/2): a draw weighted 4 : 2.
    s.run(loaded("even", &[("a", 4), ("b", 2), ("c", 3)], 60, false));
    // Equal load per replica everywhere: the full tie, weighted-random.
    s.run(loaded(
        "even",
        &[("a", 8), ("b", 4), ("c", 4), ("d", 9)],
        30,
        false,
    ));
    // A closed loop: every pick is counted as started.
    s.run(loaded("even", &none, 64, true));
    s.run(loaded("even", &[("a", 10), ("b", 0), ("c", 7)], 32, true));
    // Exact comparison of large counts: 2^52 + 1 over 4 against 2^51 over 2.
    s.run(loaded(
        "even",
        &[("a", (1 << 52) + 1), ("b", 1 << 51), ("c", 1 << 51)],
        12,
        false,
    ));
    // Errors: a deployment the router's tracker does not count.
    s.run(loaded("even", &[("zzz", 1)], 1, false));
    // The flag: keyed requests take their slot whatever the load.
    s.run(Op {
        op: "update_router",
        name: Some("even".into()),
        session_affinity: Some(true),
        ..Op::default()
    });
    s.run(sessions("even", me, &keys("user-", 24)));
    s.run(route_request("even", me, Some("user-3"), Some(9)));
    s.run(loaded("even", &[("a", 100)], 20, true));
    s.finish()
}
