//! Routing strategies (SPEC R7, R8), session affinity (R9) and a router's
//! cached per-strategy state.
//!
//! | rule | items |
//! | --- | --- |
//! | R7 strategies | [`WeightedRoundRobin`], [`SessionAffinity`], [`session_hash`] |
//!
//! | strategy | state built when the router or a listed replica count changes | per request |
//! | --- | --- | --- |
//! | `weighted-random` | [`WeightedSelector`] | one draw from the generator |
//! | `even-load` | the selector | the lowest in-flight per replica in the caller's [`LoadTracker`]; ties weighted-random; weighted-random without a tracker |
//! | `weighted-round-robin` | [`WeightedRoundRobin`] | the pick at the request's cursor |
//!
//! With the session-affinity flag (R9) a router also builds a
//! [`SessionAffinity`]: requests with a session key take the key's deployment
//! and replica slot, whatever the strategy; requests without one use the
//! strategy.
//!
//! The registry builds a [`RouterTable`] for each router and never per
//! request (SPEC R6).

pub(crate) mod affinity;
mod even_load;
mod round_robin;

pub use affinity::{AffinityPick, SessionAffinity, session_hash};
pub use even_load::LoadTracker;
pub use round_robin::WeightedRoundRobin;

use rand_core::Rng;

use crate::error::Result;
use crate::names::ResourceName;
use crate::registry::RouteRequest;
use crate::router::Strategy;
use crate::selection::{SharedDraw, WeightedSelector, below};

/// A router's cached routing state (SPEC R6, R7).
#[derive(Debug, Clone)]
pub(crate) struct RouterTable {
    selector: WeightedSelector,
    plan: Plan,
    affinity: Affinity,
}

/// What the strategy needs beyond the weighted-random selector.
#[derive(Debug, Clone)]
enum Plan {
    Random,
    /// With the fingerprint of the router's deployment list.
    EvenLoad(even_load::Fingerprint),
    RoundRobin(WeightedRoundRobin),
}

/// The session-affinity state (SPEC R9).
#[derive(Debug, Clone)]
enum Affinity {
    /// The flag is off: session keys are ignored.
    Off,
    /// The flag is on.
    On(SessionAffinity),
    /// The flag is on but the router is too large for affinity: keyed
    /// requests get [`affinity::too_many_replicas`], unkeyed ones still
    /// route. (Holding the error instead would make every registry clone,
    /// which clones the tables, link `Error`'s `Clone` into the WebAssembly
    /// module.)
    TooLarge,
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
    /// The state for `strategy` (and session affinity when
    /// `session_affinity`) over `deployments` with `replicas` (same order);
    /// `None` when the replicas sum to 0.
    pub(crate) fn build(
        strategy: Strategy,
        session_affinity: bool,
        deployments: &[ResourceName],
        replicas: &[u32],
    ) -> Option<RouterTable> {
        let selector = WeightedSelector::new(replicas).ok()?;
        let plan = match strategy {
            Strategy::WeightedRandom => Plan::Random,
            Strategy::EvenLoad => Plan::EvenLoad(even_load::Fingerprint::of(deployments)),
            Strategy::WeightedRoundRobin => {
                Plan::RoundRobin(WeightedRoundRobin::new(replicas).ok()?)
            }
        };
        // The selector exists, so there are replicas, and a router's
        // deployments are distinct (SPEC R1): `new` can only fail on the
        // replica limit.
        let affinity = if session_affinity {
            SessionAffinity::new(
                deployments
                    .iter()
                    .map(ToString::to_string)
                    .zip(replicas.iter().copied()),
            )
            .map_or(Affinity::TooLarge, Affinity::On)
        } else {
            Affinity::Off
        };
        Some(RouterTable {
            selector,
            plan,
            affinity,
        })
    }

    /// [`pick_plain`](Self::pick_plain)'s draw, sharing the selector's
    /// table, when it is the selector's and one 32-bit draw (see
    /// [`SharedDraw`]): its pick is `pick_plain`'s.
    pub(crate) fn shared_draw(&self) -> Option<SharedDraw> {
        match &self.plan {
            Plan::Random | Plan::EvenLoad(_) => self.selector.shared_draw(),
            Plan::RoundRobin(_) => None,
        }
    }

    /// The strategy's pick for a request with no session key, cursor or
    /// load (SPEC R6, R7): a weighted-random draw for `weighted-random` and
    /// `even-load`, the pick at a drawn position for `weighted-round-robin`.
    /// The same draws and deployment as [`RouterTable::pick`] of such a
    /// request; cannot fail. Returns the deployment's index.
    pub(crate) fn pick_plain<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        match &self.plan {
            Plan::Random | Plan::EvenLoad(_) => self.selector.pick(rng) as usize,
            Plan::RoundRobin(rr) => rr.pick(below(rng, rr.total())) as usize,
        }
    }

    /// Picks a deployment for a request (SPEC R7-R9): a keyed request to a
    /// router with session affinity takes the key's slot; every other
    /// request goes by the strategy.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`](crate::Error::LimitExceeded) for a keyed
    /// request to a session-affinity router above
    /// [`MAX_SESSION_AFFINITY_REPLICAS`](crate::limits::MAX_SESSION_AFFINITY_REPLICAS);
    /// [`Error::NotFound`](crate::Error::NotFound) for an `even-load` pick
    /// whose tracker does not cover one of `deployments` with replicas.
    pub(crate) fn pick<R: Rng + ?Sized>(
        &self,
        request: &RouteRequest<'_>,
        deployments: &[ResourceName],
        rng: &mut R,
    ) -> Result<Pick> {
        if let Some(key) = request.session_key {
            let affinity = match &self.affinity {
                Affinity::Off => None,
                Affinity::On(affinity) => Some(affinity),
                Affinity::TooLarge => {
                    return Err(affinity::too_many_replicas(self.selector.total()));
                }
            };
            if let Some(affinity) = affinity {
                let pick = affinity.pick(key);
                return Ok(Pick {
                    index: pick.deployment as usize,
                    replica: Some(pick.replica),
                    next_cursor: None,
                });
            }
        }
        let index = match (&self.plan, request.load) {
            (Plan::Random, _) | (Plan::EvenLoad(_), None) => self.selector.pick(rng) as usize,
            (Plan::EvenLoad(fingerprint), Some(load)) => {
                even_load::pick(&self.selector, deployments, fingerprint, load, rng)?
            }
            (Plan::RoundRobin(rr), _) => {
                let cursor = match request.cursor {
                    Some(c) => c,
                    None => below(rng, rr.total()),
                };
                return Ok(Pick {
                    index: rr.pick(cursor) as usize,
                    replica: None,
                    next_cursor: Some(rr.next_cursor(cursor)),
                });
            }
        };
        Ok(Pick {
            index,
            replica: None,
            next_cursor: None,
        })
    }
}
