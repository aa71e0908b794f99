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

use super::{Account, ID_STREAM, ROUTE_STREAM, Registry, check_router_deployments};
use crate::deployment::{Deployment, Placement, check_bounds};
use crate::direct_route::{DirectRoute, KeyDigest, handle_label};
use crate::error::{Error, IdKind, Result};
use crate::json::{Field, Members, Value};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::names::{Id, ResourceKind, ResourceName, parse_full};
use crate::region::{Region, RegionCatalog};
use crate::router::{Router, check_display_name};
use crate::selection::Seed;

/// The snapshot format version this build reads and writes.
pub(crate) const FORMAT_VERSION: u64 = 1;

/// A snapshot's fields, read from JSON but not yet validated.
struct SnapshotDto {
    account: String,
    seed: String,
    id_rng_word_pos: String,
    route_rng_word_pos: String,
    catalog: Vec<String>,
    deployments: Vec<DeploymentDto>,
    routers: Vec<RouterDto>,
}

struct DeploymentDto {
    name: String,
    model: String,
    region: Option<String>,
    min_replicas: u32,
    max_replicas: u32,
    replicas: u32,
    direct_route: Option<DirectRouteDto>,
}

struct DirectRouteDto {
    api_key_sha256: Vec<String>,
    domain: String,
}

struct RouterDto {
    name: String,
    display_name: Option<String>,
    model: Option<String>,
    strategy: String,
    public: bool,
    deployments: Vec<String>,
}

impl SnapshotDto {
    /// Reads the fields of a version-1 snapshot (every field required,
    /// unknown ones rejected; `null` where a field is optional).
    fn read(m: &Members<'_>) -> std::result::Result<SnapshotDto, String> {
        m.uint::<u64>("format_version")?;
        Ok(SnapshotDto {
            account: m.str("account")?,
            seed: m.str("seed")?,
            id_rng_word_pos: m.str("id_rng_word_pos")?,
            route_rng_word_pos: m.str("route_rng_word_pos")?,
            catalog: m.strings("catalog")?,
            deployments: m
                .get("deployments")?
                .array(|d| d.object(DeploymentDto::read))?,
            routers: m.get("routers")?.array(|r| r.object(RouterDto::read))?,
        })
    }
}

impl DeploymentDto {
    fn read(m: &Members<'_>) -> std::result::Result<DeploymentDto, String> {
        Ok(DeploymentDto {
            name: m.str("name")?,
            model: m.str("model")?,
            region: m.optional_str("region")?,
            min_replicas: m.uint("min_replicas")?,
            max_replicas: m.uint("max_replicas")?,
            replicas: m.uint("replicas")?,
            direct_route: m
                .optional("direct_route")
                .map(|f| {
                    f.object(|m| {
                        Ok(DirectRouteDto {
                            api_key_sha256: m.strings("api_key_sha256")?,
                            domain: m.str("domain")?,
                        })
                    })
                })
                .transpose()?,
        })
    }
}

impl RouterDto {
    fn read(m: &Members<'_>) -> std::result::Result<RouterDto, String> {
        Ok(RouterDto {
            name: m.str("name")?,
            display_name: m.optional_str("display_name")?,
            model: m.optional_str("model")?,
            strategy: m.str("strategy")?,
            public: m.bool("public")?,
            deployments: m.strings("deployments")?,
        })
    }
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
        self.to_value().to_pretty()
    }

    /// The snapshot as a JSON value tree (see [`Registry::to_json`]).
    pub(crate) fn to_value(&self) -> Value {
        let deployments = self.accounts.values().flat_map(|a| a.deployments.values());
        let routers = self.accounts.values().flat_map(|a| a.routers.values());
        Value::object(vec![
            ("format_version", Value::uint(FORMAT_VERSION)),
            ("account", Value::text(&self.account)),
            ("seed", Value::String(hex(self.seed.as_bytes()))),
            ("id_rng_word_pos", Value::text(self.id_rng.get_word_pos())),
            (
                "route_rng_word_pos",
                Value::text(self.route_rng.get_word_pos()),
            ),
            ("catalog", Value::array(self.catalog.regions(), Value::text)),
            (
                "deployments",
                Value::array(deployments, |d| {
                    Value::object(vec![
                        ("name", Value::text(&d.name)),
                        ("model", Value::text(&d.model)),
                        ("region", Value::option(d.placement.region(), Value::text)),
                        ("min_replicas", Value::uint(d.min_replicas)),
                        ("max_replicas", Value::uint(d.max_replicas)),
                        ("replicas", Value::uint(d.replicas)),
                        (
                            "direct_route",
                            Value::option(d.direct_route.as_ref(), |r| {
                                Value::object(vec![
                                    (
                                        "api_key_sha256",
                                        Value::array(r.key_digests(), |k| Value::String(hex(k))),
                                    ),
                                    ("domain", Value::text(r.domain())),
                                ])
                            }),
                        ),
                    ])
                }),
            ),
            (
                "routers",
                Value::array(routers, |e| {
                    let r = &e.router;
                    Value::object(vec![
                        ("name", Value::text(&r.name)),
                        (
                            "display_name",
                            Value::option(r.display_name.as_ref(), Value::text),
                        ),
                        ("model", Value::option(r.model.as_ref(), Value::text)),
                        ("strategy", Value::text(r.strategy)),
                        ("public", Value::Bool(r.public)),
                        ("deployments", Value::array(&r.deployments, Value::text)),
                    ])
                }),
            ),
        ])
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
        let value = crate::json::parse(json).map_err(|message| Error::InvalidJson { message })?;
        Registry::from_value(&value)
    }

    /// Loads a snapshot from a JSON value tree (see [`Registry::from_json`]).
    pub(crate) fn from_value(value: &Value) -> Result<Registry> {
        let invalid = |message| Error::InvalidJson { message };
        let root = Field::root(value);
        // The version first, so that a future format is reported as such
        // rather than as unknown or missing fields.
        match root.format_version().map_err(invalid)? {
            Some(FORMAT_VERSION) => {}
            Some(found) => {
                return Err(Error::UnsupportedFormatVersion {
                    found,
                    supported: FORMAT_VERSION,
                });
            }
            None => return Err(invalid("missing field `format_version`".into())),
        }
        let dto = root.object(SnapshotDto::read).map_err(invalid)?;
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
