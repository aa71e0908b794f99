//! Strict conversions between JS values and Rust values.
//!
//! Every exported function takes its arguments as `JsValue` and converts them
//! here, so a wrong type never reaches core and never panics: it becomes a
//! `TypeError` or `RangeError` (see [`crate::errors`]). Nothing here calls a
//! JS function that could throw without catching it, so a hostile object
//! (a throwing getter, a revoked proxy) cannot unwind through a method that
//! holds a borrow of a wrapper and leave that wrapper locked.

use std::fmt::Display;

use js_sys::{Array, Float64Array, JsString, Number, Object, Reflect, Uint8Array, Uint32Array};
use replica_router::{Error, Seed};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::errors::{JsResult, range_error, type_error};

/// Longest string argument, in UTF-16 code units (64 Mi, the largest
/// snapshot core reads): longer strings are refused before they are copied
/// into WebAssembly memory.
pub(crate) const MAX_STRING_UNITS: u32 = 64 * 1024 * 1024;

/// Longest array argument (core applies its own, smaller limits where it has
/// them, for example 10,000 deployments per router).
pub(crate) const MAX_LIST_LEN: u32 = 1 << 20;

/// Largest integer a JS number holds exactly, `2^53 - 1`.
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn array_is_array(value: &JsValue) -> Result<bool, JsValue>;

    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;

    #[wasm_bindgen(js_namespace = Number, js_name = isSafeInteger)]
    fn is_safe_integer(value: &JsValue) -> bool;

    /// `ArrayBuffer.isView`: true for typed arrays and `DataView`s; runs no
    /// user code (unlike `instanceof`, which a proxy can trap).
    #[wasm_bindgen(js_namespace = ArrayBuffer, js_name = isView)]
    pub(crate) fn is_buffer_view(value: &JsValue) -> bool;

    /// `Uint32Array`, imported again for a constructor that catches.
    #[wasm_bindgen(js_name = Uint32Array)]
    type CatchingUint32Array;

    /// `new Uint32Array(length)`, catching the `RangeError` of a failed
    /// allocation.
    #[wasm_bindgen(constructor, js_class = "Uint32Array", catch)]
    fn new(length: f64) -> Result<CatchingUint32Array, JsValue>;

    // Typed-array copies as js-sys makes them, minus the length assertions
    // of its `copy_to`/`copy_from`/`to_vec` (a panic path that links the
    // panic formatting code); the wrappers below size the copies.

    /// `Uint8Array.prototype.set.call(dst, src)`: copies `src` into `dst`.
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = "prototype.set.call")]
    fn copy_u8s(dst: &mut [u8], src: &Uint8Array);

    /// `Uint32Array.prototype.set.call(dst, src)`: copies `src` into `dst`.
    #[wasm_bindgen(js_namespace = Uint32Array, js_name = "prototype.set.call")]
    fn copy_u32s(dst: &mut [u32], src: &Uint32Array);

    /// `Float64Array.prototype.set.call(dst, src)`: copies `src` into `dst`.
    #[wasm_bindgen(js_namespace = Float64Array, js_name = "prototype.set.call")]
    fn copy_f64s(dst: &mut [f64], src: &Float64Array);

    /// `Uint32Array.prototype.set.call(array, src, offset)`: copies `src`
    /// into `array` from `offset`.
    #[wasm_bindgen(js_namespace = Uint32Array, js_name = "prototype.set.call")]
    fn set_u32s(array: &Uint32Array, src: &[u32], offset: u32);
}

/// The seed held by `array`, checked by core ([`Seed::from_slice`]: exactly
/// 32 bytes). At most 33 bytes are copied, which is enough for core to tell
/// whether there are exactly 32, so a huge array is never copied into the
/// module's memory; the error reports the array's real length.
pub(crate) fn seed_from_u8s(array: &Uint8Array) -> Result<Seed, Error> {
    let len = array.length();
    let n = len.min(33);
    let mut head = [0; 33];
    copy_u8s(&mut head[..n as usize], &array.subarray(0, n));
    Seed::from_slice(&head[..n as usize]).map_err(|_| Error::InvalidSeed { len: len as usize })
}

