//! Request routing (issue 7, SPEC R6, R7): `Registry::route_with` for a
//! router of 2 and 10 deployments against a bare `WeightedSelector::pick` on
//! the same replica counts, in one criterion group, plus
//! `Registry::route_request_with` for each strategy.
//!
//! Before any timing, the binary checks that a route does not allocate: a
//! counting global allocator (`stats_alloc`) watches `ROUTES_CHECKED` routes
//! per router and strategy; any allocation aborts the bench run, and the
//! counts are printed.
//!
//! Criterion ids (`routing/function/deployments`): `bare_pick`, `route`
//! (`route_with`, weighted-random), `naive_hashmap` (issue 20: what a gateway
//! author would write instead, a `HashMap<String, WeightedIndex<u32>>` lookup
//! of the same model string, then one sample; no validation, no permission
//! check), `route_request_weighted_random`, `route_request_round_robin` (with
//! a cursor), `route_request_affinity` (with a session key, on a
//! weighted-random router with session affinity). The registry and the naive
//! map also hold `OTHER_ROUTERS` other routers (issue 20).
//!
//! Group `routing_scale` (issue 20, item 2): `SCALE_ROUTERS` routers of one
//! account, requests spread at random over them (a fixed sequence of names),
//! `route` against `naive_hashmap` holding the same routers. Before timing,
//! prints the bytes the registry of those routers holds (allocated less
//! freed while building it).
//!
//! Group `mutation` (issue 20, item 2): creating and deleting a deployment
//! and a router whose ID sorts before `MUTATION_RESOURCES` others.
//!
//! Group `even_load` (SPEC R8, issue 16): `route_request_weighted_random`
//! against `route_request_even_load_idle` (a tracker with no load: the full
//! tie, one weighted-random draw) and `route_request_even_load_busy` (uneven
//! counts: one least-loaded deployment, no draw), same routers' sizes, one
//! run.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::System;
use std::collections::HashMap;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_chacha::ChaCha8Rng;
use replica_router::{
    DeploymentSpec, LoadTracker, Registry, RouteRequest, RouterSpec, Seed, Strategy,
    WeightedSelector,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The seed of every generator in this file (as in `selection.rs`).
const SEED: u64 = 7;

/// The caller's account.
const ACCOUNT: &str = "bench-account";

/// Router sizes of issue 7.
const SIZES: [usize; 2] = [2, 10];

/// Other routers in the registry and the naive map besides the measured ones
/// (issue 20: a lookup among many, not among a handful).
const OTHER_ROUTERS: usize = 50;

/// Routers of the `routing_scale` group (issue 20, item 2).
const SCALE_ROUTERS: usize = 100_000;

/// Random requests precomputed for the `routing_scale` group.
const SCALE_REQUESTS: usize = 1 << 20;

/// Routes watched by the allocation check, per router and strategy.
const ROUTES_CHECKED: u64 = 100_000;

/// Session keys for the affinity router (a gateway sees many).
const SESSION_KEYS: [&str; 8] = [
    "conversation-0001",
    "conversation-0002",
    "user-42/session-7",
    "user-43/session-1",
    "9f86d081884c7d65",
    "a-much-longer-session-key-of-a-chat-client-0000000001",
    "x",
    "conversation-0003",
];

fn rng() -> ChaCha8Rng {
    Seed::from_u64(SEED).rng()
}

/// Replica counts of an `n`-deployment router: `[3, 2]` for 2 (SPEC R5's
/// example) and `1..=n` otherwise.
fn replicas(n: usize) -> Vec<u32> {
    if n == 2 {
        vec![3, 2]
    } else {
        (1..=n as u32).collect()
    }
}

/// The routers of each size: (ID suffix, strategy, session affinity).
const ROUTERS: [(&str, Strategy, bool); 4] = [
    ("weighted-random", Strategy::WeightedRandom, false),
    ("weighted-round-robin", Strategy::WeightedRoundRobin, false),
    ("session-affinity", Strategy::WeightedRandom, true),
    ("even-load", Strategy::EvenLoad, false),
];

/// The router name a request's `model` field carries.
fn router_name(n: usize, suffix: &str) -> String {
    format!("accounts/{ACCOUNT}/routers/r{n}-{suffix}")
}

/// A registry with, for each size, `n` deployments and one router over them
/// per strategy.
fn registry() -> Registry {
    let mut reg = Registry::new(ACCOUNT, SEED).unwrap();
    for n in SIZES {
        let ids: Vec<String> = (0..n).map(|i| format!("d{n}-{i}")).collect();
        for (id, &r) in ids.iter().zip(&replicas(n)) {
            reg.create_deployment(
                DeploymentSpec::new("llama-v3p1-8b-instruct")
                    .id(id)
                    .replicas(r, r),
            )
            .unwrap();
        }
        for (suffix, strategy, affinity) in ROUTERS {
            reg.create_router(
                RouterSpec::new(ids.iter().map(String::as_str))
                    .id(format!("r{n}-{suffix}"))
                    .strategy(strategy)
                    .session_affinity(affinity),
            )
            .unwrap();
        }
    }
    for i in 0..OTHER_ROUTERS {
        reg.create_router(RouterSpec::new(["d2-0", "d2-1"]).id(format!("other-{i:03}")))
            .unwrap();
    }
    reg
}

/// The naive peer: every weighted-random router of [`registry`] without
/// session affinity (the measured ones and the others) by full name, with
/// `rand`'s `WeightedIndex` over its replica counts and the deployment IDs.
fn naive_map(reg: &Registry) -> HashMap<String, (WeightedIndex<u32>, Vec<String>)> {
    reg.list_routers()
        .filter(|r| r.strategy() == Strategy::WeightedRandom && !r.session_affinity())
        .map(|r| {
            let weights: Vec<u32> = r
                .deployments()
                .iter()
                .map(|d| reg.get_deployment(&d.to_string()).unwrap().replicas())
                .collect();
            let ids = r.deployments().iter().map(|d| d.id().to_string()).collect();
            (
                r.name().to_string(),
                (WeightedIndex::new(&weights).unwrap(), ids),
            )
        })
        .collect()
}

/// One request per router, as the timed loops send them (`i` varies the
/// session key and the cursor).
fn request<'a>(name: &'a str, suffix: &str, i: u64) -> RouteRequest<'a> {
    let req = RouteRequest::new(name, ACCOUNT);
    match suffix {
        "weighted-round-robin" => req.cursor(i),
        "session-affinity" => req.session_key(SESSION_KEYS[(i % 8) as usize]),
        _ => req,
    }
}

