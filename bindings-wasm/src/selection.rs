//! `WeightedSelector` and seeds (SPEC S1-S4, B3).

use js_sys::{Float64Array, JsString, Uint8Array, Uint32Array};
use replica_router::limits::check_batch_picks;
use replica_router::{ChaCha8Rng, Seed, WeightedSelector};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::chacha_words::with_words;
use crate::convert::{self, count_to_js, is_buffer_view, must_be, u32_list, u64_value};
use crate::errors::{IntoJs, JsResult, range_error, to_js, type_error};

/// Most weights a `WeightedSelector` takes from JS (1,048,576): a wasm32
/// instance has at most 4 GiB of memory, and the selector needs about 20
/// bytes per weight.
pub(crate) const MAX_JS_WEIGHTS: u32 = 1 << 20;

/// Picks are produced in chunks of this many, so `pickMany` never grows
/// the WebAssembly memory.
const CHUNK: usize = 4096;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buffer: &Uint8Array) -> Result<JsValue, JsValue>;

}

#[wasm_bindgen(typescript_custom_section)]
const TS_SEED: &'static str = r#"
/**
 * A seed (SPEC S4): a number (a safe integer >= 0), a bigint from 0 to
 * 2^64 - 1 (both mean `Seed::from_u64` in Rust), or exactly 32 bytes
 * (`Seed::from_slice`; another length throws `ValidationError` with code
 * `INVALID_SEED`). `undefined` or `null` draws 32 bytes from
 * `crypto.getRandomValues`.
 */
export type SeedInput = number | bigint | Uint8Array | null | undefined;
"#;

/// A seed from JS: `undefined`/`null` draws one from
/// `crypto.getRandomValues` (here in the binding, never in core).
pub(crate) fn seed(value: &JsValue) -> JsResult<Seed> {
    if value.is_undefined() || value.is_null() {
        let buffer = Uint8Array::new_with_length(32);
        get_random_values(&buffer)?;
        return convert::seed_from_u8s(&buffer).js();
    }
    if value.as_f64().is_some() || value.is_bigint() {
        return Ok(Seed::from_u64(u64_value(value, "seed")?));
    }
    if is_buffer_view(value)
        && let Some(array) = value.dyn_ref::<Uint8Array>()
    {
        return convert::seed_from_u8s(array).js();
    }
    Err(type_error(&must_be(
        "seed",
        "a number, a bigint or a Uint8Array of 32 bytes",
        value,
    )))
}

/// Copies a seed's bytes into a new `Uint8Array`.
pub(crate) fn seed_to_js(seed: &Seed) -> Uint8Array {
    Uint8Array::from(&seed.as_bytes()[..])
}

/// Exact weighted picks from a seeded generator (SPEC S1-S4): index `j`
/// with probability exactly `weights[j] / total`.
///
/// The same weights and seed give the same picks as the Rust crate
/// (`WeightedSelector::new(&weights)` with `Seed::from_u64(seed).rng()`)
/// and the Python package.
#[wasm_bindgen(js_name = WeightedSelector)]
pub struct JsWeightedSelector {
    inner: WeightedSelector,
    rng: ChaCha8Rng,
}

#[wasm_bindgen(js_class = WeightedSelector)]
impl JsWeightedSelector {
    /// A selector over `weights` (an array of integers from 0 to 2^32 - 1 or
    /// a `Uint32Array`, at most 1,048,576 of them) drawing from `seed`.
    ///
    /// Throws `ValidationError` with code `EMPTY_WEIGHTS`,
    /// `ZERO_TOTAL_WEIGHT` or `INVALID_SEED`; `TypeError`/`RangeError` for
    /// malformed input.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ArrayLike<number> | Uint32Array")] weights: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SeedInput")] seed: &JsValue,
    ) -> JsResult<JsWeightedSelector> {
        let weights = u32_list(weights, "weights", MAX_JS_WEIGHTS)?;
        let seed = self::seed(seed)?;
        let inner = WeightedSelector::new(&weights).js()?;
        Ok(JsWeightedSelector {
            inner,
            rng: seed.rng(),
        })
    }

    /// One pick: an index into the weights. O(1).
    pub fn pick(&mut self) -> u32 {
        self.inner.pick(&mut self.rng)
    }

    /// `n` picks as a `Uint32Array`, the same values as `n` calls of
    /// `pick()`. O(n). `n` is a safe integer or bigint from 0 to 2^28 (core's
    /// `MAX_BATCH_PICKS`); larger is `ValidationError` (`LIMIT_EXCEEDED`).
    #[wasm_bindgen(js_name = pickMany)]
    pub fn pick_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] n: &JsValue,
    ) -> JsResult<Uint32Array> {
        let n = batch_len(n)?;
        let out = convert::u32_array(n)?;
        let mut buffer = [0u32; CHUNK];
        let mut done = 0u32;
        with_words(&mut self.rng, |words| {
            while done < n {
                let len = (n - done).min(CHUNK as u32);
                let chunk = &mut buffer[..len as usize];
                self.inner.fill(words, chunk);
                convert::write_u32s(&out, done, chunk);
                done += len;
            }
        });
        Ok(out)
    }

    /// Counts `n` picks into a `Float64Array` with one count per weight; the
    /// counts are exact integers summing to `n`, the same as counting `n`
    /// calls of `pick()`. O(n + length). `n` as for `pickMany`.
    pub fn counts(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number | bigint")] n: &JsValue,
    ) -> JsResult<Float64Array> {
        let n = batch_len(n)?;
        let counts = with_words(&mut self.rng, |words| {
            self.inner.counts(words, u64::from(n))
        });
        let counts: Vec<f64> = counts.into_iter().map(|c| c as f64).collect();
        Ok(Float64Array::from(&counts[..]))
    }

    /// The number of weights.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        // At most `MAX_JS_WEIGHTS` weights are accepted.
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The sum of the weights (a safe integer: at most 2^20 weights below
    /// 2^32).
    #[wasm_bindgen(getter, unchecked_return_type = "number")]
    pub fn total(&self) -> JsValue {
        count_to_js(self.inner.total())
    }

    /// A copy of the weights.
    #[wasm_bindgen(getter)]
    pub fn weights(&self) -> Uint32Array {
        Uint32Array::from(self.inner.weights())
    }

    /// `WeightedSelector([3, 2])` (the first 16 weights), as Python's `repr`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        format!("WeightedSelector({})", weights_text(self.inner.weights())).into()
    }
}

/// `[3, 2]`: the first 16 weights, then `... (n weights)` when there are
/// more (as the Python binding's `repr`).
pub(crate) fn weights_text(weights: &[u32]) -> String {
    const SHOWN: usize = 16;
    let mut out = String::from("[");
    for (i, w) in weights.iter().take(SHOWN).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&w.to_string());
    }
    if weights.len() > SHOWN {
        out.push_str(&format!(", ... ({} weights)", weights.len()));
    }
    out.push(']');
    out
}

/// A batch length (SPEC S3): a safe integer or bigint `>= 0`, at most
/// core's `MAX_BATCH_PICKS`, refused before anything is allocated or drawn.
pub(crate) fn batch_len(value: &JsValue) -> JsResult<u32> {
    let n = check_batch_picks(u64_value(value, "n")?).map_err(to_js)?;
    // At most MAX_BATCH_PICKS = 2^28, which fits a u32.
    u32::try_from(n).map_err(|_| range_error("n is too large"))
}
