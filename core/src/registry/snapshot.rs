//! JSON snapshots of a whole registry (SPEC T1).
//!
//! Format version 2:
//!
//! ```json
//! {
//!   "format_version": 2,
//!   "account": "my-account",
//!   "seed": "<64 hex digits>",
//!   "id_rng_word_pos": "0",
//!   "route_rng_word_pos": "0",
//!   "catalog": ["AP_TOKYO_1", "..."],
//!   "deployments": [{"name": "accounts/a/deployments/d", "model": "accounts/a/models/m",
//!                    "region": null, "min_replicas": 1, "max_replicas": 1, "replicas": 1,
//!                    "direct_route": null}],
//!   "routers": [{"name": "accounts/a/routers/r", "display_name": null, "model": null,
//!                "strategy": "weighted-random", "session_affinity": false, "public": false,
//!                "deployments": ["accounts/a/deployments/d"]}]
//! }
//! ```
//!
//! Direct routes store `{"api_key_sha256": ["<64 hex>", ...], "domain": "..."}`:
//! digests, never keys. Generator positions are decimal strings (they are
//! 68-bit numbers, beyond a JSON double's exact range). Loading validates
//! everything with the same rules as the live operations and builds a new
//! registry, so bad input is an error, never a partial state.
//!
//! Earlier versions still load, into the meaning they had (SPEC T3):
//!
//! | version | differs from the current one |
//! | --- | --- |
//! | 1 | routers have no `session_affinity`; strategy `session-affinity` is `weighted-random` with the flag set (SPEC R9) |
//!
//! [`Registry::from_value`] is the one place that reads the version; each
//! reader below takes it.

use super::{Account, ID_STREAM, ROUTE_STREAM, Registry, check_router_deployments};
use crate::deployment::{Deployment, Placement, check_bounds};
use crate::direct_route::{DirectRoute, KeyDigest, handle_label};
use crate::error::{Error, IdKind, Result};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::names::{Id, ResourceKind, ResourceName, parse_full};
use crate::region::{Region, RegionCatalog};
use crate::router::{Router, Strategy, check_display_name};
use crate::selection::Seed;
use crate::support::json::{Field, Members, Read, ReadError, Value, Writer, canonical_decimal};
use crate::support::ordered_map::{Keyed, OrderedMap, sort_find_repeat};

/// The snapshot format version this build writes.
pub(crate) const FORMAT_VERSION: u64 = 2;

/// The oldest format version this build reads (SPEC T3).
const OLDEST_FORMAT_VERSION: u64 = 1;

/// Version 1's strategy name for what is now `weighted-random` with the
/// session-affinity flag (SPEC T3, R9).
const V1_SESSION_AFFINITY: &str = "session-affinity";

/// A snapshot's fields, read from JSON but not yet validated; strings are
/// borrowed from the parsed document.
struct SnapshotDto<'a> {
    account: &'a str,
    seed: &'a str,
    id_rng_word_pos: &'a str,
    route_rng_word_pos: &'a str,
    catalog: Vec<&'a str>,
    deployments: Vec<DeploymentDto<'a>>,
    routers: Vec<RouterDto<'a>>,
}

struct DeploymentDto<'a> {
    name: &'a str,
    model: &'a str,
    region: Option<&'a str>,
    min_replicas: u32,
    max_replicas: u32,
    replicas: u32,
    direct_route: Option<DirectRouteDto<'a>>,
}

struct DirectRouteDto<'a> {
    api_key_sha256: Vec<&'a str>,
    domain: &'a str,
}

struct RouterDto<'a> {
    name: &'a str,
    display_name: Option<&'a str>,
    model: Option<&'a str>,
    strategy: &'a str,
    session_affinity: bool,
    public: bool,
    deployments: Vec<&'a str>,
    auto_generated: bool,
}

impl<'a> SnapshotDto<'a> {
    /// Reads the fields of a snapshot of format `version` (every field
    /// required, unknown ones rejected; `null` where a field is optional).
    fn read(m: &Members<'a, '_>, version: u64) -> Read<SnapshotDto<'a>> {
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
            routers: m
                .get("routers")?
                .array(|r| r.object(|m| RouterDto::read(m, version)))?,
        })
    }
}