/// Asserts (outside any timing) that routing allocates nothing, and prints
/// the counts.
fn assert_no_allocation(reg: &Registry) {
    for n in SIZES {
        for (suffix, _, _) in ROUTERS {
            let name = router_name(n, suffix);
            let load = reg.load_tracker(&name).unwrap();
            let mut r = rng();
            let region = Region::new(GLOBAL);
            let mut sink = 0usize;
            for i in 0..ROUTES_CHECKED {
                let d = reg
                    .route_request_with(&request(&name, suffix, i).load(&load), &mut r)
                    .unwrap();
                sink = sink.wrapping_add(d.deployment.id().as_str().len());
                if suffix == "weighted-random" {
                    let d = reg.route_with(&name, ACCOUNT, &mut r).unwrap();
                    sink = sink.wrapping_add(d.id().as_str().len());
                }
            }
            let change = region.change();
            println!(
                "allocation check: {ROUTES_CHECKED} routes, {n} deployments, {suffix}: \
                 {} allocations, {} reallocations, {} bytes (sink {sink})",
                change.allocations, change.reallocations, change.bytes_allocated
            );
            assert_eq!(
                (change.allocations, change.reallocations),
                (0, 0),
                "routing allocated ({n} deployments, {suffix})"
            );
        }
    }
}

