//! Platform resource JSON in (SPEC P1).

use std::fmt::Write as _;

use rand_chacha::ChaCha8Rng;

use super::{SESSION_AFFINITY, STRATEGY_EXTENSION, parse_key_placeholder};
use crate::deployment::{Deployment, Placement, check_bounds};
use crate::direct_route::{DirectRoute, KeyDigest, StoredKey, handle_label};
use crate::error::{Error, IdKind, Result};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::names::{Id, ResourceKind, ResourceName, parse_full};
use crate::region::Region;
use crate::registry::Registry;
use crate::router::{Router, Strategy, check_display_name};
use crate::support::json::{Field, Members, Read, Writer};

/// What [`Registry::import_resources`] did besides adding resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// The deployments added, in input order.
    pub deployments: Vec<ResourceName>,
    /// The routers added, in input order.
    pub routers: Vec<ResourceName>,
    /// Paths of the fields read but not kept, because the model does not
    /// represent them (`[0].deployments[1].acceleratorType`), in input order.
    pub ignored_fields: Vec<String>,
    /// Resources left out, and why.
    pub skipped: Vec<SkippedResource>,
    /// Other things worth knowing (`path: message`), for example a direct
    /// route imported without its keys.
    pub notes: Vec<String>,
}

/// A resource [`Registry::import_resources`] left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedResource {
    /// Where it is in the input (`[1].routers[0]`).
    pub path: String,
    /// Its full name.
    pub name: String,
    /// Why it was left out.
    pub reason: String,
}

impl ImportReport {
    /// The report as JSON: `{"deployments": [...], "routers": [...],
    /// "ignored_fields": [...], "skipped": [{"path", "name", "reason"}],
    /// "notes": [...]}`.
    pub fn to_json(&self) -> String {
        let mut w = Writer::default();
        w.object(|w| {
            w.key("deployments").array(&self.deployments, Writer::text);
            w.key("routers").array(&self.routers, Writer::text);
            w.key("ignored_fields")
                .array(&self.ignored_fields, Writer::text);
            w.key("skipped").array(&self.skipped, |w, s| {
                w.object(|w| {
                    w.key("path").text(&s.path);
                    w.key("name").text(&s.name);
                    w.key("reason").text(&s.reason);
                });
            });
            w.key("notes").array(&self.notes, Writer::text);
        });
        w.finish()
    }
}

/// A router as read, before validation.
struct RouterDoc<'a> {
    path: String,
    name: &'a str,
    display_name: Option<&'a str>,
    deployments: Vec<&'a str>,
    model: Option<&'a str>,
    strategy: StrategyDoc<'a>,
    session_affinity: bool,
    public: bool,
    auto_generated: bool,
    state: Option<&'a str>,
}

enum StrategyDoc<'a> {
    Default,
    WeightedRandom,
    EvenLoad,
    Extension(&'a str),
}

/// A deployment as read, before validation.
struct DeploymentDoc<'a> {
    path: String,
    name: &'a str,
    base_model: &'a str,
    min: u32,
    max: u32,
    replicas: u32,
    /// The pinned region and the path it came from.
    region: Option<(&'a str, String)>,
    direct_route_type: Option<&'a str>,
    api_keys: Option<Vec<&'a str>>,
    handle: Option<&'a str>,
    state: Option<&'a str>,
}

#[derive(Default)]
struct Docs<'a> {
    routers: Vec<RouterDoc<'a>>,
    deployments: Vec<DeploymentDoc<'a>>,
    ignored: Vec<String>,
}

/// A non-empty string other than the proto3 "unset" values.
fn set<'a>(m: &Members<'a, '_>, key: &str, unset: &str) -> Read<Option<&'a str>> {
    Ok(m.optional_str(key)?
        .filter(|s| !s.is_empty() && *s != unset))
}

fn count(m: &Members<'_, '_>, key: &str) -> Read<u32> {
    m.optional(key).map_or(Ok(0), |f| f.uint())
}

fn flag(m: &Members<'_, '_>, key: &str) -> Read<bool> {
    m.optional(key).map_or(Ok(false), |f| f.bool())
}

