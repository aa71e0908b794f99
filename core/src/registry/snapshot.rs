//! JSON snapshots of a whole registry (SPEC T1).
//!
//! Format version 3:
//!
//! ```json
//! {
//!   "format_version": 3,
//!   "account": "my-account",
//!   "seed": "<64 hex digits>",
//!   "id_rng_word_pos": "0",
//!   "route_rng_word_pos": "0",
//!   "salt_rng_word_pos": "0",
//!   "key_secret_check": null,
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
//! Direct routes store `{"api_keys": [<stored key>, ...], "domain": "..."}`:
//! digests, never keys (SPEC G6). A stored key is
//!
//! - `{"scheme": "hmac-sha256", "salt": "<32 hex>", "digest": "<64 hex>"}`:
//!   `HMAC-SHA-256(secret, salt ‖ key)`, keyed by the registry's
//!   [`KeySecret`](crate::KeySecret);
//! - `{"scheme": "salted-sha256", "salt": "<32 hex>", "digest": "<64 hex>"}`:
//!   `SHA-256(salt ‖ key)`, without a secret;
//! - `{"scheme": "sha256", "salt": null, "digest": "<64 hex>"}`: the unsalted
//!   `SHA-256(key)` of a format-2 snapshot, or a sealed key of an import.
//!
//! `key_secret_check` is `null` without a key secret, else 16 hex digits: the
//! first 8 bytes of `HMAC-SHA-256(secret, "replica-router key secret
//! check")`, never the secret. Loading it without the same secret is
//! [`Error::KeySecretMismatch`]; loading a snapshot without a check value with
//! a secret adopts the secret for the keys set from then on.
//! `salt_rng_word_pos` is the position of the salt generator (stream 2 of
//! the seed). Generator positions are decimal strings (they are
//! 68-bit numbers, beyond a JSON double's exact range). Loading validates
//! everything with the same rules as the live operations and builds a new
//! registry, so bad input is an error, never a partial state.
//!
//! Earlier versions still load, into the meaning they had (SPEC T3):
//!
//! | version | differs from the current one |
//! | --- | --- |
//! | 1 | as 2, and routers have no `session_affinity`; strategy `session-affinity` is `weighted-random` with the flag set (SPEC R9) |
//! | 2 | no `salt_rng_word_pos` (it starts at 0) and no `key_secret_check` (none); direct routes hold `"api_key_sha256": ["<64 hex>", ...]`, unsalted digests that load as scheme `sha256` and still verify |
//!
//! [`Registry::from_value`] is the one place that reads the version; each
//! reader below takes it.

use super::{Account, ID_STREAM, ROUTE_STREAM, Registry, check_router_deployments};
use crate::deployment::{Deployment, Placement, check_bounds};
use crate::direct_route::{DirectRoute, handle_label};
use crate::direct_route::{KeySecret, SALT_STREAM, StoredKey};
use crate::error::{Error, IdKind, Result};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::names::{Id, ResourceKind, ResourceName, parse_full};
use crate::region::{Region, RegionCatalog};
use crate::router::{Router, Strategy, check_display_name};
use crate::selection::Seed;
use crate::support::json::{Field, Members, Read, ReadError, Value, Writer, canonical_decimal};
use crate::support::ordered_map::{Keyed, OrderedMap, sort_find_repeat};

/// The snapshot format version this build writes.
pub(crate) const FORMAT_VERSION: u64 = 3;

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
    /// `None` before version 3 (the generator starts at 0).
    salt_rng_word_pos: Option<&'a str>,
    key_secret_check: Option<&'a str>,
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
    api_keys: Vec<StoredKeyDto<'a>>,
    domain: &'a str,
}

/// One stored key; before version 3 every key is scheme `sha256`.
struct StoredKeyDto<'a> {
    scheme: &'a str,
    salt: Option<&'a str>,
    digest: &'a str,
}

