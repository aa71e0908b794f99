//! Routers: named aliases over deployments (SPEC R1, R7, R9).
//!
//! | rule | items |
//! | --- | --- |
//! | R1 routers | [`Router`], [`RouterSpec`], [`RouterUpdate`] |
//! | R7 strategy names | [`Strategy`] |
//! | R9 session affinity flag | [`Router::session_affinity`], [`RouterSpec::session_affinity`] |

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::limits::MAX_DISPLAY_NAME_CHARS;
use crate::names::ResourceName;

/// How a router picks a deployment for each request (SPEC R7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Strategy {
    /// Independent picks, P(deployment) = its replica share (the default).
    #[default]
    WeightedRandom,
    /// The platform's `evenLoad` (SPEC R8): each request goes to the
    /// deployment with the lowest in-flight requests per replica, as counted
    /// by a caller-owned [`LoadTracker`](crate::LoadTracker); ties, and every
    /// request routed without a tracker, are weighted-random.
    EvenLoad,
    /// Smooth, deterministic interleaving: in every window of `total`
    /// consecutive picks each deployment is picked exactly `replicas` times.
    /// The position is a caller-owned cursor (see
    /// [`WeightedRoundRobin`](crate::WeightedRoundRobin)).
    WeightedRoundRobin,
}

impl Strategy {
    /// Every accepted strategy name, in declaration order.
    pub const NAMES: [&'static str; 3] = ["weighted-random", "even-load", "weighted-round-robin"];

    /// The strategy's name as the reference CLI spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Strategy::WeightedRandom => "weighted-random",
            Strategy::EvenLoad => "even-load",
            Strategy::WeightedRoundRobin => "weighted-round-robin",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Strategy {
    type Err = Error;
    /// Parses a strategy name (exact, lower case).
    ///
    /// # Errors
    /// [`Error::InvalidStrategy`] listing the accepted names.
    fn from_str(s: &str) -> Result<Strategy> {
        match s {
            "weighted-random" => Ok(Strategy::WeightedRandom),
            "even-load" => Ok(Strategy::EvenLoad),
            "weighted-round-robin" => Ok(Strategy::WeightedRoundRobin),
            _ => Err(Error::InvalidStrategy {
                input: s.to_owned(),
            }),
        }
    }
}

/// A router (SPEC R1): a stable alias over an ordered list of one or more
/// distinct multi-region deployments of its own account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Router {
    pub(crate) name: ResourceName,
    pub(crate) display_name: Option<String>,
    pub(crate) model: Option<ResourceName>,
    pub(crate) strategy: Strategy,
    pub(crate) session_affinity: bool,
    pub(crate) public: bool,
    pub(crate) deployments: Vec<ResourceName>,
}

impl Router {
    /// Full resource name.
    pub fn name(&self) -> &ResourceName {
        &self.name
    }
    /// Human-readable name, if set.
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    /// The model the router serves, if set.
    pub fn model(&self) -> Option<&ResourceName> {
        self.model.as_ref()
    }
    /// The routing strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }
    /// True when requests with a session key keep to one deployment and
    /// replica slot (SPEC R9), whatever the strategy.
    pub fn session_affinity(&self) -> bool {
        self.session_affinity
    }
    /// True when every account may route to it (SPEC R6).
    pub fn is_public(&self) -> bool {
        self.public
    }
    /// The deployments, in order.
    pub fn deployments(&self) -> &[ResourceName] {
        &self.deployments
    }
}

/// What to create: the input of
/// [`Registry::create_router`](crate::Registry::create_router), mirroring
/// `firectl router create`.
///
/// ```
/// use replica_router::RouterSpec;
/// let spec = RouterSpec::new(["model-a", "model-b"]).id("ab-test").public(true);
/// assert_eq!(spec.deployments.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouterSpec {
    /// Router ID (bare) or full name; generated when `None` (SPEC N3).
    pub id: Option<String>,
    /// Deployments (full names or bare IDs), in order; at least one.
    pub deployments: Vec<String>,
    /// Human-readable name.
    pub display_name: Option<String>,
    /// The model to route traffic to (full name or bare model ID).
    pub model: Option<String>,
    /// Strategy; default `weighted-random`.
    pub strategy: Strategy,
    /// Session affinity for keyed requests (SPEC R9); default false.
    pub session_affinity: bool,
    /// Open to every account; default false.
    pub public: bool,
}

