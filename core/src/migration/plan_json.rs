//! The plan JSON format (SPEC M6), version 1, field by field.
//!
//! Resource names are full-name strings and fractions `"numerator/denominator"`
//! strings in lowest terms (exact, and safe from the 2^53 limit of JSON
//! numbers in JavaScript). Actions carry an `"action"` tag; the plan kind is
//! `"migration"` or `{"rollback": {"after_step": N}}`; the schedule is
//! `{"steps": [20, 80, 100]}` or `{"max_step": 20}`. Reading rejects unknown
//! fields; `null` and a missing field both mean "none" where a field is
//! optional. [`MigrationPlan::from_json`](super::MigrationPlan::from_json)
//! then replays the plan to check its content.

use super::Schedule;
use super::action::MigrationAction;
use super::plan::{
    DeploymentReplicas, DeploymentState, MigrationStep, PlanData, PlanKind, PlanState, StepShare,
};
use crate::error::IdKind;
use crate::json::{Field, Members, Value};
use crate::names::{Id, ResourceName, parse_full};
use crate::share::Fraction;

type Read<T> = Result<T, String>;

/// Parses a full resource name of any kind; the plan validator checks kinds.
fn parse_full_name(input: &str) -> Result<ResourceName, String> {
    let Some((account, kind, id)) = parse_full(input).filter(|(_, _, id)| !id.contains('/')) else {
        return Err(format!(
            "'{}' is not a full resource name accounts/{{account}}/{{deployments|routers|models}}/{{id}}",
            input.escape_debug()
        ));
    };
    let account = Id::new(account, IdKind::Account).map_err(|e| e.to_string())?;
    let id = Id::new(id, kind.id_kind()).map_err(|e| e.to_string())?;
    Ok(ResourceName::new(account, kind, id))
}

fn name(f: Field<'_>) -> Read<ResourceName> {
    parse_full_name(f.str()?).map_err(|e| f.error(e))
}

/// Required resource name member `key`.
fn name_at(m: &Members<'_>, key: &str) -> Read<ResourceName> {
    name(m.get(key)?)
}

fn names(f: Field<'_>) -> Read<Vec<ResourceName>> {
    f.array(name)
}

fn fraction(f: Field<'_>) -> Read<Fraction> {
    let s = f.str()?;
    let parsed = s.split_once('/').and_then(|(n, d)| {
        let (n, d) = (n.parse::<u64>().ok()?, d.parse::<u64>().ok()?);
        let fraction = Fraction::new(n, d)?;
        // Only lowest terms round-trip exactly.
        (fraction.numerator() == n && fraction.denominator() == d).then_some(fraction)
    });
    parsed.ok_or_else(|| {
        f.error(format_args!(
            "'{}' is not a fraction in lowest terms like \"3/5\"",
            s.escape_debug()
        ))
    })
}

/// Required fraction member `key`.
fn fraction_at(m: &Members<'_>, key: &str) -> Read<Fraction> {
    fraction(m.get(key)?)
}

impl PlanData {
    /// The plan as a JSON value tree.
    pub(crate) fn to_value(&self) -> Value {
        Value::object(vec![
            ("format_version", Value::uint(self.format_version)),
            ("kind", self.kind.to_value()),
            ("router", Value::text(&self.router)),
            ("from", Value::text(&self.from)),
            ("to", Value::text(&self.to)),
            ("model", Value::text(&self.model)),
            ("target_replicas", Value::uint(self.target_replicas)),
            ("min_total_replicas", Value::uint(self.min_total_replicas)),
            ("effective_floor", Value::uint(self.effective_floor)),
            (
                "max_total_replicas",
                Value::option(self.max_total_replicas, Value::uint),
            ),
            ("schedule", self.schedule.to_value()),
            (
                "router_order",
                Value::array(&self.router_order, Value::text),
            ),
            (
                "others",
                Value::array(&self.others, |o| {
                    Value::object(vec![
                        ("deployment", Value::text(&o.deployment)),
                        ("replicas", Value::uint(o.replicas)),
                    ])
                }),
            ),
            ("initial", self.initial.to_value()),
            ("steps", Value::array(&self.steps, MigrationStep::to_value)),
        ])
    }