/// An object member that must be an object (`weightedRandom: {}`); its own
/// members are not modelled and are listed as ignored.
fn marker(m: &Members<'_, '_>, key: &str, ignored: &mut Vec<String>) -> Read<bool> {
    match m.optional(key) {
        None => Ok(false),
        Some(f) => {
            ignored.extend(f.object(|inner| Ok(inner.take_rest()))?);
            Ok(true)
        }
    }
}

impl<'a> Docs<'a> {
    /// One document: a router or deployment (it has a `name`; a router's
    /// `deployments` are names, not a page), or a list response.
    fn document(&mut self, f: Field<'a, '_>) -> Read<()> {
        let (name, list) = f.object(|m| {
            let name = m.optional_str("name")?;
            let list = m.optional("routers").is_some() || m.optional("deployments").is_some();
            m.take_rest();
            Ok((name, list))
        })?;
        match (name, list) {
            (Some(name), _) => match parse_full(name) {
                Some((_, ResourceKind::Router, _)) => f.object(|m| self.router(m)),
                Some((_, ResourceKind::Deployment, _)) => f.object(|m| self.deployment(m)),
                _ => Err(f.error(format_args!(
                    "`name` {} is not a full router or deployment name \
                     (accounts/{{account}}/routers/{{id}} or .../deployments/{{id}})",
                    crate::support::text::Quoted(name)
                ))),
            },
            (None, true) => f.object(|m| {
                if let Some(routers) = m.optional("routers") {
                    routers.array(|r| r.object(|m| self.router(m)))?;
                }
                if let Some(deployments) = m.optional("deployments") {
                    deployments.array(|d| d.object(|m| self.deployment(m)))?;
                }
                m.optional_str("nextPageToken")?;
                m.optional("totalSize")
                    .map(|t| t.uint::<u64>())
                    .transpose()?;
                self.ignored.extend(m.take_rest());
                Ok(())
            }),
            (None, false) => Err(f.error(
                "expected a router, a deployment, or a list response with `routers` or \
                 `deployments`",
            )),
        }
    }

    fn router(&mut self, m: &Members<'a, '_>) -> Read<()> {
        let mut ignored = Vec::new();
        let weighted = marker(m, "weightedRandom", &mut ignored)?;
        let even = marker(m, "evenLoad", &mut ignored)?;
        let extension = m.optional_str(STRATEGY_EXTENSION)?;
        let strategy =
            match (weighted, even, extension) {
                (false, false, None) => StrategyDoc::Default,
                (true, false, None) => StrategyDoc::WeightedRandom,
                (false, true, None) => StrategyDoc::EvenLoad,
                (false, false, Some(s)) => StrategyDoc::Extension(s),
                _ => {
                    return Err(m.get("weightedRandom").or_else(|_| m.get("evenLoad"))?.error(
                    "a router has one strategy: give one of `weightedRandom`, `evenLoad` and \
                     `replicaRouterStrategy`",
                ));
                }
            };
        let doc = RouterDoc {
            path: m.path(),
            name: m.str("name")?,
            display_name: set(m, "displayName", "")?,
            deployments: match m.optional("deployments") {
                Some(f) => f.array(|d| d.str())?,
                None => Vec::new(),
            },
            model: set(m, "model", "")?,
            strategy,
            session_affinity: flag(m, SESSION_AFFINITY)?,
            public: flag(m, "public")?,
            auto_generated: flag(m, "autoGenerated")?,
            state: set(m, "state", "STATE_UNSPECIFIED")?,
        };
        // `state` decides skipping but is not kept.
        if m.optional("state").is_some() {
            ignored.push(join(&doc.path, "state"));
        }
        self.ignored.extend(m.take_rest());
        self.ignored.extend(ignored);
        self.routers.push(doc);
        Ok(())
    }

