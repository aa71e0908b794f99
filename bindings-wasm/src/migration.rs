//! Zero-downtime migration plans (SPEC M1-M6): `MigrationPlan`, and the
//! conversions of `Registry.planMigration`'s request.

use js_sys::{Array, JsString};
use replica_router::{
    DeploymentState, Fraction, MigrationAction, MigrationPlan, MigrationRequest, MigrationStep,
    PlanKind, PlanState, Schedule, StepShare,
};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{
    Fields, MAX_LIST_LEN, count_to_js, elements, js_strings, list, object, string, u32_value,
};
use crate::errors::{IntoJs, JsResult, type_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_MIGRATION: &'static str = r#"
/**
 * The input of `Registry.planMigration` (SPEC M1). Give exactly one of
 * `trafficSteps` and `maxStepPercent`.
 */
export interface MigrationRequest {
  /** The router whose traffic moves (full name or bare ID). */
  router: string;
  /** The deployment traffic moves away from; it must be in the router. */
  from: string;
  /** The deployment traffic moves to: created with `from`'s model if missing, added to the router if absent. */
  to: string;
  /** `to`'s replicas at the end; default: `from`'s current count. */
  targetReplicas?: number | null;
  /** Percent of the from+to traffic on `to` after each step: strictly increasing, ending at 100. */
  trafficSteps?: number[] | null;
  /** Or: at most this many percentage points per step (1 to 100), in the fewest steps. */
  maxStepPercent?: number | null;
  /** Capacity floor: fewest from+to replicas serving at any moment; default `min(initial, target)`. */
  minTotalReplicas?: number | null;
  /** Surge ceiling: most from+to replicas, serving or not, at any moment; default none. */
  maxTotalReplicas?: number | null;
}

/** An exact fraction in lowest terms, with its percent for display. */
export interface ExactShare {
  /** Safe integers, as in `Share`. */
  numerator: number;
  denominator: number;
  percent: number;
}

/** One deployment as a plan sees it. */
export interface PlanDeploymentState {
  /** The deployment exists (`to` may not exist yet). */
  exists: boolean;
  /** The router lists it. */
  inRouter: boolean;
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
}

/** `from` and `to` before or after a step. */
export interface PlanState {
  from: PlanDeploymentState;
  to: PlanDeploymentState;
}

/** One action of a plan (SPEC M2), with its reference CLI command. */
export interface MigrationAction {
  /** The action's kind: the plan JSON's `action` tag in camelCase. */
  type: "createDeployment" | "addToRouter" | "setReplicaBounds" | "removeFromRouter" | "deleteDeployment";
  /** The deployment acted on (full name). */
  deployment: string | null;
  /** `createDeployment`: the model. */
  model?: string;
  /** `createDeployment`: its replicas (min = max). */
  replicas?: number;
  /** `addToRouter` / `removeFromRouter`: the router and its deployments afterwards. */
  router?: string;
  deployments?: string[];
  /** `setReplicaBounds`: the new bounds. */
  minReplicas?: number;
  maxReplicas?: number;
  /** A short description: `scale new-deployment to 4 replicas`. */
  description: string;
  /** The `firectl` command. */
  command: string;
}

/** A deployment's share of the router's traffic after a step. */
export interface StepShare extends ExactShare {
  deployment: string;
  replicas: number;
}

/** One step of a plan (SPEC M2). */
export interface MigrationStep {
  /** The share of the from+to traffic the step aimed at for `to`. */
  requestedShare: ExactShare;
  actions: MigrationAction[];
  /** `from` and `to` after the step. */
  state: PlanState;
  /** The router's exact split after the step, in the router's order. */
  split: StepShare[];
  /** `to`'s realised share of the from+to traffic after the step. */
  toShare: ExactShare;
  /** This step's `firectl` commands. */
  commands: string[];
}

/** How traffic moves: explicit steps or a maximum shift per step. */
export type MigrationSchedule = { trafficSteps: number[] } | { maxStepPercent: number };
"#;

/// Reads a `MigrationRequest` object.
pub(crate) fn request_from_js(value: &JsValue) -> JsResult<MigrationRequest> {
    let f = Fields::new(
        value,
        "migration request",
        &[
            "router",
            "from",
            "to",
            "targetReplicas",
            "trafficSteps",
            "maxStepPercent",
            "minTotalReplicas",
            "maxTotalReplicas",
        ],
        false,
    )?;
    let steps = f.raw("trafficSteps")?;
    let max_step = f.opt_u32("maxStepPercent")?;
    let schedule = match (steps.is_undefined() || steps.is_null(), max_step) {
        (false, None) => Schedule::Steps(elements(
            &list(&steps, "trafficSteps", MAX_LIST_LEN)?,
            "trafficSteps",
            u32_value,
        )?),
        (true, Some(max)) => Schedule::MaxStep(max),
        _ => {
            return Err(type_error(
                "migration request needs exactly one of trafficSteps and maxStepPercent",
            ));
        }
    };
    let mut request = MigrationRequest::new(
        f.string("router")?,
        f.string("from")?,
        f.string("to")?,
        schedule,
    );
    request.target_replicas = f.opt_u32("targetReplicas")?;
    request.min_total_replicas = f.opt_u32("minTotalReplicas")?;
    request.max_total_replicas = f.opt_u32("maxTotalReplicas")?;
    Ok(request)
}

fn fraction(f: Fraction) -> JsValue {
    object(&[
        ("numerator", count_to_js(f.numerator())),
        ("denominator", count_to_js(f.denominator())),
        ("percent", f.percent().into()),
    ])
}

fn deployment_state(d: &DeploymentState) -> JsValue {
    object(&[
        ("exists", d.exists.into()),
        ("inRouter", d.in_router.into()),
        ("replicas", d.replicas.into()),
        ("minReplicas", d.min_replicas.into()),
        ("maxReplicas", d.max_replicas.into()),
    ])
}

fn plan_state(s: &PlanState) -> JsValue {
    object(&[
        ("from", deployment_state(&s.from)),
        ("to", deployment_state(&s.to)),
    ])
}

fn step_share(s: &StepShare) -> JsValue {
    object(&[
        ("deployment", s.deployment.to_string().into()),
        ("replicas", s.replicas.into()),
        ("numerator", count_to_js(s.share.numerator())),
        ("denominator", count_to_js(s.share.denominator())),
        ("percent", s.share.percent().into()),
    ])
}

/// `snake_case` as `camelCase`: JS spells core's names (here
/// [`ActionKind::as_str`](replica_router::ActionKind::as_str)) this way.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn action(a: &MigrationAction) -> JsValue {
    let mut pairs: Vec<(&str, JsValue)> = vec![("type", camel_case(a.kind().as_str()).into())];
    match a {
        MigrationAction::CreateDeployment {
            deployment,
            model,
            replicas,
        } => pairs.extend([
            ("deployment", deployment.to_string().into()),
            ("model", model.to_string().into()),
            ("replicas", (*replicas).into()),
        ]),
        MigrationAction::AddToRouter {
            router,
            deployment,
            deployments,
        }
        | MigrationAction::RemoveFromRouter {
            router,
            deployment,
            deployments,
        } => pairs.extend([
            ("deployment", deployment.to_string().into()),
            ("router", router.to_string().into()),
            (
                "deployments",
                js_strings(deployments.iter().map(ToString::to_string)).into(),
            ),
        ]),
        MigrationAction::SetReplicaBounds {
            deployment,
            min_replicas,
            max_replicas,
        } => pairs.extend([
            ("deployment", deployment.to_string().into()),
            ("minReplicas", (*min_replicas).into()),
            ("maxReplicas", (*max_replicas).into()),
        ]),
        MigrationAction::DeleteDeployment { deployment } => {
            pairs.push(("deployment", deployment.to_string().into()));
        }
        // MigrationAction is #[non_exhaustive].
        _ => pairs.push(("deployment", JsValue::NULL)),
    }
    pairs.push(("description", a.to_string().into()));
    pairs.push(("command", a.firectl_command().into()));
    object(&pairs)
}

