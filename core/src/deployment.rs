//! Deployments, their placement and replica bounds (SPEC G3, D1, D2).
//!
//! | rule | items |
//! | --- | --- |
//! | G3 placement | [`Placement`] |
//! | D1 deployments | [`Deployment`], [`DeploymentSpec`] |
//! | D2 replica bounds | [`DeploymentUpdate`], [`Deployment::replicas`] |

use std::fmt;

use crate::direct_route::DirectRoute;
use crate::error::{Error, Result};
use crate::names::ResourceName;
use crate::region::Region;

/// Where a deployment runs (SPEC G3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Placement {
    /// Spread over regions (the default); the only placement routers accept.
    #[default]
    MultiRegion,
    /// Pinned to one region, as direct routing needs.
    Region(Region),
}

impl Placement {
    /// The pinned region, if any.
    pub fn region(&self) -> Option<&Region> {
        match self {
            Placement::MultiRegion => None,
            Placement::Region(r) => Some(r),
        }
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Placement::MultiRegion => f.write_str("multi-region"),
            Placement::Region(r) => write!(f, "{r}"),
        }
    }
}

/// A model deployment (SPEC D1): a name, a model, a placement, replica bounds
/// `min <= max` and a current replica count within them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deployment {
    pub(crate) name: ResourceName,
    pub(crate) model: ResourceName,
    pub(crate) placement: Placement,
    pub(crate) direct_route: Option<DirectRoute>,
    pub(crate) min_replicas: u32,
    pub(crate) max_replicas: u32,
    pub(crate) replicas: u32,
}

impl Deployment {
    /// Full resource name.
    pub fn name(&self) -> &ResourceName {
        &self.name
    }
    /// The deployed model's resource name.
    pub fn model(&self) -> &ResourceName {
        &self.model
    }
    /// Where it runs.
    pub fn placement(&self) -> &Placement {
        &self.placement
    }
    /// Its direct route, if it has one (SPEC G4).
    ///
    /// A copy taken now: it keeps accepting its keys after the deployment
    /// is deleted or re-created. Authorize live requests with
    /// [`Registry::authorize_direct_route`](crate::Registry::authorize_direct_route),
    /// which reads the current state.
    pub fn direct_route(&self) -> Option<&DirectRoute> {
        self.direct_route.as_ref()
    }
    /// Minimum replica count.
    pub fn min_replicas(&self) -> u32 {
        self.min_replicas
    }
    /// Maximum replica count.
    pub fn max_replicas(&self) -> u32 {
        self.max_replicas
    }
    /// Current replica count, always within `[min, max]`.
    pub fn replicas(&self) -> u32 {
        self.replicas
    }
    /// True unless pinned to one region.
    pub fn is_multi_region(&self) -> bool {
        matches!(self.placement, Placement::MultiRegion)
    }

    /// Applies bounds per SPEC D2: the count becomes `clamp(current, min, max)`.
    pub(crate) fn set_bounds(&mut self, min: u32, max: u32) -> Result<()> {
        check_bounds(min, max)?;
        self.min_replicas = min;
        self.max_replicas = max;
        self.replicas = self.replicas.clamp(min, max);
        Ok(())
    }
}

pub(crate) fn check_bounds(min: u32, max: u32) -> Result<()> {
    if min > max {
        return Err(Error::InvalidReplicaBounds {
            min,
            max,
            replicas: None,
        });
    }
    Ok(())
}

/// What to create: the input of
/// [`Registry::create_deployment`](crate::Registry::create_deployment).
///
/// Strings are validated by the registry, which resolves bare IDs against its
/// account (SPEC N2).
///
/// ```
/// use replica_router::DeploymentSpec;
/// let spec = DeploymentSpec::new("accounts/fireworks/models/llama-v3p1-8b-instruct")
///     .id("new-deployment")
///     .replicas(4, 4);
/// assert_eq!(spec.min_replicas, Some(4));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeploymentSpec {
    /// Deployment ID (bare) or full name; generated when `None` (SPEC N3).
    pub id: Option<String>,
    /// The model: a full model name or a bare model ID of the caller's account.
    pub model: String,
    /// Pin to this region (canonical or host form); `None` is multi-region.
    pub region: Option<String>,
    /// Minimum replicas; with `max_replicas` unset both default to 1 (SPEC D1).
    pub min_replicas: Option<u32>,
    /// Maximum replicas; defaults to `max(min_replicas, 1)`.
    pub max_replicas: Option<u32>,
    /// Direct-route (`INTERNET`) API keys; `Some` asks for direct routing (SPEC G4).
    pub direct_route_api_keys: Option<Vec<String>>,
}

