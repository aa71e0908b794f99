//! The JSON formats (SPEC T1, M6): `Registry::to_json` and
//! `MigrationPlan::to_json`, and their serde serialization (feature
//! `serde`, here into `serde_json` text), which since issue 14 serializes
//! the value tree the format's writer builds instead of re-parsing the
//! `to_json` text.
//!
//! Criterion ids (`json/function/size`):
//! * `registry_to_json` / `registry_serde`: a registry of `size`
//!   deployments (every tenth pinned to a region with a direct route of two
//!   keys) and `size / 10` routers of ten deployments each.
//! * `plan_to_json` / `plan_serde`: a migration plan of `size` steps
//!   (`Schedule::MaxStep(100 / size)` over 1,000 replicas).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use replica_router::{
    DeploymentSpec, MigrationPlan, MigrationRequest, Registry, RouterSpec, Schedule,
};

/// The seed of the registry (as in the other benches).
const SEED: u64 = 7;

fn registry(size: usize) -> Registry {
    let mut reg = Registry::new("bench-account", SEED).unwrap();
    for i in 0..size {
        let spec = DeploymentSpec::new("llama-v3p1-8b-instruct")
            .id(format!("deployment-{i:05}"))
            .replicas(1, 4);
        let spec = if i % 10 == 9 {
            spec.region("US_ARIZONA_1").direct_route(["key1", "key2"])
        } else {
            spec
        };
        reg.create_deployment(spec).unwrap();
    }
    for r in 0..size / 10 {
        let deployments = (0..10)
            .map(|k| format!("deployment-{:05}", (r * 10 + k * 7) % size))
            .filter(|id| !id.ends_with('9'));
        reg.create_router(RouterSpec::new(deployments).id(format!("router-{r:04}")))
            .unwrap();
    }
    reg
}

fn plan(steps: u32) -> MigrationPlan {
    let mut reg = Registry::new("bench-account", SEED).unwrap();
    for id in ["current-deployment", "other-deployment"] {
        reg.create_deployment(
            DeploymentSpec::new("llama-v3p1-8b-instruct")
                .id(id)
                .replicas(1_000, 1_000),
        )
        .unwrap();
    }
    reg.create_router(RouterSpec::new(["current-deployment", "other-deployment"]).id("router"))
        .unwrap();
    let request = MigrationRequest::new(
        "router",
        "current-deployment",
        "new-deployment",
        Schedule::MaxStep(100 / steps),
    );
    reg.plan_migration(&request).unwrap()
}

fn json(c: &mut Criterion) {
    let mut group = c.benchmark_group("json");
    for size in [100, 10_000] {
        let reg = registry(size);
        group.bench_function(BenchmarkId::new("registry_to_json", size), |b| {
            b.iter(|| reg.to_json())
        });
        group.bench_function(BenchmarkId::new("registry_serde", size), |b| {
            b.iter(|| serde_json::to_string_pretty(&reg).unwrap())
        });
    }
    for steps in [5, 100] {
        let plan = plan(steps);
        group.bench_function(BenchmarkId::new("plan_to_json", steps), |b| {
            b.iter(|| plan.to_json())
        });
        group.bench_function(BenchmarkId::new("plan_serde", steps), |b| {
            b.iter(|| serde_json::to_string_pretty(&plan).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, json);
criterion_main!(benches);
