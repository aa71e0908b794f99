//! The routing strategies' building blocks (SPEC R7-R9):
//! `WeightedRoundRobin`, `LoadTracker`, `SessionAffinity` and `sessionHash`.

use js_sys::{JsString, Uint32Array};
use replica_router::{
    AffinityPick, LoadTracker, SessionAffinity, WeightedRoundRobin, session_hash,
};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{self, MAX_LIST_LEN, count_to_js, list, object, string, u32_list, u32_value};
use crate::convert::{element_name, elements, must_be, u64_to_js, u64_value};
use crate::errors::{IntoJs, JsResult, type_error};
use crate::selection::{MAX_JS_WEIGHTS, batch_len, weights_text};

#[wasm_bindgen(typescript_custom_section)]
const TS_STRATEGY: &'static str = r#"
/** Where a session key goes: a deployment index and a replica slot in it. */
export interface AffinityPick {
  /** Index of the deployment, in the order given. */
  deployment: number;
  /** Replica slot in the deployment, `0 .. replicas`. */
  replica: number;
}
"#;

/// Smooth weighted round-robin over fixed weights (SPEC R7): in every window
/// of `total` consecutive picks, index `i` is picked exactly `weights[i]`
/// times. Stateless: each pick takes a cursor (any safe integer or bigint,
/// taken modulo the total).
#[wasm_bindgen(js_name = WeightedRoundRobin)]
pub struct JsWeightedRoundRobin {
    inner: WeightedRoundRobin,
}

#[wasm_bindgen(js_class = WeightedRoundRobin)]
impl JsWeightedRoundRobin {
    /// The cycle over `weights` (at most 1,048,576 integers from 0 to
    /// 2^32 - 1). Throws `ValidationError` (`EMPTY_WEIGHTS`,
    /// `ZERO_TOTAL_WEIGHT`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ArrayLike<number> | Uint32Array")] weights: &JsValue,
    ) -> JsResult<JsWeightedRoundRobin> {
        let weights = u32_list(weights, "weights", MAX_JS_WEIGHTS)?;
        Ok(JsWeightedRoundRobin {
            inner: WeightedRoundRobin::new(&weights).js()?,
        })
    }

    /// The index picked at `cursor`.
    pub fn pick(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | bigint")] cursor: &JsValue,
    ) -> JsResult<u32> {
        Ok(self.inner.pick(u64_value(cursor, "cursor")?))
    }

    /// The cursor after a pick at `cursor`: `(cursor % total + 1) % total`
    /// (a safe integer).
    #[wasm_bindgen(js_name = nextCursor, unchecked_return_type = "number")]
    pub fn next_cursor(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | bigint")] cursor: &JsValue,
    ) -> JsResult<JsValue> {
        Ok(count_to_js(
            self.inner.next_cursor(u64_value(cursor, "cursor")?),
        ))
    }

    /// The `n` picks at `cursor`, `cursor + 1`, ... (`n` as for
    /// `WeightedSelector.pickMany`: at most 2^28).
    #[wasm_bindgen(js_name = pickMany)]
    pub fn pick_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | bigint")] cursor: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] n: &JsValue,
    ) -> JsResult<Uint32Array> {
        let mut cursor = u64_value(cursor, "cursor")?;
        let n = batch_len(n)?;
        let out = convert::u32_array(n)?;
        let mut buffer = [0u32; 4096];
        let mut done = 0u32;
        while done < n {
            let len = (n - done).min(4096);
            let chunk = &mut buffer[..len as usize];
            cursor = self.inner.fill(cursor, chunk);
            convert::write_u32s(&out, done, chunk);
            done += len;
        }
        Ok(out)
    }

    /// The number of weights.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The sum of the weights (the cycle length).
    #[wasm_bindgen(getter, unchecked_return_type = "number")]
    pub fn total(&self) -> JsValue {
        count_to_js(self.inner.total())
    }

    /// A copy of the weights.
    #[wasm_bindgen(getter)]
    pub fn weights(&self) -> Uint32Array {
        Uint32Array::from(self.inner.weights())
    }

    /// `WeightedRoundRobin([3, 2])` (the first 16 weights), as Python's
    /// `repr`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        format!("WeightedRoundRobin({})", weights_text(self.inner.weights())).into()
    }
}

/// Rendezvous hashing of session keys over the replicas of named
/// deployments (SPEC R7): a key stays on the same deployment and replica
/// slot while counts are unchanged; adding a replica moves only the keys
/// that land on it.
#[wasm_bindgen(js_name = SessionAffinity)]
pub struct JsSessionAffinity {
    inner: SessionAffinity,
}

/// A `[name, replicas]` pair of `SessionAffinity`'s constructor.
fn deployment_pair(pair: &JsValue, what: &str) -> JsResult<(String, u32)> {
    match list(pair, what, 2)?.as_slice() {
        [name, replicas] => Ok((
            string(name, &element_name(what, 0))?,
            u32_value(replicas, &element_name(what, 1))?,
        )),
        _ => Err(type_error(&must_be(what, "a [name, replicas] pair", pair))),
    }
}

fn affinity_pick(p: AffinityPick) -> JsValue {
    object(&[
        ("deployment", p.deployment.into()),
        ("replica", p.replica.into()),
    ])
}