/// Stored-key schemes (SPEC G6).
const SCHEME_UNSALTED: &str = "sha256";
const SCHEME_SALTED: &str = "salted-sha256";
const SCHEME_KEYED: &str = "hmac-sha256";

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
        let v3 = version >= 3;
        Ok(SnapshotDto {
            account: m.str("account")?,
            seed: m.str("seed")?,
            id_rng_word_pos: m.str("id_rng_word_pos")?,
            route_rng_word_pos: m.str("route_rng_word_pos")?,
            salt_rng_word_pos: v3.then(|| m.str("salt_rng_word_pos")).transpose()?,
            key_secret_check: if v3 {
                // Required, `null` for none.
                m.get("key_secret_check")?;
                m.optional_str("key_secret_check")?
            } else {
                None
            },
            catalog: m.strings("catalog")?,
            deployments: m
                .get("deployments")?
                .array(|d| d.object(|m| DeploymentDto::read(m, version)))?,
            routers: m
                .get("routers")?
                .array(|r| r.object(|m| RouterDto::read(m, version)))?,
        })
    }
}

impl<'a> DeploymentDto<'a> {
    fn read(m: &Members<'a, '_>, version: u64) -> Read<DeploymentDto<'a>> {
        Ok(DeploymentDto {
            name: m.str("name")?,
            model: m.str("model")?,
            region: m.optional_str("region")?,
            min_replicas: m.uint("min_replicas")?,
            max_replicas: m.uint("max_replicas")?,
            replicas: m.uint("replicas")?,
            direct_route: m
                .optional("direct_route")
                .map(|f| f.object(|m| DirectRouteDto::read(m, version)))
                .transpose()?,
        })
    }
}

impl<'a> DirectRouteDto<'a> {
    /// Reads the members of a deployment's `direct_route` object in
    /// snapshot format `version` (before 3, unsalted `api_key_sha256`).
    fn read(m: &Members<'a, '_>, version: u64) -> Read<DirectRouteDto<'a>> {
        Ok(DirectRouteDto {
            api_keys: if version >= 3 {
                m.get("api_keys")?.array(|k| k.object(StoredKeyDto::read))?
            } else {
                m.strings("api_key_sha256")?
                    .into_iter()
                    .map(|digest| StoredKeyDto {
                        scheme: SCHEME_UNSALTED,
                        salt: None,
                        digest,
                    })
                    .collect()
            },
            domain: m.str("domain")?,
        })
    }
}

impl<'a> StoredKeyDto<'a> {
    fn read(m: &Members<'a, '_>) -> Read<StoredKeyDto<'a>> {
        m.get("salt")?;
        Ok(StoredKeyDto {
            scheme: m.str("scheme")?,
            salt: m.optional_str("salt")?,
            digest: m.str("digest")?,
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
    let mut out = [0u8; 32];
    unhex_into(s, location, &mut out)?;
    Ok(out)
}

/// Fills `out` from twice as many lower-case hex digits.
fn unhex_into(s: &str, location: &str, out: &mut [u8]) -> Result<()> {
    if hex_into(s, out) {
        return Ok(());
    }
    Err(Error::InvalidJson {
        message: format!(
            "{location}: expected {} lower-case hex digits",
            2 * out.len()
        ),
    })
}

/// Fills `out` from twice as many lower-case hex digits; whether `s` was
/// that (one copy of the code for every length).
fn hex_into(s: &str, out: &mut [u8]) -> bool {
    let b = s.as_bytes();
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    b.len() == 2 * out.len()
        && out.iter_mut().zip(b.chunks_exact(2)).all(|(o, pair)| {
            match (nibble(pair[0]), nibble(pair[1])) {
                (Some(hi), Some(lo)) => {
                    *o = hi << 4 | lo;
                    true
                }
                _ => false,
            }
        })
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
        self.write(&mut w);
        w.finish()
    }

    /// Writes the snapshot (the text of [`Registry::to_json`], or the value
    /// tree serde serializes).
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.key("format_version").uint(FORMAT_VERSION);
            w.key("account").text(&self.account);
            w.key("seed").text(hex(self.seed.as_bytes()));
            w.key("id_rng_word_pos").text(self.id_rng.get_word_pos());
            w.key("route_rng_word_pos")
                .text(self.route_rng.get_word_pos());
            w.key("salt_rng_word_pos")
                .text(self.salt_rng.get_word_pos());
            w.key("key_secret_check")
                .option(self.key_secret.as_ref(), |w, s| w.text(hex(&s.check())));
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
    }

