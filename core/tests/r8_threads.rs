//! Issue 20 item 3: one `&Registry` shared by many threads, each with its own
//! generator stream, and new snapshots published by swapping an `Arc`.
//! No clocks: threads are joined, and readers stop when they have seen the
//! last published generation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, RwLock};

use replica_router::{DeploymentSpec, Registry, RouteRequest, RouterSpec, Seed, Strategy};

const THREADS: u64 = 4;
const PER_THREAD: usize = 20_000;

fn ab_registry() -> Registry {
    let mut reg = Registry::new("my-account", 42).unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("deployment-a")
            .replicas(3, 3),
    )
    .unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama")
            .id("deployment-b")
            .replicas(2, 2),
    )
    .unwrap();
    reg.create_router(RouterSpec::new(["deployment-a", "deployment-b"]).id("ab-test"))
        .unwrap();
    reg
}

/// Counts of `deployment-a` and `deployment-b` over `n` routes drawn from
/// stream `stream` of the registry's seed.
fn route_stream(reg: &Registry, stream: u64, n: usize) -> [u64; 2] {
    let mut rng = reg.seed().rng_stream(stream);
    let mut counts = [0u64; 2];
    for _ in 0..n {
        let d = reg.route_with("ab-test", "my-account", &mut rng).unwrap();
        counts[usize::from(d.id().as_str() == "deployment-b")] += 1;
    }
    counts
}

#[test]
fn registry_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Registry>();
    shareable::<Arc<Registry>>();
}

#[test]
fn threads_route_on_one_registry_with_their_own_streams() {
    let reg = ab_registry();
    // Streams 0 and 1 are the registry's own (IDs, `route`); threads use
    // 2, 3, ...
    let per_thread: Vec<[u64; 2]> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let reg = &reg;
                scope.spawn(move || route_stream(reg, 2 + t, PER_THREAD))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // Each thread's picks are exactly what its stream gives on one thread:
    // sharing the registry changes nothing.
    for (t, counts) in (0..THREADS).zip(&per_thread) {
        assert_eq!(*counts, route_stream(&reg, 2 + t, PER_THREAD), "thread {t}");
    }
    // Distinct streams are distinct draws.
    assert!(per_thread.windows(2).any(|w| w[0] != w[1]));
    // Together they follow the exact shares 3/5, 2/5 (chi-square, 1 degree
    // of freedom, 0.999 quantile 10.83; fixed seed).
    let n = (THREADS as usize * PER_THREAD) as f64;
    let a: u64 = per_thread.iter().map(|c| c[0]).sum();
    let b: u64 = per_thread.iter().map(|c| c[1]).sum();
    let chi2 = (a as f64 - n * 0.6).powi(2) / (n * 0.6) + (b as f64 - n * 0.4).powi(2) / (n * 0.4);
    assert!(chi2 < 10.83, "chi-square {chi2}: a={a} b={b}");
}

/// Generation `k`: router `live` lists only `dep-k`, and round-robin router
/// `rr` lists `dep-0 .. dep-k`.
fn generation(k: u32) -> Registry {
    let mut reg = Registry::new("my-account", u64::from(k)).unwrap();
    let ids: Vec<String> = (0..=k).map(|i| format!("dep-{i}")).collect();
    for id in &ids {
        reg.create_deployment(DeploymentSpec::new("llama").id(id.as_str()).replicas(1, 1))
            .unwrap();
    }
    reg.create_router(RouterSpec::new([format!("dep-{k}")]).id("live"))
        .unwrap();
    reg.create_router(
        RouterSpec::new(ids)
            .id("rr")
            .strategy(Strategy::WeightedRoundRobin),
    )
    .unwrap();
    reg
}

#[test]
fn snapshots_published_by_swapping_an_arc_are_seen_whole() {
    const LAST: u32 = 20;
    const READERS: u64 = 3;
    let published = RwLock::new(Arc::new((0u32, generation(0))));
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..READERS)
            .map(|r| {
                let published = &published;
                scope.spawn(move || {
                    let mut rng = Seed::from_u64(r).rng_stream(2);
                    let mut seen = Vec::new();
                    loop {
                        // Take the current snapshot; the lock is held only
                        // for the clone of the Arc, never while routing.
                        let snapshot = Arc::clone(&published.read().unwrap());
                        let (k, reg) = &*snapshot;
                        // The route answers from the snapshot taken, whole:
                        // `live` is the generation's own deployment, and a
                        // full round-robin cycle visits exactly its k + 1.
                        let d = reg.route_with("live", "my-account", &mut rng).unwrap();
                        assert_eq!(d.id().as_str(), format!("dep-{k}"));
                        let mut cursor = 0;
                        let mut cycle = Vec::new();
                        for _ in 0..=*k {
                            let request = RouteRequest::new("rr", "my-account").cursor(cursor);
                            let decision = reg.route_request_with(&request, &mut rng).unwrap();
                            cycle.push(decision.deployment.id().to_string());
                            cursor = decision.next_cursor.unwrap();
                        }
                        cycle.sort();
                        cycle.dedup();
                        assert_eq!(cycle.len() as u32, k + 1);
                        if seen.last() != Some(k) {
                            seen.push(*k);
                        }
                        if *k == LAST {
                            return seen;
                        }
                    }
                })
            })
            .collect();
        // The writer builds each new registry outside the lock and swaps the
        // Arc in; readers still holding the old one finish with it.
        for k in 1..=LAST {
            let next = Arc::new((k, generation(k)));
            *published.write().unwrap() = next;
        }
        for reader in readers {
            let seen = reader.join().unwrap();
            // Generations are observed in publication order, ending at LAST.
            assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
            assert_eq!(seen.last(), Some(&LAST));
        }
    });
}
