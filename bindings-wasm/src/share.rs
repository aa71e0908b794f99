//! Exact traffic splits as plain JS objects (SPEC R5).

use js_sys::Array;
use replica_router::TrafficSplit;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{object, u64_to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS_SHARE: &'static str = r#"
/**
 * One deployment's share (SPEC R5): exactly `numerator / denominator`, in
 * lowest terms. Numerator and denominator are numbers, or bigints when above
 * 2^53 - 1 (only for routers of more than 2^53 replicas in total).
 */
export interface Share {
  /** Full deployment name. */
  deployment: string;
  /** Its current replica count. */
  replicas: number;
  numerator: number | bigint;
  denominator: number | bigint;
  /** The share in percent, for display (compare `numerator`/`denominator` exactly). */
  percent: number;
}

/** A router's exact split: shares in the router's order, summing to exactly 1. */
export interface TrafficSplit {
  /** Full router name. */
  router: string;
  /** Total replicas (a number, or a bigint above 2^53 - 1). */
  totalReplicas: number | bigint;
  shares: Share[];
}
"#;

/// A `TrafficSplit` object.
pub(crate) fn to_js(split: &TrafficSplit) -> JsValue {
    let shares: Array = split
        .shares
        .iter()
        .map(|s| {
            object(&[
                ("deployment", s.deployment.to_string().into()),
                ("replicas", s.replicas.into()),
                ("numerator", u64_to_js(s.fraction.numerator())),
                ("denominator", u64_to_js(s.fraction.denominator())),
                ("percent", s.fraction.percent().into()),
            ])
        })
        .collect();
    object(&[
        ("router", split.router.to_string().into()),
        ("totalReplicas", u64_to_js(split.total_replicas)),
        ("shares", shares.into()),
    ])
}
