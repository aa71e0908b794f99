//! Request routing (SPEC R6, R7).

use rand_core::Rng;

use rand_chacha::ChaCha8Rng;

use super::index::{NameIndex, Place};
use super::{Account, Registry, RouterEntry};
use crate::deployment::Deployment;
use crate::error::{Error, IdKind, Result};
use crate::names::{
    Id, ResourceKind, ResourceName, TargetRef, is_valid_id, parse_route_target, split_route_target,
};
use crate::strategy::{LoadTracker, RouterTable};
use crate::support::ordered_map::OrderedMap;

/// A request to route (SPEC R6, R7): the input of
/// [`Registry::route_request`].
///
/// ```
/// use replica_router::RouteRequest;
/// let req = RouteRequest::new("ab-test", "my-account").session_key("conversation-42");
/// assert_eq!(req.cursor, None);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RouteRequest<'a> {
    /// The request's `model` field: a router or deployment name, or a bare
    /// ID of the caller's account (router first).
    pub model: &'a str,
    /// The caller's account ID.
    pub caller_account: &'a str,
    /// Session key: routers with session affinity (SPEC R9) send the same
    /// key to the same deployment and replica slot, whatever their strategy.
    /// Routers without it ignore the key.
    pub session_key: Option<&'a str>,
    /// Round-robin cursor: `weighted-round-robin` routers pick at this
    /// position of their cycle (any `u64`, taken modulo the total) and return
    /// the next one in [`RouteDecision::next_cursor`]. Without one, the
    /// position is drawn from the generator (each pick then falls by share).
    /// Other strategies ignore it.
    pub cursor: Option<u64>,
    /// In-flight counts: `even-load` routers pick the deployment with the
    /// lowest count per replica (SPEC R8). Without one they pick
    /// weighted-random. Other strategies ignore it.
    pub load: Option<&'a LoadTracker>,
}

impl<'a> RouteRequest<'a> {
    /// A request for `model` from `caller_account`, with no session key and
    /// no cursor.
    pub fn new(model: &'a str, caller_account: &'a str) -> RouteRequest<'a> {
        RouteRequest {
            model,
            caller_account,
            session_key: None,
            cursor: None,
            load: None,
        }
    }
    /// Sets the session key.
    pub fn session_key(mut self, key: &'a str) -> RouteRequest<'a> {
        self.session_key = Some(key);
        self
    }
    /// Sets the round-robin cursor.
    pub fn cursor(mut self, cursor: u64) -> RouteRequest<'a> {
        self.cursor = Some(cursor);
        self
    }
    /// Sets the load tracker for `even-load` routers.
    pub fn load(mut self, load: &'a LoadTracker) -> RouteRequest<'a> {
        self.load = Some(load);
        self
    }
}

/// Where a request goes (SPEC R6, R7): the output of
/// [`Registry::route_request`], borrowed from the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteDecision<'a> {
    /// The chosen deployment.
    pub deployment: &'a ResourceName,
    /// The replica slot (`0 .. replicas`) the request is pinned to: `Some`
    /// only when a router with session affinity routed a request with a
    /// session key, `None` otherwise (any replica of the deployment will do).
    pub replica: Option<u32>,
    /// The cursor to send with the next request: `Some` only from a
    /// `weighted-round-robin` router, always below its total replicas.
    pub next_cursor: Option<u64>,
}

impl Registry {
    /// Routes a request by its `model` field for `caller_account` (SPEC R6),
    /// drawing from the registry's own routing generator (stream 1 of its
    /// seed), which advances.
    ///
    /// Returns the chosen deployment's name, borrowed from the registry: no
    /// allocation and no table rebuild per request.
    ///
    /// # Errors
    /// See [`Registry::route_with`].
    pub fn route(&mut self, model: &str, caller_account: &str) -> Result<&ResourceName> {
        let routes = Routes {
            accounts: &self.accounts,
            names: &self.names,
        };
        route_plain(routes, model, caller_account, &mut self.route_rng)
    }

