//! Weighted selection (issue 7): our `WeightedSelector` against the peers a
//! user would pick instead, `rand`'s `WeightedIndex<u32>` (cumulative weights
//! and binary search) and `rand_distr`'s `WeightedAliasIndex<u32>` (alias
//! method), and against the generator itself (raw ChaCha8 `next_u32` and
//! `next_u64`), for n = 2, 10, 1,000 and 100,000 weights.
//!
//! Every contender of one size sits in the same criterion group, so every
//! ratio in `report.py`'s table comes from one run. Every generator starts
//! from the same seed, `Seed::from_u64(SEED).rng()`.
//!
//! Groups (criterion ids `group/function/n`):
//! * `selection`: `ours_pick`, `ours_fill` (per pick, `Throughput::Elements`),
//!   `ours_counts` (per pick), `weighted_index`, `alias_index`, `next_u32`,
//!   `next_u64` (one operation each unless stated).
//! * `build`: `ours_new`, `weighted_index_new`, `alias_index_new`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_chacha::ChaCha8Rng;
use rand_distr::weighted::WeightedAliasIndex;
use replica_router::{Rng, Seed, WeightedSelector};

/// The seed of every generator in this file.
const SEED: u64 = 7;

/// The table sizes of issue 7.
const SIZES: [usize; 4] = [2, 10, 1_000, 100_000];

/// Picks per `fill` call (one reused buffer).
const FILL_BATCH: usize = 4_096;

/// Picks per `counts` call (its O(n) histogram is amortised over these).
const COUNTS_BATCH: u64 = 65_536;

fn rng() -> ChaCha8Rng {
    Seed::from_u64(SEED).rng()
}

/// `n` replica-count-like weights in `1..=100`, drawn from a fixed stream
/// (stream 9 of the seed, so the picks' stream is untouched). `n * W` is
/// below 2^24 for n = 2 and 10 (the 32-bit one-draw path) and above it for
/// n = 1,000 and 100,000 (the 64-bit one-draw path).
fn weights(n: usize) -> Vec<u32> {
    let mut r = Seed::from_u64(SEED).rng_stream(9);
    (0..n).map(|_| 1 + r.next_u32() % 100).collect()
}

fn selection(c: &mut Criterion) {
    let mut group = c.benchmark_group("selection");
    for n in SIZES {
        let w = weights(n);
        let ours = WeightedSelector::new(&w).unwrap();
        let index = WeightedIndex::<u32>::new(&w).unwrap();
        let alias = WeightedAliasIndex::<u32>::new(w.clone()).unwrap();

        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("ours_pick", n), |b| {
            let mut r = rng();
            b.iter(|| ours.pick(&mut r));
        });
        group.bench_function(BenchmarkId::new("weighted_index", n), |b| {
            let mut r = rng();
            b.iter(|| index.sample(&mut r));
        });
        group.bench_function(BenchmarkId::new("alias_index", n), |b| {
            let mut r = rng();
            b.iter(|| alias.sample(&mut r));
        });
        group.bench_function(BenchmarkId::new("next_u32", n), |b| {
            let mut r = rng();
            b.iter(|| r.next_u32());
        });
        group.bench_function(BenchmarkId::new("next_u64", n), |b| {
            let mut r = rng();
            b.iter(|| r.next_u64());
        });

        group.throughput(Throughput::Elements(FILL_BATCH as u64));
        group.bench_function(BenchmarkId::new("ours_fill", n), |b| {
            let mut r = rng();
            let mut buf = vec![0u32; FILL_BATCH];
            b.iter(|| {
                ours.fill(&mut r, &mut buf);
                black_box(&buf);
            });
        });

        group.throughput(Throughput::Elements(COUNTS_BATCH));
        group.bench_function(BenchmarkId::new("ours_counts", n), |b| {
            let mut r = rng();
            b.iter(|| ours.counts(&mut r, COUNTS_BATCH));
        });
    }
    group.finish();
}

/// Table build: every contender gets a fresh copy of the weights (made
/// outside the timing) and hands it back with its table, so neither the copy
/// nor any drop is timed. `WeightedAliasIndex::new` takes the `Vec` by value.
fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    for n in SIZES {
        let w = weights(n);
        let size = if n >= 1_000 {
            BatchSize::LargeInput
        } else {
            BatchSize::SmallInput
        };
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("ours_new", n), |b| {
            b.iter_batched(
                || w.clone(),
                |w| {
                    let s = WeightedSelector::new(&w).unwrap();
                    (w, s)
                },
                size,
            );
        });
        group.bench_function(BenchmarkId::new("weighted_index_new", n), |b| {
            b.iter_batched(
                || w.clone(),
                |w| {
                    let s = WeightedIndex::<u32>::new(&w).unwrap();
                    (w, s)
                },
                size,
            );
        });
        group.bench_function(BenchmarkId::new("alias_index_new", n), |b| {
            b.iter_batched(
                || w.clone(),
                |w| WeightedAliasIndex::<u32>::new(w).unwrap(),
                size,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, selection, build);
criterion_main!(benches);
