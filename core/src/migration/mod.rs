//! Zero-downtime traffic migration plans (SPEC M1-M6).
//!
//! | rule | items |
//! | --- | --- |
//! | M1 request | [`MigrationRequest`], [`Schedule`] |
//! | M2 steps and actions | [`MigrationPlan`], [`MigrationStep`], [`MigrationAction`], [`ActionKind`] |
//! | M3-M4 invariants and optimal steps | [`Registry::plan_migration`](crate::Registry::plan_migration) |
//! | M4 infeasibility | [`Infeasibility`] |
//! | M5 the reference example | [`Registry::plan_migration`](crate::Registry::plan_migration) |
//! | M6 JSON, CLI commands, apply, rollback | [`MigrationPlan::to_json`], [`MigrationPlan::firectl_commands`], [`Registry::apply_step`](crate::Registry::apply_step), [`MigrationPlan::rollback`] |
//!
//! [`Registry::plan_migration`](crate::Registry::plan_migration) turns a
//! [`MigrationRequest`] into a [`MigrationPlan`]: ordered steps, each with its
//! actions and the replica counts, exact split and realised `to` share after
//! it. A plan never changes the registry; [`Registry::apply_step`](crate::Registry::apply_step)
//! applies one step, [`MigrationPlan::rollback`] plans the way back.
//!
//! The rules, and how the ambiguous ones are read, are on [`MigrationPlan`].
//!
//! # Cost
//!
//! Each explicit step's search is exact and takes O(log² n) time for replica
//! counts up to n (see `search.rs`): plans for `u32::MAX` replicas are
//! instant. A maximum-shift schedule whose M4 greedy plan meets the
//! closed-form step bound costs O(steps · log² n); otherwise a witness walk
//! builds M4's plan step by step, proving each state can finish in the
//! steps left (see `walk.rs`; under a millisecond for 100,000 replicas a
//! side with floor 0 at 1 point). What the walk cannot settle within its
//! budget an exact search decides, sweeping rows of `to` counts once per
//! step (see `stepwise.rs`); it stops with
//! [`Error::LimitExceeded`](crate::Error::LimitExceeded) past 262,144 rows
//! rather than return a plan it cannot prove fewest.
//! Action lists can be long only when a tight floor and ceiling force a
//! rolling update; plans stop with
//! [`Error::LimitExceeded`](crate::Error::LimitExceeded) beyond
//! [`MAX_PLAN_ACTIONS`] actions or [`MAX_PLAN_STEPS`] steps.

mod action;
mod apply;
mod exact;
mod infeasible;
mod lattice;
mod order;
mod plan;
pub(crate) mod plan_json;
mod planner;
mod render;
mod search;
mod stepwise;
mod verify;
mod walk;

pub use action::{ActionKind, MigrationAction};
pub use infeasible::{Fixes, Infeasibility, StepMismatch};
pub use plan::{
    DeploymentReplicas, DeploymentState, MigrationPlan, MigrationStep, PlanKind, PlanState,
    StepShare,
};

/// Most actions one plan may hold (a rolling update with a ceiling just above
/// the floor needs about two actions per replica moved).
pub const MAX_PLAN_ACTIONS: usize = 100_000;

/// Most steps one plan may hold.
pub const MAX_PLAN_STEPS: usize = 10_000;

/// How traffic moves to `to` (SPEC M1).
///
/// Serializes as `{"steps": [20, 80, 100]}` or `{"max_step": 20}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// Explicit steps: after each, this percentage of the from+to traffic
    /// goes to `to`. Strictly increasing, each 1 to 100, ending at 100.
    Steps(Vec<u32>),
    /// At most this many percentage points of the from+to traffic move per
    /// step (1 to 100); each step takes the largest share within it, giving
    /// the fewest steps.
    MaxStep(u32),
}

