//! The routing strategies' building blocks (SPEC R7-R9): `WeightedRoundRobin`,
//! `LoadTracker`, `SessionAffinity` with `AffinityPick`, and `session_hash`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use replica_router::limits::MAX_SESSION_AFFINITY_REPLICAS;
use replica_router::{AffinityPick, LoadTracker, SessionAffinity, WeightedRoundRobin};

use crate::args::{opt_uint, seq, text, uint};
use crate::errors::OrRaise;
use crate::names::Text;
use crate::selection::{batch_len, pick_array, weights_arg, weights_repr};

/// Smooth weighted round robin (SPEC R7, ``weighted-round-robin``): a
/// deterministic cycle of ``total`` picks in which index ``i`` appears exactly
/// ``weights[i]`` times, evenly spread. The position is a caller-owned
/// cursor (any int in ``0..2**64``, taken modulo ``total``); no randomness.
///
/// Example:
///
///     >>> from replica_router import WeightedRoundRobin
///     >>> rr = WeightedRoundRobin([3, 2])
///     >>> [rr.pick(c) for c in range(5)]
///     [0, 1, 0, 1, 0]
///     >>> picks, cursor = rr.pick_many(10, cursor=0)
///     >>> picks.tolist().count(0), cursor
///     (6, 0)
#[pyclass(module = "replica_router", name = "WeightedRoundRobin", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyWeightedRoundRobin {
    inner: WeightedRoundRobin,
}

#[pymethods]
impl PyWeightedRoundRobin {
    /// Builds the cycle for ``weights`` (ints in ``0..2**32``, not all zero).
    ///
    /// Raises ValidationError (``EMPTY_WEIGHTS``, ``ZERO_TOTAL_WEIGHT``,
    /// ``LIMIT_EXCEEDED``, ``OUT_OF_RANGE`` for a weight outside
    /// ``0..2**32``), TypeError.
    ///
    ///     >>> WeightedRoundRobin([1, 0, 1]).total
    ///     2
    #[new]
    fn new(py: Python<'_>, weights: &Bound<'_, PyAny>) -> PyResult<Self> {
        let weights = weights_arg(weights)?;
        Ok(PyWeightedRoundRobin {
            inner: WeightedRoundRobin::new(&weights).or_raise(py)?,
        })
    }

    /// The weights, as given.
    #[getter]
    fn weights(&self) -> Vec<u32> {
        self.inner.weights().to_vec()
    }

    /// Length of the cycle: the sum of the weights.
    #[getter]
    fn total(&self) -> u64 {
        self.inner.total()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Where ``cursor`` is in the cycle: ``cursor % total``.
    ///
    ///     >>> WeightedRoundRobin([3, 2]).position(7)
    ///     2
    fn position(&self, cursor: &Bound<'_, PyAny>) -> PyResult<u64> {
        Ok(self.inner.position(uint(cursor, "cursor")?))
    }

    /// The cursor after a pick at ``cursor`` (always below ``total``).
    ///
    ///     >>> WeightedRoundRobin([3, 2]).next_cursor(4)
    ///     0
    fn next_cursor(&self, cursor: &Bound<'_, PyAny>) -> PyResult<u64> {
        Ok(self.inner.next_cursor(uint(cursor, "cursor")?))
    }

    /// The index picked at ``cursor``.
    ///
    ///     >>> WeightedRoundRobin([0, 1]).pick(12345)
    ///     1
    fn pick(&self, cursor: &Bound<'_, PyAny>) -> PyResult<u32> {
        Ok(self.inner.pick(uint(cursor, "cursor")?))
    }

    /// ``n`` picks at ``cursor``, ``cursor + 1``, ... as
    /// ``(array.array('I'), next_cursor)``. Runs with the GIL released.
    ///
    /// Raises ValidationError (``LIMIT_EXCEEDED``) above 2**28 picks.
    ///
    ///     >>> WeightedRoundRobin([3, 2]).pick_many(3, cursor=4)
    ///     (array('I', [0, 0, 1]), 2)
    #[pyo3(signature = (n, *, cursor=None), text_signature = "(self, /, n, *, cursor=0)")]
    fn pick_many<'py>(
        &self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
        cursor: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyAny>, u64)> {
        let len = batch_len(n)?;
        let mut next = opt_uint(cursor, "cursor")?.unwrap_or(0);
        let picks = pick_array(py, len, |out| next = self.inner.fill(next, out))?;
        Ok((picks, next))
    }

