//! Exact traffic splits as plain JS objects (SPEC R5).

use js_sys::Array;
use replica_router::TrafficSplit;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{count_to_js, object};

#[wasm_bindgen(typescript_custom_section)]
const TS_SHARE: &'static str = r#"
/**
 * One deployment's share (SPEC R5): exactly `numerator / denominator`, in
 * lowest terms. Both are safe integers: core's limits keep a router's total
 * replicas below 2^53 (at most 10,000 deployments of 2^32 - 1 replicas).
 */
export interface Share {
  /** Full deployment name. */
  deployment: string;
  /** Its current replica count. */
  replicas: number;
  numerator: number;
  denominator: number;
  /** The share in percent, for display (compare `numerator`/`denominator` exactly). */
  percent: number;
}

/** A router's exact split: shares in the router's order, summing to exactly 1. */
export interface TrafficSplit {
  /** Full router name. */
  router: string;
  /** Total replicas (a safe integer). */
  totalReplicas: number;
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
                ("numerator", count_to_js(s.fraction.numerator())),
                ("denominator", count_to_js(s.fraction.denominator())),
                ("percent", s.fraction.percent().into()),
            ])
        })
        .collect();
    object(&[
        ("router", split.router.to_string().into()),
        ("totalReplicas", count_to_js(split.total_replicas)),
        ("shares", shares.into()),
    ])
}
