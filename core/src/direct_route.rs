//! Internet direct routing (SPEC G4, G5, G6).
//!
//! | rule | items |
//! | --- | --- |
//! | G4 direct-route requirements | [`DirectRoute::new`] |
//! | G5 handle | [`DirectRoute`] |
//! | G6 authorization | [`DirectRoute`] |
//!
//! A [`DirectRoute`] pins a deployment's endpoint to its region and guards it
//! with its own API keys, a set separate from any account-level keys. Keys
//! are stored only as SHA-256 digests: no `Debug`, `Display`, error or
//! snapshot ever holds a usable key.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::limits::{MAX_API_KEY_LEN, MAX_API_KEYS};
use crate::names::ResourceName;
use crate::region::{Region, RegionCatalog};

/// The default domain suffix of direct-route handles (SPEC G5).
pub const DEFAULT_DIRECT_DOMAIN: &str = "direct.fireworks.ai";

/// Longest DNS label (RFC 1035).
const MAX_LABEL: usize = 63;

/// SHA-256 digest of one API key.
pub(crate) type KeyDigest = [u8; 32];

/// A region-pinned direct route with its API keys (SPEC G4-G6).
///
/// ```
/// use replica_router::{DirectRoute, Region, ResourceName, ResourceKind, Id, IdKind};
/// let route = DirectRoute::new(Region::new("US_ARIZONA_1")?, &["secret1"])?;
/// let acct = Id::new("my-account", IdKind::Account)?;
/// let dep = ResourceName::parse("abcd1234", ResourceKind::Deployment, &acct)?;
/// assert_eq!(route.handle(&dep)?, "my-account-abcd1234.us-arizona-1.direct.fireworks.ai");
/// assert_eq!(route.base_url(&dep)?, "https://my-account-abcd1234.us-arizona-1.direct.fireworks.ai/v1");
/// assert!(route.authorize(Some("Bearer secret1")).is_ok());
/// assert!(route.authorize(Some("bearer wrong")).is_err());
/// assert!(!format!("{route:?}").contains("secret1"));
/// # Ok::<(), replica_router::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DirectRoute {
    region: Region,
    key_digests: Vec<KeyDigest>,
    domain: String,
}

impl DirectRoute {
    /// A direct route in `region` guarded by `api_keys`, checked against the
    /// default catalog ([`RegionCatalog::default`]) and domain
    /// ([`DEFAULT_DIRECT_DOMAIN`]).
    ///
    /// # Errors
    /// See [`DirectRoute::with_catalog`].
    pub fn new<S: AsRef<str>>(region: Region, api_keys: &[S]) -> Result<DirectRoute> {
        DirectRoute::with_catalog(region, api_keys, &RegionCatalog::default())
    }

    /// A direct route in `region` guarded by `api_keys`, checked against
    /// `catalog` (SPEC G4).
    ///
    /// # Errors
    /// [`Error::UnsupportedRegion`] when the catalog does not list the region;
    /// [`Error::NoApiKeys`] for an empty list; [`Error::LimitExceeded`] for more
    /// than [`MAX_API_KEYS`] keys; [`Error::InvalidApiKey`] for a key that is
    /// not 1 to 256 ASCII letters or digits; [`Error::DuplicateApiKey`] for a
    /// repeated key. Errors name keys by position, never by value.
    ///
    /// # Performance
    /// O(k log k) for k keys (one SHA-256 each).
    pub fn with_catalog<S: AsRef<str>>(
        region: Region,
        api_keys: &[S],
        catalog: &RegionCatalog,
    ) -> Result<DirectRoute> {
        catalog.check(&region)?;
        Ok(DirectRoute {
            region,
            key_digests: digest_keys(api_keys)?,
            domain: DEFAULT_DIRECT_DOMAIN.to_owned(),
        })
    }

    /// Rebuilds a route from stored digests (snapshots), checking only what
    /// digests allow: count, duplicates, domain.
    pub(crate) fn from_digests(
        region: Region,
        key_digests: Vec<KeyDigest>,
        domain: &str,
        catalog: &RegionCatalog,
    ) -> Result<DirectRoute> {
        catalog.check(&region)?;
        check_key_count(key_digests.len())?;
        for (i, d) in key_digests.iter().enumerate() {
            if let Some(first) = key_digests[..i].iter().position(|e| e == d) {
                return Err(Error::DuplicateApiKey { index: i, first });
            }
        }
        DirectRoute {
            region,
            key_digests,
            domain: String::new(),
        }
        .with_domain(domain)
    }

