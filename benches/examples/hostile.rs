//! Before/after figures for the hostile inputs of issue 15 (items 3, 4, 5):
//! time of single calls (peak memory from `/usr/bin/time -v`), measured natively. Not a test: the
//! limits it shows are asserted nowhere (speed and memory targets live in
//! benchmarks, not timed tests).
//!
//! ```text
//! cargo run --profile bench -p replica-router-benches --example hostile -- all
//! ```
//!
//! Workloads: `json-keys` (an 80,000-key object, about 1 MB, through
//! `Registry::from_json` and `MigrationPlan::from_json`), `rr-batch`
//! (`WeightedRoundRobin::fill` of 2,000 picks over 10,000 weights of
//! 2^32 - 1, and over a million zeros and two large weights), `zeros` (time
//! while a 64 MiB `[0,0,...]` snapshot is rejected), `all`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::time::Instant;

use replica_router::{MigrationPlan, Registry, WeightedRoundRobin};

/// Runs `f`, printing its time. Peak memory is measured from outside, one
/// workload a process: `/usr/bin/time -v ... hostile zeros` ("Maximum
/// resident set size"; the input itself is part of it).
fn measure<T>(what: &str, input_bytes: usize, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{what}: {secs:.4} s for {:.1} MB of input",
        input_bytes as f64 / 1e6
    );
    out
}

fn json_keys() {
    let n = 80_000;
    let mut doc = String::from("{");
    for i in 0..n {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!("\"key{i:07}\":0"));
    }
    doc.push('}');
    let err = measure("json-keys Registry::from_json", doc.len(), || {
        Registry::from_json(&doc).unwrap_err()
    });
    println!("  -> {}", &err.to_string()[..80.min(err.to_string().len())]);
    let err = measure("json-keys MigrationPlan::from_json", doc.len(), || {
        MigrationPlan::from_json(&doc).unwrap_err()
    });
    println!("  -> {}", &err.to_string()[..80.min(err.to_string().len())]);
}

fn rr_batch() {
    let picks = 2_000;
    let mut out = vec![0u32; picks];
    let rr = WeightedRoundRobin::new(&vec![u32::MAX; 10_000]).unwrap();
    let secs = {
        let start = Instant::now();
        rr.fill(12_345, &mut out);
        start.elapsed().as_secs_f64()
    };
    println!(
        "rr-batch [2^32-1]*10000: {picks} picks in {secs:.4} s, {:.2} us a pick",
        secs * 1e6 / picks as f64
    );
    let mut w = vec![0u32; 1_000_000];
    w.extend([u32::MAX, u32::MAX - 1]);
    let rr = WeightedRoundRobin::new(&w).unwrap();
    let picks = 200;
    let mut out = vec![0u32; picks];
    let secs = {
        let start = Instant::now();
        rr.fill(1 << 40, &mut out);
        start.elapsed().as_secs_f64()
    };
    println!(
        "rr-batch [0]*10^6+[big,big]: {picks} picks in {secs:.4} s, {:.2} us a pick",
        secs * 1e6 / picks as f64
    );
}

fn zeros() {
    let n = replica_router::limits::MAX_SNAPSHOT_BYTES / 2 - 1;
    let mut doc = String::with_capacity(2 * n + 1);
    doc.push('[');
    for i in 0..n {
        doc.push_str(if i == 0 { "0" } else { ",0" });
    }
    doc.push(']');
    let err = measure("zeros Registry::from_json", doc.len(), || {
        Registry::from_json(&doc).unwrap_err()
    });
    println!("  -> {err}");
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    match what.as_str() {
        "json-keys" => json_keys(),
        "rr-batch" => rr_batch(),
        "zeros" => zeros(),
        "all" => {
            json_keys();
            rr_batch();
            zeros();
        }
        other => panic!("unknown workload {other}"),
    }
}
