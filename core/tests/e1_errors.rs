//! SPEC E1: one error enum; every variant is reachable, carries what the
//! user needs and says what is accepted; no input makes core panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::registry::*;
use proptest::prelude::*;
use replica_router::{
    DeploymentSpec, DeploymentUpdate, DirectRoute, Error, ErrorKind, Id, IdKind, KeySecret, Region,
    RegionCatalog, Registry, ResourceKind, ResourceName, RouterSpec, Seed, Strategy,
    WeightedSelector,
};

/// Every code that `Error::code` can return, read from core's one error
/// table (`Error::kind_and_code`, rows `Variant => (ErrorKind::X, "CODE")`)
/// so that a new variant without a reaching test fails this suite.
fn all_codes() -> Vec<String> {
    let src = include_str!("../src/error.rs");
    let start = src
        .find("fn kind_and_code(&self)")
        .expect("kind_and_code() exists");
    let body = &src[start..];
    let end = body.find("\n    }\n").expect("end of kind_and_code()");
    let codes: Vec<String> = body[..end]
        .lines()
        .filter(|l| l.contains("(ErrorKind::"))
        .filter_map(|l| l.split(", \"").nth(1))
        .map(|rest| rest.split('"').next().unwrap_or_default().to_owned())
        .collect();
    assert!(codes.len() >= 40, "only {} codes parsed", codes.len());
    codes
}

