//! `Region` and `RegionCatalog` (SPEC G1, G2).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use replica_router::limits::MAX_CATALOG_REGIONS;
use replica_router::{Region, RegionCatalog};

use crate::args::seq;
use crate::errors::OrRaise;
use crate::names::Text;

/// A region argument: a `Region` or a name in canonical or host form.
#[derive(FromPyObject)]
pub(crate) enum RegionArg<'py> {
    /// An already parsed region.
    Region(Bound<'py, PyRegion>),
    /// A name, parsed by core.
    Name(Text),
}

impl RegionArg<'_> {
    /// The core region (parsing a name with [`Region::new`]).
    pub(crate) fn to_region(&self, py: Python<'_>) -> PyResult<Region> {
        match self {
            RegionArg::Region(r) => Ok(r.get().inner.clone()),
            RegionArg::Name(s) => Region::new(s.as_str()).or_raise(py),
        }
    }

    /// The region as the string a core spec takes (core validates names).
    pub(crate) fn into_spec_string(self) -> String {
        match self {
            RegionArg::Region(r) => r.get().inner.canonical().to_owned(),
            RegionArg::Name(s) => s.0,
        }
    }
}

/// A region (SPEC G1): canonical ``US_ARIZONA_1``; the host form
/// ``us-arizona-1`` (any case) is accepted too.
///
/// Example:
///
///     >>> from replica_router import Region
///     >>> r = Region("us-arizona-1")
///     >>> r.canonical, r.host_label
///     ('US_ARIZONA_1', 'us-arizona-1')
///     >>> r == Region("US_ARIZONA_1"), r.supports_direct_routing()
///     (True, True)
///
/// A region also equals a ``str`` naming the same region in either
/// spelling and any case (``r == "US_ARIZONA_1" == ...`` and
/// ``r == "us-arizona-1"``), so ``deployment.region == "US_ARIZONA_1"``
/// works. ``hash(r)`` is ``hash(r.canonical)``: a region and its canonical
/// string are interchangeable as dict keys and set members (a ``str`` key
/// in the host form is a different key, as it is among strings).
///
///     >>> r == "US_ARIZONA_1", r == "us-arizona-1", r == "US_IOWA_1"
///     (True, True, False)
///     >>> {r: 1}["US_ARIZONA_1"]
///     1
#[pyclass(module = "replica_router", name = "Region", frozen)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyRegion {
    pub(crate) inner: Region,
}

impl From<Region> for PyRegion {
    fn from(inner: Region) -> Self {
        PyRegion { inner }
    }
}

#[pymethods]
impl PyRegion {
    /// Parses a region name in canonical or host form.
    ///
    /// Raises ValidationError (code ``INVALID_REGION``) when it is not two
    /// letters, one or more words and a number.
    ///
    ///     >>> Region("EU_FRANKFURT_1")
    ///     Region('EU_FRANKFURT_1')
    #[new]
    fn new(py: Python<'_>, name: RegionArg<'_>) -> PyResult<Self> {
        Ok(name.to_region(py)?.into())
    }

    /// Canonical name, e.g. ``'US_ARIZONA_1'``.
    ///
    ///     >>> Region("us-iowa-1").canonical
    ///     'US_IOWA_1'
    #[getter]
    fn canonical(&self) -> &str {
        self.inner.canonical()
    }

    /// Host form, e.g. ``'us-arizona-1'``, as used in direct-route handles.
    ///
    ///     >>> Region("US_IOWA_1").host_label
    ///     'us-iowa-1'
    #[getter]
    fn host_label(&self) -> String {
        self.inner.host_label()
    }

    /// True when ``catalog`` (default: the ten regions of the reference)
    /// supports direct routing in this region (SPEC G2).
    ///
    ///     >>> Region("US_IOWA_1").supports_direct_routing()
    ///     True
    ///     >>> Region("US_OHIO_1").supports_direct_routing(RegionCatalog(["US_OHIO_1"]))
    ///     True
    #[pyo3(signature = (catalog=None))]
    fn supports_direct_routing(&self, catalog: Option<&Bound<'_, PyRegionCatalog>>) -> bool {
        match catalog {
            Some(c) => self.inner.supports_direct_routing(&c.get().inner),
            None => self
                .inner
                .supports_direct_routing(&RegionCatalog::default()),
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.extract::<RegionArg<'_>>() {
            Ok(RegionArg::Region(r)) => r.get().inner == self.inner,
            // A str that is no region equals no region.
            Ok(RegionArg::Name(s)) => Region::new(s.as_str()).is_ok_and(|r| r == self.inner),
            Err(_) => false,
        }
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        PyString::new(py, self.inner.canonical()).hash()
    }

