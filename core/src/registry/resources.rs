//! What the platform resource format (SPEC P1-P3, `crate::platform`) needs
//! from the registry's internals: adding imported resources in one atomic
//! step, every resource of every account for export, and scaling.

use super::{Account, Registry, check_router_deployments};
use crate::deployment::Deployment;
use crate::error::{Error, Result};
use crate::names::{Id, ResourceKind};
use crate::router::Router;
use crate::support::ordered_map::OrderedMap;

impl Registry {
    /// Adds imported deployments and routers, each with the path it came
    /// from in the input (SPEC P1). Checks everything first, deployments
    /// then routers, each in name order: a name that already exists or
    /// repeats, and every router rule (R1, R2) against the registry's
    /// deployments plus the new ones. The first failure is
    /// [`Error::InvalidResource`] at that path and nothing changes.
    ///
    /// # Performance
    /// O(n log n) for n new resources into an empty account: entries are
    /// inserted in name order, so each insertion appends.
    pub(crate) fn add_imported(
        &mut self,
        mut deployments: Vec<(String, Deployment)>,
        mut routers: Vec<(String, Router)>,
    ) -> Result<()> {
        deployments.sort_by(|(_, a), (_, b)| a.name.cmp(&b.name));
        routers.sort_by(|(_, a), (_, b)| a.name.cmp(&b.name));
        let at = |path: &str, e: Error| Error::InvalidResource {
            path: path.to_owned(),
            source: Box::new(e),
        };
        // Checked on a copy of the maps, then added to the registry (which
        // keeps its indexes in step).
        let mut accounts: OrderedMap<Id, Account> = self.accounts.clone();
        for (path, d) in &deployments {
            let account = accounts.get_or_insert_default(d.name.account());
            if account.deployments.contains_key(d.name.id()) {
                let name = d.name.to_string();
                return Err(at(path, Error::AlreadyExists { name }));
            }
            account.deployments.insert(d.name.id().clone(), d.clone());
        }
        let mut checked = Vec::with_capacity(routers.len());
        for (path, r) in routers {
            check_router_deployments(&r.deployments, r.name.account(), Some(&accounts))
                .map_err(|e| at(&path, e))?;
            let account = accounts.get_or_insert_default(r.name.account());
            if account.routers.contains_key(r.name.id()) {
                let name = r.name.to_string();
                return Err(at(&path, Error::AlreadyExists { name }));
            }
            // A placeholder entry marks the name as taken.
            account.routers.insert(
                r.name.id().clone(),
                super::RouterEntry {
                    router: r.clone(),
                    table: None,
                },
            );
            checked.push(r);
        }
        for (_, d) in deployments {
            self.put_deployment(d);
        }
        for r in checked {
            self.put_router(r);
        }
        Ok(())
    }

    /// Every deployment of every account, by name (SPEC T2).
    pub(crate) fn all_deployments(&self) -> impl Iterator<Item = &Deployment> + '_ {
        self.accounts.values().flat_map(|a| a.deployments.values())
    }

    /// Every router of every account, by name (SPEC T2).
    pub(crate) fn all_routers(&self) -> impl Iterator<Item = &Router> + '_ {
        self.accounts
            .values()
            .flat_map(|a| a.routers.values().map(|e| &e.router))
    }

    /// Sets a deployment's current replica count within its bounds, as
    /// `firectl deployment scale --replica-count` does (SPEC P3); the routers
    /// that list it rebuild their tables.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::PermissionDenied`];
    /// [`Error::ReplicasOutOfBounds`] when `replicas` is outside
    /// `[min, max]`. On error nothing changes.
    ///
    /// # Performance
    /// As [`Registry::update_deployment`].
    pub fn scale_deployment(&mut self, name: &str, replicas: u32) -> Result<Deployment> {
        let name = self.parse_own(name, ResourceKind::Deployment)?;
        let current = self.deployment_entry(&name)?;
        if replicas < current.min_replicas || replicas > current.max_replicas {
            return Err(Error::ReplicasOutOfBounds {
                deployment: name.to_string(),
                replicas,
                min: current.min_replicas,
                max: current.max_replicas,
            });
        }
        let mut deployment = current.clone();
        deployment.replicas = replicas;
        self.put_deployment(deployment.clone());
        Ok(deployment)
    }
}