/// One scenario per error code, each through the public API.
fn reached() -> BTreeMap<&'static str, Error> {
    let mut out = BTreeMap::new();
    let mut put = |e: Error| {
        out.entry(e.code()).or_insert(e);
    };
    let mut reg = ab_test();
    put(Id::new("Bad", IdKind::Router).unwrap_err());
    put(reg.get_router("accounts/x/deployments/y").unwrap_err());
    put(Region::new("nowhere").unwrap_err());
    put(reg
        .create_deployment(
            DeploymentSpec::new(MODEL)
                .region("US_OREGON_1")
                .direct_route(["k"]),
        )
        .unwrap_err());
    put(reg
        .create_deployment(DeploymentSpec::new(MODEL).direct_route(["k"]))
        .unwrap_err());
    put(DirectRoute::new(Region::new("US_IOWA_1").unwrap(), &["bad key"], 0).unwrap_err());
    put(DirectRoute::new(Region::new("US_IOWA_1").unwrap(), &["k", "k"], 0).unwrap_err());
    put(DirectRoute::new(Region::new("US_IOWA_1").unwrap(), &[] as &[&str], 0).unwrap_err());
    let route = DirectRoute::new(Region::new("US_IOWA_1").unwrap(), &["k"], 0).unwrap();
    let long = ResourceName::new(
        Id::new(&"a".repeat(40), IdKind::Account).unwrap(),
        ResourceKind::Deployment,
        Id::new(&"b".repeat(40), IdKind::Deployment).unwrap(),
    );
    put(route.handle(&long).unwrap_err());
    put(route.clone().with_domain("bad domain").unwrap_err());
    put(route.authorize(None).unwrap_err());
    put(route.authorize(Some("Bearer nope")).unwrap_err());
    put(KeySecret::new(b"short").unwrap_err());
    let secret = KeySecret::new(&[7; 32]).unwrap();
    let keyed = Registry::new("acme", 1)
        .unwrap()
        .with_key_secret(secret)
        .unwrap();
    put(Registry::from_json(&keyed.to_json()).unwrap_err());
    put(reg
        .update_deployment("deployment-a", DeploymentUpdate::new().replicas(2, 1))
        .unwrap_err());
    put(reg
        .create_router(RouterSpec::new(["deployment-a"]).id("ab-test"))
        .unwrap_err());
    put(reg.get_router("missing").unwrap_err());
    put(reg.route(&router_name("ab-test"), "stranger").unwrap_err());
    put(reg.delete_deployment("deployment-a").unwrap_err());
    reg.create_deployment(DeploymentSpec::new(MODEL).id("pinned").region("US_IOWA_1"))
        .unwrap();
    put(reg.create_router(RouterSpec::new(["pinned"])).unwrap_err());
    put(reg
        .create_router(RouterSpec::new(["accounts/x/deployments/y"]))
        .unwrap_err());
    put(reg
        .create_router(RouterSpec::new(Vec::<String>::new()))
        .unwrap_err());
    put(reg
        .create_router(RouterSpec::new(["deployment-a", "deployment-a"]))
        .unwrap_err());
    put("random".parse::<Strategy>().unwrap_err());
    put(reg
        .create_router(RouterSpec::new(["deployment-a"]).display_name(""))
        .unwrap_err());
    reg.update_deployment("pinned", DeploymentUpdate::new().replicas(0, 0))
        .unwrap();
    put(reg.route(&dep_name("pinned"), ACCOUNT).unwrap_err());
    put(WeightedSelector::new(&[]).unwrap_err());
    put(WeightedSelector::new(&[0, 0]).unwrap_err());
    put(Seed::from_slice(&[0; 31]).unwrap_err());
    put(reg
        .create_router(RouterSpec::new(vec![
            "d";
            replica_router::limits::MAX_ROUTER_DEPLOYMENTS
                + 1
        ]))
        .unwrap_err());
    put(Registry::from_json("{").unwrap_err());
    put(Registry::from_json(r#"{"format_version": 99}"#).unwrap_err());
    let json = reg
        .to_json()
        .replace("\"min_replicas\": 3", "\"min_replicas\": 4");
    put(Registry::from_json(&json).unwrap_err());
    migration_errors(&mut put);
    platform_errors(&mut put);
    out
}

/// The platform resource errors (SPEC P1, P3), one scenario each.
fn platform_errors(put: &mut dyn FnMut(Error)) {
    let mut reg = ab_test();
    put(reg.import_resources(r#"{"deployments": 1}"#).unwrap_err());
    put(reg
        .import_resources(r#"{"name": "accounts/my-account/routers/r", "deployments": ["nope"]}"#)
        .unwrap_err());
    reg.import_resources(
        r#"{"name": "accounts/my-account/routers/auto", "deployments": ["deployment-a"],
            "autoGenerated": true}"#,
    )
    .unwrap();
    put(reg.delete_router("auto").unwrap_err());
    put(reg.scale_deployment("deployment-a", 9).unwrap_err());
}

/// The migration planner's errors (SPEC M1-M6), one scenario each.
fn migration_errors(put: &mut dyn FnMut(Error)) {
    use replica_router::{MigrationPlan, MigrationRequest, Schedule};
    let reg = ab_test();
    let req = |from: &str, to: &str, s: Schedule| MigrationRequest::new("ab-test", from, to, s);
    let steps = |s: Vec<u32>| req("deployment-a", "deployment-c", Schedule::Steps(s));
    let plan = |r: MigrationRequest| reg.plan_migration(&r).unwrap_err();
    put(plan(req("stray", "x", Schedule::MaxStep(10))));
    let same = req("deployment-a", "deployment-a", Schedule::MaxStep(10));
    put(plan(same));
    put(plan(steps(vec![100]).target_replicas(0)));
    put(plan(steps(vec![])));
    put(plan(steps(vec![0, 100])));
    put(plan(steps(vec![50, 50, 100])));
    put(plan(steps(vec![50])));
    put(plan(steps(vec![100]).schedule(Schedule::MaxStep(0))));
    let capped = |floor| {
        steps(vec![100])
            .min_total_replicas(floor)
            .max_total_replicas(2)
    };
    put(plan(capped(3)));
    put(plan(
        steps(vec![100]).target_replicas(2).min_total_replicas(3),
    ));
    put(plan(capped(0)));
    let ok = reg.plan_migration(&steps(vec![50, 100])).unwrap();
    put(ok.rollback(9).unwrap_err());
    put(reg.clone().apply_step(&ok, 1).unwrap_err());
    put(MigrationPlan::from_json("{").unwrap_err());
}

#[test]
fn e1_every_error_variant_is_reached() {
    let reached = reached();
    let missing: Vec<String> = all_codes()
        .into_iter()
        .filter(|c| !reached.contains_key(c.as_str()))
        .collect();
    assert!(missing.is_empty(), "codes no test reaches: {missing:?}");
    assert!(reached.len() >= 30);
}

#[test]
fn e1_messages_say_what_was_wrong_and_what_is_accepted() {
    for (code, err) in reached() {
        let msg = err.to_string();
        assert!(msg.len() > 10, "{code}: {msg}");
        assert!(!msg.contains('\n'), "{code}: one line: {msg}");
        if err.kind() == ErrorKind::Validation {
            let hint = [
                "use",
                "expected",
                "accept",
                "at most",
                "supported",
                "need",
                "list",
                "must",
                "only",
                "set",
                "choose",
                "reads",
            ];
            assert!(
                hint.iter().any(|h| msg.contains(h)),
                "{code} says what is accepted: {msg}"
            );
        }
    }
}

#[test]
fn e1_codes_are_unique_and_screaming_snake_case() {
    let codes = all_codes();
    let unique: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len());
    for c in &codes {
        assert!(
            c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
            "{c}"
        );
    }
}

#[test]
fn e1_kinds_partition_the_variants() {
    let r = reached();
    assert_eq!(r["NOT_FOUND"].kind(), ErrorKind::NotFound);
    assert_eq!(r["PERMISSION_DENIED"].kind(), ErrorKind::PermissionDenied);
    assert_eq!(r["IN_USE"].kind(), ErrorKind::Conflict);
    assert_eq!(r["ALREADY_EXISTS"].kind(), ErrorKind::Conflict);
    assert_eq!(r["NO_CAPACITY"].kind(), ErrorKind::NoCapacity);
    assert_eq!(r["FORBIDDEN"].kind(), ErrorKind::Auth);
    assert_eq!(r["UNAUTHENTICATED"].kind(), ErrorKind::Auth);
    assert_eq!(r["INVALID_NAME"].kind(), ErrorKind::Validation);
    assert!(std::error::Error::source(&r["INVALID_SNAPSHOT"]).is_some());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary strings and numbers into every parser and constructor: only
    /// `Ok` or `Err`, never a panic.
    #[test]
    fn e1_no_input_panics(s in ".{0,80}", t in "\\PC{0,20}", a in any::<u32>(), b in any::<u32>(),
                          keys in proptest::collection::vec(".{0,10}", 0..4),
                          weights in proptest::collection::vec(any::<u32>(), 0..20)) {
        let _ = Id::new(&s, IdKind::Deployment);
        let me = Id::new("me", IdKind::Account).unwrap();
        for kind in [ResourceKind::Deployment, ResourceKind::Router, ResourceKind::Model] {
            let _ = ResourceName::parse(&s, kind, &me);
        }
        let _ = Region::new(&s);
        let _ = RegionCatalog::new([s.as_str(), t.as_str()]);
        let _ = s.parse::<Strategy>();
        if let Ok(region) = Region::new("US_IOWA_1")
            && let Ok(route) = DirectRoute::new(region, &keys, 0)
        {
            let _ = route.authorize(Some(&s));
            let _ = route.clone().with_domain(&t);
        }
        let _ = WeightedSelector::new(&weights).map(|w| w.pick(&mut replica_router::Seed::from_u64(1).rng()));
        let _ = Registry::from_json(&s);

        let mut reg = ab_test();
        let _ = reg.route(&s, &t);
        let _ = reg.route(&s, ACCOUNT);
        let _ = reg.get_router(&s);
        let _ = reg.get_deployment(&s);
        let _ = reg.traffic_split(&s);
        let _ = reg.update_deployment(&s, DeploymentUpdate::new().replicas(a, b));
        let _ = reg.update_deployment("deployment-a", DeploymentUpdate::new().replicas(a, b));
        let mut spec = DeploymentSpec::new(s.clone()).replicas(a, b);
        spec.id = Some(t.clone());
        spec.region = Some(t.clone());
        spec.direct_route_api_keys = Some(keys.clone());
        let _ = reg.create_deployment(spec);
        let _ = reg.create_router(RouterSpec::new(keys.clone()).id(t.clone()).display_name(s.clone()).model(t.clone()));
        let _ = reg.delete_router(&s);
        let _ = reg.delete_deployment(&s);
        let _ = reg.set_account(&s);
        let _ = reg.route("ab-test", ACCOUNT);
        prop_assert!(Registry::from_json(&reg.to_json()).is_ok());
    }
}
