//! A fixed workload for `valgrind --tool=callgrind` (issue 7: "profile,
//! don't guess"): instruction counts are stable on a noisy machine, so they
//! make good before/after evidence.
//!
//! ```text
//! cargo build --profile bench -p replica-router-benches --example profile
//! valgrind --tool=callgrind --branch-sim=yes \
//!     $CARGO_TARGET_DIR/release/examples/profile build 100000 20
//! ```
//!
//! Workloads (`WHAT N REPS`): `build` (REPS builds of N weights), `pick`
//! (REPS picks over N weights), `fill` (REPS picks through `fill`), `index`
//! and `alias` (REPS samples of the peers), `index-build` and `alias-build`
//! (REPS peer builds), `route` (REPS `route_with` on an N-deployment router,
//! 50 other routers in the registry), `naive` (the `routing` bench's naive
//! peer on the same routers: a `HashMap<String, WeightedIndex<u32>>` lookup
//! and one sample), `route-scale` and `naive-scale` (REPS requests spread at
//! random over N routers of 2 deployments, as the `routing_scale` bench;
//! run with `--cache-sim=yes` for the cache misses); `scale-turns` (not for
//! callgrind: both of those over N routers taking turns, 15 rounds of REPS
//! requests each, timed; prints the median and minimum ns per request and
//! the ratio of the medians, which a loaded machine moves less than two
//! separate runs).
//! Weights are those of the `selection` bench.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_chacha::ChaCha8Rng;
use rand_distr::weighted::WeightedAliasIndex;
use replica_router::{DeploymentSpec, Registry, Rng, RouterSpec, Seed, WeightedSelector};

fn weights(n: usize) -> Vec<u32> {
    let mut r = Seed::from_u64(7).rng_stream(9);
    (0..n).map(|_| 1 + r.next_u32() % 100).collect()
}

/// Out of line, like a criterion closure, so inlining matches the benches.
#[inline(never)]
fn picks(s: &WeightedSelector, rng: &mut ChaCha8Rng, reps: u64) -> u64 {
    (0..reps).map(|_| u64::from(s.pick(rng))).sum()
}

/// The peers' loop, shaped like [`picks`].
#[inline(never)]
fn samples<D: Distribution<usize>>(d: &D, rng: &mut ChaCha8Rng, reps: u64) -> u64 {
    (0..reps).map(|_| d.sample(rng) as u64).sum()
}

/// `route_with` REPS times, out of line (so that the code of `main` does not
/// change how it is inlined).
#[inline(never)]
fn routes(reg: &Registry, rng: &mut ChaCha8Rng, reps: u64) -> u64 {
    let mut sink = 0;
    for _ in 0..reps {
        let model = black_box("accounts/bench-account/routers/r");
        let d = reg.route_with(model, "bench-account", rng).unwrap();
        sink += d.id().as_str().len() as u64;
    }
    sink
}

/// The naive peer's loop, shaped like [`routes`].
#[inline(never)]
fn naive_routes(map: &NaiveMap, rng: &mut ChaCha8Rng, reps: u64) -> u64 {
    let mut sink = 0;
    for _ in 0..reps {
        let (index, ids) = map
            .get(black_box("accounts/bench-account/routers/r"))
            .unwrap();
        sink += ids[index.sample(rng)].len() as u64;
    }
    sink
}

/// The naive peer: model name to the router's weights and deployment IDs.
type NaiveMap = std::collections::HashMap<String, (WeightedIndex<u32>, Vec<String>)>;

/// The `routing_scale` bench's setup: `n` weighted-random routers of 2
/// deployments each, in a registry (when `route`) and in the naive map (when
/// `naive`), with their names.
fn scale_setup(n: usize, route: bool, naive: bool) -> (Registry, NaiveMap, Vec<String>) {
    let mut reg = Registry::new("bench-account", 7).unwrap();
    for i in 0..10u32 {
        reg.create_deployment(
            DeploymentSpec::new("m")
                .id(format!("s-{i}"))
                .replicas(i + 1, i + 1),
        )
        .unwrap();
    }
    let mut names = Vec::with_capacity(n);
    let mut map = NaiveMap::new();
    for i in 0..n {
        let (a, b) = (i % 10, (i / 10 + 1 + i) % 10);
        let b = if a == b { (b + 1) % 10 } else { b };
        let ids = [format!("s-{a}"), format!("s-{b}")];
        let weights = [a as u32 + 1, b as u32 + 1];
        if route {
            reg.create_router(RouterSpec::new(ids.clone()).id(format!("r{i:06}")))
                .unwrap();
        }
        let name = format!("accounts/bench-account/routers/r{i:06}");
        if naive {
            map.insert(
                name.clone(),
                (WeightedIndex::new(weights).unwrap(), ids.to_vec()),
            );
        }
        names.push(name);
    }
    (reg, map, names)
}

/// `reps` requests spread at random over `names`.
fn scale_requests(names: &[String], reps: u64) -> Vec<&str> {
    let mut pick = Seed::from_u64(7).rng_stream(3);
    (0..reps)
        .map(|_| names[pick.next_u64() as usize % names.len()].as_str())
        .collect()
}

