//! Deployments as plain JS objects (SPEC D1, D2, G3, G4).

use replica_router::{Deployment, DeploymentSpec, DeploymentUpdate};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{Fields, object, opt_str_to_js};
use crate::errors::{IntoJs, JsResult};

#[wasm_bindgen(typescript_custom_section)]
const TS_DEPLOYMENT: &'static str = r#"
/** The input of `Registry.createDeployment` (SPEC D1, G3, G4). */
export interface DeploymentSpec {
  /** The model: a full name `accounts/{account}/models/{id}` or a bare model ID. */
  model: string;
  /** Deployment ID (bare) or full name; generated when omitted (SPEC N3). */
  id?: string | null;
  /** Pin to this region (canonical or host form); omitted: multi-region. */
  region?: string | null;
  /** Minimum replicas; with `maxReplicas` omitted too, both default to 1. */
  minReplicas?: number | null;
  /** Maximum replicas; defaults to `max(minReplicas, 1)`. */
  maxReplicas?: number | null;
  /** Internet direct-route API keys; asks for direct routing (needs `region`). */
  directRouteApiKeys?: string[] | null;
}

/** The input of `Registry.updateDeployment`: only the bounds given change (SPEC D2). */
export interface DeploymentUpdate {
  minReplicas?: number | null;
  maxReplicas?: number | null;
}

/** A deployment's direct route, without its keys (SPEC G4, G5). */
export interface DirectRouteInfo {
  /** Canonical region name. */
  region: string;
  /** Domain suffix of the handle. */
  domain: string;
  /** How many API keys guard it. */
  keyCount: number;
  /** `{account}-{deployment}.{region host form}.{domain}`. */
  handle: string;
  /** `https://{handle}/v1`. */
  baseUrl: string;
}

/** A deployment (SPEC D1). */
export interface Deployment {
  /** Full name, `accounts/{account}/deployments/{id}`. */
  name: string;
  /** The account ID. */
  account: string;
  /** The deployment ID. */
  id: string;
  /** The model's full name. */
  model: string;
  /** Canonical region name, or `null` when multi-region. */
  region: string | null;
  minReplicas: number;
  maxReplicas: number;
  /** Current replica count, within `[minReplicas, maxReplicas]`. */
  replicas: number;
  /** The direct route, or `null`. */
  directRoute: DirectRouteInfo | null;
}
"#;

/// Reads a `DeploymentSpec` object.
pub(crate) fn spec_from_js(value: &JsValue) -> JsResult<DeploymentSpec> {
    let f = Fields::new(
        value,
        "deployment spec",
        &[
            "model",
            "id",
            "region",
            "minReplicas",
            "maxReplicas",
            "directRouteApiKeys",
        ],
        false,
    )?;
    let mut spec = DeploymentSpec::new(f.string("model")?);
    spec.id = f.opt_string("id")?;
    spec.region = f.opt_string("region")?;
    spec.min_replicas = f.opt_u32("minReplicas")?;
    spec.max_replicas = f.opt_u32("maxReplicas")?;
    spec.direct_route_api_keys = f.opt_strings("directRouteApiKeys")?;
    Ok(spec)
}

/// Reads a `DeploymentUpdate` object.
pub(crate) fn update_from_js(value: &JsValue) -> JsResult<DeploymentUpdate> {
    let f = Fields::new(
        value,
        "deployment update",
        &["minReplicas", "maxReplicas"],
        false,
    )?;
    let mut update = DeploymentUpdate::new();
    update.min_replicas = f.opt_u32("minReplicas")?;
    update.max_replicas = f.opt_u32("maxReplicas")?;
    Ok(update)
}

/// A `Deployment` object.
pub(crate) fn to_js(d: &Deployment) -> JsResult<JsValue> {
    let direct_route = match d.direct_route() {
        None => JsValue::NULL,
        Some(route) => object(&[
            ("region", route.region().canonical().into()),
            ("domain", route.domain().into()),
            ("keyCount", (route.key_count() as f64).into()),
            ("handle", route.handle(d.name()).js()?.into()),
            ("baseUrl", route.base_url(d.name()).js()?.into()),
        ]),
    };
    Ok(object(&[
        ("name", d.name().to_string().into()),
        ("account", d.name().account().as_str().into()),
        ("id", d.name().id().as_str().into()),
        ("model", d.model().to_string().into()),
        (
            "region",
            opt_str_to_js(d.placement().region().map(|r| r.canonical())),
        ),
        ("minReplicas", d.min_replicas().into()),
        ("maxReplicas", d.max_replicas().into()),
        ("replicas", d.replicas().into()),
        ("directRoute", direct_route),
    ]))
}