    /// The same route with another handle domain suffix (SPEC G5).
    ///
    /// # Errors
    /// [`Error::InvalidDomain`] unless `domain` is dot-separated labels of
    /// `[a-z0-9-]` (any case, stored lower case), each 1-63 characters, not
    /// starting or ending with `-`, at most 253 characters in all.
    pub fn with_domain(mut self, domain: &str) -> Result<DirectRoute> {
        let ok = !domain.is_empty()
            && domain.len() <= 253
            && domain.split('.').all(|l| {
                let b = l.as_bytes();
                !b.is_empty()
                    && b.len() <= MAX_LABEL
                    && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                    && b.first() != Some(&b'-')
                    && b.last() != Some(&b'-')
            });
        if !ok {
            return Err(Error::InvalidDomain {
                input: domain.to_owned(),
            });
        }
        self.domain = domain.to_ascii_lowercase();
        Ok(self)
    }

    /// The pinned region.
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The handle domain suffix.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// How many API keys guard the route.
    pub fn key_count(&self) -> usize {
        self.key_digests.len()
    }

    pub(crate) fn key_digests(&self) -> &[KeyDigest] {
        &self.key_digests
    }

    /// The handle `{account}-{deployment}.{region host form}.{domain}` (SPEC G5).
    ///
    /// # Errors
    /// [`Error::HandleTooLong`] when `{account}-{deployment}` exceeds 63
    /// characters (one DNS label).
    pub fn handle(&self, deployment: &ResourceName) -> Result<String> {
        let label = handle_label(deployment)?;
        Ok(format!(
            "{label}.{}.{}",
            self.region.host_label(),
            self.domain
        ))
    }

    /// The base URL `https://{handle}/v1` for OpenAI-compatible clients (SPEC G5).
    ///
    /// # Errors
    /// As [`DirectRoute::handle`].
    pub fn base_url(&self, deployment: &ResourceName) -> Result<String> {
        Ok(format!("https://{}/v1", self.handle(deployment)?))
    }

    /// Authorizes a request by its `Authorization` header value (SPEC G6):
    /// `Bearer <key>`, the scheme in any case, surrounding spaces and tabs
    /// ignored (only those: no other whitespace, ASCII or Unicode).
    ///
    /// The presented key is hashed and compared with every stored digest
    /// without early exit, so the time taken does not depend on where the
    /// keys differ.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] when the header is missing, empty, not the
    /// `Bearer` scheme, or has no key or a key with whitespace inside;
    /// [`Error::Forbidden`] when the key is not one of this route's keys.
    pub fn authorize(&self, header: Option<&str>) -> Result<()> {
        let key = bearer_token(header)?;
        if key.len() > MAX_API_KEY_LEN {
            return Err(Error::Forbidden);
        }
        let presented = digest(key);
        let mut found = 0u8;
        for stored in &self.key_digests {
            let mut diff = 0u8;
            for (a, b) in stored.iter().zip(presented.iter()) {
                diff |= a ^ b;
            }
            found |= u8::from(std::hint::black_box(diff) == 0);
        }
        if found == 1 {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// `{account}-{deployment}`, checked to be one DNS label (SPEC G5).
pub(crate) fn handle_label(deployment: &ResourceName) -> Result<String> {
    let label = format!("{}-{}", deployment.account(), deployment.id());
    if label.len() > MAX_LABEL {
        return Err(Error::HandleTooLong { label });
    }
    Ok(label)
}

impl fmt::Debug for DirectRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirectRoute")
            .field("region", &self.region)
            .field(
                "api_keys",
                &format_args!("<{} redacted>", self.key_digests.len()),
            )
            .field("domain", &self.domain)
            .finish()
    }
}

impl fmt::Display for DirectRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.key_digests.len();
        let plural = if keys == 1 { "" } else { "s" };
        write!(
            f,
            "INTERNET direct route in {} ({keys} API key{plural}, *.{})",
            self.region, self.domain
        )
    }
}

fn check_key_count(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::NoApiKeys);
    }
    if n > MAX_API_KEYS {
        return Err(Error::LimitExceeded {
            what: "API keys per deployment",
            limit: MAX_API_KEYS,
            got: n,
        });
    }
    Ok(())
}

