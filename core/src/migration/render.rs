//! Rendering plans as reference CLI commands and as a table (SPEC M6).

use std::fmt::{self, Write as _};

use super::action::MigrationAction;
use super::plan::{MigrationPlan, MigrationStep, PlanKind, PlanState};
use crate::names::ResourceName;

/// `num / den` as a percentage: exact when whole (`"20%"`), else rounded to
/// two decimals (`"33.33%"`). `den == 0` gives `"-"`.
pub(crate) fn percent(num: u128, den: u128) -> String {
    if den == 0 {
        return "-".into();
    }
    if (num * 100) % den == 0 {
        return format!("{}%", num * 100 / den);
    }
    let hundredths = (num * 10_000 * 2 + den) / (den * 2);
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

fn id(name: &ResourceName) -> &str {
    name.id().as_str()
}

fn ids(names: &[ResourceName]) -> String {
    names.iter().map(id).collect::<Vec<_>>().join(",")
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
            } => format!(
                "firectl router update {} --deployments={}",
                id(router),
                ids(deployments)
            ),
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
    /// and the step's actions (one per line). Row 0 is the initial state.
    pub fn table(&self) -> String {
        let data = &self.data;
        let mut header = vec![
            "step".to_string(),
            "requested".to_string(),
            "to share".to_string(),
        ];
        header.extend(data.router_order.iter().map(|d| id(d).to_string()));
        header.push("actions".into());

        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut row = |label: String,
                       requested: String,
                       state: &PlanState,
                       actions: Vec<String>| {
            let split = data.split(state);
            let to_share = state.to_share();
            let mut cells = vec![
                label,
                requested,
                percent(to_share.numerator().into(), to_share.denominator().into()),
            ];
            for d in &data.router_order {
                let share = split.iter().find(|s| &s.deployment == d);
                let cell = match (share, data.side_of(d).map(|s| state.get(s))) {
                    (Some(s), _) => format!(
                        "{} ({})",
                        s.replicas,
                        percent(s.share.numerator().into(), s.share.denominator().into())
                    ),
                    (None, Some(st)) if st.exists && st.in_router => format!("{} (-)", st.replicas),
                    (None, Some(st)) if st.exists => format!("{} (out)", st.replicas),
                    (None, Some(_)) => "-".into(),
                    (None, None) => data
                        .others
                        .iter()
                        .find(|o| &o.deployment == d)
                        .map_or_else(|| "-".into(), |o| format!("{} (-)", o.replicas)),
                };
                cells.push(cell);
            }
            let mut actions = actions.into_iter();
            cells.push(actions.next().unwrap_or_default());
            rows.push(cells);
            for more in actions {
                let mut cont = vec![String::new(); header.len() - 1];
                cont.push(more);
                rows.push(cont);
            }
        };
        row(
            "0".into(),
            "-".into(),
            &data.initial,
            vec!["(initial state)".into()],
        );
        for (i, step) in data.steps.iter().enumerate() {
            let requested = step.requested_share;
            row(
                (i + 1).to_string(),
                percent(requested.numerator().into(), requested.denominator().into()),
                &step.state,
                step.actions.iter().map(ToString::to_string).collect(),
            );
        }

        let widths: Vec<usize> = (0..header.len())
            .map(|c| {
                rows.iter()
                    .chain(std::iter::once(&header))
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let what = match data.kind {
            PlanKind::Migration => "Migration",
            PlanKind::Rollback { .. } => "Rollback",
        };
        let _ = writeln!(
            out,
            "{what} of router {}: {} -> {} (target {} {})",
            id(&data.router),
            id(&data.from),
            id(&data.to),
            data.target_replicas,
            replicas_word(data.target_replicas),
        );
        let what = match data.kind {
            PlanKind::Migration => data.schedule.to_string(),
            PlanKind::Rollback { after_step } => {
                format!(
                    "back to the state before step 1 from after step {}",
                    after_step + 1
                )
            }
        };
        let _ = writeln!(
            out,
            "floor {} serving from+to replicas, {}, {what}",
            data.effective_floor,
            data.max_total_replicas
                .map_or_else(|| "no ceiling".to_string(), |c| format!("ceiling {c}")),
        );
        out.push('\n');
        for r in std::iter::once(&header).chain(&rows) {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                let last = c + 1 == r.len();
                if c > 0 {
                    line.push_str("  ");
                }
                if last {
                    line.push_str(cell);
                } else if c == 0 {
                    let _ = write!(line, "{cell:<w$}", w = widths[c]);
                } else {
                    let _ = write!(line, "{cell:>w$}", w = widths[c]);
                }
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

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages() {
        assert_eq!(percent(1, 5), "20%");
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(2, 3), "66.67%");
        assert_eq!(percent(0, 7), "0%");
        assert_eq!(percent(1, 0), "-");
        assert_eq!(percent(1, 200), "0.50%");
    }
}
