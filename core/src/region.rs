//! Regions and the direct-routing region catalog (SPEC G1, G2).
//!
//! | rule | items |
//! | --- | --- |
//! | G1 region names | [`Region`] |
//! | G2 region catalog | [`RegionCatalog`] |

use std::fmt;

use crate::error::{Error, Result};
use crate::support::ordered_map::{Keyed, sort_find_repeat};

/// Longest region name accepted, in characters: the host form is one DNS
/// label.
const MAX_REGION_LEN: usize = 63;

/// A region (SPEC G1): canonical `US_ARIZONA_1` (two letters, one or more
/// words, a number, joined by `_`). The host form `us-arizona-1` is accepted
/// in any case, and so is the canonical form in any case; the separators must
/// not be mixed. Display is canonical.
///
/// ```
/// use replica_router::Region;
/// let r: Region = "us-arizona-1".parse().unwrap();
/// assert_eq!(r.canonical(), "US_ARIZONA_1");
/// assert_eq!(r.host_label(), "us-arizona-1");
/// assert_eq!(r, Region::new("US_ARIZONA_1").unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(String);

impl Region {
    /// Parses a region in canonical or host form.
    ///
    /// # Errors
    /// [`Error::InvalidRegion`] quoting the input when it is not two letters,
    /// one or more words of letters and a number, joined all by `_` or all by
    /// `-`, at most 63 characters.
    pub fn new(input: &str) -> Result<Region> {
        let invalid = || Error::InvalidRegion {
            input: input.to_owned(),
        };
        if input.is_empty() || input.len() > MAX_REGION_LEN {
            return Err(invalid());
        }
        let sep = if input.contains('_') { '_' } else { '-' };
        let parts: Vec<&str> = input.split(sep).collect();
        let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
            return Err(invalid());
        };
        let letters = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphabetic());
        let ok = parts.len() >= 3
            && first.len() == 2
            && letters(first)
            && parts[1..parts.len() - 1].iter().all(|p| letters(p))
            && !last.is_empty()
            && last.bytes().all(|c| c.is_ascii_digit());
        if !ok {
            return Err(invalid());
        }
        Ok(Region(input.to_ascii_uppercase().replace('-', "_")))
    }

    /// Canonical form, e.g. `US_ARIZONA_1`.
    pub fn canonical(&self) -> &str {
        &self.0
    }

    /// Host form, e.g. `us-arizona-1`, as used in direct-route handles.
    pub fn host_label(&self) -> String {
        self.0.to_ascii_lowercase().replace('_', "-")
    }

    /// True when `catalog` lists this region for direct routing.
    pub fn supports_direct_routing(&self, catalog: &RegionCatalog) -> bool {
        catalog.supports(self)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Region {
    type Err = Error;
    fn from_str(s: &str) -> Result<Region> {
        Region::new(s)
    }
}

/// The regions that support direct routing (SPEC G2).
///
/// [`RegionCatalog::default`] is exactly the ten regions of the reference
/// documentation; callers can build their own with [`RegionCatalog::new`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RegionCatalog {
    /// Sorted by canonical name, no duplicates.
    regions: Vec<Region>,
}

impl RegionCatalog {
    /// The ten regions the reference lists as supporting direct routing, in
    /// the reference's order.
    pub const DEFAULT_REGIONS: [&'static str; 10] = [
        "US_IOWA_1",
        "US_VIRGINIA_1",
        "US_ARIZONA_1",
        "US_ILLINOIS_1",
        "US_TEXAS_1",
        "US_ILLINOIS_2",
        "EU_FRANKFURT_1",
        "US_WASHINGTON_3",
        "US_WASHINGTON_1",
        "AP_TOKYO_1",
    ];

    /// A catalog of the given regions (canonical or host form; duplicates
    /// are merged). An empty catalog is allowed: it supports no region.
    ///
    /// # Errors
    /// [`Error::InvalidRegion`] for the first invalid name;
    /// [`Error::LimitExceeded`] for more than
    /// [`MAX_CATALOG_REGIONS`](crate::limits::MAX_CATALOG_REGIONS) names
    /// (duplicates included). Nothing is built.
    pub fn new<I, S>(regions: I) -> Result<RegionCatalog>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        use crate::limits::MAX_CATALOG_REGIONS;
        let mut valid = Vec::new();
        for r in regions {
            if valid.len() == MAX_CATALOG_REGIONS {
                return Err(Error::LimitExceeded {
                    what: "regions in a catalog",
                    limit: MAX_CATALOG_REGIONS,
                    got: MAX_CATALOG_REGIONS + 1,
                });
            }
            valid.push(Region::new(r.as_ref())?);
        }
        Ok(RegionCatalog::sorted(&valid))
    }

    /// A catalog of `regions` sorted and without duplicates. O(n log n).
    fn sorted(regions: &[Region]) -> RegionCatalog {
        let mut keys: Vec<Keyed<'_>> = regions
            .iter()
            .enumerate()
            .map(|(i, r)| ("", r.canonical(), i))
            .collect();
        // The shared sort; the repeat it finds does not matter here.
        sort_find_repeat(&mut keys);
        keys.dedup_by_key(|k| k.1);
        let regions = keys
            .iter()
            .filter_map(|&(_, _, i)| regions.get(i).cloned())
            .collect();
        RegionCatalog { regions }
    }

    /// True when `region` supports direct routing in this catalog. O(log n).
    pub fn supports(&self, region: &Region) -> bool {
        self.regions.binary_search(region).is_ok()
    }

    /// The catalog's regions, sorted by canonical name.
    pub fn regions(&self) -> impl ExactSizeIterator<Item = &Region> + '_ {
        self.regions.iter()
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// True when the catalog supports no region.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Checks that `region` supports direct routing (SPEC G4).
    ///
    /// # Errors
    /// [`Error::UnsupportedRegion`] listing the supported regions.
    pub fn check(&self, region: &Region) -> Result<()> {
        if self.supports(region) {
            Ok(())
        } else {
            Err(Error::UnsupportedRegion {
                region: region.to_string(),
                supported: self.regions.iter().map(ToString::to_string).collect(),
            })
        }
    }
}

