//! `Deployment`, a value returned by the registry (SPEC D1, G3).

use pyo3::prelude::*;
use pyo3::types::PyDict;
use replica_router::Deployment;

use crate::direct_route::PyDirectRoute;
use crate::errors::OrRaise;
use crate::region::PyRegion;

/// A model deployment (SPEC D1): a snapshot of the registry's state when it
/// was returned. Equal deployments compare equal and hash alike.
///
/// Example:
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=42)
///     >>> d = reg.create_deployment("llama", id="deployment-a", min_replicas=3, max_replicas=3)
///     >>> d.name, d.replicas, d.is_multi_region
///     ('accounts/my-account/deployments/deployment-a', 3, True)
///     >>> d == reg.get_deployment("deployment-a")
///     True
#[pyclass(module = "replica_router", name = "Deployment", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyDeployment {
    pub(crate) inner: Deployment,
}

impl From<Deployment> for PyDeployment {
    fn from(inner: Deployment) -> Self {
        PyDeployment { inner }
    }
}

#[pymethods]
impl PyDeployment {
    /// Full resource name, ``accounts/{account}/deployments/{id}``.
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The deployment's own ID, e.g. ``'deployment-a'``.
    #[getter]
    fn id(&self) -> &str {
        self.inner.name().id().as_str()
    }

    /// The account that owns it.
    #[getter]
    fn account(&self) -> &str {
        self.inner.name().account().as_str()
    }

    /// The deployed model's full resource name.
    #[getter]
    fn model(&self) -> String {
        self.inner.model().to_string()
    }

    /// The pinned region, or None for a multi-region deployment (SPEC G3).
    #[getter]
    fn region(&self) -> Option<PyRegion> {
        self.inner.placement().region().cloned().map(PyRegion::from)
    }

    /// True unless pinned to one region; only multi-region deployments can
    /// join a router (SPEC R2).
    #[getter]
    fn is_multi_region(&self) -> bool {
        self.inner.is_multi_region()
    }

    /// Minimum replica count.
    #[getter]
    fn min_replicas(&self) -> u32 {
        self.inner.min_replicas()
    }

    /// Maximum replica count.
    #[getter]
    fn max_replicas(&self) -> u32 {
        self.inner.max_replicas()
    }

    /// Current replica count, always within ``[min_replicas, max_replicas]``.
    #[getter]
    fn replicas(&self) -> u32 {
        self.inner.replicas()
    }

    /// Its Internet direct route, or None (SPEC G4).
    #[getter]
    fn direct_route(&self) -> Option<PyDirectRoute> {
        self.inner
            .direct_route()
            .cloned()
            .map(|inner| PyDirectRoute { inner })
    }

    /// The direct route handle (SPEC G5), or None without a direct route.
    ///
    ///     >>> from replica_router import Registry
    ///     >>> reg = Registry("my-account", seed=42)
    ///     >>> d = reg.create_deployment("llama", id="abcd1234", region="US_ARIZONA_1",
    ///     ...                           direct_route_api_keys=["secret1"])
    ///     >>> d.direct_route_handle
    ///     'my-account-abcd1234.us-arizona-1.direct.fireworks.ai'
    #[getter]
    fn direct_route_handle(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.inner
            .direct_route()
            .map(|r| r.handle(self.inner.name()))
            .transpose()
            .or_raise(py)
    }

    /// A plain dict of the fields (the direct route without its keys).
    ///
    ///     >>> from replica_router import Registry
    ///     >>> Registry("acme", seed=1).create_deployment("m", id="d").to_dict()["replicas"]
    ///     1
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("name", self.name())?;
        d.set_item("model", self.model())?;
        d.set_item(
            "region",
            self.inner.placement().region().map(|r| r.canonical()),
        )?;
        d.set_item("min_replicas", self.inner.min_replicas())?;
        d.set_item("max_replicas", self.inner.max_replicas())?;
        d.set_item("replicas", self.inner.replicas())?;
        let route = match self.direct_route() {
            Some(r) => Some(r.to_dict(py)?),
            None => None,
        };
        d.set_item("direct_route", route)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let d = &self.inner;
        let region = match d.placement().region() {
            Some(r) => format!("'{r}'"),
            None => "None".to_owned(),
        };
        format!(
            "Deployment(name='{}', model='{}', region={region}, replicas={}, min_replicas={}, \
             max_replicas={}, direct_route={})",
            d.name(),
            d.model(),
            d.replicas(),
            d.min_replicas(),
            d.max_replicas(),
            if d.direct_route().is_some() {
                "True"
            } else {
                "False"
            },
        )
    }
}