    /// Routes a request with a caller-supplied generator (SPEC R6, R7).
    ///
    /// `model` is a router name (the router's strategy picks a deployment), a
    /// deployment name (routes to it), or a bare ID of the caller's account,
    /// tried as a router first, then as a deployment. A request without a
    /// session key or cursor: see [`Registry::route_request_with`] for how
    /// each strategy treats it.
    ///
    /// # Errors
    /// [`Error::InvalidName`] / [`Error::InvalidResourceName`] for a malformed
    /// field or caller; [`Error::NotFound`] for an unknown router or
    /// deployment; [`Error::PermissionDenied`] for another account's private
    /// router or any other account's deployment; [`Error::NoCapacity`] when
    /// the target has 0 replicas.
    ///
    /// # Performance
    /// A full name is one hashed lookup of the whole string (in an index of
    /// every stored name, kept up to date by every change, never built per
    /// request); a bare ID two (account, then router or deployment). O(1)
    /// expected whatever the number of resources, plus O(1) per pick; no
    /// allocation on success. The name is looked up before it is checked
    /// (only stored names, all valid, can be found), so a successful route
    /// validates nothing byte by byte.
    ///
    /// # Sharing across threads
    /// `Registry` is `Send + Sync` and this method takes `&self`: any number
    /// of threads route on one registry at once, each with its own
    /// generator. For reproducible streams, give thread `i` stream `2 + i`
    /// of the seed ([`Seed::rng_stream`](crate::Seed::rng_stream); streams 0
    /// and 1 are the registry's own, for generated IDs and
    /// [`Registry::route`]); distinct streams never overlap.
    ///
    /// To change the state while serving, build the new registry aside
    /// (apply the changes to a clone, or load a snapshot) and publish it by
    /// swapping an `Arc`: a reader clones the current `Arc` (the lock is held
    /// for that clone only, never while routing) and routes on it, so every
    /// request sees one whole snapshot and requests in flight finish on the
    /// one they took. `examples/gateway` publishes its state this way on
    /// reload, and `core/tests/r8_threads.rs` checks it with threads.
    ///
    /// ```
    /// use std::sync::{Arc, RwLock};
    /// use replica_router::{DeploymentSpec, Registry, RouterSpec};
    ///
    /// let mut reg = Registry::new("my-account", 42)?;
    /// reg.create_deployment(DeploymentSpec::new("llama").id("deployment-a").replicas(3, 3))?;
    /// reg.create_router(RouterSpec::new(["deployment-a"]).id("ab-test"))?;
    /// let published = RwLock::new(Arc::new(reg));
    ///
    /// std::thread::scope(|scope| {
    ///     for i in 0..4u64 {
    ///         let published = &published;
    ///         scope.spawn(move || {
    ///             let reg = Arc::clone(&published.read().unwrap());
    ///             let mut rng = reg.seed().rng_stream(2 + i); // this thread's stream
    ///             assert!(reg.route_with("ab-test", "my-account", &mut rng).is_ok());
    ///         });
    ///     }
    ///     // Meanwhile: change a copy, then swap it in.
    ///     let mut next = Registry::clone(&published.read().unwrap());
    ///     next.create_deployment(DeploymentSpec::new("llama").id("deployment-b").replicas(2, 2))?;
    ///     *published.write().unwrap() = Arc::new(next);
    ///     Ok::<(), replica_router::Error>(())
    /// })?;
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    pub fn route_with<R: Rng + ?Sized>(
        &self,
        model: &str,
        caller_account: &str,
        rng: &mut R,
    ) -> Result<&ResourceName> {
        route_plain(self.routes(), model, caller_account, rng)
    }