fn step(s: &MigrationStep) -> JsValue {
    let actions: Array = s.actions.iter().map(action).collect();
    let split: Array = s.split.iter().map(step_share).collect();
    object(&[
        ("requestedShare", fraction(s.requested_share)),
        ("actions", actions.into()),
        ("state", plan_state(&s.state)),
        ("split", split.into()),
        ("toShare", fraction(s.to_share)),
        ("commands", js_strings(s.firectl_commands()).into()),
    ])
}

/// A zero-downtime migration plan (SPEC M2, M6): ordered steps, each with
/// its actions, then the replica counts, the exact split and the realised
/// `to` share after it. Made by `Registry.planMigration`,
/// `MigrationPlan.fromJson` or `plan.rollback(afterStep)`; applied with
/// `Registry.applyStep`.
#[wasm_bindgen(js_name = MigrationPlan)]
pub struct JsMigrationPlan {
    inner: MigrationPlan,
}

impl JsMigrationPlan {
    /// Wraps a core plan.
    pub(crate) fn from_core(inner: MigrationPlan) -> JsMigrationPlan {
        JsMigrationPlan { inner }
    }

    /// The core plan.
    pub(crate) fn inner(&self) -> &MigrationPlan {
        &self.inner
    }

    /// `"migration"`, or `"rollback"` for a plan made by `rollback()`.
    fn kind_str(&self) -> &'static str {
        self.inner.kind().as_str()
    }
}