/// A copy of the elements of `array`.
pub(crate) fn u32s(array: &Uint32Array) -> Vec<u32> {
    let mut out = vec![0; array.length() as usize];
    copy_u32s(&mut out, array);
    out
}

/// A copy of the elements of `array`.
pub(crate) fn f64s(array: &Float64Array) -> Vec<f64> {
    let mut out = vec![0.0; array.length() as usize];
    copy_f64s(&mut out, array);
    out
}

/// Copies `src` into `array` from index `offset`; `array` must have room.
pub(crate) fn write_u32s(array: &Uint32Array, offset: u32, src: &[u32]) {
    set_u32s(array, src, offset);
}

/// A short description of a value's type for messages, without calling any
/// user code (`toString` and getters are never run).
pub(crate) fn describe(value: &JsValue) -> String {
    let name = if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if let Some(n) = value.as_f64() {
        // Integers are shown; other numbers are only named, which keeps
        // float formatting (about 15 KB of code) out of the module.
        if n.is_nan() {
            "NaN"
        } else if n.is_infinite() {
            if n > 0.0 { "Infinity" } else { "-Infinity" }
        } else if n.fract() == 0.0 && n.abs() < 1e18 {
            // The sign and the magnitude, as `n as i64` shows it (`-0` is 0).
            let sign = if n < 0.0 { "-" } else { "" };
            return format!("the number {sign}{}", n.abs() as u64);
        } else {
            "a non-integer number"
        }
    } else if value.is_string() {
        "a string"
    } else if value.is_bigint() {
        "a bigint"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.is_symbol() {
        "a symbol"
    } else if value.is_function() {
        "a function"
    } else if array_is_array(value).unwrap_or(false) {
        "an array"
    } else {
        "an object"
    };
    name.into()
}

/// `{what} must be {expected}, got {describe(value)}`: the message of a
/// wrong argument.
pub(crate) fn must_be(what: &str, expected: &str, value: &JsValue) -> String {
    format!("{what} must be {expected}, got {}", describe(value))
}

/// `value` as a string.
pub(crate) fn string(value: &JsValue, what: &str) -> JsResult<String> {
    if value.is_string() {
        let units = value.unchecked_ref::<JsString>().length();
        if units > MAX_STRING_UNITS {
            return Err(range_error(&format!(
                "{what} is too long: {units} UTF-16 code units, at most {MAX_STRING_UNITS}"
            )));
        }
        // `Some` for every string.
        if let Some(s) = value.as_string() {
            return Ok(s);
        }
    }
    Err(type_error(&must_be(what, "a string", value)))
}

/// `value` as a string, with `undefined` and `null` meaning "not given".
pub(crate) fn opt_string(value: &JsValue, what: &str) -> JsResult<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string(value, what).map(Some)
}

/// `value` as a boolean.
pub(crate) fn boolean(value: &JsValue, what: &str) -> JsResult<bool> {
    value
        .as_bool()
        .ok_or_else(|| type_error(&must_be(what, "a boolean", value)))
}

/// `value` as a `u32`: a number that is an integer from 0 to 2^32 - 1.
pub(crate) fn u32_value(value: &JsValue, what: &str) -> JsResult<u32> {
    let Some(n) = value.as_f64() else {
        return Err(type_error(&must_be(what, "a number", value)));
    };
    if !is_safe_integer(value) || !(0.0..=f64::from(u32::MAX)).contains(&n) {
        return Err(range_error(&must_be(
            what,
            "an integer from 0 to 4294967295",
            value,
        )));
    }
    Ok(n as u32)
}

