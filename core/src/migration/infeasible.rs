//! Why a migration cannot be planned or a step cannot be applied: the typed
//! details of [`Error::InfeasiblePlan`](crate::Error::InfeasiblePlan) and
//! [`Error::StepNotApplicable`](crate::Error::StepNotApplicable).

use std::fmt;

use crate::share::Fraction;
use crate::support::text::percent;

/// The single changes to a request's constraints that make it plannable
/// (SPEC M4): each one was checked by planning again with it alone before it
/// is offered. `None`: no value of that constraint alone is enough (or the
/// constraint is not one the reason names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fixes {
    /// The smallest `max_total_replicas` above the requested one that works.
    pub max_total_replicas: Option<u32>,
    /// The largest `min_total_replicas` below the resolved floor that works.
    pub min_total_replicas: Option<u32>,
    /// The `target_replicas` nearest the reason's bound that works (`to`'s
    /// replicas and up, or the ceiling and down; the 64 nearest values are
    /// tried).
    pub target_replicas: Option<u32>,
}

impl Fixes {
    /// Writes "; raise max_total_replicas to 5 or ..." or, when no single
    /// change works, "; no single change of `names` is enough".
    pub(crate) fn write(&self, f: &mut fmt::Formatter<'_>, names: &str) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(c) = self.max_total_replicas {
            parts.push(format!("raise max_total_replicas to {c}"));
        }
        if let Some(c) = self.min_total_replicas {
            parts.push(format!("lower min_total_replicas to {c}"));
        }
        if let Some(c) = self.target_replicas {
            parts.push(format!("set target_replicas to {c}"));
        }
        if parts.is_empty() {
            write!(f, "; no single change of {names} is enough")
        } else {
            write!(f, "; {}", parts.join(" or "))
        }
    }
}

/// Which constraint blocks a migration plan, with the numbers, and what would
/// unblock it (SPEC M4). Its `Display` says both.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Infeasibility {
    /// `to` already has more replicas than the target, and a migration never
    /// scales `to` down (M3).
    TargetBelowCurrent {
        /// `to`'s current replicas.
        to_replicas: u32,
        /// The requested target.
        target_replicas: u32,
        /// Single changes checked to make the request plannable.
        fixes: Fixes,
    },
    /// `from` and `to` start with more replicas than the ceiling allows.
    CeilingBelowStart {
        /// `from`'s current replicas.
        from_replicas: u32,
        /// `to`'s current replicas (0 when it does not exist).
        to_replicas: u32,
        /// The ceiling.
        max_total_replicas: u32,
        /// Single changes checked to make the request plannable.
        fixes: Fixes,
    },
    /// The target alone is above the ceiling, so the final state breaks it.
    CeilingBelowTarget {
        /// The target.
        target_replicas: u32,
        /// The ceiling.
        max_total_replicas: u32,
        /// Single changes checked to make the request plannable.
        fixes: Fixes,
    },
    /// The ceiling equals the floor, so no replica can be added before one is
    /// removed, nor removed before one is added.
    NoSurgeRoom {
        /// The effective floor.
        floor: u32,
        /// The ceiling.
        max_total_replicas: u32,
        /// True when the floor is 1 only because the router has no other
        /// serving replicas (it must never stop serving).
        floor_keeps_router_serving: bool,
        /// Single changes checked to make the request plannable.
        fixes: Fixes,
    },
    /// With a maximum shift per step, no plan keeps every step within it.
    MaxStepTooSmall {
        /// The requested maximum shift, in percentage points.
        max_step_percent: u32,
        /// A share of the from+to traffic on `to` from which no move stays
        /// within the maximum (where the largest-share plan stalls).
        stuck_share: Fraction,
        /// The smallest share reachable from there.
        next_share: Fraction,
        /// The smallest maximum shift that admits a plan.
        needed_max_step_percent: u32,
        /// The smallest ceiling that admits a plan with the requested
        /// maximum, when raising the ceiling helps.
        needed_max_total_replicas: Option<u32>,
    },
    /// No order of actions reaches the step's state within the floor and
    /// ceiling.
    NoActionOrder {
        /// `to`'s replicas in the state that cannot be reached.
        to_replicas: u32,
        /// `from`'s replicas in that state.
        from_replicas: u32,
        /// The effective floor.
        floor: u32,
        /// The ceiling, if any.
        max_total_replicas: Option<u32>,
    },
}

