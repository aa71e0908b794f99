//! `Registry`: deployments and routers of any number of accounts (SPEC T1,
//! T2, D1-D3, R1-R6, N3).
//!
//! The core registry sits behind a mutex, so one `Registry` can be shared
//! between threads; every call holds it only for the core operation.
//!
//! Nothing touches Python while the mutex is held: arguments are converted
//! before [`PyRegistry::with`] locks, and the core error (or value) is turned
//! into a Python object only after the guard is dropped. Building an
//! exception allocates, an allocation can run the garbage collector, and a
//! `__del__` that uses the same registry would otherwise wait forever on a
//! lock its own thread holds.

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use replica_router::limits::{MAX_API_KEYS, MAX_ROUTER_DEPLOYMENTS};
use replica_router::{
    DeploymentSpec, DeploymentUpdate, Error, LoadTracker, RegionCatalog, Registry, RouteRequest,
    RouterSpec, RouterUpdate,
};

use pyo3::exceptions::PyTypeError;

use crate::args::{opt_uint, str_seq, uint};
use crate::deployment::PyDeployment;
use crate::direct_route::key_secret_from_py;
use crate::errors::OrRaise;
use crate::migration::{self, PyMigrationPlan};
use crate::names::Text;
use crate::region::{PyRegionCatalog, RegionArg};
use crate::router::PyRouter;
use crate::routing::PyRouteDecision;
use crate::selection::{batch_len, pick_array, seed_from_py};
use crate::share::PyTrafficSplit;
use crate::strategy::PyLoadTracker;
use replica_router::MigrationRequest;

/// Deployments and routers of any number of accounts, in memory (SPEC T1).
///
/// A registry acts as one account at a time (:attr:`account`), like the
/// reference CLI with a profile: bare IDs resolve against it, and it may
/// change only that account's resources. Every operation validates all its
/// input first: on error the registry is exactly as before.
///
/// ``seed`` (an int in ``0..2**64``, 32 bytes, or None for OS entropy)
/// drives generated IDs and :meth:`route`; the same seed gives the same
/// answers as the Rust and JS libraries. ``catalog`` says which regions
/// support direct routing (default: the reference's ten).
///
/// Example:
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=42)
///     >>> _ = reg.create_deployment("llama-v3p1-8b-instruct", id="deployment-a",
///     ...                           min_replicas=3, max_replicas=3)
///     >>> _ = reg.create_deployment("llama-v3p1-8b-instruct", id="deployment-b",
///     ...                           min_replicas=2, max_replicas=2)
///     >>> _ = reg.create_router(["deployment-a", "deployment-b"], id="ab-test")
///     >>> [s.percent for s in reg.traffic_split("ab-test")]
///     [60.0, 40.0]
///     >>> reg.route("accounts/my-account/routers/ab-test").startswith(
///     ...     "accounts/my-account/deployments/deployment-")
///     True
#[pyclass(module = "replica_router", name = "Registry", frozen)]
pub(crate) struct PyRegistry {
    inner: Mutex<Registry>,
}

impl PyRegistry {
    /// Runs `f` on the locked registry and returns its result once the lock
    /// is released: map the error to a Python exception (`.or_raise(py)`)
    /// only after this returns. `f` must not touch Python.
    fn with<T>(&self, f: impl FnOnce(&mut Registry) -> Result<T, Error>) -> Result<T, Error> {
        let mut reg = self.lock();
        f(&mut reg)
    }