    fn __repr__(&self) -> String {
        format!("WeightedRoundRobin({})", weights_repr(self.inner.weights()))
    }
}

/// Where a session key goes: a deployment index and a replica slot in it.
///
///     >>> from replica_router import SessionAffinity
///     >>> SessionAffinity([("deployment-a", 1)]).pick("k")
///     AffinityPick(deployment=0, replica=0)
#[pyclass(module = "replica_router", name = "AffinityPick", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyAffinityPick {
    inner: AffinityPick,
}

#[pymethods]
impl PyAffinityPick {
    /// Index of the deployment, in the order given.
    #[getter]
    fn deployment(&self) -> u32 {
        self.inner.deployment
    }

    /// Replica slot in the deployment, ``0 .. replicas``.
    #[getter]
    fn replica(&self) -> u32 {
        self.inner.replica
    }

    /// A plain dict: ``deployment``, ``replica``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("deployment", self.inner.deployment)?;
        d.set_item("replica", self.inner.replica)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "AffinityPick(deployment={}, replica={})",
            self.inner.deployment, self.inner.replica
        )
    }
}

/// Session affinity by rendezvous hashing (SPEC R9, the ``session_affinity`` flag):
/// a session key always goes to the same deployment and replica slot while
/// the replica counts stay; when they change, only the keys that must move
/// do (adding one replica to N moves about 1/(N+1) of them, all onto it).
///
/// Example:
///
///     >>> from replica_router import SessionAffinity
///     >>> aff = SessionAffinity([("deployment-a", 3), ("deployment-b", 2)])
///     >>> pick = aff.pick("conversation-42")
///     >>> pick == aff.pick("conversation-42"), pick.replica < (3, 2)[pick.deployment]
///     (True, True)
#[pyclass(module = "replica_router", name = "SessionAffinity", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PySessionAffinity {
    inner: SessionAffinity,
}

#[pymethods]
impl PySessionAffinity {
    /// Hashing over ``(deployment name, replicas)`` pairs, in order. Names
    /// identify replicas: keep them stable (a registry uses full names).
    ///
    /// Raises ValidationError (``EMPTY_WEIGHTS``, ``ZERO_TOTAL_WEIGHT``,
    /// ``DUPLICATE_DEPLOYMENT``, ``LIMIT_EXCEEDED`` above 65,536 replicas),
    /// ``OUT_OF_RANGE``), TypeError.
    ///
    ///     >>> SessionAffinity([("a", 2), ("b", 0)]).total
    ///     2
    #[new]
    fn new(py: Python<'_>, deployments: &Bound<'_, PyAny>) -> PyResult<Self> {
        let pairs = seq(
            deployments,
            "deployments",
            "items in deployments",
            MAX_SESSION_AFFINITY_REPLICAS,
            |item, path| {
                let pair = item.cast::<PyTuple>().ok().filter(|t| t.len() == 2);
                let Some(pair) = pair else {
                    return Err(PyTypeError::new_err(format!(
                        "{path} must be a (name, replicas) tuple"
                    )));
                };
                let name = text(&pair.get_item(0)?, &format!("{path}[0]"))?;
                let replicas = uint::<u32>(&pair.get_item(1)?, &format!("{path}[1]"))?;
                Ok((name, replicas))
            },
        )?;
        Ok(PySessionAffinity {
            inner: SessionAffinity::new(pairs).or_raise(py)?,
        })
    }

