//! `RouteDecision`: where a request goes (SPEC R6, R7).

use pyo3::prelude::*;
use pyo3::types::PyDict;
use replica_router::{ResourceName, RouteDecision};

/// Where a request goes (SPEC R6-R9): the deployment, the replica slot a
/// router with session affinity pinned a keyed request to, and the cursor a
/// ``weighted-round-robin`` router returns for the next request.
///
/// Example:
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("acme", seed=1)
///     >>> _ = reg.create_deployment("m", id="d", min_replicas=2, max_replicas=2)
///     >>> _ = reg.create_router(["d"], id="r", session_affinity=True)
///     >>> decision = reg.route_request("r", session_key="conversation-42")
///     >>> decision.deployment, decision.replica in (0, 1), decision.next_cursor
///     ('accounts/acme/deployments/d', True, None)
#[pyclass(module = "replica_router", name = "RouteDecision", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyRouteDecision {
    deployment: ResourceName,
    replica: Option<u32>,
    next_cursor: Option<u64>,
}

impl From<RouteDecision<'_>> for PyRouteDecision {
    fn from(d: RouteDecision<'_>) -> Self {
        PyRouteDecision {
            deployment: d.deployment.clone(),
            replica: d.replica,
            next_cursor: d.next_cursor,
        }
    }
}

#[pymethods]
impl PyRouteDecision {
    /// The chosen deployment's full name.
    #[getter]
    pub(crate) fn deployment(&self) -> String {
        self.deployment.to_string()
    }

    /// The replica slot (``0 .. replicas``) for a keyed request to a router
    /// with session affinity, else None.
    #[getter]
    fn replica(&self) -> Option<u32> {
        self.replica
    }

    /// The cursor to send with the next request to a
    /// ``weighted-round-robin`` router, else None.
    #[getter]
    fn next_cursor(&self) -> Option<u64> {
        self.next_cursor
    }

    /// A plain dict: ``deployment``, ``replica``, ``next_cursor``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("deployment", self.deployment())?;
        d.set_item("replica", self.replica)?;
        d.set_item("next_cursor", self.next_cursor)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "None".to_owned());
        format!(
            "RouteDecision(deployment='{}', replica={}, next_cursor={})",
            self.deployment,
            opt(self.replica.map(|r| r.to_string())),
            opt(self.next_cursor.map(|c| c.to_string())),
        )
    }
}