    /// Routes one request (SPEC R6, R7); the decision is copied out of the
    /// registry (it borrows from it) before the lock is released.
    fn decide(
        &self,
        model: &str,
        caller_account: Option<&str>,
        session_key: Option<&str>,
        cursor: Option<u64>,
        load: Option<&LoadTracker>,
    ) -> Result<PyRouteDecision, Error> {
        self.with(|reg| {
            let acting = reg.account().to_string();
            let mut request = RouteRequest::new(model, caller_account.unwrap_or(&acting));
            if let Some(key) = session_key {
                request = request.session_key(key);
            }
            if let Some(cursor) = cursor {
                request = request.cursor(cursor);
            }
            if let Some(load) = load {
                request = request.load(load);
            }
            reg.route_request(&request).map(PyRouteDecision::from)
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Registry> {
        // Core never panics, so the lock is never poisoned in practice; a
        // poisoned one still holds a consistent registry (R3).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PyRegistry {
    /// An empty registry acting as ``account``.
    ///
    /// Raises ValidationError (``INVALID_NAME``) for a bad account ID and
    /// (``INVALID_SEED``) for a seed of the wrong length, (``OUT_OF_RANGE``)
    /// for an int seed outside ``0..2**64``; TypeError for other seed types.
    ///
    /// ``key_secret`` (16 to 64 bytes, or a str of as many UTF-8 bytes;
    /// ValidationError ``INVALID_KEY_SECRET`` otherwise) keys the digests of
    /// direct-route API keys with HMAC-SHA-256 (SPEC G6). Keep it outside
    /// the snapshot: :meth:`to_json` records only a check value, and
    /// :meth:`from_json` needs the same secret.
    ///
    ///     >>> Registry("my-account", seed=42).account
    ///     'my-account'
    #[new]
    #[pyo3(signature = (account, seed=None, *, catalog=None, key_secret=None))]
    fn new(
        py: Python<'_>,
        account: Text,
        seed: Option<&Bound<'_, PyAny>>,
        catalog: Option<&Bound<'_, PyRegionCatalog>>,
        key_secret: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let seed = seed_from_py(py, seed)?;
        let secret = key_secret_from_py(py, key_secret)?;
        let catalog = catalog.map_or_else(RegionCatalog::default, |c| c.get().inner.clone());
        let mut inner = Registry::with_catalog(account.as_str(), seed, catalog).or_raise(py)?;
        if let Some(secret) = secret {
            inner = inner.with_key_secret(secret).or_raise(py)?;
        }
        Ok(PyRegistry {
            inner: Mutex::new(inner),
        })
    }

    /// The account the registry acts as; assign to switch (validated).
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> reg.account = "other"
    ///     >>> reg.account
    ///     'other'
    #[getter]
    fn account(&self) -> String {
        self.lock().account().to_string()
    }

    #[setter]
    fn set_account(&self, py: Python<'_>, account: Text) -> PyResult<()> {
        self.with(|r| r.set_account(account.as_str())).or_raise(py)
    }

    /// The 32 seed bytes the registry was created with.
    #[getter]
    fn seed<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let seed = self.lock().seed();
        PyBytes::new(py, seed.as_bytes())
    }

    /// The direct-routing region catalog (SPEC G2).
    #[getter]
    fn catalog(&self) -> PyRegionCatalog {
        PyRegionCatalog {
            inner: self.lock().catalog().clone(),
        }
    }

    /// How many selection tables were built since creation or loading:
    /// routing never builds one (SPEC R6).
    #[getter]
    fn table_builds(&self) -> u64 {
        self.lock().table_builds()
    }

    // ----- deployments -----

    /// Creates a deployment in the acting account (SPEC D1, G3, G4).
    ///
    /// ``model``: a model name or bare model ID. ``id``: generated when None
    /// (SPEC N3). ``region``: pins it to one region (a ``Region`` or a
    /// name); default multi-region. Replica bounds default to 1 (the count
    /// starts at ``clamp(1, min, max)``). ``direct_route_api_keys`` asks for
    /// Internet direct routing and needs a ``region``.
    ///
    /// Raises ValidationError (name, region, bounds, key errors;
    /// ``OUT_OF_RANGE`` for replicas outside ``0..2**32``;
    /// ``LIMIT_EXCEEDED`` above 64 keys), ConflictError
    /// (``ALREADY_EXISTS``), PermissionDeniedError (an ID in another
    /// account).
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> reg.create_deployment("llama", id="d1", max_replicas=4).replicas
    ///     1
    #[pyo3(signature = (model, *, id=None, region=None, min_replicas=None, max_replicas=None, direct_route_api_keys=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_deployment(
        &self,
        py: Python<'_>,
        model: Text,
        id: Option<Text>,
        region: Option<RegionArg<'_>>,
        min_replicas: Option<&Bound<'_, PyAny>>,
        max_replicas: Option<&Bound<'_, PyAny>>,
        direct_route_api_keys: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDeployment> {
        let mut spec = DeploymentSpec::new(model.0);
        spec.id = id.map(|t| t.0);
        spec.region = region.map(RegionArg::into_spec_string);
        spec.min_replicas = opt_uint(min_replicas, "min_replicas")?;
        spec.max_replicas = opt_uint(max_replicas, "max_replicas")?;
        spec.direct_route_api_keys = direct_route_api_keys
            .filter(|k| !k.is_none())
            .map(|k| {
                str_seq(
                    k,
                    "direct_route_api_keys",
                    "items in direct_route_api_keys",
                    MAX_API_KEYS,
                )
            })
            .transpose()?;
        let created = self.with(|r| r.create_deployment(spec)).or_raise(py)?;
        Ok(created.into())
    }

    /// Authorizes a request to a deployment's direct route against the
    /// registry's current state (SPEC G6) and returns the deployment.
    /// ``target`` is the handle host the request went to, or a deployment
    /// name (full, or a bare ID of the acting account); ``authorization``
    /// is the ``Authorization`` header value. A ``DirectRoute`` object kept
    /// from a deployment is a snapshot: use this for live requests.
    ///
    /// Raises NotFoundError (no such handle or deployment, or no direct
    /// route), AuthError (``UNAUTHENTICATED``, ``FORBIDDEN``),
    /// ValidationError (a malformed name).
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1", region="US_ARIZONA_1",
    ///     ...                           direct_route_api_keys=["k1"])
    ///     >>> reg.authorize_direct_route("acme-d1.us-arizona-1.direct.fireworks.ai", "Bearer k1").id
    ///     'd1'
    #[pyo3(signature = (target, authorization))]
    fn authorize_direct_route(
        &self,
        py: Python<'_>,
        target: Text,
        authorization: Option<Text>,
    ) -> PyResult<PyDeployment> {
        // The lock is released before any exception is built.
        let result = self
            .lock()
            .authorize_direct_route(target.as_str(), authorization.as_ref().map(Text::as_str))
            .cloned();
        Ok(result.or_raise(py)?.into())
    }

    /// A deployment of the acting account (a full name or bare ID).
    ///
    /// Raises NotFoundError, PermissionDeniedError, ValidationError.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> reg.get_deployment("accounts/acme/deployments/d1").id
    ///     'd1'
    fn get_deployment(&self, py: Python<'_>, name: Text) -> PyResult<PyDeployment> {
        let found = self
            .with(|r| r.get_deployment(name.as_str()).cloned())
            .or_raise(py)?;
        Ok(found.into())
    }

    /// The acting account's deployments, by name (SPEC T2).
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="b"); _ = reg.create_deployment("m", id="a")
    ///     >>> [d.id for d in reg.list_deployments()]
    ///     ['a', 'b']
    fn list_deployments(&self) -> Vec<PyDeployment> {
        self.lock()
            .list_deployments()
            .cloned()
            .map(PyDeployment::from)
            .collect()
    }

    /// Updates a deployment's replica bounds (SPEC D2): only the bounds
    /// given change; the count becomes ``clamp(current, min, max)``;
    /// ``min_replicas=0, max_replicas=0`` scales to zero.
    ///
    /// Raises ValidationError (``INVALID_REPLICA_BOUNDS`` when min > max),
    /// NotFoundError, PermissionDeniedError; ValidationError
    /// (``OUT_OF_RANGE``) for replicas outside ``0..2**32``.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> reg.update_deployment("d1", min_replicas=3, max_replicas=3).replicas
    ///     3
    #[pyo3(signature = (name, *, min_replicas=None, max_replicas=None))]
    fn update_deployment(
        &self,
        py: Python<'_>,
        name: Text,
        min_replicas: Option<&Bound<'_, PyAny>>,
        max_replicas: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDeployment> {
        let mut update = DeploymentUpdate::new();
        update.min_replicas = opt_uint(min_replicas, "min_replicas")?;
        update.max_replicas = opt_uint(max_replicas, "max_replicas")?;
        let updated = self
            .with(|r| r.update_deployment(name.as_str(), update))
            .or_raise(py)?;
        Ok(updated.into())
    }

    /// Deletes a deployment (SPEC D3).
    ///
    /// Raises ConflictError (``IN_USE``, naming the routers that list it),
    /// NotFoundError, PermissionDeniedError.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> reg.delete_deployment("d1")
    ///     >>> reg.list_deployments()
    ///     []
    fn delete_deployment(&self, py: Python<'_>, name: Text) -> PyResult<()> {
        self.with(|r| r.delete_deployment(name.as_str()))
            .or_raise(py)
    }

    // ----- routers -----

    /// Creates a router in the acting account (SPEC R1, R2, N3).
    ///
    /// ``deployments``: one or more distinct multi-region deployments of the
    /// account (names or bare IDs), in order. ``id`` is generated when None.
    /// ``strategy``: ``'weighted-random'``, ``'even-load'`` or
    /// ``'weighted-round-robin'`` (see ``STRATEGIES``); None takes the core's
    /// default (SPEC R1: ``'weighted-random'``). ``session_affinity``: keyed
    /// requests keep to one deployment and replica slot (SPEC R9).
    /// ``public``: open to every account.
    ///
    /// Raises ValidationError (``EMPTY_ROUTER``, ``DUPLICATE_DEPLOYMENT``,
    /// ``NOT_MULTI_REGION``, ``FOREIGN_DEPLOYMENT``, ``INVALID_STRATEGY``,
    /// name errors), NotFoundError, ConflictError (``ALREADY_EXISTS``).
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> len(reg.create_router(["d1"]).id)   # generated
    ///     8
    #[pyo3(
        signature = (deployments, *, id=None, display_name=None, model=None, strategy=None, session_affinity=false, public=false),
        text_signature = "(self, /, deployments, *, id=None, display_name=None, model=None, strategy=None, session_affinity=False, public=False)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn create_router(
        &self,
        py: Python<'_>,
        deployments: &Bound<'_, PyAny>,
        id: Option<Text>,
        display_name: Option<Text>,
        model: Option<Text>,
        strategy: Option<Text>,
        session_affinity: bool,
        public: bool,
    ) -> PyResult<PyRouter> {
        let mut spec = RouterSpec::new(deployments_arg(deployments)?);
        spec.session_affinity = session_affinity;
        spec.id = id.map(|t| t.0);
        spec.display_name = display_name.map(|t| t.0);
        spec.model = model.map(|t| t.0);
        if let Some(strategy) = strategy {
            spec.strategy = crate::router::strategy(py, strategy)?;
        }
        spec.public = public;
        let created = self.with(|r| r.create_router(spec)).or_raise(py)?;
        Ok(created.into())
    }

    /// A router of the acting account, or a public router of any account.
    ///
    /// Raises NotFoundError, PermissionDeniedError (another account's
    /// private router), ValidationError.
    fn get_router(&self, py: Python<'_>, name: Text) -> PyResult<PyRouter> {
        let found = self
            .with(|r| r.get_router(name.as_str()).cloned())
            .or_raise(py)?;
        Ok(found.into())
    }

    /// The acting account's routers, by name (SPEC T2).
    fn list_routers(&self) -> Vec<PyRouter> {
        self.lock()
            .list_routers()
            .cloned()
            .map(PyRouter::from)
            .collect()
    }

    /// Updates a router (SPEC R3): only the arguments given change (None
    /// means unchanged); ``deployments`` replaces the list.
    /// ``clear_display_name=True`` / ``clear_model=True`` remove the display
    /// name / model (SPEC R1); giving a value and its clear flag together is
    /// a TypeError. Errors as :meth:`create_router`, plus NotFoundError and
    /// PermissionDeniedError; on error nothing changes.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> _ = reg.create_router(["d1"], id="r", display_name="Old name")
    ///     >>> reg.update_router("r", public=True).public
    ///     True
    ///     >>> print(reg.update_router("r", clear_display_name=True).display_name)
    ///     None
    #[pyo3(signature = (name, *, deployments=None, display_name=None, model=None, strategy=None, session_affinity=None, public=None, clear_display_name=false, clear_model=false))]
    #[allow(clippy::too_many_arguments)]
    fn update_router(
        &self,
        py: Python<'_>,
        name: Text,
        deployments: Option<&Bound<'_, PyAny>>,
        display_name: Option<Text>,
        model: Option<Text>,
        strategy: Option<Text>,
        session_affinity: Option<bool>,
        public: Option<bool>,
        clear_display_name: bool,
        clear_model: bool,
    ) -> PyResult<PyRouter> {
        for (given, clear, what) in [
            (display_name.is_some(), clear_display_name, "display_name"),
            (model.is_some(), clear_model, "model"),
        ] {
            if given && clear {
                return Err(PyTypeError::new_err(format!(
                    "update_router() takes {what}=... or clear_{what}=True, not both"
                )));
            }
        }
        let mut update = RouterUpdate::new();
        update.session_affinity = session_affinity;
        update.clear_display_name = clear_display_name;
        update.clear_model = clear_model;
        update.deployments = deployments
            .filter(|d| !d.is_none())
            .map(deployments_arg)
            .transpose()?;
        update.display_name = display_name.map(|t| t.0);
        update.model = model.map(|t| t.0);
        update.strategy = strategy
            .map(|s| crate::router::strategy(py, s))
            .transpose()?;
        update.public = public;
        let updated = self
            .with(|r| r.update_router(name.as_str(), update))
            .or_raise(py)?;
        Ok(updated.into())
    }

    /// Deletes a router; routing to it fails at once (SPEC R4).
    ///
    /// Raises NotFoundError, PermissionDeniedError.
    fn delete_router(&self, py: Python<'_>, name: Text) -> PyResult<()> {
        self.with(|r| r.delete_router(name.as_str())).or_raise(py)
    }

    /// A :class:`LoadTracker` over ``router``'s deployments, every count 0,
    /// for routing to an ``even-load`` router (SPEC R8). After the router's
    /// deployment list changes, make a new one.
    ///
    /// Raises the errors of :meth:`get_router`.
    fn load_tracker(&self, py: Python<'_>, router: Text) -> PyResult<PyLoadTracker> {
        Ok(self
            .lock()
            .load_tracker(router.as_str())
            .or_raise(py)?
            .into())
    }

    /// The router's exact traffic split (SPEC R5).
    ///
    /// Raises NoCapacityError when its deployments have 0 replicas in
    /// total, and the errors of :meth:`get_router`.
    fn traffic_split(&self, py: Python<'_>, router: Text) -> PyResult<PyTrafficSplit> {
        let split = self
            .with(|r| r.traffic_split(router.as_str()))
            .or_raise(py)?;
        Ok(split.into())
    }

    /// Routes a request by its ``model`` field (SPEC R6, R7) for
    /// ``caller_account`` (default: the acting account) and returns the
    /// chosen deployment's full name. A router name picks by the router's
    /// strategy; a deployment name routes to it; a bare ID is tried as a
    /// router, then as a deployment. ``session_key`` pins a request to a
    /// replica of a router with ``session_affinity`` (whatever its
    /// strategy); ``cursor`` is the position in a ``weighted-round-robin``
    /// router's cycle (see :meth:`route_request` for the decision with the
    /// next cursor); ``load`` is the :class:`LoadTracker` an ``even-load``
    /// router balances (without one it picks weighted-random). Routers
    /// ignore what their strategy does not use.
    ///
    /// Raises NotFoundError, PermissionDeniedError (another account's
    /// private router or deployment), NoCapacityError, ValidationError;
    /// NotFoundError also when ``load`` does not count one of an
    /// ``even-load`` router's deployments.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> _ = reg.create_router(["d1"], id="r")
    ///     >>> reg.route("r")
    ///     'accounts/acme/deployments/d1'
    #[pyo3(signature = (model, caller_account=None, *, session_key=None, cursor=None, load=None))]
    fn route(
        &self,
        py: Python<'_>,
        model: Text,
        caller_account: Option<Text>,
        session_key: Option<Text>,
        cursor: Option<&Bound<'_, PyAny>>,
        load: Option<Bound<'_, PyLoadTracker>>,
    ) -> PyResult<String> {
        let cursor = opt_uint(cursor, "cursor")?;
        let load = load.as_ref().map(|l| &l.get().inner);
        let decision = self
            .decide(
                model.as_str(),
                caller_account.as_ref().map(Text::as_str),
                session_key.as_ref().map(Text::as_str),
                cursor,
                load,
            )
            .or_raise(py)?;
        Ok(decision.deployment())
    }

    /// Routes a request like :meth:`route` and returns the whole
    /// :class:`RouteDecision`: the deployment, the replica slot of a keyed
    /// request to a router with session affinity, and the next cursor of a
    /// ``weighted-round-robin`` router.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="a", min_replicas=3, max_replicas=3)
    ///     >>> _ = reg.create_deployment("m", id="b", min_replicas=2, max_replicas=2)
    ///     >>> _ = reg.create_router(["a", "b"], id="rr", strategy="weighted-round-robin")
    ///     >>> cursor, picks = 0, []
    ///     >>> for _ in range(5):
    ///     ...     d = reg.route_request("rr", cursor=cursor)
    ///     ...     picks.append(d.deployment[-1]); cursor = d.next_cursor
    ///     >>> sorted(picks)
    ///     ['a', 'a', 'a', 'b', 'b']
    #[pyo3(signature = (model, caller_account=None, *, session_key=None, cursor=None, load=None))]
    fn route_request(
        &self,
        py: Python<'_>,
        model: Text,
        caller_account: Option<Text>,
        session_key: Option<Text>,
        cursor: Option<&Bound<'_, PyAny>>,
        load: Option<Bound<'_, PyLoadTracker>>,
    ) -> PyResult<PyRouteDecision> {
        let cursor = opt_uint(cursor, "cursor")?;
        let load = load.as_ref().map(|l| &l.get().inner);
        self.decide(
            model.as_str(),
            caller_account.as_ref().map(Text::as_str),
            session_key.as_ref().map(Text::as_str),
            cursor,
            load,
        )
        .or_raise(py)
    }

    /// Routes ``n`` requests for ``model`` at once, for simulations: each
    /// as :meth:`route` would (the same deployments as ``n`` calls, from
    /// the same generator). Returns ``(deployments, picks)``: the router's
    /// deployment names in order and an ``array.array('I')`` of ``n``
    /// indices into them (``deployments[picks[i]]`` is request ``i``'s
    /// deployment). Runs with the GIL released; the picks are computed
    /// whole, then copied into the array (peak memory about twice
    /// ``4 * n`` bytes).
    ///
    /// Raises the errors of :meth:`route` (all before anything is drawn),
    /// ValidationError (``LIMIT_EXCEEDED`` above 2**28 requests,
    /// ``OUT_OF_RANGE`` for a negative ``n``).
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="a", min_replicas=3, max_replicas=3)
    ///     >>> _ = reg.create_deployment("m", id="b", min_replicas=0, max_replicas=0)
    ///     >>> _ = reg.create_router(["a", "b"], id="r")
    ///     >>> names, picks = reg.route_many("r", n=1000)
    ///     >>> names, picks.tolist().count(0)
    ///     (['accounts/acme/deployments/a', 'accounts/acme/deployments/b'], 1000)
    #[pyo3(signature = (model, caller_account=None, *, n))]
    fn route_many<'py>(
        &self,
        py: Python<'py>,
        model: Text,
        caller_account: Option<Text>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<(Vec<String>, Bound<'py, PyAny>)> {
        let len = batch_len(n)?;
        let mut picks = Vec::new();
        picks.try_reserve_exact(len).map_err(|_| {
            pyo3::exceptions::PyMemoryError::new_err(format!("cannot allocate {len} picks"))
        })?;
        picks.resize(len, 0u32);
        let names = py
            .detach(|| {
                self.with(|reg| {
                    let acting = reg.account().to_string();
                    let caller = caller_account
                        .as_ref()
                        .map_or(acting.as_str(), Text::as_str);
                    let mut batch = reg.route_many(model.as_str(), caller)?;
                    batch.fill(&mut picks);
                    Ok(batch
                        .deployments()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>())
                })
            })
            .or_raise(py)?;
        let mut rest = picks.as_slice();
        let array = pick_array(py, len, |out| {
            let (head, tail) = rest.split_at(out.len());
            out.copy_from_slice(head);
            rest = tail;
        })?;
        Ok((names, array))
    }

    // ----- migrations -----

    /// Plans a zero-downtime migration of ``router``'s traffic from
    /// ``from_`` to ``to`` (SPEC M1-M5); the registry does not change.
    ///
    /// ``to`` is created with ``from_``'s model if it does not exist and
    /// added to the router if absent. ``target_replicas``: ``to``'s final
    /// count (default: ``from_``'s current count). Exactly one schedule:
    /// ``traffic_steps`` (percent of the from+to traffic on ``to``, strictly
    /// increasing, ending at 100) or ``max_step_percent`` (most percentage
    /// points per step). ``min_total_replicas``: the capacity floor;
    /// ``max_total_replicas``: the surge ceiling (default none).
    ///
    /// Raises InfeasiblePlanError (the message says which constraint blocks
    /// and what would make it feasible), ValidationError, NotFoundError,
    /// PermissionDeniedError; TypeError when both or neither schedule is
    /// given.
    ///
    ///     >>> reg = Registry("my-account", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="current-deployment", min_replicas=4, max_replicas=4)
    ///     >>> _ = reg.create_router(["current-deployment"], id="my-router")
    ///     >>> plan = reg.plan_migration("my-router", "current-deployment", "new-deployment",
    ///     ...                           target_replicas=4, traffic_steps=[20, 80, 100])
    ///     >>> [str(s.to_share) for s in plan.steps]
    ///     ['1/5', '4/5', '1']
    #[pyo3(signature = (router, from_, to, *, target_replicas=None, traffic_steps=None, max_step_percent=None, min_total_replicas=None, max_total_replicas=None))]
    #[allow(clippy::too_many_arguments)]
    fn plan_migration(
        &self,
        py: Python<'_>,
        router: Text,
        from_: Text,
        to: Text,
        target_replicas: Option<&Bound<'_, PyAny>>,
        traffic_steps: Option<&Bound<'_, PyAny>>,
        max_step_percent: Option<&Bound<'_, PyAny>>,
        min_total_replicas: Option<&Bound<'_, PyAny>>,
        max_total_replicas: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyMigrationPlan> {
        let schedule = migration::schedule(traffic_steps, max_step_percent)?;
        let mut request = MigrationRequest::new(router.0, from_.0, to.0, schedule);
        request.target_replicas = opt_uint(target_replicas, "target_replicas")?;
        request.min_total_replicas = opt_uint(min_total_replicas, "min_total_replicas")?;
        request.max_total_replicas = opt_uint(max_total_replicas, "max_total_replicas")?;
        // Planning can take seconds (a maximum-shift plan that needs the
        // exact search: see the README), so other Python threads run meanwhile.
        let plan = py
            .detach(|| self.with(|r| r.plan_migration(&request)))
            .or_raise(py)?;
        Ok(plan.into())
    }

    /// Applies step ``step`` (zero-based) of ``plan`` (SPEC M6): checks the
    /// registry is in the state the step starts from, then runs its actions.
    /// Atomic: on error the registry is exactly as before.
    ///
    /// Raises ConflictError (``STEP_NOT_APPLICABLE``: the registry is not in
    /// the state the step starts from), ValidationError
    /// (``STEP_OUT_OF_RANGE``) and the errors of the underlying operations.
    fn apply_step(
        &self,
        py: Python<'_>,
        plan: &Bound<'_, PyMigrationPlan>,
        step: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let step = uint::<usize>(step, "step")?;
        let plan = &plan.get().inner;
        self.with(|r| r.apply_step(plan, step)).or_raise(py)
    }

    /// Applies every remaining step of ``plan`` in order (SPEC M6) and
    /// returns how many it applied: from the first step whose starting
    /// state the registry is in (0 for a fresh plan, none when the plan is
    /// already done). Each step is atomic; on an error the earlier steps
    /// stay applied and the error names the failing step.
    ///
    /// Raises ConflictError (``STEP_NOT_APPLICABLE``) when the registry is
    /// in no state of the plan, and the errors of :meth:`apply_step`.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="old", min_replicas=4, max_replicas=4)
    ///     >>> _ = reg.create_router(["old"], id="r")
    ///     >>> plan = reg.plan_migration("r", "old", "new", traffic_steps=[50, 100])
    ///     >>> reg.apply_plan(plan) == len(plan), reg.apply_plan(plan)
    ///     (True, 0)
    fn apply_plan(&self, py: Python<'_>, plan: &Bound<'_, PyMigrationPlan>) -> PyResult<usize> {
        let plan = &plan.get().inner;
        self.with(|r| r.apply_plan(plan)).or_raise(py)
    }

    /// Sets a deployment's current replica count within its bounds, like
    /// ``firectl deployment scale --replica-count`` (SPEC P3).
    ///
    /// Raises ValidationError (``REPLICAS_OUT_OF_BOUNDS``), NotFoundError,
    /// PermissionDeniedError, OverflowError.
    fn scale_deployment(
        &self,
        py: Python<'_>,
        name: Text,
        replicas: u32,
    ) -> PyResult<PyDeployment> {
        let result = self.lock().scale_deployment(name.as_str(), replicas);
        Ok(result.or_raise(py)?.into())
    }

    // ----- the platform's own resources (SPEC P1-P3) -----

    /// Imports routers and deployments as the platform's REST API returns
    /// them (SPEC P1): a router or deployment dict, a list response
    /// (``{"routers": [...], "nextPageToken": ...}``), a list of those, or
    /// their JSON text. Atomic. Returns the report: ``{'deployments',
    /// 'routers', 'ignored_fields', 'skipped': [{'path', 'name',
    /// 'reason'}], 'notes'}``. ``autoGenerated`` routers load read-only; API
    /// keys are digested, never stored.
    ///
    /// Raises ValidationError (``INVALID_RESOURCE_JSON`` naming the path,
    /// ``INVALID_RESOURCE`` with the rule broken as ``__cause__``,
    /// ``LIMIT_EXCEEDED``); TypeError for another argument type.
    ///
    ///     >>> reg = Registry("my-account", seed=1)
    ///     >>> report = reg.import_resources({"deployments": [{
    ///     ...     "name": "accounts/my-account/deployments/d", "baseModel": "m",
    ///     ...     "minReplicaCount": 2, "maxReplicaCount": 2, "replicaCount": 2,
    ///     ...     "acceleratorType": "NVIDIA_H100_80GB"}]})
    ///     >>> report["ignored_fields"]
    ///     ['deployments[0].acceleratorType']
    fn import_resources<'py>(
        &self,
        py: Python<'py>,
        resources: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = crate::platform::resources_text(resources)?;
        let result = self.lock().import_resources(&text);
        crate::platform::loads(py, &result.or_raise(py)?.to_json())
    }

    /// Every deployment and router (all accounts) in the platform's REST
    /// shape (SPEC P2): ``[{"deployments": [...]}, {"routers": [...]}]``, API
    /// keys as ``<DIRECT_ROUTE_API_KEY_1>`` placeholders.
    /// ``import_resources`` of it gives the same registry, keys aside.
    fn export_resources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let json = self.lock().export_resources();
        crate::platform::loads(py, &json)
    }