/// Validates keys (SPEC G4) and returns their digests, in order.
fn digest_keys<S: AsRef<str>>(keys: &[S]) -> Result<Vec<KeyDigest>> {
    check_key_count(keys.len())?;
    for (index, key) in keys.iter().enumerate() {
        let k = key.as_ref();
        if k.is_empty()
            || k.len() > MAX_API_KEY_LEN
            || !k.bytes().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Error::InvalidApiKey {
                index,
                len: k.len(),
            });
        }
    }
    let digests: Vec<KeyDigest> = keys.iter().map(|k| digest(k.as_ref())).collect();
    // The smallest duplicated digest, at its first two indices. A quadratic
    // scan: there are at most `MAX_API_KEYS` keys.
    let mut duplicate: Option<(usize, usize)> = None;
    for (index, d) in digests.iter().enumerate() {
        if let Some(first) = digests[..index].iter().position(|e| e == d)
            && duplicate.is_none_or(|(f, _)| *d < digests[f])
        {
            duplicate = Some((first, index));
        }
    }
    match duplicate {
        Some((first, index)) => Err(Error::DuplicateApiKey { index, first }),
        None => Ok(digests),
    }
}

fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.as_bytes()).into()
}

/// Whitespace of an `Authorization` header: ASCII space and tab only (RFC
/// 9110 `OWS`; SPEC G6). No Unicode whitespace counts, so `"Bearer k1\u{a0}"`
/// does not present `k1`.
fn is_header_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Extracts the key from `Bearer <key>` (SPEC G6).
fn bearer_token(header: Option<&str>) -> Result<&str> {
    let header = header.map_or("", |h| h.trim_matches(is_header_space));
    if header.is_empty() {
        return Err(Error::Unauthenticated {
            reason: "the Authorization header is missing",
        });
    }
    let (scheme, rest) = header.split_once(is_header_space).unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Error::Unauthenticated {
            reason: "the Authorization scheme is not Bearer",
        });
    }
    let key = rest.trim_matches(is_header_space);
    if key.is_empty() {
        return Err(Error::Unauthenticated {
            reason: "no key follows Bearer",
        });
    }
    if key.contains(char::is_whitespace) {
        return Err(Error::Unauthenticated {
            reason: "the key contains whitespace",
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(Some("Bearer abc")).unwrap(), "abc");
        assert_eq!(bearer_token(Some("  BEARER   abc  ")).unwrap(), "abc");
        assert_eq!(bearer_token(Some("bearer\tabc")).unwrap(), "abc");
        for bad in [
            None,
            Some(""),
            Some("  "),
            Some("Bearer"),
            Some("Bearer "),
            Some("Basic abc"),
            Some("abc"),
            Some("Bearer a b"),
            // Issue 15: only ASCII space and tab surround or separate the
            // parts; Unicode whitespace is part of what it touches.
            Some("Bearer abc\u{a0}"),
            Some("\u{2028}Bearer abc"),
            Some("Bearer abc\u{3000}"),
            Some("Bearer\u{a0}abc"),
            Some("\nBearer abc"),
            Some("Bearer abc\r\n"),
            Some("Bearer\u{b}abc"),
        ] {
            assert!(
                matches!(bearer_token(bad), Err(Error::Unauthenticated { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn duplicate_reports_both_positions() {
        let err = digest_keys(&["a", "b", "a"]).unwrap_err();
        assert_eq!(err, Error::DuplicateApiKey { index: 2, first: 0 });
    }

    /// SPEC G4: with several duplicated keys, the error names the smallest
    /// duplicated digest at its first two positions (the first adjacent pair
    /// of the keys sorted by digest, then position).
    #[test]
    fn g4_duplicate_is_the_smallest_digest_at_its_first_two_positions() {
        let pool = ["k0", "k1", "k2", "k3", "k4", "k5"];
        // Every 6-key list over the pool (6^6 of them), by a mixed radix.
        for code in 0..6usize.pow(6) {
            let keys: Vec<&str> = (0..6).map(|i| pool[code / 6usize.pow(i) % 6]).collect();
            let digests: Vec<KeyDigest> = keys.iter().map(|k| digest(k)).collect();
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by_key(|&i| (digests[i], i));
            let expected = order
                .windows(2)
                .find(|w| digests[w[0]] == digests[w[1]])
                .map(|w| Error::DuplicateApiKey {
                    index: w[1],
                    first: w[0],
                });
            assert_eq!(digest_keys(&keys).err(), expected, "{keys:?}");
        }
    }
}
