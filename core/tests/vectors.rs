//! SPEC S1: the shared test vectors in `testdata/vectors/`, checked from Rust.
//!
//! The same vectors are checked by the Python tests
//! (`bindings-python/tests/test_vectors.py`) and the JavaScript tests
//! (`bindings-wasm/tests/node/vectors.test.mjs`, and the browser page), so a
//! routing decision debugged in any language is the one every other language
//! makes. The files are embedded with `include_str!`, so this test needs no
//! filesystem and also runs on wasm32 under Node:
//!
//! ```text
//! CARGO_TARGET_WASM32_WASIP1_RUNNER="node $PWD/tools/wasi-runner.mjs" \
//!     cargo test -p replica-router --target wasm32-wasip1 --test vectors
//! ```
//!
//! Regenerate the files with
//! `cargo run -p replica-router --example gen_vectors -- testdata/vectors`
//! (see the README's contributor notes); `scripts/check-vectors.sh` fails when
//! the committed files differ from what the generator writes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use replica_router::{
    Deployment, DeploymentSpec, DeploymentUpdate, DirectRoute, Error, Id, IdKind, MigrationPlan,
    MigrationRequest, Region, RegionCatalog, Registry, ResourceKind, ResourceName, RouteRequest,
    Router, RouterSpec, RouterUpdate, Schedule, Seed, SessionAffinity, Strategy, TrafficSplit,
    WeightedRoundRobin, WeightedSelector, session_hash,
};
use std::collections::BTreeMap;

use serde_json::{Value, json};

const SELECTOR: &str = include_str!("../../testdata/vectors/selector.json");
const REGISTRY: &str = include_str!("../../testdata/vectors/registry.json");
const STRATEGIES: &str = include_str!("../../testdata/vectors/strategies.json");
const ERRORS: &str = include_str!("../../testdata/vectors/errors.json");
const MIGRATION: &str = include_str!("../../testdata/vectors/migration.json");

/// The vector files' layout version this consumer reads.
const FORMAT: u64 = 1;

fn load(text: &str) -> Value {
    let v: Value = serde_json::from_str(text).expect("vector file is JSON");
    assert_eq!(v["format"], json!(FORMAT), "vector format version");
    assert!(
        v["generator"]
            .as_str()
            .is_some_and(|g| g.contains("gen_vectors"))
    );
    v
}

// ----- field access -----

fn opt_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn string(v: &Value, key: &str) -> String {
    opt_str(v, key).unwrap_or_else(|| panic!("{key} in {v}"))
}

fn opt_u32(v: &Value, key: &str) -> Option<u32> {
    v.get(key)
        .and_then(Value::as_u64)
        .map(|n| u32::try_from(n).unwrap())
}

fn opt_bool(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

/// A u64 given as a decimal string (or a `0x` hex string).
fn big(v: &Value) -> u64 {
    let s = v.as_str().unwrap_or_else(|| panic!("u64 string, got {v}"));
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
        None => s.parse().unwrap(),
    }
}

fn opt_big(v: &Value, key: &str) -> Option<u64> {
    v.get(key).map(big)
}

fn opt_strs(v: &Value, key: &str) -> Option<Vec<String>> {
    v.get(key).map(|a| {
        a.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    })
}

fn u32s(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| u32::try_from(n.as_u64().unwrap()).unwrap())
        .collect()
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("array, got {v}"))
}

// ----- results as JSON, in the vectors' shapes -----

fn err(e: &Error) -> Value {
    json!({ "error": e.code() })
}

fn res<T>(r: Result<T, Error>, ok: impl FnOnce(T) -> Value) -> Value {
    r.map_or_else(|e| err(&e), ok)
}

fn s(n: u64) -> Value {
    Value::String(n.to_string())
}

fn deployment_json(d: &Deployment) -> Value {
    json!({
        "name": d.name().to_string(),
        "model": d.model().to_string(),
        "region": d.placement().region().map(|r| r.canonical().to_owned()),
        "min_replicas": d.min_replicas(),
        "max_replicas": d.max_replicas(),
        "replicas": d.replicas(),
        "direct_route_handle": d.direct_route().map(|r| r.handle(d.name()).unwrap()),
    })
}