    // ----- state -----

    /// The whole state as JSON (SPEC T1): format version, seed, generator
    /// positions, catalog, deployments and routers (API keys as salted
    /// digests only, and the key secret as a check value only).
    fn to_json(&self) -> String {
        self.lock().to_json()
    }

    /// Loads a registry from :meth:`to_json` output (SPEC T1). The result
    /// makes the same decisions as the original.
    ///
    /// ``key_secret`` is the secret the snapshot's key digests are keyed by
    /// (see the constructor); given for a snapshot saved without one, it
    /// keys the API keys set from then on.
    ///
    /// Raises ValidationError (``INVALID_JSON``,
    /// ``UNSUPPORTED_FORMAT_VERSION``, ``INVALID_SNAPSHOT`` with the rule
    /// broken as ``__cause__``, ``LIMIT_EXCEEDED``, ``KEY_SECRET_MISMATCH``
    /// when the digests are keyed by a secret and none or another was
    /// given, ``INVALID_KEY_SECRET``): never a partial state.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> Registry.from_json(reg.to_json()).to_json() == reg.to_json()
    ///     True
    #[staticmethod]
    #[pyo3(signature = (json, *, key_secret=None))]
    fn from_json(
        py: Python<'_>,
        json: Text,
        key_secret: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let secret = key_secret_from_py(py, key_secret)?;
        // Parsing a large snapshot takes a while: other threads run meanwhile.
        let inner = py
            .detach(|| match &secret {
                Some(s) => Registry::from_json_with_key_secret(json.as_str(), s),
                None => Registry::from_json(json.as_str()),
            })
            .or_raise(py)?;
        Ok(PyRegistry {
            inner: Mutex::new(inner),
        })
    }

