//! Migration plans: their data, JSON form and consistency check (SPEC M2, M6).

use super::Schedule;
use super::action::{MigrationAction, Side};
use crate::error::{Error, Result};
use crate::limits::MAX_SNAPSHOT_BYTES;
use crate::names::ResourceName;
use crate::share::Fraction;
use crate::support::json::{Field, ReadError, Value, Writer};

/// The plan JSON format version this build reads and writes.
const FORMAT_VERSION: u64 = 1;

/// One deployment as a plan sees it, before or after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct DeploymentState {
    /// The deployment exists (`to` may not exist yet, or any more).
    pub exists: bool,
    /// The router lists it.
    pub in_router: bool,
    /// Its replica count (0 when it does not exist).
    pub replicas: u32,
    /// Its minimum replica bound.
    pub min_replicas: u32,
    /// Its maximum replica bound.
    pub max_replicas: u32,
}

impl DeploymentState {
    /// Replicas serving in the router.
    pub fn serving(&self) -> u64 {
        if self.exists && self.in_router {
            u64::from(self.replicas)
        } else {
            0
        }
    }

    /// Replicas that exist, serving or not.
    pub fn count(&self) -> u64 {
        if self.exists {
            u64::from(self.replicas)
        } else {
            0
        }
    }
}

/// `from` and `to` before or after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct PlanState {
    /// The deployment traffic moves away from.
    pub from: DeploymentState,
    /// The deployment traffic moves to.
    pub to: DeploymentState,
}

impl PlanState {
    pub(crate) fn get(&self, side: Side) -> &DeploymentState {
        match side {
            Side::From => &self.from,
            Side::To => &self.to,
        }
    }

    pub(crate) fn get_mut(&mut self, side: Side) -> &mut DeploymentState {
        match side {
            Side::From => &mut self.from,
            Side::To => &mut self.to,
        }
    }

    /// From+to replicas serving in the router (what the floor counts).
    pub fn serving(&self) -> u64 {
        self.from.serving() + self.to.serving()
    }

    /// From+to replicas, serving or not (what the ceiling counts).
    pub fn total(&self) -> u64 {
        self.from.count() + self.to.count()
    }

    /// `to`'s exact share of the from+to traffic (0 when neither serves).
    pub fn to_share(&self) -> Fraction {
        Fraction::new(self.to.serving(), self.serving()).unwrap_or(Fraction::ZERO)
    }
}

/// One deployment's traffic share after a step (SPEC R5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StepShare {
    /// The deployment.
    pub deployment: ResourceName,
    /// Its replicas.
    pub replicas: u32,
    /// Its exact share of the router's traffic.
    pub share: Fraction,
}

/// A router deployment the plan does not touch, with its replicas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DeploymentReplicas {
    /// The deployment.
    pub deployment: ResourceName,
    /// Its replicas.
    pub replicas: u32,
}

/// One step of a plan (SPEC M2): its ordered actions, then the state, the
/// exact split and the realised `to` share after it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MigrationStep {
    /// The share of the from+to traffic this step aimed at for `to` (the
    /// schedule's percentage, or the cap of a maximum-shift step).
    pub requested_share: Fraction,
    /// The actions, in order.
    pub actions: Vec<MigrationAction>,
    /// `from` and `to` after the step.
    pub state: PlanState,
    /// The router's exact split after the step, in the router's order.
    pub split: Vec<StepShare>,
    /// `to`'s realised share of the from+to traffic after the step.
    pub to_share: Fraction,
}

impl MigrationStep {
    /// `to`'s replicas after the step.
    pub fn to_replicas(&self) -> u32 {
        self.state.to.replicas
    }

    /// `from`'s replicas after the step.
    pub fn from_replicas(&self) -> u32 {
        self.state.from.replicas
    }
}

/// Whether a plan migrates or rolls a migration back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanKind {
    /// A migration from [`Registry::plan_migration`](crate::Registry::plan_migration).
    Migration,
    /// A rollback from [`MigrationPlan::rollback`]: its `from` is the original
    /// `to` and its `to` the original `from`.
    Rollback {
        /// The zero-based step of the rolled-back plan it starts after.
        after_step: usize,
    },
}

