//! The SPEC E2 exception hierarchy and the one mapping from core errors to it.
//!
//! The classes are created once per interpreter (with `type(...)`, since four
//! of them have two bases) and added to the module:
//!
//! ```text
//! ReplicaRouterError(Exception)          .code: the core's stable code
//! ├── ValidationError(ReplicaRouterError, ValueError)
//! ├── NotFoundError(ReplicaRouterError, LookupError)
//! ├── PermissionDeniedError(ReplicaRouterError, PermissionError)
//! ├── AuthError(ReplicaRouterError, PermissionError)
//! └── ConflictError   NoCapacityError   InfeasiblePlanError
//! ```

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use replica_router::{Error, ErrorKind};

/// The exception classes, created on first use.
struct ErrorTypes {
    base: Py<PyType>,
    validation: Py<PyType>,
    not_found: Py<PyType>,
    permission_denied: Py<PyType>,
    conflict: Py<PyType>,
    no_capacity: Py<PyType>,
    infeasible_plan: Py<PyType>,
    auth: Py<PyType>,
}

static TYPES: PyOnceLock<ErrorTypes> = PyOnceLock::new();

const BASE_DOC: &str = "Base class of every error replica_router raises.\n\n\
`str(err)` is the core's message (what was wrong and what is accepted);\n\
`err.code` is a stable machine-readable code such as ``\"INVALID_NAME\"``.\n\n\
Example:\n\n\
    >>> import replica_router as rr\n\
    >>> try:\n\
    ...     rr.Registry(\"My_Account\", seed=1)\n\
    ... except rr.ReplicaRouterError as err:\n\
    ...     print(err.code)\n\
    INVALID_NAME\n";

/// `(class name, extra builtin base, docstring)` of each subclass, in the
/// order of the fields of [`ErrorTypes`].
const SUBCLASSES: [(&str, Option<&str>, &str); 7] = [
    (
        "ValidationError",
        Some("ValueError"),
        "The input is malformed or breaks a rule: fix the input. Also a ValueError.",
    ),
    (
        "NotFoundError",
        Some("LookupError"),
        "The named router or deployment does not exist. Also a LookupError.",
    ),
    (
        "PermissionDeniedError",
        Some("PermissionError"),
        "The resource exists but the acting or calling account may not use or change it. \
         Also a PermissionError.",
    ),
    (
        "ConflictError",
        None,
        "The operation conflicts with the current state (already exists, in use).",
    ),
    (
        "NoCapacityError",
        None,
        "Nothing can serve: the router's deployments have 0 replicas in total.",
    ),
    (
        "InfeasiblePlanError",
        None,
        "A migration plan cannot meet its constraints; the message says which blocks it.",
    ),
    (
        "AuthError",
        Some("PermissionError"),
        "A direct-route request failed authentication (no or malformed header) or \
         authorization (unknown key). Also a PermissionError.",
    ),
];

fn new_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: Bound<'py, PyTuple>,
    doc: &str,
    code: Option<&str>,
) -> PyResult<Py<PyType>> {
    let dict = PyDict::new(py);
    dict.set_item("__module__", "replica_router")?;
    dict.set_item("__doc__", doc)?;
    if let Some(code) = code {
        dict.set_item("code", code)?;
    }
    let class = py.get_type::<PyType>().call1((name, bases, dict))?;
    Ok(class.cast_into::<PyType>()?.unbind())
}

fn create_types(py: Python<'_>) -> PyResult<ErrorTypes> {
    let exception = py.get_type::<pyo3::exceptions::PyException>();
    let base = new_class(
        py,
        "ReplicaRouterError",
        PyTuple::new(py, [exception])?,
        BASE_DOC,
        Some("ERROR"),
    )?;
    let builtins = py.import("builtins")?;
    let mut subclasses = Vec::with_capacity(SUBCLASSES.len());
    for (name, extra, doc) in SUBCLASSES {
        let mut bases = vec![base.bind(py).clone().into_any()];
        if let Some(extra) = extra {
            bases.push(builtins.getattr(extra)?);
        }
        subclasses.push(new_class(py, name, PyTuple::new(py, bases)?, doc, None)?);
    }
    let mut it = subclasses.into_iter();
    let mut next = || {
        it.next()
            .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("exception table"))
    };
    Ok(ErrorTypes {
        base,
        validation: next()?,
        not_found: next()?,
        permission_denied: next()?,
        conflict: next()?,
        no_capacity: next()?,
        infeasible_plan: next()?,
        auth: next()?,
    })
}

fn types(py: Python<'_>) -> PyResult<&ErrorTypes> {
    TYPES.get_or_try_init(py, || create_types(py))
}

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let t = types(py)?;
    for class in [
        &t.base,
        &t.validation,
        &t.not_found,
        &t.permission_denied,
        &t.conflict,
        &t.no_capacity,
        &t.infeasible_plan,
        &t.auth,
    ] {
        let class = class.bind(py);
        m.add(class.name()?, class)?;
    }
    Ok(())
}

/// THE mapping from a core error to a Python exception (SPEC E2): the class
/// by [`Error::kind`], `code` from [`Error::code`], the message from the
/// core's `Display`. A snapshot error's inner error becomes `__cause__`.
pub(crate) fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    build(py, err).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let t = types(py)?;
    let class = match err.kind() {
        ErrorKind::Validation => &t.validation,
        ErrorKind::NotFound => &t.not_found,
        ErrorKind::PermissionDenied => &t.permission_denied,
        ErrorKind::Conflict => &t.conflict,
        ErrorKind::NoCapacity => &t.no_capacity,
        ErrorKind::InfeasiblePlan => &t.infeasible_plan,
        ErrorKind::Auth => &t.auth,
        // ErrorKind is #[non_exhaustive]: a kind added later is still a
        // ReplicaRouterError.
        _ => &t.base,
    };
    let exc = class.bind(py).call1((err.to_string(),))?;
    exc.setattr("code", err.code())?;
    let py_err = PyErr::from_value(exc);
    if let Some(inner) = std::error::Error::source(err).and_then(|s| s.downcast_ref::<Error>()) {
        py_err.set_cause(py, Some(to_py_err(py, inner)));
    }
    Ok(py_err)
}

/// A `ValidationError` raised by the binding itself, for an argument core
/// never sees in that form (an int outside the range of its Rust type), with
/// the binding's own `code` (see [`crate::args::OUT_OF_RANGE`]).
pub(crate) fn validation_error(py: Python<'_>, code: &str, message: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let exc = types(py)?.validation.bind(py).call1((message,))?;
        exc.setattr("code", code)?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| e)
}

/// `.or_raise(py)` on a core result: the error mapped by [`to_py_err`].
pub(crate) trait OrRaise<T> {
    /// The value, or the mapped exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &e))
    }
}
