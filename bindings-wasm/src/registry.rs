//! `Registry`: deployments and routers in memory (SPEC T1, T2, D1-D3,
//! R1-R6).

use js_sys::{Array, JsString, Uint8Array};
use replica_router::{Registry, RouteRequest};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{Fields, count_to_js, object, opt_string, string, u64_to_js, u64_value};
use crate::direct_route::{self, JsDirectRoute};
use crate::errors::{IntoJs, JsResult};
use crate::migration::{JsMigrationPlan, request_from_js};
use crate::region::{JsRegionCatalog, catalog_arg};
use crate::selection::{seed, seed_to_js};
use crate::strategy::JsLoadTracker;
use crate::{deployment, router, share};

#[wasm_bindgen(typescript_custom_section)]
const TS_ROUTE: &'static str = r#"
/** The input of `Registry.routeRequest` (SPEC R6, R7). */
export interface RouteRequest {
  /** The request's `model` field: a router or deployment name, or a bare ID (router first). */
  model: string;
  /** The caller's account ID. */
  callerAccount: string;
  /** Routers with session affinity (SPEC R9) send the same key to the same deployment and replica slot. */
  sessionKey?: string | null;
  /** `weighted-round-robin` routers pick at this position of their cycle (a safe integer or a bigint). */
  cursor?: number | bigint | null;
}

/** Many requests routed at once: the result of `Registry.routeMany`. */
export interface RouteBatch {
  /** The router's deployments (full names), in order; one name for a deployment. */
  deployments: string[];
  /** For each request, the index of its deployment in `deployments`. */
  picks: Uint32Array;
}

/** Where a request goes (SPEC R6, R7). */
export interface RouteDecision {
  /** The chosen deployment (full name). */
  deployment: string;
  /** The replica slot, for a keyed request to a router with session affinity; else `null`. */
  replica: number | null;
  /** The cursor to send next (a safe integer below the router's total replicas), from a `weighted-round-robin` router; else `null`. */
  nextCursor: number | null;
}
"#;

/// Deployments and routers of any number of accounts, in memory (SPEC T1),
/// acting as one account at a time like the reference CLI with a profile:
/// bare IDs resolve against that account.
///
/// Every method validates all of its input before it changes anything: when
/// it throws, the registry is exactly as before (SPEC R3).
#[wasm_bindgen(js_name = Registry)]
pub struct JsRegistry {
    pub(crate) inner: Registry,
}

impl JsRegistry {
    /// Reads a `RouteRequest` object and routes it (SPEC R6-R9).
    fn decide(&mut self, request: &JsValue, load: Option<&JsLoadTracker>) -> JsResult<JsValue> {
        let f = Fields::new(
            request,
            "route request",
            &["model", "callerAccount", "sessionKey", "cursor"],
            false,
        )?;
        let model = f.string("model")?;
        let caller = f.string("callerAccount")?;
        let session_key = f.opt_string("sessionKey")?;
        let cursor = f.raw("cursor")?;
        let cursor = if cursor.is_undefined() || cursor.is_null() {
            None
        } else {
            Some(u64_value(&cursor, "cursor")?)
        };
        let mut req = RouteRequest::new(&model, &caller);
        if let Some(key) = &session_key {
            req = req.session_key(key);
        }
        if let Some(cursor) = cursor {
            req = req.cursor(cursor);
        }
        if let Some(load) = load {
            req = req.load(load.inner());
        }
        let decision = self.inner.route_request(&req).js()?;
        Ok(object(&[
            ("deployment", decision.deployment.to_string().into()),
            (
                "replica",
                decision.replica.map_or(JsValue::NULL, JsValue::from),
            ),
            (
                "nextCursor",
                decision.next_cursor.map_or(JsValue::NULL, count_to_js),
            ),
        ]))
    }
}

