//! Routing strategies (SPEC R7) and a router's cached per-strategy state.
//!
//! | rule | items |
//! | --- | --- |
//! | R7 strategies | [`WeightedRoundRobin`], [`SessionAffinity`], [`session_hash`] |
//!
//! | strategy | state built when the router or a listed replica count changes | per request |
//! | --- | --- | --- |
//! | `weighted-random` | [`WeightedSelector`] | one draw from the generator |
//! | `weighted-round-robin` | [`WeightedRoundRobin`] | the pick at the request's cursor |
//! | `session-affinity` | [`SessionAffinity`] (plus the selector) | the pick for the session key; weighted-random without one |
//!
//! The registry builds a [`RouterTable`] for each router and never per
//! request (SPEC R6).

mod affinity;
mod round_robin;

pub use affinity::{AffinityPick, SessionAffinity, session_hash};
pub use round_robin::WeightedRoundRobin;

use rand_core::Rng;

use crate::error::Result;
use crate::names::ResourceName;
use crate::router::Strategy;
use crate::selection::{WeightedSelector, below};

/// A router's cached routing state (SPEC R6, R7).
#[derive(Debug, Clone)]
pub(crate) struct RouterTable {
    selector: WeightedSelector,
    plan: Plan,
}

/// What the strategy needs beyond the weighted-random selector.
#[derive(Debug, Clone)]
enum Plan {
    Random,
    RoundRobin(WeightedRoundRobin),
    /// `None` when the router is too large for affinity: keyed requests get
    /// [`affinity::too_many_replicas`], unkeyed ones still route.
    Affinity(Option<SessionAffinity>),
}

/// One routing decision, by deployment index (see
/// [`RouteDecision`](crate::RouteDecision)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pick {
    pub(crate) index: usize,
    pub(crate) replica: Option<u32>,
    pub(crate) next_cursor: Option<u64>,
}

impl RouterTable {
    /// The state for `strategy` over `deployments` with `replicas` (same
    /// order); `None` when the replicas sum to 0.
    pub(crate) fn build(
        strategy: Strategy,
        deployments: &[ResourceName],
        replicas: &[u32],
    ) -> Option<RouterTable> {
        let selector = WeightedSelector::new(replicas).ok()?;
        let plan = match strategy {
            Strategy::WeightedRandom => Plan::Random,
            Strategy::WeightedRoundRobin => {
                Plan::RoundRobin(WeightedRoundRobin::new(replicas).ok()?)
            }
            // The selector exists, so there are replicas, and a router's
            // deployments are distinct (SPEC R1): `new` can only fail on the
            // replica limit.
            Strategy::SessionAffinity => Plan::Affinity(
                SessionAffinity::new(
                    deployments
                        .iter()
                        .map(ToString::to_string)
                        .zip(replicas.iter().copied()),
                )
                .ok(),
            ),
        };
        Some(RouterTable { selector, plan })
    }

    /// Picks a deployment for a request (SPEC R7).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`](crate::Error::LimitExceeded) for a keyed
    /// request to a `session-affinity` router above
    /// [`MAX_SESSION_AFFINITY_REPLICAS`](crate::limits::MAX_SESSION_AFFINITY_REPLICAS).
    pub(crate) fn pick<R: Rng + ?Sized>(
        &self,
        session_key: Option<&str>,
        cursor: Option<u64>,
        rng: &mut R,
    ) -> Result<Pick> {
        let random = |rng: &mut R| Pick {
            index: self.selector.pick(rng) as usize,
            replica: None,
            next_cursor: None,
        };
        Ok(match (&self.plan, session_key) {
            (Plan::Random, _) => random(rng),
            (Plan::RoundRobin(rr), _) => {
                let cursor = match cursor {
                    Some(c) => c,
                    None => below(rng, rr.total()),
                };
                Pick {
                    index: rr.pick(cursor) as usize,
                    replica: None,
                    next_cursor: Some(rr.next_cursor(cursor)),
                }
            }
            (Plan::Affinity(_), None) => random(rng),
            (Plan::Affinity(affinity), Some(key)) => {
                let pick = affinity
                    .as_ref()
                    .ok_or_else(|| affinity::too_many_replicas(self.selector.total()))?
                    .pick(key);
                Pick {
                    index: pick.deployment as usize,
                    replica: Some(pick.replica),
                    next_cursor: None,
                }
            }
        })
    }
}
