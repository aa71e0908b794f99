//! `DirectRoute`: region-pinned Internet endpoints with their own API keys
//! (SPEC G4-G6).

use js_sys::{JsString, Uint8Array};
use replica_router::{DirectRoute, Error, Id, IdKind, KeySecret, ResourceKind, ResourceName};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::convert::{Fields, opt_string, string, string_list};
use crate::errors::{IntoJs, JsResult, coded_like, type_error};
use crate::region::{JsRegion, catalog_arg, region_arg};
use crate::selection::seed;

#[wasm_bindgen(typescript_custom_section)]
const TS_DIRECT_ROUTE: &'static str = r#"
/** Options of `new DirectRoute(...)`. */
export interface DirectRouteOptions {
  /** The catalog that decides which regions support direct routing; default: the default catalog. */
  catalog?: CatalogInput | null;
  /** The handle's domain suffix; default `direct.fireworks.ai`. */
  domain?: string | null;
  /** Draws the keys' salts; default: `crypto.getRandomValues`. */
  seed?: SeedInput;
  /** Keys the digests with HMAC-SHA-256 (SPEC G6). */
  keySecret?: KeySecretInput;
}

/** A key secret (SPEC G6): 16 to 64 bytes, or a string of as many UTF-8 bytes. */
export type KeySecretInput = Uint8Array | string | null | undefined;
"#;

/// A `keySecret` argument: a `Uint8Array` or a string (its UTF-8 bytes);
/// `null`/`undefined` for none.
///
/// A string with a lone surrogate is `ValidationError` (`INVALID_KEY_SECRET`),
/// not converted lossily as names are: wasm-bindgen would turn each lone
/// surrogate into U+FFFD, so two distinct secrets could key the same
/// digests.
pub(crate) fn key_secret(value: &JsValue) -> JsResult<Option<KeySecret>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    // A Uint8Array, else a string (whose check names the type error).
    let bytes = match value.dyn_ref::<Uint8Array>() {
        Some(array) => array.to_vec(),
        None => {
            let text = string(value, "keySecret")?;
            if !value.unchecked_ref::<JsString>().is_valid_utf16() {
                return Err(coded_like(
                    &Error::InvalidKeySecret { len: text.len() },
                    "keySecret: a string secret must be valid UTF-16 (it holds a lone \
                     surrogate, which has no UTF-8 form); pass a Uint8Array instead",
                ));
            }
            text.into_bytes()
        }
    };
    KeySecret::new(&bytes).js().map(Some)
}

/// A deployment name for a handle: a full name, or a bare ID with `account`.
fn deployment_name(deployment: &JsValue, account: &JsValue) -> JsResult<ResourceName> {
    let deployment = string(deployment, "deployment")?;
    let account = match opt_string(account, "account")? {
        Some(a) => Id::new(&a, IdKind::Account).js()?,
        None if !deployment.contains('/') => {
            return Err(type_error(
                "a bare deployment ID needs the account argument; or pass a full name \
                 accounts/{account}/deployments/{id}",
            ));
        }
        // A full name carries its account; this default is never used.
        None => Id::new("unused", IdKind::Account).js()?,
    };
    ResourceName::parse(&deployment, ResourceKind::Deployment, &account).js()
}

/// An Internet (`INTERNET`) direct route of a region-pinned deployment
/// (SPEC G4): its region, a salted digest of each of its API keys (SPEC G6),
/// and the handle's domain. Keys are never shown, serialized or returned.
#[wasm_bindgen(js_name = DirectRoute)]
pub struct JsDirectRoute {
    inner: DirectRoute,
}

impl JsDirectRoute {
    /// Wraps a core direct route.
    pub(crate) fn from_core(inner: DirectRoute) -> JsDirectRoute {
        JsDirectRoute { inner }
    }
}