fn router_json(r: &Router) -> Value {
    json!({
        "name": r.name().to_string(),
        "deployments": r.deployments().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "strategy": r.strategy().as_str(),
        "session_affinity": r.session_affinity(),
        "public": r.is_public(),
        "display_name": r.display_name(),
        "model": r.model().map(ToString::to_string),
    })
}

fn split_json(sp: &TrafficSplit) -> Value {
    json!({
        "router": sp.router.to_string(),
        "total_replicas": s(sp.total_replicas),
        "shares": sp.shares.iter().map(|sh| json!({
            "deployment": sh.deployment.to_string(),
            "replicas": sh.replicas,
            "numerator": sh.fraction.numerator(),
            "denominator": sh.fraction.denominator(),
        })).collect::<Vec<_>>(),
    })
}

/// Checks `names` against `expect`'s legend and indices.
fn check_picks(expect: &Value, names: &[String], what: &str) {
    let legend = opt_strs(expect, "deployments").unwrap();
    let want: Vec<&str> = arr(&expect["picks"])
        .iter()
        .map(|i| legend[i.as_u64().unwrap() as usize].as_str())
        .collect();
    let got: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(got, want, "{what}");
}

// ----- registry operations -----

/// Applies one registry op and checks its result against `expect`.
fn apply(reg: &mut Registry, op: &Value, ctx: &str) {
    let expect = &op["expect"];
    let what = format!(
        "{ctx}: {}",
        serde_json::to_string(op)
            .unwrap()
            .chars()
            .take(300)
            .collect::<String>()
    );
    let name = || string(op, "name");
    let got = match op["op"].as_str().unwrap() {
        "create_deployment" => {
            let mut spec = DeploymentSpec::new(string(op, "model"));
            spec.id = opt_str(op, "id");
            spec.region = opt_str(op, "region");
            spec.min_replicas = opt_u32(op, "min_replicas");
            spec.max_replicas = opt_u32(op, "max_replicas");
            spec.direct_route_api_keys = opt_strs(op, "direct_route_api_keys");
            res(reg.create_deployment(spec), |d| deployment_json(&d))
        }
        "update_deployment" => {
            let mut update = DeploymentUpdate::new();
            update.min_replicas = opt_u32(op, "min_replicas");
            update.max_replicas = opt_u32(op, "max_replicas");
            res(reg.update_deployment(&name(), update), |d| {
                deployment_json(&d)
            })
        }
        "delete_deployment" => res(reg.delete_deployment(&name()), |()| json!({})),
        "get_deployment" => res(reg.get_deployment(&name()), deployment_json),
        "create_router" => match opt_str(op, "strategy").map(|st| st.parse::<Strategy>()) {
            Some(Err(e)) => err(&e),
            strategy => {
                let mut spec = RouterSpec::new(opt_strs(op, "deployments").unwrap());
                spec.id = opt_str(op, "id");
                spec.display_name = opt_str(op, "display_name");
                spec.model = opt_str(op, "model");
                spec.strategy = strategy.map(Result::unwrap).unwrap_or_default();
                spec.session_affinity = opt_bool(op, "session_affinity").unwrap_or(false);
                spec.public = opt_bool(op, "public").unwrap_or(false);
                res(reg.create_router(spec), |r| router_json(&r))
            }
        },
        "update_router" => match opt_str(op, "strategy").map(|st| st.parse::<Strategy>()) {
            Some(Err(e)) => err(&e),
            strategy => {
                let mut update = RouterUpdate::new();
                update.strategy = strategy.map(Result::unwrap);
                update.deployments = opt_strs(op, "deployments");
                update.display_name = opt_str(op, "display_name");
                update.model = opt_str(op, "model");
                update.session_affinity = opt_bool(op, "session_affinity");
                update.public = opt_bool(op, "public");
                res(reg.update_router(&name(), update), |r| router_json(&r))
            }
        },
        "delete_router" => res(reg.delete_router(&name()), |()| json!({})),
        "get_router" => res(reg.get_router(&name()), router_json),
        "set_account" => res(reg.set_account(&string(op, "account")), |()| json!({})),
        "list" => json!({
            "deployments": reg.list_deployments().map(|d| d.name().to_string()).collect::<Vec<_>>(),
            "routers": reg.list_routers().map(|r| r.name().to_string()).collect::<Vec<_>>(),
        }),
        "traffic_split" => res(reg.traffic_split(&string(op, "router")), |sp| {
            split_json(&sp)
        }),
        "route" => {
            let (model, caller) = (string(op, "model"), string(op, "caller"));
            let mut names = Vec::new();
            for _ in 0..opt_u32(op, "count").unwrap() {
                match reg.route(&model, &caller) {
                    Ok(d) => names.push(d.to_string()),
                    Err(e) => {
                        assert!(
                            names.is_empty(),
                            "{what}: error after {} routes",
                            names.len()
                        );
                        names.push(e.code().to_owned());
                        break;
                    }
                }
            }
            if expect.get("error").is_some() {
                assert_eq!(names, [string(expect, "error")], "{what}");
            } else {
                check_picks(expect, &names, &what);
            }
            return;
        }
        "route_request" => {
            let (model, caller) = (string(op, "model"), string(op, "caller"));
            let key = opt_str(op, "session_key");
            let mut req = RouteRequest::new(&model, &caller);
            if let Some(k) = &key {
                req = req.session_key(k);
            }
            if let Some(c) = opt_big(op, "cursor") {
                req = req.cursor(c);
            }
            res(reg.route_request(&req), |d| {
                json!({
                    "deployment": d.deployment.to_string(),
                    "replica": d.replica,
                    "next_cursor": d.next_cursor.map(s),
                })
            })
        }
        "route_loaded" => {
            // SPEC R8: a tracker from the router, the load table set, then
            // `count` even-load routes (each counted as started if asked).
            let (model, caller) = (string(op, "model"), string(op, "caller"));
            let outcome = reg.load_tracker(&model).and_then(|tracker| {
                for entry in arr(&op["loads"]) {
                    let name = entry[0].as_str().unwrap();
                    tracker.set(name, entry[1].as_u64().unwrap())?;
                }
                let mut names = Vec::new();
                for _ in 0..opt_u32(op, "count").unwrap() {
                    let req = RouteRequest::new(&model, &caller).load(&tracker);
                    let d = reg.route_request(&req)?.deployment.to_string();
                    if opt_bool(op, "started") == Some(true) {
                        tracker.started(&d)?;
                    }
                    names.push(d);
                }
                Ok(names)
            });
            match outcome {
                Ok(names) => check_picks(expect, &names, &what),
                Err(e) => assert_eq!(&err(&e), expect, "{what}"),
            }
            return;
        }
        "route_cursor_chain" => {
            let (model, caller) = (string(op, "model"), string(op, "caller"));
            let mut cursor = opt_big(op, "cursor").unwrap();
            let (mut names, mut cursors) = (Vec::new(), Vec::new());
            for _ in 0..opt_u32(op, "count").unwrap() {
                let d = reg
                    .route_request(&RouteRequest::new(&model, &caller).cursor(cursor))
                    .unwrap();
                names.push(d.deployment.to_string());
                cursor = d.next_cursor.unwrap();
                cursors.push(s(cursor));
            }
            check_picks(expect, &names, &what);
            assert_eq!(&Value::Array(cursors), &expect["next_cursors"], "{what}");
            return;
        }
        "route_sessions" => {
            let (model, caller) = (string(op, "model"), string(op, "caller"));
            let legend = opt_strs(expect, "deployments").unwrap();
            for (key, want) in opt_strs(op, "keys")
                .unwrap()
                .iter()
                .zip(arr(&expect["picks"]))
            {
                let d = reg
                    .route_request(&RouteRequest::new(&model, &caller).session_key(key))
                    .unwrap();
                let want_name = &legend[want[0].as_u64().unwrap() as usize];
                assert_eq!(
                    (d.deployment.to_string(), d.replica),
                    (
                        want_name.clone(),
                        Some(u32::try_from(want[1].as_u64().unwrap()).unwrap())
                    ),
                    "{what}: key {key:?}"
                );
            }
            assert_eq!(
                opt_strs(op, "keys").unwrap().len(),
                arr(&expect["picks"]).len()
            );
            return;
        }
        "reload" => {
            *reg = Registry::from_json(&reg.to_json()).unwrap();
            json!({})
        }
        "snapshot" => {
            let v: Value = serde_json::from_str(&reg.to_json()).unwrap();
            // Serde serializes the same document, written without text.
            #[cfg(feature = "serde")]
            assert_eq!(serde_json::to_value(&*reg).unwrap(), v, "{what}: serde");
            json!({ "json": v })
        }
        other => panic!("{ctx}: unknown op {other}"),
    };
    assert_eq!(&got, expect, "{what}");
}