    fn __repr__(&self) -> String {
        format!("Region('{}')", self.inner)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }
}

/// The regions that support direct routing (SPEC G2). ``RegionCatalog()``
/// is the default: exactly the ten regions of the reference documentation.
///
/// Example:
///
///     >>> from replica_router import Region, RegionCatalog
///     >>> len(RegionCatalog()), "US_ARIZONA_1" in RegionCatalog()
///     (10, True)
///     >>> mine = RegionCatalog(["us-ohio-1", "EU_PARIS_2"])
///     >>> [r.canonical for r in mine]
///     ['EU_PARIS_2', 'US_OHIO_1']
#[pyclass(module = "replica_router", name = "RegionCatalog", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyRegionCatalog {
    pub(crate) inner: RegionCatalog,
}

#[pymethods]
impl PyRegionCatalog {
    /// A catalog of ``regions`` (names or ``Region`` objects; duplicates are
    /// merged; an empty list supports no region), or the default catalog when
    /// ``regions`` is None.
    ///
    /// Raises ValidationError (``INVALID_REGION``) for the first bad name.
    ///
    ///     >>> RegionCatalog(["US_OHIO_1", "us-ohio-1"])
    ///     RegionCatalog(['US_OHIO_1'])
    #[new]
    #[pyo3(signature = (regions=None))]
    fn new(py: Python<'_>, regions: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let inner = match regions.filter(|r| !r.is_none()) {
            None => RegionCatalog::default(),
            Some(list) => {
                let names = seq(
                    list,
                    "regions",
                    "items in regions",
                    MAX_CATALOG_REGIONS,
                    |item, path| match item.extract::<RegionArg<'_>>() {
                        Ok(r) => Ok(r.into_spec_string()),
                        Err(_) => Err(PyTypeError::new_err(format!(
                            "{path} must be a Region or str"
                        ))),
                    },
                )?;
                RegionCatalog::new(&names).or_raise(py)?
            }
        };
        Ok(PyRegionCatalog { inner })
    }

    /// The ten regions of the default catalog, in the reference's order.
    ///
    ///     >>> RegionCatalog.DEFAULT_REGIONS[0]
    ///     'US_IOWA_1'
    #[classattr]
    #[allow(non_snake_case)]
    fn DEFAULT_REGIONS() -> Vec<&'static str> {
        RegionCatalog::DEFAULT_REGIONS.to_vec()
    }

    /// The regions, sorted by canonical name.
    ///
    ///     >>> RegionCatalog(["US_OHIO_1"]).regions
    ///     [Region('US_OHIO_1')]
    #[getter]
    fn regions(&self) -> Vec<PyRegion> {
        self.inner.regions().cloned().map(PyRegion::from).collect()
    }

    /// True when the catalog supports ``region`` (a ``Region`` or a name).
    ///
    /// Raises ValidationError for a malformed name.
    ///
    ///     >>> RegionCatalog().supports("ap-tokyo-1")
    ///     True
    fn supports(&self, py: Python<'_>, region: RegionArg<'_>) -> PyResult<bool> {
        Ok(self.inner.supports(&region.to_region(py)?))
    }

    /// Returns None when the catalog supports ``region``; otherwise raises
    /// ValidationError (``UNSUPPORTED_REGION``) listing the supported ones.
    ///
    ///     >>> RegionCatalog().check("US_IOWA_1")
    fn check(&self, py: Python<'_>, region: RegionArg<'_>) -> PyResult<()> {
        self.inner.check(&region.to_region(py)?).or_raise(py)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// ``region in catalog``: False for anything that is not a region.
    fn __contains__(&self, py: Python<'_>, region: &Bound<'_, PyAny>) -> bool {
        region
            .extract::<RegionArg<'_>>()
            .ok()
            .and_then(|r| r.to_region(py).ok())
            .is_some_and(|r| self.inner.supports(&r))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self.regions())?.try_iter()?.into_any())
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self
            .inner
            .regions()
            .map(|r| format!("'{}'", r.canonical()))
            .collect();
        format!("RegionCatalog([{}])", names.join(", "))
    }
}