#[wasm_bindgen(js_class = MigrationPlan)]
impl JsMigrationPlan {
    /// Loads a plan written by `toJson()`, checking every step (SPEC M6).
    /// Throws `ValidationError` (`INVALID_PLAN_JSON`, `LIMIT_EXCEEDED`).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] json: &JsValue,
    ) -> JsResult<JsMigrationPlan> {
        Ok(JsMigrationPlan {
            inner: MigrationPlan::from_json(&string(json, "json")?).js()?,
        })
    }

    /// The plan as JSON; `MigrationPlan.fromJson` gives back an equal plan.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> JsString {
        self.inner.to_json().into()
    }

    /// `"migration"`, or `"rollback"` for a plan made by `rollback()`.
    #[wasm_bindgen(getter, unchecked_return_type = "\"migration\" | \"rollback\"")]
    pub fn kind(&self) -> JsString {
        self.inner.kind().as_str().into()
    }

    /// For a rollback: the zero-based step of the rolled-back plan it starts
    /// after; otherwise `null`.
    #[wasm_bindgen(getter, js_name = afterStep)]
    pub fn after_step(&self) -> Option<u32> {
        match self.inner.kind() {
            PlanKind::Rollback { after_step } => u32::try_from(after_step).ok(),
            _ => None,
        }
    }

    /// The router (full name).
    #[wasm_bindgen(getter)]
    pub fn router(&self) -> JsString {
        self.inner.router().to_string().into()
    }

    /// The deployment traffic moves away from.
    #[wasm_bindgen(getter)]
    pub fn from(&self) -> JsString {
        self.inner.from().to_string().into()
    }

    /// The deployment traffic moves to.
    #[wasm_bindgen(getter)]
    pub fn to(&self) -> JsString {
        self.inner.to().to_string().into()
    }

    /// The model a deployment created by the plan gets.
    #[wasm_bindgen(getter)]
    pub fn model(&self) -> JsString {
        self.inner.model().to_string().into()
    }

    /// `to`'s replicas at the end.
    #[wasm_bindgen(getter, js_name = targetReplicas)]
    pub fn target_replicas(&self) -> u32 {
        self.inner.target_replicas()
    }

    /// The capacity floor (requested or default).
    #[wasm_bindgen(getter, js_name = minTotalReplicas)]
    pub fn min_total_replicas(&self) -> u32 {
        self.inner.min_total_replicas()
    }

    /// The floor the actions keep: `minTotalReplicas`, or the from+to
    /// replicas serving at the start when fewer (at least 1 when the router
    /// has no other serving replicas).
    #[wasm_bindgen(getter, js_name = effectiveFloor)]
    pub fn effective_floor(&self) -> u32 {
        self.inner.effective_floor()
    }

    /// The surge ceiling, or `undefined`.
    #[wasm_bindgen(getter, js_name = maxTotalReplicas)]
    pub fn max_total_replicas(&self) -> Option<u32> {
        self.inner.max_total_replicas()
    }

    /// The schedule: `{ trafficSteps }` or `{ maxStepPercent }`.
    #[wasm_bindgen(getter, unchecked_return_type = "MigrationSchedule")]
    pub fn schedule(&self) -> JsValue {
        match self.inner.schedule() {
            Schedule::Steps(steps) => {
                let steps: Array = steps.iter().map(|&s| JsValue::from(s)).collect();
                object(&[("trafficSteps", steps.into())])
            }
            Schedule::MaxStep(max) => object(&[("maxStepPercent", (*max).into())]),
        }
    }

    /// `from` and `to` before the first step.
    #[wasm_bindgen(getter, unchecked_return_type = "PlanState")]
    pub fn initial(&self) -> JsValue {
        plan_state(self.inner.initial())
    }

    /// The router's other deployments, untouched by the plan.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "{ deployment: string; replicas: number }[]"
    )]
    pub fn others(&self) -> Array {
        self.inner
            .others()
            .iter()
            .map(|d| {
                object(&[
                    ("deployment", d.deployment.to_string().into()),
                    ("replicas", d.replicas.into()),
                ])
            })
            .collect()
    }

    /// The steps, in order.
    #[wasm_bindgen(getter, unchecked_return_type = "MigrationStep[]")]
    pub fn steps(&self) -> Array {
        self.inner.steps().iter().map(step).collect()
    }

    /// Every action of every step as a `firectl` command, in order (SPEC M5).
    #[wasm_bindgen(js_name = firectlCommands, unchecked_return_type = "string[]")]
    pub fn firectl_commands(&self) -> Array {
        js_strings(self.inner.firectl_commands())
    }

    /// The plan as a readable table. The first row, `start`, is the initial
    /// state; step rows are numbered from 0, like `steps[i]`,
    /// `applyStep(plan, i)` and `rollback(i)`.
    pub fn table(&self) -> JsString {
        self.inner.table().into()
    }

    /// The table (as Python's `str`).
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        self.inner.to_string().into()
    }

    /// `MigrationPlan(kind='migration', router='...', from='...', to='...',
    /// steps=3)`, as Python's `repr`: what Node's `util.inspect` shows.
    #[wasm_bindgen(js_name = __inspect, skip_typescript)]
    pub fn inspect(&self) -> JsString {
        format!(
            "MigrationPlan(kind='{}', router='{}', from='{}', to='{}', steps={})",
            self.kind_str(),
            self.inner.router(),
            self.inner.from(),
            self.inner.to(),
            self.inner.steps().len()
        )
        .into()
    }

    /// A plan from the state after step `afterStep` (zero-based) back to
    /// the initial state, under the same invariants (SPEC M6). Throws
    /// `ValidationError` (`STEP_OUT_OF_RANGE`, `LIMIT_EXCEEDED`).
    pub fn rollback(
        &self,
        #[wasm_bindgen(js_name = afterStep, unchecked_param_type = "number")] after_step: &JsValue,
    ) -> JsResult<JsMigrationPlan> {
        let after = u32_value(after_step, "afterStep")?;
        Ok(JsMigrationPlan {
            inner: self.inner.rollback(after as usize).js()?,
        })
    }
}