/// `value` as a `u64`: a number that is a safe integer `>= 0`, or a bigint
/// from 0 to 2^64 - 1.
pub(crate) fn u64_value(value: &JsValue, what: &str) -> JsResult<u64> {
    if let Some(n) = value.as_f64() {
        if is_safe_integer(value) && n >= 0.0 {
            return Ok(n as u64);
        }
        return Err(range_error(&must_be(
            what,
            "a safe integer >= 0 (or a bigint)",
            value,
        )));
    }
    if value.is_bigint() {
        return u64::try_from(value.clone()).map_err(|_| {
            range_error(&format!(
                "{what} must be a bigint from 0 to 2^64 - 1, got one outside that range"
            ))
        });
    }
    Err(type_error(&must_be(what, "a number or a bigint", value)))
}

/// A `u64` for JS: a number when it is at most `2^53 - 1`, else a bigint.
pub(crate) fn u64_to_js(x: u64) -> JsValue {
    if x <= MAX_SAFE_INTEGER {
        JsValue::from_f64(x as f64)
    } else {
        JsValue::from(x)
    }
}

/// A count that core's limits keep below 2^53 as a JS number: a router's
/// total replicas, the numerator or denominator of an exact share, a
/// weight total or round-robin cursor of at most [`MAX_LIST_LEN`] weights.
/// Each is at most 10,000 (core's `MAX_ROUTER_DEPLOYMENTS`) or 2^20
/// weights times 2^32 - 1, below 2^53 (checked at compile time), so the
/// number is exact and the TypeScript type is plain `number`.
pub(crate) fn count_to_js(x: u64) -> JsValue {
    JsValue::from_f64(x as f64)
}

const _: () = assert!(
    replica_router::limits::MAX_ROUTER_DEPLOYMENTS as u64 * u32::MAX as u64 <= MAX_SAFE_INTEGER
        && MAX_LIST_LEN as u64 * u32::MAX as u64 <= MAX_SAFE_INTEGER
);

/// Reads `object[key]`, propagating what a throwing getter throws.
pub(crate) fn get(object: &JsValue, key: &str) -> JsResult<JsValue> {
    Reflect::get(object, &JsValue::from_str(key))
}

/// The elements of an array (or array-like proxy of one), at most `max`.
pub(crate) fn list(value: &JsValue, what: &str, max: u32) -> JsResult<Vec<JsValue>> {
    if !array_is_array(value)? {
        return Err(type_error(&must_be(what, "an array", value)));
    }
    let len = get(value, "length")?;
    let len = len
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0)
        .ok_or_else(|| type_error(&format!("{what} has no valid length")))?;
    if len > f64::from(max) {
        return Err(too_many(what, &integer_text(len), max));
    }
    let len = len as u32;
    let mut out = Vec::new();
    for i in 0..len {
        out.push(Reflect::get_u32(value, i)?);
    }
    Ok(out)
}

/// The `RangeError` of a list of `count` elements where at most `max` are
/// accepted.
fn too_many(what: &str, count: &dyn Display, max: u32) -> JsValue {
    range_error(&format!(
        "{what} has {count} elements, at most {max} are accepted"
    ))
}

/// A non-negative integral `n` in decimal, exactly as Rust's `{}` shows an
/// `f64` (the shortest digits that round-trip, padded with zeros, never an
/// exponent), without linking Rust's float formatting (about 16 KB of code).
fn integer_text(n: f64) -> String {
    // JS's `Number#toString` picks the same shortest digits, but writes an
    // exponent from 1e21 on (`1.5e+25`), which is expanded here.
    let text = Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default();
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return text;
    };
    let exponent = exponent
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0usize, |e, b| {
            e.saturating_mul(10).saturating_add(usize::from(b - b'0'))
        });
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while digits.len() <= exponent {
        digits.push('0');
    }
    digits
}

/// An array of strings.
pub(crate) fn string_list(value: &JsValue, what: &str) -> JsResult<Vec<String>> {
    elements(&list(value, what, MAX_LIST_LEN)?, what, string)
}

