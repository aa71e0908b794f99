//! `DirectRoute`: Internet direct routing (SPEC G4, G5, G6).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString, PyTuple};
use replica_router::limits::MAX_API_KEYS;
use replica_router::{
    DEFAULT_DIRECT_DOMAIN, DirectRoute, Error, Id, IdKind, KeySecret, RegionCatalog, ResourceKind,
    ResourceName,
};

use crate::args::str_seq;
use crate::deployment::PyDeployment;
use crate::errors::{OrRaise, validation_error};
use crate::names::Text;
use crate::region::{PyRegion, PyRegionCatalog, RegionArg};
use crate::selection::seed_from_py;

/// A ``key_secret`` argument: bytes, bytearray or str (its UTF-8 bytes),
/// 16 to 64 bytes (SPEC G6); None for no secret.
pub(crate) fn key_secret_from_py(
    py: Python<'_>,
    secret: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<KeySecret>> {
    let Some(secret) = secret.filter(|s| !s.is_none()) else {
        return Ok(None);
    };
    let new = |b: &[u8]| KeySecret::new(b).or_raise(py).map(Some);
    if let Ok(b) = secret.cast::<PyBytes>() {
        new(b.as_bytes())
    } else if let Ok(b) = secret.cast::<PyByteArray>() {
        new(&b.to_vec())
    } else if let Ok(s) = secret.cast::<PyString>() {
        // Unlike names (crate::names::Text), a secret is not made lossy:
        // lone surrogates would collapse distinct secrets into one.
        match s.to_cow() {
            Ok(text) => new(text.as_bytes()),
            Err(_) => Err(validation_error(
                py,
                "INVALID_KEY_SECRET",
                "key_secret: a str secret must be encodable as UTF-8 (it holds a lone \
                 surrogate); pass bytes instead",
            )),
        }
    } else {
        Err(PyTypeError::new_err(format!(
            "key_secret must be bytes, bytearray, str or None, not {}",
            secret.get_type().name()?
        )))
    }
}

/// A deployment argument: a `Deployment` or its resource name.
#[derive(FromPyObject)]
pub(crate) enum DeploymentArg<'py> {
    /// A deployment returned by a registry.
    Deployment(Bound<'py, PyDeployment>),
    /// `accounts/{account}/deployments/{id}`, or a bare ID with `account=`.
    Name(Text),
}

const FULL_NAME_EXPECTED: &str =
    "accounts/{account}/deployments/{id}, or a bare deployment ID together with account=...";

impl DeploymentArg<'_> {
    fn to_name(&self, py: Python<'_>, account: Option<&Text>) -> PyResult<ResourceName> {
        match (self, account) {
            (DeploymentArg::Deployment(d), _) => Ok(d.get().inner.name().clone()),
            (DeploymentArg::Name(s), Some(account)) => {
                let account = Id::new(account.as_str(), IdKind::Account).or_raise(py)?;
                ResourceName::parse(s.as_str(), ResourceKind::Deployment, &account).or_raise(py)
            }
            (DeploymentArg::Name(s), None) => {
                let s = s.as_str();
                if !s.contains('/') {
                    // Without an account a bare ID names nothing.
                    return Err(Error::InvalidResourceName {
                        input: s.to_owned(),
                        expected: FULL_NAME_EXPECTED,
                    })
                    .or_raise(py);
                }
                // Any account: a full name does not use it.
                let any = Id::new("a", IdKind::Account).or_raise(py)?;
                ResourceName::parse(s, ResourceKind::Deployment, &any).or_raise(py)
            }
        }
    }
}

/// A region-pinned direct route guarded by its own API keys (SPEC G4-G6).
///
/// Keys are kept only as salted digests (SPEC G6): ``SHA-256(salt + key)``
/// with a 16-byte salt per key drawn from ``seed``, or
/// ``HMAC-SHA-256(key_secret, salt + key)`` with a ``key_secret``. They never
/// appear in ``repr``, errors, snapshots or pickles.
///
/// Example:
///
///     >>> from replica_router import DirectRoute
///     >>> route = DirectRoute("US_ARIZONA_1", ["secret1"])
///     >>> route.handle("accounts/my-account/deployments/abcd1234")
///     'my-account-abcd1234.us-arizona-1.direct.fireworks.ai'
///     >>> route.base_url("abcd1234", account="my-account")
///     'https://my-account-abcd1234.us-arizona-1.direct.fireworks.ai/v1'
///     >>> route.authorize("Bearer secret1")
///     >>> route
///     DirectRoute(region='US_ARIZONA_1', key_count=1, domain='direct.fireworks.ai')
#[pyclass(module = "replica_router", name = "DirectRoute", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyDirectRoute {
    pub(crate) inner: DirectRoute,
}