    /// Loads a registry from [`Registry::to_json`] output (SPEC T1), without
    /// a key secret (see [`Registry::from_json_with_key_secret`]).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] above [`MAX_SNAPSHOT_BYTES`];
    /// [`Error::InvalidJson`] for malformed JSON, unknown or missing fields;
    /// [`Error::UnsupportedFormatVersion`]; [`Error::InvalidSnapshot`] saying
    /// where the content breaks a rule (duplicate names, bounds, unknown or
    /// foreign deployments in a router, ...);
    /// [`Error::KeySecretMismatch`] when the snapshot's key digests are
    /// keyed by a secret. Never a partial state.
    pub fn from_json(json: &str) -> Result<Registry> {
        Registry::load_json(json, None)
    }

    /// Loads a registry from [`Registry::to_json`] output (SPEC T1) with
    /// the key secret its API-key digests are keyed by (SPEC G6). A snapshot
    /// saved without a secret loads too, and adopts `secret` for the keys
    /// set from then on (its digests verify as before).
    ///
    /// # Errors
    /// As [`Registry::from_json`]; [`Error::KeySecretMismatch`] when the
    /// snapshot's digests are keyed by a different secret.
    pub fn from_json_with_key_secret(json: &str, secret: &KeySecret) -> Result<Registry> {
        Registry::load_json(json, Some(secret))
    }

    fn load_json(json: &str, secret: Option<&KeySecret>) -> Result<Registry> {
        if json.len() > MAX_SNAPSHOT_BYTES {
            return Err(Error::LimitExceeded {
                what: "snapshot bytes",
                limit: MAX_SNAPSHOT_BYTES,
                got: json.len(),
            });
        }
        let value =
            crate::support::json::parse(json).map_err(|message| Error::InvalidJson { message })?;
        Registry::from_value(&value, secret)
    }

    /// Loads a snapshot from a JSON value tree (see
    /// [`Registry::from_json_with_key_secret`]).
    pub(crate) fn from_value(value: &Value, secret: Option<&KeySecret>) -> Result<Registry> {
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
        load(dto, secret)
    }
}

/// A route's own JSON, for saving a [`DirectRoute`] outside a registry
/// (Python's pickle): its region, domain, key-secret check and stored keys,
/// in the shapes of a snapshot (SPEC G6):
///
/// ```json
/// {"region": "US_ARIZONA_1", "domain": "direct.fireworks.ai", "key_secret_check": null,
///  "api_keys": [{"scheme": "salted-sha256", "salt": "<32 hex>", "digest": "<64 hex>"}]}
/// ```
impl DirectRoute {
    /// The route as JSON: digests and salts, never keys or the key secret.
    ///
    /// ```
    /// use replica_router::{DirectRoute, Region};
    /// let route = DirectRoute::new(Region::new("US_ARIZONA_1")?, &["secret1"], 7)?;
    /// let json = route.to_json();
    /// assert!(!json.contains("secret1"));
    /// let loaded = DirectRoute::from_json(&json, None)?;
    /// assert_eq!(loaded, route);
    /// assert!(loaded.authorize(Some("Bearer secret1")).is_ok());
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = Writer::default();
        write_route(&mut w, self);
        w.finish()
    }

    /// Loads a route from [`DirectRoute::to_json`] output, with the key
    /// secret its digests are keyed by, if any. The region needs no catalog
    /// (it was checked when the route was made).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] above [`MAX_SNAPSHOT_BYTES`];
    /// [`Error::InvalidJson`] for malformed JSON; the errors of
    /// [`DirectRoute::with_catalog`] and [`DirectRoute::with_domain`] for bad
    /// content; [`Error::KeySecretMismatch`] when the digests are keyed by a
    /// secret and none or another was given.
    pub fn from_json(json: &str, secret: Option<&KeySecret>) -> Result<DirectRoute> {
        if json.len() > MAX_SNAPSHOT_BYTES {
            return Err(Error::LimitExceeded {
                what: "direct route JSON bytes",
                limit: MAX_SNAPSHOT_BYTES,
                got: json.len(),
            });
        }
        let value =
            crate::support::json::parse(json).map_err(|message| Error::InvalidJson { message })?;
        read_route(Field::root(&value), secret)
    }
}

