//! Generates the shared test vectors in `testdata/vectors/` (SPEC S1: the
//! same seed and state give the same answers on every platform and in every
//! language).
//!
//! ```text
//! cargo run -p replica-router --example gen_vectors -- testdata/vectors
//! ```
//!
//! Every vector is computed by this crate; the consumers (`core/tests/vectors.rs`
//! on the host and on wasm32-wasip1, `bindings-python/tests/test_vectors.py`,
//! `bindings-wasm/tests/node/vectors.test.mjs` and the browser page) replay
//! the inputs through their own language's API and compare. The output is
//! deterministic: `scripts/check-vectors.sh` regenerates the files and fails
//! on any difference, so a change of behaviour is always a reviewed change of
//! these files.
//!
//! | module | writes |
//! | --- | --- |
//! | [`selector`] | `selector.json`: `WeightedSelector` streams (S1-S4) |
//! | [`registry`] | `registry.json`: registry scenarios (R, D, N, T) |
//! | [`strategies`] | `strategies.json`: round robin and session affinity (R7) |
//! | [`errors`] | `errors.json`: every parser and validator (N, G, D, E, T1, M6) |
//! | [`migration`] | `migration.json`: migration plans (M1-M6) |
//! | [`platform`] | `platform.json`: platform resources in, snapshot and operations out (P1-P3) |
//! | [`ops`] | registry operations, applied and recorded (registry and migration) |
//! | [`json`] | the files' header, conventions and layout |
//!
//! Conventions of every file (also stated in each file's `conventions`):
//! - integers that may exceed 2^53 (seeds, cursors, hashes, totals) are
//!   decimal strings, or `0x` hex strings for hashes;
//! - an operation's `expect` is either its result or `{"error": CODE}` with
//!   `CODE` from `Error::code()`;
//! - optional inputs that are absent are not given (the API's default).

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

mod errors;
mod json;
mod migration;
mod ops;
mod platform;
mod registry;
mod selector;
mod strategies;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The model of the deployments the vectors create.
const MODEL: &str = "accounts/fireworks/models/llama-v3p1-8b-instruct";

fn write_file(dir: &Path, name: &str, file: &Value) {
    let path = dir.join(name);
    std::fs::write(&path, json::pretty(file))
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("wrote {} ({size} bytes)", path.display());
}

fn main() {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("testdata/vectors"), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    write_file(&dir, "selector.json", &selector::selector_file());
    write_file(&dir, "registry.json", &registry::registry_file());
    write_file(&dir, "strategies.json", &strategies::strategies_file());
    write_file(&dir, "errors.json", &errors::errors_file());
    write_file(&dir, "migration.json", &migration::migration_file());
    write_file(&dir, "platform.json", &platform::platform_file());
}