impl PlanKind {
    /// The kind's name in every language: `"migration"` or `"rollback"` (the
    /// plan JSON writes a migration's kind as this string and a rollback's
    /// as `{"rollback": {"after_step": n}}`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PlanKind::Migration => "migration",
            PlanKind::Rollback { .. } => "rollback",
        }
    }
}

/// Everything a plan holds; `MigrationPlan` wraps it so that plans can only
/// be made by the planner or by a validated [`MigrationPlan::from_json`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PlanData {
    pub(crate) format_version: u64,
    pub(crate) kind: PlanKind,
    pub(crate) router: ResourceName,
    pub(crate) from: ResourceName,
    pub(crate) to: ResourceName,
    /// The model a created deployment gets (`from`'s model of the migration).
    pub(crate) model: ResourceName,
    pub(crate) target_replicas: u32,
    pub(crate) min_total_replicas: u32,
    /// The floor actions keep: the requested floor, at least 1 when the
    /// router has no other serving replicas (lowered for rollbacks to
    /// non-serving states).
    pub(crate) effective_floor: u32,
    pub(crate) max_total_replicas: Option<u32>,
    pub(crate) schedule: Schedule,
    /// Every deployment the router lists at any moment, in the order it lists
    /// them: the initial list with a new `to` appended.
    pub(crate) router_order: Vec<ResourceName>,
    pub(crate) others: Vec<DeploymentReplicas>,
    pub(crate) initial: PlanState,
    pub(crate) steps: Vec<MigrationStep>,
}

/// A zero-downtime migration plan (SPEC M2, M6): ordered steps, each with
/// its actions and the state, exact split and realised `to` share after it.
///
/// Made by [`Registry::plan_migration`](crate::Registry::plan_migration) or
/// [`MigrationPlan::rollback`]; serializes with [`MigrationPlan::to_json`];
/// renders with [`MigrationPlan::firectl_commands`] and
/// [`MigrationPlan::table`] (also its `Display`); applies with
/// [`Registry::apply_step`](crate::Registry::apply_step).
///
/// # Rules, and how the ambiguous ones are read
///
/// - **Shares.** The requested and realised shares are `to`'s share of the
///   from+to traffic, `t / (t + f)`; [`MigrationStep::split`] holds the whole
///   router's split.
/// - **Floor (M3).** It counts from+to replicas *serving* in the router
///   (`to` counts once it is added). An action that lowers that count must
///   leave it at or above the floor; when the count starts below the floor it
///   can therefore only rise until it reaches the floor. When the router has
///   no other serving replicas, the floor is at least 1 so the router never
///   stops serving. The default floor is `min(initial serving from+to,
///   target)`.
/// - **Ceiling (M3).** It counts every from+to replica, serving or not (a
///   `to` outside the router still costs capacity).
/// - **Best state (M4).** Among the states one step can reach without
///   breaking an invariant, the one closest to the requested share, ties to
///   fewer from+to replicas, then more `to` replicas. A step whose realised
///   state equals the previous one is left out (M2), so a plan may have fewer
///   steps than the schedule. Explicit steps are met as closely as the
///   constraints allow; only a final state that cannot be reached is an
///   [`InfeasiblePlan`](crate::Error::InfeasiblePlan) error.
/// - **Maximum shift (M4).** The plan has the fewest steps that keep every
///   realised shift within the maximum, as the issue requires. M4's greedy
///   reading (each step the largest share within the maximum) is not always
///   fewest and can even stall where a plan exists, so the planner searches
///   exactly and each step takes the largest share (then fewer replicas, then
///   more `to`) among the states that keep the total fewest. For more than
///   about a hundred replicas a side, where shares are dense, it takes M4's
///   largest share within the maximum at each step, ties going to more
///   replicas. No plan is an error naming the smallest workable maximum and,
///   when it helps, a workable ceiling.
/// - **`to`.** Created in the first step that gives it replicas, directly
///   with that step's count (`firectl deployment create ... --min-replica-count=N
///   --max-replica-count=N`, flags omitted for the default 1), with `from`'s
///   model, and added to the router right after. An existing `to` outside the
///   router is added as the first action of the first step. `to`'s replicas
///   never fall, so a `to` above the target is an error.
/// - **Action order (M3).** Within a step, scale-ups first when the ceiling
///   allows, else scale-downs first when the floor allows, else alternating
///   scale-ups and scale-downs as large as the ceiling and floor allow,
///   starting with whichever direction needs fewer actions (scale-ups on a
///   tie). The last step scales `from` to 0 and then removes it from the
///   router; `from` itself is not deleted.
/// - **Rollback (M6).** `rollback(after_step)` is a one-step plan from the
///   state after that step straight back to the initial state, with the roles
///   of `from` and `to` exchanged: the same ceiling, the floor lowered to the
///   initial serving count if that was below it, `to` scaled back and removed
///   or deleted if the plan added or created it, and every replica bound
///   restored, so the registry's JSON snapshot equals the initial one.
/// - **CLI rendering.** Routers and deployments by bare ID, as the reference
///   does (they are all in the router's account); models by full name.
///
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MigrationPlan {
    pub(crate) data: PlanData,
}