#[wasm_bindgen(js_class = Registry)]
impl JsRegistry {
    /// An empty registry acting as `account`. `seed` drives generated IDs
    /// and `route`; omitted, it comes from `crypto.getRandomValues`.
    /// `catalog` decides which regions support direct routing (default: the
    /// ten regions of the reference docs). `keySecret` (16 to 64 bytes, or
    /// a string of as many UTF-8 bytes) keys the digests of direct-route API
    /// keys with HMAC-SHA-256 (SPEC G6): keep it outside the snapshot
    /// (`toJson` records only a check value) and give it to `fromJson`.
    ///
    /// Throws `ValidationError` (`INVALID_NAME`, `INVALID_REGION`,
    /// `INVALID_SEED`, `INVALID_KEY_SECRET`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] account: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SeedInput")] seed: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CatalogInput | null")] catalog: &JsValue,
        #[wasm_bindgen(js_name = keySecret, unchecked_optional_param_type = "KeySecretInput")]
        key_secret: &JsValue,
    ) -> JsResult<JsRegistry> {
        let account = string(account, "account")?;
        let catalog = catalog_arg(catalog, "catalog")?.unwrap_or_default();
        let seed = self::seed(seed)?;
        let secret = direct_route::key_secret(key_secret)?;
        let mut inner = Registry::with_catalog(&account, seed, catalog).js()?;
        if let Some(secret) = secret {
            inner = inner.with_key_secret(secret).js()?;
        }
        Ok(JsRegistry { inner })
    }

    /// Loads a registry from `toJson()` output (SPEC T1), with the
    /// `keySecret` its key digests are keyed by, if any. Throws
    /// `ValidationError` (`INVALID_JSON`, `UNSUPPORTED_FORMAT_VERSION`,
    /// `INVALID_SNAPSHOT` with the inner error as `cause`, `LIMIT_EXCEEDED`,
    /// `KEY_SECRET_MISMATCH` when none or another secret was given,
    /// `INVALID_KEY_SECRET`); never returns a partial state.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] json: &JsValue,
        #[wasm_bindgen(js_name = keySecret, unchecked_optional_param_type = "KeySecretInput")]
        key_secret: &JsValue,
    ) -> JsResult<JsRegistry> {
        let json = string(json, "json")?;
        let inner = match direct_route::key_secret(key_secret)? {
            Some(secret) => Registry::from_json_with_key_secret(&json, &secret),
            None => Registry::from_json(&json),
        };
        Ok(JsRegistry { inner: inner.js()? })
    }

    /// The whole state as JSON (SPEC T1); `Registry.fromJson` restores it
    /// exactly, generator positions included. API keys are stored as salted
    /// digests only, a key secret as a check value only.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> JsString {
        self.inner.to_json().into()
    }

    /// The account the registry acts as.
    #[wasm_bindgen(getter)]
    pub fn account(&self) -> JsString {
        self.inner.account().as_str().into()
    }

    /// Acts as another account from now on. Throws `ValidationError`
    /// (`INVALID_NAME`).
    #[wasm_bindgen(js_name = setAccount)]
    pub fn set_account(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: &JsValue,
    ) -> JsResult<()> {
        self.inner.set_account(&string(account, "account")?).js()
    }

    /// The direct-routing region catalog (a copy).
    #[wasm_bindgen(getter)]
    pub fn catalog(&self) -> JsRegionCatalog {
        JsRegionCatalog::from_core(self.inner.catalog().clone())
    }

    /// The 32 seed bytes (`new Registry(account, registry.seed)` starts the
    /// same generators).
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> Uint8Array {
        seed_to_js(&self.inner.seed())
    }

    /// How many selection tables have been built (routing never builds one,
    /// SPEC R6).
    #[wasm_bindgen(getter, js_name = tableBuilds, unchecked_return_type = "number | bigint")]
    pub fn table_builds(&self) -> JsValue {
        u64_to_js(self.inner.table_builds())
    }

    // ----- deployments -----

    /// Creates a deployment in the acting account (SPEC D1, G3, G4).
    ///
    /// Throws `ValidationError` (name, region, bounds and direct-route
    /// codes), `ConflictError` (`ALREADY_EXISTS`), `PermissionDeniedError`.
    #[wasm_bindgen(js_name = createDeployment, unchecked_return_type = "Deployment")]
    pub fn create_deployment(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "DeploymentSpec")] spec: &JsValue,
    ) -> JsResult<JsValue> {
        let spec = deployment::spec_from_js(spec)?;
        deployment::to_js(&self.inner.create_deployment(spec).js()?)
    }

    /// Changes a deployment's replica bounds (SPEC D2): the count becomes
    /// `clamp(current, min, max)`. Throws `ValidationError`
    /// (`INVALID_REPLICA_BOUNDS`), `NotFoundError`, `PermissionDeniedError`.
    #[wasm_bindgen(js_name = updateDeployment, unchecked_return_type = "Deployment")]
    pub fn update_deployment(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "DeploymentUpdate")] update: &JsValue,
    ) -> JsResult<JsValue> {
        let name = string(name, "name")?;
        let update = deployment::update_from_js(update)?;
        deployment::to_js(&self.inner.update_deployment(&name, update).js()?)
    }

    /// Deletes a deployment. Throws `ConflictError` (`IN_USE`, naming the
    /// routers; SPEC D3), `NotFoundError`, `PermissionDeniedError`.
    #[wasm_bindgen(js_name = deleteDeployment)]
    pub fn delete_deployment(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
    ) -> JsResult<()> {
        self.inner.delete_deployment(&string(name, "name")?).js()
    }

    /// A deployment of the acting account. Throws `NotFoundError`,
    /// `PermissionDeniedError`.
    #[wasm_bindgen(js_name = getDeployment, unchecked_return_type = "Deployment")]
    pub fn get_deployment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
    ) -> JsResult<JsValue> {
        deployment::to_js(self.inner.get_deployment(&string(name, "name")?).js()?)
    }

    /// The acting account's deployments, by name (SPEC T2).
    #[wasm_bindgen(js_name = listDeployments, unchecked_return_type = "Deployment[]")]
    pub fn list_deployments(&self) -> JsResult<Array> {
        self.inner
            .list_deployments()
            .map(deployment::to_js)
            .collect()
    }

    /// Authorizes a request to a deployment's direct route against the
    /// registry's current state (SPEC G6) and returns the deployment.
    /// `target` is the handle host the request went to, or a deployment
    /// name (full, or a bare ID of the acting account); `authorization` is
    /// the `Authorization` header value. A `DirectRoute` object is a
    /// snapshot: use this for live requests. Throws `NotFoundError` (no such
    /// handle or deployment, or no direct route), `AuthError`
    /// (`UNAUTHENTICATED`, `FORBIDDEN`), `ValidationError`.
    #[wasm_bindgen(js_name = authorizeDirectRoute, unchecked_return_type = "Deployment")]
    pub fn authorize_direct_route(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] target: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] authorization: &JsValue,
    ) -> JsResult<JsValue> {
        let target = string(target, "target")?;
        let authorization = opt_string(authorization, "authorization")?;
        deployment::to_js(
            self.inner
                .authorize_direct_route(&target, authorization.as_deref())
                .js()?,
        )
    }

    /// The direct route of a deployment of the acting account, or
    /// `undefined` when it has none.
    /// Throws `NotFoundError`, `PermissionDeniedError`.
    #[wasm_bindgen(js_name = directRoute)]
    pub fn direct_route(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] deployment: &JsValue,
    ) -> JsResult<Option<JsDirectRoute>> {
        let d = self
            .inner
            .get_deployment(&string(deployment, "deployment")?)
            .js()?;
        Ok(d.direct_route().cloned().map(JsDirectRoute::from_core))
    }

    // ----- routers -----

    /// Creates a router in the acting account (SPEC R1, R2, N3).
    ///
    /// Throws `ValidationError` (`EMPTY_ROUTER`, `DUPLICATE_DEPLOYMENT`,
    /// `FOREIGN_DEPLOYMENT`, `NOT_MULTI_REGION`, `INVALID_STRATEGY`,
    /// `INVALID_DISPLAY_NAME`, `LIMIT_EXCEEDED`, name codes),
    /// `NotFoundError`, `ConflictError` (`ALREADY_EXISTS`),
    /// `PermissionDeniedError`.
    #[wasm_bindgen(js_name = createRouter, unchecked_return_type = "Router")]
    pub fn create_router(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RouterSpec")] spec: &JsValue,
    ) -> JsResult<JsValue> {
        let spec = router::spec_from_js(spec)?;
        Ok(router::to_js(&self.inner.create_router(spec).js()?))
    }

    /// Updates a router: only the fields given change (SPEC R3). Throws as
    /// `createRouter`, plus `NotFoundError`.
    #[wasm_bindgen(js_name = updateRouter, unchecked_return_type = "Router")]
    pub fn update_router(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "RouterUpdate")] update: &JsValue,
    ) -> JsResult<JsValue> {
        let name = string(name, "name")?;
        let update = router::update_from_js(update)?;
        Ok(router::to_js(
            &self.inner.update_router(&name, update).js()?,
        ))
    }

    /// Deletes a router; routing to it fails at once (SPEC R4). Throws
    /// `NotFoundError`, `PermissionDeniedError`.
    #[wasm_bindgen(js_name = deleteRouter)]
    pub fn delete_router(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
    ) -> JsResult<()> {
        self.inner.delete_router(&string(name, "name")?).js()
    }

    /// A router of the acting account or a public router of any account.
    /// Throws `NotFoundError`, `PermissionDeniedError`.
    #[wasm_bindgen(js_name = getRouter, unchecked_return_type = "Router")]
    pub fn get_router(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
    ) -> JsResult<JsValue> {
        Ok(router::to_js(
            self.inner.get_router(&string(name, "name")?).js()?,
        ))
    }

    /// The acting account's routers, by name (SPEC T2).
    #[wasm_bindgen(js_name = listRouters, unchecked_return_type = "Router[]")]
    pub fn list_routers(&self) -> Array {
        self.inner.list_routers().map(router::to_js).collect()
    }

    /// The router's exact traffic split (SPEC R5). Throws `NotFoundError`,
    /// `PermissionDeniedError`, `NoCapacityError` (0 replicas in total).
    #[wasm_bindgen(js_name = trafficSplit, unchecked_return_type = "TrafficSplit")]
    pub fn traffic_split(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] router: &JsValue,
    ) -> JsResult<JsValue> {
        let split = self.inner.traffic_split(&string(router, "router")?).js()?;
        Ok(share::to_js(&split))
    }

    /// Routes a request by its `model` field for `callerAccount` (SPEC R6)
    /// and returns the chosen deployment's full name. A router name picks by
    /// the router's strategy; a deployment name routes to it.
    ///
    /// An `even-load` router picks weighted-random here; pass a
    /// `LoadTracker` to `routeRequestWithLoad` to balance load.
    ///
    /// Throws `NotFoundError`, `PermissionDeniedError` (another account's
    /// private router or deployment), `NoCapacityError`, `ValidationError`
    /// (malformed names).
    pub fn route(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] model: &JsValue,
        #[wasm_bindgen(js_name = callerAccount, unchecked_param_type = "string")]
        caller_account: &JsValue,
    ) -> JsResult<JsString> {
        let model = string(model, "model")?;
        let caller = string(caller_account, "callerAccount")?;
        Ok(self.inner.route(&model, &caller).js()?.to_string().into())
    }

    /// Routes `n` requests for `model` at once, for simulations: each as
    /// `route` would (the same deployments as `n` calls, from the same
    /// generator). Returns `{ deployments, picks }`: `deployments[picks[i]]`
    /// is request `i`'s deployment. Throws as `route` (before anything is
    /// drawn), plus `ValidationError` (`LIMIT_EXCEEDED`) above 2^28.
    #[wasm_bindgen(js_name = routeMany, unchecked_return_type = "RouteBatch")]
    pub fn route_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] model: &JsValue,
        #[wasm_bindgen(js_name = callerAccount, unchecked_param_type = "string")]
        caller_account: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] n: &JsValue,
    ) -> JsResult<JsValue> {
        let model = string(model, "model")?;
        let caller = string(caller_account, "callerAccount")?;
        let n = crate::selection::batch_len(n)?;
        let mut batch = self.inner.route_many(&model, &caller).js()?;
        let out = crate::convert::u32_array(n)?;
        let mut buffer = [0u32; 4096];
        let mut done = 0u32;
        while done < n {
            let len = (n - done).min(4096);
            let chunk = &mut buffer[..len as usize];
            batch.fill(chunk);
            crate::convert::write_u32s(&out, done, chunk);
            done += len;
        }
        let names = batch.deployments().iter().map(ToString::to_string);
        Ok(object(&[
            ("deployments", crate::convert::js_strings(names).into()),
            ("picks", out.into()),
        ]))
    }

    /// A `LoadTracker` over `router`'s deployments, every count 0, for
    /// routing to an `even-load` router (SPEC R8). After the router's
    /// deployment list changes, make a new one. Throws as `getRouter`.
    #[wasm_bindgen(js_name = loadTracker)]
    pub fn load_tracker(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] router: &JsValue,
    ) -> JsResult<JsLoadTracker> {
        let router = string(router, "router")?;
        Ok(JsLoadTracker::from_core(
            self.inner.load_tracker(&router).js()?,
        ))
    }

    /// Routes a request with an optional session key and round-robin cursor
    /// (SPEC R6-R9). A router with session affinity sends a keyed request to
    /// the key's deployment and replica slot while counts are unchanged,
    /// whatever its strategy; otherwise `weighted-random` and `even-load`
    /// (without a tracker: see `routeRequestWithLoad`) draw by share, and
    /// `weighted-round-robin` picks at `cursor` and returns `nextCursor`.
    /// Throws as `route`, plus `ValidationError` (`LIMIT_EXCEEDED`) for a
    /// keyed request to a huge affinity router.
    #[wasm_bindgen(js_name = routeRequest, unchecked_return_type = "RouteDecision")]
    pub fn route_request(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RouteRequest")] request: &JsValue,
    ) -> JsResult<JsValue> {
        self.decide(request, None)
    }

    /// `routeRequest` with the caller's `LoadTracker`, which an `even-load`
    /// router balances (SPEC R8): the deployment with the lowest in-flight
    /// count per replica, ties weighted-random. Other strategies ignore it.
    /// (A separate method because an optional class argument would be
    /// consumed by the call.) Throws as `routeRequest`, plus `NotFoundError`
    /// when `load` does not count one of the router's deployments.
    #[wasm_bindgen(js_name = routeRequestWithLoad, unchecked_return_type = "RouteDecision")]
    pub fn route_request_with_load(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RouteRequest")] request: &JsValue,
        load: &JsLoadTracker,
    ) -> JsResult<JsValue> {
        self.decide(request, Some(load))
    }

    // ----- migrations -----

    /// Plans a zero-downtime migration of a router's traffic from one
    /// deployment to another (SPEC M1-M5). Nothing changes; apply the steps
    /// with `applyStep`.
    ///
    /// Throws `ValidationError` (schedule, floor and ceiling codes,
    /// `DEPLOYMENT_NOT_IN_ROUTER`, `SAME_DEPLOYMENT`, ...), `NotFoundError`,
    /// `PermissionDeniedError`, `InfeasiblePlanError` (`INFEASIBLE_PLAN`,
    /// saying which constraint blocks the plan and what would unblock it).
    #[wasm_bindgen(js_name = planMigration)]
    pub fn plan_migration(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MigrationRequest")] request: &JsValue,
    ) -> JsResult<JsMigrationPlan> {
        let request = request_from_js(request)?;
        Ok(JsMigrationPlan::from_core(
            self.inner.plan_migration(&request).js()?,
        ))
    }

    /// `Registry(account='my-account', deployments=2, routers=1,
    /// total_accounts=1, total_deployments=2, total_routers=1)`: the acting
    /// account, how many deployments and routers it has, and the totals over
    /// every account (what Python's `repr` shows; Node's `util.inspect` shows
    /// it too).
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        self.inner.to_string().into()
    }

    /// Applies every remaining step of `plan` in order (SPEC M6) and returns
    /// how many it applied: from the first step whose starting state the
    /// registry is in (none when the plan is done). Each step is atomic; on
    /// an error the earlier steps stay applied. Throws `ConflictError`
    /// (`STEP_NOT_APPLICABLE`) when the registry is in no state of the plan,
    /// and the errors of `applyStep`.
    #[wasm_bindgen(js_name = applyPlan)]
    pub fn apply_plan(&mut self, plan: &JsMigrationPlan) -> JsResult<u32> {
        let applied = self.inner.apply_plan(plan.inner()).js()?;
        // A plan has at most a few hundred steps.
        Ok(u32::try_from(applied).unwrap_or(u32::MAX))
    }

    /// Applies step `step` (zero-based) of `plan` (SPEC M6), atomically.
    /// Throws `ValidationError` (`STEP_OUT_OF_RANGE`), `ConflictError`
    /// (`STEP_NOT_APPLICABLE`, naming the first difference between the
    /// registry and the plan) or any error of the underlying operations;
    /// `TypeError` (`INVALID_ARGUMENT`) when `plan` is not a
    /// `MigrationPlan`, (`OBJECT_FREED`) when it was freed.
    #[wasm_bindgen(js_name = applyStep)]
    pub fn apply_step(
        &mut self,
        plan: &JsMigrationPlan,
        #[wasm_bindgen(unchecked_param_type = "number")] step: &JsValue,
    ) -> JsResult<()> {
        let step = crate::convert::u32_value(step, "step")?;
        self.inner.apply_step(plan.inner(), step as usize).js()
    }
}
