//! Routers as plain JS objects (SPEC R1, R3, R7, R9).

use js_sys::Array;
use replica_router::{Router, RouterSpec, RouterUpdate, Strategy};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{Fields, js_strings, object, opt_str_to_js};
use crate::errors::{IntoJs, JsResult};

#[wasm_bindgen(typescript_custom_section)]
const TS_ROUTER: &'static str = r#"
/** A routing strategy name (SPEC R7); `strategies()` lists those this build accepts. */
export type StrategyName = "weighted-random" | "even-load" | "weighted-round-robin" | (string & {});

/** The input of `Registry.createRouter`, mirroring `firectl router create` (SPEC R1). */
export interface RouterSpec {
  /** Deployments (full names or bare IDs), in order; at least one. */
  deployments: string[];
  /** Router ID (bare) or full name; generated when omitted (SPEC N3). */
  id?: string | null;
  /** Human-readable name. */
  displayName?: string | null;
  /** The model to route traffic to (full name or bare model ID). */
  model?: string | null;
  /** Default `weighted-random`. */
  strategy?: StrategyName | null;
  /** Keyed requests keep to one deployment and replica slot, whatever the strategy (SPEC R9); default false. */
  sessionAffinity?: boolean | null;
  /** Open to every account; default false. */
  public?: boolean | null;
}

/** The input of `Registry.updateRouter`: only the fields given change (SPEC R3). */
export interface RouterUpdate {
  /** Replaces the deployment list. */
  deployments?: string[] | null;
  /** New display name; `undefined`/`null` keeps it. */
  displayName?: string | null;
  /** New model; `undefined`/`null` keeps it. */
  model?: string | null;
  strategy?: StrategyName | null;
  sessionAffinity?: boolean | null;
  public?: boolean | null;
  /** `true` removes the display name (SPEC R1); not together with `displayName`. */
  clearDisplayName?: boolean | null;
  /** `true` removes the model (SPEC R1); not together with `model`. */
  clearModel?: boolean | null;
}

/** A router (SPEC R1). */
export interface Router {
  /** Full name, `accounts/{account}/routers/{id}`. */
  name: string;
  /** The account ID. */
  account: string;
  /** The router ID. */
  id: string;
  displayName: string | null;
  /** The model's full name, or `null`. */
  model: string | null;
  strategy: StrategyName;
  /** Session affinity for keyed requests (SPEC R9). */
  sessionAffinity: boolean;
  public: boolean;
  /** Full deployment names, in order. */
  deployments: string[];
}
"#;

fn strategy(name: Option<String>) -> JsResult<Option<Strategy>> {
    name.map(|s| s.parse::<Strategy>()).transpose().js()
}

/// Reads a `RouterSpec` object.
pub(crate) fn spec_from_js(value: &JsValue) -> JsResult<RouterSpec> {
    let f = Fields::new(
        value,
        "router spec",
        &[
            "deployments",
            "id",
            "displayName",
            "model",
            "strategy",
            "sessionAffinity",
            "public",
        ],
        false,
    )?;
    let deployments = f
        .opt_strings("deployments")?
        .ok_or_else(|| crate::errors::type_error("router spec needs `deployments`"))?;
    let mut spec = RouterSpec::new(deployments);
    spec.id = f.opt_string("id")?;
    spec.display_name = f.opt_string("displayName")?;
    spec.model = f.opt_string("model")?;
    if let Some(s) = strategy(f.opt_string("strategy")?)? {
        spec.strategy = s;
    }
    spec.session_affinity = f.opt_bool("sessionAffinity")?.unwrap_or(false);
    spec.public = f.opt_bool("public")?.unwrap_or(false);
    Ok(spec)
}

/// Reads a `RouterUpdate` object.
pub(crate) fn update_from_js(value: &JsValue) -> JsResult<RouterUpdate> {
    let f = Fields::new(
        value,
        "router update",
        &[
            "deployments",
            "displayName",
            "model",
            "strategy",
            "sessionAffinity",
            "public",
            "clearDisplayName",
            "clearModel",
        ],
        false,
    )?;
    let mut update = RouterUpdate::new();
    update.deployments = f.opt_strings("deployments")?;
    update.display_name = f.opt_string("displayName")?;
    update.model = f.opt_string("model")?;
    update.clear_display_name = f.opt_bool("clearDisplayName")?.unwrap_or(false);
    update.clear_model = f.opt_bool("clearModel")?.unwrap_or(false);
    for (given, clear, what, clear_what) in [
        (
            update.display_name.is_some(),
            update.clear_display_name,
            "displayName",
            "clearDisplayName",
        ),
        (
            update.model.is_some(),
            update.clear_model,
            "model",
            "clearModel",
        ),
    ] {
        if given && clear {
            return Err(crate::errors::type_error(&format!(
                "router update takes {what} or {clear_what}: true, not both"
            )));
        }
    }
    update.strategy = strategy(f.opt_string("strategy")?)?;
    update.session_affinity = f.opt_bool("sessionAffinity")?;
    update.public = f.opt_bool("public")?;
    Ok(update)
}

/// A `Router` object.
pub(crate) fn to_js(r: &Router) -> JsValue {
    object(&[
        ("name", r.name().to_string().into()),
        ("account", r.name().account().as_str().into()),
        ("id", r.name().id().as_str().into()),
        ("displayName", opt_str_to_js(r.display_name())),
        (
            "model",
            r.model().map_or(JsValue::NULL, |m| m.to_string().into()),
        ),
        ("strategy", r.strategy().as_str().into()),
        ("sessionAffinity", r.session_affinity().into()),
        ("public", r.is_public().into()),
        (
            "deployments",
            js_strings(r.deployments().iter().map(ToString::to_string)).into(),
        ),
    ])
}

/// The accepted strategy names (SPEC R7).
#[wasm_bindgen(unchecked_return_type = "StrategyName[]")]
pub fn strategies() -> Array {
    js_strings(Strategy::NAMES)
}
