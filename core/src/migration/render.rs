//! Rendering plans as reference CLI commands and as a table (SPEC M6).

use std::fmt::{self, Write as _};

use super::action::MigrationAction;
use super::plan::{MigrationPlan, MigrationStep, PlanKind};
use crate::names::ResourceName;
use crate::share::Fraction;
use crate::support::text::percent;

/// A share as [`percent`] text.
fn share_percent(share: Fraction) -> String {
    percent(share.numerator().into(), share.denominator().into())
}

fn id(name: &ResourceName) -> &str {
    name.id().as_str()
}

impl MigrationAction {
    /// The reference CLI command for this action, on one line (SPEC M6).
    /// Routers and deployments go by bare ID, as in the reference; models by
    /// full name.
    ///
    /// ```text
    /// firectl deployment create accounts/my-account/models/llama --deployment-id=new-deployment
    /// firectl router update my-router --deployments=current-deployment,new-deployment
    /// firectl deployment update new-deployment --min-replica-count=4 --max-replica-count=4
    /// ```
    pub fn firectl_command(&self) -> String {
        match self {
            MigrationAction::CreateDeployment {
                deployment,
                model,
                replicas,
            } => {
                let mut cmd = format!(
                    "firectl deployment create {model} --deployment-id={}",
                    id(deployment)
                );
                if *replicas != 1 {
                    let _ = write!(
                        cmd,
                        " --min-replica-count={replicas} --max-replica-count={replicas}"
                    );
                }
                cmd
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
                let ids: Vec<&str> = deployments.iter().map(id).collect();
                format!(
                    "firectl router update {} --deployments={}",
                    id(router),
                    ids.join(",")
                )
            }
            MigrationAction::SetReplicaBounds {
                deployment,
                min_replicas,
                max_replicas,
            } => format!(
                "firectl deployment update {} --min-replica-count={min_replicas} \
                 --max-replica-count={max_replicas}",
                id(deployment)
            ),
            MigrationAction::DeleteDeployment { deployment } => {
                format!("firectl deployment delete {}", id(deployment))
            }
        }
    }
}

fn replicas_word(n: u32) -> &'static str {
    if n == 1 { "replica" } else { "replicas" }
}

impl fmt::Display for MigrationAction {
    /// A short description: `scale new-deployment to 4 replicas`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrationAction::CreateDeployment {
                deployment,
                replicas,
                ..
            } => write!(
                f,
                "create {} with {replicas} {}",
                id(deployment),
                replicas_word(*replicas)
            ),
            MigrationAction::AddToRouter {
                router, deployment, ..
            } => write!(f, "add {} to {}", id(deployment), id(router)),
            MigrationAction::SetReplicaBounds {
                deployment,
                min_replicas,
                max_replicas,
            } if min_replicas == max_replicas => write!(
                f,
                "scale {} to {min_replicas} {}",
                id(deployment),
                replicas_word(*min_replicas)
            ),
            MigrationAction::SetReplicaBounds {
                deployment,
                min_replicas,
                max_replicas,
            } => write!(
                f,
                "restore {} replica bounds to {min_replicas}-{max_replicas}",
                id(deployment)
            ),
            MigrationAction::RemoveFromRouter {
                router, deployment, ..
            } => write!(f, "remove {} from {}", id(deployment), id(router)),
            MigrationAction::DeleteDeployment { deployment } => {
                write!(f, "delete {}", id(deployment))
            }
        }
    }
}

impl MigrationStep {
    /// This step's actions as reference CLI commands, one per action.
    pub fn firectl_commands(&self) -> Vec<String> {
        self.actions
            .iter()
            .map(MigrationAction::firectl_command)
            .collect()
    }
}

impl MigrationPlan {
    /// Every action of every step as a reference CLI command, in order
    /// (SPEC M5, M6).
    pub fn firectl_commands(&self) -> Vec<String> {
        self.steps()
            .iter()
            .flat_map(MigrationStep::firectl_commands)
            .collect()
    }

