//! Serde for the registry's value types (feature `serde`), each in the shape
//! it has in a snapshot (SPEC T1) and through the snapshot's own writers and
//! readers, so that a type serialized alone is the object the snapshot
//! holds, deserializing checks what loading a snapshot checks, and a change
//! of the snapshot format changes these shapes with it.
//!
//! A value read alone has no registry around it. What only a registry can
//! check is left out, as documented on each impl: the region catalog (any
//! valid region is accepted, as [`RegionCatalog::new`] can list any) and the
//! existence and placement of a router's deployments.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::*;
use crate::support::json::serde_impls::{deserialize_parsed, serde_as_string, serde_via_format};

/// The message of a snapshot error for a value read alone: the reader's
/// message without the snapshot wrapper, or the rule's error.
fn message(e: Error) -> String {
    match e {
        Error::InvalidJson { message } => message,
        e => e.to_string(),
    }
}

/// The catalog a value read alone is checked against: just its own region
/// (the default catalog when there is none or it is invalid, which loading
/// then reports).
fn own_catalog(region: Option<&str>) -> RegionCatalog {
    region
        .and_then(|r| RegionCatalog::new([r]).ok())
        .unwrap_or_default()
}

fn read_deployment(f: Field<'_, '_>) -> std::result::Result<Deployment, String> {
    let dto = f
        .object(|m| DeploymentDto::read(m, FORMAT_VERSION))
        .map_err(|e| e.to_string())?;
    let catalog = own_catalog(dto.region);
    load_deployment(dto, &catalog, None).map_err(message)
}

fn read_route_alone(f: Field<'_, '_>) -> std::result::Result<DirectRoute, String> {
    read_route(f, None).map_err(message)
}

fn read_router(f: Field<'_, '_>) -> std::result::Result<Router, String> {
    let dto = f
        .object(|m| RouterDto::read(m, FORMAT_VERSION))
        .map_err(|e| e.to_string())?;
    load_router(dto, None).map_err(message)
}

serde_via_format!(
    /// As an entry of a snapshot's `deployments` (SPEC T1): `{"name",
    /// "model", "region", "min_replicas", "max_replicas", "replicas",
    /// "direct_route"}`, a direct route as its key digests, never keys.
    /// Deserializing checks what loading a snapshot checks; a direct route's
    /// region needs no catalog entry.
    Deployment,
    write: write_deployment,
    read: read_deployment,
);
serde_via_format!(
    /// The shape of [`DirectRoute::to_json`]: `{"region", "domain",
    /// "key_secret_check", "api_keys"}`, salted key digests, never keys.
    /// Deserializing checks what [`DirectRoute::from_json`] checks, without
    /// a key secret (a route keyed by one is refused: load it with
    /// `from_json`), and any valid region is accepted.
    DirectRoute,
    write: write_route,
    read: read_route_alone,
);
serde_via_format!(
    /// As an entry of a snapshot's `routers` (SPEC T1). Deserializing
    /// checks what loading a snapshot checks of the router itself (names,
    /// display name, strategy, one or more distinct deployments of its own
    /// account, at most the limit); whether the deployments exist and are
    /// multi-region only a registry can tell.
    Router,
    write: write_router,
    read: read_router,
);
serde_as_string!(
    /// The canonical name (`US_ARIZONA_1`), as in a snapshot; deserializing
    /// accepts what [`Region::new`] does (the host form too).
    Region,
    parse: Region::new,
);
serde_as_string!(
    /// The strategy's name ([`Strategy::as_str`]), as in a snapshot.
    Strategy,
    parse: |s: &str| s.parse::<Strategy>(),
);

/// The ID as a string. Not deserializable alone: an ID's error names its
/// kind (account, deployment, ...); deserialize a [`ResourceName`] or use
/// [`Id::new`].
impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// 64 lower-case hex digits, as a snapshot's `seed`.
impl Serialize for Seed {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&hex(self.as_bytes()))
    }
}

/// 64 lower-case hex digits, as a snapshot's `seed`.
impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Seed, D::Error> {
        deserialize_parsed(d, |s| {
            unhex32(s, "seed").map(Seed::from_bytes).map_err(message)
        })
    }
}

/// The region names, as a snapshot's `catalog`.
impl Serialize for RegionCatalog {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.regions())
    }
}

/// The region names, as a snapshot's `catalog`, checked by
/// [`RegionCatalog::new`].
impl<'de> Deserialize<'de> for RegionCatalog {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<RegionCatalog, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        RegionCatalog::new(&names).map_err(D::Error::custom)
    }
}

/// The region or `null` (multi-region), as a snapshot deployment's `region`.
impl Serialize for Placement {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.region().serialize(s)
    }
}

/// The region or `null` (multi-region), as a snapshot deployment's `region`.
impl<'de> Deserialize<'de> for Placement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Placement, D::Error> {
        Ok(Option::<Region>::deserialize(d)?.map_or(Placement::MultiRegion, Placement::Region))
    }
}
