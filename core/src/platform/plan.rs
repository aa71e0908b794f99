//! Migration plans as operations (SPEC P3, M6): every plan action is one
//! [`Operation`], so a plan renders as `firectl` commands and as REST
//! requests and applies operation by operation.
//!
//! Kept apart from `migration/action.rs` so the action vocabulary there can
//! change without touching this mapping beyond [`MigrationAction::operation`].

use super::Operation;
use crate::migration::{MigrationAction, MigrationPlan, MigrationStep};

impl MigrationAction {
    /// The operation that carries this action out (SPEC P3). Its
    /// [`Operation::firectl_command`] equals this action's
    /// [`MigrationAction::firectl_command`].
    pub fn operation(&self) -> Operation {
        match self {
            MigrationAction::CreateDeployment {
                deployment,
                model,
                replicas,
            } => Operation::CreateDeployment {
                account: deployment.account().clone(),
                id: Some(deployment.id().clone()),
                model: model.clone(),
                region: None,
                min_replicas: *replicas,
                max_replicas: *replicas,
                direct_route_api_keys: None,
            },
            MigrationAction::AddToRouter {
                router,
                deployments,
                ..
            }
            | MigrationAction::RemoveFromRouter {
                router,
                deployments,
                ..
            } => Operation::UpdateRouter {
                router: router.clone(),
                deployments: Some(deployments.clone()),
                display_name: None,
                model: None,
                strategy: None,
                session_affinity: None,
                public: None,
                clear_display_name: false,
                clear_model: false,
            },
            MigrationAction::SetReplicaBounds {
                deployment,
                min_replicas,
                max_replicas,
            } => Operation::UpdateDeployment {
                deployment: deployment.clone(),
                min_replicas: Some(*min_replicas),
                max_replicas: Some(*max_replicas),
            },
            MigrationAction::DeleteDeployment { deployment } => Operation::DeleteDeployment {
                deployment: deployment.clone(),
            },
        }
    }
}

impl MigrationStep {
    /// This step's actions as operations, in order.
    pub fn operations(&self) -> Vec<Operation> {
        self.actions
            .iter()
            .map(MigrationAction::operation)
            .collect()
    }
}

impl MigrationPlan {
    /// Every action of every step as an operation, in order (SPEC P3): the
    /// plan as `firectl` commands ([`Operation::firectl_command`]) and as
    /// REST requests ([`Operation::rest_request`]).
    pub fn operations(&self) -> Vec<Operation> {
        self.steps()
            .iter()
            .flat_map(MigrationStep::operations)
            .collect()
    }
}
