//! `Registry`: deployments and routers of any number of accounts (SPEC T1,
//! T2, D1-D3, R1-R6, N3).
//!
//! The core registry sits behind a mutex, so one `Registry` can be shared
//! between threads; every call holds it only for the core operation.

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use replica_router::{
    DeploymentSpec, DeploymentUpdate, RegionCatalog, Registry, RouteDecision, RouteRequest,
    RouterSpec, RouterUpdate,
};

use crate::deployment::PyDeployment;
use crate::errors::OrRaise;
use crate::migration::{self, PyMigrationPlan};
use crate::names::Text;
use crate::region::{PyRegionCatalog, RegionArg};
use crate::router::PyRouter;
use crate::routing::PyRouteDecision;
use crate::selection::seed_from_py;
use crate::share::PyTrafficSplit;

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
    /// Routes one request (SPEC R6, R7) and converts the decision while the
    /// registry is locked (it borrows from the registry).
    fn decide<T>(
        &self,
        py: Python<'_>,
        model: Text,
        caller_account: Option<Text>,
        session_key: Option<Text>,
        cursor: Option<u64>,
        convert: impl FnOnce(RouteDecision<'_>) -> T,
    ) -> PyResult<T> {
        let mut reg = self.lock();
        let caller = match caller_account {
            Some(c) => c.0,
            None => reg.account().to_string(),
        };
        let mut request = RouteRequest::new(model.as_str(), &caller);
        if let Some(key) = &session_key {
            request = request.session_key(key.as_str());
        }
        if let Some(cursor) = cursor {
            request = request.cursor(cursor);
        }
        Ok(convert(reg.route_request(&request).or_raise(py)?))
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
    /// (``INVALID_SEED``) for a seed of the wrong length; OverflowError for
    /// an int seed outside ``0..2**64``; TypeError for other seed types.
    ///
    ///     >>> Registry("my-account", seed=42).account
    ///     'my-account'
    #[new]
    #[pyo3(signature = (account, seed=None, *, catalog=None))]
    fn new(
        py: Python<'_>,
        account: Text,
        seed: Option<&Bound<'_, PyAny>>,
        catalog: Option<&Bound<'_, PyRegionCatalog>>,
    ) -> PyResult<Self> {
        let seed = seed_from_py(py, seed)?;
        let catalog = catalog.map_or_else(RegionCatalog::default, |c| c.get().inner.clone());
        let inner = Registry::with_catalog(account.as_str(), seed, catalog).or_raise(py)?;
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
        self.lock().set_account(account.as_str()).or_raise(py)
    }

    /// The 32 seed bytes the registry was created with.
    #[getter]
    fn seed<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.lock().seed().as_bytes())
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
    /// Raises ValidationError (name, region, bounds, key errors),
    /// ConflictError (``ALREADY_EXISTS``), PermissionDeniedError (an ID in
    /// another account), OverflowError (replicas outside ``0..2**32``).
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
        min_replicas: Option<u32>,
        max_replicas: Option<u32>,
        direct_route_api_keys: Option<Vec<Text>>,
    ) -> PyResult<PyDeployment> {
        let mut spec = DeploymentSpec::new(model.0);
        spec.id = id.map(|t| t.0);
        spec.region = region.map(RegionArg::into_spec_string);
        spec.min_replicas = min_replicas;
        spec.max_replicas = max_replicas;
        spec.direct_route_api_keys = direct_route_api_keys.map(Text::all);
        Ok(self.lock().create_deployment(spec).or_raise(py)?.into())
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
        Ok(self
            .lock()
            .get_deployment(name.as_str())
            .or_raise(py)?
            .clone()
            .into())
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
    /// NotFoundError, PermissionDeniedError, OverflowError.
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
        min_replicas: Option<u32>,
        max_replicas: Option<u32>,
    ) -> PyResult<PyDeployment> {
        let mut update = DeploymentUpdate::new();
        update.min_replicas = min_replicas;
        update.max_replicas = max_replicas;
        Ok(self
            .lock()
            .update_deployment(name.as_str(), update)
            .or_raise(py)?
            .into())
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
        self.lock().delete_deployment(name.as_str()).or_raise(py)
    }

    // ----- routers -----

    /// Creates a router in the acting account (SPEC R1, R2, N3).
    ///
    /// ``deployments``: one or more distinct multi-region deployments of the
    /// account (names or bare IDs), in order. ``id`` is generated when None.
    /// ``strategy``: ``'weighted-random'`` (default), ``'weighted-round-robin'``
    /// or ``'session-affinity'`` (see ``STRATEGIES``). ``public``: open to
    /// every account.
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
        signature = (deployments, *, id=None, display_name=None, model=None, strategy=Text("weighted-random".to_owned()), public=false),
        text_signature = "(self, /, deployments, *, id=None, display_name=None, model=None, strategy='weighted-random', public=False)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn create_router(
        &self,
        py: Python<'_>,
        deployments: Vec<Text>,
        id: Option<Text>,
        display_name: Option<Text>,
        model: Option<Text>,
        strategy: Text,
        public: bool,
    ) -> PyResult<PyRouter> {
        let mut spec = RouterSpec::new(Text::all(deployments));
        spec.id = id.map(|t| t.0);
        spec.display_name = display_name.map(|t| t.0);
        spec.model = model.map(|t| t.0);
        spec.strategy = crate::router::strategy(py, strategy)?;
        spec.public = public;
        Ok(self.lock().create_router(spec).or_raise(py)?.into())
    }

    /// A router of the acting account, or a public router of any account.
    ///
    /// Raises NotFoundError, PermissionDeniedError (another account's
    /// private router), ValidationError.
    fn get_router(&self, py: Python<'_>, name: Text) -> PyResult<PyRouter> {
        Ok(self
            .lock()
            .get_router(name.as_str())
            .or_raise(py)?
            .clone()
            .into())
    }

    /// The acting account's routers, by name (SPEC T2).
    fn list_routers(&self) -> Vec<PyRouter> {
        self.lock()
            .list_routers()
            .cloned()
            .map(PyRouter::from)
            .collect()
    }

    /// Updates a router (SPEC R3): only the arguments given change;
    /// ``deployments`` replaces the list. Errors as :meth:`create_router`,
    /// plus NotFoundError and PermissionDeniedError; on error nothing
    /// changes.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> _ = reg.create_router(["d1"], id="r")
    ///     >>> reg.update_router("r", public=True).public
    ///     True
    #[pyo3(signature = (name, *, deployments=None, display_name=None, model=None, strategy=None, public=None))]
    #[allow(clippy::too_many_arguments)]
    fn update_router(
        &self,
        py: Python<'_>,
        name: Text,
        deployments: Option<Vec<Text>>,
        display_name: Option<Text>,
        model: Option<Text>,
        strategy: Option<Text>,
        public: Option<bool>,
    ) -> PyResult<PyRouter> {
        let mut update = RouterUpdate::new();
        update.deployments = deployments.map(Text::all);
        update.display_name = display_name.map(|t| t.0);
        update.model = model.map(|t| t.0);
        update.strategy = strategy
            .map(|s| crate::router::strategy(py, s))
            .transpose()?;
        update.public = public;
        Ok(self
            .lock()
            .update_router(name.as_str(), update)
            .or_raise(py)?
            .into())
    }

    /// Deletes a router; routing to it fails at once (SPEC R4).
    ///
    /// Raises NotFoundError, PermissionDeniedError.
    fn delete_router(&self, py: Python<'_>, name: Text) -> PyResult<()> {
        self.lock().delete_router(name.as_str()).or_raise(py)
    }

    /// The router's exact traffic split (SPEC R5).
    ///
    /// Raises NoCapacityError when its deployments have 0 replicas in
    /// total, and the errors of :meth:`get_router`.
    fn traffic_split(&self, py: Python<'_>, router: Text) -> PyResult<PyTrafficSplit> {
        Ok(self
            .lock()
            .traffic_split(router.as_str())
            .or_raise(py)?
            .into())
    }

    /// Routes a request by its ``model`` field (SPEC R6, R7) for
    /// ``caller_account`` (default: the acting account) and returns the
    /// chosen deployment's full name. A router name picks by the router's
    /// strategy; a deployment name routes to it; a bare ID is tried as a
    /// router, then as a deployment. ``session_key`` pins a request to a
    /// replica of a ``session-affinity`` router; ``cursor`` is the position
    /// in a ``weighted-round-robin`` router's cycle (see
    /// :meth:`route_request` for the decision with the next cursor). Other
    /// strategies ignore both.
    ///
    /// Raises NotFoundError, PermissionDeniedError (another account's
    /// private router or deployment), NoCapacityError, ValidationError.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d1")
    ///     >>> _ = reg.create_router(["d1"], id="r")
    ///     >>> reg.route("r")
    ///     'accounts/acme/deployments/d1'
    #[pyo3(signature = (model, caller_account=None, *, session_key=None, cursor=None))]
    fn route(
        &self,
        py: Python<'_>,
        model: Text,
        caller_account: Option<Text>,
        session_key: Option<Text>,
        cursor: Option<u64>,
    ) -> PyResult<String> {
        self.decide(py, model, caller_account, session_key, cursor, |d| {
            d.deployment.to_string()
        })
    }

    /// Routes a request like :meth:`route` and returns the whole
    /// :class:`RouteDecision`: the deployment, the replica slot of a keyed
    /// ``session-affinity`` request, and the next cursor of a
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
    #[pyo3(signature = (model, caller_account=None, *, session_key=None, cursor=None))]
    fn route_request(
        &self,
        py: Python<'_>,
        model: Text,
        caller_account: Option<Text>,
        session_key: Option<Text>,
        cursor: Option<u64>,
    ) -> PyResult<PyRouteDecision> {
        self.decide(py, model, caller_account, session_key, cursor, |d| {
            PyRouteDecision::from(d)
        })
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
        target_replicas: Option<u32>,
        traffic_steps: Option<Vec<u32>>,
        max_step_percent: Option<u32>,
        min_total_replicas: Option<u32>,
        max_total_replicas: Option<u32>,
    ) -> PyResult<PyMigrationPlan> {
        let schedule = migration::schedule(traffic_steps, max_step_percent)?;
        let request = migration::request(
            router,
            from_,
            to,
            schedule,
            target_replicas,
            min_total_replicas,
            max_total_replicas,
        );
        Ok(self.lock().plan_migration(&request).or_raise(py)?.into())
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
        step: usize,
    ) -> PyResult<()> {
        self.lock().apply_step(&plan.get().inner, step).or_raise(py)
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
    /// positions, catalog, deployments and routers (API keys as SHA-256
    /// digests only).
    fn to_json(&self) -> String {
        self.lock().to_json()
    }

    /// Loads a registry from :meth:`to_json` output (SPEC T1). The result
    /// makes the same decisions as the original.
    ///
    /// Raises ValidationError (``INVALID_JSON``,
    /// ``UNSUPPORTED_FORMAT_VERSION``, ``INVALID_SNAPSHOT`` with the rule
    /// broken as ``__cause__``, ``LIMIT_EXCEEDED``): never a partial state.
    ///
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> Registry.from_json(reg.to_json()).to_json() == reg.to_json()
    ///     True
    #[staticmethod]
    fn from_json(py: Python<'_>, json: Text) -> PyResult<Self> {
        let inner = Registry::from_json(json.as_str()).or_raise(py)?;
        Ok(PyRegistry {
            inner: Mutex::new(inner),
        })
    }

    /// Pickling and ``copy.deepcopy`` go through :meth:`to_json`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let from_json = slf.get_type().getattr("from_json")?;
        let json = slf.get().to_json();
        PyTuple::new(
            slf.py(),
            [from_json, PyTuple::new(slf.py(), [json])?.into_any()],
        )
    }

    fn __repr__(&self) -> String {
        let reg = self.lock();
        format!(
            "Registry(account='{}', deployments={}, routers={})",
            reg.account(),
            reg.list_deployments().len(),
            reg.list_routers().len()
        )
    }
}