impl Schedule {
    /// Checks the schedule alone (SPEC M1).
    ///
    /// # Errors
    /// [`Error::EmptyTrafficSteps`](crate::Error::EmptyTrafficSteps),
    /// [`Error::TrafficStepOutOfRange`](crate::Error::TrafficStepOutOfRange),
    /// [`Error::TrafficStepsNotIncreasing`](crate::Error::TrafficStepsNotIncreasing),
    /// [`Error::TrafficStepsIncomplete`](crate::Error::TrafficStepsIncomplete),
    /// [`Error::InvalidMaxStep`](crate::Error::InvalidMaxStep),
    /// [`Error::LimitExceeded`](crate::Error::LimitExceeded) for more than
    /// [`MAX_TRAFFIC_STEPS`](crate::limits::MAX_TRAFFIC_STEPS) steps.
    pub fn validate(&self) -> crate::Result<()> {
        use crate::Error;
        match self {
            Schedule::MaxStep(value) => {
                if *value == 0 || *value > 100 {
                    return Err(Error::InvalidMaxStep { value: *value });
                }
            }
            Schedule::Steps(steps) => {
                let Some(&last) = steps.last() else {
                    return Err(Error::EmptyTrafficSteps);
                };
                if steps.len() > crate::limits::MAX_TRAFFIC_STEPS {
                    return Err(Error::LimitExceeded {
                        what: "traffic steps",
                        limit: crate::limits::MAX_TRAFFIC_STEPS,
                        got: steps.len(),
                    });
                }
                for (index, &value) in steps.iter().enumerate() {
                    if value == 0 || value > 100 {
                        return Err(Error::TrafficStepOutOfRange { index, value });
                    }
                    if let Some(&previous) = index.checked_sub(1).and_then(|i| steps.get(i))
                        && value <= previous
                    {
                        return Err(Error::TrafficStepsNotIncreasing {
                            index,
                            previous,
                            value,
                        });
                    }
                }
                if last != 100 {
                    return Err(Error::TrafficStepsIncomplete { last });
                }
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schedule::Steps(steps) => {
                let steps: Vec<String> = steps.iter().map(|s| format!("{s}%")).collect();
                write!(f, "steps {}", steps.join(", "))
            }
            Schedule::MaxStep(m) => write!(f, "at most {m} percentage points per step"),
        }
    }
}

/// What to migrate: the input of
/// [`Registry::plan_migration`](crate::Registry::plan_migration) (SPEC M1).
///
/// Names are full resource names or bare IDs of the registry's account.
///
/// ```
/// use replica_router::{MigrationRequest, Schedule};
/// let request = MigrationRequest::new(
///     "my-router",
///     "current-deployment",
///     "new-deployment",
///     Schedule::Steps(vec![20, 80, 100]),
/// )
/// .target_replicas(4);
/// assert_eq!(request.target_replicas, Some(4));
/// assert_eq!(request.min_total_replicas, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationRequest {
    /// The router whose traffic moves.
    pub router: String,
    /// The deployment traffic moves away from; it must be in the router.
    pub from: String,
    /// The deployment traffic moves to: created with `from`'s model if it
    /// does not exist, added to the router if it is not in it.
    pub to: String,
    /// `to`'s replicas at the end; default: `from`'s current count.
    pub target_replicas: Option<u32>,
    /// How the traffic moves.
    pub schedule: Schedule,
    /// Capacity floor: fewest from+to replicas serving in the router at any
    /// moment; default `min(initial serving from+to, target)`.
    pub min_total_replicas: Option<u32>,
    /// Surge ceiling: most from+to replicas, serving or not, at any moment;
    /// default none.
    pub max_total_replicas: Option<u32>,
}

impl MigrationRequest {
    /// A request with the default target, floor and ceiling.
    pub fn new(
        router: impl Into<String>,
        from: impl Into<String>,
        to: impl Into<String>,
        schedule: Schedule,
    ) -> MigrationRequest {
        MigrationRequest {
            router: router.into(),
            from: from.into(),
            to: to.into(),
            target_replicas: None,
            schedule,
            min_total_replicas: None,
            max_total_replicas: None,
        }
    }

    /// Sets `to`'s target replica count.
    pub fn target_replicas(mut self, replicas: u32) -> MigrationRequest {
        self.target_replicas = Some(replicas);
        self
    }

    /// Sets the schedule.
    pub fn schedule(mut self, schedule: Schedule) -> MigrationRequest {
        self.schedule = schedule;
        self
    }

    /// Sets the capacity floor.
    pub fn min_total_replicas(mut self, replicas: u32) -> MigrationRequest {
        self.min_total_replicas = Some(replicas);
        self
    }

    /// Sets the surge ceiling.
    pub fn max_total_replicas(mut self, replicas: u32) -> MigrationRequest {
        self.max_total_replicas = Some(replicas);
        self
    }
}
