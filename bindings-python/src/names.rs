//! Python strings to the Rust strings core validates (SPEC N1, N2).
//!
//! Names, regions, keys and JSON arrive as `str`; anything else is a
//! `TypeError` raised before core is called. A `str` holding lone surrogates
//! (not encodable as UTF-8) is converted with U+FFFD in their place, so core
//! rejects or quotes it like any other bad input instead of the call failing
//! with a `UnicodeEncodeError`.

use pyo3::prelude::*;
use pyo3::types::PyString;

/// A `str` argument: `TypeError` for anything else; lone surrogates become
/// U+FFFD.
pub(crate) struct Text(pub(crate) String);

impl<'a, 'py> FromPyObject<'a, 'py> for Text {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let s = obj.cast::<PyString>()?;
        Ok(Text(s.to_string_lossy().into_owned()))
    }
}

impl Text {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}