    /// Total replicas hashed over.
    #[getter]
    fn total(&self) -> u64 {
        self.inner.total()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Where ``session_key`` goes.
    fn pick(&self, session_key: Text) -> PyAffinityPick {
        PyAffinityPick {
            inner: self.inner.pick(session_key.as_str()),
        }
    }

    /// Where a key with this :func:`session_hash` goes.
    ///
    ///     >>> from replica_router import session_hash
    ///     >>> aff = SessionAffinity([("a", 3)])
    ///     >>> aff.pick_hashed(session_hash("k")) == aff.pick("k")
    ///     True
    fn pick_hashed(&self, key_hash: &Bound<'_, PyAny>) -> PyResult<PyAffinityPick> {
        Ok(PyAffinityPick {
            inner: self.inner.pick_hashed(uint(key_hash, "key_hash")?),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "SessionAffinity(deployments={}, total={})",
            self.inner.len(),
            self.inner.total()
        )
    }
}

/// The documented 64-bit hash of a session key: the same value on every
/// platform and in Rust, Python and JS.
///
///     >>> from replica_router import session_hash
///     >>> hex(session_hash(""))
///     '0xe9e0033e3badaf36'
#[pyfunction]
pub(crate) fn session_hash(key: Text) -> u64 {
    replica_router::session_hash(key.as_str())
}

/// In-flight request counts per deployment for ``even-load`` routers (SPEC
/// R8), made by :meth:`Registry.load_tracker` over a router's deployments.
///
/// The caller owns the counts, as it owns a round-robin cursor: call
/// :meth:`started` when a request goes to the routed deployment and
/// :meth:`finished` when it completes, and pass the tracker as ``load=`` to
/// :meth:`Registry.route`. The counts are atomics, so threads share one
/// tracker without a lock of ours.
///
/// Example:
///
///     >>> from replica_router import Registry
///     >>> reg = Registry("acme", seed=1)
///     >>> _ = reg.create_deployment("m", id="big", min_replicas=4, max_replicas=4)
///     >>> _ = reg.create_deployment("m", id="small", min_replicas=2, max_replicas=2)
///     >>> _ = reg.create_router(["big", "small"], id="r", strategy="even-load")
///     >>> load = reg.load_tracker("r")
///     >>> load.set("accounts/acme/deployments/big", 8)   # 2 per replica
///     >>> d = reg.route("r", load=load)                  # small: 0 per replica
///     >>> d, load.started(d)
///     ('accounts/acme/deployments/small', 1)
#[pyclass(module = "replica_router", name = "LoadTracker", frozen)]
pub(crate) struct PyLoadTracker {
    pub(crate) inner: LoadTracker,
}

impl From<LoadTracker> for PyLoadTracker {
    fn from(inner: LoadTracker) -> Self {
        PyLoadTracker { inner }
    }
}

#[pymethods]
impl PyLoadTracker {
    /// The full names of the deployments it counts, sorted.
    #[getter]
    fn deployments(&self) -> Vec<String> {
        self.inner
            .deployments()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Counts one more request in flight to ``deployment`` (a full name, as
    /// routing returns it); returns the new count.
    ///
    /// Raises NotFoundError when the tracker does not count ``deployment``.
    fn started(&self, py: Python<'_>, deployment: Text) -> PyResult<u64> {
        self.inner.started(deployment.as_str()).or_raise(py)
    }

    /// Counts one request to ``deployment`` as finished; returns the new
    /// count (a count at 0 stays 0).
    ///
    /// Raises NotFoundError when the tracker does not count ``deployment``.
    fn finished(&self, py: Python<'_>, deployment: Text) -> PyResult<u64> {
        self.inner.finished(deployment.as_str()).or_raise(py)
    }

    /// Sets the in-flight count of ``deployment`` (an int in ``0..2**64``).
    ///
    /// Raises NotFoundError when the tracker does not count ``deployment``.
    fn set(&self, py: Python<'_>, deployment: Text, in_flight: u64) -> PyResult<()> {
        self.inner.set(deployment.as_str(), in_flight).or_raise(py)
    }

    /// The in-flight count of ``deployment``.
    ///
    /// Raises NotFoundError when the tracker does not count ``deployment``.
    fn in_flight(&self, py: Python<'_>, deployment: Text) -> PyResult<u64> {
        self.inner.in_flight(deployment.as_str()).or_raise(py)
    }

    /// ``{deployment: in-flight count}`` for every counted deployment.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for name in self.inner.deployments() {
            let name = name.to_string();
            let n = self.inner.in_flight(&name).or_raise(py)?;
            d.set_item(name, n)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let counts: Vec<String> = self
            .inner
            .deployments()
            .iter()
            .map(|d| {
                let name = d.to_string();
                let n = self.inner.in_flight(&name).unwrap_or(0);
                format!("'{name}': {n}")
            })
            .collect();
        format!("LoadTracker({{{}}})", counts.join(", "))
    }
}
