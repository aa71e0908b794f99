//! Applying plan steps to a registry, and rollback plans (SPEC M6).

use super::MAX_PLAN_ACTIONS;
use super::action::{MigrationAction, Side};
use super::infeasible::StepMismatch;
use super::plan::{MigrationPlan, PlanData, PlanKind, PlanState};
use crate::deployment::{DeploymentSpec, DeploymentUpdate};
use crate::error::{Error, Result};
use crate::registry::Registry;
use crate::router::RouterUpdate;

impl Registry {
    /// Applies step `step` (zero-based) of `plan` (SPEC M6): checks that the
    /// router and the plan's deployments are exactly in the state the step
    /// starts from, then runs its actions through the registry's own
    /// operations. Atomic: on any error the registry is exactly as before.
    ///
    /// # Errors
    /// [`Error::StepOutOfRange`]; [`Error::StepNotApplicable`] naming the
    /// first difference between the registry and the step's starting state;
    /// any error of the underlying operations (for example
    /// [`Error::PermissionDenied`] when acting as another account).
    pub fn apply_step(&mut self, plan: &MigrationPlan, step: usize) -> Result<()> {
        let Some(this) = plan.steps().get(step) else {
            return Err(Error::StepOutOfRange {
                index: step,
                steps: plan.steps().len(),
            });
        };
        let mismatch = |mismatch| Error::StepNotApplicable { step, mismatch };
        self.check_plan_state(&plan.data, &plan.state_before(step))
            .map_err(|e| e.unwrap_or_else(mismatch))?;
        let mut work = self.clone();
        for action in &this.actions {
            work.apply_action(action)?;
        }
        work.check_plan_state(&plan.data, &this.state)
            .map_err(|e| e.unwrap_or_else(mismatch))?;
        *self = work;
        Ok(())
    }