impl MigrationPlan {
    /// Migration or rollback.
    pub fn kind(&self) -> PlanKind {
        self.data.kind
    }
    /// The router.
    pub fn router(&self) -> &ResourceName {
        &self.data.router
    }
    /// The deployment traffic moves away from.
    pub fn from(&self) -> &ResourceName {
        &self.data.from
    }
    /// The deployment traffic moves to.
    pub fn to(&self) -> &ResourceName {
        &self.data.to
    }
    /// The model a deployment created by the plan gets.
    pub fn model(&self) -> &ResourceName {
        &self.data.model
    }
    /// `to`'s replicas at the end.
    pub fn target_replicas(&self) -> u32 {
        self.data.target_replicas
    }
    /// The capacity floor (requested or default).
    pub fn min_total_replicas(&self) -> u32 {
        self.data.min_total_replicas
    }
    /// The floor the actions keep (SPEC M3): [`MigrationPlan::min_total_replicas`],
    /// or the from+to replicas serving at the start when they start below it
    /// (they then never fall below that count); at least 1 when the router
    /// has no other serving replicas.
    pub fn effective_floor(&self) -> u32 {
        self.data.effective_floor
    }
    /// The surge ceiling, if any.
    pub fn max_total_replicas(&self) -> Option<u32> {
        self.data.max_total_replicas
    }
    /// The schedule (for a rollback, the rolled-back plan's).
    pub fn schedule(&self) -> &Schedule {
        &self.data.schedule
    }
    /// The router's other deployments, untouched by the plan.
    pub fn others(&self) -> &[DeploymentReplicas] {
        &self.data.others
    }
    /// `from` and `to` before the first step.
    pub fn initial(&self) -> &PlanState {
        &self.data.initial
    }
    /// The steps, in order.
    pub fn steps(&self) -> &[MigrationStep] {
        &self.data.steps
    }
    /// The state before step `index` (the initial state for 0).
    pub(crate) fn state_before(&self, index: usize) -> PlanState {
        index
            .checked_sub(1)
            .and_then(|i| self.data.steps.get(i))
            .map_or(self.data.initial, |s| s.state)
    }

    /// The plan as JSON (SPEC M6); [`MigrationPlan::from_json`] gives back an
    /// equal plan.
    pub fn to_json(&self) -> String {
        let mut w = Writer::default();
        self.write(&mut w);
        w.finish()
    }

    /// Writes the plan (the text of [`MigrationPlan::to_json`], or the
    /// value tree serde serializes).
    pub(crate) fn write(&self, w: &mut Writer) {
        self.data.write(w);
    }

