//! Python arguments to Rust values, with errors that name the argument.
//!
//! Two rules hold for every callable of the module (SPEC E2, issue 15.1,
//! 19.8):
//!
//! - A sequence's length is checked against core's limit (see
//!   [`replica_router::limits`]) *before* anything is allocated for it, and
//!   the allocation itself is fallible, so `range(2**62)` is a
//!   `ValidationError` (`LIMIT_EXCEEDED`) and never aborts the interpreter.
//! - A bad integer is a `ValidationError` (code [`OUT_OF_RANGE`]) naming the
//!   argument and the accepted range; a value of the wrong type is a
//!   `TypeError` naming the argument and what is accepted.
//!
//! Conversion happens before any lock of ours is taken, so building these
//! exceptions never runs while a registry is locked.

use pyo3::exceptions::{PyMemoryError, PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use replica_router::Error;

use crate::errors::{OrRaise, validation_error};

/// `code` of the `ValidationError` raised for an integer outside the range an
/// argument accepts (the same code as the JS binding's `RangeError`).
pub(crate) const OUT_OF_RANGE: &str = "OUT_OF_RANGE";

/// An unsigned integer type an argument converts to, with the range it
/// accepts spelled the Python way.
pub(crate) trait Unsigned: Sized + TryFrom<u64> {
    /// The accepted range, e.g. `"0..2**32"`.
    const RANGE: &'static str;
}

impl Unsigned for u32 {
    const RANGE: &'static str = "0..2**32";
}

impl Unsigned for u64 {
    const RANGE: &'static str = "0..2**64";
}

impl Unsigned for usize {
    // usize is 64 bits on every platform the wheels are built for; a
    // 32-bit build reports the narrower range through `try_from`.
    const RANGE: &'static str = if usize::BITS == 64 {
        "0..2**64"
    } else {
        "0..2**32"
    };
}

/// The Python type name of `obj`, for messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// A short rendering of an int for messages: its digits when it fits in 128
/// bits, else its sign (a huge int is never echoed whole).
fn int_text(obj: &Bound<'_, PyAny>) -> String {
    match obj.extract::<i128>() {
        Ok(v) => v.to_string(),
        Err(_) if obj.lt(0i32).unwrap_or(false) => "a negative int below -2**127".to_owned(),
        Err(_) => "an int above 2**128".to_owned(),
    }
}

/// An unsigned integer argument: `TypeError` for a non-int (bool counts as
/// an int, as everywhere in Python), `ValidationError` (`OUT_OF_RANGE`) for a
/// value outside `T`'s range; both name `arg`.
pub(crate) fn uint<T: Unsigned>(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<T> {
    let py = obj.py();
    match obj.extract::<u64>() {
        Ok(v) => T::try_from(v).map_err(|_| out_of_range::<T>(py, arg, &v.to_string())),
        Err(e) if e.is_instance_of::<PyOverflowError>(py) => {
            Err(out_of_range::<T>(py, arg, &int_text(obj)))
        }
        Err(e) if e.is_instance_of::<PyTypeError>(py) => Err(PyTypeError::new_err(format!(
            "{arg} must be an int in {}, not {}",
            T::RANGE,
            type_name(obj)
        ))),
        Err(e) => Err(e),
    }
}

/// [`uint`] for an optional argument: None stays None.
pub(crate) fn opt_uint<T: Unsigned>(
    obj: Option<&Bound<'_, PyAny>>,
    arg: &str,
) -> PyResult<Option<T>> {
    match obj {
        Some(o) if !o.is_none() => uint(o, arg).map(Some),
        _ => Ok(None),
    }
}

fn out_of_range<T: Unsigned>(py: Python<'_>, arg: &str, got: &str) -> PyErr {
    validation_error(
        py,
        OUT_OF_RANGE,
        &format!("{arg} must be an int in {}, got {got}", T::RANGE),
    )
}

/// A sequence argument converted item by item with `item`, at most `limit`
/// items (core's limit for it, named `what` in the error).
///
/// The length is read with `len()` and checked before anything is
/// allocated; the buffer is reserved fallibly (`MemoryError` instead of an
/// abort). A `str`, `bytes` or `bytearray` is a `TypeError` (it is a
/// sequence of characters, never what is meant), as is an object without
/// `len()`. `item` gets the item and its argument path (`weights[3]`) for
/// its own messages.
pub(crate) fn seq<T>(
    obj: &Bound<'_, PyAny>,
    arg: &str,
    what: &'static str,
    limit: usize,
    mut item: impl FnMut(&Bound<'_, PyAny>, &str) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let py = obj.py();
    let not_a_sequence = || {
        PyTypeError::new_err(format!(
            "{arg} must be a list or tuple, not {}",
            type_name(obj)
        ))
    };
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
    {
        return Err(not_a_sequence());
    }
    let len = match obj.len() {
        Ok(len) => len,
        // An int above sys.maxsize as len() (range(2**64)) is an
        // OverflowError: more items than any limit.
        Err(e) if e.is_instance_of::<PyOverflowError>(py) => usize::MAX,
        Err(_) => return Err(not_a_sequence()),
    };
    if len > limit {
        return Err(Error::LimitExceeded {
            what,
            limit,
            got: len,
        })
        .or_raise(py);
    }
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| {
        PyMemoryError::new_err(format!("cannot allocate room for {len} items of {arg}"))
    })?;
    for (i, value) in obj.try_iter().map_err(|_| not_a_sequence())?.enumerate() {
        if out.len() == limit {
            // The sequence grew while being read: still bounded.
            return Err(Error::LimitExceeded {
                what,
                limit,
                got: limit.saturating_add(1),
            })
            .or_raise(py);
        }
        out.push(item(&value?, &format!("{arg}[{i}]"))?);
    }
    Ok(out)
}

/// A sequence of ints in `0..2**32`.
pub(crate) fn u32_seq(
    obj: &Bound<'_, PyAny>,
    arg: &str,
    what: &'static str,
    limit: usize,
) -> PyResult<Vec<u32>> {
    seq(obj, arg, what, limit, uint::<u32>)
}

/// A sequence of `str`.
pub(crate) fn str_seq(
    obj: &Bound<'_, PyAny>,
    arg: &str,
    what: &'static str,
    limit: usize,
) -> PyResult<Vec<String>> {
    seq(obj, arg, what, limit, text)
}

/// A `str` item: `TypeError` naming `path` otherwise; lone surrogates become
/// U+FFFD (as [`crate::names::Text`]).
pub(crate) fn text(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => Ok(s.to_string_lossy().into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{path} must be a str, not {}",
            type_name(obj)
        ))),
    }
}
