//! Plan actions and their order within a step (SPEC M2, M3).

use super::MAX_PLAN_ACTIONS;
use super::infeasible::Infeasibility;
use super::order::order_moves;
use super::plan::{DeploymentState, PlanData, PlanState};
use crate::error::{Error, Result};
use crate::names::ResourceName;

/// One action of a plan (SPEC M2). Each maps to one reference CLI command
/// ([`MigrationAction::firectl_command`]) and one registry call.
///
/// Serializes with an `"action"` tag: `{"action": "set_replica_bounds",
/// "deployment": "...", "min_replicas": 4, "max_replicas": 4}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MigrationAction {
    /// Create `to` with `replicas` replicas (min = max = `replicas`).
    CreateDeployment {
        /// The deployment to create.
        deployment: ResourceName,
        /// Its model.
        model: ResourceName,
        /// Its replica count and both bounds.
        replicas: u32,
    },
    /// Add a deployment to the router; `deployments` is the router's whole
    /// list afterwards, as `firectl router update --deployments` takes it.
    AddToRouter {
        /// The router.
        router: ResourceName,
        /// The deployment added.
        deployment: ResourceName,
        /// The router's deployments afterwards, in order.
        deployments: Vec<ResourceName>,
    },
    /// Set a deployment's replica bounds; plans scale with `min = max`, and
    /// rollbacks end by restoring the original bounds.
    SetReplicaBounds {
        /// The deployment.
        deployment: ResourceName,
        /// The new minimum.
        min_replicas: u32,
        /// The new maximum.
        max_replicas: u32,
    },
    /// Remove a deployment from the router; `deployments` is the router's
    /// whole list afterwards.
    RemoveFromRouter {
        /// The router.
        router: ResourceName,
        /// The deployment removed.
        deployment: ResourceName,
        /// The router's deployments afterwards, in order.
        deployments: Vec<ResourceName>,
    },
    /// Delete a deployment the plan created (rollbacks only).
    DeleteDeployment {
        /// The deployment.
        deployment: ResourceName,
    },
}

/// The kind of a [`MigrationAction`], and its one name (STYLE 12): the plan
/// JSON's `"action"` tag, Python's `MigrationAction.kind` and, in camelCase,
/// JS's `type` all spell [`ActionKind::as_str`].
///
/// ```
/// use replica_router::ActionKind;
/// assert_eq!(ActionKind::SetReplicaBounds.as_str(), "set_replica_bounds");
/// assert_eq!("add_to_router".parse(), Ok(ActionKind::AddToRouter));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActionKind {
    /// [`MigrationAction::CreateDeployment`].
    CreateDeployment,
    /// [`MigrationAction::AddToRouter`].
    AddToRouter,
    /// [`MigrationAction::SetReplicaBounds`].
    SetReplicaBounds,
    /// [`MigrationAction::RemoveFromRouter`].
    RemoveFromRouter,
    /// [`MigrationAction::DeleteDeployment`].
    DeleteDeployment,
}

impl ActionKind {
    /// Every kind, in declaration order.
    pub const ALL: [ActionKind; 5] = [
        ActionKind::CreateDeployment,
        ActionKind::AddToRouter,
        ActionKind::SetReplicaBounds,
        ActionKind::RemoveFromRouter,
        ActionKind::DeleteDeployment,
    ];

    /// The kind's name, snake_case: `"create_deployment"`, `"add_to_router"`,
    /// `"set_replica_bounds"`, `"remove_from_router"`, `"delete_deployment"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionKind::CreateDeployment => "create_deployment",
            ActionKind::AddToRouter => "add_to_router",
            ActionKind::SetReplicaBounds => "set_replica_bounds",
            ActionKind::RemoveFromRouter => "remove_from_router",
            ActionKind::DeleteDeployment => "delete_deployment",
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ActionKind {
    /// The unknown name itself.
    type Err = String;

    /// The kind named `name` ([`ActionKind::as_str`]).
    fn from_str(name: &str) -> std::result::Result<ActionKind, String> {
        ActionKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| name.to_owned())
    }
}