    /// Applies every remaining step of `plan`, in order (SPEC M6), and
    /// returns how many it applied.
    ///
    /// The remaining steps start at the first step whose starting state the
    /// registry is in (0 for a fresh plan); a registry already in the plan's
    /// final state has none left (returns 0). Each step is atomic, as
    /// [`Registry::apply_step`]: on an error the steps before the failing one
    /// stay applied, the failing one changes nothing, and the error says
    /// which step failed.
    ///
    /// ```
    /// use replica_router::{DeploymentSpec, MigrationRequest, Registry, RouterSpec, Schedule};
    /// let mut reg = Registry::new("acme", 1)?;
    /// reg.create_deployment(DeploymentSpec::new("m").id("old").replicas(4, 4))?;
    /// reg.create_router(RouterSpec::new(["old"]).id("r"))?;
    /// let request = MigrationRequest::new("r", "old", "new", Schedule::Steps(vec![50, 100]));
    /// let plan = reg.plan_migration(&request)?;
    /// reg.apply_step(&plan, 0)?;
    /// assert_eq!(reg.apply_plan(&plan)?, plan.steps().len() - 1);
    /// assert_eq!(reg.apply_plan(&plan)?, 0); // already done
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::StepNotApplicable`] for step 0 when the registry is in no
    /// state of the plan; otherwise the first failing step's error.
    pub fn apply_plan(&mut self, plan: &MigrationPlan) -> Result<usize> {
        let steps = plan.steps().len();
        let first = (0..steps).find(|&i| {
            self.check_plan_state(&plan.data, &plan.state_before(i))
                .is_ok()
        });
        let Some(first) = first else {
            let done = plan
                .steps()
                .last()
                .is_some_and(|last| self.check_plan_state(&plan.data, &last.state).is_ok());
            return if done {
                Ok(0)
            } else {
                // Not in any state of the plan: say why step 0 does not apply.
                self.apply_step(plan, 0).map(|()| 1)
            };
        };
        for step in first..steps {
            self.apply_step(plan, step)?;
        }
        Ok(steps - first)
    }

    fn apply_action(&mut self, action: &MigrationAction) -> Result<()> {
        match action {
            MigrationAction::CreateDeployment {
                deployment,
                model,
                replicas,
            } => {
                let spec = DeploymentSpec::new(model.to_string())
                    .id(deployment.to_string())
                    .replicas(*replicas, *replicas);
                self.create_deployment(spec)?;
            }
            MigrationAction::AddToRouter {
                router,
                deployments,
                ..
            }
            | MigrationAction::RemoveFromRouter {
                router,
                deployments,
                ..
            } => {
                let update =
                    RouterUpdate::new().deployments(deployments.iter().map(ToString::to_string));
                self.update_router(&router.to_string(), update)?;
            }
            MigrationAction::SetReplicaBounds {
                deployment,
                min_replicas,
                max_replicas,
            } => {
                let update = DeploymentUpdate::new().replicas(*min_replicas, *max_replicas);
                self.update_deployment(&deployment.to_string(), update)?;
            }
            MigrationAction::DeleteDeployment { deployment } => {
                self.delete_deployment(&deployment.to_string())?;
            }
        }
        Ok(())
    }

    /// Compares the registry with a plan state. `Err(Ok(e))` is an error of
    /// a lookup (for example the router is gone); `Err(Err(m))` a mismatch.
    fn check_plan_state(
        &self,
        plan: &PlanData,
        state: &PlanState,
    ) -> std::result::Result<(), std::result::Result<Error, StepMismatch>> {
        let router = self.get_router(&plan.router.to_string()).map_err(Ok)?;
        let expected = plan.router_list(state);
        if router.deployments() != expected.as_slice() {
            let names =
                |v: &[crate::names::ResourceName]| v.iter().map(ToString::to_string).collect();
            return Err(Err(StepMismatch::RouterDeployments {
                router: plan.router.to_string(),
                expected: names(&expected),
                found: names(router.deployments()),
            }));
        }
        for side in [Side::From, Side::To] {
            let name = plan.name(side).to_string();
            let want = state.get(side);
            let found = match self.get_deployment(&name) {
                Ok(d) => Some(d),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(Ok(e)),
            };
            match (want.exists, found) {
                (false, None) => {}
                (false, Some(_)) => {
                    return Err(Err(StepMismatch::UnexpectedDeployment { deployment: name }));
                }
                (true, None) => {
                    return Err(Err(StepMismatch::MissingDeployment { deployment: name }));
                }
                (true, Some(d)) => {
                    if d.replicas() != want.replicas {
                        return Err(Err(StepMismatch::Replicas {
                            deployment: name,
                            expected: want.replicas,
                            found: d.replicas(),
                        }));
                    }
                    let bounds = (d.min_replicas(), d.max_replicas());
                    if bounds != (want.min_replicas, want.max_replicas) {
                        return Err(Err(StepMismatch::ReplicaBounds {
                            deployment: name,
                            expected: (want.min_replicas, want.max_replicas),
                            found: bounds,
                        }));
                    }
                }
            }
        }
        for other in &plan.others {
            let name = other.deployment.to_string();
            let found = match self.get_deployment(&name) {
                Ok(d) => d.replicas(),
                Err(Error::NotFound { .. }) => {
                    return Err(Err(StepMismatch::MissingDeployment { deployment: name }));
                }
                Err(e) => return Err(Ok(e)),
            };
            if found != other.replicas {
                return Err(Err(StepMismatch::Replicas {
                    deployment: name,
                    expected: other.replicas,
                    found,
                }));
            }
        }
        Ok(())
    }
}

impl MigrationPlan {
    /// A plan from the state after step `after_step` (zero-based) straight
    /// back to this plan's initial state (SPEC M6), in one step.
    ///
    /// The rollback exchanges the roles (its `from` is this plan's `to`) and
    /// keeps the same invariants: the same ceiling; the same floor, lowered
    /// to the initial serving count when that was below it; this plan's `to`
    /// only falls and its `from` only rises. It scales back, removes `to`
    /// from the router if the plan added it, deletes it if the plan created
    /// it, puts `from` back in its place in the router and restores both
    /// deployments' replica bounds, so applying it leaves the registry's
    /// JSON snapshot equal to the one before the plan.
    ///
    /// # Errors
    /// [`Error::StepOutOfRange`]; [`Error::LimitExceeded`] when the way back
    /// needs more than [`MAX_PLAN_ACTIONS`] actions.
    pub fn rollback(&self, after_step: usize) -> Result<MigrationPlan> {
        let Some(step) = self.steps().get(after_step) else {
            return Err(Error::StepOutOfRange {
                index: after_step,
                steps: self.steps().len(),
            });
        };
        let d = &self.data;
        let swap = |s: &PlanState| PlanState {
            from: s.to,
            to: s.from,
        };
        let (start, end) = (swap(&step.state), swap(&d.initial));
        let mut data = PlanData::new(
            PlanKind::Rollback { after_step },
            d.router.clone(),
            d.to.clone(),
            d.from.clone(),
            d.model.clone(),
            d.schedule.clone(),
            d.router_order.clone(),
            d.others.clone(),
            start,
        );
        let serving_at_end = u32::try_from(end.serving()).unwrap_or(u32::MAX);
        data.target_replicas = end.to.replicas;
        data.min_total_replicas = d.min_total_replicas.min(serving_at_end);
        data.effective_floor = d.effective_floor.min(serving_at_end);
        data.max_total_replicas = d.max_total_replicas;
        let mut budget = MAX_PLAN_ACTIONS;
        let actions = data.transition(&start, &end, Side::To, &mut budget)?;
        let step = data.step(end.to_share(), actions, end);
        data.steps.push(step);
        Ok(MigrationPlan { data })
    }
}
