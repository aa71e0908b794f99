//! The planner (SPEC M1, M3, M4): request validation and defaults, then each
//! step's best reachable state (see `lattice.rs` and `stepwise.rs`).

use super::action::Side;
use super::infeasible::{Fixes, Infeasibility};
use super::lattice::Limits;
use super::plan::{
    DeploymentReplicas, DeploymentState, MigrationPlan, PlanData, PlanKind, PlanState,
};
use super::search::Ratio;
use super::stepwise::{self, Start};
use super::{MAX_PLAN_ACTIONS, MAX_PLAN_STEPS, MigrationRequest, Schedule};
use crate::deployment::Deployment;
use crate::error::{Error, Result};
use crate::limits::MAX_ROUTER_DEPLOYMENTS;
use crate::names::{ResourceKind, ResourceName};
use crate::registry::Registry;
use crate::share::Fraction;

/// How many target values a fix search tries (SPEC M4 suggestions).
const TARGET_TRIES: u32 = 64;

fn ratio(f: Fraction) -> Ratio {
    Ratio::new(f.numerator(), f.denominator())
}

fn fraction(r: Ratio) -> Fraction {
    Fraction::new(r.num, r.den).unwrap_or(Fraction::ZERO)
}

fn state_of(d: &Deployment, in_router: bool) -> DeploymentState {
    DeploymentState {
        exists: true,
        in_router,
        replicas: d.replicas(),
        min_replicas: d.min_replicas(),
        max_replicas: d.max_replicas(),
    }
}

/// Validates the request and resolves its defaults (SPEC M1): the plan frame
/// without steps, and the search limits.
fn setup(reg: &Registry, req: &MigrationRequest) -> Result<(PlanData, Limits)> {
    let router = reg.get_router(&req.router)?;
    if router.name().account() != reg.account() {
        return Err(Error::PermissionDenied {
            name: router.name().to_string(),
            caller: reg.account().to_string(),
        });
    }
    let from = ResourceName::parse(&req.from, ResourceKind::Deployment, reg.account())?;
    if !router.deployments().contains(&from) {
        return Err(Error::DeploymentNotInRouter {
            deployment: from.to_string(),
            router: router.name().to_string(),
        });
    }
    let from_dep = reg.get_deployment(&from.to_string())?;
    let to = ResourceName::parse(&req.to, ResourceKind::Deployment, reg.account())?;
    if to == from {
        return Err(Error::SameDeployment {
            deployment: to.to_string(),
        });
    }
    let to_dep = match reg.get_deployment(&to.to_string()) {
        Ok(d) => Some(d),
        Err(Error::NotFound { .. }) => None,
        Err(e) => return Err(e),
    };
    if let Some(region) = to_dep.and_then(|d| d.placement().region()) {
        return Err(Error::NotMultiRegion {
            deployment: to.to_string(),
            region: region.to_string(),
        });
    }
    let mut router_order = router.deployments().to_vec();
    let to_in_router = router_order.contains(&to);
    if !to_in_router {
        if router_order.len() >= MAX_ROUTER_DEPLOYMENTS {
            return Err(Error::LimitExceeded {
                what: "deployments per router",
                limit: MAX_ROUTER_DEPLOYMENTS,
                got: router_order.len() + 1,
            });
        }
        router_order.push(to.clone());
    }
    let mut others = Vec::new();
    for d in router.deployments() {
        if *d != from && *d != to {
            others.push(DeploymentReplicas {
                deployment: d.clone(),
                replicas: reg.get_deployment(&d.to_string())?.replicas(),
            });
        }
    }
    req.schedule.validate()?;
    let target = req.target_replicas.unwrap_or(from_dep.replicas());
    if target == 0 {
        return Err(Error::ZeroTargetReplicas);
    }
    let initial = PlanState {
        from: state_of(from_dep, true),
        to: to_dep.map_or_else(DeploymentState::default, |d| state_of(d, to_in_router)),
    };
    let floor = match req.min_total_replicas {
        Some(f) => f,
        None => u32::try_from(initial.serving().min(u64::from(target))).unwrap_or(target),
    };
    if let Some(ceiling) = req.max_total_replicas
        && floor > ceiling
    {
        return Err(Error::FloorAboveCeiling { floor, ceiling });
    }
    // SPEC M3: serving from+to replicas never fall below the floor, unless
    // they start below it, and then they never fall below their start
    // count: the floor the actions keep is the smaller of the two.
    let start_serving = u32::try_from(initial.serving()).unwrap_or(u32::MAX);
    let binding_floor = floor.min(start_serving);
    // At the end only `to`'s target replicas serve, so a target below that
    // floor means a fall below it.
    if target < binding_floor {
        return Err(Error::FloorAboveTarget {
            floor,
            target,
            start_serving,
            fixes: Fixes::default(),
        });
    }
    let others_serving: u64 = others.iter().map(|o| u64::from(o.replicas)).sum();
    let effective_floor = if others_serving == 0 {
        binding_floor.max(1)
    } else {
        binding_floor
    };
    let (f0, t0) = (initial.from.replicas, initial.to.replicas);
    let infeasible = |reason| Err(Error::InfeasiblePlan { reason });
    if t0 > target {
        return infeasible(Infeasibility::TargetBelowCurrent {
            to_replicas: t0,
            target_replicas: target,
            fixes: Fixes::default(),
        });
    }
    if let Some(c) = req.max_total_replicas {
        if initial.total() > u64::from(c) {
            return infeasible(Infeasibility::CeilingBelowStart {
                from_replicas: f0,
                to_replicas: t0,
                max_total_replicas: c,
                fixes: Fixes::default(),
            });
        }
        if target > c {
            return infeasible(Infeasibility::CeilingBelowTarget {
                target_replicas: target,
                max_total_replicas: c,
                fixes: Fixes::default(),
            });
        }
        if f0 > 0 && target > t0 && c <= effective_floor {
            return infeasible(Infeasibility::NoSurgeRoom {
                floor: effective_floor,
                max_total_replicas: c,
                floor_keeps_router_serving: effective_floor > binding_floor,
                fixes: Fixes::default(),
            });
        }
    }
    let mut data = PlanData::new(
        PlanKind::Migration,
        router.name().clone(),
        from,
        to,
        from_dep.model().clone(),
        req.schedule.clone(),
        router_order,
        others,
        initial,
    );
    data.target_replicas = target;
    data.min_total_replicas = floor;
    data.effective_floor = effective_floor;
    data.max_total_replicas = req.max_total_replicas;
    let limits = Limits {
        target: u64::from(target),
        floor: u64::from(effective_floor),
        ceiling: req.max_total_replicas.map(u64::from),
    };
    Ok((data, limits))
}