impl Default for RegionCatalog {
    fn default() -> RegionCatalog {
        let regions: Vec<Region> = RegionCatalog::DEFAULT_REGIONS
            .iter()
            .map(|r| Region(r.to_string()))
            .collect();
        RegionCatalog::sorted(&regions)
    }
}

/// Formats as a set of regions, `RegionCatalog { regions: {..} }`.
impl fmt::Debug for RegionCatalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Set<'a>(&'a [Region]);
        impl fmt::Debug for Set<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_set().entries(self.0).finish()
            }
        }
        f.debug_struct("RegionCatalog")
            .field("regions", &Set(&self.regions))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn g1_forms() {
        for ok in [
            "US_ARIZONA_1",
            "us-arizona-1",
            "US-Arizona-1",
            "eu_frankfurt_12",
            "AP_NEW_YORK_3",
        ] {
            Region::new(ok).unwrap();
        }
        for bad in [
            "",
            "US_1",
            "USA_ARIZONA_1",
            "US_ARIZONA",
            "US-ARIZONA_1",
            "US__1",
            "U1_X_1",
            "US_AR1ZONA_1",
            "US_ARIZONA_1_",
        ] {
            assert!(
                matches!(Region::new(bad), Err(Error::InvalidRegion { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn g2_default_catalog_constants_are_canonical() {
        for r in RegionCatalog::DEFAULT_REGIONS {
            assert_eq!(Region::new(r).unwrap().canonical(), r);
        }
        assert_eq!(RegionCatalog::default().len(), 10);
    }

    /// SPEC G2: a catalog lists its regions sorted by canonical name, once
    /// each, whatever the input order and form.
    #[test]
    fn g2_catalog_is_sorted_and_deduplicated() {
        let catalog = RegionCatalog::new([
            "us-texas-1",
            "AP_TOKYO_1",
            "US_TEXAS_1",
            "eu-frankfurt-1",
            "ap-tokyo-1",
        ])
        .unwrap();
        let names: Vec<&str> = catalog.regions().map(Region::canonical).collect();
        assert_eq!(names, ["AP_TOKYO_1", "EU_FRANKFURT_1", "US_TEXAS_1"]);
        assert_eq!(catalog.len(), 3);
        assert!(catalog.supports(&Region::new("eu-frankfurt-1").unwrap()));
        assert!(!catalog.supports(&Region::new("US_IOWA_1").unwrap()));
        assert_eq!(
            format!("{catalog:?}"),
            r#"RegionCatalog { regions: {Region("AP_TOKYO_1"), Region("EU_FRANKFURT_1"), Region("US_TEXAS_1")} }"#
        );
        let same = RegionCatalog::new(["EU_FRANKFURT_1", "US_TEXAS_1", "AP_TOKYO_1"]).unwrap();
        assert_eq!(catalog, same);
        let empty = RegionCatalog::new(Vec::<&str>::new()).unwrap();
        assert!(empty.is_empty());
        assert!(!empty.supports(&Region::new("US_TEXAS_1").unwrap()));

        let default = RegionCatalog::default();
        let mut expected = RegionCatalog::DEFAULT_REGIONS.to_vec();
        expected.sort_unstable();
        let names: Vec<&str> = default.regions().map(Region::canonical).collect();
        assert_eq!(names, expected);
        for r in RegionCatalog::DEFAULT_REGIONS {
            assert!(default.supports(&Region::new(r).unwrap()), "{r}");
        }
        let err = default.check(&Region::new("US_OHIO_1").unwrap());
        assert_eq!(
            err,
            Err(Error::UnsupportedRegion {
                region: "US_OHIO_1".into(),
                supported: expected.iter().map(|r| r.to_string()).collect(),
            })
        );
    }
}
