//! migration.json (SPEC M1-M6): migration plans on set-up registries.

use replica_router::{MigrationPlan, MigrationRequest, Registry, Schedule};
use serde_json::{Value, json};

use crate::json::{error, file, given, parsed, result, u64s};
use crate::ops::{Op, apply, create_deployment, create_router, split_json};

/// One migration case: the set-up and the request (absent inputs take the
/// API default), and the step after which to roll back, if any.
struct Migration {
    name: &'static str,
    description: &'static str,
    account: &'static str,
    setup: Vec<Op>,
    router: &'static str,
    from: &'static str,
    to: &'static str,
    target: Option<u32>,
    steps: Option<Vec<u32>>,
    max_step: Option<u32>,
    floor: Option<u32>,
    ceiling: Option<u32>,
    rollback_after: Option<usize>,
}

impl Default for Migration {
    fn default() -> Migration {
        Migration {
            name: "",
            description: "",
            account: "my-account",
            setup: Vec::new(),
            router: "my-router",
            from: "current-deployment",
            to: "new-deployment",
            target: None,
            steps: None,
            max_step: None,
            floor: None,
            ceiling: None,
            rollback_after: None,
        }
    }
}

/// A plan: its JSON (parsed) and its CLI rendering.
fn plan_json(plan: &MigrationPlan) -> Value {
    json!({ "json": parsed(&plan.to_json()), "firectl_commands": plan.firectl_commands() })
}

/// Sets up `m`, plans it and records the plan, its rollback, the refused
/// `apply_step` calls and the splits after each step.
fn migration_case(m: Migration) -> Value {
    let mut reg = Registry::new(m.account, 42u64).expect("valid");
    let mut setup = Vec::new();
    for op in &m.setup {
        let expect = apply(&mut reg, op);
        assert!(expect.get("error").is_none(), "setup fails: {op:?}");
        setup.push(op.recorded(expect));
    }
    let schedule = match (&m.steps, m.max_step) {
        (Some(s), None) => Schedule::Steps(s.clone()),
        (None, Some(x)) => Schedule::MaxStep(x),
        _ => panic!("one schedule"),
    };
    let mut request = MigrationRequest::new(m.router, m.from, m.to, schedule);
    request.target_replicas = m.target;
    request.min_total_replicas = m.floor;
    request.max_total_replicas = m.ceiling;
    let input = given(json!({
        "router": m.router,
        "from": m.from,
        "to": m.to,
        "target_replicas": m.target,
        "traffic_steps": m.steps.clone(),
        "max_step_percent": m.max_step,
        "min_total_replicas": m.floor,
        "max_total_replicas": m.ceiling,
    }));
    let expect = match reg.plan_migration(&request) {
        Err(e) => error(&e),
        Ok(plan) => {
            let n = plan.steps().len();
            let mut o = json!({ "plan": plan_json(&plan) });
            if let Some(after) = m.rollback_after {
                let rb = plan.rollback(after).expect("valid step");
                o["rollback"] = json!({ "after_step": after, "plan": plan_json(&rb) });
            }
            // apply_step refuses steps out of range and out of order.
            let mut apply_errors = vec![json!({
                "step": n,
                "expect": error(&reg.clone().apply_step(&plan, n).expect_err("out of range")),
            })];
            if n > 1 {
                let e = reg.clone().apply_step(&plan, 1).expect_err("out of order");
                apply_errors.push(json!({ "step": 1usize, "expect": error(&e) }));
            }
            o["apply_errors"] = json!(apply_errors);
            // Applying every step leaves the router with the last step's split.
            let mut splits = Vec::new();
            for i in 0..n {
                reg.apply_step(&plan, i).expect("applies");
                splits.push(result(reg.traffic_split(m.router), |s| split_json(&s)));
            }
            o["splits_after_steps"] = json!(splits);
            if let Some(after) = m.rollback_after {
                // Roll back from the state after step `after` on a fresh copy.
                let mut fresh = Registry::new(m.account, 42u64).expect("valid");
                for op in &m.setup {
                    apply(&mut fresh, op);
                }
                let initial = fresh.to_json();
                for i in 0..=after {
                    fresh.apply_step(&plan, i).expect("applies");
                }
                let rb = plan.rollback(after).expect("valid step");
                for i in 0..rb.steps().len() {
                    fresh.apply_step(&rb, i).expect("rollback applies");
                }
                assert_eq!(
                    fresh.to_json(),
                    initial,
                    "M6: rollback restores the snapshot"
                );
            }
            o
        }
    };
    json!({
        "name": m.name,
        "description": m.description,
        "account": m.account,
        "seed": u64s(42),
        "setup": setup,
        "request": input,
        "expect": expect,
    })
}

