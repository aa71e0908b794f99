//! JSON snapshots of a whole registry (SPEC T1).
//!
//! Format version 1:
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "account": "my-account",
//!   "seed": "<64 hex digits>",
//!   "id_rng_word_pos": "0",
//!   "route_rng_word_pos": "0",
//!   "catalog": ["AP_TOKYO_1", "..."],
//!   "deployments": [{"name": "accounts/a/deployments/d", "model": "accounts/a/models/m",
//!                    "region": null, "min_replicas": 1, "max_replicas": 1, "replicas": 1,
//!                    "direct_route": null}],
//!   "routers": [{"name": "accounts/a/routers/r", "display_name": null, "model": null,
//!                "strategy": "weighted-random", "public": false,
//!                "deployments": ["accounts/a/deployments/d"]}]
//! }
//! ```
//!
//! Direct routes store `{"api_key_sha256": ["<64 hex>", ...], "domain": "..."}`:
//! digests, never keys. Generator positions are decimal strings (they are
//! 68-bit numbers, beyond a JSON double's exact range). Loading validates
//! everything with the same rules as the live operations and builds a new
//! registry, so bad input is an error, never a partial state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Account, ID_STREAM, ROUTE_STREAM, Registry, check_router_deployments};
use crate::deployment::{Deployment, Placement, check_bounds};
use crate::direct_route::{DirectRoute, KeyDigest, handle_label};
use crate::error::{Error, IdKind, Result};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::names::{Id, ResourceKind, ResourceName, parse_full};
use crate::region::{Region, RegionCatalog};
use crate::router::{Router, check_display_name};
use crate::selection::Seed;

/// The snapshot format version this build reads and writes.
pub(crate) const FORMAT_VERSION: u64 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotDto {
    format_version: u64,
    account: String,
    seed: String,
    id_rng_word_pos: String,
    route_rng_word_pos: String,
    catalog: Vec<String>,
    deployments: Vec<DeploymentDto>,
    routers: Vec<RouterDto>,
}

