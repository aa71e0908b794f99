//! SPEC T1 and M6: the JSON formats' reader reports where and what is wrong,
//! reads exactly what the writer writes, and (with the `serde` feature)
//! serde sees the same documents as `to_json`/`from_json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::registry::*;
use replica_router::{Error, MigrationPlan, Registry};

fn json_message(result: Result<Registry, Error>) -> String {
    match result {
        Err(Error::InvalidJson { message }) => message,
        other => panic!("expected InvalidJson, got {other:?}"),
    }
}

fn plan_message(result: Result<MigrationPlan, Error>) -> String {
    match result {
        Err(Error::InvalidPlanJson { message }) => message,
        other => panic!("expected InvalidPlanJson, got {other:?}"),
    }
}

fn reference_plan() -> MigrationPlan {
    let (reg, request) = reference_migration();
    reg.plan_migration(&request).unwrap()
}

#[test]
fn t1_syntax_errors_give_line_and_column() {
    let json = ab_test().to_json();
    // Break the third line: `"account": "my-account",` loses its colon.
    let broken = json.replacen("\"account\":", "\"account\"", 1);
    assert_eq!(
        json_message(Registry::from_json(&broken)),
        "expected `:` after an object key at line 3 column 13"
    );
    assert!(json_message(Registry::from_json("")).contains("end of the input"));
    assert!(json_message(Registry::from_json(&format!("{json} x"))).contains("trailing"));
}