#[pymethods]
impl PyDirectRoute {
    /// A direct route in ``region`` (a ``Region`` or a name) guarded by
    /// ``api_keys`` (1 to 64 distinct keys of 1-256 ASCII letters or digits).
    /// ``domain`` replaces the handle suffix ``direct.fireworks.ai``;
    /// ``catalog`` (default: the reference's ten regions) says which regions
    /// support direct routing.
    ///
    /// ``seed`` (an int in ``0..2**64``, 32 bytes, or None for OS entropy,
    /// as for ``Registry``) draws the keys' salts: the same seed and keys
    /// give the same digests. ``key_secret`` (16 to 64 bytes, or a str of
    /// as many UTF-8 bytes) keys the digests with HMAC-SHA-256; it is never
    /// stored in :meth:`to_json` or pickles.
    ///
    /// Raises ValidationError: ``INVALID_REGION``, ``UNSUPPORTED_REGION``,
    /// ``NO_API_KEYS``, ``INVALID_API_KEY``, ``DUPLICATE_API_KEY``,
    /// ``LIMIT_EXCEEDED``, ``INVALID_DOMAIN``, ``INVALID_SEED``,
    /// ``INVALID_KEY_SECRET``. Errors name keys by position.
    ///
    ///     >>> DirectRoute("EU_FRANKFURT_1", ["k1", "k2"], domain="example.com").domain
    ///     'example.com'
    #[new]
    #[pyo3(signature = (region, api_keys, *, seed=None, key_secret=None, domain=None, catalog=None))]
    fn new(
        py: Python<'_>,
        region: RegionArg<'_>,
        api_keys: &Bound<'_, PyAny>,
        seed: Option<&Bound<'_, PyAny>>,
        key_secret: Option<&Bound<'_, PyAny>>,
        domain: Option<Text>,
        catalog: Option<&Bound<'_, PyRegionCatalog>>,
    ) -> PyResult<Self> {
        let region = region.to_region(py)?;
        let keys = str_seq(api_keys, "api_keys", "items in api_keys", MAX_API_KEYS)?;
        let seed = seed_from_py(py, seed)?;
        let secret = key_secret_from_py(py, key_secret)?;
        let default_catalog;
        let catalog = match catalog {
            Some(c) => &c.get().inner,
            None => {
                default_catalog = RegionCatalog::default();
                &default_catalog
            }
        };
        let mut inner = DirectRoute::with_catalog(region, &keys, catalog, seed, secret.as_ref())
            .or_raise(py)?;
        if let Some(domain) = domain {
            inner = inner.with_domain(domain.as_str()).or_raise(py)?;
        }
        Ok(PyDirectRoute { inner })
    }

    /// The pinned region.
    ///
    ///     >>> DirectRoute("us-iowa-1", ["k"]).region
    ///     Region('US_IOWA_1')
    #[getter]
    fn region(&self) -> PyRegion {
        self.inner.region().clone().into()
    }

    /// The handle domain suffix (default ``'direct.fireworks.ai'``).
    #[getter]
    fn domain(&self) -> &str {
        self.inner.domain()
    }

    /// How many API keys guard the route.
    #[getter]
    fn key_count(&self) -> usize {
        self.inner.key_count()
    }

    /// Whether a key secret keys the route's digests.
    #[getter]
    fn is_keyed(&self) -> bool {
        self.inner.is_keyed()
    }

    /// The route as JSON: region, domain, and per key its salt and digest
    /// (never the key, never the key secret).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Loads a route from :meth:`to_json` output; ``key_secret`` is the
    /// secret its digests are keyed by, if any.
    ///
    /// Raises ValidationError: ``INVALID_JSON``, ``KEY_SECRET_MISMATCH``
    /// (none or another secret given), the constructor's errors.
    ///
    ///     >>> route = DirectRoute("US_ARIZONA_1", ["secret1"], seed=1)
    ///     >>> DirectRoute.from_json(route.to_json()) == route
    ///     True
    #[staticmethod]
    #[pyo3(signature = (json, *, key_secret=None))]
    fn from_json(
        py: Python<'_>,
        json: Text,
        key_secret: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let secret = key_secret_from_py(py, key_secret)?;
        let inner = DirectRoute::from_json(json.as_str(), secret.as_ref()).or_raise(py)?;
        Ok(PyDirectRoute { inner })
    }