#[derive(Deserialize)]
struct VersionProbe {
    format_version: Option<u64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeploymentDto {
    name: String,
    model: String,
    region: Option<String>,
    min_replicas: u32,
    max_replicas: u32,
    replicas: u32,
    direct_route: Option<DirectRouteDto>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectRouteDto {
    api_key_sha256: Vec<String>,
    domain: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouterDto {
    name: String,
    display_name: Option<String>,
    model: Option<String>,
    strategy: String,
    public: bool,
    deployments: Vec<String>,
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

fn unhex32(s: &str, location: &str) -> Result<[u8; 32]> {
    let invalid = || Error::InvalidJson {
        message: format!("{location}: expected 64 lower-case hex digits"),
    };
    let b = s.as_bytes();
    if b.len() != 64 {
        return Err(invalid());
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        let hi = nibble(b[2 * i]).ok_or_else(invalid)?;
        let lo = nibble(b[2 * i + 1]).ok_or_else(invalid)?;
        *o = hi << 4 | lo;
    }
    Ok(out)
}

fn full_name(input: &str, kind: ResourceKind) -> Result<ResourceName> {
    match parse_full(input) {
        Some((account, k, id)) if k == kind => Ok(ResourceName::new(
            Id::new(account, IdKind::Account)?,
            kind,
            Id::new(id, kind.id_kind())?,
        )),
        _ => Err(Error::InvalidResourceName {
            input: input.to_owned(),
            expected: match kind {
                ResourceKind::Deployment => "a full name accounts/{account}/deployments/{id}",
                ResourceKind::Router => "a full name accounts/{account}/routers/{id}",
                ResourceKind::Model => "a full name accounts/{account}/models/{id}",
            },
        }),
    }
}

impl Registry {
    /// The whole state as JSON (SPEC T1), listings in name order (T2).
    ///
    /// `Registry::from_json(&r.to_json())` gives a registry whose `to_json`
    /// is byte-for-byte the same and that makes the same decisions.
    pub fn to_json(&self) -> String {
        let dto = SnapshotDto {
            format_version: FORMAT_VERSION,
            account: self.account.to_string(),
            seed: hex(self.seed.as_bytes()),
            id_rng_word_pos: self.id_rng.get_word_pos().to_string(),
            route_rng_word_pos: self.route_rng.get_word_pos().to_string(),
            catalog: self.catalog.regions().map(ToString::to_string).collect(),
            deployments: self
                .accounts
                .values()
                .flat_map(|a| a.deployments.values())
                .map(|d| DeploymentDto {
                    name: d.name.to_string(),
                    model: d.model.to_string(),
                    region: d.placement.region().map(ToString::to_string),
                    min_replicas: d.min_replicas,
                    max_replicas: d.max_replicas,
                    replicas: d.replicas,
                    direct_route: d.direct_route.as_ref().map(|r| DirectRouteDto {
                        api_key_sha256: r.key_digests().iter().map(|k| hex(k)).collect(),
                        domain: r.domain().to_owned(),
                    }),
                })
                .collect(),
            routers: self
                .accounts
                .values()
                .flat_map(|a| a.routers.values())
                .map(|e| RouterDto {
                    name: e.router.name.to_string(),
                    display_name: e.router.display_name.clone(),
                    model: e.router.model.as_ref().map(ToString::to_string),
                    strategy: e.router.strategy.to_string(),
                    public: e.router.public,
                    deployments: e
                        .router
                        .deployments
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                })
                .collect(),
        };
        // Serializing plain strings, numbers and vectors cannot fail.
        serde_json::to_string_pretty(&dto).unwrap_or_default()
    }

    /// Loads a registry from [`Registry::to_json`] output (SPEC T1).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] above [`MAX_SNAPSHOT_BYTES`];
    /// [`Error::InvalidJson`] for malformed JSON, unknown or missing fields;
    /// [`Error::UnsupportedFormatVersion`]; [`Error::InvalidSnapshot`] saying
    /// where the content breaks a rule (duplicate names, bounds, unknown or
    /// foreign deployments in a router, ...). Never a partial state.
    pub fn from_json(json: &str) -> Result<Registry> {
        if json.len() > MAX_SNAPSHOT_BYTES {
            return Err(Error::LimitExceeded {
                what: "snapshot bytes",
                limit: MAX_SNAPSHOT_BYTES,
                got: json.len(),
            });
        }
        let json_err = |e: serde_json::Error| Error::InvalidJson {
            message: e.to_string(),
        };
        let probe: VersionProbe = serde_json::from_str(json).map_err(json_err)?;
        match probe.format_version {
            Some(FORMAT_VERSION) => {}
            Some(found) => {
                return Err(Error::UnsupportedFormatVersion {
                    found,
                    supported: FORMAT_VERSION,
                });
            }
            None => {
                return Err(Error::InvalidJson {
                    message: "missing field `format_version`".into(),
                });
            }
        }
        let dto: SnapshotDto = serde_json::from_str(json).map_err(json_err)?;
        load(dto)
    }
}

fn word_pos(s: &str, location: &str) -> Result<u128> {
    s.parse::<u128>()
        .ok()
        .filter(|&p| p < 1u128 << 68)
        .ok_or_else(|| Error::InvalidJson {
            message: format!("{location}: expected a decimal word position below 2^68"),
        })
}

fn load(dto: SnapshotDto) -> Result<Registry> {
    let catalog = RegionCatalog::new(&dto.catalog).map_err(|e| e.in_snapshot("catalog"))?;
    let seed = Seed::from_bytes(unhex32(&dto.seed, "seed")?);
    let mut registry = Registry::with_catalog(&dto.account, seed, catalog)
        .map_err(|e| e.in_snapshot("account"))?;
    registry
        .id_rng
        .set_word_pos(word_pos(&dto.id_rng_word_pos, "id_rng_word_pos")?);
    registry
        .route_rng
        .set_word_pos(word_pos(&dto.route_rng_word_pos, "route_rng_word_pos")?);
    debug_assert_eq!(registry.id_rng.get_stream(), ID_STREAM);
    debug_assert_eq!(registry.route_rng.get_stream(), ROUTE_STREAM);

    let mut accounts: BTreeMap<Id, Account> = BTreeMap::new();
    for (i, d) in dto.deployments.into_iter().enumerate() {
        let at = format!("deployments[{i}]");
        let deployment = load_deployment(d, &registry.catalog).map_err(|e| e.in_snapshot(&at))?;
        let account = accounts
            .entry(deployment.name.account().clone())
            .or_default();
        if account.deployments.contains_key(deployment.name.id()) {
            return Err(Error::AlreadyExists {
                name: deployment.name.to_string(),
            }
            .in_snapshot(at));
        }
        account
            .deployments
            .insert(deployment.name.id().clone(), deployment);
    }
    let mut routers = Vec::new();
    for (i, r) in dto.routers.into_iter().enumerate() {
        let at = format!("routers[{i}]");
        let router = load_router(r, &accounts).map_err(|e| e.in_snapshot(&at))?;
        let taken = accounts
            .get(router.name.account())
            .is_some_and(|a| a.routers.contains_key(router.name.id()));
        if taken || routers.iter().any(|r: &Router| r.name == router.name) {
            return Err(Error::AlreadyExists {
                name: router.name.to_string(),
            }
            .in_snapshot(at));
        }
        routers.push(router);
    }
    registry.accounts = accounts;
    for router in routers {
        registry.insert_router(router);
    }
    registry.table_builds = 0;
    Ok(registry)
}

fn load_deployment(d: DeploymentDto, catalog: &RegionCatalog) -> Result<Deployment> {
    let name = full_name(&d.name, ResourceKind::Deployment)?;
    let model = full_name(&d.model, ResourceKind::Model)?;
    let placement = match d.region {
        None => Placement::MultiRegion,
        Some(r) => Placement::Region(Region::new(&r)?),
    };
    check_bounds(d.min_replicas, d.max_replicas)?;
    if d.replicas < d.min_replicas || d.replicas > d.max_replicas {
        return Err(Error::InvalidReplicaBounds {
            min: d.min_replicas.min(d.replicas),
            max: d.max_replicas.min(d.replicas),
        });
    }
    let direct_route = match (d.direct_route, &placement) {
        (None, _) => None,
        (Some(_), Placement::MultiRegion) => return Err(Error::RegionRequired),
        (Some(dr), Placement::Region(region)) => {
            let digests = dr
                .api_key_sha256
                .iter()
                .enumerate()
                .map(|(i, h)| unhex32(h, &format!("api_key_sha256[{i}]")))
                .collect::<Result<Vec<KeyDigest>>>()?;
            let route = DirectRoute::from_digests(region.clone(), digests, &dr.domain, catalog)?;
            handle_label(&name)?;
            Some(route)
        }
    };
    Ok(Deployment {
        name,
        model,
        placement,
        direct_route,
        min_replicas: d.min_replicas,
        max_replicas: d.max_replicas,
        replicas: d.replicas,
    })
}

fn load_router(r: RouterDto, accounts: &BTreeMap<Id, Account>) -> Result<Router> {
    let name = full_name(&r.name, ResourceKind::Router)?;
    if let Some(d) = &r.display_name {
        check_display_name(d)?;
    }
    let model = r
        .model
        .as_deref()
        .map(|m| full_name(m, ResourceKind::Model))
        .transpose()?;
    let strategy = r.strategy.parse()?;
    let deployments = r
        .deployments
        .iter()
        .map(|d| full_name(d, ResourceKind::Deployment))
        .collect::<Result<Vec<_>>>()?;
    check_router_deployments(&deployments, name.account(), accounts)?;
    Ok(Router {
        name,
        display_name: r.display_name,
        model,
        strategy,
        public: r.public,
        deployments,
    })
}
