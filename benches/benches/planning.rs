//! Migration planning (issue 7, SPEC M1-M6): `Registry::plan_migration` for a
//! router whose `from` deployment has 4, 1,000 or 100,000 replicas, moving
//! all of them to a new `to` deployment.
//!
//! Criterion ids (`planning/function/replicas`):
//! * `plan_migration`: the reference's shape (SPEC M5) scaled up: steps
//!   20, 80, 100 % with the default floor and no surge ceiling.
//! * `plan_migration_surge`: steps 10, 20, ..., 100 % under a 10 % surge
//!   ceiling (`max_total_replicas = n + max(1, n / 10)`), which forces
//!   alternating scale-ups and scale-downs (a rolling update).
//! * `plan_migration_max_step`: a maximum shift of 20 points per step
//!   (`Schedule::MaxStep(20)`, the fewest steps, SPEC M4) with the default
//!   floor and no ceiling.
//! * `plan_migration_max_step_surge`: the same maximum shift under the 10 %
//!   surge ceiling above.
//!
//! Each plan is checked once, outside the timing, to end with every replica
//! on `to` (steps that would change nothing are left out, SPEC M2, so small
//! routers may have fewer steps than the schedule).
//!
//! Criterion ids (`planning_hard/case`), issue 18: maximum-shift requests
//! where M4's greedy plan misses the closed-form step bound, so the greedy
//! certificate cannot prove the count fewest (see `migration/walk.rs`):
//! * `100k_floor0_1pt`: 100,000 -> 100,000 replicas, floor 0, 1 point per
//!   step (the greedy plan runs into 1 `to` and 9 `from` replicas).
//! * `300k_floor0_1pt`: the same at 300,000 a side, past the exact
//!   search's 262,144 rows (`LimitExceeded` before the witness walk).
//! * `73612_to_83851_floor6625_1pt`: the slowest random instance found for
//!   the exact search (floor 6,625, 1 point).
//! * `2347_to_71804_ceiling_2pt`: floor 305, ceiling 79,224, 2 points.
//! * `158_to_158_10pt`: the first example (default floor).
//!
//! A case that fails to plan is reported (printed) and not timed.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use replica_router::{DeploymentSpec, MigrationRequest, Registry, RouterSpec, Schedule};

/// The seed of the registry (as in the other benches).
const SEED: u64 = 7;

/// `from`'s replica counts of issue 7.
const SIZES: [u32; 3] = [4, 1_000, 100_000];

/// A registry with `from` at `n` replicas behind `router`, plus a second
/// deployment that stays in the router (so the router never goes dark).
fn registry(n: u32) -> Registry {
    let mut reg = Registry::new("bench-account", SEED).unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama-v3p1-8b-instruct")
            .id("current-deployment")
            .replicas(n, n),
    )
    .unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama-v3p1-8b-instruct")
            .id("other-deployment")
            .replicas(2, 2),
    )
    .unwrap();
    reg.create_router(RouterSpec::new(["current-deployment", "other-deployment"]).id("router"))
        .unwrap();
    reg
}

/// The request of one benchmark case: `schedule` for `n` replicas, under
/// the 10 % surge ceiling when `surge`.
fn request(n: u32, schedule: Schedule, surge: bool) -> MigrationRequest {
    let req = MigrationRequest::new("router", "current-deployment", "new-deployment", schedule)
        .target_replicas(n);
    if surge {
        req.max_total_replicas(n + (n / 10).max(1))
    } else {
        req
    }
}

/// The benchmark cases: label, schedule and whether the ceiling applies.
fn cases() -> [(&'static str, Schedule, bool); 4] {
    [
        ("plan_migration", Schedule::Steps(vec![20, 80, 100]), false),
        (
            "plan_migration_surge",
            Schedule::Steps((1..=10).map(|k| k * 10).collect()),
            true,
        ),
        ("plan_migration_max_step", Schedule::MaxStep(20), false),
        ("plan_migration_max_step_surge", Schedule::MaxStep(20), true),
    ]
}

fn planning(c: &mut Criterion) {
    let mut group = c.benchmark_group("planning");
    for n in SIZES {
        let reg = registry(n);
        for (label, schedule, surge) in cases() {
            let req = request(n, schedule, surge);
            let plan = reg.plan_migration(&req).unwrap();
            let last = plan.steps().last().unwrap();
            assert_eq!(
                (last.to_replicas(), last.from_replicas()),
                (n, 0),
                "{label} for {n} replicas"
            );
            let actions: usize = plan.steps().iter().map(|s| s.actions.len()).sum();
            println!(
                "{label}/{n}: {} steps, {actions} actions",
                plan.steps().len()
            );
            group.bench_function(BenchmarkId::new(label, n), |b| {
                b.iter(|| reg.plan_migration(&req).unwrap());
            });
        }
    }
    group.finish();
}

/// One `planning_hard` case: label, `from` replicas, target, floor,
/// ceiling, maximum shift in points.
type HardCase = (&'static str, u32, u32, Option<u32>, Option<u32>, u32);

/// The `planning_hard` cases.
const HARD: [HardCase; 5] = [
    ("100k_floor0_1pt", 100_000, 100_000, Some(0), None, 1),
    ("300k_floor0_1pt", 300_000, 300_000, Some(0), None, 1),
    (
        "73612_to_83851_floor6625_1pt",
        73_612,
        83_851,
        Some(6_625),
        None,
        1,
    ),
    (
        "2347_to_71804_ceiling_2pt",
        2_347,
        71_804,
        Some(305),
        Some(79_224),
        2,
    ),
    ("158_to_158_10pt", 158, 158, None, None, 10),
];

fn planning_hard(c: &mut Criterion) {
    let mut group = c.benchmark_group("planning_hard");
    group.sample_size(10);
    for (label, from, target, floor, ceiling, m) in HARD {
        let mut reg = Registry::new("bench-account", SEED).unwrap();
        reg.create_deployment(
            DeploymentSpec::new("llama-v3p1-8b-instruct")
                .id("current-deployment")
                .replicas(from, from),
        )
        .unwrap();
        reg.create_router(RouterSpec::new(["current-deployment"]).id("router"))
            .unwrap();
        let mut req = MigrationRequest::new(
            "router",
            "current-deployment",
            "new-deployment",
            Schedule::MaxStep(m),
        )
        .target_replicas(target);
        req.min_total_replicas = floor;
        req.max_total_replicas = ceiling;
        match reg.plan_migration(&req) {
            Ok(plan) => println!("planning_hard/{label}: {} steps", plan.steps().len()),
            Err(e) => {
                println!("planning_hard/{label}: not timed, {e}");
                continue;
            }
        }
        group.bench_function(label, |b| b.iter(|| reg.plan_migration(&req).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, planning, planning_hard);
criterion_main!(benches);
