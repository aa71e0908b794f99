//! The platform's own resources (SPEC P1-P3): `Registry.import_resources` /
//! `export_resources` conversions and the `Operation` class. Core renders
//! JSON; this file only turns it into plain `dict`/`list` values and back
//! (with the standard `json` module, never while a lock of ours is held).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use replica_router::Operation;

use crate::errors::OrRaise;
use crate::registry::PyRegistry;

/// The JSON text of `import_resources`' argument: a `str` as is, a `dict`
/// or `list` through `json.dumps`.
pub(crate) fn resources_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_string_lossy().into_owned());
    }
    if obj.is_instance_of::<PyDict>() || obj.is_instance_of::<PyList>() {
        let dumps = obj.py().import("json")?.getattr("dumps")?;
        return dumps.call1((obj,))?.extract();
    }
    Err(PyTypeError::new_err(
        "import_resources() takes a dict, a list of dicts, or their JSON text as a str",
    ))
}

/// Core's JSON output as plain Python values (`json.loads`).
pub(crate) fn loads<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.getattr("loads")?.call1((json,))
}

/// One change to a registry (SPEC P3): applies itself, renders as a
/// ``firectl`` command and as a REST request. API keys are never rendered:
/// ``<DIRECT_ROUTE_API_KEY_1>`` placeholders stand in for them.
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("my-account", seed=42)
///     >>> _ = reg.create_deployment("m", id="current", min_replicas=4, max_replicas=4)
///     >>> _ = reg.create_router(["current"], id="my-router")
///     >>> plan = reg.plan_migration("my-router", "current", "next", traffic_steps=[100])
///     >>> op = plan.operations()[0]
///     >>> op.firectl_command()
///     'firectl deployment create accounts/my-account/models/m --deployment-id=next --min-replica-count=4 --max-replica-count=4'
///     >>> op.rest_request()["path"]
///     '/v1/accounts/my-account/deployments'
#[pyclass(module = "replica_router", name = "Operation", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyOperation {
    pub(crate) inner: Operation,
}

#[pymethods]
impl PyOperation {
    /// The ``firectl`` command, on one line.
    fn firectl_command(&self) -> String {
        self.inner.firectl_command()
    }

    /// The REST request: ``{'method', 'path', 'query': {...}, 'body': {...}
    /// or None}``; the path is under ``/v1/accounts/{account}/``.
    fn rest_request<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        loads(py, &self.inner.rest_request().to_json())
    }

    /// ``{'firectl': ..., 'rest': {...}}``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        loads(py, &self.inner.to_json())
    }

    /// Applies the operation to ``registry`` through its own checks
    /// (atomic: on error the registry is unchanged).
    ///
    /// Raises the errors of the registry operation it stands for, e.g.
    /// PermissionDeniedError (``READ_ONLY_ROUTER``), ValidationError
    /// (``REPLICAS_OUT_OF_BOUNDS``), NotFoundError.
    fn apply(&self, py: Python<'_>, registry: &Bound<'_, PyRegistry>) -> PyResult<()> {
        let result = {
            let mut reg = registry.get().lock();
            self.inner.apply(&mut reg)
        };
        result.or_raise(py)
    }

    fn __repr__(&self) -> String {
        format!("Operation({:?})", self.inner.firectl_command())
    }
}

/// Operations as Python objects.
pub(crate) fn operations(ops: Vec<Operation>) -> Vec<PyOperation> {
    ops.into_iter().map(|inner| PyOperation { inner }).collect()
}