/// A direct route alone ([`DirectRoute::to_json`], and serde): its region,
/// domain, secret check and salted digests; never keys or the secret.
fn write_route(w: &mut Writer, r: &DirectRoute) {
    w.object(|w| {
        w.key("region").text(r.region());
        w.key("domain").text(r.domain());
        w.key("key_secret_check")
            .option(r.key_secret(), |w, s| w.text(hex(&s.check())));
        w.key("api_keys").array(r.stored_keys(), write_stored_key);
    });
}

/// Reads what [`write_route`] writes. The region needs no catalog (it was
/// checked when the route was made).
fn read_route(f: Field<'_, '_>, secret: Option<&KeySecret>) -> Result<DirectRoute> {
    let (region, domain, check, keys) = f
        .object(|m| {
            m.get("key_secret_check")?;
            Ok((
                m.str("region")?,
                m.str("domain")?,
                m.optional_str("key_secret_check")?,
                m.get("api_keys")?.array(|k| k.object(StoredKeyDto::read))?,
            ))
        })
        .map_err(|e| Error::InvalidJson {
            message: e.into_message(),
        })?;
    check_key_secret(check, secret)?;
    let region = Region::new(region)?;
    let stored = load_stored_keys(&keys, "")?;
    let catalog = RegionCatalog::new([region.canonical()])?;
    DirectRoute::from_stored(region, stored, domain, &catalog, secret)
}