#[wasm_bindgen(js_class = SessionAffinity)]
impl JsSessionAffinity {
    /// Hashing over `[deploymentName, replicas]` pairs, in order. Throws
    /// `ValidationError` (`EMPTY_WEIGHTS`, `ZERO_TOTAL_WEIGHT`,
    /// `DUPLICATE_DEPLOYMENT`, `LIMIT_EXCEEDED` above 65,536 replicas).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "[name: string, replicas: number][]")]
        deployments: &JsValue,
    ) -> JsResult<JsSessionAffinity> {
        let items = list(deployments, "deployments", MAX_LIST_LEN)?;
        let pairs = elements(&items, "deployments", deployment_pair)?;
        Ok(JsSessionAffinity {
            inner: SessionAffinity::new(pairs).js()?,
        })
    }

    /// Where `sessionKey` goes. O(total replicas).
    #[wasm_bindgen(unchecked_return_type = "AffinityPick")]
    pub fn pick(
        &self,
        #[wasm_bindgen(js_name = sessionKey, unchecked_param_type = "string")]
        session_key: &JsValue,
    ) -> JsResult<JsValue> {
        Ok(affinity_pick(
            self.inner.pick(&string(session_key, "sessionKey")?),
        ))
    }

    /// Where a key whose `sessionHash` is `keyHash` goes.
    #[wasm_bindgen(js_name = pickHashed, unchecked_return_type = "AffinityPick")]
    pub fn pick_hashed(
        &self,
        #[wasm_bindgen(js_name = keyHash, unchecked_param_type = "bigint | number")]
        key_hash: &JsValue,
    ) -> JsResult<JsValue> {
        Ok(affinity_pick(
            self.inner.pick_hashed(u64_value(key_hash, "keyHash")?),
        ))
    }

    /// The number of deployments.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Total replicas hashed over.
    #[wasm_bindgen(getter, unchecked_return_type = "number")]
    pub fn total(&self) -> JsValue {
        count_to_js(self.inner.total())
    }

    /// `SessionAffinity(deployments=2, total=5)`, as Python's `repr`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        format!(
            "SessionAffinity(deployments={}, total={})",
            self.inner.len(),
            self.inner.total()
        )
        .into()
    }
}

/// The documented 64-bit hash of a session key (the same in Rust, Python
/// and JS), as a bigint.
#[wasm_bindgen(js_name = sessionHash)]
pub fn session_hash_js(
    #[wasm_bindgen(js_name = sessionKey, unchecked_param_type = "string")] session_key: &JsValue,
) -> JsResult<js_sys::BigInt> {
    Ok(js_sys::BigInt::from(session_hash(&string(
        session_key,
        "sessionKey",
    )?)))
}

/// In-flight request counts per deployment for `even-load` routers (SPEC
/// R8), made by `Registry.loadTracker(router)` over a router's deployments.
/// The caller owns the counts, as it owns a round-robin cursor: call
/// `started` when a request goes to the routed deployment and `finished`
/// when it completes, and pass the tracker to `Registry.route` /
/// `Registry.routeRequest`. Counts are safe integers or bigints above 2^53.
#[wasm_bindgen(js_name = LoadTracker)]
pub struct JsLoadTracker {
    inner: LoadTracker,
}

impl JsLoadTracker {
    /// Wraps a core tracker.
    pub(crate) fn from_core(inner: LoadTracker) -> JsLoadTracker {
        JsLoadTracker { inner }
    }

    /// The core tracker.
    pub(crate) fn inner(&self) -> &LoadTracker {
        &self.inner
    }
}

#[wasm_bindgen(js_class = LoadTracker)]
impl JsLoadTracker {
    /// The full names of the deployments it counts, sorted.
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn deployments(&self) -> js_sys::Array {
        convert::js_strings(self.inner.deployments().iter().map(ToString::to_string))
    }

    /// Counts one more request in flight to `deployment` (a full name, as
    /// routing returns it); returns the new count. Throws `NotFoundError`
    /// when the tracker does not count `deployment`.
    #[wasm_bindgen(unchecked_return_type = "number | bigint")]
    pub fn started(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] deployment: &JsValue,
    ) -> JsResult<JsValue> {
        let name = string(deployment, "deployment")?;
        Ok(u64_to_js(self.inner.started(&name).js()?))
    }

    /// Counts one request to `deployment` as finished; returns the new count
    /// (a count at 0 stays 0). Throws `NotFoundError` as `started`.
    #[wasm_bindgen(unchecked_return_type = "number | bigint")]
    pub fn finished(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] deployment: &JsValue,
    ) -> JsResult<JsValue> {
        let name = string(deployment, "deployment")?;
        Ok(u64_to_js(self.inner.finished(&name).js()?))
    }

    /// Sets the in-flight count of `deployment`. Throws `NotFoundError` as
    /// `started`, `RangeError` for a count outside 0 .. 2^64 - 1.
    pub fn set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] deployment: &JsValue,
        #[wasm_bindgen(js_name = inFlight, unchecked_param_type = "number | bigint")]
        in_flight: &JsValue,
    ) -> JsResult<()> {
        let name = string(deployment, "deployment")?;
        let n = u64_value(in_flight, "inFlight")?;
        self.inner.set(&name, n).js()
    }

    /// The in-flight count of `deployment`. Throws `NotFoundError` as
    /// `started`.
    #[wasm_bindgen(js_name = inFlight, unchecked_return_type = "number | bigint")]
    pub fn in_flight(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] deployment: &JsValue,
    ) -> JsResult<JsValue> {
        let name = string(deployment, "deployment")?;
        Ok(u64_to_js(self.inner.in_flight(&name).js()?))
    }
}