    fn deployment(&mut self, m: &Members<'a, '_>) -> Read<()> {
        let path = m.path();
        let at = |key: &str| join(&path, key);
        let mut ignored = Vec::new();
        let mut region = set(m, "region", "REGION_UNSPECIFIED")?.map(|r| (r, at("region")));
        if let Some(p) = m.optional("placement") {
            let pinned = p.object(|pm| {
                let one =
                    set(pm, "region", "REGION_UNSPECIFIED")?.map(|r| (r, at("placement.region")));
                let multi = set(pm, "multiRegion", "MULTI_REGION_UNSPECIFIED")?;
                let regions = match pm.optional("regions") {
                    Some(f) => f.array(|r| r.str())?,
                    None => Vec::new(),
                };
                let regions: Vec<&str> = regions
                    .into_iter()
                    .filter(|r| !r.is_empty() && *r != "REGION_UNSPECIFIED")
                    .collect();
                if multi.is_some() {
                    ignored.push(at("placement.multiRegion"));
                }
                let from_list = match regions.as_slice() {
                    [] => None,
                    [only] => Some((*only, at("placement.regions[0]"))),
                    _ => {
                        ignored.push(at("placement.regions"));
                        None
                    }
                };
                let given = [one.is_some(), multi.is_some(), !regions.is_empty()];
                if given.iter().filter(|g| **g).count() > 1 {
                    return Err(pm
                        .get("region")
                        .or_else(|_| pm.get("regions"))?
                        .error("a placement is one of `region`, `multiRegion` and `regions`"));
                }
                ignored.extend(pm.take_rest());
                Ok(one.or(from_list))
            })?;
            match (&region, pinned) {
                (Some((top, _)), Some((inner, _))) if *top != inner => {
                    return Err(m.get("region")?.error(format_args!(
                        "`region` {top:?} and `placement` region {inner:?} disagree"
                    )));
                }
                (None, Some(p)) => region = Some(p),
                _ => {}
            }
        }
        let doc = DeploymentDoc {
            path: path.clone(),
            name: m.str("name")?,
            base_model: m.str("baseModel")?,
            min: count(m, "minReplicaCount")?,
            max: count(m, "maxReplicaCount")?,
            replicas: count(m, "replicaCount")?,
            region,
            direct_route_type: set(m, "directRouteType", "DIRECT_ROUTE_TYPE_UNSPECIFIED")?,
            api_keys: m
                .optional("directRouteApiKeys")
                .map(|f| f.array(|k| k.str()))
                .transpose()?,
            handle: set(m, "directRouteHandle", "")?,
            state: set(m, "state", "STATE_UNSPECIFIED")?,
        };
        match doc.direct_route_type {
            None | Some("INTERNET") => {}
            Some("GCP_PRIVATE_SERVICE_CONNECT" | "AWS_PRIVATELINK") => {
                for key in ["directRouteType", "directRouteApiKeys", "directRouteHandle"] {
                    if m.optional(key).is_some() {
                        ignored.push(at(key));
                    }
                }
            }
            Some(other) => {
                return Err(m.get("directRouteType")?.error(format_args!(
                    "unknown direct route type {other:?}: use INTERNET, \
                     GCP_PRIVATE_SERVICE_CONNECT or AWS_PRIVATELINK"
                )));
            }
        }
        if doc.direct_route_type.is_none() {
            for key in ["directRouteApiKeys", "directRouteHandle"] {
                if m.optional(key).is_some() {
                    ignored.push(at(key));
                }
            }
        }
        if m.optional("state").is_some() {
            ignored.push(at("state"));
        }
        self.ignored.extend(m.take_rest());
        self.ignored.extend(ignored);
        self.deployments.push(doc);
        Ok(())
    }
}

/// `path.key`, or `key` at the root.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// `source` at `path`; an error that already names its path is kept.
fn invalid(path: &str, source: Error) -> Error {
    if matches!(
        source,
        Error::InvalidResource { .. } | Error::InvalidResourceJson { .. }
    ) {
        return source;
    }
    Error::InvalidResource {
        path: path.to_owned(),
        source: Box::new(source),
    }
}

/// A full name, or a bare ID resolved against `account` (SPEC N2).
fn name_in(input: &str, kind: ResourceKind, account: &Id) -> Result<ResourceName> {
    ResourceName::parse(input, kind, account)
}

fn full(input: &str, kind: ResourceKind) -> Result<ResourceName> {
    match parse_full(input) {
        Some((account, k, _)) if k == kind => {
            ResourceName::parse(input, kind, &Id::new(account, IdKind::Account)?)
        }
        _ => Err(Error::InvalidResourceName {
            input: input.to_owned(),
            expected: match kind {
                ResourceKind::Router => "a full name accounts/{account}/routers/{id}",
                _ => "a full name accounts/{account}/deployments/{id}",
            },
        }),
    }
}