impl MigrationAction {
    /// This action's kind, which names it in every language.
    pub fn kind(&self) -> ActionKind {
        match self {
            MigrationAction::CreateDeployment { .. } => ActionKind::CreateDeployment,
            MigrationAction::AddToRouter { .. } => ActionKind::AddToRouter,
            MigrationAction::SetReplicaBounds { .. } => ActionKind::SetReplicaBounds,
            MigrationAction::RemoveFromRouter { .. } => ActionKind::RemoveFromRouter,
            MigrationAction::DeleteDeployment { .. } => ActionKind::DeleteDeployment,
        }
    }
}

/// `from` or `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    From,
    To,
}

impl Side {
    pub(crate) fn other(self) -> Side {
        match self {
            Side::From => Side::To,
            Side::To => Side::From,
        }
    }
}

impl PlanData {
    /// Applies an action to an abstract state, checking that it fits the plan
    /// (its deployments, router and model) and the state.
    pub(crate) fn apply_abstract(
        &self,
        state: &mut PlanState,
        action: &MigrationAction,
    ) -> std::result::Result<(), String> {
        let side = |d: &ResourceName| {
            self.side_of(d)
                .ok_or_else(|| format!("'{d}' is neither the plan's from nor its to"))
        };
        let router_is = |r: &ResourceName| {
            if r == &self.router {
                Ok(())
            } else {
                Err(format!("'{r}' is not the plan's router"))
            }
        };
        match action {
            MigrationAction::CreateDeployment {
                deployment,
                model,
                replicas,
            } => {
                let s = state.get_mut(side(deployment)?);
                if s.exists {
                    return Err(format!("'{deployment}' already exists"));
                }
                if model != &self.model {
                    return Err(format!("'{model}' is not the plan's model"));
                }
                *s = DeploymentState {
                    exists: true,
                    in_router: false,
                    replicas: *replicas,
                    min_replicas: *replicas,
                    max_replicas: *replicas,
                };
            }
            MigrationAction::AddToRouter {
                router,
                deployment,
                deployments,
            }
            | MigrationAction::RemoveFromRouter {
                router,
                deployment,
                deployments,
            } => {
                router_is(router)?;
                let adding = matches!(action, MigrationAction::AddToRouter { .. });
                let s = state.get_mut(side(deployment)?);
                if !s.exists || s.in_router == adding {
                    return Err(format!(
                        "'{deployment}' cannot be {} the router",
                        if adding { "added to" } else { "removed from" }
                    ));
                }
                s.in_router = adding;
                if deployments != &self.router_list(state) || deployments.is_empty() {
                    return Err("the router's deployment list does not match".into());
                }
            }
            MigrationAction::SetReplicaBounds {
                deployment,
                min_replicas,
                max_replicas,
            } => {
                let s = state.get_mut(side(deployment)?);
                if !s.exists || min_replicas > max_replicas {
                    return Err(format!("'{deployment}' cannot take these bounds"));
                }
                s.min_replicas = *min_replicas;
                s.max_replicas = *max_replicas;
                s.replicas = s.replicas.clamp(*min_replicas, *max_replicas);
            }
            MigrationAction::DeleteDeployment { deployment } => {
                let s = state.get_mut(side(deployment)?);
                if !s.exists || s.in_router {
                    return Err(format!("'{deployment}' cannot be deleted"));
                }
                *s = DeploymentState::default();
            }
        }
        Ok(())
    }