/// Checks a snapshot's `key_secret_check` against the given secret.
fn check_key_secret(check: Option<&str>, secret: Option<&KeySecret>) -> Result<()> {
    let Some(check) = check else { return Ok(()) };
    let mut bytes = [0u8; 8];
    unhex_into(check, "key_secret_check", &mut bytes)?;
    match secret {
        None => Err(Error::KeySecretMismatch { given: false }),
        Some(s) if !same_check(bytes, s.check()) => Err(Error::KeySecretMismatch { given: true }),
        Some(_) => Ok(()),
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

fn load(dto: SnapshotDto<'_>, secret: Option<&KeySecret>) -> Result<Registry> {
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
    if let Some(pos) = dto.salt_rng_word_pos {
        registry
            .salt_rng
            .set_word_pos(word_pos(pos, "salt_rng_word_pos")?);
    }
    debug_assert_eq!(registry.id_rng.get_stream(), ID_STREAM);
    debug_assert_eq!(registry.route_rng.get_stream(), ROUTE_STREAM);
    debug_assert_eq!(registry.salt_rng.get_stream(), SALT_STREAM);
    check_key_secret(dto.key_secret_check, secret)?;
    registry.key_secret = secret.cloned();

    // Each list is validated in order up to its first invalid entry; a
    // duplicate name before that entry is reported instead, as a running
    // set would. Entries are then added in name order: pushes, O(n log n)
    // in all for any input order.
    let mut deployments = Vec::with_capacity(dto.deployments.len());
    let mut failed = None;
    for (i, d) in dto.deployments.into_iter().enumerate() {
        match load_deployment(d, &registry.catalog, registry.key_secret.as_ref()) {
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
    let mut deployments: Vec<Option<Deployment>> = deployments.into_iter().map(Some).collect();
    for i in order {
        if let Some(d) = deployments.get_mut(i).and_then(Option::take) {
            registry.put_deployment(d);
        }
    }

    let mut routers = Vec::with_capacity(dto.routers.len());
    for (i, r) in dto.routers.into_iter().enumerate() {
        match load_router(r, Some(&registry.accounts)) {
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
    let mut routers: Vec<Option<Router>> = routers.into_iter().map(Some).collect();
    for i in order {
        if let Some(router) = routers.get_mut(i).and_then(Option::take) {
            registry.put_router(router);
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
                w.object(|w| write_direct_route(w, r));
            });
    });
}

/// The members of a deployment's `direct_route` object: salted digests,
/// never keys.
fn write_direct_route(w: &mut Writer, r: &DirectRoute) {
    w.key("api_keys").array(r.stored_keys(), write_stored_key);
    w.key("domain").text(r.domain());
}

/// One entry of a direct route's `api_keys`.
fn write_stored_key(w: &mut Writer, key: &StoredKey) {
    let (scheme, salt, digest) = match key {
        StoredKey::Unsalted(digest) => (SCHEME_UNSALTED, None, digest),
        StoredKey::Salted { salt, digest } => (SCHEME_SALTED, Some(salt), digest),
        StoredKey::Keyed { salt, digest } => (SCHEME_KEYED, Some(salt), digest),
    };
    w.object(|w| {
        w.key("scheme").text(scheme);
        w.key("salt").option(salt, |w, s| w.text(hex(s)));
        w.key("digest").text(hex(digest));
    });
}

/// Whether two check values are equal, in time independent of where they
/// differ.
fn same_check(a: [u8; 8], b: [u8; 8]) -> bool {
    a.iter().zip(&b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The `api_keys` list at `parent` (a path prefix), in order.
fn load_stored_keys(keys: &[StoredKeyDto<'_>], parent: &str) -> Result<Vec<StoredKey>> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| load_stored_key(k, parent, i))
        .collect()
}

/// Stored key `index` of the `api_keys` list at `parent` (a path prefix).
fn load_stored_key(k: &StoredKeyDto<'_>, parent: &str, index: usize) -> Result<StoredKey> {
    let mut digest = [0u8; 32];
    let mut salt = [0u8; 16];
    let valid = hex_into(k.digest, &mut digest)
        && match (k.scheme, k.salt) {
            (SCHEME_UNSALTED, None) => true,
            (SCHEME_SALTED | SCHEME_KEYED, Some(s)) => hex_into(s, &mut salt),
            _ => false,
        };
    if !valid {
        return Err(Error::InvalidJson {
            message: format!(
                "{parent}api_keys[{index}]: expected scheme {SCHEME_KEYED} or {SCHEME_SALTED} \
                 with a salt of 32 lower-case hex digits, or {SCHEME_UNSALTED} with salt null; \
                 and a digest of 64 lower-case hex digits"
            ),
        });
    }
    Ok(match k.scheme {
        SCHEME_UNSALTED => StoredKey::Unsalted(digest),
        SCHEME_SALTED => StoredKey::Salted { salt, digest },
        _ => StoredKey::Keyed { salt, digest },
    })
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
        w.key("deployments")
            .array(r.deployments.iter(), Writer::text);
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

fn load_deployment(
    d: DeploymentDto<'_>,
    catalog: &RegionCatalog,
    secret: Option<&KeySecret>,
) -> Result<Deployment> {
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
            let route = load_direct_route(dr, region, catalog, secret)?;
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

/// A deployment's direct route in `region`, checked against `catalog`;
/// keyed digests need `secret`.
fn load_direct_route(
    dr: DirectRouteDto<'_>,
    region: &Region,
    catalog: &RegionCatalog,
    secret: Option<&KeySecret>,
) -> Result<DirectRoute> {
    let keys = load_stored_keys(&dr.api_keys, "direct_route.")?;
    DirectRoute::from_stored(region.clone(), keys, dr.domain, catalog, secret)
}

/// A router; its deployments are checked against `accounts` when given
/// (a snapshot), else only as a list (a router deserialized alone).
fn load_router(r: RouterDto<'_>, accounts: Option<&OrderedMap<Id, Account>>) -> Result<Router> {
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
        deployments: deployments.into(),
        auto_generated: r.auto_generated,
    })
}

#[cfg(feature = "serde")]
mod serde_impls;

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