/// Digests that no key has: the route keeps its key count but authorizes
/// nothing (placeholders, or keys the source does not hold).
fn sealed_digest(n: u64) -> StoredKey {
    let mut d: KeyDigest = [0u8; 32];
    d[..16].copy_from_slice(b"sealed-key-no-k\0");
    d[24..].copy_from_slice(&n.to_be_bytes());
    StoredKey::Unsalted(d)
}

impl Registry {
    /// Imports routers and deployments in the platform's REST JSON shape
    /// (SPEC P1) into this registry, atomically.
    ///
    /// `json` is one document or an array of documents; a document is a
    /// router object, a deployment object, or a list response (`{"routers":
    /// [...], "nextPageToken": ...}`, `{"deployments": [...]}`; pages of
    /// both kinds may come in any order). Resources may belong to any
    /// account; bare names inside a resource resolve against its account.
    /// Interpreted fields are checked strictly; the fields the model does
    /// not keep are listed in [`ImportReport::ignored_fields`], never
    /// silently dropped. `autoGenerated` routers load read-only
    /// ([`Router::is_auto_generated`]). API keys are digested on load, never
    /// stored. See the [module docs](crate::platform) for the field sources
    /// and the assumptions.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] above [`MAX_SNAPSHOT_BYTES`];
    /// [`Error::InvalidResourceJson`] for malformed JSON or a value of the
    /// wrong type or range, naming its path; [`Error::InvalidResource`] for
    /// a resource that breaks a rule (bad name, bounds, a router over a
    /// missing or region-pinned deployment, a name that already exists, ...),
    /// naming its path (when several break the rules of the registry, the
    /// first in name order is reported). On error the registry is unchanged.
    ///
    /// # Performance
    /// After parsing, O(n log n) for n resources imported into an empty
    /// account (they are inserted in name order); the input is at most
    /// [`MAX_SNAPSHOT_BYTES`] bytes.
    pub fn import_resources(&mut self, json: &str) -> Result<ImportReport> {
        if json.len() > MAX_SNAPSHOT_BYTES {
            return Err(Error::LimitExceeded {
                what: "resource JSON bytes",
                limit: MAX_SNAPSHOT_BYTES,
                got: json.len(),
            });
        }
        let unreadable = |message| Error::InvalidResourceJson { message };
        let value = crate::support::json::parse(json).map_err(unreadable)?;
        let root = Field::root(&value);
        let mut docs = Docs::default();
        let read = match &value {
            crate::support::json::Value::Array(_) => root.array(|d| docs.document(d)).map(drop),
            _ => docs.document(root),
        };
        read.map_err(|e| unreadable(e.into_message()))?;
        let mut report = ImportReport {
            ignored_fields: docs.ignored,
            ..ImportReport::default()
        };
        let mut deployments = Vec::new();
        // Salts for imported keys, kept only when the import succeeds.
        let mut salts = self.salt_rng.clone();
        // A set: a router's check is O(log n) per listed deployment.
        let mut skipped_deployments = std::collections::BTreeSet::new();
        for d in docs.deployments {
            let name = full(d.name, ResourceKind::Deployment)
                .map_err(|e| invalid(&join(&d.path, "name"), e))?;
            if let Some(state @ ("DELETING" | "DELETED")) = d.state {
                report.skipped.push(SkippedResource {
                    path: d.path.clone(),
                    name: name.to_string(),
                    reason: format!("its state is {state}"),
                });
                skipped_deployments.insert(name);
                continue;
            }
            let deployment = self
                .import_deployment(&d, name, &mut report, &mut salts)
                .map_err(|e| invalid(&d.path, e))?;
            report.deployments.push(deployment.name.clone());
            deployments.push((d.path, deployment));
        }
        let mut routers = Vec::new();
        for r in docs.routers {
            let name = full(r.name, ResourceKind::Router)
                .map_err(|e| invalid(&join(&r.path, "name"), e))?;
            let mut skip = |reason: String| {
                report.skipped.push(SkippedResource {
                    path: r.path.clone(),
                    name: name.to_string(),
                    reason,
                });
            };
            if let Some(state @ ("DELETING" | "DELETED")) = r.state {
                skip(format!("its state is {state}"));
                continue;
            }
            let router = import_router(&r, name.clone()).map_err(|e| invalid(&r.path, e))?;
            if let Some(d) = router
                .deployments
                .iter()
                .find(|d| skipped_deployments.contains(d))
            {
                skip(format!("it lists {d}, which was skipped"));
                continue;
            }
            report.routers.push(name);
            routers.push((r.path, router));
        }
        self.add_imported(deployments, routers)?;
        self.salt_rng = salts;
        Ok(report)
    }

