//! platform.json (SPEC P1-P3): platform resource JSON in, the registry
//! snapshot, the import report and the export out, and a migration plan's
//! operations rendered as `firectl` commands and REST requests.

use replica_router::{MigrationRequest, Registry, Schedule};
use serde_json::{Value, json};

use crate::json::{error, file, parsed};

/// The checked-in example account (list pages of both kinds).
const ACCOUNT: &str = include_str!("../../../testdata/platform/account.json");

/// One case: import `input` into `Registry::new(account, seed)`, record the
/// outcome, then plan `plan` (if given) and record its operations.
fn case(name: &str, account: &str, seed: u64, input: &str, plan: Option<Value>) -> Value {
    let mut reg = Registry::new(account, seed).unwrap();
    let input_value: Value = serde_json::from_str(input).unwrap_or(Value::String(input.into()));
    let mut out = json!({
        "name": name,
        "account": account,
        "seed": seed.to_string(),
        // Invalid JSON is given as a string holding the text.
        "input": input_value,
    });
    let expect = match reg.import_resources(input) {
        Err(e) => error(&e),
        Ok(report) => json!({
            "report": parsed(&report.to_json()),
            "snapshot": parsed(&reg.to_json()),
            "export": parsed(&reg.export_resources()),
        }),
    };
    out["expect"] = expect;
    if let Some(p) = plan {
        let steps: Vec<u32> = serde_json::from_value(p["traffic_steps"].clone()).unwrap();
        let mut request = MigrationRequest::new(
            p["router"].as_str().unwrap(),
            p["from"].as_str().unwrap(),
            p["to"].as_str().unwrap(),
            Schedule::Steps(steps),
        );
        if let Some(t) = p["target_replicas"].as_u64() {
            request = request.target_replicas(u32::try_from(t).unwrap());
        }
        let plan_out = reg.plan_migration(&request).unwrap();
        let ops: Vec<Value> = plan_out
            .operations()
            .iter()
            .map(|op| parsed(&op.to_json()))
            .collect();
        out["plan"] = p;
        out["operations"] = Value::Array(ops);
    }
    out
}

pub(crate) fn platform_file() -> Value {
    let reference_plan = json!({
        "router": "my-router",
        "from": "current-deployment",
        "to": "new-deployment",
        "target_replicas": 4,
        "traffic_steps": [20, 80, 100],
    });
    let keyed = r#"{"name": "accounts/my-account/deployments/pinned",
        "baseModel": "accounts/fireworks/models/llama-v3p1-8b-instruct",
        "minReplicaCount": 1, "maxReplicaCount": 1, "replicaCount": 1,
        "placement": {"region": "EU_FRANKFURT_1"}, "directRouteType": "INTERNET",
        "directRouteApiKeys": ["frankfurtKey1", "<DIRECT_ROUTE_API_KEY_2>"],
        "directRouteHandle": "my-account-pinned.eu-frankfurt-1.direct.example.net"}"#;
    let strategies = r#"[{"deployments": [
          {"name": "accounts/my-account/deployments/a", "baseModel": "m",
           "minReplicaCount": 0, "maxReplicaCount": 5, "replicaCount": 3},
          {"name": "accounts/my-account/deployments/b", "baseModel": "m",
           "maxReplicaCount": 2, "replicaCount": 2}]},
        {"routers": [
          {"name": "accounts/my-account/routers/rr", "deployments": ["a", "b"],
           "replicaRouterStrategy": "weighted-round-robin", "public": true,
           "displayName": "Round robin"},
          {"name": "accounts/my-account/routers/even", "deployments": ["a"], "evenLoad": {}}],
         "nextPageToken": ""}]"#;
    let errors = [
        ("syntax", "[{"),
        (
            "wrong-type",
            r#"{"deployments": [{"name": "accounts/my-account/deployments/d", "baseModel": "m", "maxReplicaCount": "1"}]}"#,
        ),
        (
            "count-out-of-range",
            r#"{"name": "accounts/my-account/deployments/d", "baseModel": "m", "maxReplicaCount": 4294967296}"#,
        ),
        (
            "replicas-outside-bounds",
            r#"{"name": "accounts/my-account/deployments/d", "baseModel": "m", "maxReplicaCount": 1, "replicaCount": 2}"#,
        ),
        (
            "router-over-missing-deployment",
            r#"{"name": "accounts/my-account/routers/r", "deployments": ["missing"]}"#,
        ),
        ("not-a-resource", r#"{"kind": "router"}"#),
    ];
    let mut cases = vec![
        case(
            "reference-account",
            "my-account",
            42,
            ACCOUNT,
            Some(reference_plan),
        ),
        case("direct-route-keys", "my-account", 7, keyed, None),
        case("strategies-and-skips", "my-account", 1, strategies, None),
    ];
    for (name, input) in errors {
        cases.push(case(name, "my-account", 1, input, None));
    }
    file(
        &["P1", "P2", "P3", "G6", "M5"],
        "Platform resource JSON imported with Registry.import_resources into \
         Registry(account, seed): the import report, the registry snapshot (to_json) and \
         export_resources, all with sorted keys; or the error code. Where `plan` is given, the \
         migration plan's operations as {firectl, rest: {method, path, query, body}}. An input \
         that is a string is invalid JSON text to pass as is.",
        json!({ "cases": cases }),
    )
}