/// The state after a step that reaches `(t, f)`; `last` also takes `from`
/// out of the router. `to` joins the router in the first step that changes
/// anything.
fn next_state(cur: &PlanState, t: u64, f: u64, last: bool) -> PlanState {
    let (t, f) = (
        u32::try_from(t).unwrap_or(u32::MAX),
        u32::try_from(f).unwrap_or(u32::MAX),
    );
    let mut next = *cur;
    let to_moves = t != cur.to.replicas || (!cur.to.exists && t > 0);
    if to_moves {
        next.to = DeploymentState {
            exists: true,
            in_router: cur.to.in_router,
            replicas: t,
            min_replicas: t,
            max_replicas: t,
        };
    }
    if f != cur.from.replicas {
        next.from.replicas = f;
        next.from.min_replicas = f;
        next.from.max_replicas = f;
    }
    let joins = cur.to.exists && !cur.to.in_router && t > 0;
    let changed = next != *cur || joins || last;
    if changed && next.to.exists {
        next.to.in_router = true;
    }
    if last {
        next.from.in_router = false;
    }
    next
}

impl Registry {
    /// Plans a zero-downtime migration of `request.router`'s traffic from
    /// `request.from` to `request.to` (SPEC M1-M4). The registry is not
    /// changed: apply the plan with [`Registry::apply_step`].
    ///
    /// The reference example (SPEC M5):
    ///
    /// ```
    /// use replica_router::{DeploymentSpec, Fraction, MigrationRequest, Registry, RouterSpec, Schedule};
    ///
    /// let mut reg = Registry::new("my-account", 42)?;
    /// reg.create_deployment(
    ///     DeploymentSpec::new("llama-v3p1-8b-instruct").id("current-deployment").replicas(4, 4),
    /// )?;
    /// reg.create_router(RouterSpec::new(["current-deployment"]).id("my-router"))?;
    ///
    /// let request = MigrationRequest::new(
    ///     "my-router",
    ///     "current-deployment",
    ///     "new-deployment",
    ///     Schedule::Steps(vec![20, 80, 100]),
    /// )
    /// .target_replicas(4);
    /// let plan = reg.plan_migration(&request)?;
    ///
    /// let shares: Vec<Fraction> = plan.steps().iter().map(|s| s.to_share).collect();
    /// assert_eq!(shares, [Fraction::new(1, 5).unwrap(), Fraction::new(4, 5).unwrap(), Fraction::ONE]);
    /// assert_eq!(
    ///     plan.firectl_commands(),
    ///     [
    ///         "firectl deployment create accounts/my-account/models/llama-v3p1-8b-instruct --deployment-id=new-deployment",
    ///         "firectl router update my-router --deployments=current-deployment,new-deployment",
    ///         "firectl deployment update new-deployment --min-replica-count=4 --max-replica-count=4",
    ///         "firectl deployment update current-deployment --min-replica-count=1 --max-replica-count=1",
    ///         "firectl deployment update current-deployment --min-replica-count=0 --max-replica-count=0",
    ///         "firectl router update my-router --deployments=new-deployment",
    ///     ]
    /// );
    ///
    /// let before = reg.to_json();
    /// for step in 0..plan.steps().len() {
    ///     reg.apply_step(&plan, step)?;
    /// }
    /// assert_eq!(reg.get_router("my-router")?.deployments().len(), 1);
    ///
    /// // Back to the start from the last step.
    /// let back = plan.rollback(plan.steps().len() - 1)?;
    /// reg.apply_step(&back, 0)?;
    /// assert_eq!(reg.to_json(), before);
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    ///
    /// # Errors
    /// Name errors, [`Error::NotFound`] and [`Error::PermissionDenied`] for
    /// the router and deployments; [`Error::DeploymentNotInRouter`];
    /// [`Error::SameDeployment`]; [`Error::NotMultiRegion`] for a pinned `to`;
    /// [`Error::ZeroTargetReplicas`]; the schedule errors of
    /// [`Schedule::validate`]; [`Error::FloorAboveCeiling`];
    /// [`Error::FloorAboveTarget`]; [`Error::InfeasiblePlan`] naming the
    /// blocking constraint and what would unblock it;
    /// [`Error::LimitExceeded`] beyond [`MAX_PLAN_ACTIONS`](super::MAX_PLAN_ACTIONS)
    /// or [`MAX_PLAN_STEPS`](super::MAX_PLAN_STEPS).
    ///
    /// # Performance
    /// O(steps · log² n) for replica counts up to n, plus the actions
    /// themselves.
    pub fn plan_migration(&self, request: &MigrationRequest) -> Result<MigrationPlan> {
        match self.plan_unchecked(request) {
            Err(Error::InfeasiblePlan { mut reason }) => {
                self.fill_fixes(request, &mut reason);
                Err(Error::InfeasiblePlan { reason })
            }
            Err(Error::FloorAboveTarget {
                floor,
                target,
                start_serving,
                ..
            }) => {
                // Any target from the floor the actions keep up may plan.
                let lowest = floor.min(start_serving);
                let fixes = self.fixes(request, false, true, Some((lowest, true)));
                Err(Error::FloorAboveTarget {
                    floor,
                    target,
                    start_serving,
                    fixes,
                })
            }
            other => other,
        }
    }

