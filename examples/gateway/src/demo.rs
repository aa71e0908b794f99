//! The demo state in `examples/gateway/demo/` (`registry.json`, written by
//! `cargo run -p gateway --example demo_snapshot`; a test checks it is up to
//! date).

use replica_router::{DeploymentSpec, Registry, Result, RouterSpec, Strategy};

/// `my-account` with `deployment-a` (3 replicas) and `deployment-b` (2)
/// behind `ab-test` (weighted-random), `ab-rr` (weighted-round-robin) and
/// `sticky` (weighted-random with session affinity), and `abcd1234`, pinned to `US_ARIZONA_1`
/// with direct-route key `myDirectKey1`.
///
/// # Errors
/// Never in practice: every input is valid; core's errors pass through.
pub fn registry() -> Result<Registry> {
    let mut reg = Registry::new("my-account", 42)?;
    let model = "accounts/fireworks/models/llama-v3p1-8b-instruct";
    reg.create_deployment(DeploymentSpec::new(model).id("deployment-a").replicas(3, 3))?;
    reg.create_deployment(DeploymentSpec::new(model).id("deployment-b").replicas(2, 2))?;
    reg.create_deployment(
        DeploymentSpec::new(model)
            .id("abcd1234")
            .region("US_ARIZONA_1")
            .direct_route(["myDirectKey1"]),
    )?;
    let ab = ["deployment-a", "deployment-b"];
    reg.create_router(RouterSpec::new(ab).id("ab-test"))?;
    reg.create_router(
        RouterSpec::new(ab)
            .id("ab-rr")
            .strategy(Strategy::WeightedRoundRobin),
    )?;
    reg.create_router(RouterSpec::new(ab).id("sticky").session_affinity(true))?;
    Ok(reg)
}
