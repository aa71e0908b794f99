//! Registry operations, applied and recorded: the `ops` of registry.json and
//! the `setup` of migration.json.

use std::collections::BTreeSet;

use replica_router::{
    Deployment, DeploymentSpec, DeploymentUpdate, Id, IdKind, Registry, RouteRequest, Router,
    RouterSpec, RouterUpdate, Strategy, TrafficSplit,
};
use serde_json::{Value, json};

use crate::MODEL;
use crate::json::{error, given, parsed, result, u64s};

/// One registry operation. Each consumer maps it onto its language's API.
#[derive(Clone, Debug, Default)]
pub(crate) struct Op {
    pub(crate) op: &'static str,
    // create_deployment
    pub(crate) model: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) min_replicas: Option<u32>,
    pub(crate) max_replicas: Option<u32>,
    pub(crate) direct_route_api_keys: Option<Vec<String>>,
    // names
    pub(crate) name: Option<String>,
    pub(crate) account: Option<String>,
    // routers
    pub(crate) deployments: Option<Vec<String>>,
    pub(crate) display_name: Option<String>,
    pub(crate) strategy: Option<String>,
    pub(crate) session_affinity: Option<bool>,
    pub(crate) public: Option<bool>,
    // routing
    pub(crate) router: Option<String>,
    pub(crate) caller: Option<String>,
    pub(crate) count: Option<u32>,
    pub(crate) session_key: Option<String>,
    pub(crate) cursor: Option<u64>,
    pub(crate) keys: Option<Vec<String>>,
    // even-load (route_loaded)
    pub(crate) loads: Option<Vec<(String, u64)>>,
    pub(crate) started: Option<bool>,
}

/// Owned copies of `v`.
pub(crate) fn strs<S: AsRef<str>>(v: &[S]) -> Vec<String> {
    v.iter().map(|s| s.as_ref().to_owned()).collect()
}

