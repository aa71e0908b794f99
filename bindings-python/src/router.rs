//! `Router`, a value returned by the registry (SPEC R1, R7, R9).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use replica_router::{Router, Strategy};

use crate::errors::OrRaise;
use crate::names::Text;

/// Parses a strategy name with core's rules (SPEC R7).
pub(crate) fn strategy(py: Python<'_>, name: Text) -> PyResult<Strategy> {
    name.as_str().parse::<Strategy>().or_raise(py)
}

/// A router (SPEC R1): a stable alias over an ordered list of deployments.
/// A snapshot of the registry's state when it was returned; equal routers
/// compare equal and hash alike.
///
/// Example:
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=42)
///     >>> _ = reg.create_deployment("llama", id="deployment-a")
///     >>> r = reg.create_router(["deployment-a"], id="ab-test", display_name="A/B")
///     >>> r.name, r.strategy, r.public
///     ('accounts/my-account/routers/ab-test', 'weighted-random', False)
///     >>> r.deployments
///     ['accounts/my-account/deployments/deployment-a']
#[pyclass(module = "replica_router", name = "Router", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyRouter {
    pub(crate) inner: Router,
}

impl From<Router> for PyRouter {
    fn from(inner: Router) -> Self {
        PyRouter { inner }
    }
}

#[pymethods]
impl PyRouter {
    /// Full resource name, ``accounts/{account}/routers/{id}``.
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The router's own ID, e.g. ``'ab-test'``.
    #[getter]
    fn id(&self) -> &str {
        self.inner.name().id().as_str()
    }

    /// The account that owns it.
    #[getter]
    fn account(&self) -> &str {
        self.inner.name().account().as_str()
    }

    /// Human-readable name, or None.
    #[getter]
    fn display_name(&self) -> Option<&str> {
        self.inner.display_name()
    }

    /// The model's full resource name, or None.
    #[getter]
    fn model(&self) -> Option<String> {
        self.inner.model().map(ToString::to_string)
    }

    /// The routing strategy's name, e.g. ``'weighted-random'`` (SPEC R7).
    #[getter]
    fn strategy(&self) -> &'static str {
        self.inner.strategy().as_str()
    }

    /// True when requests with a ``session_key`` keep to one deployment and
    /// replica slot, whatever the strategy (SPEC R9).
    #[getter]
    fn session_affinity(&self) -> bool {
        self.inner.session_affinity()
    }

    /// True when every account may route to it (SPEC R6).
    #[getter]
    fn public(&self) -> bool {
        self.inner.is_public()
    }

    /// The deployments' full names, in order.
    #[getter]
    fn deployments(&self) -> Vec<String> {
        self.inner
            .deployments()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// A plain dict of the fields.
    ///
    ///     >>> from replica_router import Registry
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d")
    ///     >>> reg.create_router(["d"], id="r").to_dict()["deployments"]
    ///     ['accounts/acme/deployments/d']
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("name", self.name())?;
        d.set_item("display_name", self.display_name())?;
        d.set_item("model", self.model())?;
        d.set_item("strategy", self.strategy())?;
        d.set_item("session_affinity", self.session_affinity())?;
        d.set_item("public", self.public())?;
        d.set_item("deployments", self.deployments())?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = &self.inner;
        let display_name = match r.display_name() {
            Some(s) => PyString::new(py, s).repr()?.to_string(),
            None => "None".to_owned(),
        };
        let model = r
            .model()
            .map_or_else(|| "None".to_owned(), |m| format!("'{m}'"));
        let deployments: Vec<String> = r.deployments().iter().map(|d| format!("'{d}'")).collect();
        Ok(format!(
            "Router(name='{}', display_name={display_name}, model={model}, strategy='{}', \
             session_affinity={}, public={}, deployments=[{}])",
            r.name(),
            r.strategy(),
            if r.session_affinity() {
                "True"
            } else {
                "False"
            },
            if r.is_public() { "True" } else { "False" },
            deployments.join(", ")
        ))
    }
}