    /// Routes a request with a session key and/or round-robin cursor (SPEC
    /// R7), drawing from the registry's own routing generator when the
    /// strategy needs a draw.
    ///
    /// # Errors
    /// See [`Registry::route_request_with`].
    pub fn route_request(&mut self, request: &RouteRequest<'_>) -> Result<RouteDecision<'_>> {
        let routes = Routes {
            accounts: &self.accounts,
            names: &self.names,
        };
        Registry::route_inner(routes, request, &mut self.route_rng)
    }

    /// Routes a request with a session key and/or round-robin cursor and a
    /// caller-supplied generator (SPEC R6, R7).
    ///
    /// A request with a session key to a router with session affinity (SPEC
    /// R9) goes to the key's deployment and replica slot
    /// ([`RouteDecision::replica`]), whatever the strategy; no draw, and load
    /// and cursor are ignored. Every other request goes by the router's
    /// strategy:
    /// - `weighted-random`: one draw; cursor and load are ignored.
    /// - `even-load` (SPEC R8): with a [`LoadTracker`], the deployment with
    ///   the lowest in-flight count per replica; ties are a weighted-random
    ///   draw among the tied, and when every deployment with replicas is
    ///   tied (no load at all, say) exactly the `weighted-random` draw. A
    ///   single best deployment takes no draw. Without a tracker,
    ///   `weighted-random`.
    /// - `weighted-round-robin`: the pick at `cursor` in the router's cycle,
    ///   with [`RouteDecision::next_cursor`]; no draw. Without a cursor, a
    ///   uniform position is drawn, so the pick falls by share and the
    ///   returned cursor continues the cycle from there.
    ///
    /// A deployment name routes to that deployment (`replica` and
    /// `next_cursor` are `None`).
    ///
    /// # Errors
    /// As [`Registry::route_with`], plus [`Error::LimitExceeded`] for a
    /// keyed request to a router with session affinity and more than
    /// [`MAX_SESSION_AFFINITY_REPLICAS`](crate::limits::MAX_SESSION_AFFINITY_REPLICAS)
    /// replicas, and [`Error::NotFound`] for an `even-load` route whose
    /// tracker does not cover one of the router's deployments with replicas.
    ///
    /// # Performance
    /// Map lookups plus: O(1) for weighted-random and for round-robin up to
    /// 65,536 total replicas (O(m log m) above, with `m` deployments); O(T)
    /// hashing for a keyed affinity route over `T` replicas; for even-load
    /// with a tracker, O(m) with one made for the router
    /// ([`Registry::load_tracker`]), O(m log m) name comparisons otherwise. No table is
    /// built per request.
    pub fn route_request_with<R: Rng + ?Sized>(
        &self,
        request: &RouteRequest<'_>,
        rng: &mut R,
    ) -> Result<RouteDecision<'_>> {
        Registry::route_inner(self.routes(), request, rng)
    }

    /// Routes many requests for `model` at once (SPEC R6, R7), for
    /// simulations: returns a [`RouteBatch`] whose
    /// [`fill`](RouteBatch::fill) writes, for each request, the index of its
    /// deployment in [`RouteBatch::deployments`].
    ///
    /// Each request is routed as [`Registry::route`] would route it (no
    /// session key, no cursor), drawing from the registry's routing
    /// generator: `n` batched picks give the same deployments as `n`
    /// `route` calls. Every check (name, permission, capacity) happens here,
    /// before anything is drawn; filling cannot fail.
    ///
    /// ```
    /// use replica_router::{DeploymentSpec, Registry, RouterSpec};
    /// let mut reg = Registry::new("acme", 7)?;
    /// reg.create_deployment(DeploymentSpec::new("m").id("a").replicas(3, 3))?;
    /// reg.create_deployment(DeploymentSpec::new("m").id("b").replicas(1, 1))?;
    /// reg.create_router(RouterSpec::new(["a", "b"]).id("r"))?;
    /// let mut batch = reg.route_many("r", "acme")?;
    /// assert_eq!(batch.deployments().len(), 2);
    /// let mut picks = [0u32; 1000];
    /// batch.fill(&mut picks);
    /// assert!(picks.iter().all(|&i| i < 2));
    /// # Ok::<(), replica_router::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Registry::route_with`].
    pub fn route_many(&mut self, model: &str, caller_account: &str) -> Result<RouteBatch<'_>> {
        let routes = Routes {
            accounts: &self.accounts,
            names: &self.names,
        };
        let target = resolve(routes, model, caller_account)?;
        Ok(RouteBatch {
            target,
            rng: &mut self.route_rng,
        })
    }

    /// What routing reads.
    fn routes(&self) -> Routes<'_> {
        Routes {
            accounts: &self.accounts,
            names: &self.names,
        }
    }

    fn route_inner<'a, R: Rng + ?Sized>(
        routes: Routes<'a>,
        request: &RouteRequest<'_>,
        rng: &mut R,
    ) -> Result<RouteDecision<'a>> {
        match resolve(routes, request.model, request.caller_account)? {
            Target::Router(entry, table) => {
                let pick = table.pick(request, &entry.router.deployments, rng)?;
                let deployment =
                    entry
                        .router
                        .deployments
                        .get(pick.index)
                        .ok_or_else(|| Error::NoCapacity {
                            name: entry.router.name.to_string(),
                        })?;
                Ok(RouteDecision {
                    deployment,
                    replica: pick.replica,
                    next_cursor: pick.next_cursor,
                })
            }
            Target::Deployment(d) => Ok(RouteDecision {
                deployment: &d.name,
                replica: None,
                next_cursor: None,
            }),
        }
    }
}