    /// Pickling and ``copy.deepcopy`` go through :meth:`to_json`. A
    /// registry with a key secret does not pickle (the secret stays out of
    /// pickles): save :meth:`to_json` and load it with the secret.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let json = {
            let reg = slf.get().lock();
            (!reg.has_key_secret()).then(|| reg.to_json())
        };
        let Some(json) = json else {
            return Err(PyTypeError::new_err(
                "a Registry with a key secret does not pickle (the secret stays out of pickles): \
                 save to_json() and load it with Registry.from_json(json, key_secret=...)",
            ));
        };
        let from_json = slf.get_type().getattr("from_json")?;
        PyTuple::new(
            slf.py(),
            [from_json, PyTuple::new(slf.py(), [json])?.into_any()],
        )
    }

    /// Equal when the snapshots are (:meth:`to_json`): the same acting
    /// account, seed, generator positions, catalog and resources, so both
    /// make the same decisions from here on. A registry is mutable, so it
    /// is not hashable.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> Registry.from_json(reg.to_json()) == reg
    ///     True
    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> bool {
        if slf.is(other) {
            return true;
        }
        // One lock at a time (never both: two threads comparing a == b and
        // b == a would wait on each other).
        let mine = slf.get().lock().clone();
        *other.get().lock() == mine
    }

    fn __ne__(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> bool {
        !Self::__eq__(slf, other)
    }

    /// The acting account's counts, then every account's (``total_*``), so
    /// other accounts' resources are not hidden.
    fn __repr__(&self) -> String {
        self.lock().to_string()
    }
}

/// A router's deployment list: names or bare IDs, at most
/// [`MAX_ROUTER_DEPLOYMENTS`], checked before conversion.
fn deployments_arg(deployments: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    str_seq(
        deployments,
        "deployments",
        "items in deployments",
        MAX_ROUTER_DEPLOYMENTS,
    )
}
