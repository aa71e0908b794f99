//! The cost of an `even-load` route against a `weighted-random` route on a
//! busy machine (SPEC R8, issue 16): batches of 10,000 routes of each kind,
//! interleaved, and the fastest batch of each, so that time the process spends
//! descheduled drops out. Criterion's `even_load` group in
//! `benches/routing.rs` measures the same routes; use it on a quiet machine.
//!
//! ```text
//! cargo run --release -p replica-router-benches --example even_load_cost
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use replica_router::{
    DeploymentSpec, LoadTracker, Registry, RouteRequest, RouterSpec, Seed, Strategy,
};

const ACCOUNT: &str = "bench-account";
const BATCH: u32 = 10_000;
const ROUNDS: u32 = 300;

fn main() {
    println!(
        "| deployments | weighted-random ns | even-load idle ns | even-load busy ns | idle / random | busy / random |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for n in [2usize, 3, 10] {
        let mut reg = Registry::new(ACCOUNT, 7).unwrap();
        let ids: Vec<String> = (0..n).map(|i| format!("d{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            let r = if n == 2 { [3, 2][i] } else { i as u32 + 1 };
            reg.create_deployment(DeploymentSpec::new("llama").id(id).replicas(r, r))
                .unwrap();
        }
        for (id, strategy) in [
            ("random", Strategy::WeightedRandom),
            ("even", Strategy::EvenLoad),
        ] {
            reg.create_router(
                RouterSpec::new(ids.iter().map(String::as_str))
                    .id(id)
                    .strategy(strategy),
            )
            .unwrap();
        }
        let random = format!("accounts/{ACCOUNT}/routers/random");
        let even = format!("accounts/{ACCOUNT}/routers/even");
        let idle = reg.load_tracker(&even).unwrap();
        let busy: LoadTracker = reg.load_tracker(&even).unwrap();
        for (i, d) in busy.deployments().iter().enumerate() {
            busy.set(&d.to_string(), 10 + (i as u64 * 7) % 5).unwrap();
        }
        let mut rng = Seed::from_u64(7).rng();
        let mut best = [f64::INFINITY; 3];
        for _ in 0..ROUNDS {
            for (k, load) in [None, Some(&idle), Some(&busy)].into_iter().enumerate() {
                let start = Instant::now();
                for _ in 0..BATCH {
                    let req = match load {
                        None => RouteRequest::new(&random, ACCOUNT),
                        Some(l) => RouteRequest::new(&even, ACCOUNT).load(l),
                    };
                    black_box(reg.route_request_with(black_box(&req), &mut rng).unwrap());
                }
                let ns = start.elapsed().as_nanos() as f64 / f64::from(BATCH);
                best[k] = best[k].min(ns);
            }
        }
        println!(
            "| {n} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} |",
            best[0],
            best[1],
            best[2],
            best[1] / best[0],
            best[2] / best[0]
        );
    }
}