impl RouterSpec {
    /// A private `weighted-random` router over `deployments`.
    pub fn new<I, S>(deployments: I) -> RouterSpec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        RouterSpec {
            deployments: deployments.into_iter().map(Into::into).collect(),
            ..RouterSpec::default()
        }
    }
    /// Sets the ID.
    pub fn id(mut self, id: impl Into<String>) -> RouterSpec {
        self.id = Some(id.into());
        self
    }
    /// Sets the display name.
    pub fn display_name(mut self, name: impl Into<String>) -> RouterSpec {
        self.display_name = Some(name.into());
        self
    }
    /// Sets the model.
    pub fn model(mut self, model: impl Into<String>) -> RouterSpec {
        self.model = Some(model.into());
        self
    }
    /// Sets the strategy.
    pub fn strategy(mut self, strategy: Strategy) -> RouterSpec {
        self.strategy = strategy;
        self
    }
    /// Sets the session-affinity flag (SPEC R9).
    pub fn session_affinity(mut self, on: bool) -> RouterSpec {
        self.session_affinity = on;
        self
    }
    /// Sets the public flag.
    pub fn public(mut self, public: bool) -> RouterSpec {
        self.public = public;
        self
    }
}

/// Changes to a router, mirroring `firectl router update`: only the fields
/// given change (SPEC R3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouterUpdate {
    /// New deployment list (replaces the old one).
    pub deployments: Option<Vec<String>>,
    /// New display name.
    pub display_name: Option<String>,
    /// Clears the display name (SPEC R1). A `display_name` given in the same
    /// update is set afterwards, so it wins; the builders keep the two
    /// exclusive.
    pub clear_display_name: bool,
    /// New model.
    pub model: Option<String>,
    /// Clears the model (SPEC R1); a `model` given in the same update wins.
    pub clear_model: bool,
    /// New strategy.
    pub strategy: Option<Strategy>,
    /// New session-affinity flag (SPEC R9).
    pub session_affinity: Option<bool>,
    /// New public flag.
    pub public: Option<bool>,
}

impl RouterUpdate {
    /// An update that changes nothing.
    pub fn new() -> RouterUpdate {
        RouterUpdate::default()
    }
    /// Replaces the deployment list.
    pub fn deployments<I, S>(mut self, deployments: I) -> RouterUpdate
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.deployments = Some(deployments.into_iter().map(Into::into).collect());
        self
    }
    /// Sets the display name.
    pub fn display_name(mut self, name: impl Into<String>) -> RouterUpdate {
        self.display_name = Some(name.into());
        self.clear_display_name = false;
        self
    }
    /// Clears the display name (the router then has none).
    ///
    /// ```
    /// use replica_router::{DeploymentSpec, Registry, RouterSpec, RouterUpdate};
    /// let mut reg = Registry::new("acme", 1)?;
    /// reg.create_deployment(DeploymentSpec::new("m").id("d"))?;
    /// reg.create_router(RouterSpec::new(["d"]).id("r").display_name("Old"))?;
    /// let r = reg.update_router("r", RouterUpdate::new().clear_display_name())?;
    /// assert_eq!(r.display_name(), None);
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    pub fn clear_display_name(mut self) -> RouterUpdate {
        self.display_name = None;
        self.clear_display_name = true;
        self
    }
    /// Sets the model.
    pub fn model(mut self, model: impl Into<String>) -> RouterUpdate {
        self.model = Some(model.into());
        self.clear_model = false;
        self
    }
    /// Clears the model (the router then has none).
    pub fn clear_model(mut self) -> RouterUpdate {
        self.model = None;
        self.clear_model = true;
        self
    }
    /// Sets the strategy.
    pub fn strategy(mut self, strategy: Strategy) -> RouterUpdate {
        self.strategy = Some(strategy);
        self
    }
    /// Sets the session-affinity flag (SPEC R9).
    pub fn session_affinity(mut self, on: bool) -> RouterUpdate {
        self.session_affinity = Some(on);
        self
    }
    /// Sets the public flag.
    pub fn public(mut self, public: bool) -> RouterUpdate {
        self.public = Some(public);
        self
    }
}

/// Checks a display name: 1 to 256 characters, no control characters.
pub(crate) fn check_display_name(name: &str) -> Result<()> {
    let len = name.chars().count();
    if len == 0 || len > MAX_DISPLAY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::InvalidDisplayName { len });
    }
    Ok(())
}
