//! The registry's two indexes (issue 20), kept in step with its maps by
//! every change, never built per request:
//!
//! - [`NameIndex`]: every router and deployment of every account by its
//!   full name, so routing by a full name is one hashed lookup of the
//!   request's `model` string, with the owner's account at hand for the
//!   permission check.
//! - [`Users`] (one per account): the routers that list each deployment
//!   (SPEC D3), so deleting a deployment or changing its replicas looks at
//!   those routers only, not at every router of the account.
//!
//! Every change to the registry's resources goes through the four functions
//! here: [`Registry::put_deployment`], [`Registry::take_deployment`],
//! [`Registry::put_router`] and [`Registry::take_router`]. Callers validate
//! first; these cannot fail.
//!
//! Both indexes hold positions in the registry's maps
//! ([`OrderedMap::position`]), which stay the same while an entry exists.

use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::{Account, Registry, RouterEntry, build_table};
use crate::deployment::Deployment;
use crate::names::{Id, ResourceKind, ResourceName};
use crate::router::Router;
use crate::selection::SharedDraw;
use crate::support::ordered_map::{FastHasher, OrderedMap};

/// Every stored router and deployment by full name
/// (`accounts/{account}/routers/{id}`, `accounts/{account}/deployments/{id}`).
pub(super) type NameIndex = HashMap<Box<str>, Place, BuildHasherDefault<FastHasher>>;

/// For each deployment of an account that routers list (by its position in
/// the account's deployments), the positions of those routers in the
/// account's routers.
pub(super) type Users = HashMap<usize, BTreeSet<usize>, BuildHasherDefault<FastHasher>>;

/// Where a full name's resource is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Place {
    /// The position of its account in the registry's accounts.
    pub(super) account: usize,
    /// [`ResourceKind::Router`] or [`ResourceKind::Deployment`].
    pub(super) kind: ResourceKind,
    /// Its position in the account's routers or deployments.
    pub(super) slot: usize,
    /// The length of its account's ID: the name starts with
    /// `accounts/{account}/`, so the caller owns it when the caller's ID has
    /// this length and the name holds it at [`OWNER_AT`].
    pub(super) owner_len: usize,
    /// A router's [`PlainRoute`], when it has one; `None` for deployments.
    pub(super) plain: Option<PlainRoute>,
}

/// What routing a request with no session key, cursor or load to a router
/// needs, kept in the router's index entry: the draw of its table's
/// `pick_plain` and its deployments, both shared with the router (nothing
/// is copied). A gateway's request then reads the index entry, the name's
/// bytes and the draw's table, and no router entry: at 100,000 routers
/// that is one dependent cache miss fewer per request (measured in
/// `benches/README.md`).
///
/// Only routers whose plain pick is their selector's one 32-bit draw have
/// one (see [`SharedDraw`]): `weighted-random` and `even-load` routers up to
/// 2^24 cells. The rest route through their entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PlainRoute {
    /// Picks as the table's `pick_plain`.
    pub(super) draw: SharedDraw,
    /// The router's deployments, in its order.
    pub(super) deployments: Arc<[ResourceName]>,
}

impl PlainRoute {
    /// The plain route of the router in `entry`, if it has one.
    fn of(entry: &RouterEntry) -> Option<PlainRoute> {
        Some(PlainRoute {
            draw: entry.table.as_ref()?.shared_draw()?,
            deployments: Arc::clone(&entry.router.deployments),
        })
    }
}

/// Where the account ID starts in a full name: after `accounts/`.
pub(super) const OWNER_AT: usize = "accounts/".len();

impl Place {
    /// The place of `name`, stored at `slot` of its kind in the account at
    /// position `account`.
    fn new(name: &ResourceName, account: usize, kind: ResourceKind, slot: usize) -> Place {
        Place {
            account,
            kind,
            slot,
            owner_len: name.account().as_str().len(),
            plain: None,
        }
    }

    /// The place of the router in `entry`, stored at `slot` in the account at
    /// position `account`, with its plain route.
    fn router(entry: &RouterEntry, account: usize, slot: usize) -> Place {
        Place {
            plain: PlainRoute::of(entry),
            ..Place::new(&entry.router.name, account, ResourceKind::Router, slot)
        }
    }