    /// Loads a plan written by [`MigrationPlan::to_json`].
    ///
    /// The plan is checked: names of the right kinds, every action applicable
    /// in order, each step's state, split and share as its actions leave
    /// them, and the M3 floor, ceiling and monotonicity after every action.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] above the snapshot size limit;
    /// [`Error::InvalidPlanJson`] for malformed JSON, an unknown format
    /// version or an inconsistent plan.
    pub fn from_json(json: &str) -> Result<MigrationPlan> {
        if json.len() > MAX_SNAPSHOT_BYTES {
            return Err(Error::LimitExceeded {
                what: "migration plan JSON bytes",
                limit: MAX_SNAPSHOT_BYTES,
                got: json.len(),
            });
        }
        let value = crate::support::json::parse(json)
            .map_err(|message| Error::InvalidPlanJson { message })?;
        MigrationPlan::from_value(&value)
    }

    /// Loads and checks a plan from a JSON value tree (see
    /// [`MigrationPlan::from_json`]).
    pub(crate) fn from_value(value: &Value) -> Result<MigrationPlan> {
        let invalid = |message| Error::InvalidPlanJson { message };
        let root = Field::root(value);
        // The version first, so that a future format is reported as such.
        let unreadable = |e: ReadError| invalid(e.into_message());
        match root.format_version().map_err(unreadable)? {
            Some(FORMAT_VERSION) => {}
            Some(found) => {
                return Err(invalid(format!(
                    "format_version {found} is not supported: this build reads version {FORMAT_VERSION}"
                )));
            }
            None => return Err(invalid("missing field `format_version`".into())),
        }
        let data = PlanData::from_value(root).map_err(unreadable)?;
        data.verify().map_err(invalid)?;
        Ok(MigrationPlan { data })
    }
}

impl PlanData {
    /// A plan frame with no steps yet.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        kind: PlanKind,
        router: ResourceName,
        from: ResourceName,
        to: ResourceName,
        model: ResourceName,
        schedule: Schedule,
        router_order: Vec<ResourceName>,
        others: Vec<DeploymentReplicas>,
        initial: PlanState,
    ) -> PlanData {
        PlanData {
            format_version: FORMAT_VERSION,
            kind,
            router,
            from,
            to,
            model,
            target_replicas: 0,
            min_total_replicas: 0,
            effective_floor: 0,
            max_total_replicas: None,
            schedule,
            router_order,
            others,
            initial,
            steps: Vec::new(),
        }
    }

    pub(crate) fn name(&self, side: Side) -> &ResourceName {
        match side {
            Side::From => &self.from,
            Side::To => &self.to,
        }
    }

    pub(crate) fn side_of(&self, deployment: &ResourceName) -> Option<Side> {
        if deployment == &self.from {
            Some(Side::From)
        } else if deployment == &self.to {
            Some(Side::To)
        } else {
            None
        }
    }

    /// The router's deployments in `state`, in order.
    pub(crate) fn router_list(&self, state: &PlanState) -> Vec<ResourceName> {
        let mut list = Vec::new();
        for d in &self.router_order {
            if self.side_of(d).is_none_or(|side| state.get(side).in_router) {
                list.push(d.clone());
            }
        }
        list
    }

    /// The router's exact split in `state` (empty when nothing serves).
    pub(crate) fn split(&self, state: &PlanState) -> Vec<StepShare> {
        let mut split = Vec::new();
        let mut total = 0;
        for deployment in &self.router_order {
            let replicas = match self.side_of(deployment) {
                Some(side) if !state.get(side).in_router => continue,
                Some(side) => state.get(side).replicas,
                None => self
                    .others
                    .iter()
                    .find(|o| &o.deployment == deployment)
                    .map_or(0, |o| o.replicas),
            };
            total += u64::from(replicas);
            split.push(StepShare {
                deployment: deployment.clone(),
                replicas,
                share: Fraction::ZERO,
            });
        }
        if total == 0 {
            return Vec::new();
        }
        for s in &mut split {
            s.share = Fraction::new(u64::from(s.replicas), total).unwrap_or(Fraction::ZERO);
        }
        split
    }

    /// A finished step from `before` to `after` with its actions.
    pub(crate) fn step(
        &self,
        requested_share: Fraction,
        actions: Vec<MigrationAction>,
        after: PlanState,
    ) -> MigrationStep {
        MigrationStep {
            requested_share,
            actions,
            split: self.split(&after),
            to_share: after.to_share(),
            state: after,
        }
    }
}