    /// Pickling and ``copy`` go through :meth:`to_json` (salted digests).
    /// A route keyed by a secret does not pickle (the secret stays out of
    /// pickles): save :meth:`to_json` and load it with the secret.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        if slf.get().inner.is_keyed() {
            return Err(PyTypeError::new_err(
                "a DirectRoute keyed by a key secret does not pickle (the secret stays out of \
                 pickles): save to_json() and load it with DirectRoute.from_json(json, \
                 key_secret=...)",
            ));
        }
        let from_json = slf.get_type().getattr("from_json")?;
        let json = slf.get().inner.to_json();
        PyTuple::new(
            slf.py(),
            [from_json, PyTuple::new(slf.py(), [json])?.into_any()],
        )
    }

    /// The handle ``{account}-{deployment}.{region host form}.{domain}``
    /// (SPEC G5). ``deployment`` is a ``Deployment``, a full name, or a bare
    /// ID given with ``account``.
    ///
    /// Raises ValidationError: ``HANDLE_TOO_LONG`` when
    /// ``{account}-{deployment}`` exceeds 63 characters, name errors.
    ///
    ///     >>> DirectRoute("US_ARIZONA_1", ["k"]).handle("d1", account="acme")
    ///     'acme-d1.us-arizona-1.direct.fireworks.ai'
    #[pyo3(signature = (deployment, *, account=None))]
    fn handle(
        &self,
        py: Python<'_>,
        deployment: DeploymentArg<'_>,
        account: Option<Text>,
    ) -> PyResult<String> {
        let name = deployment.to_name(py, account.as_ref())?;
        self.inner.handle(&name).or_raise(py)
    }

    /// The base URL ``https://{handle}/v1`` for OpenAI-compatible clients
    /// (SPEC G5). Arguments and errors as :meth:`handle`.
    ///
    ///     >>> DirectRoute("US_ARIZONA_1", ["k"]).base_url("accounts/acme/deployments/d1")
    ///     'https://acme-d1.us-arizona-1.direct.fireworks.ai/v1'
    #[pyo3(signature = (deployment, *, account=None))]
    fn base_url(
        &self,
        py: Python<'_>,
        deployment: DeploymentArg<'_>,
        account: Option<Text>,
    ) -> PyResult<String> {
        let name = deployment.to_name(py, account.as_ref())?;
        self.inner.base_url(&name).or_raise(py)
    }

    /// Authorizes a request by its ``Authorization`` header value (SPEC G6):
    /// ``Bearer <key>``, scheme in any case. Returns None when allowed.
    ///
    /// Raises AuthError: ``UNAUTHENTICATED`` when the header is None, empty
    /// or malformed; ``FORBIDDEN`` when the key is not one of this route's
    /// keys. The comparison takes time independent of where keys differ.
    ///
    ///     >>> route = DirectRoute("US_ARIZONA_1", ["secret1"])
    ///     >>> route.authorize("bearer secret1")
    ///     >>> route.authorize("Bearer nope")
    ///     Traceback (most recent call last):
    ///     ...
    ///     replica_router.AuthError: forbidden: ...
    #[pyo3(signature = (header))]
    fn authorize(&self, py: Python<'_>, header: Option<Text>) -> PyResult<()> {
        self.inner
            .authorize(header.as_ref().map(Text::as_str))
            .or_raise(py)
    }

    /// A plain dict: ``region``, ``domain``, ``key_count`` (never the keys).
    ///
    ///     >>> DirectRoute("US_ARIZONA_1", ["k"]).to_dict()["key_count"]
    ///     1
    pub(crate) fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("region", self.inner.region().canonical())?;
        d.set_item("domain", self.inner.domain())?;
        d.set_item("key_count", self.inner.key_count())?;
        Ok(d)
    }

    /// The default handle domain suffix, ``'direct.fireworks.ai'``.
    #[classattr]
    #[allow(non_snake_case)]
    fn DEFAULT_DOMAIN() -> &'static str {
        DEFAULT_DIRECT_DOMAIN
    }

    fn __repr__(&self) -> String {
        format!(
            "DirectRoute(region='{}', key_count={}, domain='{}')",
            self.inner.region(),
            self.inner.key_count(),
            self.inner.domain()
        )
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }
}
