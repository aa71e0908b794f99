//! Helpers shared by the integration tests, the one home for test set-up.
//! Every test file that needs them says `mod common;` and imports from the
//! submodule for its rules:
//!
//! | module | for | holds |
//! | --- | --- | --- |
//! | [`selection`] | S1-S4 | histograms, pick streams, the chi-square fit check |
//! | [`registry`] | D, E, G, N, R, T | the reference registries (A/B test, M5 migration) and full names |
//! | [`migration`] | M3-M6 | applying plans action by action with the M3 invariants checked |
//!
//! Uses only the public API and no dev-dependencies, so every test binary
//! (wasm32-wasip1 included) can include it. Cargo compiles only the files
//! directly in `tests/` as test binaries, so nothing here is built on its own.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod migration;
pub mod registry;
pub mod selection;

/// The account every test registry acts as.
pub const ACCOUNT: &str = "my-account";
/// The model of every test deployment.
pub const MODEL: &str = "accounts/fireworks/models/llama-v3p1-8b-instruct";
