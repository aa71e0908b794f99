//! Seeded simulation of `even-load` against `weighted-random` (SPEC R8,
//! issue 16).
//!
//! ```text
//! cargo run --release -p replica-router-benches --example even_load_sim
//! ```
//!
//! Three deployments with 4, 2 and 2 replicas behind one router; `slow` serves
//! each request in twice the time of the others. Requests arrive at a fixed
//! rate (one per tick) and are routed through `Registry::route_request_with`;
//! each is in flight from its arrival until its service ends (exponential
//! service times, means `FAST_SERVICE` and `2 * FAST_SERVICE` ticks, every
//! replica serving its requests concurrently, so nothing queues: load is the
//! in-flight count). `even-load` gets a `LoadTracker` that the loop keeps up to
//! date (`started` on routing, `finished` on completion); `weighted-random`
//! routes without one.
//!
//! Before each arrival the loop samples every deployment's in-flight count
//! per replica; the report gives, per strategy, the mean and the p99 of that
//! figure for the deployment with the highest mean (the most loaded one), and
//! each deployment's share of the requests, next to its replica share. Every
//! random number comes from fixed seeds: the output is the same on every run.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use replica_router::{
    DeploymentSpec, LoadTracker, Registry, Rng, RouteRequest, RouterSpec, Seed, Strategy,
};

const ACCOUNT: &str = "sim";
const REQUESTS: u64 = 1_000_000;
/// Deployments: (ID, replicas); service times in [`service_means`].
const DEPLOYMENTS: [(&str, u32); 3] = [("big", 4), ("small", 2), ("slow", 2)];

/// The mean service time of `big` and `small`, in ticks (one request arrives
/// per tick); `slow` takes twice as long.
fn service_means(fast: f64) -> [f64; 3] {
    [fast, fast, 2.0 * fast]
}

struct Outcome {
    /// Per deployment: mean and p99 of in-flight per replica.
    mean: [f64; 3],
    p99: [f64; 3],
    /// Per deployment: requests routed to it.
    routed: [u64; 3],
}

/// An exponential variate with the given mean, from 53 random bits.
fn exponential(rng: &mut impl Rng, mean: f64) -> f64 {
    let u = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    -mean * u.ln()
}

fn simulate(strategy: Strategy, fast: f64) -> Outcome {
    let mut reg = Registry::new(ACCOUNT, 1).unwrap();
    for (id, replicas) in DEPLOYMENTS {
        reg.create_deployment(DeploymentSpec::new("m").id(id).replicas(replicas, replicas))
            .unwrap();
    }
    reg.create_router(
        RouterSpec::new(DEPLOYMENTS.map(|d| d.0))
            .id("r")
            .strategy(strategy),
    )
    .unwrap();
    let names: Vec<String> = DEPLOYMENTS
        .iter()
        .map(|d| reg.get_deployment(d.0).unwrap().name().to_string())
        .collect();
    let tracker: LoadTracker = reg.load_tracker("r").unwrap();
    let means = service_means(fast);
    // The same routing and service streams for both strategies.
    let mut route_rng = Seed::from_u64(2026).rng();
    let mut service_rng = Seed::from_u64(16).rng_stream(1);
    // Completions: (end time in f64 bits, deployment); times are positive,
    // so the bits order like the times.
    let mut completions: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
    let mut in_flight = [0u64; 3];
    let mut samples: [Vec<f64>; 3] = std::array::from_fn(|_| Vec::with_capacity(REQUESTS as usize));
    let mut routed = [0u64; 3];
    for tick in 0..REQUESTS {
        let now = tick as f64;
        while let Some(&Reverse((end, d))) = completions.peek() {
            if f64::from_bits(end) > now {
                break;
            }
            completions.pop();
            in_flight[d] -= 1;
            tracker.finished(&names[d]).unwrap();
        }
        for (d, s) in samples.iter_mut().enumerate() {
            s.push(in_flight[d] as f64 / f64::from(DEPLOYMENTS[d].1));
        }
        let mut request = RouteRequest::new("r", ACCOUNT);
        if strategy == Strategy::EvenLoad {
            request = request.load(&tracker);
        }
        let picked = reg.route_request_with(&request, &mut route_rng).unwrap();
        let d = names
            .iter()
            .position(|n| n.as_str() == picked.deployment.to_string())
            .unwrap();
        routed[d] += 1;
        in_flight[d] += 1;
        tracker.started(&names[d]).unwrap();
        let end = now + exponential(&mut service_rng, means[d]);
        completions.push(Reverse((end.to_bits(), d)));
    }
    let mut mean = [0.0; 3];
    let mut p99 = [0.0; 3];
    for (d, s) in samples.iter_mut().enumerate() {
        mean[d] = s.iter().sum::<f64>() / s.len() as f64;
        s.sort_by(f64::total_cmp);
        p99[d] = s[(s.len() * 99).div_ceil(100) - 1];
    }
    Outcome { mean, p99, routed }
}

fn main() {
    println!(
        "{REQUESTS} requests, one per tick; replicas {}; exponential service, mean F ticks \
         (slow: 2F); in-flight per replica sampled before each arrival\n",
        DEPLOYMENTS
            .iter()
            .map(|d| format!("{} {}", d.0, d.1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "| F | strategy | most loaded | mean in-flight/replica | p99 in-flight/replica | \
         share big (4/8) | share small (2/8) | share slow (2/8) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for fast in [20.0, 40.0, 100.0] {
        let mut p99s = Vec::new();
        for strategy in [Strategy::WeightedRandom, Strategy::EvenLoad] {
            let o = simulate(strategy, fast);
            let top = (0..3)
                .max_by(|&a, &b| o.mean[a].total_cmp(&o.mean[b]))
                .unwrap();
            let shares: Vec<String> = o
                .routed
                .iter()
                .map(|&n| format!("{:.4}", n as f64 / REQUESTS as f64))
                .collect();
            println!(
                "| {fast} | {strategy} | {} | {:.2} | {:.2} | {} |",
                DEPLOYMENTS[top].0,
                o.mean[top],
                o.p99[top],
                shares.join(" | ")
            );
            p99s.push(o.p99[top]);
        }
        println!(
            "| {fast} | ratio | | | even-load / weighted-random p99 = {:.3} | | | |",
            p99s[1] / p99s[0]
        );
    }
}