fn routing(c: &mut Criterion) {
    let reg = registry();
    assert_no_allocation(&reg);
    let naive = naive_map(&reg);
    let mut group = c.benchmark_group("routing");
    group.throughput(Throughput::Elements(1));
    for n in SIZES {
        let selector = WeightedSelector::new(&replicas(n)).unwrap();
        group.bench_function(BenchmarkId::new("bare_pick", n), |b| {
            let mut r = rng();
            b.iter(|| selector.pick(&mut r));
        });
        let name = router_name(n, "weighted-random");
        group.bench_function(BenchmarkId::new("route", n), |b| {
            let mut r = rng();
            b.iter(|| reg.route_with(&name, ACCOUNT, &mut r).unwrap());
        });
        group.bench_function(BenchmarkId::new("naive_hashmap", n), |b| {
            let mut r = rng();
            b.iter(|| {
                let (index, ids) = naive.get(name.as_str()).unwrap();
                &ids[index.sample(&mut r)]
            });
        });
        for (label, suffix) in [
            ("route_request_weighted_random", "weighted-random"),
            ("route_request_round_robin", "weighted-round-robin"),
            ("route_request_affinity", "session-affinity"),
        ] {
            let name = router_name(n, suffix);
            group.bench_function(BenchmarkId::new(label, n), |b| {
                let mut r = rng();
                let mut i = 0u64;
                b.iter(|| {
                    i = i.wrapping_add(1);
                    let d = reg
                        .route_request_with(&request(&name, suffix, i), &mut r)
                        .unwrap();
                    d.deployment
                });
            });
        }
    }
    group.finish();
}

/// `even-load` routing (SPEC R8, issue 16) next to `weighted-random` on
/// routers of the same deployments, in one group so the ratio comes from one
/// run: an idle tracker (every count 0, so the pick scans the counts and then
/// makes the weighted-random draw) and a busy one (uneven counts, one
/// least-loaded deployment, no draw).
fn even_load(c: &mut Criterion) {
    let reg = registry();
    let mut group = c.benchmark_group("even_load");
    group.throughput(Throughput::Elements(1));
    for n in SIZES {
        let random = router_name(n, "weighted-random");
        let even = router_name(n, "even-load");
        let idle = reg.load_tracker(&even).unwrap();
        let busy: LoadTracker = reg.load_tracker(&even).unwrap();
        for (i, d) in busy.deployments().iter().enumerate() {
            busy.set(&d.to_string(), 10 + (i as u64 * 7) % 5).unwrap();
        }
        group.bench_function(BenchmarkId::new("route_request_weighted_random", n), |b| {
            let mut r = rng();
            b.iter(|| {
                reg.route_request_with(&RouteRequest::new(&random, ACCOUNT), &mut r)
                    .unwrap()
                    .deployment
            });
        });
        for (label, load) in [
            ("route_request_even_load_idle", &idle),
            ("route_request_even_load_busy", &busy),
        ] {
            group.bench_function(BenchmarkId::new(label, n), |b| {
                let mut r = rng();
                b.iter(|| {
                    let req = RouteRequest::new(&even, ACCOUNT).load(load);
                    reg.route_request_with(&req, &mut r).unwrap().deployment
                });
            });
        }
    }
    group.finish();
}

/// Total replicas of the affinity routers (issue 4: ns per route at 10 and
/// 1,000 total replicas), each spread over 10 deployments.
const AFFINITY_TOTALS: [u32; 2] = [10, 1_000];

/// Keyed session-affinity routing by total replica count (SPEC R7, issue 4),
/// next to weighted-random on the same router for scale.
fn affinity(c: &mut Criterion) {
    let mut reg = Registry::new(ACCOUNT, SEED).unwrap();
    for total in AFFINITY_TOTALS {
        let per = total / 10;
        let ids: Vec<String> = (0..10).map(|i| format!("a{total}-{i}")).collect();
        for id in &ids {
            reg.create_deployment(DeploymentSpec::new("llama").id(id).replicas(per, per))
                .unwrap();
        }
        reg.create_router(
            RouterSpec::new(ids.iter().map(String::as_str))
                .id(format!("affinity-{total}"))
                .session_affinity(true),
        )
        .unwrap();
    }
    let mut group = c.benchmark_group("affinity");
    group.throughput(Throughput::Elements(1));
    for total in AFFINITY_TOTALS {
        let name = format!("accounts/{ACCOUNT}/routers/affinity-{total}");
        group.bench_function(BenchmarkId::new("route_request_affinity", total), |b| {
            let mut r = rng();
            let mut i = 0u64;
            b.iter(|| {
                i = i.wrapping_add(1);
                let req =
                    RouteRequest::new(&name, ACCOUNT).session_key(SESSION_KEYS[(i % 8) as usize]);
                reg.route_request_with(&req, &mut r).unwrap().deployment
            });
        });
        group.bench_function(BenchmarkId::new("route_without_key", total), |b| {
            let mut r = rng();
            b.iter(|| reg.route_with(&name, ACCOUNT, &mut r).unwrap());
        });
    }
    group.finish();
}

