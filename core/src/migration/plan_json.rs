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
use super::action::{ActionKind, MigrationAction};
use super::plan::{
    DeploymentReplicas, DeploymentState, MigrationStep, PlanData, PlanKind, PlanState, StepShare,
};
use crate::error::IdKind;
use crate::names::{Id, ResourceName, parse_full};
use crate::share::Fraction;
use crate::support::json::{Field, Members, Read, Short, Value, Writer, canonical_decimal};

/// Parses a full resource name of any kind; the plan validator checks kinds.
pub(crate) fn parse_full_name(input: &str) -> Result<ResourceName, String> {
    let Some((account, kind, id)) = parse_full(input).filter(|(_, _, id)| !id.contains('/')) else {
        return Err(format!(
            "'{}' is not a full resource name accounts/{{account}}/{{deployments|routers|models}}/{{id}}",
            Short(input)
        ));
    };
    let account = Id::new(account, IdKind::Account).map_err(|e| e.to_string())?;
    let id = Id::new(id, kind.id_kind()).map_err(|e| e.to_string())?;
    Ok(ResourceName::new(account, kind, id))
}

/// A full resource name of any kind.
pub(crate) fn name(f: Field<'_, '_>) -> Read<ResourceName> {
    parse_full_name(f.str()?).map_err(|e| f.error(e))
}

/// Required resource name member `key`.
fn name_at(m: &Members<'_, '_>, key: &str) -> Read<ResourceName> {
    name(m.get(key)?)
}

fn names(f: Field<'_, '_>) -> Read<Vec<ResourceName>> {
    f.array(name)
}

/// Parses a fraction `"numerator/denominator"` in lowest terms.
fn parse_fraction(s: &str) -> Result<Fraction, String> {
    let parsed = s.split_once('/').and_then(|(n, d)| {
        let (n, d) = (canonical_decimal::<u64>(n)?, canonical_decimal::<u64>(d)?);
        let fraction = Fraction::new(n, d)?;
        // Only lowest terms round-trip exactly.
        (fraction.numerator() == n && fraction.denominator() == d).then_some(fraction)
    });
    parsed.ok_or_else(|| {
        format!(
            "'{}' is not a fraction in lowest terms like \"3/5\"",
            Short(s)
        )
    })
}

/// A fraction `"numerator/denominator"` in lowest terms.
pub(crate) fn fraction(f: Field<'_, '_>) -> Read<Fraction> {
    parse_fraction(f.str()?).map_err(|e| f.error(e))
}

/// Parses an action name ([`ActionKind::as_str`]), or says which names
/// there are.
fn parse_action_kind(tag: &str) -> Result<ActionKind, String> {
    tag.parse::<ActionKind>().map_err(|_| {
        let names: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        let (last, rest) = names.split_last().unwrap_or((&"", &[]));
        format!(
            "unknown action '{}': expected {} or {last}",
            Short(tag),
            rest.join(", "),
        )
    })
}

/// Required fraction member `key`.
fn fraction_at(m: &Members<'_, '_>, key: &str) -> Read<Fraction> {
    fraction(m.get(key)?)
}

impl PlanData {
    /// Writes the plan as JSON.
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.key("format_version").uint(self.format_version);
            self.kind.write(w.key("kind"));
            w.key("router").text(&self.router);
            w.key("from").text(&self.from);
            w.key("to").text(&self.to);
            w.key("model").text(&self.model);
            w.key("target_replicas").uint(self.target_replicas);
            w.key("min_total_replicas").uint(self.min_total_replicas);
            w.key("effective_floor").uint(self.effective_floor);
            w.key("max_total_replicas")
                .option(self.max_total_replicas, Writer::uint);
            self.schedule.write(w.key("schedule"));
            w.key("router_order")
                .array(&self.router_order, Writer::text);
            w.key("others")
                .array(&self.others, DeploymentReplicas::write);
            self.initial.write(w.key("initial"));
            w.key("steps").array(&self.steps, |w, s| s.write(w));
        });
    }

    /// Reads a plan's fields from a JSON value tree, without checking its
    /// content (see [`PlanData::verify`]).
    pub(crate) fn from_value(f: Field<'_, '_>) -> Read<PlanData> {
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
                others: m.get("others")?.array(DeploymentReplicas::from_value)?,
                initial: PlanState::from_value(m.get("initial")?)?,
                steps: m.get("steps")?.array(MigrationStep::from_value)?,
            })
        })
    }
}