    /// Whether the request plans.
    fn plans(&self, request: &MigrationRequest) -> bool {
        self.plan_unchecked(request).is_ok()
    }

    /// Finds each single change the reason's constraints allow, each checked
    /// by planning again with it (SPEC M4). A higher ceiling or a lower floor
    /// only adds states a plan may pass through, so both are binary searches
    /// over the values that plan; a target has no such order, so the
    /// [`TARGET_TRIES`] values from the reason's bound on (`to`'s replicas
    /// upwards, or the ceiling downwards) are tried in turn.
    fn fill_fixes(&self, request: &MigrationRequest, reason: &mut Infeasibility) {
        // The target values to try, nearest the reason's bound first.
        let (ceiling, floor, target_from) = match reason {
            Infeasibility::TargetBelowCurrent { to_replicas, .. } => {
                (false, false, Some((*to_replicas, true)))
            }
            Infeasibility::CeilingBelowStart { .. } => (true, false, None),
            Infeasibility::CeilingBelowTarget {
                max_total_replicas, ..
            } => (true, false, Some((*max_total_replicas, false))),
            Infeasibility::NoSurgeRoom { .. } => (true, true, None),
            _ => return,
        };
        let fixes = self.fixes(request, ceiling, floor, target_from);
        match reason {
            Infeasibility::TargetBelowCurrent { fixes: f, .. }
            | Infeasibility::CeilingBelowStart { fixes: f, .. }
            | Infeasibility::CeilingBelowTarget { fixes: f, .. }
            | Infeasibility::NoSurgeRoom { fixes: f, .. } => *f = fixes,
            _ => {}
        }
    }

