//! A tour of replica-router: the reference examples, each router's exact
//! split, and 1,000,000 simulated requests compared with the exact shares.
//!
//! Run it with `cargo run --release -p replica-router --example tour`.

use replica_router::stats::{chi_square, expected_counts};
use replica_router::{
    DeploymentSpec, DeploymentUpdate, Registry, Result, RouterSpec, Seed, TrafficSplit,
};

const MODEL: &str = "accounts/fireworks/models/llama-v3p1-8b-instruct";
const REQUESTS: u64 = 1_000_000;

fn main() -> Result<()> {
    let mut reg = Registry::new("my-account", 42)?;

    // The reference's A/B test: 3 and 2 replicas.
    reg.create_deployment(DeploymentSpec::new(MODEL).id("deployment-a").replicas(3, 3))?;
    reg.create_deployment(DeploymentSpec::new(MODEL).id("deployment-b").replicas(2, 2))?;
    reg.create_router(RouterSpec::new(["deployment-a", "deployment-b"]).id("ab-test"))?;

    // The reference's migration start: 4 replicas plus a new deployment's 1.
    reg.create_deployment(
        DeploymentSpec::new(MODEL)
            .id("current-deployment")
            .replicas(4, 4),
    )?;
    reg.create_deployment(DeploymentSpec::new(MODEL).id("new-deployment"))?;
    reg.create_router(RouterSpec::new(["current-deployment", "new-deployment"]).id("my-router"))?;

    // A wider router with a scaled-to-zero deployment.
    for (id, replicas) in [
        ("east", 5),
        ("west", 3),
        ("north", 1),
        ("south", 1),
        ("spare", 1),
    ] {
        reg.create_deployment(
            DeploymentSpec::new(MODEL)
                .id(id)
                .replicas(replicas, replicas),
        )?;
    }
    reg.update_deployment("spare", DeploymentUpdate::new().replicas(0, 0))?;
    reg.create_router(
        RouterSpec::new(["east", "west", "north", "south", "spare"])
            .id("fleet")
            .display_name("Fleet"),
    )?;

    println!("== Traffic splits (SPEC R5: exact replicas / total)\n");
    let routers: Vec<String> = reg.list_routers().map(|r| r.name().to_string()).collect();
    for router in &routers {
        print!("{}", reg.traffic_split(router)?);
        println!();
    }

    println!(
        "== {REQUESTS} simulated requests per router (SPEC R6, R7 weighted-random), seed 42\n"
    );
    for router in &routers {
        simulate(&reg, &reg.traffic_split(router)?)?;
    }
    println!("== Migration (SPEC M1-M6): the reference's example, planned and applied\n");
    migration()?;
    println!("\n== A real account's resources (SPEC P1-P3): import, plan, requests\n");
    platform()?;
    Ok(())
}

/// Routes `REQUESTS` requests through the registry and prints observed vs
/// expected counts with the chi-square goodness of fit.
fn simulate(reg: &Registry, split: &TrafficSplit) -> Result<()> {
    let mut rng = Seed::from_u64(42).rng();
    let mut observed = vec![0u64; split.shares.len()];
    let router = split.router.to_string();
    for _ in 0..REQUESTS {
        let picked = reg.route_with(&router, "my-account", &mut rng)?;
        if let Some(i) = split.shares.iter().position(|s| &s.deployment == picked) {
            observed[i] += 1;
        }
    }
    let weights: Vec<u32> = split.shares.iter().map(|s| s.replicas).collect();
    let expected = expected_counts(REQUESTS, &weights);
    println!("{router}");
    let names: Vec<String> = split
        .shares
        .iter()
        .map(|s| s.deployment.to_string())
        .collect();
    let width = names
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("deployment".len());
    println!(
        "  {:<width$} {:>9} {:>12} {:>12} {:>8}",
        "deployment", "share", "expected", "observed", "diff %"
    );
    for (((share, name), obs), exp) in split
        .shares
        .iter()
        .zip(&names)
        .zip(&observed)
        .zip(&expected)
    {
        let diff = if *exp > 0.0 {
            (*obs as f64 - exp) / exp * 100.0
        } else {
            0.0
        };
        println!(
            "  {name:<width$} {:>9} {:>12.1} {:>12} {:>+8.3}",
            share.fraction.to_string(),
            exp,
            obs,
            diff
        );
    }
    match chi_square(&observed, &weights) {
        Some(c) => println!(
            "  chi-square = {:.3}, df = {}, p = {:.4} ({})\n",
            c.statistic,
            c.degrees_of_freedom,
            c.p_value,
            if c.p_value >= 0.001 {
                "consistent with the exact shares"
            } else {
                "REJECTED at p < 0.001"
            }
        ),
        None => println!("  chi-square: not applicable\n"),
    }
    Ok(())
}

