//! `WeightedSelector` and seeds (SPEC S1-S4).
//!
//! Batch results are `array.array` objects (`'I'` picks, `'Q'` counts):
//! compact, with the buffer protocol, so `numpy.asarray` wraps them without a
//! copy. Batches run with the GIL released; the generator sits behind a
//! mutex, so one selector can be shared between threads.

use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyType};
use replica_router::limits::{MAX_WEIGHTS, check_batch_picks};
use replica_router::{ChaCha8Rng, Seed, WeightedSelector};

use crate::args::{u32_seq, uint};
use crate::errors::OrRaise;

/// Converts a Python seed: an int in `0..2**64`, 32 bytes, or None (32 bytes
/// from `os.urandom`, the OS entropy source, drawn here in the binding since
/// core reads no entropy).
pub(crate) fn seed_from_py(py: Python<'_>, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Seed> {
    let bytes_seed = |b: &[u8]| Seed::from_slice(b).or_raise(py);
    match seed {
        None => {
            let os = py.import("os")?;
            let random = os.call_method1("urandom", (32,))?;
            bytes_seed(random.cast::<PyBytes>()?.as_bytes())
        }
        Some(s) if s.is_none() => seed_from_py(py, None),
        Some(s) => {
            if let Ok(b) = s.cast::<PyBytes>() {
                bytes_seed(b.as_bytes())
            } else if let Ok(b) = s.cast::<PyByteArray>() {
                bytes_seed(&b.to_vec())
            } else {
                // An int (or anything with __index__): ValidationError
                // (OUT_OF_RANGE) when negative or above 2**64 - 1.
                match uint::<u64>(s, "seed") {
                    Ok(v) => Ok(Seed::from_u64(v)),
                    Err(e) if e.is_instance_of::<PyTypeError>(py) => {
                        Err(PyTypeError::new_err(format!(
                            "seed must be an int in 0..2**64, 32 bytes or None, not {}",
                            s.get_type().name()?
                        )))
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }
}

static ARRAY: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `array.array(typecode, data)`: one copy of `data` into the array.
fn array<'py>(
    py: Python<'py>,
    typecode: &str,
    data: &Bound<'py, PyBytes>,
) -> PyResult<Bound<'py, PyAny>> {
    ARRAY.import(py, "array", "array")?.call1((typecode, data))
}

/// Typecodes of the batch results: `'I'` is `unsigned int` (4 bytes) and
/// `'Q'` is `unsigned long long` (8 bytes) on every platform CPython
/// supports; [`check_typecodes`] verifies it once, at import.
const PICK_TYPECODE: &str = "I";
const COUNT_TYPECODE: &str = "Q";

/// Fails the import if an array typecode does not have the expected size, so
/// that a surprise cannot silently misread the data.
pub(crate) fn check_typecodes(py: Python<'_>) -> PyResult<()> {
    for (code, size) in [(PICK_TYPECODE, 4usize), (COUNT_TYPECODE, 8)] {
        let itemsize: usize = ARRAY
            .import(py, "array", "array")?
            .call1((code,))?
            .getattr("itemsize")?
            .extract()?;
        if itemsize != size {
            return Err(pyo3::exceptions::PyImportError::new_err(format!(
                "array typecode '{code}' has {itemsize} bytes here, expected {size}"
            )));
        }
    }
    Ok(())
}

/// The batch size argument `n`, checked against core's limit before anything
/// is allocated or drawn ([`check_batch_picks`]).
pub(crate) fn batch_len(n: &Bound<'_, PyAny>) -> PyResult<usize> {
    check_batch_picks(uint::<u64>(n, "n")?).or_raise(n.py())
}

/// A weights argument: a sequence of ints in `0..2**32`, at most
/// [`MAX_WEIGHTS`] of them, checked before conversion.
pub(crate) fn weights_arg(weights: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
    u32_seq(weights, "weights", "items in weights", MAX_WEIGHTS)
}

/// Picks per chunk written into the result buffer (fits in L1).
const CHUNK: usize = 1024;

/// Picks per piece appended to the result array: 256 KiB, so the pieces cost
/// little memory and few trips back to the interpreter.
const PIECE: usize = 64 * 1024;

/// `len` picks as `array.array('I')`, produced by `fill` with the GIL
/// released (it gets successive slices, as one long `fill` would).
///
/// The array is built piece by piece (`frombytes` of [`PIECE`] picks at a
/// time), so the peak memory is the result plus one piece, not two copies of
/// the result (`array('I', bytes)` would copy a finished buffer). The array's
/// growth is amortised by CPython; on glibc a large array grows in place
/// (`mremap`), which is what keeps the peak near 1x there.
///
/// `fill` runs without the GIL and must not hold a lock of ours across
/// calls: between pieces the interpreter runs (allocation, maybe the GC).
pub(crate) fn pick_array<'py>(
    py: Python<'py>,
    len: usize,
    mut fill: impl FnMut(&mut [u32]) + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let array = ARRAY
        .import(py, "array", "array")?
        .call1((PICK_TYPECODE,))?;
    let mut done = 0;
    while done < len {
        let n = PIECE.min(len - done);
        let piece = PyBytes::new_with(py, n * 4, |buf| {
            py.detach(|| write_picks(buf, &mut fill));
            Ok(())
        })?;
        array.call_method1("frombytes", (piece,))?;
        done += n;
    }
    Ok(array)
}

/// Fills `buf` with native-endian `u32` picks, chunk by chunk, from `fill`
/// (which gets successive slices, as one long `fill` would).
fn write_picks(buf: &mut [u8], mut fill: impl FnMut(&mut [u32])) {
    let mut picks = [0u32; CHUNK];
    for out in buf.chunks_mut(CHUNK * 4) {
        let picks = &mut picks[..out.len() / 4];
        fill(picks);
        for (dst, p) in out.chunks_exact_mut(4).zip(picks.iter()) {
            dst.copy_from_slice(&p.to_ne_bytes());
        }
    }
}

/// `[3, 2]`, cut after 16 weights.
pub(crate) fn weights_repr(w: &[u32]) -> String {
    const SHOWN: usize = 16;
    let mut shown: Vec<String> = w.iter().take(SHOWN).map(u32::to_string).collect();
    if w.len() > SHOWN {
        shown.push(format!("... ({} weights)", w.len()));
    }
    format!("[{}]", shown.join(", "))
}

/// Samples indices with probability exactly ``weights[i] / sum(weights)``
/// (SPEC S1-S4): O(1) per pick, deterministic for a given seed on every
/// platform and in every binding (Rust, Python, JS give the same picks).
///
/// ``seed`` is an int in ``0..2**64``, 32 bytes, or None for OS entropy.
/// Picks use stream 0 of the seed's ChaCha8 generator, like the Rust
/// ``Seed::rng()``. Safe to share between threads: batches release the GIL.
///
/// Example:
///
///     >>> from replica_router import WeightedSelector
///     >>> sel = WeightedSelector([3, 2], seed=42)
///     >>> sel.pick() in (0, 1)
///     True
///     >>> picks = sel.pick_many(1000)          # array('I', ...)
///     >>> len(picks), picks.typecode
///     (1000, 'I')
///     >>> sum(sel.counts(10_000))
///     10000
#[pyclass(module = "replica_router", name = "WeightedSelector", frozen)]
pub(crate) struct PyWeightedSelector {
    inner: WeightedSelector,
    seed: Seed,
    rng: Mutex<ChaCha8Rng>,
}

impl PyWeightedSelector {
    fn lock(&self) -> MutexGuard<'_, ChaCha8Rng> {
        // Nothing panics while the lock is held; a poisoned lock still holds
        // a valid generator.
        self.rng.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PyWeightedSelector {
    /// Builds the selector in O(n).
    ///
    /// ``weights``: a sequence of ints in ``0..2**32`` (replica counts), at
    /// least one, not all zero. Raises ValidationError (``EMPTY_WEIGHTS``,
    /// ``ZERO_TOTAL_WEIGHT``, ``LIMIT_EXCEEDED`` above 2**32 - 1 weights,
    /// ``OUT_OF_RANGE`` for a negative or too large weight), TypeError for a
    /// non-sequence or non-int.
    ///
    ///     >>> WeightedSelector([0, 5, 0, 5], seed=1).total
    ///     10
    #[new]
    #[pyo3(signature = (weights, seed=None))]
    fn new(
        py: Python<'_>,
        weights: &Bound<'_, PyAny>,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let weights = weights_arg(weights)?;
        let inner = WeightedSelector::new(&weights).or_raise(py)?;
        let seed = seed_from_py(py, seed)?;
        Ok(PyWeightedSelector {
            inner,
            rng: Mutex::new(seed.rng()),
            seed,
        })
    }

    /// The weights, as given.
    #[getter]
    fn weights(&self) -> Vec<u32> {
        self.inner.weights().to_vec()
    }

    /// The sum of the weights (at least 1).
    #[getter]
    fn total(&self) -> u64 {
        self.inner.total()
    }

    /// The 32 seed bytes (``Seed::from_u64`` expansion for an int seed).
    #[getter]
    fn seed<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.seed.as_bytes())
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// One pick: index ``i`` with probability ``weights[i] / total``.
    ///
    ///     >>> WeightedSelector([0, 1], seed=7).pick()
    ///     1
    fn pick(&self, py: Python<'_>) -> u32 {
        match self.rng.try_lock() {
            Ok(mut rng) => self.inner.pick(&mut *rng),
            Err(TryLockError::Poisoned(p)) => self.inner.pick(&mut *p.into_inner()),
            // Another thread holds the generator (a long batch): wait for it
            // with the GIL released.
            Err(TryLockError::WouldBlock) => py.detach(|| self.inner.pick(&mut *self.lock())),
        }
    }

    /// ``n`` picks as ``array.array('I')`` (4 bytes each; ``numpy.asarray``
    /// wraps it without a copy), the same values as ``n`` calls of
    /// :meth:`pick`. Runs with the GIL released.
    ///
    /// Raises ValidationError (``LIMIT_EXCEEDED``) above 2**28 picks,
    /// ValidationError (``OUT_OF_RANGE``) for a negative ``n``.
    ///
    ///     >>> WeightedSelector([1, 0, 1], seed=3).pick_many(5).tolist().count(1)
    ///     0
    fn pick_many<'py>(
        &self,
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let len = batch_len(n)?;
        // The generator is locked per chunk, never while Python runs; a
        // thread picking concurrently takes its values from the same stream
        // in between.
        pick_array(py, len, |out| self.inner.fill(&mut *self.lock(), out))
    }

    /// A histogram of ``n`` picks as ``array.array('Q')`` of length
    /// ``len(weights)``, summing to ``n``: the same as counting ``n`` calls
    /// of :meth:`pick`. Runs with the GIL released.
    ///
    /// Raises ValidationError (``LIMIT_EXCEEDED``) above 2**28 picks,
    /// ValidationError (``OUT_OF_RANGE``) for a negative ``n``.
    ///
    ///     >>> WeightedSelector([3, 0, 2], seed=5).counts(100)[1]
    ///     0
    fn counts<'py>(&self, py: Python<'py>, n: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let n = uint::<u64>(n, "n")?;
        check_batch_picks(n).or_raise(py)?;
        let counts = py.detach(|| self.inner.counts(&mut *self.lock(), n));
        let bytes = PyBytes::new_with(py, counts.len() * 8, |buf| {
            for (dst, c) in buf.chunks_exact_mut(8).zip(counts.iter()) {
                dst.copy_from_slice(&c.to_ne_bytes());
            }
            Ok(())
        })?;
        array(py, COUNT_TYPECODE, &bytes)
    }

    fn __repr__(&self) -> String {
        format!("WeightedSelector({})", weights_repr(self.inner.weights()))
    }
}