    /// Reads a plan's fields from a JSON value tree, without checking its
    /// content (see [`PlanData::verify`]).
    pub(crate) fn from_value(f: Field<'_>) -> Read<PlanData> {
        f.object(|m| {
            Ok(PlanData {
                format_version: m.uint("format_version")?,
                kind: PlanKind::from_value(m.get("kind")?)?,
                router: name_at(m, "router")?,
                from: name_at(m, "from")?,
                to: name_at(m, "to")?,
                model: name_at(m, "model")?,
                target_replicas: m.uint("target_replicas")?,
                min_total_replicas: m.uint("min_total_replicas")?,
                effective_floor: m.uint("effective_floor")?,
                max_total_replicas: m
                    .optional("max_total_replicas")
                    .map(|f| f.uint())
                    .transpose()?,
                schedule: Schedule::from_value(m.get("schedule")?)?,
                router_order: names(m.get("router_order")?)?,
                others: m.get("others")?.array(|o| {
                    o.object(|m| {
                        Ok(DeploymentReplicas {
                            deployment: name_at(m, "deployment")?,
                            replicas: m.uint("replicas")?,
                        })
                    })
                })?,
                initial: PlanState::from_value(m.get("initial")?)?,
                steps: m.get("steps")?.array(MigrationStep::from_value)?,
            })
        })
    }
}

impl PlanKind {
    fn to_value(self) -> Value {
        match self {
            PlanKind::Migration => Value::text("migration"),
            PlanKind::Rollback { after_step } => Value::object(vec![(
                "rollback",
                Value::object(vec![("after_step", Value::uint(after_step as u64))]),
            )]),
        }
    }

    fn from_value(f: Field<'_>) -> Read<PlanKind> {
        if let Value::String(s) = f.value {
            return match s.as_str() {
                "migration" => Ok(PlanKind::Migration),
                _ => Err(f.error(format_args!(
                    "unknown plan kind '{}': expected \"migration\" or {{\"rollback\": ...}}",
                    s.escape_debug()
                ))),
            };
        }
        f.object(|m| {
            m.get("rollback")?.object(|m| {
                Ok(PlanKind::Rollback {
                    after_step: m.uint("after_step")?,
                })
            })
        })
    }
}

impl Schedule {
    fn to_value(&self) -> Value {
        match self {
            Schedule::Steps(steps) => {
                Value::object(vec![("steps", Value::array(steps, |&s| Value::uint(s)))])
            }
            Schedule::MaxStep(m) => Value::object(vec![("max_step", Value::uint(*m))]),
        }
    }

    fn from_value(f: Field<'_>) -> Read<Schedule> {
        f.object(|m| {
            let steps = m
                .optional("steps")
                .map(|f| f.array(|s| s.uint::<u32>()))
                .transpose()?;
            let max_step = m
                .optional("max_step")
                .map(|f| f.uint::<u32>())
                .transpose()?;
            match (steps, max_step) {
                (Some(steps), None) => Ok(Schedule::Steps(steps)),
                (None, Some(max_step)) => Ok(Schedule::MaxStep(max_step)),
                _ => {
                    Err(f.error("expected exactly one of {\"steps\": [...]} and {\"max_step\": N}"))
                }
            }
        })
    }
}

impl DeploymentState {
    fn to_value(self) -> Value {
        Value::object(vec![
            ("exists", Value::Bool(self.exists)),
            ("in_router", Value::Bool(self.in_router)),
            ("replicas", Value::uint(self.replicas)),
            ("min_replicas", Value::uint(self.min_replicas)),
            ("max_replicas", Value::uint(self.max_replicas)),
        ])
    }

    fn from_value(f: Field<'_>) -> Read<DeploymentState> {
        f.object(|m| {
            Ok(DeploymentState {
                exists: m.bool("exists")?,
                in_router: m.bool("in_router")?,
                replicas: m.uint("replicas")?,
                min_replicas: m.uint("min_replicas")?,
                max_replicas: m.uint("max_replicas")?,
            })
        })
    }
}

impl PlanState {
    fn to_value(self) -> Value {
        Value::object(vec![
            ("from", self.from.to_value()),
            ("to", self.to.to_value()),
        ])
    }

    fn from_value(f: Field<'_>) -> Read<PlanState> {
        f.object(|m| {
            Ok(PlanState {
                from: DeploymentState::from_value(m.get("from")?)?,
                to: DeploymentState::from_value(m.get("to")?)?,
            })
        })
    }
}

impl MigrationStep {
    fn to_value(&self) -> Value {
        Value::object(vec![
            ("requested_share", Value::text(self.requested_share)),
            (
                "actions",
                Value::array(&self.actions, MigrationAction::to_value),
            ),
            ("state", self.state.to_value()),
            (
                "split",
                Value::array(&self.split, |s| {
                    Value::object(vec![
                        ("deployment", Value::text(&s.deployment)),
                        ("replicas", Value::uint(s.replicas)),
                        ("share", Value::text(s.share)),
                    ])
                }),
            ),
            ("to_share", Value::text(self.to_share)),
        ])
    }