    /// True when `caller` owns the resource named `name` (this place's
    /// name): one length compare and one short byte compare.
    pub(super) fn is_owner(&self, name: &str, caller: &str) -> bool {
        caller.len() == self.owner_len
            && name.as_bytes().get(OWNER_AT..OWNER_AT + self.owner_len) == Some(caller.as_bytes())
    }
}

fn index_key(name: &ResourceName) -> Box<str> {
    name.to_string().into_boxed_str()
}

impl Registry {
    /// Stores a validated deployment, new or replacing the one of the same
    /// name (which keeps its position and the routers listing it). When a
    /// replaced deployment's replica count changed, the routers that list it
    /// rebuild their tables (SPEC D2). O(log n) to add; O(1) plus the
    /// rebuilds to replace.
    pub(super) fn put_deployment(&mut self, deployment: Deployment) {
        let name = deployment.name.clone();
        let a = self.accounts.position_or_insert_default(name.account());
        let Some(account) = self.accounts.at_mut(a) else {
            return;
        };
        let replicas = deployment.replicas;
        let (slot, old) = account
            .deployments
            .insert_full(name.id().clone(), deployment);
        match old {
            None => {
                let place = Place::new(&name, a, ResourceKind::Deployment, slot);
                self.names.insert(index_key(&name), place);
            }
            Some(old) if old.replicas != replicas => {
                let Account {
                    deployments,
                    routers,
                    users,
                } = account;
                for &r in users.get(&slot).into_iter().flatten() {
                    if let Some(entry) = routers.at_mut(r) {
                        entry.table = build_table(&entry.router, deployments);
                        self.table_builds += 1;
                        if let Some(place) = self.names.get_mut(&*index_key(&entry.router.name)) {
                            place.plain = PlainRoute::of(entry);
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }

    /// Removes a deployment that no router lists. O(log n).
    pub(super) fn take_deployment(&mut self, name: &ResourceName) {
        let Some(account) = self.accounts.get_mut(name.account()) else {
            return;
        };
        if let Some((slot, _)) = account.deployments.remove_full(name.id()) {
            account.users.remove(&slot);
            self.names.remove(&*index_key(name));
        }
    }

    /// Stores a validated router, new or replacing the one of the same name,
    /// and builds its table. O(log n) to add, plus O(m log n) for its `m`
    /// deployments.
    pub(super) fn put_router(&mut self, router: Router) {
        let name = router.name.clone();
        let a = self.accounts.position_or_insert_default(name.account());
        let Some(account) = self.accounts.at_mut(a) else {
            return;
        };
        let table = build_table(&router, &account.deployments);
        self.table_builds += 1;
        let (slot, old) = account
            .routers
            .insert_full(name.id().clone(), RouterEntry { router, table });
        let Account {
            deployments,
            routers,
            users,
        } = account;
        if let Some(old) = old {
            unlist(users, deployments, slot, &old.router.deployments);
        }
        // Just inserted: always there.
        if let Some(entry) = routers.at(slot) {
            // New, or replacing the old place (its plain route changed).
            self.names
                .insert(index_key(&name), Place::router(entry, a, slot));
            for d in entry.router.deployments.iter() {
                if let Some(d) = deployments.position(d.id()) {
                    users.entry(d).or_default().insert(slot);
                }
            }
        }
    }

    /// Removes a router. O(log n), plus O(m log n) for its `m` deployments.
    pub(super) fn take_router(&mut self, name: &ResourceName) {
        let Some(account) = self.accounts.get_mut(name.account()) else {
            return;
        };
        if let Some((slot, old)) = account.routers.remove_full(name.id()) {
            unlist(
                &mut account.users,
                &account.deployments,
                slot,
                &old.router.deployments,
            );
            self.names.remove(&*index_key(name));
        }
    }

    /// The routers that list `deployment` (SPEC D3), in no particular
    /// order. O(1) plus the routers.
    pub(super) fn users_of(&self, deployment: &ResourceName) -> Vec<&ResourceName> {
        let Some(account) = self.accounts.get(deployment.account()) else {
            return Vec::new();
        };
        let Some(users) = account
            .deployments
            .position(deployment.id())
            .and_then(|d| account.users.get(&d))
        else {
            return Vec::new();
        };
        users
            .iter()
            .filter_map(|&r| Some(&account.routers.at(r)?.router.name))
            .collect()
    }
}

/// Forgets that the router at `router` lists `names`.
fn unlist(
    users: &mut Users,
    deployments: &OrderedMap<Id, Deployment>,
    router: usize,
    names: &[ResourceName],
) {
    for d in names {
        if let Some(d) = deployments.position(d.id())
            && let Some(set) = users.get_mut(&d)
        {
            set.remove(&router);
            if set.is_empty() {
                users.remove(&d);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
impl Registry {
    /// Panics unless both indexes are exactly what a full scan of the maps
    /// gives.
    pub(crate) fn check_indexes(&self) {
        let mut names = NameIndex::default();
        for (_, a, account) in self.accounts.iter_positions() {
            let mut users = Users::default();
            for (_, slot, d) in account.deployments.iter_positions() {
                let place = Place::new(&d.name, a, ResourceKind::Deployment, slot);
                assert!(names.insert(index_key(&d.name), place).is_none());
            }
            for (_, slot, entry) in account.routers.iter_positions() {
                let place = Place::router(entry, a, slot);
                assert!(names.insert(index_key(&entry.router.name), place).is_none());
                for d in entry.router.deployments.iter() {
                    let Some(d) = account.deployments.position(d.id()) else {
                        panic!("{} lists a missing deployment", entry.router.name);
                    };
                    users.entry(d).or_default().insert(slot);
                }
            }
            assert_eq!(account.users, users, "users of an account");
        }
        assert_eq!(self.names, names, "name index");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;

    use crate::{
        DeploymentSpec, DeploymentUpdate, MigrationRequest, Registry, Result, RouterSpec,
        RouterUpdate, Schedule,
    };

    /// IDs the operations draw from: few, so that they collide.
    const IDS: [&str; 4] = ["a", "b", "c", "d"];

    #[derive(Debug, Clone)]
    enum Op {
        Account(bool),
        CreateDeployment(usize, u32),
        UpdateDeployment(usize, u32, u32),
        ScaleDeployment(usize, u32),
        DeleteDeployment(usize),
        CreateRouter(usize, Vec<usize>),
        UpdateRouter(usize, Vec<usize>),
        DeleteRouter(usize),
        /// A migration of a router from a deployment to a new one, applied
        /// up to a step, then maybe rolled back.
        Migrate(usize, usize, usize, usize, bool),
        /// Load the snapshot of the registry.
        Reload,
        /// Import the platform export of the registry into a fresh one, or
        /// into itself (which fails: every name exists).
        Import(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        let id = 0..IDS.len();
        // Mostly distinct and non-empty (valid), sometimes not.
        let ids = prop_oneof![
            4 => proptest::sample::subsequence((0..IDS.len()).collect::<Vec<_>>(), 1..=2),
            1 => proptest::collection::vec(0..IDS.len(), 0..3),
        ];
        prop_oneof![
            1 => any::<bool>().prop_map(Op::Account),
            4 => (id.clone(), 0..4u32).prop_map(|(i, r)| Op::CreateDeployment(i, r)),
            1 => (id.clone(), 0..4u32, 0..5u32).prop_map(|(i, a, b)| Op::UpdateDeployment(i, a, b)),
            1 => (id.clone(), 0..4u32).prop_map(|(i, r)| Op::ScaleDeployment(i, r)),
            1 => id.clone().prop_map(Op::DeleteDeployment),
            4 => (id.clone(), ids.clone()).prop_map(|(i, d)| Op::CreateRouter(i, d)),
            2 => (id.clone(), ids).prop_map(|(i, d)| Op::UpdateRouter(i, d)),
            1 => id.clone().prop_map(Op::DeleteRouter),
            2 => (id.clone(), id.clone(), id, 0..4usize, any::<bool>())
                .prop_map(|(r, f, t, s, b)| Op::Migrate(r, f, t, s, b)),
            1 => Just(Op::Reload),
            1 => any::<bool>().prop_map(Op::Import),
        ]
    }

    fn names(ids: &[usize]) -> Vec<&'static str> {
        ids.iter().map(|&i| IDS[i]).collect()
    }

    /// Applies `op`; `Err` when the operation failed (then it must have
    /// changed nothing).
    fn apply(reg: &mut Registry, op: &Op) -> Result<()> {
        match op {
            Op::Account(first) => reg.set_account(if *first { "acme" } else { "other" })?,
            Op::CreateDeployment(i, r) => {
                reg.create_deployment(DeploymentSpec::new("m").id(IDS[*i]).replicas(*r, *r + 2))?;
            }
            Op::UpdateDeployment(i, min, max) => {
                let update = DeploymentUpdate::new().replicas(*min, *max);
                reg.update_deployment(IDS[*i], update)?;
            }
            Op::ScaleDeployment(i, r) => {
                reg.scale_deployment(IDS[*i], *r)?;
            }
            Op::DeleteDeployment(i) => reg.delete_deployment(IDS[*i])?,
            Op::CreateRouter(i, d) => {
                reg.create_router(RouterSpec::new(names(d)).id(IDS[*i]))?;
            }
            Op::UpdateRouter(i, d) => {
                reg.update_router(IDS[*i], RouterUpdate::new().deployments(names(d)))?;
            }
            Op::DeleteRouter(i) => reg.delete_router(IDS[*i])?,
            Op::Migrate(r, from, to, steps, roll_back) => {
                let schedule = Schedule::Steps(vec![50, 100]);
                let request = MigrationRequest::new(IDS[*r], IDS[*from], IDS[*to], schedule);
                let plan = reg.plan_migration(&request)?;
                let last = (*steps).min(plan.steps().len() - 1);
                // Each call is atomic, not the sequence: check each here,
                // and report success.
                let atomic = |reg: &mut Registry, f: &dyn Fn(&mut Registry) -> Result<()>| {
                    let before = reg.clone();
                    let result = f(reg);
                    if result.is_err() {
                        assert_eq!(*reg, before);
                        assert_eq!(reg.names, before.names);
                    }
                    reg.check_indexes();
                    result
                };
                for step in 0..=last {
                    if atomic(reg, &|reg| reg.apply_step(&plan, step)).is_err() {
                        return Ok(());
                    }
                }
                if *roll_back {
                    let _ = atomic(reg, &|reg| reg.apply_plan(&plan.rollback(last)?).map(drop));
                }
            }
            Op::Reload => *reg = Registry::from_json(&reg.to_json())?,
            Op::Import(fresh) => {
                let export = reg.export_resources();
                if *fresh {
                    let mut other = Registry::new(reg.account().as_str(), 9)?;
                    other.import_resources(&export)?;
                    other.check_indexes();
                    // Imported routers route as the originals do.
                    for r in reg.list_routers() {
                        let name = r.name.to_string();
                        let caller = r.name.account().as_str();
                        assert_eq!(
                            reg.traffic_split(&name).ok(),
                            other.traffic_split(&name).ok()
                        );
                        let mut a = reg.seed().rng_stream(5);
                        let mut b = reg.seed().rng_stream(5);
                        assert_eq!(
                            reg.route_with(&name, caller, &mut a).ok(),
                            other.route_with(&name, caller, &mut b).ok()
                        );
                    }
                } else {
                    reg.import_resources(&export)?;
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            rng_seed: RngSeed::Fixed(0x5eed_2002),
            ..ProptestConfig::default()
        })]

        /// Issue 20: after every operation of a random sequence (each kind
        /// of change, its failures included), both indexes match a full
        /// scan, and a failed operation changed nothing.
        #[test]
        fn indexes_match_a_full_scan(ops in proptest::collection::vec(op(), 1..60)) {
            let mut reg = Registry::new("acme", 1).unwrap();
            for op in &ops {
                let before = reg.clone();
                if apply(&mut reg, op).is_err() {
                    prop_assert_eq!(&reg, &before, "{:?} failed and changed the registry", op);
                    prop_assert_eq!(&reg.names, &before.names);
                }
                reg.check_indexes();
            }
        }
    }
}