/// Routes a request with no session key, cursor or load: as
/// `Registry::route_inner` of such a request (the same draws and result),
/// without the checks for the features it does not use.
fn route_plain<'a, R: Rng + ?Sized>(
    routes: Routes<'a>,
    model: &str,
    caller: &str,
    rng: &mut R,
) -> Result<&'a ResourceName> {
    // The usual request: the full name of one of the caller's routers, with
    // replicas. Anything else (nothing drawn yet) goes the general way.
    let place = routes.names.get(model);
    if let Some(place) = place
        && place.is_owner(model, caller)
    {
        // Most routers: the plain route kept in the index (see
        // `PlainRoute`): no router entry read.
        if let Some(plain) = &place.plain {
            let pick = plain.draw.pick(rng) as usize;
            // The pick is below the selector's length, the deployments'.
            return plain
                .deployments
                .get(pick)
                .ok_or_else(|| Error::NoCapacity {
                    name: model.to_owned(),
                });
        }
        if place.kind == ResourceKind::Router
            && let Some(Found::Router(entry)) = routes.at(place)
            && let Some(table) = &entry.table
        {
            let deployments = &entry.router.deployments;
            return deployments
                .get(table.pick_plain(rng))
                .ok_or_else(|| Error::NoCapacity {
                    name: entry.router.name.to_string(),
                });
        }
    }
    match resolve_at(routes, place, model, caller)? {
        Target::Router(entry, table) => {
            let deployments = &entry.router.deployments;
            deployments
                .get(table.pick_plain(rng))
                .ok_or_else(|| Error::NoCapacity {
                    name: entry.router.name.to_string(),
                })
        }
        Target::Deployment(d) => Ok(&d.name),
    }
}

/// What routing reads: the registry's accounts, and its index of full
/// names.
#[derive(Debug, Clone, Copy)]
struct Routes<'a> {
    accounts: &'a OrderedMap<Id, Account>,
    names: &'a NameIndex,
}

/// What a request's `model` field names, checked for permission and
/// capacity: a router with its table, or a deployment with replicas.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    Router(&'a RouterEntry, &'a RouterTable),
    Deployment(&'a Deployment),
}

/// What a request's `model` field names, found but not yet checked.
#[derive(Debug, Clone, Copy)]
enum Found<'a> {
    Router(&'a RouterEntry),
    Deployment(&'a Deployment),
}

/// Resolves `model` for `caller` (SPEC R6): a router name, a deployment
/// name, or a bare ID tried as a router first.
///
/// The name is looked up before it is checked: every stored name holds valid
/// IDs (SPEC N1), so a name found needs no check, nor does a caller that
/// owns it. A full name (the usual request) is one lookup of the whole
/// string in the index of full names. Only a name not found (or a caller of
/// another account) goes through the checks, in their order, so errors are
/// exactly those of checking first.
fn resolve<'a>(routes: Routes<'a>, model: &str, caller: &str) -> Result<Target<'a>> {
    resolve_at(routes, routes.names.get(model), model, caller)
}

