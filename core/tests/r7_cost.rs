//! SPEC R7 cost figures: ns per route for session affinity and round-robin.
//!
//! Not a benchmark suite (that is criterion's job in `benches/`) and no
//! timing assertion: run it by hand on a quiet machine and read the output.
//!
//! ```text
//! cargo test --release -p replica-router --test r7_cost -- --ignored --nocapture
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use replica_router::{
    DeploymentSpec, Registry, RouteRequest, RouterSpec, SessionAffinity, Strategy,
    WeightedRoundRobin,
};

const ACCOUNT: &str = "my-account";

/// `deployments` deployments sharing `total` replicas as evenly as possible.
fn split(deployments: u32, total: u32) -> Vec<(String, u32)> {
    (0..deployments)
        .map(|i| {
            let r = total / deployments + u32::from(i < total % deployments);
            (format!("accounts/{ACCOUNT}/deployments/d{i}"), r)
        })
        .collect()
}

fn registry(strategy: Strategy, affinity: bool, deployments: u32, total: u32) -> Registry {
    let mut reg = Registry::new(ACCOUNT, 1).unwrap();
    for (i, (_, r)) in split(deployments, total).into_iter().enumerate() {
        reg.create_deployment(
            DeploymentSpec::new("llama")
                .id(format!("d{i}"))
                .replicas(r, r),
        )
        .unwrap();
    }
    let ids: Vec<String> = (0..deployments).map(|i| format!("d{i}")).collect();
    reg.create_router(
        RouterSpec::new(ids)
            .id("r")
            .strategy(strategy)
            .session_affinity(affinity),
    )
    .unwrap();
    reg
}

/// Best of 5 runs of `iters` calls, in ns per call.
fn ns_per_call(iters: u64, mut f: impl FnMut(u64)) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for i in 0..iters {
                f(i);
            }
            start.elapsed().as_nanos() as f64 / iters as f64
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
#[ignore = "timing figures; run by hand with --release --ignored --nocapture"]
fn r7_ns_per_route() {
    let keys: Vec<String> = (0..4096).map(|i| format!("session-{i:08}")).collect();
    for (deployments, total) in [(2, 10), (10, 1_000), (4, 1_000), (100, 65_536)] {
        let iters = 2_000_000 / u64::from(total).max(100) * 100;
        let affinity = SessionAffinity::new(split(deployments, total)).unwrap();
        let pick = ns_per_call(iters, |i| {
            black_box(affinity.pick(&keys[i as usize % keys.len()]));
        });
        let reg = registry(Strategy::WeightedRandom, true, deployments, total);
        let mut rng = replica_router::Seed::from_u64(3).rng();
        let route = ns_per_call(iters, |i| {
            let req = RouteRequest::new("r", ACCOUNT).session_key(&keys[i as usize % keys.len()]);
            black_box(reg.route_request_with(&req, &mut rng).unwrap());
        });
        println!(
            "session-affinity  {total:>6} replicas / {deployments:>3} deployments: \
             SessionAffinity::pick {pick:>9.1} ns, Registry::route_request_with {route:>9.1} ns"
        );
    }
    for (deployments, total) in [(2, 10), (10, 1_000), (3, 1 << 20)] {
        let reg = registry(Strategy::WeightedRoundRobin, false, deployments, total);
        let mut rng = replica_router::Seed::from_u64(3).rng();
        let route = ns_per_call(200_000, |i| {
            let req = RouteRequest::new("r", ACCOUNT).cursor(i);
            black_box(reg.route_request_with(&req, &mut rng).unwrap());
        });
        let weights: Vec<u32> = split(deployments, total)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let rr = WeightedRoundRobin::new(&weights).unwrap();
        let pick = ns_per_call(200_000, |i| {
            black_box(rr.pick(i));
        });
        println!(
            "round-robin       {total:>7} replicas / {deployments:>3} deployments: \
             WeightedRoundRobin::pick {pick:>7.1} ns, Registry::route_request_with {route:>7.1} ns"
        );
    }
    let rr = WeightedRoundRobin::new(&[u32::MAX; 100]).unwrap();
    let pick = ns_per_call(20_000, |i| {
        black_box(rr.pick(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
    });
    println!(
        "round-robin  100 x u32::MAX replicas (no table): WeightedRoundRobin::pick {pick:.1} ns"
    );
}
