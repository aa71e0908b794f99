//! A deterministic, exact model of inference traffic routers.
//!
//! `replica-router` models the routers of a hosted inference platform: named
//! aliases over model deployments whose traffic is split by replica count (3
//! and 2 replicas get exactly 3/5 and 2/5), region-pinned direct-routing
//! endpoints guarded by their own API keys, and zero-downtime migration
//! plans. It does no I/O, reads no clock and no OS entropy: the same seed
//! gives the same answers on every platform and from every binding (Python,
//! JavaScript).
//!
//! # Quick start
//!
//! ```
//! use replica_router::{DeploymentSpec, Fraction, Registry, RouterSpec};
//!
//! let mut reg = Registry::new("my-account", 42)?;
//! reg.create_deployment(DeploymentSpec::new("llama-v3p1-8b-instruct").id("deployment-a").replicas(3, 3))?;
//! reg.create_deployment(DeploymentSpec::new("llama-v3p1-8b-instruct").id("deployment-b").replicas(2, 2))?;
//! reg.create_router(RouterSpec::new(["deployment-a", "deployment-b"]).id("ab-test"))?;
//!
//! // SPEC R5: exact shares.
//! let split = reg.traffic_split("ab-test")?;
//! assert_eq!(split.shares[0].fraction, Fraction::new(3, 5).unwrap());
//!
//! // SPEC R6: route a request by its `model` field.
//! let deployment = reg.route("accounts/my-account/routers/ab-test", "my-account")?;
//! println!("routed to {deployment}");
//! # Ok::<(), replica_router::Error>(())
//! ```
//!
//! # Map of the crate
//!
//! | rule | where |
//! | --- | --- |
//! | N1-N3 names | [`Id`], [`ResourceName`], generated IDs in [`Registry`] |
//! | G1-G2 regions | [`Region`], [`RegionCatalog`] |
//! | G3-G6 direct routing | [`Placement`], [`DirectRoute`] |
//! | D1-D3 deployments | [`Deployment`], [`DeploymentSpec`], [`DeploymentUpdate`] |
//! | R1-R7 routers | [`Router`], [`RouterSpec`], [`RouterUpdate`], [`Strategy`], [`TrafficSplit`], [`Registry::route`], [`Registry::route_request`] |
//! | R7-R9 strategies, session affinity | [`WeightedRoundRobin`], [`LoadTracker`], [`SessionAffinity`], [`session_hash`], [`RouteRequest`], [`RouteDecision`] |
//! | S1-S4 selection | [`WeightedSelector`], [`Seed`], [`Rng`], [`ChaCha8Rng`] |
//! | T1-T2 state | [`Registry::to_json`], [`Registry::from_json`] |
//! | M1 migration request | [`MigrationRequest`], [`Schedule`], [`Registry::plan_migration`] |
//! | M2 steps and actions | [`MigrationPlan`], [`MigrationStep`], [`MigrationAction`], [`ActionKind`] |
//! | M3 invariants after every action | [`Registry::plan_migration`], [`MigrationPlan`] |
//! | M4 closest feasible share per step | [`Registry::plan_migration`], [`Infeasibility`] |
//! | M5 the reference example | [`Registry::plan_migration`] |
//! | M6 JSON, CLI commands, apply, rollback | [`MigrationPlan::to_json`], [`MigrationPlan::from_json`], [`MigrationPlan::firectl_commands`], [`Registry::apply_step`], [`MigrationPlan::rollback`] |
//! | P1-P3 platform resources | [`Registry::import_resources`], [`Registry::export_resources`], [`Operation`], [`MigrationPlan::operations`], [`platform`] |
//! | E1-E2 errors | [`Error`], [`ErrorKind`] |
//! | E3 limits | [`limits`] |
//!
//! Every fallible operation validates all of its input before it changes
//! anything: on error, the registry is exactly as before.
//!
//! # Features
//!
//! - `serde` (default): `Serialize` and `Deserialize` for [`Registry`] and
//!   [`MigrationPlan`], in the shape of their JSON formats and with the same
//!   checks, and for the value types in the shape each has inside those
//!   formats: [`Deployment`], [`DirectRoute`] (its region, key digests and
//!   domain, never keys), [`Router`], [`Region`], [`RegionCatalog`],
//!   [`Placement`], [`Strategy`], [`Seed`], [`ResourceName`], [`Fraction`],
//!   [`Share`], [`TrafficSplit`], [`RegistryTotals`], [`MigrationStep`],
//!   [`MigrationAction`], [`ActionKind`], [`StepShare`],
//!   [`DeploymentReplicas`], [`DeploymentState`], [`PlanState`],
//!   [`PlanKind`], [`Schedule`]; [`Id`] and [`RouteDecision`] serialize only.
//!   Deserializing checks what the constructors and `from_json` check, with
//!   their messages; a value read alone skips only what needs its registry
//!   (the region catalog, whether a router's deployments exist). Objects
//!   need a self-describing format (JSON, YAML, CBOR, ...). The JSON formats
//!   themselves ([`Registry::to_json`], [`MigrationPlan::to_json`]) need no
//!   feature: the crate reads and writes them with its own small, strict
//!   codec, and serde serializes the value tree the same writer code builds.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod deployment;
mod direct_route;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use support::json::fuzzing;
pub mod limits;
mod migration;
mod names;
pub mod platform;
mod region;
mod registry;
mod router;
mod selection;
#[cfg(feature = "serde")]
mod serde_values;
mod share;
pub mod stats;
mod strategy;
mod support;

pub use deployment::{Deployment, DeploymentSpec, DeploymentUpdate, Placement};
pub use direct_route::{DEFAULT_DIRECT_DOMAIN, DirectRoute, KeySecret, SALT_STREAM};
pub use error::{Error, ErrorKind, IdKind, Result};
pub use migration::*;
pub use names::{Id, ResourceKind, ResourceName};
pub use platform::{ApiKeys, ImportReport, Operation, RestRequest, SkippedResource};
pub use region::{Region, RegionCatalog};
pub use registry::{Registry, RegistryTotals, RouteBatch, RouteDecision, RouteRequest};
pub use router::{Router, RouterSpec, RouterUpdate, Strategy};
pub use selection::{Seed, WeightedSelector};
pub use share::{Fraction, Share, TrafficSplit};
pub use strategy::{AffinityPick, LoadTracker, SessionAffinity, WeightedRoundRobin, session_hash};

/// The pinned generator (SPEC S1, S4): ChaCha with 8 rounds from `rand_chacha`.
pub use rand_chacha::ChaCha8Rng;
/// The generator trait the sampling functions accept, under its own name
/// (`rand_core::Rng`).
pub use rand_core::Rng;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
