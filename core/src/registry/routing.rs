//! Request routing (SPEC R6, R7).

use rand_core::Rng;

use rand_chacha::ChaCha8Rng;

use super::{Account, Registry, RouterEntry};
use crate::deployment::Deployment;
use crate::error::{Error, IdKind, Result};
use crate::names::{Id, ResourceKind, ResourceName, TargetRef, is_valid_id, parse_route_target};
use crate::strategy::{LoadTracker, RouterTable};
use crate::support::vec_map::VecMap;

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
        let request = RouteRequest::new(model, caller_account);
        Registry::route_inner(&self.accounts, &request, &mut self.route_rng).map(|d| d.deployment)
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
    /// O(log a + log r) map lookups plus O(1) per pick; no allocation on success.
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
        let request = RouteRequest::new(model, caller_account);
        Registry::route_inner(&self.accounts, &request, rng).map(|d| d.deployment)
    }

    /// Routes a request with a session key and/or round-robin cursor (SPEC
    /// R7), drawing from the registry's own routing generator when the
    /// strategy needs a draw.
    ///
    /// # Errors
    /// See [`Registry::route_request_with`].
    pub fn route_request(&mut self, request: &RouteRequest<'_>) -> Result<RouteDecision<'_>> {
        Registry::route_inner(&self.accounts, request, &mut self.route_rng)
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
        Registry::route_inner(&self.accounts, request, rng)
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
        let target = resolve(&self.accounts, model, caller_account)?;
        Ok(RouteBatch {
            target,
            rng: &mut self.route_rng,
        })
    }

    fn route_inner<'a, R: Rng + ?Sized>(
        accounts: &'a VecMap<Id, Account>,
        request: &RouteRequest<'_>,
        rng: &mut R,
    ) -> Result<RouteDecision<'a>> {
        match resolve(accounts, request.model, request.caller_account)? {
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

/// What a request's `model` field names, checked for permission and
/// capacity: a router with its table, or a deployment with replicas.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    Router(&'a RouterEntry, &'a RouterTable),
    Deployment(&'a Deployment),
}

/// Resolves `model` for `caller` (SPEC R6): a router name, a deployment
/// name, or a bare ID tried as a router first.
fn resolve<'a>(accounts: &'a VecMap<Id, Account>, model: &str, caller: &str) -> Result<Target<'a>> {
    if !is_valid_id(caller) {
        return Err(Error::InvalidName {
            kind: IdKind::Account,
            input: caller.to_owned(),
        });
    }
    let target = parse_route_target(model, caller)?;
    let account = accounts.get(target.account);
    let try_router = matches!(target.kind, None | Some(ResourceKind::Router));
    if try_router && let Some(entry) = account.and_then(|a| a.routers.get(target.id)) {
        if target.account != caller && !entry.router.public {
            return Err(Error::PermissionDenied {
                name: entry.router.name.to_string(),
                caller: caller.to_owned(),
            });
        }
        let table = entry.table.as_ref().ok_or_else(|| Error::NoCapacity {
            name: entry.router.name.to_string(),
        })?;
        return Ok(Target::Router(entry, table));
    }
    let try_deployment = matches!(target.kind, None | Some(ResourceKind::Deployment));
    if try_deployment && let Some(d) = account.and_then(|a| a.deployments.get(target.id)) {
        if target.account != caller {
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
        return Ok(Target::Deployment(d));
    }
    Err(not_found(&target))
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
            Target::Router(entry, table) => {
                // No session key, cursor or load: the strategy's plain pick.
                let request = RouteRequest::new("", "");
                let deployments = &entry.router.deployments;
                for slot in out.iter_mut() {
                    // Without a session key, cursor or load a pick cannot
                    // fail and its index is below the router's 10,000
                    // deployments.
                    *slot = table
                        .pick(&request, deployments, &mut *self.rng)
                        .map_or(0, |p| u32::try_from(p.index).unwrap_or(0));
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