impl<'a> DeploymentDto<'a> {
    fn read(m: &Members<'a, '_>) -> Read<DeploymentDto<'a>> {
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

impl<'a> RouterDto<'a> {
    /// Reads a router; a version-1 `session-affinity` router becomes
    /// `weighted-random` with the session-affinity flag (SPEC T3).
    fn read(m: &Members<'a, '_>, version: u64) -> Read<RouterDto<'a>> {
        let name = m.str("name")?;
        let display_name = m.optional_str("display_name")?;
        let model = m.optional_str("model")?;
        let (strategy, session_affinity) = if version == 1 {
            match m.str("strategy")? {
                V1_SESSION_AFFINITY => (Strategy::WeightedRandom.as_str(), true),
                other => (other, false),
            }
        } else {
            (m.str("strategy")?, m.bool("session_affinity")?)
        };
        Ok(RouterDto {
            name,
            display_name,
            model,
            strategy,
            session_affinity,
            public: m.bool("public")?,
            deployments: m.strings("deployments")?,
            // Written only when true, so snapshots without platform-generated
            // routers are unchanged (SPEC P1).
            auto_generated: m
                .optional("auto_generated")
                .map(|f| f.bool())
                .transpose()?
                .unwrap_or(false),
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
        let mut w = Writer::default();
        w.object(|w| {
            w.key("format_version").uint(FORMAT_VERSION);
            w.key("account").text(&self.account);
            w.key("seed").text(hex(self.seed.as_bytes()));
            w.key("id_rng_word_pos").text(self.id_rng.get_word_pos());
            w.key("route_rng_word_pos")
                .text(self.route_rng.get_word_pos());
            w.key("catalog").array(self.catalog.regions(), Writer::text);
            w.key("deployments").elements(|w| {
                for account in self.accounts.values() {
                    for d in account.deployments.values() {
                        write_deployment(w.element(), d);
                    }
                }
            });
            w.key("routers").elements(|w| {
                for account in self.accounts.values() {
                    for entry in account.routers.values() {
                        write_router(w.element(), &entry.router);
                    }
                }
            });
        });
        w.finish()
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
        let value =
            crate::support::json::parse(json).map_err(|message| Error::InvalidJson { message })?;
        Registry::from_value(&value)
    }

    /// Loads a snapshot from a JSON value tree (see [`Registry::from_json`]).
    pub(crate) fn from_value(value: &Value) -> Result<Registry> {
        let invalid = |message| Error::InvalidJson { message };
        let root = Field::root(value);
        // The version first, so that a future format is reported as such
        // rather than as unknown or missing fields.
        let unreadable = |e: ReadError| invalid(e.into_message());
        let version = match root.format_version().map_err(unreadable)? {
            Some(v @ OLDEST_FORMAT_VERSION..=FORMAT_VERSION) => v,
            Some(found) => {
                return Err(Error::UnsupportedFormatVersion {
                    found,
                    supported: FORMAT_VERSION,
                });
            }
            None => return Err(invalid("missing field `format_version`".into())),
        };
        let dto = root
            .object(|m| SnapshotDto::read(m, version))
            .map_err(unreadable)?;
        load(dto)
    }
}

fn word_pos(s: &str, location: &str) -> Result<u128> {
    canonical_decimal::<u128>(s)
        .filter(|&p| p < 1u128 << 68)
        .ok_or_else(|| Error::InvalidJson {
            message: format!(
                "{location}: expected a decimal word position below 2^68 (digits only, no leading zero)"
            ),
        })
}

fn load(dto: SnapshotDto<'_>) -> Result<Registry> {
    let catalog = RegionCatalog::new(&dto.catalog).map_err(|e| e.in_snapshot("catalog"))?;
    let seed = Seed::from_bytes(unhex32(dto.seed, "seed")?);
    let mut registry =
        Registry::with_catalog(dto.account, seed, catalog).map_err(|e| e.in_snapshot("account"))?;
    registry
        .id_rng
        .set_word_pos(word_pos(dto.id_rng_word_pos, "id_rng_word_pos")?);
    registry
        .route_rng
        .set_word_pos(word_pos(dto.route_rng_word_pos, "route_rng_word_pos")?);
    debug_assert_eq!(registry.id_rng.get_stream(), ID_STREAM);
    debug_assert_eq!(registry.route_rng.get_stream(), ROUTE_STREAM);

    // Each list is validated in order up to its first invalid entry; a
    // duplicate name before that entry is reported instead, as a running
    // set would. Entries are then added in name order: pushes, O(n log n)
    // in all for any input order.
    let mut deployments = Vec::with_capacity(dto.deployments.len());
    let mut failed = None;
    for (i, d) in dto.deployments.into_iter().enumerate() {
        match load_deployment(d, &registry.catalog) {
            Ok(d) => deployments.push(d),
            Err(e) => {
                failed = Some(e.in_snapshot(format!("deployments[{i}]")));
                break;
            }
        }
    }
    let order = match by_name(deployments.iter().map(|d| &d.name)) {
        Ok(order) => order,
        Err(i) => {
            let at = format!("deployments[{i}]");
            return Err(already_exists(&deployments[i].name, at));
        }
    };
    if let Some(e) = failed {
        return Err(e);
    }
    let mut accounts: OrderedMap<Id, Account> = OrderedMap::new();
    let mut deployments: Vec<Option<Deployment>> = deployments.into_iter().map(Some).collect();
    for i in order {
        if let Some(d) = deployments.get_mut(i).and_then(Option::take) {
            accounts
                .get_or_insert_default(d.name.account())
                .deployments
                .insert(d.name.id().clone(), d);
        }
    }

    let mut routers = Vec::with_capacity(dto.routers.len());
    for (i, r) in dto.routers.into_iter().enumerate() {
        match load_router(r, &accounts) {
            Ok(r) => routers.push(r),
            Err(e) => {
                failed = Some(e.in_snapshot(format!("routers[{i}]")));
                break;
            }
        }
    }
    let order = match by_name(routers.iter().map(|r| &r.name)) {
        Ok(order) => order,
        Err(i) => return Err(already_exists(&routers[i].name, format!("routers[{i}]"))),
    };
    if let Some(e) = failed {
        return Err(e);
    }
    registry.accounts = accounts;
    let mut routers: Vec<Option<Router>> = routers.into_iter().map(Some).collect();
    for i in order {
        if let Some(router) = routers.get_mut(i).and_then(Option::take) {
            registry.insert_router(router);
        }
    }
    registry.table_builds = 0;
    Ok(registry)
}

/// One entry of a snapshot's `deployments`.
fn write_deployment(w: &mut Writer, d: &Deployment) {
    w.object(|w| {
        w.key("name").text(&d.name);
        w.key("model").text(&d.model);
        w.key("region").option(d.placement.region(), Writer::text);
        w.key("min_replicas").uint(d.min_replicas);
        w.key("max_replicas").uint(d.max_replicas);
        w.key("replicas").uint(d.replicas);
        w.key("direct_route")
            .option(d.direct_route.as_ref(), |w, r| {
                w.object(|w| {
                    w.key("api_key_sha256")
                        .array(r.key_digests(), |w, k| w.text(hex(k)));
                    w.key("domain").text(r.domain());
                });
            });
    });
}

/// One entry of a snapshot's `routers`.
fn write_router(w: &mut Writer, r: &Router) {
    w.object(|w| {
        w.key("name").text(&r.name);
        w.key("display_name")
            .option(r.display_name.as_ref(), Writer::text);
        w.key("model").option(r.model.as_ref(), Writer::text);
        w.key("strategy").text(r.strategy);
        w.key("session_affinity").bool(r.session_affinity);
        w.key("public").bool(r.public);
        w.key("deployments").array(&r.deployments, Writer::text);
        if r.auto_generated {
            w.key("auto_generated").bool(true);
        }
    });
}

/// The positions of `names` sorted by name, or the position of the first
/// name that repeats an earlier one.
fn by_name<'a>(
    names: impl Iterator<Item = &'a ResourceName>,
) -> std::result::Result<Vec<usize>, usize> {
    let mut keys: Vec<Keyed<'_>> = names
        .enumerate()
        .map(|(i, n)| (n.account().as_str(), n.id().as_str(), i))
        .collect();
    match sort_find_repeat(&mut keys) {
        Some(i) => Err(i),
        None => Ok(keys.into_iter().map(|(_, _, i)| i).collect()),
    }
}

/// [`Error::AlreadyExists`] for `name`, at `at` in the snapshot.
fn already_exists(name: &ResourceName, at: String) -> Error {
    Error::AlreadyExists {
        name: name.to_string(),
    }
    .in_snapshot(at)
}

fn load_deployment(d: DeploymentDto<'_>, catalog: &RegionCatalog) -> Result<Deployment> {
    let name = full_name(d.name, ResourceKind::Deployment)?;
    let model = full_name(d.model, ResourceKind::Model)?;
    let placement = match d.region {
        None => Placement::MultiRegion,
        Some(r) => Placement::Region(Region::new(r)?),
    };
    check_bounds(d.min_replicas, d.max_replicas)?;
    if d.replicas < d.min_replicas || d.replicas > d.max_replicas {
        return Err(Error::InvalidReplicaBounds {
            min: d.min_replicas,
            max: d.max_replicas,
            replicas: Some(d.replicas),
        });
    }
    let direct_route = match (d.direct_route, &placement) {
        (None, _) => None,
        (Some(_), Placement::MultiRegion) => return Err(Error::RegionRequired),
        (Some(dr), Placement::Region(region)) => {
            let mut digests: Vec<KeyDigest> = Vec::with_capacity(dr.api_key_sha256.len());
            for (i, h) in dr.api_key_sha256.iter().enumerate() {
                digests.push(unhex32(h, &format!("direct_route.api_key_sha256[{i}]"))?);
            }
            let route = DirectRoute::from_digests(region.clone(), digests, dr.domain, catalog)?;
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

fn load_router(r: RouterDto<'_>, accounts: &OrderedMap<Id, Account>) -> Result<Router> {
    let name = full_name(r.name, ResourceKind::Router)?;
    if let Some(d) = r.display_name {
        check_display_name(d)?;
    }
    let model = r
        .model
        .map(|m| full_name(m, ResourceKind::Model))
        .transpose()?;
    let strategy = r.strategy.parse()?;
    let mut deployments = Vec::with_capacity(r.deployments.len());
    for d in &r.deployments {
        deployments.push(full_name(d, ResourceKind::Deployment)?);
    }
    check_router_deployments(&deployments, name.account(), accounts)?;
    Ok(Router {
        name,
        display_name: r.display_name.map(str::to_owned),
        model,
        strategy,
        session_affinity: r.session_affinity,
        public: r.public,
        deployments,
        auto_generated: r.auto_generated,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::{DeploymentSpec, RouterSpec, Strategy};
    use serde_json::Value as Json;

    /// Two accounts with deployments and routers created out of name order.
    fn sample() -> Registry {
        let mut reg = Registry::new("zeta", 7).unwrap();
        for id in ["d3", "d1", "d2"] {
            reg.create_deployment(DeploymentSpec::new("m").id(id).replicas(2, 2))
                .unwrap();
        }
        reg.create_router(RouterSpec::new(["d2", "d1"]).id("r2").public(true))
            .unwrap();
        reg.create_router(
            RouterSpec::new(["d3"])
                .id("r1")
                .strategy(Strategy::WeightedRoundRobin),
        )
        .unwrap();
        reg.set_account("alpha").unwrap();
        reg.create_deployment(DeploymentSpec::new("m").id("d9"))
            .unwrap();
        reg.create_router(RouterSpec::new(["d9"])).unwrap();
        reg
    }

    fn edit(reg: &Registry, f: impl FnOnce(&mut Json)) -> String {
        let mut v: Json = serde_json::from_str(&reg.to_json()).unwrap();
        f(&mut v);
        v.to_string()
    }

    fn list<'a>(v: &'a mut Json, key: &str) -> &'a mut Vec<Json> {
        v[key].as_array_mut().unwrap()
    }

    fn location(err: Error) -> (String, &'static str) {
        match err {
            Error::InvalidSnapshot { location, source } => (location, source.code()),
            other => (String::new(), other.code()),
        }
    }

    /// SPEC T1: entries in any order load to the same registry.
    #[test]
    fn t1_entry_order_does_not_matter() {
        let reg = sample();
        let json = reg.to_json();
        let shuffled = edit(&reg, |v| {
            list(v, "deployments").reverse();
            list(v, "deployments").swap(0, 2);
            list(v, "routers").reverse();
        });
        assert_ne!(shuffled, edit(&reg, |_| {}));
        let loaded = Registry::from_json(&shuffled).unwrap();
        assert_eq!(loaded.to_json(), json);
        assert_eq!(loaded.table_builds(), 0);
        let mut loaded = loaded;
        loaded.set_account("zeta").unwrap();
        let ids: Vec<&str> = loaded
            .list_routers()
            .map(|r| r.name.id().as_str())
            .collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(
            loaded.traffic_split("r2").unwrap(),
            reg.traffic_split("accounts/zeta/routers/r2").unwrap()
        );
    }

    /// SPEC T1: a large snapshot in reverse name order loads (in O(n log n),
    /// not by inserting each entry at the front).
    #[test]
    fn t1_reversed_large_snapshot_loads_sorted() {
        let mut reg = Registry::new("acct", 1).unwrap();
        for i in 0..2000 {
            reg.create_deployment(DeploymentSpec::new("m").id(format!("d{i:04}")))
                .unwrap();
        }
        let reversed = edit(&reg, |v| list(v, "deployments").reverse());
        let loaded = Registry::from_json(&reversed).unwrap();
        assert_eq!(loaded.to_json(), reg.to_json());
        let first = loaded.list_deployments().next().unwrap();
        assert_eq!(first.name.id().as_str(), "d0000");
    }

    /// SPEC T1: errors name the first bad entry in list order; a repeated
    /// name is bad where it repeats.
    #[test]
    fn t1_errors_name_the_first_bad_entry() {
        let reg = sample();
        let bad_bounds = |e: &mut Json| e["min_replicas"] = Json::from(9);
        // Deployments: d1 repeated at 3, then a bad entry at 4.
        let json = edit(&reg, |v| {
            let d = list(v, "deployments");
            let (mut dup, mut bad) = (d[1].clone(), d[2].clone());
            dup["model"] = Json::from("accounts/zeta/models/other");
            bad_bounds(&mut bad);
            d.insert(3, dup);
            d.insert(4, bad);
        });
        let err = Registry::from_json(&json).unwrap_err();
        assert_eq!(location(err), ("deployments[3]".into(), "ALREADY_EXISTS"));
        // The bad entry first, the repeat after it.
        let json = edit(&reg, |v| {
            let d = list(v, "deployments");
            let (dup, mut bad) = (d[1].clone(), d[2].clone());
            bad_bounds(&mut bad);
            d.insert(1, bad);
            d.push(dup);
        });
        let err = Registry::from_json(&json).unwrap_err();
        assert_eq!(
            location(err),
            ("deployments[1]".into(), "INVALID_REPLICA_BOUNDS")
        );
        // Routers: the same, with an unknown deployment as the bad entry.
        let json = edit(&reg, |v| {
            let r = list(v, "routers");
            let (dup, mut bad) = (r[2].clone(), r[0].clone());
            bad["deployments"] = serde_json::json!(["accounts/zeta/deployments/nope"]);
            bad["name"] = Json::from("accounts/zeta/routers/fresh");
            r.push(dup);
            r.push(bad);
        });
        let err = Registry::from_json(&json).unwrap_err();
        assert_eq!(location(err), ("routers[3]".into(), "ALREADY_EXISTS"));
        let json = edit(&reg, |v| {
            let r = list(v, "routers");
            let (dup, mut bad) = (r[2].clone(), r[0].clone());
            bad["deployments"] = serde_json::json!(["accounts/zeta/deployments/nope"]);
            bad["name"] = Json::from("accounts/zeta/routers/fresh");
            r.insert(1, bad);
            r.push(dup);
        });
        let err = Registry::from_json(&json).unwrap_err();
        assert_eq!(location(err), ("routers[1]".into(), "NOT_FOUND"));
        // The same ID in two accounts is two names.
        let json = edit(&reg, |v| {
            let d = list(v, "deployments");
            let mut twin = d[0].clone();
            twin["name"] = Json::from("accounts/zeta/deployments/d9");
            d.push(twin);
        });
        Registry::from_json(&json).unwrap();
    }
}
