//! SPEC M5: the reference's worked migration comes out exactly, steps,
//! splits and CLI commands (the latter identical to `reference/routers.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::migration::{assert_final, run_checked};
use replica_router::{
    DeploymentSpec, Fraction, MigrationAction, MigrationPlan, MigrationRequest, Registry,
    RouterSpec, Schedule,
};

/// The commands of "Example: traffic migration" in `reference/routers.md`
/// from Step 2 on, verbatim (code blocks joined, line continuations kept).
const REFERENCE: &str = r"
firectl deployment create accounts/<ACCOUNT_ID>/models/<MODEL_ID> \
    --deployment-id=new-deployment

firectl router update my-router \
    --deployments=current-deployment,new-deployment

firectl deployment update new-deployment \
    --min-replica-count=4 \
    --max-replica-count=4

firectl deployment update current-deployment \
    --min-replica-count=1 \
    --max-replica-count=1

firectl deployment update current-deployment \
    --min-replica-count=0 \
    --max-replica-count=0

firectl router update my-router --deployments=new-deployment
";

/// One command per line: continuations joined, whitespace collapsed.
fn reference_commands() -> Vec<String> {
    REFERENCE
        .replace("\\\n", " ")
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

fn reference_plan() -> (Registry, MigrationPlan) {
    let mut reg = Registry::new("my-account", 42).unwrap();
    reg.create_deployment(
        DeploymentSpec::new("llama-v3p1-8b-instruct")
            .id("current-deployment")
            .replicas(4, 4),
    )
    .unwrap();
    reg.create_router(RouterSpec::new(["current-deployment"]).id("my-router"))
        .unwrap();
    let request = MigrationRequest::new(
        "my-router",
        "current-deployment",
        "new-deployment",
        Schedule::Steps(vec![20, 80, 100]),
    )
    .target_replicas(4);
    let plan = reg.plan_migration(&request).unwrap();
    (reg, plan)
}

fn frac(n: u64, d: u64) -> Fraction {
    Fraction::new(n, d).unwrap()
}

#[test]
fn m5_steps_counts_splits_and_shares() {
    let (_, plan) = reference_plan();
    let steps = plan.steps();
    assert_eq!(steps.len(), 3);
    let counts: Vec<(u32, u32)> = steps
        .iter()
        .map(|s| (s.to_replicas(), s.from_replicas()))
        .collect();
    assert_eq!(counts, [(1, 4), (4, 1), (4, 0)]);
    let to_shares: Vec<Fraction> = steps.iter().map(|s| s.to_share).collect();
    assert_eq!(to_shares, [frac(1, 5), frac(4, 5), Fraction::ONE]);
    let requested: Vec<Fraction> = steps.iter().map(|s| s.requested_share).collect();
    assert_eq!(requested, [frac(1, 5), frac(4, 5), Fraction::ONE]);

    // Router splits: 80/20, 20/80, then new-deployment alone (0/100 with
    // current-deployment removed).
    let split = |i: usize| -> Vec<(String, u32, Fraction)> {
        steps[i]
            .split
            .iter()
            .map(|s| (s.deployment.id().to_string(), s.replicas, s.share))
            .collect()
    };
    let cur = "current-deployment".to_string();
    let new = "new-deployment".to_string();
    assert_eq!(
        split(0),
        [(cur.clone(), 4, frac(4, 5)), (new.clone(), 1, frac(1, 5))]
    );
    assert_eq!(
        split(1),
        [(cur, 1, frac(1, 5)), (new.clone(), 4, frac(4, 5))]
    );
    assert_eq!(split(2), [(new, 4, Fraction::ONE)]);
}

#[test]
fn m5_actions_in_order() {
    let (_, plan) = reference_plan();
    let described: Vec<Vec<String>> = plan
        .steps()
        .iter()
        .map(|s| s.actions.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(
        described,
        [
            vec![
                "create new-deployment with 1 replica",
                "add new-deployment to my-router"
            ],
            vec![
                "scale new-deployment to 4 replicas",
                "scale current-deployment to 1 replica"
            ],
            vec![
                "scale current-deployment to 0 replicas",
                "remove current-deployment from my-router"
            ],
        ]
    );
    assert!(matches!(
        &plan.steps()[0].actions[0],
        MigrationAction::CreateDeployment { replicas: 1, model, .. }
            if model.to_string() == "accounts/my-account/models/llama-v3p1-8b-instruct"
    ));
}

#[test]
fn m5_cli_commands_match_the_reference_exactly() {
    let (_, plan) = reference_plan();
    let expected: Vec<String> = reference_commands()
        .into_iter()
        .map(|c| {
            c.replace(
                "accounts/<ACCOUNT_ID>/models/<MODEL_ID>",
                "accounts/my-account/models/llama-v3p1-8b-instruct",
            )
        })
        .collect();
    assert_eq!(expected.len(), 6);
    assert_eq!(plan.firectl_commands(), expected);
}

#[test]
fn m5_applies_step_by_step_with_m3_after_every_action() {
    let (mut reg, plan) = reference_plan();
    let mut stepped = reg.clone();
    run_checked(&mut reg, &plan);
    assert_final(&reg, &plan);
    for i in 0..plan.steps().len() {
        stepped.apply_step(&plan, i).unwrap();
    }
    assert_eq!(stepped.to_json(), reg.to_json());
}

#[test]
fn m5_table_shows_every_step() {
    let (_, plan) = reference_plan();
    let table = plan.table();
    println!("{table}");
    for needle in [
        "Migration of router my-router: current-deployment -> new-deployment",
        "4 (80%)",
        "1 (20%)",
        "4 (100%)",
        "create new-deployment with 1 replica",
        "remove current-deployment from my-router",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }
    assert_eq!(plan.to_string(), table);
}
