//! `Share` and `TrafficSplit`: exact traffic shares (SPEC R5).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyList, PyType};
use replica_router::{Fraction, ResourceKind, ResourceName, Share, TrafficSplit};

use crate::errors::OrRaise;
use crate::names::Text;

static FRACTION: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A core fraction as a `fractions.Fraction`.
pub(crate) fn fraction<'py>(py: Python<'py>, f: Fraction) -> PyResult<Bound<'py, PyAny>> {
    FRACTION
        .import(py, "fractions", "Fraction")?
        .call1((f.numerator(), f.denominator()))
}

/// One deployment's share of a router's traffic (SPEC R5): exactly
/// ``replicas / total replicas``.
///
/// Example:
///
///     >>> from fractions import Fraction
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=42)
///     >>> _ = reg.create_deployment("m", id="a", min_replicas=3, max_replicas=3)
///     >>> _ = reg.create_deployment("m", id="b", min_replicas=2, max_replicas=2)
///     >>> _ = reg.create_router(["a", "b"], id="ab")
///     >>> share = reg.traffic_split("ab")[0]
///     >>> share.fraction == Fraction(3, 5), share.percent, share.replicas
///     (True, 60.0, 3)
#[pyclass(module = "replica_router", name = "Share", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyShare {
    inner: Share,
}

#[pymethods]
impl PyShare {
    /// The deployment's full resource name.
    #[getter]
    fn deployment(&self) -> String {
        self.inner.deployment.to_string()
    }

    /// Its current replica count.
    #[getter]
    fn replicas(&self) -> u32 {
        self.inner.replicas
    }

    /// The exact share, a ``fractions.Fraction`` in lowest terms.
    #[getter]
    fn fraction<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        fraction(py, self.inner.fraction)
    }

    /// Numerator of the exact share, in lowest terms.
    #[getter]
    fn numerator(&self) -> u64 {
        self.inner.fraction.numerator()
    }

    /// Denominator of the exact share, in lowest terms (never 0).
    #[getter]
    fn denominator(&self) -> u64 {
        self.inner.fraction.denominator()
    }

    /// The share in percent, as the nearest float (for display; compare
    /// ``fraction`` for exact answers).
    #[getter]
    fn percent(&self) -> f64 {
        self.inner.fraction.percent()
    }

    /// A plain dict: ``deployment``, ``replicas``, ``fraction``
    /// (``fractions.Fraction``), ``percent``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("deployment", self.deployment())?;
        d.set_item("replicas", self.replicas())?;
        d.set_item("fraction", self.fraction(py)?)?;
        d.set_item("percent", self.percent())?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let percent = PyFloat::new(py, self.inner.fraction.percent()).repr()?;
        Ok(format!(
            "Share(deployment='{}', replicas={}, fraction=Fraction({}, {}), percent={percent})",
            self.inner.deployment,
            self.inner.replicas,
            self.inner.fraction.numerator(),
            self.inner.fraction.denominator(),
        ))
    }
}

/// A router's exact traffic split (SPEC R5): one ``Share`` per deployment,
/// in the router's order, summing to exactly 1. Iterable and indexable.
///
/// Example:
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=42)
///     >>> _ = reg.create_deployment("m", id="deployment-a", min_replicas=3, max_replicas=3)
///     >>> _ = reg.create_deployment("m", id="deployment-b", min_replicas=2, max_replicas=2)
///     >>> _ = reg.create_router(["deployment-a", "deployment-b"], id="ab-test")
///     >>> split = reg.traffic_split("ab-test")
///     >>> [(s.deployment.rsplit("/", 1)[1], s.percent) for s in split]
///     [('deployment-a', 60.0), ('deployment-b', 40.0)]
///     >>> split.total_replicas, len(split)
///     (5, 2)
#[pyclass(module = "replica_router", name = "TrafficSplit", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyTrafficSplit {
    inner: TrafficSplit,
}

impl From<TrafficSplit> for PyTrafficSplit {
    fn from(inner: TrafficSplit) -> Self {
        PyTrafficSplit { inner }
    }
}

impl PyTrafficSplit {
    fn share_list(&self) -> Vec<PyShare> {
        self.inner
            .shares
            .iter()
            .map(|s| PyShare { inner: s.clone() })
            .collect()
    }
}

#[pymethods]
impl PyTrafficSplit {
    /// The router's full resource name.
    #[getter]
    fn router(&self) -> String {
        self.inner.router.to_string()
    }

    /// Total replicas over the router's deployments (never 0).
    #[getter]
    fn total_replicas(&self) -> u64 {
        self.inner.total_replicas
    }

    /// The shares, in the router's deployment order.
    #[getter]
    fn shares(&self) -> Vec<PyShare> {
        self.share_list()
    }

    /// The share of ``deployment`` (a full name, or a bare ID of the router's
    /// account), or None when the router does not list it.
    ///
    /// Raises ValidationError for a malformed name.
    ///
    ///     >>> from replica_router import Registry
    ///     >>> reg = Registry("acme", seed=1)
    ///     >>> _ = reg.create_deployment("m", id="d")
    ///     >>> _ = reg.create_router(["d"], id="r")
    ///     >>> reg.traffic_split("r").share_of("d").percent
    ///     100.0
    fn share_of(&self, py: Python<'_>, deployment: Text) -> PyResult<Option<PyShare>> {
        let name = ResourceName::parse(
            deployment.as_str(),
            ResourceKind::Deployment,
            self.inner.router.account(),
        )
        .or_raise(py)?;
        Ok(self
            .inner
            .share_of(&name)
            .map(|s| PyShare { inner: s.clone() }))
    }

    /// A plain dict: ``router``, ``total_replicas`` and ``shares`` (dicts).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("router", self.router())?;
        d.set_item("total_replicas", self.total_replicas())?;
        let shares = self
            .share_list()
            .iter()
            .map(|s| s.to_dict(py))
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("shares", shares)?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.inner.shares.len()
    }

    /// ``split[i]``: the i-th share (negative indices count from the end).
    fn __getitem__(&self, index: isize) -> PyResult<PyShare> {
        let len = self.inner.shares.len();
        let i = if index < 0 {
            len.checked_sub(index.unsigned_abs())
        } else {
            Some(index.unsigned_abs())
        };
        i.and_then(|i| self.inner.shares.get(i))
            .map(|s| PyShare { inner: s.clone() })
            .ok_or_else(|| pyo3::exceptions::PyIndexError::new_err("share index out of range"))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self.share_list())?.try_iter()?.into_any())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let shares = self
            .share_list()
            .iter()
            .map(|s| s.__repr__(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(format!(
            "TrafficSplit(router='{}', total_replicas={}, shares=[{}])",
            self.inner.router,
            self.inner.total_replicas,
            shares.join(", ")
        ))
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }
}
