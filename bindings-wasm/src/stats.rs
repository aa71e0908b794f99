//! Goodness-of-fit helpers (core `stats`): observed picks against exact
//! shares (SPEC S2). Statistics only; nothing here influences a pick.

use js_sys::Float64Array;
use replica_router::stats;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::convert::{
    MAX_LIST_LEN, elements, f64s, is_buffer_view, list, object, u32_list, u64_value,
};
use crate::errors::{JsResult, range_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_STATS: &'static str = r#"
/** Pearson's chi-square goodness-of-fit test (see `chiSquare`). */
export interface ChiSquare {
  /** `sum((observed - expected)^2 / expected)` over the categories of non-zero weight. */
  statistic: number;
  /** Categories of non-zero weight, minus one. */
  degreesOfFreedom: number;
  /** Probability of a statistic at least this large if the picks follow the weights exactly. */
  pValue: number;
}
"#;

/// Counts: a `Float64Array` or an array of safe integers `>= 0`.
fn counts(value: &JsValue, what: &str) -> JsResult<Vec<u64>> {
    let typed = if is_buffer_view(value) {
        value.dyn_ref::<Float64Array>()
    } else {
        None
    };
    let items: Vec<JsValue> = match typed {
        Some(array) if array.length() <= MAX_LIST_LEN => {
            f64s(array).into_iter().map(JsValue::from_f64).collect()
        }
        Some(_) => return Err(range_error(&format!("{what} is too long"))),
        None => list(value, what, MAX_LIST_LEN)?,
    };
    elements(&items, what, u64_value)
}

/// Pearson's chi-square test of `observed` counts against the exact shares
/// `weights[i] / sum(weights)`; `null` when the lengths differ, the weights
/// are empty or sum to 0, or nothing was observed.
#[wasm_bindgen(js_name = chiSquare, unchecked_return_type = "ChiSquare | null")]
pub fn chi_square(
    #[wasm_bindgen(unchecked_param_type = "ArrayLike<number> | Float64Array")] observed: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "ArrayLike<number> | Uint32Array")] weights: &JsValue,
) -> JsResult<JsValue> {
    let observed = counts(observed, "observed")?;
    let weights = u32_list(weights, "weights", MAX_LIST_LEN)?;
    Ok(match stats::chi_square(&observed, &weights) {
        None => JsValue::NULL,
        Some(fit) => object(&[
            ("statistic", fit.statistic.into()),
            ("degreesOfFreedom", (fit.degrees_of_freedom as f64).into()),
            ("pValue", fit.p_value.into()),
        ]),
    })
}

/// The expected count of each category in `n` picks: `n * w_i / W`
/// (empty when the weights sum to 0).
#[wasm_bindgen(js_name = expectedCounts)]
pub fn expected_counts(
    #[wasm_bindgen(unchecked_param_type = "number | bigint")] n: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "ArrayLike<number> | Uint32Array")] weights: &JsValue,
) -> JsResult<Float64Array> {
    let n = u64_value(n, "n")?;
    let weights = u32_list(weights, "weights", MAX_LIST_LEN)?;
    Ok(Float64Array::from(&stats::expected_counts(n, &weights)[..]))
}