pub(crate) fn migration_file() -> Value {
    let reference_setup = vec![
        Op {
            model: Some("llama-v3p1-8b-instruct".into()),
            ..create_deployment("current-deployment", 4, 4)
        },
        create_router(Some("my-router"), &["current-deployment"]),
    ];
    let ab_setup = vec![
        create_deployment("current-deployment", 6, 6),
        create_deployment("other", 2, 2),
        create_router(Some("my-router"), &["other", "current-deployment"]),
    ];
    let cases = vec![
        Migration {
            name: "m5-reference",
            description: "SPEC M5: the reference example, steps [20, 80, 100], target 4",
            setup: reference_setup.clone(),
            target: Some(4),
            steps: Some(vec![20, 80, 100]),
            rollback_after: Some(0),
            ..Migration::default()
        },
        Migration {
            name: "max-step-25",
            description: "at most 25 percentage points per step, default target (from's count)",
            setup: reference_setup.clone(),
            max_step: Some(25),
            rollback_after: Some(1),
            ..Migration::default()
        },
        Migration {
            name: "rolling-ceiling",
            description: "a surge ceiling of from + 1 forces a rolling update",
            setup: reference_setup.clone(),
            steps: Some(vec![50, 100]),
            ceiling: Some(5),
            ..Migration::default()
        },
        Migration {
            name: "other-deployments",
            description: "a router with another deployment; to gets 3 replicas; floor 2",
            setup: ab_setup.clone(),
            target: Some(3),
            steps: Some(vec![10, 30, 60, 100]),
            floor: Some(2),
            rollback_after: Some(2),
            ..Migration::default()
        },
        Migration {
            name: "existing-to",
            description: "to exists outside the router with 2 replicas",
            setup: {
                let mut s = reference_setup.clone();
                s.push(create_deployment("new-deployment", 2, 2));
                s
            },
            target: Some(4),
            steps: Some(vec![33, 100]),
            ..Migration::default()
        },
        Migration {
            name: "infeasible-ceiling",
            description: "SPEC M4: a ceiling equal to from's replicas leaves no room to add to",
            setup: reference_setup.clone(),
            target: Some(4),
            steps: Some(vec![20, 80, 100]),
            ceiling: Some(4),
            ..Migration::default()
        },
        Migration {
            name: "infeasible-max-step",
            description: "SPEC M4: 1 point per step cannot be met with 1 replica each",
            setup: vec![
                create_deployment("current-deployment", 1, 1),
                create_router(Some("my-router"), &["current-deployment"]),
            ],
            target: Some(1),
            max_step: Some(1),
            ceiling: Some(1),
            ..Migration::default()
        },
    ];
    let mut out: Vec<Value> = cases.into_iter().map(migration_case).collect();
    // M1 validation errors.
    let bad: Vec<(&'static str, Migration)> = vec![
        (
            "empty-steps",
            Migration {
                steps: Some(vec![]),
                ..Migration::default()
            },
        ),
        (
            "step-out-of-range",
            Migration {
                steps: Some(vec![0, 100]),
                ..Migration::default()
            },
        ),
        (
            "step-above-100",
            Migration {
                steps: Some(vec![50, 101]),
                ..Migration::default()
            },
        ),
        (
            "steps-not-increasing",
            Migration {
                steps: Some(vec![50, 50, 100]),
                ..Migration::default()
            },
        ),
        (
            "steps-not-ending-at-100",
            Migration {
                steps: Some(vec![20, 80]),
                ..Migration::default()
            },
        ),
        (
            "max-step-zero",
            Migration {
                max_step: Some(0),
                ..Migration::default()
            },
        ),
        (
            "max-step-101",
            Migration {
                max_step: Some(101),
                ..Migration::default()
            },
        ),
        (
            "same-deployment",
            Migration {
                to: "current-deployment",
                steps: Some(vec![100]),
                ..Migration::default()
            },
        ),
        (
            "from-not-in-router",
            Migration {
                from: "stray",
                steps: Some(vec![100]),
                ..Migration::default()
            },
        ),
        (
            "unknown-router",
            Migration {
                router: "nope",
                steps: Some(vec![100]),
                ..Migration::default()
            },
        ),
        (
            "zero-target",
            Migration {
                target: Some(0),
                steps: Some(vec![100]),
                ..Migration::default()
            },
        ),
        (
            "floor-above-ceiling",
            Migration {
                floor: Some(6),
                ceiling: Some(5),
                steps: Some(vec![100]),
                ..Migration::default()
            },
        ),
        (
            "floor-above-target",
            Migration {
                target: Some(2),
                floor: Some(3),
                steps: Some(vec![100]),
                ..Migration::default()
            },
        ),
        (
            "bad-to-name",
            Migration {
                to: "New_Deployment",
                steps: Some(vec![100]),
                ..Migration::default()
            },
        ),
    ];
    for (name, m) in bad {
        let mut setup = reference_setup.clone();
        setup.push(create_deployment("stray", 1, 1));
        out.push(migration_case(Migration {
            name,
            description: "SPEC M1: the request is refused",
            setup,
            ..m
        }));
    }
    file(
        &["M1", "M2", "M3", "M4", "M5", "M6"],
        "Migration plans. Each case creates Registry(account, seed), applies `setup` (registry \
         ops as in registry.json), then plan_migration(request). `expect.plan.json` is the \
         plan's to_json (parsed) and `firectl_commands` its CLI rendering; `rollback` is \
         rollback(after_step) likewise; `apply_errors` are apply_step calls refused on the \
         untouched registry; `splits_after_steps[i]` is the router's traffic_split after \
         applying steps 0..=i in order. Infeasible or invalid requests expect an error code.",
        json!({ "cases": out }),
    )
}
