//! The gateway's configuration file and the state loaded from it.
//!
//! One JSON file names the registry snapshot, the generator seed, the API
//! keys that identify callers, and the upstream base URL of each deployment:
//!
//! ```json
//! {
//!   "snapshot": "registry.json",
//!   "seed": 42,
//!   "api_keys": { "sk-my-key": "my-account" },
//!   "upstreams": {
//!     "accounts/my-account/deployments/deployment-a": "http://127.0.0.1:9001/a"
//!   }
//! }
//! ```
//!
//! `snapshot` is read with [`Registry::from_json`]; a relative path is taken
//! from the configuration file's folder. Every field is required and no
//! other field is accepted, so a typo is an error, not a silent default.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use hyper::Uri;
use replica_router::{DirectRoute, Registry, ResourceKind, ResourceName};
use serde_json::{Map, Value};

/// Why a configuration or snapshot could not be loaded. The gateway keeps
/// serving the state it had.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn err(message: impl Into<String>) -> ConfigError {
    ConfigError(message.into())
}

/// A direct route served by `Host` header: the deployment and its keys.
#[derive(Debug, Clone)]
pub struct DirectTarget {
    /// The deployment's full name.
    pub deployment: ResourceName,
    /// Its direct route (region, keys as digests).
    pub route: DirectRoute,
}

/// Everything one request needs, loaded together and published as one
/// `Arc` (a reload swaps the whole value, never part of it).
#[derive(Debug)]
pub struct State {
    /// The registry snapshot.
    pub registry: Registry,
    /// Upstream base URL (scheme, authority, optional path prefix, no
    /// trailing `/`) of each deployment that can be served.
    pub upstreams: HashMap<ResourceName, String>,
    /// Caller account of each API key.
    pub api_keys: HashMap<String, String>,
    /// Direct routes by lower-case handle (`Host` without the port).
    pub direct: HashMap<String, DirectTarget>,
}

/// The parsed configuration file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The snapshot file, resolved against the configuration's folder.
    pub snapshot: PathBuf,
    /// Seed of the gateway's routing generator.
    pub seed: u64,
    api_keys: HashMap<String, String>,
    upstreams: Vec<(String, String)>,
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    ///
    /// # Errors
    /// When the file cannot be read or is not of the documented shape.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| err(format!("{}: invalid JSON: {e}", path.display())))?;
        let Value::Object(mut top) = value else {
            return Err(err(format!("{}: expected an object", path.display())));
        };
        let snapshot = take_str(&mut top, "snapshot")?;
        let seed = top
            .remove("seed")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| err("seed: expected an unsigned integer"))?;
        let api_keys = take_map(&mut top, "api_keys")?.into_iter().collect();
        let upstreams = take_map(&mut top, "upstreams")?;
        if let Some(field) = top.keys().next() {
            return Err(err(format!("unknown field `{field}`")));
        }
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(Config {
            snapshot: base.join(snapshot),
            seed,
            api_keys,
            upstreams,
        })
    }

    /// Reads the snapshot and builds the state to publish.
    ///
    /// # Errors
    /// When the snapshot cannot be read or loaded (the core error's message
    /// is kept), an upstream names a malformed deployment or URL, or an API
    /// key maps to an invalid account.
    pub fn load(&self) -> Result<State, ConfigError> {
        let json = std::fs::read_to_string(&self.snapshot)
            .map_err(|e| err(format!("cannot read {}: {e}", self.snapshot.display())))?;
        let registry = Registry::from_json(&json)
            .map_err(|e| err(format!("{}: {} ({})", self.snapshot.display(), e, e.code())))?;
        let mut upstreams = HashMap::new();
        for (name, url) in &self.upstreams {
            let name = ResourceName::parse(name, ResourceKind::Deployment, registry.account())
                .map_err(|e| err(format!("upstreams: {e}")))?;
            let url = url.trim_end_matches('/');
            let uri: Uri = url
                .parse()
                .map_err(|e| err(format!("upstreams[{name}]: invalid URL `{url}`: {e}")))?;
            if uri.scheme_str() != Some("http") || uri.query().is_some() {
                return Err(err(format!(
                    "upstreams[{name}]: expected http://host:port[/prefix], found `{url}`"
                )));
            }
            upstreams.insert(name, url.to_owned());
        }
        for account in self.api_keys.values() {
            replica_router::Id::new(account, replica_router::IdKind::Account)
                .map_err(|e| err(format!("api_keys: {e}")))?;
        }
        let direct = direct_routes(&registry, upstreams.keys())?;
        Ok(State {
            registry,
            upstreams,
            api_keys: self.api_keys.clone(),
            direct,
        })
    }
}

/// The direct routes of the deployments that have an upstream, by handle.
///
/// Deployments are private to their account, so the registry is read as
/// each account in turn (on a copy, once per load, never per request).
fn direct_routes<'a>(
    registry: &Registry,
    deployments: impl Iterator<Item = &'a ResourceName>,
) -> Result<HashMap<String, DirectTarget>, ConfigError> {
    let mut reader = registry.clone();
    let mut direct = HashMap::new();
    for name in deployments {
        reader
            .set_account(name.account().as_str())
            .map_err(|e| err(e.to_string()))?;
        let Ok(deployment) = reader.get_deployment(&name.to_string()) else {
            continue; // routing reports an unknown deployment as 404
        };
        if let Some(route) = deployment.direct_route() {
            let handle = route
                .handle(deployment.name())
                .map_err(|e| err(format!("{name}: {e}")))?;
            direct.insert(
                handle.to_ascii_lowercase(),
                DirectTarget {
                    deployment: deployment.name().clone(),
                    route: route.clone(),
                },
            );
        }
    }
    Ok(direct)
}

fn take_str(top: &mut Map<String, Value>, field: &str) -> Result<String, ConfigError> {
    match top.remove(field) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(err(format!("{field}: expected a string"))),
    }
}

fn take_map(
    top: &mut Map<String, Value>,
    field: &str,
) -> Result<Vec<(String, String)>, ConfigError> {
    let Some(Value::Object(map)) = top.remove(field) else {
        return Err(err(format!("{field}: expected an object")));
    };
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            _ => Err(err(format!("{field}[{k}]: expected a string"))),
        })
        .collect()
}