/// [`resolve`] with `model` already looked up in the index of full names.
fn resolve_at<'a>(
    routes: Routes<'a>,
    place: Option<&Place>,
    model: &str,
    caller: &str,
) -> Result<Target<'a>> {
    if let Some(place) = place
        && let Some(found) = routes.at(place)
    {
        let own = place.is_owner(model, caller);
        if !own {
            check_caller(caller)?;
        }
        return permit(found, own, caller);
    }
    // A bare ID of the caller's account, or not found.
    if let Some(target) = split_route_target(model, caller)
        && target.kind.is_none()
        && let Some(found) = find(routes.accounts, &target)
    {
        // Found in the caller's account: `caller` is a stored account ID.
        return permit(found, true, caller);
    }
    check_caller(caller)?;
    let target = parse_route_target(model, caller)?;
    match find(routes.accounts, &target) {
        Some(found) => permit(found, is_caller(&target, caller), caller),
        None => Err(not_found(&target)),
    }
}

impl<'a> Routes<'a> {
    /// The resource stored at `place` (from the index of full names).
    fn at(self, place: &Place) -> Option<Found<'a>> {
        let account = self.accounts.at(place.account)?;
        match place.kind {
            ResourceKind::Router => account.routers.at(place.slot).map(Found::Router),
            _ => account.deployments.at(place.slot).map(Found::Deployment),
        }
    }
}

/// True when `target` is in `caller`'s account. A bare ID or a name in the
/// caller's own account points into `caller` itself: then no byte is
/// compared.
fn is_caller(target: &TargetRef<'_>, caller: &str) -> bool {
    std::ptr::eq(target.account, caller) || target.account == caller
}

fn check_caller(caller: &str) -> Result<()> {
    if is_valid_id(caller) {
        Ok(())
    } else {
        Err(Error::InvalidName {
            kind: IdKind::Account,
            input: caller.to_owned(),
        })
    }
}

/// The router (first) or deployment `target` names, if it exists; no
/// permission or capacity check.
fn find<'a>(accounts: &'a OrderedMap<Id, Account>, target: &TargetRef<'_>) -> Option<Found<'a>> {
    let account = accounts.get(target.account)?;
    let try_router = matches!(target.kind, None | Some(ResourceKind::Router));
    if try_router && let Some(entry) = account.routers.get(target.id) {
        return Some(Found::Router(entry));
    }
    let try_deployment = matches!(target.kind, None | Some(ResourceKind::Deployment));
    if try_deployment && let Some(d) = account.deployments.get(target.id) {
        return Some(Found::Deployment(d));
    }
    None
}

/// SPEC R6 for a found target, `own` when in the caller's account: another
/// account's router only when public, another account's deployment never;
/// then capacity.
fn permit<'a>(found: Found<'a>, own: bool, caller: &str) -> Result<Target<'a>> {
    match found {
        Found::Router(entry) => {
            if !own && !entry.router.public {
                return Err(Error::PermissionDenied {
                    name: entry.router.name.to_string(),
                    caller: caller.to_owned(),
                });
            }
            let table = entry.table.as_ref().ok_or_else(|| Error::NoCapacity {
                name: entry.router.name.to_string(),
            })?;
            Ok(Target::Router(entry, table))
        }
        Found::Deployment(d) => {
            if !own {
                return Err(Error::PermissionDenied {
                    name: d.name.to_string(),
                    caller: caller.to_owned(),
                });
            }
            if d.replicas == 0 {
                return Err(Error::NoCapacity {
                    name: d.name.to_string(),
                });
            }
            Ok(Target::Deployment(d))
        }
    }
}

/// Many requests routed at once: see [`Registry::route_many`]. Holds the
/// registry's routing generator until dropped.
#[derive(Debug)]
pub struct RouteBatch<'a> {
    target: Target<'a>,
    rng: &'a mut ChaCha8Rng,
}

impl RouteBatch<'_> {
    /// The deployments a pick indexes: the router's list in order, or the
    /// one deployment named.
    pub fn deployments(&self) -> &[ResourceName] {
        match self.target {
            Target::Router(entry, _) => &entry.router.deployments,
            Target::Deployment(d) => std::slice::from_ref(&d.name),
        }
    }

    /// Routes `out.len()` requests, writing each one's deployment index
    /// (into [`RouteBatch::deployments`]). O(1) per request.
    pub fn fill(&mut self, out: &mut [u32]) {
        match self.target {
            Target::Router(_, table) => {
                for slot in out.iter_mut() {
                    // An index is below the router's 10,000 deployments.
                    *slot = u32::try_from(table.pick_plain(&mut *self.rng)).unwrap_or(0);
                }
            }
            Target::Deployment(_) => out.fill(0),
        }
    }
}