/// `SCALE_ROUTERS` weighted-random routers of one account over 10
/// deployments (each router 2 of them, replica counts 1 to 10), created in
/// name order.
fn scale_registry() -> Registry {
    let mut reg = Registry::new(ACCOUNT, SEED).unwrap();
    for i in 0..10u32 {
        reg.create_deployment(
            DeploymentSpec::new("llama")
                .id(format!("s-{i}"))
                .replicas(i + 1, i + 1),
        )
        .unwrap();
    }
    for i in 0..SCALE_ROUTERS {
        let (a, b) = (i % 10, (i / 10 + 1 + i) % 10);
        let b = if a == b { (b + 1) % 10 } else { b };
        reg.create_router(
            RouterSpec::new([format!("s-{a}"), format!("s-{b}")]).id(format!("r{i:06}")),
        )
        .unwrap();
    }
    reg
}

/// Routing among `SCALE_ROUTERS` routers, requests spread at random over
/// them (issue 20, item 2), against the naive map of the same routers.
fn scale(c: &mut Criterion) {
    let region = Region::new(GLOBAL);
    let reg = scale_registry();
    let change = region.change();
    let held = change.bytes_allocated as isize - change.bytes_deallocated as isize
        + change.bytes_reallocated;
    println!(
        "memory: the registry of {SCALE_ROUTERS} routers holds {held} bytes ({} per router)",
        held / SCALE_ROUTERS as isize
    );
    let naive = naive_map(&reg);
    assert_eq!(naive.len(), SCALE_ROUTERS);
    let names: Vec<String> = reg.list_routers().map(|r| r.name().to_string()).collect();
    let mut pick = rng();
    let requests: Vec<&str> = (0..SCALE_REQUESTS)
        .map(|_| names[replica_router::Rng::next_u64(&mut pick) as usize % names.len()].as_str())
        .collect();
    let mut group = c.benchmark_group("routing_scale");
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("route", SCALE_ROUTERS), |b| {
        let mut r = rng();
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) & (SCALE_REQUESTS - 1);
            reg.route_with(requests[i], ACCOUNT, &mut r).unwrap()
        });
    });
    group.bench_function(BenchmarkId::new("naive_hashmap", SCALE_ROUTERS), |b| {
        let mut r = rng();
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) & (SCALE_REQUESTS - 1);
            let (index, ids) = naive.get(requests[i]).unwrap();
            &ids[index.sample(&mut r)]
        });
    });
    group.finish();
}

/// Resources already in the account of the `mutation` group (issue 20,
/// item 2).
const MUTATION_RESOURCES: usize = 50_000;

/// Creating and deleting a deployment, and a router, whose ID sorts before
/// every one of `MUTATION_RESOURCES` others of the account (issue 20, item 2:
/// with a sorted vector, every later entry moved twice). One iteration is a
/// create and a delete.
fn mutation(c: &mut Criterion) {
    let mut reg = Registry::new(ACCOUNT, SEED).unwrap();
    for i in 0..MUTATION_RESOURCES {
        reg.create_deployment(DeploymentSpec::new("llama").id(format!("d{i:06}")))
            .unwrap();
        reg.create_router(RouterSpec::new([format!("d{i:06}")]).id(format!("r{i:06}")))
            .unwrap();
    }
    let mut group = c.benchmark_group("mutation");
    group.bench_function(
        BenchmarkId::new("create_delete_deployment_front", MUTATION_RESOURCES),
        |b| {
            b.iter(|| {
                reg.create_deployment(DeploymentSpec::new("llama").id("a-front"))
                    .unwrap();
                reg.delete_deployment("a-front").unwrap();
            });
        },
    );
    group.bench_function(
        BenchmarkId::new("create_delete_router_front", MUTATION_RESOURCES),
        |b| {
            b.iter(|| {
                reg.create_router(RouterSpec::new(["d000000"]).id("a-front"))
                    .unwrap();
                reg.delete_router("a-front").unwrap();
            });
        },
    );
    group.finish();
}

criterion_group!(benches, routing, affinity, even_load, scale, mutation);
criterion_main!(benches);