#[test]
fn t1_shape_errors_name_the_path() {
    let json = ab_test().to_json();
    let cases = [
        (
            json.replacen("\"min_replicas\": 3", "\"min_replicas\": -3", 1),
            "deployments[0].min_replicas: expected an unsigned integer that fits u32, found -3",
        ),
        (
            json.replacen("\"min_replicas\": 3", "\"min_replicas\": 3.0", 1),
            "deployments[0].min_replicas: expected an unsigned integer that fits u32, found 3.0",
        ),
        (
            json.replacen("\"public\": false", "\"public\": \"no\"", 1),
            "routers[0].public: expected true or false, found a string",
        ),
        (
            json.replacen("\"public\": false", "\"public\": false, \"owner\": 1", 1),
            "routers[0]: unknown field `owner`",
        ),
        (
            json.replacen("\"strategy\": \"weighted-random\",", "", 1),
            "routers[0]: missing field `strategy`",
        ),
        (
            json.replacen("\"catalog\": [", "\"catalog\": [7, ", 1),
            "catalog[0]: expected a string, found a number",
        ),
        (
            json.replacen(
                "\"account\": \"my-account\"",
                "\"account\": \"my-account\", \"account\": \"x\"",
                1,
            ),
            "duplicate key `account` at line 3 column 28",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(json_message(Registry::from_json(&input)), message);
    }
}

#[test]
fn t1_version_is_read_before_the_rest() {
    // A future version with fields this build does not know.
    let future = r#"{"format_version": 4, "shards": []}"#;
    assert!(matches!(
        Registry::from_json(future),
        Err(Error::UnsupportedFormatVersion {
            found: 4,
            supported: 3
        })
    ));
    assert_eq!(
        json_message(Registry::from_json(r#"{"account": "a"}"#)),
        "missing field `format_version`"
    );
    assert_eq!(
        json_message(Registry::from_json(r#"{"format_version": "1"}"#)),
        "format_version: expected an unsigned integer that fits u64, found a string"
    );
    assert_eq!(
        json_message(Registry::from_json("[1]")),
        "expected an object, found an array"
    );
}

#[test]
fn m6_plan_errors_name_the_path() {
    let json = reference_plan().to_json();
    let cases = [
        (
            json.replacen("\"to_share\": \"1/5\"", "\"to_share\": \"2/10\"", 1),
            "steps[0].to_share: '2/10' is not a fraction in lowest terms like \"3/5\"",
        ),
        (
            json.replacen(
                "\"action\": \"create_deployment\"",
                "\"action\": \"launch\"",
                1,
            ),
            "steps[0].actions[0]: unknown action 'launch': expected create_deployment, \
             add_to_router, set_replica_bounds, remove_from_router or delete_deployment",
        ),
        (
            json.replacen(
                "\"router\": \"accounts/my-account/routers/my-router\"",
                "\"router\": \"my-router\"",
                1,
            ),
            "router: 'my-router' is not a full resource name \
             accounts/{account}/{deployments|routers|models}/{id}",
        ),
        (
            json.replacen("\"kind\": \"migration\"", "\"kind\": \"rollout\"", 1),
            "kind: unknown plan kind 'rollout': expected \"migration\" or {\"rollback\": ...}",
        ),
        (
            json.replacen(
                "\"steps\": [\n      20,",
                "\"max_step\": 5,\n    \"steps\": [\n      20,",
                1,
            ),
            "schedule: expected exactly one of {\"steps\": [...]} and {\"max_step\": N}",
        ),
        (
            json.replacen("\"format_version\": 1", "\"format_version\": 3", 1),
            "format_version 3 is not supported: this build reads version 1",
        ),
    ];
    for (input, message) in cases {
        assert_ne!(input, json, "the edit for {message:?} must apply");
        assert_eq!(plan_message(MigrationPlan::from_json(&input)), message);
    }
    // Issue 15: fractions are canonical too, so load/save is a fixed point.
    for bad in ["+1/5", "01/5", "1/05", "1/+5", " 1/5"] {
        let input = json.replacen(
            "\"to_share\": \"1/5\"",
            &format!("\"to_share\": \"{bad}\""),
            1,
        );
        assert_ne!(input, json);
        assert!(
            plan_message(MigrationPlan::from_json(&input))
                .contains("is not a fraction in lowest terms"),
            "{bad}"
        );
    }
}

#[test]
fn m6_plan_kinds_and_schedules_round_trip() {
    let plan = reference_plan();
    let rollback = plan.rollback(1).unwrap();
    let json = rollback.to_json();
    assert!(
        json.contains("\"kind\": {\n    \"rollback\": {\n      \"after_step\": 1\n    }\n  }"),
        "{json}"
    );
    assert_eq!(MigrationPlan::from_json(&json).unwrap(), rollback);
    assert!(
        plan.to_json()
            .contains("\"schedule\": {\n    \"steps\": [\n      20,")
    );
}

#[cfg(feature = "serde")]
mod serde_feature {
    use super::*;

    #[test]
    fn t1_registry_serializes_as_its_snapshot() {
        let reg = ab_test();
        let via_serde = serde_json::to_value(&reg).unwrap();
        let via_json: serde_json::Value = serde_json::from_str(&reg.to_json()).unwrap();
        assert_eq!(via_serde, via_json);
        let back: Registry = serde_json::from_value(via_serde).unwrap();
        assert_eq!(back.to_json(), reg.to_json());
        // The same rules apply: a bad snapshot is the same error message.
        let bad = reg
            .to_json()
            .replacen("\"public\": false", "\"public\": 0", 1);
        let err = serde_json::from_str::<Registry>(&bad).unwrap_err();
        assert!(
            err.to_string()
                .contains("routers[0].public: expected true or false, found a number"),
            "{err}"
        );
    }

    /// Issue 15: the serde path rejects a repeated key too, and checks an
    /// object of many keys with one sort (a 100,000-key object loads in a
    /// blink instead of comparing 5 * 10^9 pairs).
    #[test]
    fn e3_serde_rejects_repeated_keys_of_large_objects() {
        let mut keys: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\": 0")).collect();
        let many = format!("{{{}}}", keys.join(","));
        let err = serde_json::from_str::<MigrationPlan>(&many).unwrap_err();
        assert!(
            err.to_string().contains("missing field `format_version`"),
            "{err}"
        );
        keys.push("\"k50000\": 1".into());
        let repeated = format!("{{{}}}", keys.join(","));
        let err = serde_json::from_str::<Registry>(&repeated).unwrap_err();
        assert!(err.to_string().contains("duplicate key `k50000`"), "{err}");
    }

    #[test]
    fn m6_plan_serializes_as_its_json() {
        let plan = reference_plan();
        let via_serde = serde_json::to_value(&plan).unwrap();
        let via_json: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
        assert_eq!(via_serde, via_json);
        let back: MigrationPlan = serde_json::from_value(via_serde.clone()).unwrap();
        assert_eq!(back, plan);
        // Loading through serde checks the plan like from_json does.
        let mut tampered = via_serde;
        tampered["steps"][1]["state"]["to"]["replicas"] = 5.into();
        assert!(serde_json::from_value::<MigrationPlan>(tampered).is_err());
        let mut float = serde_json::to_value(&plan).unwrap();
        float["target_replicas"] = 4.5.into();
        let err = serde_json::from_value::<MigrationPlan>(float).unwrap_err();
        assert!(err.to_string().contains("found 4.5"), "{err}");
    }
}