/// `n` keys `prefix0`, `prefix1`, ...
pub(crate) fn keys(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

pub(crate) fn create_deployment(id: &str, min: u32, max: u32) -> Op {
    Op {
        op: "create_deployment",
        model: Some(MODEL.into()),
        id: Some(id.into()),
        min_replicas: Some(min),
        max_replicas: Some(max),
        ..Op::default()
    }
}

pub(crate) fn create_router<S: AsRef<str>>(id: Option<&str>, deployments: &[S]) -> Op {
    Op {
        op: "create_router",
        id: id.map(Into::into),
        deployments: Some(strs(deployments)),
        ..Op::default()
    }
}

pub(crate) fn update_deployment(name: &str, min: Option<u32>, max: Option<u32>) -> Op {
    Op {
        op: "update_deployment",
        name: Some(name.into()),
        min_replicas: min,
        max_replicas: max,
        ..Op::default()
    }
}

/// An operation on one named resource (get, delete).
pub(crate) fn named(op: &'static str, name: &str) -> Op {
    Op {
        op,
        name: Some(name.into()),
        ..Op::default()
    }
}

pub(crate) fn set_account(account: &str) -> Op {
    Op {
        op: "set_account",
        account: Some(account.into()),
        ..Op::default()
    }
}

pub(crate) fn split_of(router: &str) -> Op {
    Op {
        op: "traffic_split",
        router: Some(router.into()),
        ..Op::default()
    }
}

pub(crate) fn route(model: &str, caller: &str, count: u32) -> Op {
    Op {
        op: "route",
        model: Some(model.into()),
        caller: Some(caller.into()),
        count: Some(count),
        ..Op::default()
    }
}

pub(crate) fn route_request(
    model: &str,
    caller: &str,
    session_key: Option<&str>,
    cursor: Option<u64>,
) -> Op {
    Op {
        op: "route_request",
        model: Some(model.into()),
        caller: Some(caller.into()),
        session_key: session_key.map(Into::into),
        cursor,
        ..Op::default()
    }
}

pub(crate) fn cursor_chain(model: &str, caller: &str, cursor: u64, count: u32) -> Op {
    Op {
        op: "route_cursor_chain",
        model: Some(model.into()),
        caller: Some(caller.into()),
        cursor: Some(cursor),
        count: Some(count),
        ..Op::default()
    }
}

pub(crate) fn sessions<S: AsRef<str>>(model: &str, caller: &str, keys: &[S]) -> Op {
    Op {
        op: "route_sessions",
        model: Some(model.into()),
        caller: Some(caller.into()),
        keys: Some(strs(keys)),
        ..Op::default()
    }
}

/// An operation without inputs (list, reload, snapshot).
pub(crate) fn plain(op: &'static str) -> Op {
    Op {
        op,
        ..Op::default()
    }
}

impl Op {
    /// The operation's inputs, absent ones left out, then `expect`.
    pub(crate) fn recorded(&self, expect: Value) -> Value {
        given(json!({
            "op": self.op,
            "name": self.name,
            "account": self.account,
            "router": self.router,
            "model": self.model,
            "caller": self.caller,
            "id": self.id,
            "region": self.region,
            "min_replicas": self.min_replicas,
            "max_replicas": self.max_replicas,
            "direct_route_api_keys": self.direct_route_api_keys,
            "deployments": self.deployments,
            "display_name": self.display_name,
            "strategy": self.strategy,
            "session_affinity": self.session_affinity,
            "public": self.public,
            "session_key": self.session_key,
            "cursor": self.cursor.map(u64s),
            "count": self.count,
            "keys": self.keys,
            "loads": self.loads,
            "started": self.started,
            "expect": expect,
        }))
    }
}

pub(crate) fn deployment_json(d: &Deployment) -> Value {
    let handle = d
        .direct_route()
        .map(|r| r.handle(d.name()).expect("created, so the handle fits"));
    json!({
        "name": d.name().to_string(),
        "model": d.model().to_string(),
        "region": d.placement().region().map(|r| r.canonical()),
        "min_replicas": d.min_replicas(),
        "max_replicas": d.max_replicas(),
        "replicas": d.replicas(),
        "direct_route_handle": handle,
    })
}

pub(crate) fn router_json(r: &Router) -> Value {
    let deployments: Vec<String> = r.deployments().iter().map(ToString::to_string).collect();
    json!({
        "name": r.name().to_string(),
        "deployments": deployments,
        "strategy": r.strategy().as_str(),
        "session_affinity": r.session_affinity(),
        "public": r.is_public(),
        "display_name": r.display_name(),
        "model": r.model().map(ToString::to_string),
    })
}

pub(crate) fn split_json(s: &TrafficSplit) -> Value {
    let shares: Vec<Value> = s
        .shares
        .iter()
        .map(|share| {
            json!({
                "deployment": share.deployment.to_string(),
                "replicas": share.replicas,
                "numerator": share.fraction.numerator(),
                "denominator": share.fraction.denominator(),
            })
        })
        .collect();
    json!({
        "router": s.router.to_string(),
        "total_replicas": u64s(s.total_replicas),
        "shares": shares,
    })
}

/// Names to indices into a legend (first appearance order), to keep route
/// batches small.
#[derive(Default)]
struct Legend(Vec<String>);

impl Legend {
    fn index(&mut self, name: &str) -> usize {
        if let Some(i) = self.0.iter().position(|n| n == name) {
            return i;
        }
        self.0.push(name.to_owned());
        self.0.len() - 1
    }
}

/// Applies `op` to `reg` and returns what it gave.
pub(crate) fn apply(reg: &mut Registry, op: &Op) -> Value {
    let s = |o: &Option<String>| o.clone().expect("field");
    match op.op {
        "create_deployment" => {
            let mut spec = DeploymentSpec::new(s(&op.model));
            spec.id = op.id.clone();
            spec.region = op.region.clone();
            spec.min_replicas = op.min_replicas;
            spec.max_replicas = op.max_replicas;
            spec.direct_route_api_keys = op.direct_route_api_keys.clone();
            result(reg.create_deployment(spec), |d| deployment_json(&d))
        }
        "update_deployment" => {
            let mut update = DeploymentUpdate::new();
            update.min_replicas = op.min_replicas;
            update.max_replicas = op.max_replicas;
            result(reg.update_deployment(&s(&op.name), update), |d| {
                deployment_json(&d)
            })
        }
        "delete_deployment" => result(reg.delete_deployment(&s(&op.name)), |()| json!({})),
        "get_deployment" => result(reg.get_deployment(&s(&op.name)), deployment_json),
        "create_router" => {
            let strategy = match op.strategy.as_deref().map(str::parse::<Strategy>) {
                None => Strategy::default(),
                Some(Ok(st)) => st,
                Some(Err(e)) => return error(&e),
            };
            let mut spec = RouterSpec::new(op.deployments.clone().expect("deployments"));
            spec.id = op.id.clone();
            spec.display_name = op.display_name.clone();
            spec.model = op.model.clone();
            spec.strategy = strategy;
            spec.session_affinity = op.session_affinity.unwrap_or(false);
            spec.public = op.public.unwrap_or(false);
            result(reg.create_router(spec), |r| router_json(&r))
        }
        "update_router" => {
            let mut update = RouterUpdate::new();
            if let Some(st) = &op.strategy {
                match st.parse::<Strategy>() {
                    Ok(st) => update.strategy = Some(st),
                    Err(e) => return error(&e),
                }
            }
            update.deployments = op.deployments.clone();
            update.display_name = op.display_name.clone();
            update.model = op.model.clone();
            update.session_affinity = op.session_affinity;
            update.public = op.public;
            result(reg.update_router(&s(&op.name), update), |r| router_json(&r))
        }
        "delete_router" => result(reg.delete_router(&s(&op.name)), |()| json!({})),
        "get_router" => result(reg.get_router(&s(&op.name)), router_json),
        "set_account" => result(reg.set_account(&s(&op.account)), |()| json!({})),
        "list" => {
            let deployments: Vec<String> = reg
                .list_deployments()
                .map(|d| d.name().to_string())
                .collect();
            let routers: Vec<String> = reg.list_routers().map(|r| r.name().to_string()).collect();
            json!({ "deployments": deployments, "routers": routers })
        }
        "traffic_split" => result(reg.traffic_split(&s(&op.router)), |sp| split_json(&sp)),
        "route" => {
            let (model, caller) = (s(&op.model), s(&op.caller));
            let mut legend = Legend::default();
            let mut picks = Vec::new();
            for _ in 0..op.count.expect("count") {
                match reg.route(&model, &caller) {
                    Ok(d) => picks.push(legend.index(&d.to_string())),
                    Err(e) => {
                        assert!(picks.is_empty(), "errors only on the first route");
                        assert_eq!(op.count, Some(1), "an erroring route has count 1");
                        return error(&e);
                    }
                }
            }
            json!({ "deployments": legend.0, "picks": picks })
        }
        "route_request" => {
            let (model, caller) = (s(&op.model), s(&op.caller));
            let mut req = RouteRequest::new(&model, &caller);
            if let Some(k) = &op.session_key {
                req = req.session_key(k);
            }
            if let Some(c) = op.cursor {
                req = req.cursor(c);
            }
            result(reg.route_request(&req), |d| {
                json!({
                    "deployment": d.deployment.to_string(),
                    "replica": d.replica,
                    "next_cursor": d.next_cursor.map(u64s),
                })
            })
        }
        "route_cursor_chain" => {
            let (model, caller) = (s(&op.model), s(&op.caller));
            let mut cursor = op.cursor.expect("cursor");
            let mut legend = Legend::default();
            let (mut picks, mut cursors) = (Vec::new(), Vec::new());
            for _ in 0..op.count.expect("count") {
                let d = reg
                    .route_request(&RouteRequest::new(&model, &caller).cursor(cursor))
                    .expect("chains route");
                picks.push(legend.index(&d.deployment.to_string()));
                cursor = d.next_cursor.expect("round-robin router");
                cursors.push(u64s(cursor));
            }
            json!({ "deployments": legend.0, "picks": picks, "next_cursors": cursors })
        }
        "route_sessions" => {
            let (model, caller) = (s(&op.model), s(&op.caller));
            let mut legend = Legend::default();
            let mut picks = Vec::new();
            for key in op.keys.as_ref().expect("keys") {
                let d = reg
                    .route_request(&RouteRequest::new(&model, &caller).session_key(key))
                    .expect("sessions route");
                let i = legend.index(&d.deployment.to_string());
                picks.push(json!([i, d.replica.expect("affinity router")]));
            }
            json!({ "deployments": legend.0, "picks": picks })
        }
        "reload" => {
            *reg = Registry::from_json(&reg.to_json()).expect("round trip");
            json!({})
        }
        "snapshot" => json!({ "json": parsed(&reg.to_json()) }),
        "route_loaded" => route_loaded(reg, op),
        other => panic!("unknown op {other}"),
    }
}

/// A sequence of operations on one registry, recorded with their results.
pub(crate) struct Scenario {
    name: String,
    description: String,
    spec: Vec<&'static str>,
    account: String,
    seed: u64,
    pub(crate) reg: Registry,
    ops: Vec<Value>,
    accounts: BTreeSet<String>,
}

impl Scenario {
    pub(crate) fn new(
        name: &str,
        spec: &[&'static str],
        account: &str,
        seed: u64,
        description: &str,
    ) -> Scenario {
        Scenario {
            name: name.into(),
            description: description.into(),
            spec: spec.to_vec(),
            account: account.into(),
            seed,
            reg: Registry::new(account, seed).expect("valid account"),
            ops: Vec::new(),
            accounts: BTreeSet::from([account.to_owned()]),
        }
    }

    /// Applies and records `op`; returns its result.
    pub(crate) fn run(&mut self, op: Op) -> Value {
        if op.op == "set_account"
            && let Some(a) = &op.account
            && Id::new(a, IdKind::Account).is_ok()
        {
            self.accounts.insert(a.clone());
        }
        let expect = apply(&mut self.reg, &op);
        self.ops.push(op.recorded(expect.clone()));
        expect
    }

    /// Applies `op`, which must succeed, and returns the `name` it gave.
    pub(crate) fn created(&mut self, op: Op) -> String {
        let result = self.run(op);
        result["name"]
            .as_str()
            .expect("a name in the result")
            .to_owned()
    }

    /// Appends every router's split in every account seen, a listing of each
    /// account, and the final snapshot.
    pub(crate) fn finish(mut self) -> Value {
        let acting = self.reg.account().to_string();
        for account in self.accounts.clone() {
            self.run(set_account(&account));
            self.run(plain("list"));
            let routers: Vec<String> = self
                .reg
                .list_routers()
                .map(|r| r.name().to_string())
                .collect();
            for r in routers {
                self.run(split_of(&r));
            }
        }
        self.run(set_account(&acting));
        self.run(plain("snapshot"));
        json!({
            "name": self.name,
            "description": self.description,
            "spec": self.spec,
            "account": self.account,
            "seed": u64s(self.seed),
            "ops": self.ops,
        })
    }
}

/// `route_loaded`: an even-load route sequence with a load table (SPEC R8).
fn route_loaded(reg: &mut Registry, op: &Op) -> Value {
    let model = op.model.clone().expect("model");
    let caller = op.caller.clone().expect("caller");
    let tracker = match reg.load_tracker(&model) {
        Ok(t) => t,
        Err(e) => return error(&e),
    };
    for (deployment, n) in op.loads.as_deref().unwrap_or_default() {
        if let Err(e) = tracker.set(deployment, *n) {
            return error(&e);
        }
    }
    let mut legend = Legend::default();
    let mut picks = Vec::new();
    for _ in 0..op.count.expect("count") {
        let req = RouteRequest::new(&model, &caller).load(&tracker);
        let d = match reg.route_request(&req) {
            Ok(d) => d.deployment.to_string(),
            Err(e) => {
                assert!(picks.is_empty(), "errors only on the first route");
                return error(&e);
            }
        };
        if op.started == Some(true) {
            tracker.started(&d).expect("routed deployments are tracked");
        }
        picks.push(legend.index(&d));
    }
    json!({ "deployments": legend.0, "picks": picks })
}

/// A `route_loaded` op: `loads` by bare deployment ID of `my-account`.
pub(crate) fn loaded<S: AsRef<str>>(
    model: &str,
    loads: &[(S, u64)],
    count: u32,
    started: bool,
) -> Op {
    Op {
        op: "route_loaded",
        model: Some(model.into()),
        caller: Some("my-account".into()),
        count: Some(count),
        loads: Some(
            loads
                .iter()
                .map(|(d, n)| {
                    (
                        format!("accounts/my-account/deployments/{}", d.as_ref()),
                        *n,
                    )
                })
                .collect(),
        ),
        started: Some(started),
        ..Op::default()
    }
}