impl DeploymentSpec {
    /// A multi-region deployment of `model` with 1 replica.
    pub fn new(model: impl Into<String>) -> DeploymentSpec {
        DeploymentSpec {
            model: model.into(),
            ..DeploymentSpec::default()
        }
    }
    /// Sets the ID.
    pub fn id(mut self, id: impl Into<String>) -> DeploymentSpec {
        self.id = Some(id.into());
        self
    }
    /// Pins the deployment to a region.
    pub fn region(mut self, region: impl Into<String>) -> DeploymentSpec {
        self.region = Some(region.into());
        self
    }
    /// Sets the replica bounds; the deployment starts at `clamp(1, min, max)`.
    pub fn replicas(mut self, min: u32, max: u32) -> DeploymentSpec {
        self.min_replicas = Some(min);
        self.max_replicas = Some(max);
        self
    }
    /// Asks for Internet direct routing guarded by these keys.
    pub fn direct_route<I, S>(mut self, api_keys: I) -> DeploymentSpec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.direct_route_api_keys = Some(api_keys.into_iter().map(Into::into).collect());
        self
    }

    /// The bounds this spec asks for (SPEC D1 defaults).
    pub(crate) fn bounds(&self) -> (u32, u32) {
        match (self.min_replicas, self.max_replicas) {
            (None, None) => (1, 1),
            (Some(min), None) => (min, min.max(1)),
            (None, Some(max)) => (max.min(1), max),
            (Some(min), Some(max)) => (min, max),
        }
    }
}

impl fmt::Debug for DeploymentSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeploymentSpec")
            .field("id", &self.id)
            .field("model", &self.model)
            .field("region", &self.region)
            .field("min_replicas", &self.min_replicas)
            .field("max_replicas", &self.max_replicas)
            .field(
                "direct_route_api_keys",
                &self
                    .direct_route_api_keys
                    .as_ref()
                    .map(|k| format!("<{} redacted>", k.len())),
            )
            .finish()
    }
}

/// Changes to a deployment: only the fields given change (SPEC D2, R3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeploymentUpdate {
    /// New minimum replica count.
    pub min_replicas: Option<u32>,
    /// New maximum replica count.
    pub max_replicas: Option<u32>,
}

impl DeploymentUpdate {
    /// An update that changes nothing.
    pub fn new() -> DeploymentUpdate {
        DeploymentUpdate::default()
    }
    /// Sets both bounds; `replicas(n, n)` scales to exactly `n`, `replicas(0, 0)`
    /// scales to zero.
    pub fn replicas(mut self, min: u32, max: u32) -> DeploymentUpdate {
        self.min_replicas = Some(min);
        self.max_replicas = Some(max);
        self
    }
    /// Sets the minimum only.
    pub fn min_replicas(mut self, min: u32) -> DeploymentUpdate {
        self.min_replicas = Some(min);
        self
    }
    /// Sets the maximum only.
    pub fn max_replicas(mut self, max: u32) -> DeploymentUpdate {
        self.max_replicas = Some(max);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d1_default_bounds() {
        assert_eq!(DeploymentSpec::new("m").bounds(), (1, 1));
        assert_eq!(DeploymentSpec::new("m").replicas(0, 5).bounds(), (0, 5));
        let only_min = DeploymentSpec {
            min_replicas: Some(3),
            ..DeploymentSpec::new("m")
        };
        assert_eq!(only_min.bounds(), (3, 3));
        let only_max = DeploymentSpec {
            max_replicas: Some(0),
            ..DeploymentSpec::new("m")
        };
        assert_eq!(only_max.bounds(), (0, 0));
    }

    #[test]
    fn spec_debug_redacts_keys() {
        let s = DeploymentSpec::new("m").direct_route(["topsecret"]);
        assert!(!format!("{s:?}").contains("topsecret"));
    }
}