    fn import_deployment(
        &self,
        d: &DeploymentDoc<'_>,
        name: ResourceName,
        report: &mut ImportReport,
        salts: &mut ChaCha8Rng,
    ) -> Result<Deployment> {
        let model = name_in(d.base_model, ResourceKind::Model, name.account())?;
        check_bounds(d.min, d.max)?;
        if d.replicas < d.min || d.replicas > d.max {
            return Err(Error::ReplicasOutOfBounds {
                deployment: name.to_string(),
                replicas: d.replicas,
                min: d.min,
                max: d.max,
            });
        }
        let placement = match &d.region {
            None => Placement::MultiRegion,
            Some((r, path)) => Placement::Region(Region::new(r).map_err(|e| invalid(path, e))?),
        };
        let direct_route = match (d.direct_route_type, &placement) {
            (Some("INTERNET"), Placement::MultiRegion) => return Err(Error::RegionRequired),
            (Some("INTERNET"), Placement::Region(region)) => {
                Some(self.import_direct_route(d, &name, region, report, salts)?)
            }
            _ => None,
        };
        Ok(Deployment {
            name,
            model,
            placement,
            direct_route,
            min_replicas: d.min,
            max_replicas: d.max,
            replicas: d.replicas,
        })
    }

    fn import_direct_route(
        &self,
        d: &DeploymentDoc<'_>,
        name: &ResourceName,
        region: &Region,
        report: &mut ImportReport,
        salts: &mut ChaCha8Rng,
    ) -> Result<DirectRoute> {
        let keys = d.api_keys.as_deref().unwrap_or_default();
        let real: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| parse_key_placeholder(k).is_none())
            .collect();
        let secret = self.key_secret.as_ref();
        let mut digests: Vec<StoredKey> = if real.is_empty() {
            Vec::new()
        } else {
            DirectRoute::with_salts(region.clone(), &real, self.catalog(), salts, secret)?
                .stored_keys()
                .to_vec()
        };
        digests.extend(
            keys.iter()
                .filter_map(|k| parse_key_placeholder(k))
                .map(sealed_digest),
        );
        if digests.is_empty() {
            digests.push(sealed_digest(1));
            let mut note = join(&d.path, "directRouteApiKeys");
            let _ = write!(
                note,
                ": absent, so the direct route of {name} authorizes no key until its keys are set"
            );
            report.notes.push(note);
        }
        let label = handle_label(name)?;
        let domain = match d.handle {
            None => crate::direct_route::DEFAULT_DIRECT_DOMAIN.to_owned(),
            Some(handle) => {
                let prefix = format!("{label}.{}.", region.host_label());
                match handle.strip_prefix(&prefix) {
                    Some(domain) => domain.to_owned(),
                    None => {
                        return Err(Error::InvalidResourceJson {
                            message: format!(
                                "{}: expected {prefix}<domain>, found {}",
                                join(&d.path, "directRouteHandle"),
                                crate::support::text::Quoted(handle)
                            ),
                        });
                    }
                }
            }
        };
        DirectRoute::from_stored(region.clone(), digests, &domain, self.catalog(), secret)
    }
}

fn import_router(r: &RouterDoc<'_>, name: ResourceName) -> Result<Router> {
    if let Some(d) = r.display_name {
        check_display_name(d)?;
    }
    let account = name.account().clone();
    let mut deployments = Vec::with_capacity(r.deployments.len());
    for d in &r.deployments {
        deployments.push(name_in(d, ResourceKind::Deployment, &account)?);
    }
    let model = r
        .model
        .map(|m| name_in(m, ResourceKind::Model, &account))
        .transpose()?;
    let strategy = match r.strategy {
        StrategyDoc::Default | StrategyDoc::WeightedRandom => Strategy::WeightedRandom,
        StrategyDoc::EvenLoad => Strategy::EvenLoad,
        StrategyDoc::Extension(s) => s.parse()?,
    };
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
