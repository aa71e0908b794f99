//! errors.json (SPEC N1, N2, G1-G6, D1, D2, R1, R6, R7, S4, T1, M6, E1):
//! inputs for every parser and validator, with the result or error code.

use replica_router::{
    DeploymentSpec, DirectRoute, Error, Id, IdKind, MigrationPlan, MigrationRequest, Region,
    RegionCatalog, Registry, ResourceKind, ResourceName, RouteRequest, RouterSpec, Schedule, Seed,
    SessionAffinity, Strategy, WeightedRoundRobin, WeightedSelector,
};
use serde_json::{Value, json};

use crate::json::{file, given, hex, one_line, parsed, result, u64s};
use crate::ops::{deployment_json, router_json, strs};

/// The cases, in order.
struct Cases(Vec<Value>);

impl Cases {
    fn push(&mut self, api: &str, input: Value, expect: Value) {
        self.0
            .push(json!({ "api": api, "input": input, "expect": expect }));
    }
}

/// Core's `json`, edited by `edit`, on one line with sorted keys.
fn edited(json: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v = parsed(json);
    edit(&mut v);
    v.sort_all_objects();
    one_line(&v)
}

fn region_result(r: Result<Region, Error>) -> Value {
    result(r, |r| {
        json!({
            "canonical": r.canonical(),
            "host_label": r.host_label(),
            "supports_direct_routing": r.supports_direct_routing(&RegionCatalog::default()),
        })
    })
}

fn direct_route(
    region: &str,
    keys: &[String],
    domain: Option<&str>,
    catalog: Option<&[String]>,
) -> Result<DirectRoute, Error> {
    let region = Region::new(region)?;
    let catalog = match catalog {
        Some(c) => RegionCatalog::new(c)?,
        None => RegionCatalog::default(),
    };
    let route = DirectRoute::with_catalog(region, keys, &catalog, 0, None)?;
    match domain {
        Some(d) => route.with_domain(d),
        None => Ok(route),
    }
}

/// A direct-route input: region, API keys, domain, catalog.
type DirectCase<'a> = (&'a str, Vec<String>, Option<&'a str>, Option<Vec<String>>);

