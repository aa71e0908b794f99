//! The consistency check of loaded plans (SPEC M6): a plan is replayed from
//! its initial state, action by action.

use super::plan::{DeploymentState, PlanData, PlanKind, PlanState};
use super::{MAX_PLAN_ACTIONS, MAX_PLAN_STEPS};
use crate::names::ResourceKind;
use crate::support::ordered_map::{Keyed, sort_find_repeat};

impl PlanData {
    /// Checks the M3 invariants of one action: the ceiling, the floor for
    /// decreases, `from` never rising, `to` never falling and `to`'s share
    /// never falling.
    pub(crate) fn check_invariants(&self, before: &PlanState, after: &PlanState) -> Option<String> {
        if let Some(c) = self.max_total_replicas
            && after.total() > u64::from(c)
        {
            return Some(format!("{} replicas exceed the ceiling {c}", after.total()));
        }
        if after.serving() < before.serving() && after.serving() < u64::from(self.effective_floor) {
            return Some(format!(
                "serving replicas fall to {}, below the floor {}",
                after.serving(),
                self.effective_floor
            ));
        }
        if after.from.count() > before.from.count() {
            return Some("`from`'s replicas rise".into());
        }
        if after.to.count() < before.to.count() {
            return Some("`to`'s replicas fall".into());
        }
        if after.to_share() < before.to_share() {
            return Some("`to`'s share falls".into());
        }
        None
    }

    /// Replays the plan from its initial state (see [`MigrationPlan::from_json`]).
    pub(crate) fn verify(&self) -> std::result::Result<(), String> {
        let kinds = [
            (&self.router, ResourceKind::Router, "router"),
            (&self.from, ResourceKind::Deployment, "from"),
            (&self.to, ResourceKind::Deployment, "to"),
            (&self.model, ResourceKind::Model, "model"),
        ];
        for (n, kind, field) in kinds {
            if n.kind() != kind {
                return Err(format!("{field} '{n}' is not a {}", kind.collection()));
            }
        }
        if self.from == self.to {
            return Err("from and to are the same deployment".into());
        }
        // The first entry repeating an earlier one, reported in list order.
        let mut keys: Vec<Keyed<'_>> = self
            .router_order
            .iter()
            .enumerate()
            .map(|(i, d)| (d.account().as_str(), d.id().as_str(), i))
            .collect();
        let repeat = sort_find_repeat(&mut keys);
        for (i, d) in self.router_order.iter().enumerate() {
            if d.kind() != ResourceKind::Deployment || d.account() != self.router.account() {
                return Err(format!(
                    "router_order entry '{d}' is not a deployment of the router's account"
                ));
            }
            if repeat == Some(i) {
                return Err(format!("router_order lists '{d}' twice"));
            }
        }
        let others = self
            .router_order
            .iter()
            .filter(|d| self.side_of(d).is_none());
        if !others.eq(self.others.iter().map(|o| &o.deployment))
            || self.router_order.len() != self.others.len() + 2
        {
            return Err("router_order must list from, to and exactly the other deployments".into());
        }
        if self.steps.is_empty() || self.steps.len() > MAX_PLAN_STEPS {
            return Err(format!("a plan has 1 to {MAX_PLAN_STEPS} steps"));
        }
        let actions: usize = self.steps.iter().map(|s| s.actions.len()).sum();
        if actions > MAX_PLAN_ACTIONS {
            return Err(format!("a plan has at most {MAX_PLAN_ACTIONS} actions"));
        }
        check_state(&self.initial).map_err(|e| format!("initial state: {e}"))?;
        let mut state = self.initial;
        for (i, step) in self.steps.iter().enumerate() {
            if step.actions.is_empty() {
                return Err(format!("step {i} has no actions"));
            }
            for (j, action) in step.actions.iter().enumerate() {
                let before = state;
                let problem = match self.apply_abstract(&mut state, action) {
                    Err(e) => Some(e),
                    Ok(()) => self.check_invariants(&before, &state),
                };
                if let Some(e) = problem {
                    return Err(format!("step {i} action {j}: {e}"));
                }
            }
            if state != step.state {
                return Err(format!("step {i}: its state is not what its actions leave"));
            }
            if step.split != self.split(&state) || step.to_share != state.to_share() {
                return Err(format!(
                    "step {i}: its split or share does not match its state"
                ));
            }
        }
        // SPEC M3: a migration ends with `to` at the target and `from` at 0
        // and out of the router.
        if self.kind == PlanKind::Migration
            && (state.to.count() != u64::from(self.target_replicas)
                || state.from.count() != 0
                || state.from.in_router)
        {
            return Err(format!(
                "the last step leaves to at {} and from at {}{}, not the final state (to at the \
                 target {}, from at 0 and out of the router)",
                state.to.count(),
                state.from.count(),
                if state.from.in_router {
                    " in the router"
                } else {
                    ""
                },
                self.target_replicas
            ));
        }
        Ok(())
    }
}

/// A state must be self-consistent: absent deployments are out of the router
/// with 0 replicas; replicas lie within their bounds.
fn check_state(state: &PlanState) -> std::result::Result<(), String> {
    for (s, label) in [(&state.from, "from"), (&state.to, "to")] {
        if !s.exists && *s != DeploymentState::default() {
            return Err(format!(
                "{label} does not exist but has a router entry or replicas"
            ));
        }
        if s.exists && !(s.min_replicas <= s.replicas && s.replicas <= s.max_replicas) {
            return Err(format!("{label}'s replicas are outside its bounds"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{
        DeploymentSpec, Error, MigrationPlan, MigrationRequest, Registry, RouterSpec, Schedule,
    };
    use serde_json::Value as Json;

    const FROM: &str = "accounts/my-account/deployments/current";

    fn plan_json() -> Json {
        let mut reg = Registry::new("my-account", 42).unwrap();
        reg.create_deployment(DeploymentSpec::new("llama").id("current").replicas(4, 4))
            .unwrap();
        reg.create_router(RouterSpec::new(["current"]).id("my-router"))
            .unwrap();
        let req = MigrationRequest::new(
            "my-router",
            "current",
            "new",
            Schedule::Steps(vec![50, 100]),
        )
        .target_replicas(4);
        let plan = reg.plan_migration(&req).unwrap();
        serde_json::from_str(&plan.to_json()).unwrap()
    }

    fn error_with_order(order: &[&str]) -> String {
        let mut v = plan_json();
        v["router_order"] = Json::from(order.to_vec());
        match MigrationPlan::from_json(&v.to_string()) {
            Err(Error::InvalidPlanJson { message }) => message,
            other => format!("unexpected {other:?}"),
        }
    }

    /// SPEC M6: `router_order` is checked entry by entry, so the first bad
    /// entry decides the message, a repeat included.
    #[test]
    fn m6_router_order_errors_come_in_list_order() {
        let v = plan_json();
        MigrationPlan::from_json(&v.to_string()).unwrap();
        let other = "accounts/other/deployments/x";
        let repeat = error_with_order(&[FROM, FROM, other]);
        assert!(
            repeat.contains(&format!("lists '{FROM}' twice")),
            "{repeat}"
        );
        let foreign = error_with_order(&[FROM, other, FROM]);
        assert!(
            foreign.contains("'accounts/other/deployments/x' is not a deployment"),
            "{foreign}"
        );
        // Same account and ID as `from`, but a model: not a repeat.
        let model = "accounts/my-account/models/current";
        let kind = error_with_order(&[FROM, model]);
        assert!(
            kind.contains(&format!("'{model}' is not a deployment")),
            "{kind}"
        );
    }
}