    fn from_value(f: Field<'_>) -> Read<MigrationStep> {
        f.object(|m| {
            Ok(MigrationStep {
                requested_share: fraction_at(m, "requested_share")?,
                actions: m.get("actions")?.array(MigrationAction::from_value)?,
                state: PlanState::from_value(m.get("state")?)?,
                split: m.get("split")?.array(|s| {
                    s.object(|m| {
                        Ok(StepShare {
                            deployment: name_at(m, "deployment")?,
                            replicas: m.uint("replicas")?,
                            share: fraction_at(m, "share")?,
                        })
                    })
                })?,
                to_share: fraction_at(m, "to_share")?,
            })
        })
    }
}

impl MigrationAction {
    fn to_value(&self) -> Value {
        match self {
            MigrationAction::CreateDeployment {
                deployment,
                model,
                replicas,
            } => Value::object(vec![
                ("action", Value::text("create_deployment")),
                ("deployment", Value::text(deployment)),
                ("model", Value::text(model)),
                ("replicas", Value::uint(*replicas)),
            ]),
            MigrationAction::AddToRouter {
                router,
                deployment,
                deployments,
            }
            | MigrationAction::RemoveFromRouter {
                router,
                deployment,
                deployments,
            } => Value::object(vec![
                (
                    "action",
                    Value::text(if matches!(self, MigrationAction::AddToRouter { .. }) {
                        "add_to_router"
                    } else {
                        "remove_from_router"
                    }),
                ),
                ("router", Value::text(router)),
                ("deployment", Value::text(deployment)),
                ("deployments", Value::array(deployments, Value::text)),
            ]),
            MigrationAction::SetReplicaBounds {
                deployment,
                min_replicas,
                max_replicas,
            } => Value::object(vec![
                ("action", Value::text("set_replica_bounds")),
                ("deployment", Value::text(deployment)),
                ("min_replicas", Value::uint(*min_replicas)),
                ("max_replicas", Value::uint(*max_replicas)),
            ]),
            MigrationAction::DeleteDeployment { deployment } => Value::object(vec![
                ("action", Value::text("delete_deployment")),
                ("deployment", Value::text(deployment)),
            ]),
        }
    }

    fn from_value(f: Field<'_>) -> Read<MigrationAction> {
        f.object(|m| {
            let tag = m.str("action")?;
            Ok(match tag.as_str() {
                "create_deployment" => MigrationAction::CreateDeployment {
                    deployment: name_at(m, "deployment")?,
                    model: name_at(m, "model")?,
                    replicas: m.uint("replicas")?,
                },
                "add_to_router" | "remove_from_router" => {
                    let router = name_at(m, "router")?;
                    let deployment = name_at(m, "deployment")?;
                    let deployments = names(m.get("deployments")?)?;
                    if tag == "add_to_router" {
                        MigrationAction::AddToRouter {
                            router,
                            deployment,
                            deployments,
                        }
                    } else {
                        MigrationAction::RemoveFromRouter {
                            router,
                            deployment,
                            deployments,
                        }
                    }
                }
                "set_replica_bounds" => MigrationAction::SetReplicaBounds {
                    deployment: name_at(m, "deployment")?,
                    min_replicas: m.uint("min_replicas")?,
                    max_replicas: m.uint("max_replicas")?,
                },
                "delete_deployment" => MigrationAction::DeleteDeployment {
                    deployment: name_at(m, "deployment")?,
                },
                other => {
                    return Err(f.error(format_args!(
                        "unknown action '{}': expected create_deployment, add_to_router, \
                         set_replica_bounds, remove_from_router or delete_deployment",
                        other.escape_debug()
                    )));
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_full_name;

    /// SPEC M6: plan names are full names with exactly four parts; the
    /// account and ID then follow N1.
    #[test]
    fn m6_full_names_have_exactly_four_parts() {
        let name = parse_full_name("accounts/a/models/llama").map(|n| n.to_string());
        assert_eq!(name.as_deref(), Ok("accounts/a/models/llama"));
        for bad in [
            "accounts/a/deployments/x/y",
            "accounts/a/shards/x",
            "accounts/a/deployments",
            "users/a/deployments/x",
            "my-router",
        ] {
            assert_eq!(
                parse_full_name(bad),
                Err(format!(
                    "'{bad}' is not a full resource name \
                     accounts/{{account}}/{{deployments|routers|models}}/{{id}}"
                )),
            );
        }
        // The shape is right: the ID's own N1 error.
        let bad_id = parse_full_name("accounts/a/deployments/X");
        assert!(
            bad_id
                .as_ref()
                .is_err_and(|e| !e.contains("is not a full resource name")),
            "{bad_id:?}"
        );
    }
}