    /// The single changes that plan, each checked by planning again: a
    /// higher ceiling (`ceiling`), a lower floor (`floor`), and the first of
    /// [`TARGET_TRIES`] targets from `target_from`'s value (upwards or
    /// downwards).
    fn fixes(
        &self,
        request: &MigrationRequest,
        ceiling: bool,
        floor: bool,
        target_from: Option<(u32, bool)>,
    ) -> Fixes {
        let mut fixes = Fixes::default();
        if ceiling && let Some(c) = request.max_total_replicas {
            let with = |v: u32| request.clone().max_total_replicas(v);
            if c < u32::MAX && self.plans(&with(u32::MAX)) {
                let (mut lo, mut hi) = (c + 1, u32::MAX);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if self.plans(&with(mid)) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                fixes.max_total_replicas = Some(lo);
            }
        }
        if floor
            && let Some(current) = self.resolved_floor(request)
            && current > 0
        {
            let with = |v: u32| request.clone().min_total_replicas(v);
            if self.plans(&with(0)) {
                // The largest floor below `current` that plans.
                let (mut lo, mut hi) = (0, current - 1);
                while lo < hi {
                    let mid = hi - (hi - lo) / 2;
                    if self.plans(&with(mid)) {
                        lo = mid;
                    } else {
                        hi = mid - 1;
                    }
                }
                fixes.min_total_replicas = Some(lo);
            }
        }
        if let Some((first, up)) = target_from {
            let candidates: Vec<u32> = if up {
                (0..TARGET_TRIES)
                    .filter_map(|d| first.checked_add(d))
                    .collect()
            } else {
                (0..TARGET_TRIES)
                    .filter_map(|d| first.checked_sub(d))
                    .filter(|&v| v > 0)
                    .collect()
            };
            fixes.target_replicas = candidates
                .into_iter()
                .find(|&v| self.plans(&request.clone().target_replicas(v)));
        }
        fixes
    }

    /// The request's target, or its default (`from`'s replicas).
    fn resolved_target(&self, request: &MigrationRequest) -> Option<u32> {
        match request.target_replicas {
            Some(t) => Some(t),
            None => Some(self.get_deployment(&request.from).ok()?.replicas()),
        }
    }

    /// The request's floor, or its default: `min(serving from+to, target)`.
    fn resolved_floor(&self, request: &MigrationRequest) -> Option<u32> {
        if let Some(f) = request.min_total_replicas {
            return Some(f);
        }
        let router = self.get_router(&request.router).ok()?;
        let from = self.get_deployment(&request.from).ok()?;
        let to_serving = match self.get_deployment(&request.to) {
            Ok(d) if router.deployments().contains(d.name()) => d.replicas(),
            _ => 0,
        };
        let serving = u64::from(from.replicas()) + u64::from(to_serving);
        let target = self.resolved_target(request)?;
        u32::try_from(serving.min(u64::from(target))).ok()
    }

    /// [`Registry::plan_migration`] without the search for fixes.
    fn plan_unchecked(&self, request: &MigrationRequest) -> Result<MigrationPlan> {
        let (mut data, limits) = setup(self, request)?;
        let mut budget = MAX_PLAN_ACTIONS;
        let mut cur = data.initial;
        let target = limits.target;
        // Pushes the step to `next` unless it changes nothing (M2).
        let mut push = |data: &mut PlanData, cur: &mut PlanState, next: PlanState, requested| {
            if next == *cur {
                return Ok(());
            }
            if data.steps.len() >= MAX_PLAN_STEPS {
                return Err(Error::LimitExceeded {
                    what: "migration plan steps",
                    limit: MAX_PLAN_STEPS,
                    got: data.steps.len() + 1,
                });
            }
            let actions = data.transition(cur, &next, Side::To, &mut budget)?;
            let step = data.step(requested, actions, next);
            data.steps.push(step);
            *cur = next;
            Ok(())
        };
        let counts = |s: &PlanState| (s.to.count(), u64::from(s.from.replicas));
        match &request.schedule {
            Schedule::Steps(percents) => {
                for (i, &p) in percents.iter().enumerate() {
                    let q = Ratio::new(p.into(), 100);
                    let (tp, fp) = counts(&cur);
                    let (t, n) = if i + 1 == percents.len() {
                        (target, target)
                    } else {
                        limits.closest(tp, fp, q).unwrap_or((tp, tp + fp))
                    };
                    // A step that reaches the final counts is the last one:
                    // nothing can change after it but `from` leaving the
                    // router, which it does itself (M2: no step of its own
                    // for that alone).
                    let last = (t, n) == (target, target);
                    let next = next_state(&cur, t, n - t, last);
                    push(&mut data, &mut cur, next, fraction(q))?;
                    if last {
                        break;
                    }
                }
            }
            Schedule::MaxStep(m) => {
                let (tp, fp) = counts(&cur);
                let mut share = ratio(cur.to_share());
                let start = Start {
                    t: tp,
                    f: fp,
                    share,
                    // With no from+to traffic yet, no traffic moves between them.
                    idle: cur.serving() == 0,
                };
                let states = stepwise::plan(&limits, &start, *m)?;
                for (t, f) in states {
                    let cap =
                        Ratio::new(share.num * 100 + u64::from(*m) * share.den, share.den * 100);
                    let next = next_state(&cur, t, f, false);
                    push(&mut data, &mut cur, next, fraction(cap))?;
                    share = Ratio::new(t, t + f);
                }
                let next = next_state(&cur, target, 0, true);
                push(&mut data, &mut cur, next, Fraction::ONE)?;
            }
        }
        Ok(MigrationPlan { data })
    }
}