/// Converts each of `items` with `convert`, naming element `i` `what[i]`
/// in errors. One plain loop, instantiated once per element type.
pub(crate) fn elements<T>(
    items: &[JsValue],
    what: &str,
    convert: fn(&JsValue, &str) -> JsResult<T>,
) -> JsResult<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(convert(item, &element_name(what, i))?);
    }
    Ok(out)
}

/// `what[i]`, the name of an element in messages.
pub(crate) fn element_name(what: &str, i: usize) -> String {
    format!("{what}[{i}]")
}

/// A `Uint32Array` (copied) or an array of integers from 0 to 2^32 - 1, at
/// most `max` of them.
pub(crate) fn u32_list(value: &JsValue, what: &str, max: u32) -> JsResult<Vec<u32>> {
    if is_buffer_view(value)
        && let Some(array) = value.dyn_ref::<Uint32Array>()
    {
        if array.length() > max {
            return Err(too_many(what, &array.length(), max));
        }
        return Ok(u32s(array));
    }
    elements(&list(value, what, max)?, what, u32_value)
}

/// A new `Uint32Array` of `length` zeros, or the `RangeError` of a failed
/// allocation.
pub(crate) fn u32_array(length: u32) -> JsResult<Uint32Array> {
    CatchingUint32Array::new(f64::from(length)).map(JsCast::unchecked_into)
}

/// An array of strings for JS.
pub(crate) fn js_strings<I, S>(items: I) -> Array
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    items
        .into_iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect()
}

/// The named fields of an options object, refusing keys it does not know (a
/// misspelt option is an error, not silently ignored).
pub(crate) struct Fields {
    object: JsValue,
}

impl Fields {
    /// Checks that `value` is a plain object whose own keys are all in
    /// `allowed`. With `optional`, `undefined` and `null` are an empty object.
    pub(crate) fn new(
        value: &JsValue,
        what: &str,
        allowed: &[&str],
        optional: bool,
    ) -> JsResult<Fields> {
        if optional && (value.is_undefined() || value.is_null()) {
            return Ok(Fields {
                object: Object::new().into(),
            });
        }
        if !value.is_object() || array_is_array(value)? {
            return Err(type_error(&format!(
                "{what} must be an object with keys {}, got {}",
                allowed.join(", "),
                describe(value)
            )));
        }
        let keys = object_keys(value)?;
        for key in keys.iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                let shown: String = key.chars().take(40).collect();
                return Err(type_error(&format!(
                    "{what} has an unknown key '{}': accepted keys are {}",
                    shown.escape_debug(),
                    allowed.join(", ")
                )));
            }
        }
        Ok(Fields {
            object: value.clone(),
        })
    }

    /// The raw value of `key` (`undefined` when absent).
    pub(crate) fn raw(&self, key: &str) -> JsResult<JsValue> {
        get(&self.object, key)
    }

    /// An optional string field.
    pub(crate) fn opt_string(&self, key: &str) -> JsResult<Option<String>> {
        opt_string(&self.raw(key)?, key)
    }

    /// A required string field.
    pub(crate) fn string(&self, key: &str) -> JsResult<String> {
        string(&self.raw(key)?, key)
    }

    /// An optional `u32` field.
    pub(crate) fn opt_u32(&self, key: &str) -> JsResult<Option<u32>> {
        let v = self.raw(key)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        u32_value(&v, key).map(Some)
    }

    /// An optional boolean field.
    pub(crate) fn opt_bool(&self, key: &str) -> JsResult<Option<bool>> {
        let v = self.raw(key)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        boolean(&v, key).map(Some)
    }

    /// An optional array-of-strings field.
    pub(crate) fn opt_strings(&self, key: &str) -> JsResult<Option<Vec<String>>> {
        let v = self.raw(key)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        string_list(&v, key).map(Some)
    }
}

/// Builds a plain object from key/value pairs.
pub(crate) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&obj, &JsValue::from_str(key), value);
    }
    obj.into()
}

/// `Some(s)` as a JS string, `None` as `null`.
pub(crate) fn opt_str_to_js(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}