impl fmt::Display for Infeasibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Infeasibility::*;
        match self {
            TargetBelowCurrent {
                to_replicas,
                target_replicas,
                fixes,
            } => {
                write!(
                    f,
                    "`to` already has {to_replicas} replicas, more than target_replicas \
                     {target_replicas}, and a migration never scales `to` down"
                )?;
                fixes.write(f, "target_replicas")
            }
            CeilingBelowStart {
                from_replicas,
                to_replicas,
                max_total_replicas,
                fixes,
            } => {
                write!(
                    f,
                    "`from` and `to` already have {from_replicas} + {to_replicas} = {} replicas, \
                     above max_total_replicas {max_total_replicas}",
                    u64::from(*from_replicas) + u64::from(*to_replicas),
                )?;
                fixes.write(f, "max_total_replicas")
            }
            CeilingBelowTarget {
                target_replicas,
                max_total_replicas,
                fixes,
            } => {
                write!(
                    f,
                    "the final state needs {target_replicas} replicas of `to` but \
                     max_total_replicas is {max_total_replicas}"
                )?;
                fixes.write(f, "max_total_replicas or target_replicas")
            }
            NoSurgeRoom {
                floor,
                max_total_replicas,
                floor_keeps_router_serving,
                fixes,
            } => {
                write!(
                    f,
                    "max_total_replicas {max_total_replicas} equals the floor of {floor} serving \
                     replicas"
                )?;
                if *floor_keeps_router_serving {
                    f.write_str(
                        " (the router has no other serving replicas, so at least 1 must serve)",
                    )?;
                }
                f.write_str(
                    ", so no replica of `to` can be added before one of `from` is removed",
                )?;
                fixes.write(f, "max_total_replicas or min_total_replicas")
            }
            MaxStepTooSmall {
                max_step_percent,
                stuck_share,
                next_share,
                needed_max_step_percent,
                needed_max_total_replicas,
            } => {
                let (a, b) = (stuck_share.numerator(), stuck_share.denominator());
                let (c, d) = (next_share.numerator(), next_share.denominator());
                let shift_num = (u128::from(c) * u128::from(b))
                    .saturating_sub(u128::from(a) * u128::from(d))
                    * 100;
                let shift_den = u128::from(b) * u128::from(d);
                write!(
                    f,
                    "no plan keeps every step within {max_step_percent} percentage points: with \
                     {} of the from+to traffic on `to`, the smallest move reaches {}, a shift of \
                     {} points; raise max_step_percent to at least {needed_max_step_percent}",
                    percent(u128::from(a), u128::from(b)),
                    percent(u128::from(c), u128::from(d)),
                    percent(shift_num, shift_den * 100).trim_end_matches('%'),
                )?;
                if let Some(c) = needed_max_total_replicas {
                    write!(
                        f,
                        " or raise max_total_replicas to {c} for {max_step_percent}-point steps"
                    )?;
                }
                Ok(())
            }
            NoActionOrder {
                to_replicas,
                from_replicas,
                floor,
                max_total_replicas,
            } => {
                write!(
                    f,
                    "no order of actions reaches {to_replicas} `to` and {from_replicas} `from` \
                     replicas while keeping at least {floor} serving"
                )?;
                if let Some(c) = max_total_replicas {
                    write!(f, " and at most {c} in total")?;
                }
                f.write_str("; raise max_total_replicas or lower min_total_replicas")
            }
        }
    }
}

/// How the registry differs from the state a migration step starts from
/// (SPEC M6): the first difference found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepMismatch {
    /// The router lists other deployments than the step expects.
    RouterDeployments {
        /// Full name of the router.
        router: String,
        /// The deployments the step expects, in order.
        expected: Vec<String>,
        /// The deployments the router lists.
        found: Vec<String>,
    },
    /// A deployment the step expects does not exist.
    MissingDeployment {
        /// Full name of the deployment.
        deployment: String,
    },
    /// A deployment the step would create already exists.
    UnexpectedDeployment {
        /// Full name of the deployment.
        deployment: String,
    },
    /// A deployment has another replica count than the step expects.
    Replicas {
        /// Full name of the deployment.
        deployment: String,
        /// The count the step expects.
        expected: u32,
        /// The current count.
        found: u32,
    },
    /// A deployment has other replica bounds than the step expects.
    ReplicaBounds {
        /// Full name of the deployment.
        deployment: String,
        /// The `(min, max)` the step expects.
        expected: (u32, u32),
        /// The current `(min, max)`.
        found: (u32, u32),
    },
}

impl fmt::Display for StepMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use StepMismatch::*;
        match self {
            RouterDeployments {
                router,
                expected,
                found,
            } => write!(
                f,
                "{router} lists [{}] but the step expects [{}]",
                found.join(", "),
                expected.join(", ")
            ),
            MissingDeployment { deployment } => {
                write!(f, "{deployment} does not exist but the step expects it")
            }
            UnexpectedDeployment { deployment } => {
                write!(f, "{deployment} exists but the step expects to create it")
            }
            Replicas {
                deployment,
                expected,
                found,
            } => write!(
                f,
                "{deployment} has {found} replicas but the step expects {expected}"
            ),
            ReplicaBounds {
                deployment,
                expected,
                found,
            } => write!(
                f,
                "{deployment} has replica bounds {}-{} but the step expects {}-{}",
                found.0, found.1, expected.0, expected.1
            ),
        }
    }
}