/// The reference's traffic migration (SPEC M5): `my-router` moves from
/// `current-deployment` (4 replicas) to `new-deployment` in steps of 20%, 80%
/// and 100%, printed as a table and as the reference CLI's commands, then
/// applied and rolled back.
fn migration() -> Result<()> {
    use replica_router::{MigrationRequest, Schedule};

    let mut reg = Registry::new("my-account", 42)?;
    let current = DeploymentSpec::new(MODEL)
        .id("current-deployment")
        .replicas(4, 4);
    reg.create_deployment(current)?;
    reg.create_router(RouterSpec::new(["current-deployment"]).id("my-router"))?;
    let steps = Schedule::Steps(vec![20, 80, 100]);
    let request = MigrationRequest::new("my-router", "current-deployment", "new-deployment", steps)
        .target_replicas(4);
    let plan = reg.plan_migration(&request)?;
    println!("{plan}");
    for command in plan.firectl_commands() {
        println!("{command}");
    }
    let before = reg.to_json();
    for step in 0..plan.steps().len() {
        reg.apply_step(&plan, step)?;
    }
    println!("\nApplied:\n{}", reg.traffic_split("my-router")?);
    let back = plan.rollback(plan.steps().len() - 1)?;
    println!("{back}");
    for command in back.firectl_commands() {
        println!("{command}");
    }
    reg.apply_step(&back, 0)?;
    let same = reg.to_json() == before;
    println!("\nRolled back: snapshot equal to the start: {same}");
    Ok(())
}

/// SPEC P1-P3: imports a small account as the platform's REST API lists it
/// (`testdata/platform/account.json`: two deployment pages and a router
/// page), plans the reference migration against it, and prints each REST
/// request beside its `firectl` command.
fn platform() -> Result<()> {
    use replica_router::{MigrationRequest, Schedule};

    const ACCOUNT: &str = include_str!("../../testdata/platform/account.json");
    let mut reg = Registry::new("my-account", 42)?;
    let report = reg.import_resources(ACCOUNT)?;
    println!(
        "Imported {} deployments and {} routers; {} fields ignored (not modelled), e.g. {}",
        report.deployments.len(),
        report.routers.len(),
        report.ignored_fields.len(),
        report.ignored_fields.first().map_or("-", String::as_str),
    );
    for skipped in &report.skipped {
        println!(
            "Skipped {} ({}): {}",
            skipped.name, skipped.path, skipped.reason
        );
    }
    for note in &report.notes {
        println!("Note: {note}");
    }
    print!("\n{}", reg.traffic_split("my-router")?);

    let steps = Schedule::Steps(vec![20, 80, 100]);
    let request = MigrationRequest::new("my-router", "current-deployment", "new-deployment", steps)
        .target_replicas(4);
    let plan = reg.plan_migration(&request)?;
    for (i, step) in plan.steps().iter().enumerate() {
        println!("\n-- step {i} --");
        for op in step.operations() {
            println!("$ {}\n{}\n", op.firectl_command(), op.rest_request());
        }
    }
    Ok(())
}
