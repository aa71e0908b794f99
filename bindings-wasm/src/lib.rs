//! WebAssembly bindings of `replica-router`: the JS package `replica-router`
//! (SPEC B1, B3, E2).
//!
//! Thin by design: every rule lives in the core crate; these modules only
//! convert JS values to core types and back (strictly, so that no input can
//! panic and poison the instance) and map core errors to JS `Error` objects
//! (`errors`). One module per core module; `convert` holds the shared
//! argument conversions, `chacha_words` a faster source of the pinned
//! generator's words for batch picks on wasm. See `bindings-wasm/README.md` for the JS API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod chacha_words;
mod convert;
mod deployment;
mod direct_route;
mod errors;
mod migration;
mod platform;
mod region;
mod registry;
mod router;
mod selection;
mod share;
mod stats;
mod strategy;

pub use direct_route::JsDirectRoute;
pub use migration::JsMigrationPlan;
pub use platform::JsOperation;
pub use region::{JsRegion, JsRegionCatalog};
pub use registry::JsRegistry;
pub use router::strategies;
pub use selection::JsWeightedSelector;
pub use stats::{chi_square, expected_counts};
pub use strategy::{JsLoadTracker, JsSessionAffinity, JsWeightedRoundRobin, session_hash_js};

use js_sys::JsString;
use wasm_bindgen::prelude::*;

/// The package version (the Cargo workspace version).
#[wasm_bindgen]
pub fn version() -> JsString {
    env!("CARGO_PKG_VERSION").into()
}
