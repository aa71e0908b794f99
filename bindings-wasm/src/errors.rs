//! Error mapping (SPEC E2): the one place where a core [`Error`] becomes a
//! JavaScript exception.
//!
//! Every core error becomes an instance of the `errors.js` class of its
//! family ([`ErrorKind::class_name`](replica_router::ErrorKind::class_name) of
//! [`Error::kind`]: `ValidationError`, `NotFoundError`, ...), all
//! subclasses of `ReplicaRouterError` (itself an `Error`), with `code`
//! [`Error::code`] (`INVALID_NAME`, `NOT_FOUND`, ...). An `InvalidSnapshot`
//! error also carries the inner error as `cause`. The package exports the
//! classes, so `e instanceof ValidationError` works.
//!
//! Arguments that cannot even be converted to the core's types (a number
//! where a string belongs, `NaN` as a replica count, an unknown option key)
//! are rejected here in the binding, before core is called, as a real
//! `TypeError` (code [`INVALID_ARGUMENT`]) or `RangeError` (code
//! [`OUT_OF_RANGE`]). `errors.js` also maps wasm-bindgen's own runtime
//! errors (an object of the wrong class, an object used after `free()`)
//! to coded `TypeError`s; `build.sh` points the generated glue at it.

use replica_router::Error;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "../../errors.js")]
extern "C" {
    /// `errors.js`'s `coreError(family, code, message, cause)`: a new
    /// instance of the class named `family`.
    #[wasm_bindgen(js_name = coreError)]
    fn core_error(family: &str, code: &str, message: &str, cause: &JsValue) -> JsValue;
}

/// `code` of a `TypeError` thrown for an argument of the wrong type or shape.
pub(crate) const INVALID_ARGUMENT: &str = "INVALID_ARGUMENT";
/// `code` of a `RangeError` thrown for a number outside the accepted range.
pub(crate) const OUT_OF_RANGE: &str = "OUT_OF_RANGE";

/// What every exported function returns: the error is a JS exception.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// Turns a core error into an instance of its `errors.js` class, with
/// `code` (SPEC E2).
pub(crate) fn to_js(err: Error) -> JsValue {
    let (family, code, message) = (err.kind().class_name(), err.code(), err.to_string());
    let cause = match err {
        Error::InvalidSnapshot { source, .. } => to_js(*source),
        _ => JsValue::UNDEFINED,
    };
    core_error(family, code, &message, &cause)
}

/// An error of the class and code core gives `err` (as [`to_js`]), with
/// the binding's own `message`: for input core never sees because the
/// binding cannot convert it faithfully (a string secret with a lone
/// surrogate), so the class and code still come from core.
pub(crate) fn coded_like(err: &Error, message: &str) -> JsValue {
    core_error(
        err.kind().class_name(),
        err.code(),
        message,
        &JsValue::UNDEFINED,
    )
}

/// A `TypeError` with code [`INVALID_ARGUMENT`].
pub(crate) fn type_error(message: &str) -> JsValue {
    let js = js_sys::TypeError::new(message);
    set(&js, "code", &JsValue::from_str(INVALID_ARGUMENT));
    js.into()
}

/// A `RangeError` with code [`OUT_OF_RANGE`].
pub(crate) fn range_error(message: &str) -> JsValue {
    let js = js_sys::RangeError::new(message);
    set(&js, "code", &JsValue::from_str(OUT_OF_RANGE));
    js.into()
}

/// Sets a property on an object this binding just created (it cannot
/// fail, and a failure would only lose the property).
fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// `?`-friendly conversion of core results.
pub(crate) trait IntoJs<T> {
    /// Maps the error with [`to_js`].
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}