fn not_found(target: &TargetRef<'_>) -> Error {
    let name = match target.kind {
        Some(kind) => format!(
            "accounts/{}/{}/{}",
            target.account,
            kind.collection(),
            target.id
        ),
        None => format!(
            "accounts/{a}/routers/{id} (nor accounts/{a}/deployments/{id})",
            a = target.account,
            id = target.id
        ),
    };
    Error::NotFound { name }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{DeploymentSpec, RouterSpec};

    /// `resolve` as it was before the lookup-first path: every check first,
    /// in order, then the lookups.
    fn resolve_checked<'a>(
        accounts: &'a OrderedMap<Id, Account>,
        model: &str,
        caller: &str,
    ) -> Result<Target<'a>> {
        check_caller(caller)?;
        let target = parse_route_target(model, caller)?;
        match find(accounts, &target) {
            Some(found) => permit(found, is_caller(&target, caller), caller),
            None => Err(not_found(&target)),
        }
    }

    fn named(result: Result<Target<'_>>) -> Result<String> {
        result.map(|t| match t {
            Target::Router(entry, _) => entry.router.name.to_string(),
            Target::Deployment(d) => d.name.to_string(),
        })
    }

    /// `acme` with deployments `d1`, `r1` (a router's ID too), `empty` (0
    /// replicas), routers `r1` (private), `pub` (public), `shared` (a
    /// deployment ID elsewhere); `other` with a public `pub`, a private
    /// `r1` and a deployment `shared`.
    fn registry() -> Registry {
        let mut reg = Registry::new("other", 1).unwrap();
        reg.create_deployment(DeploymentSpec::new("m").id("shared"))
            .unwrap();
        reg.create_router(RouterSpec::new(["shared"]).id("pub").public(true))
            .unwrap();
        reg.create_router(RouterSpec::new(["shared"]).id("r1"))
            .unwrap();
        reg.set_account("acme").unwrap();
        for id in ["d1", "r1"] {
            reg.create_deployment(DeploymentSpec::new("m").id(id))
                .unwrap();
        }
        reg.create_deployment(DeploymentSpec::new("m").id("empty").replicas(0, 0))
            .unwrap();
        reg.create_router(RouterSpec::new(["d1"]).id("r1")).unwrap();
        reg.create_router(RouterSpec::new(["d1", "r1"]).id("pub").public(true))
            .unwrap();
        reg.create_router(RouterSpec::new(["empty"]).id("shared"))
            .unwrap();
        reg
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// Looking up first gives the same target or the same error as
        /// checking first, for names found and not found, in the caller's
        /// account or another, well-formed or not.
        #[test]
        fn r6_lookup_first_matches_checking_first(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "accounts", "routers", "deployments", "models", "acme", "other",
                    "r1", "pub", "d1", "empty", "shared", "nope", "Bad", "", "-x", "é",
                ]),
                0..5,
            ),
            caller in proptest::sample::select(vec!["acme", "other", "nobody", "Bad", "", "a/b"]),
        ) {
            let reg = registry();
            let model = parts.join("/");
            proptest::prop_assert_eq!(
                named(resolve(reg.routes(), &model, caller)),
                named(resolve_checked(&reg.accounts, &model, caller)),
                "model {:?} caller {:?}", model, caller
            );
            // The plain route (with its own fast path) picks as checking
            // first, then picking, does.
            let mut fast = reg.seed().rng_stream(5);
            let mut slow = reg.seed().rng_stream(5);
            let want = route_checking_first(&reg, &model, caller, &mut slow);
            proptest::prop_assert_eq!(reg.route_with(&model, caller, &mut fast), want);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    /// What a route must give: the checks first (the order of the old
    /// parser), then the router's plain pick.
    fn route_checking_first<'r>(
        reg: &'r Registry,
        model: &str,
        caller: &str,
        rng: &mut ChaCha8Rng,
    ) -> Result<&'r ResourceName> {
        resolve_checked(&reg.accounts, model, caller).and_then(|t| match t {
            Target::Router(entry, table) => entry
                .router
                .deployments
                .get(table.pick_plain(rng))
                .ok_or(Error::EmptyRouter),
            Target::Deployment(d) => Ok(&d.name),
        })
    }

    /// Every full name and bare ID of the test registry (found or not, in
    /// the caller's account or not), for every caller: the same result and
    /// the same draws as checking first, then picking.
    #[test]
    fn r6_every_full_name_routes_as_checking_first() {
        let reg = registry();
        let ids = ["r1", "pub", "d1", "empty", "shared", "nope"];
        let mut models: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
        for account in ["acme", "other", "nobody"] {
            for collection in ["routers", "deployments", "models"] {
                for id in ids {
                    models.push(format!("accounts/{account}/{collection}/{id}"));
                }
            }
        }
        let mut hits = 0;
        for model in &models {
            for caller in ["acme", "other", "nobody", "Bad", "", "a/b", "acme/routers"] {
                let mut fast = reg.seed().rng_stream(5);
                let mut slow = reg.seed().rng_stream(5);
                let want = route_checking_first(&reg, model, caller, &mut slow);
                hits += usize::from(want.is_ok());
                let got = reg.route_with(model, caller, &mut fast);
                assert_eq!(got, want, "model {model:?} caller {caller:?}");
                assert_eq!(fast, slow, "model {model:?} caller {caller:?}");
            }
        }
        assert!(hits >= 10, "{hits} routes succeeded");
    }

    /// The plain pick makes the same draws and picks as a request with no
    /// key, cursor or load, for every strategy, by bare ID (the general
    /// path) and by full name (the plain route kept in the index, or the
    /// router's entry), at every size of draw: a cell look-up (9 replicas), one 32-bit
    /// draw (2^12) and one 64-bit draw (2^24 replicas, over 2^24 cells).
    #[test]
    fn r7_plain_pick_matches_an_unkeyed_request() {
        use crate::Strategy;
        let mut reg = Registry::new("acme", 3).unwrap();
        let sizes = [("tiny", [3, 1, 5]), ("small", [1 << 11, 1, 1 << 11])];
        let sizes = sizes.into_iter().chain([("large", [1 << 23, 3, 1 << 23])]);
        for (size, replicas) in sizes {
            let ids = ["a", "b", "c"].map(|d| format!("{size}-{d}"));
            for (id, &r) in ids.iter().zip(&replicas) {
                reg.create_deployment(DeploymentSpec::new("m").id(id).replicas(r, r))
                    .unwrap();
            }
            for (strategy_id, strategy) in [
                ("random", Strategy::WeightedRandom),
                ("rr", Strategy::WeightedRoundRobin),
                ("even", Strategy::EvenLoad),
            ] {
                let id = format!("{size}-{strategy_id}");
                reg.create_router(RouterSpec::new(ids.clone()).id(&id).strategy(strategy))
                    .unwrap();
                let name = format!("accounts/acme/routers/{id}");
                let place = reg.names.get(name.as_str()).unwrap();
                let plain_route = strategy != Strategy::WeightedRoundRobin && size != "large";
                assert_eq!(place.plain.is_some(), plain_route, "{id}");
                check_plain_pick(&reg, &id);
                check_plain_pick(&reg, &name);
            }
        }
    }

    /// See [`r7_plain_pick_matches_an_unkeyed_request`].
    fn check_plain_pick(reg: &Registry, id: &str) {
        let mut reg = reg.clone();
        let mut plain = reg.seed().rng_stream(5);
        let mut full = reg.seed().rng_stream(5);
        for _ in 0..1000 {
            let p = reg.route_with(id, "acme", &mut plain).unwrap().clone();
            let f = reg
                .route_request_with(&RouteRequest::new(id, "acme"), &mut full)
                .unwrap();
            assert_eq!(&p, f.deployment, "{id}");
        }
        // `fill` draws what 64 `route` calls draw.
        let mut single = reg.clone();
        let mut batch = reg.route_many(id, "acme").unwrap();
        let mut picks = [0u32; 64];
        batch.fill(&mut picks);
        let names: Vec<ResourceName> = batch.deployments().to_vec();
        for &i in &picks {
            let d = single.route(id, "acme").unwrap().clone();
            assert_eq!(names[i as usize], d, "{id}");
        }
    }
}
