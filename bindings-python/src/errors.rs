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

/// The exception classes, created on first use: the base and one subclass
/// per core [`ErrorKind`].
struct ErrorTypes {
    base: Py<PyType>,
    by_kind: Vec<(ErrorKind, Py<PyType>)>,
}

static TYPES: PyOnceLock<ErrorTypes> = PyOnceLock::new();

/// The base class's name (SPEC E2).
const BASE_NAME: &str = "ReplicaRouterError";

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

/// The Python side of each kind's class, the one place this binding maps
/// kinds: an extra builtin base and the docstring. The class name is core's
/// [`ErrorKind::class_name`].
fn python_side(kind: ErrorKind) -> (Option<&'static str>, &'static str) {
    match kind {
        ErrorKind::Validation => (
            Some("ValueError"),
            "The input is malformed or breaks a rule: fix the input. Also a ValueError.",
        ),
        ErrorKind::NotFound => (
            Some("LookupError"),
            "The named router or deployment does not exist. Also a LookupError.",
        ),
        ErrorKind::PermissionDenied => (
            Some("PermissionError"),
            "The resource exists but the acting or calling account may not use or change it. \
             Also a PermissionError.",
        ),
        ErrorKind::Conflict => (
            None,
            "The operation conflicts with the current state (already exists, in use).",
        ),
        ErrorKind::NoCapacity => (
            None,
            "Nothing can serve: the router's deployments have 0 replicas in total.",
        ),
        ErrorKind::InfeasiblePlan => (
            None,
            "A migration plan cannot meet its constraints; the message says which blocks it.",
        ),
        ErrorKind::Auth => (
            Some("PermissionError"),
            "A direct-route request failed authentication (no or malformed header) or \
             authorization (unknown key). Also a PermissionError.",
        ),
        // ErrorKind is #[non_exhaustive]: a kind added later still gets a
        // subclass of ReplicaRouterError.
        _ => (None, "An error of replica_router."),
    }
}

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
        BASE_NAME,
        PyTuple::new(py, [exception])?,
        BASE_DOC,
        Some("ERROR"),
    )?;
    let builtins = py.import("builtins")?;
    let mut by_kind = Vec::with_capacity(ErrorKind::ALL.len());
    for kind in ErrorKind::ALL {
        let (extra, doc) = python_side(kind);
        let mut bases = vec![base.bind(py).clone().into_any()];
        if let Some(extra) = extra {
            bases.push(builtins.getattr(extra)?);
        }
        let class = new_class(py, kind.class_name(), PyTuple::new(py, bases)?, doc, None)?;
        by_kind.push((kind, class));
    }
    Ok(ErrorTypes { base, by_kind })
}

fn types(py: Python<'_>) -> PyResult<&ErrorTypes> {
    TYPES.get_or_try_init(py, || create_types(py))
}

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let t = types(py)?;
    for class in std::iter::once(&t.base).chain(t.by_kind.iter().map(|(_, c)| c)) {
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
    let exc = class_of(types(py)?, err.kind())
        .bind(py)
        .call1((err.to_string(),))?;
    exc.setattr("code", err.code())?;
    let py_err = PyErr::from_value(exc);
    if let Some(inner) = std::error::Error::source(err).and_then(|s| s.downcast_ref::<Error>()) {
        py_err.set_cause(py, Some(to_py_err(py, inner)));
    }
    Ok(py_err)
}

/// The exception class of `kind` (the base class for a kind added later).
fn class_of(t: &ErrorTypes, kind: ErrorKind) -> &Py<PyType> {
    t.by_kind
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&t.base, |(_, class)| class)
}

/// A `ValidationError` raised by the binding itself, for an argument core
/// never sees in that form (an int outside the range of its Rust type), with
/// the binding's own `code` (see [`crate::args::OUT_OF_RANGE`]).
pub(crate) fn validation_error(py: Python<'_>, code: &str, message: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let exc = class_of(types(py)?, ErrorKind::Validation)
            .bind(py)
            .call1((message,))?;
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