/// `route_with` and the naive peer over the same `n` routers of the
/// `routing_scale` bench, taking turns: 15 rounds of `reps` requests each
/// (spread at random), so both see the same machine load. Prints the
/// median and minimum ns per request of each, and their ratio.
fn scale_turns(n: usize, reps: u64) -> u64 {
    let (reg, map, names) = scale_setup(n, true, true);
    let requests = scale_requests(&names, reps);
    let mut rng = Seed::from_u64(7).rng();
    let (mut ours, mut naive) = (Vec::new(), Vec::new());
    let mut sink = 0u64;
    for _ in 0..15 {
        let t = std::time::Instant::now();
        sink += scale_routes(&reg, &requests, &mut rng);
        ours.push(t.elapsed().as_secs_f64() * 1e9 / reps as f64);
        let t = std::time::Instant::now();
        sink += scale_naive(&map, &requests, &mut rng);
        naive.push(t.elapsed().as_secs_f64() * 1e9 / reps as f64);
    }
    for v in [&mut ours, &mut naive] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "route {:.1} ns (min {:.1}), naive {:.1} ns (min {:.1}), ratio of medians {:.3}x",
        ours[7],
        ours[0],
        naive[7],
        naive[0],
        ours[7] / naive[7]
    );
    sink
}

#[inline(never)]
fn scale_routes(reg: &Registry, requests: &[&str], rng: &mut ChaCha8Rng) -> u64 {
    let mut sink = 0u64;
    for &model in requests {
        let d = reg.route_with(model, "bench-account", rng).unwrap();
        sink += black_box(d) as *const _ as u64 & 1;
    }
    sink
}

#[inline(never)]
fn scale_naive(map: &NaiveMap, requests: &[&str], rng: &mut ChaCha8Rng) -> u64 {
    let mut sink = 0u64;
    for &model in requests {
        let (index, ids) = map.get(model).unwrap();
        sink += black_box(&ids[index.sample(rng)]) as *const _ as u64 & 1;
    }
    sink
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("pick", String::as_str);
    let n: usize = args.get(2).map_or(10, |s| s.parse().unwrap());
    let reps: u64 = args.get(3).map_or(1_000_000, |s| s.parse().unwrap());
    let w = weights(n);
    let mut rng = Seed::from_u64(7).rng();
    let mut sink = 0u64;
    match what {
        "build" => {
            for _ in 0..reps {
                sink += WeightedSelector::new(black_box(&w)).unwrap().total();
            }
        }
        "index-build" => {
            for _ in 0..reps {
                sink += WeightedIndex::<u32>::new(black_box(&w))
                    .unwrap()
                    .total_weight() as u64;
            }
        }
        "alias-build" => {
            for _ in 0..reps {
                let a = WeightedAliasIndex::<u32>::new(black_box(w.clone())).unwrap();
                sink += u64::from(a.sample(&mut rng) as u32);
            }
        }
        "pick" => sink = picks(&WeightedSelector::new(&w).unwrap(), &mut rng, reps),
        "fill" => {
            let s = WeightedSelector::new(&w).unwrap();
            let mut buf = vec![0u32; 4096];
            for _ in 0..reps.div_ceil(4096) {
                s.fill(&mut rng, &mut buf);
                sink += u64::from(black_box(&buf)[0]);
            }
        }
        "index" => sink = samples(&WeightedIndex::<u32>::new(&w).unwrap(), &mut rng, reps),
        "alias" => {
            let d = WeightedAliasIndex::<u32>::new(w.clone()).unwrap();
            sink = samples(&d, &mut rng, reps);
        }
        "route" => {
            let mut reg = Registry::new("bench-account", 7).unwrap();
            let ids: Vec<String> = (0..n).map(|i| format!("d-{i}")).collect();
            for (id, r) in ids.iter().zip(1u32..) {
                reg.create_deployment(DeploymentSpec::new("m").id(id).replicas(r, r))
                    .unwrap();
            }
            reg.create_router(RouterSpec::new(ids.iter().map(String::as_str)).id("r"))
                .unwrap();
            for i in 0..50 {
                reg.create_router(RouterSpec::new(["d-0"]).id(format!("other-{i:03}")))
                    .unwrap();
            }
            sink = routes(&reg, &mut rng, reps);
        }
        "naive" => {
            let replicas: Vec<u32> = (1..=n as u32).collect();
            let ids: Vec<String> = (0..n).map(|i| format!("d-{i}")).collect();
            let mut map = NaiveMap::new();
            for i in 0..50 {
                let name = format!("accounts/bench-account/routers/other-{i:03}");
                map.insert(
                    name,
                    (WeightedIndex::new([1u32]).unwrap(), vec![ids[0].clone()]),
                );
            }
            map.insert(
                "accounts/bench-account/routers/r".to_owned(),
                (WeightedIndex::new(&replicas).unwrap(), ids),
            );
            sink = naive_routes(&map, &mut rng, reps);
        }
        "scale-turns" => sink = scale_turns(n, reps),
        "route-scale" | "naive-scale" => {
            // N weighted-random routers of 2 deployments each (as the
            // `routing_scale` bench), REPS requests spread at random.
            let route = what == "route-scale";
            let (reg, map, names) = scale_setup(n, route, !route);
            let requests = scale_requests(&names, reps);
            if route {
                for model in requests {
                    let d = reg.route_with(model, "bench-account", &mut rng).unwrap();
                    sink += d.id().as_str().len() as u64;
                }
            } else {
                for model in requests {
                    let (index, ids) = map.get(model).unwrap();
                    sink += ids[index.sample(&mut rng)].len() as u64;
                }
            }
        }
        other => panic!("unknown workload {other}"),
    }
    println!("{what} n={n} reps={reps} sink={sink}");
}
