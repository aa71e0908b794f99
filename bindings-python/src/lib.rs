//! Python bindings of `replica-router`: the private native module
//! `replica_router._core`, re-exported by the `replica_router` package.
//!
//! Thin by design (SPEC B1): every rule lives in the core crate. Each file
//! here mirrors one core module and only converts types and errors; the one
//! error mapping is in `errors.rs`. This file only wires the modules.

mod args;
mod deployment;
mod direct_route;
mod errors;
mod migration;
mod names;
mod platform;
mod region;
mod registry;
mod router;
mod routing;
mod selection;
mod share;
mod strategy;

use pyo3::prelude::*;

/// The native module `replica_router._core`.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    selection::check_typecodes(m.py())?;
    m.add_class::<registry::PyRegistry>()?;
    m.add_class::<deployment::PyDeployment>()?;
    m.add_class::<router::PyRouter>()?;
    m.add_class::<share::PyShare>()?;
    m.add_class::<share::PyTrafficSplit>()?;
    m.add_class::<selection::PyWeightedSelector>()?;
    m.add_class::<region::PyRegion>()?;
    m.add_class::<region::PyRegionCatalog>()?;
    m.add_class::<direct_route::PyDirectRoute>()?;
    m.add_class::<routing::PyRouteDecision>()?;
    m.add_class::<migration::PyMigrationPlan>()?;
    m.add_class::<migration::PyMigrationStep>()?;
    m.add_class::<migration::PyMigrationAction>()?;
    m.add_class::<platform::PyOperation>()?;
    m.add_class::<strategy::PyWeightedRoundRobin>()?;
    m.add_class::<strategy::PyLoadTracker>()?;
    m.add_class::<strategy::PySessionAffinity>()?;
    m.add_class::<strategy::PyAffinityPick>()?;
    m.add_function(wrap_pyfunction!(strategy::session_hash, m)?)?;
    m.add("STRATEGIES", replica_router::Strategy::NAMES.to_vec())?;
    m.add(
        "DEFAULT_DIRECT_DOMAIN",
        replica_router::DEFAULT_DIRECT_DOMAIN,
    )?;
    m.add("MAX_BATCH_PICKS", replica_router::limits::MAX_BATCH_PICKS)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