    /// The actions from state `a` to state `b` (SPEC M3 order): deployments
    /// joining the router, scale moves (creating a missing deployment with
    /// its first move), deployments leaving it, deletions, restored bounds.
    /// `up` is the side whose replicas rise. Counts against `budget`.
    pub(crate) fn transition(
        &self,
        a: &PlanState,
        b: &PlanState,
        up: Side,
        budget: &mut usize,
    ) -> Result<Vec<MigrationAction>> {
        let unreachable = || Error::InfeasiblePlan {
            reason: Infeasibility::NoActionOrder {
                to_replicas: b.to.replicas,
                from_replicas: b.from.replicas,
                floor: self.effective_floor,
                max_total_replicas: self.max_total_replicas,
            },
        };
        let mut acts = Actions {
            plan: self,
            state: *a,
            out: Vec::new(),
            failed: false,
        };
        let down = up.other();
        for side in [up, down] {
            let (now, then) = (*acts.state.get(side), *b.get(side));
            if now.exists && !now.in_router && then.in_router {
                acts.emit(self.add(&acts.state, side));
            }
            if !now.exists && then.exists && then.replicas == 0 {
                acts.emit(self.create(side, 0));
                if then.in_router {
                    acts.emit(self.add(&acts.state, side));
                }
            }
        }
        if acts.failed {
            return Err(unreachable());
        }
        let count = |s: &DeploymentState| if s.exists { s.replicas } else { 0 };
        let state = acts.state;
        let moves = order_moves(
            up,
            (count(state.get(up)), count(b.get(up))),
            (count(state.get(down)), count(b.get(down))),
            state.total(),
            state.serving(),
            u64::from(self.effective_floor),
            self.max_total_replicas.map(u64::from),
            *budget,
        )?
        .ok_or_else(unreachable)?;
        for (side, replicas) in moves {
            if acts.state.get(side).exists {
                acts.emit(self.bounds(side, replicas, replicas));
            } else {
                acts.emit(self.create(side, replicas));
                if b.get(side).in_router {
                    acts.emit(self.add(&acts.state, side));
                }
            }
        }
        for side in [down, up] {
            if acts.state.get(side).in_router && !b.get(side).in_router {
                acts.emit(self.remove(&acts.state, side));
            }
        }
        for side in [down, up] {
            if acts.state.get(side).exists && !b.get(side).exists {
                acts.emit(self.delete(side));
            }
        }
        for side in [down, up] {
            let (now, then) = (*acts.state.get(side), *b.get(side));
            if then.exists
                && (now.min_replicas, now.max_replicas) != (then.min_replicas, then.max_replicas)
            {
                acts.emit(self.bounds(side, then.min_replicas, then.max_replicas));
            }
        }
        if acts.failed || acts.state != *b {
            return Err(unreachable());
        }
        let out = acts.out;
        if out.len() > *budget {
            return Err(Error::LimitExceeded {
                what: "migration plan actions",
                limit: MAX_PLAN_ACTIONS,
                got: MAX_PLAN_ACTIONS - *budget + out.len(),
            });
        }
        *budget -= out.len();
        Ok(out)
    }

    fn create(&self, side: Side, replicas: u32) -> MigrationAction {
        MigrationAction::CreateDeployment {
            deployment: self.name(side).clone(),
            model: self.model.clone(),
            replicas,
        }
    }

    fn add(&self, state: &PlanState, side: Side) -> MigrationAction {
        let mut after = *state;
        after.get_mut(side).in_router = true;
        MigrationAction::AddToRouter {
            router: self.router.clone(),
            deployment: self.name(side).clone(),
            deployments: self.router_list(&after),
        }
    }

    fn remove(&self, state: &PlanState, side: Side) -> MigrationAction {
        let mut after = *state;
        after.get_mut(side).in_router = false;
        MigrationAction::RemoveFromRouter {
            router: self.router.clone(),
            deployment: self.name(side).clone(),
            deployments: self.router_list(&after),
        }
    }

    fn bounds(&self, side: Side, min_replicas: u32, max_replicas: u32) -> MigrationAction {
        MigrationAction::SetReplicaBounds {
            deployment: self.name(side).clone(),
            min_replicas,
            max_replicas,
        }
    }

    fn delete(&self, side: Side) -> MigrationAction {
        MigrationAction::DeleteDeployment {
            deployment: self.name(side).clone(),
        }
    }
}

/// A step's actions as [`PlanData::transition`] builds them, each applied to
/// the abstract state as it is emitted.
struct Actions<'a> {
    plan: &'a PlanData,
    state: PlanState,
    out: Vec<MigrationAction>,
    /// An action did not apply: the transition is impossible. Later actions
    /// are still collected (and then dropped); the caller checks this flag
    /// before anything else can fail.
    failed: bool,
}

impl Actions<'_> {
    fn emit(&mut self, action: MigrationAction) {
        if self.plan.apply_abstract(&mut self.state, &action).is_err() {
            self.failed = true;
        }
        self.out.push(action);
    }
}
