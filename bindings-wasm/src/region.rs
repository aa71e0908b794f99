//! `Region` and `RegionCatalog` (SPEC G1, G2).

use js_sys::{Array, JsString};
use replica_router::{Region, RegionCatalog};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{get, js_strings, must_be, string, string_list};
use crate::errors::{IntoJs, JsResult, type_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_REGION: &'static str = r#"
/** A region: a `Region` object or its name (canonical or host form). */
export type RegionInput = Region | string;
/** A region catalog: a `RegionCatalog` object or a list of region names. */
export type CatalogInput = RegionCatalog | string[];
"#;

/// A region from a `Region` object or a region name.
pub(crate) fn region_arg(value: &JsValue, what: &str) -> JsResult<Region> {
    let name = if value.is_string() {
        string(value, what)?
    } else if value.is_object() {
        // A `Region` object: its canonical name.
        let canonical = get(value, "canonical")?;
        if !canonical.is_string() {
            return Err(type_error(&format!(
                "{what} must be a Region or a region name, got an object without `canonical`"
            )));
        }
        string(&canonical, what)?
    } else {
        return Err(type_error(&must_be(
            what,
            "a Region or a region name",
            value,
        )));
    };
    Region::new(&name).js()
}

/// A catalog from a `RegionCatalog` object or a list of region names;
/// `undefined`/`null` is `None` (the caller picks the default).
pub(crate) fn catalog_arg(value: &JsValue, what: &str) -> JsResult<Option<RegionCatalog>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let list = if value.is_object() && !get(value, "regions")?.is_undefined() {
        get(value, "regions")?
    } else {
        value.clone()
    };
    let names = string_list(&list, what)?;
    RegionCatalog::new(&names).js().map(Some)
}

/// A region name, canonical upper case (SPEC G1): `US_ARIZONA_1`. The
/// host form `us-arizona-1` (any case) is accepted too.
#[wasm_bindgen(js_name = Region)]
#[derive(Clone)]
pub struct JsRegion {
    inner: Region,
}

impl JsRegion {
    /// Wraps a core region.
    pub(crate) fn from_core(inner: Region) -> JsRegion {
        JsRegion { inner }
    }
}

#[wasm_bindgen(js_class = Region)]
impl JsRegion {
    /// Parses a region name. Throws `ValidationError` (`INVALID_REGION`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
    ) -> JsResult<JsRegion> {
        Ok(JsRegion {
            inner: Region::new(&string(name, "region")?).js()?,
        })
    }

    /// The canonical name, `US_ARIZONA_1`.
    #[wasm_bindgen(getter)]
    pub fn canonical(&self) -> JsString {
        self.inner.canonical().into()
    }

    /// The host form, `us-arizona-1`.
    #[wasm_bindgen(getter, js_name = hostLabel)]
    pub fn host_label(&self) -> JsString {
        self.inner.host_label().into()
    }

    /// True when `catalog` (default: the default catalog) lists this region.
    #[wasm_bindgen(js_name = supportsDirectRouting)]
    pub fn supports_direct_routing(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CatalogInput | null")] catalog: &JsValue,
    ) -> JsResult<bool> {
        let catalog = catalog_arg(catalog, "catalog")?.unwrap_or_default();
        Ok(self.inner.supports_direct_routing(&catalog))
    }

    /// The canonical name (as Python's `str`).
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        self.inner.to_string().into()
    }

    /// `Region('US_ARIZONA_1')`, as Python's `repr`: what Node's
    /// `util.inspect` shows.
    #[wasm_bindgen(js_name = __inspect, skip_typescript)]
    pub fn inspect(&self) -> JsString {
        format!("Region('{}')", self.inner).into()
    }

    /// True when `other` names the same region.
    pub fn equals(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RegionInput")] other: &JsValue,
    ) -> JsResult<bool> {
        Ok(region_arg(other, "other")? == self.inner)
    }
}

/// The regions that support direct routing (SPEC G2).
#[wasm_bindgen(js_name = RegionCatalog)]
pub struct JsRegionCatalog {
    inner: RegionCatalog,
}

impl JsRegionCatalog {
    /// Wraps a core catalog.
    pub(crate) fn from_core(inner: RegionCatalog) -> JsRegionCatalog {
        JsRegionCatalog { inner }
    }
}

#[wasm_bindgen(js_class = RegionCatalog)]
impl JsRegionCatalog {
    /// A catalog of the given region names (canonical or host form).
    /// Throws `ValidationError` (`INVALID_REGION`) for a bad name.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string[]")] regions: &JsValue,
    ) -> JsResult<JsRegionCatalog> {
        let names = string_list(regions, "regions")?;
        Ok(JsRegionCatalog {
            inner: RegionCatalog::new(&names).js()?,
        })
    }

    /// The default catalog: the ten regions of the reference docs.
    #[wasm_bindgen(js_name = default)]
    pub fn default_catalog() -> JsRegionCatalog {
        JsRegionCatalog {
            inner: RegionCatalog::default(),
        }
    }

    /// The canonical names, sorted.
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn regions(&self) -> Array {
        js_strings(self.inner.regions().map(Region::canonical))
    }

    /// How many regions the catalog lists.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// True when the catalog lists `region`. Throws `ValidationError`
    /// (`INVALID_REGION`) for a malformed name.
    pub fn supports(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RegionInput")] region: &JsValue,
    ) -> JsResult<bool> {
        Ok(self.inner.supports(&region_arg(region, "region")?))
    }

    /// Throws `ValidationError` (`UNSUPPORTED_REGION`, listing the supported
    /// regions) unless the catalog lists `region`.
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RegionInput")] region: &JsValue,
    ) -> JsResult<()> {
        self.inner.check(&region_arg(region, "region")?).js()
    }

    /// `RegionCatalog(['EU_PARIS_1', 'US_IOWA_1'])`, as Python's `repr`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> JsString {
        let mut out = String::from("RegionCatalog([");
        for (i, region) in self.inner.regions().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("'{}'", region.canonical()));
        }
        out.push_str("])");
        out.into()
    }
}