// ----- selector.json -----

fn build_weights(def: &Value) -> Vec<u32> {
    if let Some(lit) = def.get("literal") {
        return u32s(lit);
    }
    let f = &def["formula"];
    let (mul, modulus, add, len) = (
        f["mul"].as_u64().unwrap(),
        f["modulus"].as_u64().unwrap(),
        f["add"].as_u64().unwrap(),
        f["len"].as_u64().unwrap(),
    );
    (0..len)
        .map(|i| u32::try_from((i * mul) % modulus + add).unwrap())
        .collect()
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn fnv1a64(counts: &[u64]) -> u64 {
    let text = counts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[test]
fn s1_selector_streams_match_the_vectors() {
    let v = load(SELECTOR);
    let n_picks = v["picks_per_case"].as_u64().unwrap() as usize;
    let n_counts = v["counts_picks"].as_u64().unwrap();
    let mut checked = 0;
    for case in arr(&v["cases"]) {
        let what = format!("{} / {}", case["weights"], case["seed"]);
        let weights = build_weights(&v["weights"][case["weights"].as_str().unwrap()]);
        let seed_def = &v["seeds"][case["seed"].as_str().unwrap()];
        let seed = match seed_def.get("u64") {
            Some(n) => Seed::from_u64(big(n)),
            None => Seed::from_bytes(hex_bytes(&string(seed_def, "bytes")).try_into().unwrap()),
        };
        assert_eq!(
            seed.as_bytes().to_vec(),
            hex_bytes(&string(seed_def, "seed_bytes")),
            "{what}"
        );
        let selector = WeightedSelector::new(&weights).unwrap();
        assert_eq!(
            selector.len() as u64,
            case["len"].as_u64().unwrap(),
            "{what}"
        );
        assert_eq!(selector.total(), big(&case["total"]), "{what}");
        // The first 8 picks one at a time, the rest as a batch (S3): one stream.
        let mut rng = seed.rng();
        let mut picks: Vec<u32> = (0..8).map(|_| selector.pick(&mut rng)).collect();
        let mut rest = vec![0u32; n_picks - 8];
        selector.fill(&mut rng, &mut rest);
        picks.extend(rest);
        assert_eq!(picks, u32s(&case["picks"]), "{what}: picks");
        let counts = selector.counts(&mut rng, n_counts);
        assert_eq!(counts.iter().sum::<u64>(), n_counts);
        match case.get("counts") {
            Some(c) => {
                let want: Vec<u64> = arr(c).iter().map(|n| n.as_u64().unwrap()).collect();
                assert_eq!(counts, want, "{what}: counts");
            }
            None => {
                let d = &case["counts_digest"];
                assert_eq!(
                    fnv1a64(&counts),
                    big(&d["fnv1a64"]),
                    "{what}: counts digest"
                );
                let nonzero = counts.iter().filter(|&&c| c > 0).count() as u64;
                assert_eq!(nonzero, d["nonzero"].as_u64().unwrap(), "{what}");
                assert_eq!(counts.iter().max().copied(), d["max"].as_u64(), "{what}");
                let head: Vec<u64> = arr(&d["head"])
                    .iter()
                    .map(|n| n.as_u64().unwrap())
                    .collect();
                assert_eq!(counts[..head.len()], head[..], "{what}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 40, "{checked} selector cases");
    println!("selector.json: {checked} cases checked");
}

// ----- registry.json -----

#[test]
fn r_registry_scenarios_match_the_vectors() {
    let v = load(REGISTRY);
    let mut ops = 0;
    for scenario in arr(&v["scenarios"]) {
        let name = string(scenario, "name");
        let mut reg = Registry::new(&string(scenario, "account"), big(&scenario["seed"])).unwrap();
        for op in arr(&scenario["ops"]) {
            apply(&mut reg, op, &name);
            ops += 1;
        }
    }
    println!(
        "registry.json: {} scenarios, {ops} ops checked",
        arr(&v["scenarios"]).len()
    );
}

// ----- strategies.json -----

#[test]
fn r7_strategies_match_the_vectors() {
    let v = load(STRATEGIES);
    let mut checked = 0;
    for case in arr(&v["session_hash"]) {
        let key = string(case, "key");
        assert_eq!(
            session_hash(&key),
            big(&case["hash"]),
            "session_hash({key:?})"
        );
        checked += 1;
    }
    for case in arr(&v["round_robin"]) {
        let rr = WeightedRoundRobin::new(&u32s(&case["weights"])).unwrap();
        assert_eq!(rr.total(), big(&case["total"]));
        let want = u32s(&case["picks"]);
        let start = big(&case["cursor"]);
        let mut cursor = start;
        let mut picks = Vec::new();
        for _ in 0..case["count"].as_u64().unwrap() {
            picks.push(rr.pick(cursor));
            cursor = rr.next_cursor(cursor);
        }
        assert_eq!(picks, want, "round robin {case}");
        assert_eq!(cursor, big(&case["next_cursor"]));
        let mut batch = vec![0u32; want.len()];
        assert_eq!(rr.fill(start, &mut batch), cursor);
        assert_eq!(batch, want);
        checked += 1;
    }
    let sa = &v["session_affinity"];
    let keys = opt_strs(sa, "keys").unwrap();
    for case in arr(&sa["cases"]) {
        let deployments: Vec<(String, u32)> = arr(&case["deployments"])
            .iter()
            .map(|d| {
                (
                    d[0].as_str().unwrap().to_owned(),
                    u32::try_from(d[1].as_u64().unwrap()).unwrap(),
                )
            })
            .collect();
        let affinity =
            SessionAffinity::new(deployments.iter().map(|(n, r)| (n.as_str(), *r))).unwrap();
        assert_eq!(affinity.total(), big(&case["total"]));
        for (key, want) in keys.iter().zip(arr(&case["picks"])) {
            let p = affinity.pick(key);
            assert_eq!(
                json!([p.deployment, p.replica]),
                *want,
                "{deployments:?} key {key:?}"
            );
        }
        assert_eq!(keys.len(), arr(&case["picks"]).len());
        for h in arr(&case["hashed"]) {
            let p = affinity.pick_hashed(big(&h["hash"]));
            assert_eq!(
                json!([p.deployment, p.replica]),
                h["pick"],
                "{deployments:?} {h}"
            );
        }
        checked += 1;
    }
    println!("strategies.json: {checked} vectors checked");
}

// ----- errors.json -----

fn direct_route(input: &Value) -> Result<DirectRoute, Error> {
    let region = Region::new(&string(input, "region"))?;
    let catalog = match opt_strs(input, "catalog") {
        Some(c) => RegionCatalog::new(c)?,
        None => RegionCatalog::default(),
    };
    let route = DirectRoute::with_catalog(
        region,
        &opt_strs(input, "api_keys").unwrap(),
        &catalog,
        0,
        None,
    )?;
    match opt_str(input, "domain") {
        Some(d) => route.with_domain(&d),
        None => Ok(route),
    }
}

fn error_case(api: &str, input: &Value) -> Value {
    let acme = || Registry::new("acme", 0).unwrap();
    match api {
        "registry_account" => res(
            Registry::new(&string(input, "account"), 0),
            |r| json!({ "account": r.account().as_str() }),
        ),
        "deployment_id" => res(
            acme().create_deployment(DeploymentSpec::new("m").id(string(input, "id"))),
            |d| json!({ "name": d.name().to_string() }),
        ),
        "deployment_model" => res(
            acme().create_deployment(DeploymentSpec::new(string(input, "model")).id("d1")),
            |d| json!({ "model": d.model().to_string() }),
        ),
        "deployment_bounds" => {
            let mut spec = DeploymentSpec::new("m").id("d1");
            spec.min_replicas = opt_u32(input, "min_replicas");
            spec.max_replicas = opt_u32(input, "max_replicas");
            res(acme().create_deployment(spec), |d| {
                json!({
                    "min_replicas": d.min_replicas(),
                    "max_replicas": d.max_replicas(),
                    "replicas": d.replicas(),
                })
            })
        }
        "deployment_placement" => {
            let mut reg = Registry::new(&string(input, "account"), 0).unwrap();
            let mut spec = DeploymentSpec::new("m").id(string(input, "id"));
            spec.region = opt_str(input, "region");
            spec.direct_route_api_keys = opt_strs(input, "direct_route_api_keys");
            res(reg.create_deployment(spec), |d| deployment_json(&d))
        }
        "route_target" => {
            let mut reg = Registry::new("zeta", 0).unwrap();
            reg.create_deployment(DeploymentSpec::new("m").id("zd"))
                .unwrap();
            reg.create_router(RouterSpec::new(["zd"]).id("zr")).unwrap();
            reg.set_account("acme").unwrap();
            reg.create_deployment(DeploymentSpec::new("m").id("d1"))
                .unwrap();
            reg.create_router(RouterSpec::new(["d1"]).id("r1")).unwrap();
            let (model, caller) = (string(input, "model"), string(input, "caller"));
            res(
                reg.route_request(&RouteRequest::new(&model, &caller)),
                |d| json!({ "deployment": d.deployment.to_string() }),
            )
        }
        "region" => res(Region::new(&string(input, "name")), |r| {
            json!({
                "canonical": r.canonical(),
                "host_label": r.host_label(),
                "supports_direct_routing": r.supports_direct_routing(&RegionCatalog::default()),
            })
        }),
        "region_catalog" => res(
            RegionCatalog::new(opt_strs(input, "regions").unwrap()),
            |c| json!({ "regions": c.regions().map(Region::canonical).collect::<Vec<_>>() }),
        ),
        "direct_route" => res(
            direct_route(input),
            |d| json!({ "region": d.region().canonical(), "domain": d.domain(), "key_count": d.key_count() }),
        ),
        "direct_route_handle" => {
            let r = direct_route(input).and_then(|route| {
                let account = Id::new(&string(input, "account"), IdKind::Account)?;
                let name = ResourceName::parse(
                    &string(input, "deployment"),
                    ResourceKind::Deployment,
                    &account,
                )?;
                Ok((route.handle(&name)?, route.base_url(&name)?))
            });
            res(r, |(h, u)| json!({ "handle": h, "base_url": u }))
        }
        "authorize" => {
            let route = direct_route(input).unwrap();
            res(route.authorize(input["header"].as_str()), |()| json!({}))
        }
        "router_options" => {
            let mut reg = acme();
            reg.create_deployment(DeploymentSpec::new("m").id("d1"))
                .unwrap();
            match opt_str(input, "strategy").map(|st| st.parse::<Strategy>()) {
                Some(Err(e)) => err(&e),
                strategy => {
                    let mut spec = RouterSpec::new(["d1"]).id("r1");
                    spec.strategy = strategy.map(Result::unwrap).unwrap_or_default();
                    spec.display_name = opt_str(input, "display_name");
                    res(reg.create_router(spec), |r| router_json(&r))
                }
            }
        }
        "weighted_selector" => res(
            WeightedSelector::new(&u32s(&input["weights"])),
            |w| json!({ "total": s(w.total()) }),
        ),
        "seed_bytes" => res(
            Seed::from_slice(&hex_bytes(&string(input, "bytes")))
                .and_then(|seed| Registry::new("acme", seed)),
            |reg| {
                let hex: String = reg
                    .seed()
                    .as_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                json!({ "seed": hex })
            },
        ),
        "weighted_round_robin" => res(
            WeightedRoundRobin::new(&u32s(&input["weights"])),
            |w| json!({ "total": s(w.total()) }),
        ),
        "session_affinity" => {
            let deps: Vec<(String, u32)> = arr(&input["deployments"])
                .iter()
                .map(|d| {
                    (
                        d[0].as_str().unwrap().to_owned(),
                        u32::try_from(d[1].as_u64().unwrap()).unwrap(),
                    )
                })
                .collect();
            res(
                SessionAffinity::new(deps.iter().map(|(n, r)| (n.as_str(), *r))),
                |a| json!({ "total": s(a.total()) }),
            )
        }
        "registry_from_json" => {
            let text = string(input, "json");
            // Serde loads what from_json loads.
            #[cfg(feature = "serde")]
            if let Ok(r) = Registry::from_json(&text) {
                assert_eq!(serde_json::from_str::<Registry>(&text).unwrap(), r);
            }
            res(
                Registry::from_json(&text),
                |r| json!({ "account": r.account().as_str(), "to_json_equal": r.to_json() == text }),
            )
        }
        "plan_from_json" => {
            let text = string(input, "json");
            // Serde loads what from_json loads.
            #[cfg(feature = "serde")]
            if let Ok(p) = MigrationPlan::from_json(&text) {
                assert_eq!(serde_json::from_str::<MigrationPlan>(&text).unwrap(), p);
            }
            res(
                MigrationPlan::from_json(&text),
                |p| json!({ "steps": p.steps().len(), "to_json_equal": p.to_json() == text }),
            )
        }
        other => panic!("unknown api {other}"),
    }
}

#[test]
fn e1_errors_match_the_vectors() {
    let v = load(ERRORS);
    let cases = arr(&v["cases"]);
    assert_eq!(cases.len() as u64, v["count"].as_u64().unwrap());
    let mut apis = BTreeMap::<String, usize>::new();
    for case in cases {
        let api = string(case, "api");
        let got = error_case(&api, &case["input"]);
        assert_eq!(got, case["expect"], "{api} {}", case["input"]);
        *apis.entry(api).or_default() += 1;
    }
    println!("errors.json: {} cases checked ({apis:?})", cases.len());
}

// ----- migration.json -----

fn plan_check(plan: &MigrationPlan, expect: &Value, what: &str) {
    let json: Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert_eq!(json, expect["json"], "{what}: plan JSON");
    // Serde serializes the same document, written without text.
    #[cfg(feature = "serde")]
    assert_eq!(serde_json::to_value(plan).unwrap(), json, "{what}: serde");
    assert_eq!(
        json!(plan.firectl_commands()),
        expect["firectl_commands"],
        "{what}: commands"
    );
}

#[test]
fn m_migration_plans_match_the_vectors() {
    let v = load(MIGRATION);
    let mut checked = 0;
    for case in arr(&v["cases"]) {
        let what = string(case, "name");
        let account = string(case, "account");
        let seed = big(&case["seed"]);
        let mut reg = Registry::new(&account, seed).unwrap();
        for op in arr(&case["setup"]) {
            apply(&mut reg, op, &what);
        }
        let initial = reg.to_json();
        let rq = &case["request"];
        let schedule = match (rq.get("traffic_steps"), opt_u32(rq, "max_step_percent")) {
            (Some(steps), None) => Schedule::Steps(u32s(steps)),
            (None, Some(m)) => Schedule::MaxStep(m),
            _ => panic!("{what}: one schedule"),
        };
        let mut request = MigrationRequest::new(
            string(rq, "router"),
            string(rq, "from"),
            string(rq, "to"),
            schedule,
        );
        request.target_replicas = opt_u32(rq, "target_replicas");
        request.min_total_replicas = opt_u32(rq, "min_total_replicas");
        request.max_total_replicas = opt_u32(rq, "max_total_replicas");
        let expect = &case["expect"];
        let plan = match reg.plan_migration(&request) {
            Err(e) => {
                assert_eq!(err(&e), *expect, "{what}");
                checked += 1;
                continue;
            }
            Ok(plan) => plan,
        };
        plan_check(&plan, &expect["plan"], &what);
        for a in arr(&expect["apply_errors"]) {
            let step = a["step"].as_u64().unwrap() as usize;
            assert_eq!(
                err(&reg.apply_step(&plan, step).unwrap_err()),
                a["expect"],
                "{what}"
            );
        }
        assert_eq!(
            reg.to_json(),
            initial,
            "{what}: refused steps change nothing"
        );
        for (i, split) in arr(&expect["splits_after_steps"]).iter().enumerate() {
            reg.apply_step(&plan, i).unwrap();
            let router = string(rq, "router");
            assert_eq!(
                res(reg.traffic_split(&router), |sp| split_json(&sp)),
                *split,
                "{what} step {i}"
            );
        }
        if let Some(rb) = expect.get("rollback") {
            let after = rb["after_step"].as_u64().unwrap() as usize;
            let rollback = plan.rollback(after).unwrap();
            plan_check(&rollback, &rb["plan"], &format!("{what} rollback"));
            // M6: applied after step `after`, the rollback restores the start.
            let mut fresh = Registry::from_json(&initial).unwrap();
            for i in 0..=after {
                fresh.apply_step(&plan, i).unwrap();
            }
            for i in 0..rollback.steps().len() {
                fresh.apply_step(&rollback, i).unwrap();
            }
            assert_eq!(fresh.to_json(), initial, "{what}: rollback");
        }
        checked += 1;
    }
    println!("migration.json: {checked} cases checked");
}

// ----- platform.json -----

const PLATFORM: &str = include_str!("../../testdata/vectors/platform.json");

/// JSON written by core, parsed, keys sorted as in the vector files.
fn sorted(json: &str) -> Value {
    let mut v: Value = serde_json::from_str(json).unwrap();
    v.sort_all_objects();
    v
}

#[test]
fn p_platform_resources_match_the_vectors() {
    let v = load(PLATFORM);
    let mut checked = 0;
    for case in arr(&v["cases"]) {
        let what = string(case, "name");
        let mut reg = Registry::new(&string(case, "account"), big(&case["seed"])).unwrap();
        let input = match &case["input"] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let expect = &case["expect"];
        match reg.import_resources(&input) {
            Err(e) => assert_eq!(err(&e), *expect, "{what}"),
            Ok(report) => {
                assert_eq!(
                    sorted(&report.to_json()),
                    expect["report"],
                    "{what}: report"
                );
                assert_eq!(
                    sorted(&reg.to_json()),
                    expect["snapshot"],
                    "{what}: snapshot"
                );
                let export = reg.export_resources();
                assert_eq!(sorted(&export), expect["export"], "{what}: export");
            }
        }
        if let Some(p) = case.get("plan") {
            let request = MigrationRequest::new(
                string(p, "router"),
                string(p, "from"),
                string(p, "to"),
                Schedule::Steps(u32s(&p["traffic_steps"])),
            );
            let mut request = request;
            request.target_replicas = opt_u32(p, "target_replicas");
            let plan = reg.plan_migration(&request).unwrap();
            let ops: Vec<Value> = plan
                .operations()
                .iter()
                .map(|o| sorted(&o.to_json()))
                .collect();
            assert_eq!(Value::Array(ops), case["operations"], "{what}: operations");
        }
        checked += 1;
    }
    assert!(checked >= 9);
    println!("platform.json: {checked} cases checked");
}