#[wasm_bindgen(js_class = DirectRoute)]
impl JsDirectRoute {
    /// A direct route in `region` guarded by `apiKeys` (1 to 64 keys, each 1
    /// to 256 ASCII letters or digits, no duplicates). `seed` draws the keys'
    /// salts (omitted: `crypto.getRandomValues`); `keySecret` keys their
    /// digests with HMAC-SHA-256.
    ///
    /// Throws `ValidationError` with code `INVALID_REGION`,
    /// `UNSUPPORTED_REGION`, `NO_API_KEYS`, `INVALID_API_KEY`,
    /// `DUPLICATE_API_KEY`, `LIMIT_EXCEEDED`, `INVALID_DOMAIN`,
    /// `INVALID_SEED` or `INVALID_KEY_SECRET`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RegionInput")] region: &JsValue,
        #[wasm_bindgen(js_name = apiKeys, unchecked_param_type = "string[]")] api_keys: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DirectRouteOptions | null")]
        options: &JsValue,
    ) -> JsResult<JsDirectRoute> {
        let region = region_arg(region, "region")?;
        let keys = string_list(api_keys, "apiKeys")?;
        let options = Fields::new(
            options,
            "options",
            &["catalog", "domain", "seed", "keySecret"],
            true,
        )?;
        let catalog = catalog_arg(&options.raw("catalog")?, "catalog")?.unwrap_or_default();
        let domain = options.opt_string("domain")?;
        let seed = seed(&options.raw("seed")?)?;
        let secret = key_secret(&options.raw("keySecret")?)?;
        let mut inner =
            DirectRoute::with_catalog(region, &keys, &catalog, seed, secret.as_ref()).js()?;
        if let Some(domain) = domain {
            inner = inner.with_domain(&domain).js()?;
        }
        Ok(JsDirectRoute { inner })
    }

    /// The region.
    #[wasm_bindgen(getter)]
    pub fn region(&self) -> JsRegion {
        JsRegion::from_core(self.inner.region().clone())
    }

    /// The handle's domain suffix, `direct.fireworks.ai` by default.
    #[wasm_bindgen(getter)]
    pub fn domain(&self) -> JsString {
        self.inner.domain().into()
    }

    /// How many API keys guard the route.
    #[wasm_bindgen(getter, js_name = keyCount)]
    pub fn key_count(&self) -> u32 {
        u32::try_from(self.inner.key_count()).unwrap_or(u32::MAX)
    }

    /// Whether a key secret keys the route's digests.
    #[wasm_bindgen(getter, js_name = isKeyed)]
    pub fn is_keyed(&self) -> bool {
        self.inner.is_keyed()
    }

    /// The handle of `deployment` (SPEC G5):
    /// `{account}-{deployment}.{region host form}.{domain}`. `deployment` is
    /// a full name, or a bare ID together with `account`.
    ///
    /// Throws `ValidationError` (`HANDLE_TOO_LONG`, name errors).
    pub fn handle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] deployment: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] account: &JsValue,
    ) -> JsResult<JsString> {
        let name = deployment_name(deployment, account)?;
        Ok(self.inner.handle(&name).js()?.into())
    }

    /// `https://{handle}/v1`, arguments as for `handle`.
    #[wasm_bindgen(js_name = baseUrl)]
    pub fn base_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] deployment: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] account: &JsValue,
    ) -> JsResult<JsString> {
        let name = deployment_name(deployment, account)?;
        Ok(self.inner.base_url(&name).js()?.into())
    }

    /// Checks an `Authorization` header value (`Bearer <key>`, scheme in any
    /// case; SPEC G6) in time independent of where keys differ. Returns
    /// nothing on success; throws `AuthError` with code `UNAUTHENTICATED`
    /// (missing or malformed header) or `FORBIDDEN` (unknown key).
    pub fn authorize(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] header: &JsValue,
    ) -> JsResult<()> {
        let header = opt_string(header, "header")?;
        self.inner.authorize(header.as_deref()).js()
    }

    /// A description without keys: `INTERNET direct route in US_ARIZONA_1 (1
    /// API key, *.direct.fireworks.ai)` (as Python's `str`).
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        self.inner.to_string().into()
    }

    /// `DirectRoute(region='US_ARIZONA_1', keyCount=1,
    /// domain='direct.fireworks.ai')`, as Python's `repr`: what Node's
    /// `util.inspect` shows.
    #[wasm_bindgen(js_name = __inspect, skip_typescript)]
    pub fn inspect(&self) -> JsString {
        format!(
            "DirectRoute(region='{}', keyCount={}, domain='{}')",
            self.inner.region(),
            self.inner.key_count(),
            self.inner.domain()
        )
        .into()
    }
}