impl PlanKind {
    fn write(self, w: &mut Writer) {
        match self {
            PlanKind::Migration => w.text(self.as_str()),
            PlanKind::Rollback { after_step } => w.object(|w| {
                w.key(self.as_str())
                    .object(|w| w.key("after_step").uint(after_step as u64));
            }),
        }
    }

    fn from_value(f: Field<'_, '_>) -> Read<PlanKind> {
        if let Value::String(s) = f.value {
            return match s.as_str() {
                s if s == PlanKind::Migration.as_str() => Ok(PlanKind::Migration),
                _ => Err(f.error(format_args!(
                    "unknown plan kind '{}': expected \"migration\" or {{\"rollback\": ...}}",
                    Short(s)
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
    fn write(&self, w: &mut Writer) {
        w.object(|w| match self {
            Schedule::Steps(steps) => w.key("steps").array(steps, |w, &s| w.uint(s)),
            Schedule::MaxStep(m) => w.key("max_step").uint(*m),
        });
    }

    fn from_value(f: Field<'_, '_>) -> Read<Schedule> {
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
    fn write(self, w: &mut Writer) {
        w.object(|w| {
            w.key("exists").bool(self.exists);
            w.key("in_router").bool(self.in_router);
            w.key("replicas").uint(self.replicas);
            w.key("min_replicas").uint(self.min_replicas);
            w.key("max_replicas").uint(self.max_replicas);
        });
    }

    fn from_value(f: Field<'_, '_>) -> Read<DeploymentState> {
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
    fn write(self, w: &mut Writer) {
        w.object(|w| {
            self.from.write(w.key("from"));
            self.to.write(w.key("to"));
        });
    }

    fn from_value(f: Field<'_, '_>) -> Read<PlanState> {
        f.object(|m| {
            Ok(PlanState {
                from: DeploymentState::from_value(m.get("from")?)?,
                to: DeploymentState::from_value(m.get("to")?)?,
            })
        })
    }
}

impl MigrationStep {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.key("requested_share").text(self.requested_share);
            w.key("actions").array(&self.actions, |w, a| a.write(w));
            self.state.write(w.key("state"));
            w.key("split").array(&self.split, StepShare::write);
            w.key("to_share").text(self.to_share);
        });
    }

    fn from_value(f: Field<'_, '_>) -> Read<MigrationStep> {
        f.object(|m| {
            Ok(MigrationStep {
                requested_share: fraction_at(m, "requested_share")?,
                actions: m.get("actions")?.array(MigrationAction::from_value)?,
                state: PlanState::from_value(m.get("state")?)?,
                split: m.get("split")?.array(StepShare::from_value)?,
                to_share: fraction_at(m, "to_share")?,
            })
        })
    }
}

impl DeploymentReplicas {
    fn write(w: &mut Writer, o: &DeploymentReplicas) {
        w.object(|w| {
            w.key("deployment").text(&o.deployment);
            w.key("replicas").uint(o.replicas);
        });
    }

    fn from_value(f: Field<'_, '_>) -> Read<DeploymentReplicas> {
        f.object(|m| {
            Ok(DeploymentReplicas {
                deployment: name_at(m, "deployment")?,
                replicas: m.uint("replicas")?,
            })
        })
    }
}

impl StepShare {
    fn write(w: &mut Writer, s: &StepShare) {
        w.object(|w| {
            w.key("deployment").text(&s.deployment);
            w.key("replicas").uint(s.replicas);
            w.key("share").text(s.share);
        });
    }

    fn from_value(f: Field<'_, '_>) -> Read<StepShare> {
        f.object(|m| {
            Ok(StepShare {
                deployment: name_at(m, "deployment")?,
                replicas: m.uint("replicas")?,
                share: fraction_at(m, "share")?,
            })
        })
    }
}

impl MigrationAction {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.key("action").text(self.kind().as_str());
            match self {
                MigrationAction::CreateDeployment {
                    deployment,
                    model,
                    replicas,
                } => {
                    w.key("deployment").text(deployment);
                    w.key("model").text(model);
                    w.key("replicas").uint(*replicas);
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
                    w.key("router").text(router);
                    w.key("deployment").text(deployment);
                    w.key("deployments").array(deployments, Writer::text);
                }
                MigrationAction::SetReplicaBounds {
                    deployment,
                    min_replicas,
                    max_replicas,
                } => {
                    w.key("deployment").text(deployment);
                    w.key("min_replicas").uint(*min_replicas);
                    w.key("max_replicas").uint(*max_replicas);
                }
                MigrationAction::DeleteDeployment { deployment } => {
                    w.key("deployment").text(deployment);
                }
            }
        });
    }

    fn from_value(f: Field<'_, '_>) -> Read<MigrationAction> {
        f.object(|m| {
            let kind = parse_action_kind(m.str("action")?).map_err(|e| f.error(e))?;
            Ok(match kind {
                ActionKind::CreateDeployment => MigrationAction::CreateDeployment {
                    deployment: name_at(m, "deployment")?,
                    model: name_at(m, "model")?,
                    replicas: m.uint("replicas")?,
                },
                ActionKind::AddToRouter => MigrationAction::AddToRouter {
                    router: name_at(m, "router")?,
                    deployment: name_at(m, "deployment")?,
                    deployments: names(m.get("deployments")?)?,
                },
                ActionKind::RemoveFromRouter => MigrationAction::RemoveFromRouter {
                    router: name_at(m, "router")?,
                    deployment: name_at(m, "deployment")?,
                    deployments: names(m.get("deployments")?)?,
                },
                ActionKind::SetReplicaBounds => MigrationAction::SetReplicaBounds {
                    deployment: name_at(m, "deployment")?,
                    min_replicas: m.uint("min_replicas")?,
                    max_replicas: m.uint("max_replicas")?,
                },
                ActionKind::DeleteDeployment => MigrationAction::DeleteDeployment {
                    deployment: name_at(m, "deployment")?,
                },
            })
        })
    }
}

/// Each part of a plan serializes as it appears in the plan JSON, and
/// deserializes with the plan reader's checks and messages.
#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::support::json::serde_impls::{serde_as_string, serde_via_format};

    serde_as_string!(
        /// A full resource name `accounts/{account}/{collection}/{id}`, as in
        /// the snapshot and plan JSON (any of the three kinds).
        ResourceName,
        parse: parse_full_name,
    );
    serde_as_string!(
        /// `"numerator/denominator"` in lowest terms, as in the plan JSON.
        Fraction,
        parse: parse_fraction,
    );
    serde_as_string!(
        /// The action's name ([`ActionKind::as_str`]), the plan JSON's `action` tag.
        ActionKind,
        parse: parse_action_kind,
    );
    serde_via_format!(
        /// As in the plan JSON: `"migration"` or `{"rollback": {"after_step": N}}`.
        PlanKind,
        write: |w, k: &PlanKind| k.write(w),
        read: PlanKind::from_value,
    );
    serde_via_format!(
        /// As in the plan JSON: `{"steps": [20, 80, 100]}` or `{"max_step": 20}`;
        /// deserializing reads the shape only, as a plan does (planning
        /// checks the values, SPEC M1).
        Schedule,
        write: |w, s: &Schedule| s.write(w),
        read: Schedule::from_value,
    );
    serde_via_format!(
        /// As in the plan JSON: `{"exists", "in_router", "replicas",
        /// "min_replicas", "max_replicas"}`.
        DeploymentState,
        write: |w, s: &DeploymentState| s.write(w),
        read: DeploymentState::from_value,
    );
    serde_via_format!(
        /// As in the plan JSON: `{"from": {...}, "to": {...}}`.
        PlanState,
        write: |w, s: &PlanState| s.write(w),
        read: PlanState::from_value,
    );
    serde_via_format!(
        /// As in the plan JSON's `others`: `{"deployment", "replicas"}`.
        DeploymentReplicas,
        write: DeploymentReplicas::write,
        read: DeploymentReplicas::from_value,
    );
    serde_via_format!(
        /// As in a plan step's `split`: `{"deployment", "replicas", "share"}`.
        StepShare,
        write: StepShare::write,
        read: StepShare::from_value,
    );
    serde_via_format!(
        /// As in the plan JSON: an object tagged by `"action"`.
        MigrationAction,
        write: |w, a: &MigrationAction| a.write(w),
        read: MigrationAction::from_value,
    );
    serde_via_format!(
        /// As in the plan JSON's `steps`. A step alone is read, not checked:
        /// [`MigrationPlan::from_json`](crate::MigrationPlan::from_json)
        /// checks steps against their plan.
        MigrationStep,
        write: |w, s: &MigrationStep| s.write(w),
        read: MigrationStep::from_value,
    );
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