pub(crate) fn errors_file() -> Value {
    let mut c = Cases(Vec::new());

    // N1 via the registry's account.
    let long63 = "a".repeat(63);
    let long64 = "a".repeat(64);
    for account in [
        "my-account",
        "a",
        "0",
        "a-b",
        "a--b",
        &long63,
        "",
        "-a",
        "a-",
        "A",
        "My-Account",
        "a_b",
        "a b",
        "é",
        &long64,
        "a/b",
        " a",
        "a\n",
    ] {
        let r = Registry::new(account, 0u64);
        c.push(
            "registry_account",
            json!({ "account": account }),
            result(r, |r| json!({ "account": r.account().as_str() })),
        );
    }
    // N1, N2 via a deployment's ID and model (acting account "acme").
    for id in [
        "d1",
        "accounts/acme/deployments/d1",
        "accounts/other/deployments/d1",
        "accounts/acme/routers/d1",
        "accounts/acme/models/d1",
        "accounts/acme/deployments",
        "accounts//deployments/d1",
        "accounts/Acme/deployments/d1",
        "accounts/acme/deployments/D1",
        "acme/deployments/d1",
        "accounts/acme/deployments/d1/extra",
        "D1",
        "",
        &long64,
    ] {
        let mut reg = Registry::new("acme", 0u64).expect("valid");
        let r = reg.create_deployment(DeploymentSpec::new("m").id(id));
        c.push(
            "deployment_id",
            json!({ "id": id }),
            result(r, |d| json!({ "name": d.name().to_string() })),
        );
    }
    for model in [
        "llama-v3p1-8b-instruct",
        "accounts/fireworks/models/llama-v3p1-8b-instruct",
        "accounts/fireworks/deployments/llama",
        "accounts/fireworks/models/Llama",
        "llama.v3",
        "",
    ] {
        let mut reg = Registry::new("acme", 0u64).expect("valid");
        let r = reg.create_deployment(DeploymentSpec::new(model).id("d1"));
        c.push(
            "deployment_model",
            json!({ "model": model }),
            result(r, |d| json!({ "model": d.model().to_string() })),
        );
    }
    // N2, R6: a request's model field, against a registry of account "acme" with
    // deployment d1 (1 replica) and router r1 over it, and account "zeta" with a
    // private router zr.
    for (model, caller) in [
        ("r1", "acme"),
        ("d1", "acme"),
        ("accounts/acme/routers/r1", "acme"),
        ("accounts/acme/deployments/d1", "acme"),
        ("accounts/acme/routers/d1", "acme"),
        ("accounts/acme/deployments/r1", "acme"),
        ("accounts/acme/models/m", "acme"),
        ("accounts/acme/routers", "acme"),
        ("accounts/acme/routers/r1/x", "acme"),
        ("accounts/ACME/routers/r1", "acme"),
        ("R1", "acme"),
        ("", "acme"),
        ("nope", "acme"),
        ("accounts/zeta/routers/zr", "acme"),
        ("accounts/zeta/routers/zr", "zeta"),
        ("zr", "zeta"),
        ("r1", "zeta"),
        ("accounts/acme/routers/r1", "zeta"),
        ("r1", "Acme"),
        ("r1", ""),
    ] {
        let mut reg = Registry::new("zeta", 0u64).expect("valid");
        reg.create_deployment(DeploymentSpec::new("m").id("zd"))
            .expect("ok");
        reg.create_router(RouterSpec::new(["zd"]).id("zr"))
            .expect("ok");
        reg.set_account("acme").expect("ok");
        reg.create_deployment(DeploymentSpec::new("m").id("d1"))
            .expect("ok");
        reg.create_router(RouterSpec::new(["d1"]).id("r1"))
            .expect("ok");
        let r = reg.route_request(&RouteRequest::new(model, caller));
        c.push(
            "route_target",
            json!({ "model": model, "caller": caller }),
            result(r, |d| json!({ "deployment": d.deployment.to_string() })),
        );
    }
    // G1 regions.
    for region in [
        "US_ARIZONA_1",
        "us-arizona-1",
        "US-ARIZONA-1",
        "us_arizona_1",
        "Eu-Frankfurt-1",
        "AP_TOKYO_1",
        "US_NEW_YORK_12",
        "XX_NOWHERE_9",
        "US_ARIZONA",
        "USA_ARIZONA_1",
        "U_ARIZONA_1",
        "US_ARIZONA-1",
        "US__ARIZONA_1",
        "US_ARIZONA_1A",
        "US_4RIZONA_1",
        "US_1",
        "",
        "us-arizona-1 ",
        &format!("US_{}_1", "A".repeat(59)),
        &format!("US_{}_1", "A".repeat(58)),
    ] {
        c.push(
            "region",
            json!({ "name": region }),
            region_result(Region::new(region)),
        );
    }
    // G2 catalogs.
    for regions in [
        vec![],
        vec!["us-arizona-1", "EU_FRANKFURT_1", "US_ARIZONA_1"],
        vec!["US_ARIZONA_1", "arizona"],
    ] {
        let r = RegionCatalog::new(&regions);
        c.push(
            "region_catalog",
            json!({ "regions": strs(&regions) }),
            result(r, |cat| {
                let regions: Vec<&str> = cat.regions().map(|r| r.canonical()).collect();
                json!({ "regions": regions })
            }),
        );
    }
    // G4 direct routes: region, keys, domain, catalog.
    let k = |v: &[&str]| strs(v);
    let many: Vec<String> = (0..65).map(|i| format!("key{i}")).collect();
    let max_key = "K".repeat(256);
    let too_long_key = "K".repeat(257);
    let direct_cases: Vec<DirectCase<'_>> = vec![
        ("US_ARIZONA_1", k(&["secret1"]), None, None),
        ("us-virginia-1", k(&["a", "B", "c9"]), None, None),
        ("US_ARIZONA_1", k(&[max_key.as_str()]), None, None),
        ("US_ARIZONA_1", many[..64].to_vec(), None, None),
        ("US_ARIZONA_1", k(&["k1"]), Some("Example.COM"), None),
        ("EU_PARIS_1", k(&["k1"]), None, Some(k(&["eu-paris-1"]))),
        ("EU_PARIS_1", k(&["k1"]), None, None),
        ("US_ARIZONA_1", k(&["k1"]), None, Some(vec![])),
        ("arizona", k(&["k1"]), None, None),
        ("US_ARIZONA_1", vec![], None, None),
        ("US_ARIZONA_1", many.clone(), None, None),
        ("US_ARIZONA_1", k(&[""]), None, None),
        ("US_ARIZONA_1", k(&["ok", "has space"]), None, None),
        ("US_ARIZONA_1", k(&["dash-key"]), None, None),
        ("US_ARIZONA_1", k(&["clé"]), None, None),
        ("US_ARIZONA_1", k(&[too_long_key.as_str()]), None, None),
        ("US_ARIZONA_1", k(&["k1", "k2", "k1"]), None, None),
        ("US_ARIZONA_1", k(&["k1", "K1"]), None, None),
        ("US_ARIZONA_1", k(&["k1"]), Some(""), None),
        ("US_ARIZONA_1", k(&["k1"]), Some("-bad.com"), None),
        ("US_ARIZONA_1", k(&["k1"]), Some("a..b"), None),
        ("US_ARIZONA_1", k(&["k1"]), Some("under_score.com"), None),
    ];
    for (region, keys, domain, catalog) in direct_cases {
        let r = direct_route(region, &keys, domain, catalog.as_deref());
        c.push(
            "direct_route",
            given(json!({
                "region": region,
                "api_keys": keys,
                "domain": domain,
                "catalog": catalog,
            })),
            result(r, |d| {
                json!({
                    "region": d.region().canonical(),
                    "domain": d.domain(),
                    "key_count": d.key_count(),
                })
            }),
        );
    }
    // G5 handles: the deployment as a full name or a bare ID with an account.
    let acct52 = "a".repeat(52);
    let acct53 = "a".repeat(53);
    for (deployment, account, domain) in [
        ("abcd1234", "my-account", None),
        ("accounts/my-account/deployments/abcd1234", "ignored", None),
        ("d1", "acme", Some("example.com")),
        ("d123456789", acct52.as_str(), None),
        ("d1234567890", acct52.as_str(), None),
        ("d123456789", acct53.as_str(), None),
        ("accounts/acme/routers/r1", "acme", None),
        ("D1", "acme", None),
        ("d1", "Acme", None),
    ] {
        let r = direct_route("US_ARIZONA_1", &k(&["k1"]), domain, None).and_then(|route| {
            let account = Id::new(account, IdKind::Account)?;
            let name = ResourceName::parse(deployment, ResourceKind::Deployment, &account)?;
            Ok((route.handle(&name)?, route.base_url(&name)?))
        });
        c.push(
            "direct_route_handle",
            given(json!({
                "region": "US_ARIZONA_1",
                "api_keys": k(&["k1"]),
                "domain": domain,
                "deployment": deployment,
                "account": account,
            })),
            result(r, |(h, u)| json!({ "handle": h, "base_url": u })),
        );
    }
    // G6 authorization against keys ["secret1", "Other2"].
    let auth_keys = k(&["secret1", "Other2"]);
    let route = direct_route("US_ARIZONA_1", &auth_keys, None, None).expect("valid");
    let long_token = format!("Bearer {}", "s".repeat(300));
    for header in [
        Some("Bearer secret1"),
        Some("Bearer Other2"),
        Some("bearer secret1"),
        Some("BEARER secret1"),
        Some("  Bearer secret1  "),
        Some("Bearer   secret1"),
        Some("Bearer secret2"),
        Some("Bearer SECRET1"),
        Some("Bearer other2"),
        Some(long_token.as_str()),
        None,
        Some(""),
        Some("Bearer"),
        Some("Bearer "),
        Some("Basic secret1"),
        Some("secret1"),
        Some("Bearer secret 1"),
        Some("Bearersecret1"),
    ] {
        c.push(
            "authorize",
            json!({
                "region": "US_ARIZONA_1",
                "api_keys": auth_keys.clone(),
                "header": header.map(str::to_owned),
            }),
            result(route.authorize(header), |()| json!({})),
        );
    }
    // D1, D2 bounds; G3, G4, G5 through create_deployment (acting account given).
    for (min, max) in [
        (None, None),
        (Some(3), None),
        (None, Some(0)),
        (None, Some(5)),
        (Some(0), Some(0)),
        (Some(2), Some(5)),
        (Some(5), Some(2)),
        (Some(u32::MAX), Some(u32::MAX)),
    ] {
        let mut reg = Registry::new("acme", 0u64).expect("valid");
        let mut spec = DeploymentSpec::new("m").id("d1");
        spec.min_replicas = min;
        spec.max_replicas = max;
        c.push(
            "deployment_bounds",
            given(json!({ "min_replicas": min, "max_replicas": max })),
            result(reg.create_deployment(spec), |d| {
                json!({
                    "min_replicas": d.min_replicas(),
                    "max_replicas": d.max_replicas(),
                    "replicas": d.replicas(),
                })
            }),
        );
    }
    let id53 = "d".repeat(53);
    for (account, id, region, keys) in [
        (
            "my-account",
            "abcd1234",
            Some("US_ARIZONA_1"),
            Some(k(&["secret1"])),
        ),
        ("my-account", "abcd1234", Some("eu-frankfurt-1"), None),
        ("my-account", "abcd1234", None, Some(k(&["secret1"]))),
        (
            "my-account",
            "abcd1234",
            Some("EU_PARIS_1"),
            Some(k(&["secret1"])),
        ),
        ("my-account", "abcd1234", Some("EU_PARIS_1"), None),
        ("my-account", "abcd1234", Some("Paris"), None),
        ("my-account", "abcd1234", Some("US_ARIZONA_1"), Some(vec![])),
        (
            "my-account",
            "abcd1234",
            Some("US_ARIZONA_1"),
            Some(k(&["a", "a"])),
        ),
        (
            "my-account",
            id53.as_str(),
            Some("US_ARIZONA_1"),
            Some(k(&["secret1"])),
        ),
        (
            "acme",
            id53.as_str(),
            Some("US_ARIZONA_1"),
            Some(k(&["secret1"])),
        ),
    ] {
        let mut reg = Registry::new(account, 0u64).expect("valid");
        let mut spec = DeploymentSpec::new("m").id(id);
        spec.region = region.map(Into::into);
        spec.direct_route_api_keys = keys.clone();
        c.push(
            "deployment_placement",
            given(json!({
                "account": account,
                "id": id,
                "region": region,
                "direct_route_api_keys": keys,
            })),
            result(reg.create_deployment(spec), |d| deployment_json(&d)),
        );
    }
    // R1, R7: router strategy and display name (account "acme", deployment d1).
    let name256 = "é".repeat(256);
    let name257 = "é".repeat(257);
    for (strategy, display) in [
        (Some("weighted-random"), None),
        (Some("even-load"), None),
        (Some("weighted-round-robin"), None),
        (Some("session-affinity"), None),
        (Some("Weighted-Random"), None),
        (Some("round-robin"), None),
        (Some(""), None),
        (None, Some("My router")),
        (None, Some(name256.as_str())),
        (None, Some(name257.as_str())),
        (None, Some("")),
        (None, Some("tab\tinside")),
    ] {
        let mut reg = Registry::new("acme", 0u64).expect("valid");
        reg.create_deployment(DeploymentSpec::new("m").id("d1"))
            .expect("ok");
        let r = match strategy.map(str::parse::<Strategy>) {
            Some(Err(e)) => Err(e),
            st => {
                let mut spec = RouterSpec::new(["d1"]).id("r1");
                spec.strategy = st.map(|s| s.expect("ok")).unwrap_or_default();
                spec.display_name = display.map(Into::into);
                reg.create_router(spec)
            }
        };
        c.push(
            "router_options",
            given(json!({ "strategy": strategy, "display_name": display })),
            result(r, |r| router_json(&r)),
        );
    }
    // S2-S4, R7: weights.
    let weight_inputs: Vec<Vec<u32>> = vec![
        vec![],
        vec![0],
        vec![0, 0, 0],
        vec![0, 1],
        vec![u32::MAX; 3],
    ];
    for w in &weight_inputs {
        c.push(
            "weighted_selector",
            json!({ "weights": w.clone() }),
            result(
                WeightedSelector::new(w),
                |s| json!({ "total": u64s(s.total()) }),
            ),
        );
        c.push(
            "weighted_round_robin",
            json!({ "weights": w.clone() }),
            result(
                WeightedRoundRobin::new(w),
                |s| json!({ "total": u64s(s.total()) }),
            ),
        );
    }
    // S4: seeds given as bytes (the registry's seed, read back).
    for len in [0usize, 1, 16, 31, 32, 33, 64] {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 5) as u8).collect();
        c.push(
            "seed_bytes",
            json!({ "bytes": hex(&bytes) }),
            result(
                Seed::from_slice(&bytes).and_then(|seed| Registry::new("acme", seed)),
                |reg| json!({ "seed": hex(reg.seed().as_bytes()) }),
            ),
        );
    }
    let affinity_inputs: Vec<Vec<(&str, u32)>> = vec![
        vec![],
        vec![("a", 0)],
        vec![("a", 1), ("a", 2)],
        vec![("a", 1), ("b", 0)],
        vec![("a", 65_536)],
    ];
    for deps in &affinity_inputs {
        c.push(
            "session_affinity",
            json!({ "deployments": deps }),
            result(
                SessionAffinity::new(deps.iter().copied()),
                |s| json!({ "total": u64s(s.total()) }),
            ),
        );
    }
    // T1: snapshots.
    let mut good = Registry::new("acme", 5u64).expect("valid");
    good.create_deployment(DeploymentSpec::new("m").id("d1").replicas(2, 2))
        .expect("ok");
    good.create_router(RouterSpec::new(["d1"]).id("r1"))
        .expect("ok");
    let good_json = good.to_json();
    let with = |edit: fn(&mut Value)| edited(&good_json, edit);
    let snapshots = vec![
        good_json.clone(),
        "".to_owned(),
        "not json".to_owned(),
        "[]".to_owned(),
        // The same state as format version 2 (no salt generator, no key
        // secret): it loads, and is written back as version 3.
        with(|v| {
            v["format_version"] = 2.into();
            let root = v.as_object_mut().expect("an object");
            root.remove("salt_rng_word_pos");
            root.remove("key_secret_check");
        }),
        with(|v| v["account"] = "Bad_Account".into()),
        with(|v| v["deployments"][0]["min_replicas"] = 3.into()),
        with(|v| v["routers"][0]["deployments"] = json!(["accounts/acme/deployments/missing"])),
        with(|v| v["routers"][0]["strategy"] = "fastest".into()),
        with(|v| v["extra"] = true.into()),
    ];
    for text in snapshots {
        c.push(
            "registry_from_json",
            json!({ "json": text.as_str() }),
            result(Registry::from_json(&text), |r| {
                json!({ "account": r.account().as_str(), "to_json_equal": r.to_json() == text })
            }),
        );
    }
    // M6: plan JSON.
    let mut reg = Registry::new("my-account", 42u64).expect("valid");
    reg.create_deployment(
        DeploymentSpec::new("m")
            .id("current-deployment")
            .replicas(4, 4),
    )
    .expect("ok");
    reg.create_router(RouterSpec::new(["current-deployment"]).id("my-router"))
        .expect("ok");
    let plan = reg
        .plan_migration(
            &MigrationRequest::new(
                "my-router",
                "current-deployment",
                "new-deployment",
                Schedule::Steps(vec![20, 80, 100]),
            )
            .target_replicas(4),
        )
        .expect("feasible");
    let plan_json = plan.to_json();
    let with = |edit: fn(&mut Value)| edited(&plan_json, edit);
    for text in [
        plan_json.clone(),
        "{".to_owned(),
        with(|v| v["format_version"] = 99.into()),
        with(|v| v["steps"] = json!([])),
        with(|v| v["kind"] = "sideways".into()),
        with(|v| v["unknown"] = 1.into()),
    ] {
        c.push(
            "plan_from_json",
            json!({ "json": text.as_str() }),
            result(
                MigrationPlan::from_json(&text),
                |p| json!({ "steps": p.steps().len(), "to_json_equal": p.to_json() == text }),
            ),
        );
    }

    let count = c.0.len();
    file(
        &[
            "N1", "N2", "G1", "G2", "G3", "G4", "G5", "G6", "D1", "D2", "R1", "R6", "R7", "S4",
            "T1", "M6", "E1",
        ],
        "Inputs for every parser and validator reachable from Rust, Python and JavaScript, \
         with the expected result or error code. APIs: registry_account (Registry(account, \
         seed 0)); deployment_id, deployment_model, deployment_bounds (create_deployment on \
         Registry(\"acme\", 0), model \"m\" and ID \"d1\" unless given); deployment_placement \
         (create_deployment with region and direct-route keys on Registry(account, 0), model \
         \"m\"); route_target (route_request on a registry where account zeta has deployment \
         zd and private router zr over it, and account acme has deployment d1 and router r1 \
         over it; acting account acme); region (Region(name), checked against the default \
         catalog); region_catalog (RegionCatalog(regions)); direct_route (DirectRoute(region, \
         api_keys, domain, catalog)); direct_route_handle (handle and base_url of `deployment` \
         with `account` for bare IDs); authorize (DirectRoute(region, api_keys).authorize(header), \
         header null = missing); router_options (create_router([\"d1\"], id \"r1\") on \
         Registry(\"acme\", 0) with deployment d1); weighted_selector, weighted_round_robin, \
         session_affinity (constructors); seed_bytes (Registry(\"acme\", seed) with `bytes` as \
         the seed, hex; `seed` is the registry's seed read back); registry_from_json, \
         plan_from_json (loaders; to_json_equal: to_json gives back the same text).",
        json!({ "count": count, "cases": c.0 }),
    )
}