    /// The plan as a readable table: one row per step with the requested
    /// and realised `to` share, each router deployment's replicas and share,
    /// and the step's actions (one per line). The first row, `start`, is the
    /// initial state; the step rows are numbered from 0 like every step
    /// index of the API (`steps()[i]`, [`Registry::apply_step`]`(plan, i)`,
    /// [`MigrationPlan::rollback`]`(i)`).
    ///
    /// [`Registry::apply_step`]: crate::Registry::apply_step
    pub fn table(&self) -> String {
        let data = &self.data;
        // Every cell, row by row, `columns` per row; the header comes first.
        let mut cells: Vec<String> = vec!["step".into(), "requested".into(), "to share".into()];
        cells.extend(data.router_order.iter().map(|d| id(d).to_string()));
        cells.push("actions".into());
        let columns = cells.len();

        let steps = std::iter::once(None).chain(data.steps.iter().map(Some));
        for (i, step) in steps.enumerate() {
            let state = step.map_or(&data.initial, |s| &s.state);
            // Row 0 is the initial state: step k is on row k + 1.
            cells.push(match i.checked_sub(1) {
                Some(k) => k.to_string(),
                None => "start".into(),
            });
            cells.push(step.map_or_else(|| "-".into(), |s| share_percent(s.requested_share)));
            cells.push(share_percent(state.to_share()));
            let split = data.split(state);
            for d in &data.router_order {
                let shown = match (
                    split.iter().find(|s| &s.deployment == d),
                    data.side_of(d).map(|s| state.get(s)),
                ) {
                    (Some(s), _) => Some((s.replicas, share_percent(s.share))),
                    (None, Some(st)) => st.exists.then(|| {
                        let how = if st.in_router { "-" } else { "out" };
                        (st.replicas, how.to_string())
                    }),
                    (None, None) => data
                        .others
                        .iter()
                        .find(|o| &o.deployment == d)
                        .map(|o| (o.replicas, "-".to_string())),
                };
                cells.push(shown.map_or_else(|| "-".into(), |(n, how)| format!("{n} ({how})")));
            }
            match step {
                None => cells.push("(initial state)".into()),
                Some(step) if step.actions.is_empty() => cells.push(String::new()),
                Some(step) => {
                    for (k, action) in step.actions.iter().enumerate() {
                        if k > 0 {
                            cells.resize(cells.len() + columns - 1, String::new());
                        }
                        cells.push(action.to_string());
                    }
                }
            }
        }

        let mut widths = vec![0; columns];
        for row in cells.chunks(columns) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }

        let mut out = String::new();
        let what = match data.kind {
            PlanKind::Migration => "Migration",
            PlanKind::Rollback { .. } => "Rollback",
        };
        let _ = write!(
            out,
            "{what} of router {}: {} -> {} (target {} {})\nfloor {} serving from+to replicas, ",
            id(&data.router),
            id(&data.from),
            id(&data.to),
            data.target_replicas,
            replicas_word(data.target_replicas),
            data.effective_floor,
        );
        let _ = match data.max_total_replicas {
            Some(c) => write!(out, "ceiling {c}"),
            None => out.write_str("no ceiling"),
        };
        let _ = match data.kind {
            PlanKind::Migration => write!(out, ", {}\n\n", data.schedule),
            PlanKind::Rollback { after_step } => write!(
                out,
                ", back to the initial state from after step {after_step}\n\n"
            ),
        };
        let mut line = String::new();
        for row in cells.chunks(columns) {
            line.clear();
            for (c, (cell, &w)) in row.iter().zip(&widths).enumerate() {
                let _ = if c == 0 {
                    write!(line, "{cell:<w$}")
                } else if c + 1 < columns {
                    write!(line, "  {cell:>w$}")
                } else {
                    write!(line, "  {cell}")
                };
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for MigrationPlan {
    /// The [`MigrationPlan::table`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.table())
    }
}
