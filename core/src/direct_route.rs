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
//! are stored only as salted digests: no `Debug`, `Display`, error or
//! snapshot ever holds a usable key.
//!
//! # Stored keys (SPEC G6)
//!
//! Each key gets its own 16-byte salt, drawn from the pinned generator
//! ([`ChaCha8Rng`], stream [`SALT_STREAM`] of a seed: the registry's seed, or
//! the seed given to [`DirectRoute::new`]), so equal keys give unequal
//! digests and no precomputed table applies. The digest is
//!
//! - `HMAC-SHA-256(secret, salt ‖ key)` when a [`KeySecret`] is given: the
//!   secret stays with the caller, never in a snapshot, so a leaked snapshot
//!   alone does not let anyone test guesses, even of a one-character key;
//! - `SHA-256(salt ‖ key)` otherwise.
//!
//! Keys loaded from a format-2 snapshot keep their unsalted `SHA-256(key)`
//! digests (SPEC T3) and still verify; they are salted when the keys are set
//! again.

use std::fmt;
use std::hash::{Hash, Hasher};

use rand_chacha::ChaCha8Rng;
use rand_core::Rng;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::limits::{MAX_API_KEY_LEN, MAX_API_KEYS};
use crate::names::ResourceName;
use crate::region::{Region, RegionCatalog};
use crate::selection::Seed;

/// The default domain suffix of direct-route handles (SPEC G5).
pub const DEFAULT_DIRECT_DOMAIN: &str = "direct.fireworks.ai";

/// Longest DNS label (RFC 1035).
const MAX_LABEL: usize = 63;

/// A SHA-256 or HMAC-SHA-256 digest of one API key.
pub(crate) type KeyDigest = [u8; 32];

/// The salt of one API key.
pub(crate) type Salt = [u8; 16];

/// The generator stream of a seed that API-key salts are drawn from (SPEC
/// G6): stream 0 and 1 drive generated IDs and routing, so salts leave them
/// unchanged.
pub const SALT_STREAM: u64 = 2;

/// One stored API key (SPEC G6): a digest, never the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum StoredKey {
    /// `SHA-256(key)`: keys from format-2 snapshots (SPEC T3) and the sealed
    /// keys of imported routes (digests no key has).
    Unsalted(KeyDigest),
    /// `SHA-256(salt ‖ key)`.
    Salted {
        /// The key's own salt.
        salt: Salt,
        /// The digest.
        digest: KeyDigest,
    },
    /// `HMAC-SHA-256(secret, salt ‖ key)` with the caller's [`KeySecret`].
    Keyed {
        /// The key's own salt.
        salt: Salt,
        /// The digest.
        digest: KeyDigest,
    },
}

impl StoredKey {
    /// `key` under a fresh salt from `salts`: two 64-bit words,
    /// little-endian (the generator's `next_u64`, as routing uses).
    fn new(key: &str, salts: &mut ChaCha8Rng, secret: Option<&KeySecret>) -> StoredKey {
        let mut salt: Salt = [0; 16];
        salt[..8].copy_from_slice(&salts.next_u64().to_le_bytes());
        salt[8..].copy_from_slice(&salts.next_u64().to_le_bytes());
        let parts: [&[u8]; 2] = [&salt, key.as_bytes()];
        match secret {
            Some(secret) => StoredKey::Keyed {
                salt,
                digest: secret.mac(&parts),
            },
            None => StoredKey::Salted {
                salt,
                digest: sha256(&parts),
            },
        }
    }

    /// Whether `key` is this stored key, compared in time independent of
    /// where the digests differ. A keyed digest never matches without the
    /// secret.
    fn matches(&self, key: &str, secret: Option<&KeySecret>) -> bool {
        let (stored, presented) = match (self, secret) {
            (StoredKey::Unsalted(d), _) => (d, sha256(&[key.as_bytes()])),
            (StoredKey::Salted { salt, digest }, _) => (digest, sha256(&[salt, key.as_bytes()])),
            (StoredKey::Keyed { salt, digest }, Some(secret)) => {
                (digest, secret.mac(&[salt, key.as_bytes()]))
            }
            (StoredKey::Keyed { .. }, None) => return false,
        };
        let mut diff = 0u8;
        for (a, b) in stored.iter().zip(presented.iter()) {
            diff |= a ^ b;
        }
        std::hint::black_box(diff) == 0
    }
}

/// A secret the caller holds outside snapshots that keys the API-key
/// digests (HMAC-SHA-256, SPEC G6).
///
/// A registry or route given one stores `HMAC-SHA-256(secret, salt ‖ key)`
/// per key. Snapshots record only a check value (the first 8 bytes of
/// `HMAC-SHA-256(secret, "replica-router key secret check")`), so loading
/// with a missing or different secret is a clear
/// [`Error::KeySecretMismatch`] rather than every key silently failing. The
/// secret never appears in `Debug`, errors or snapshots. Use 32 random bytes.
///
/// ```
/// use replica_router::KeySecret;
/// let secret = KeySecret::new(b"0123456789abcdef0123456789abcdef")?;
/// assert_eq!(format!("{secret:?}"), "KeySecret(<redacted>)");
/// assert!(KeySecret::new(b"short").is_err());
/// # Ok::<(), replica_router::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct KeySecret {
    /// The HMAC key block: the secret, zero-padded (RFC 2104).
    block: [u8; 64],
}

impl KeySecret {
    /// The fewest bytes a secret may have (128 bits).
    pub const MIN_LEN: usize = 16;
    /// The most bytes a secret may have.
    pub const MAX_LEN: usize = 64;

    /// A key secret from its bytes.
    ///
    /// # Errors
    /// [`Error::InvalidKeySecret`] unless it has [`KeySecret::MIN_LEN`] to
    /// [`KeySecret::MAX_LEN`] bytes.
    pub fn new(secret: &[u8]) -> Result<KeySecret> {
        if !(KeySecret::MIN_LEN..=KeySecret::MAX_LEN).contains(&secret.len()) {
            return Err(Error::InvalidKeySecret { len: secret.len() });
        }
        let mut block = [0u8; 64];
        block[..secret.len()].copy_from_slice(secret);
        Ok(KeySecret { block })
    }

    /// `HMAC-SHA-256(secret, parts concatenated)`.
    fn mac(&self, parts: &[&[u8]]) -> KeyDigest {
        hmac_sha256(&self.block, parts)
    }

    /// The check value snapshots record: 8 bytes that tell secrets apart
    /// without revealing them.
    pub(crate) fn check(&self) -> [u8; 8] {
        let mac = self.mac(&[b"replica-router key secret check"]);
        let mut check = [0u8; 8];
        check.copy_from_slice(&mac[..8]);
        check
    }
}

/// Hashes the check value, never the secret.
impl Hash for KeySecret {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.check().hash(state);
    }
}

impl fmt::Debug for KeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeySecret(<redacted>)")
    }
}

/// HMAC-SHA-256 (RFC 2104) with a key of at most 64 bytes, given as its
/// zero-padded block.
fn hmac_sha256(block: &[u8; 64], parts: &[&[u8]]) -> KeyDigest {
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn sha256(parts: &[&[u8]]) -> KeyDigest {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

/// A region-pinned direct route with its API keys (SPEC G4-G6).
///
/// ```
/// use replica_router::{DirectRoute, Region, ResourceName, ResourceKind, Id, IdKind};
/// let route = DirectRoute::new(Region::new("US_ARIZONA_1")?, &["secret1"], 7)?;
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
    keys: Vec<StoredKey>,
    /// Present when some key is [`StoredKey::Keyed`].
    secret: Option<KeySecret>,
    domain: String,
}

impl DirectRoute {
    /// A direct route in `region` guarded by `api_keys`, checked against the
    /// default catalog ([`RegionCatalog::default`]) and domain
    /// ([`DEFAULT_DIRECT_DOMAIN`]), without a key secret.
    ///
    /// `seed` draws the keys' salts (stream [`SALT_STREAM`]): the same seed
    /// and keys give the same digests, so give each route its own seed
    /// (random, for example 32 bytes of OS entropy) for unequal digests of
    /// equal keys across routes.
    ///
    /// # Errors
    /// See [`DirectRoute::with_catalog`].
    pub fn new<S: AsRef<str>>(
        region: Region,
        api_keys: &[S],
        seed: impl Into<Seed>,
    ) -> Result<DirectRoute> {
        DirectRoute::with_catalog(region, api_keys, &RegionCatalog::default(), seed, None)
    }

    /// A direct route in `region` guarded by `api_keys`, checked against
    /// `catalog` (SPEC G4), its keys' salts drawn from `seed` (see
    /// [`DirectRoute::new`]) and their digests keyed by `secret` when given
    /// (SPEC G6).
    ///
    /// # Errors
    /// [`Error::UnsupportedRegion`] when the catalog does not list the region;
    /// [`Error::NoApiKeys`] for an empty list; [`Error::LimitExceeded`] for more
    /// than [`MAX_API_KEYS`] keys; [`Error::InvalidApiKey`] for a key that is
    /// not 1 to 256 ASCII letters or digits; [`Error::DuplicateApiKey`] for a
    /// repeated key. Errors name keys by position, never by value.
    ///
    /// # Performance
    /// O(k log k) for k keys (two SHA-256 or HMAC computations each).
    pub fn with_catalog<S: AsRef<str>>(
        region: Region,
        api_keys: &[S],
        catalog: &RegionCatalog,
        seed: impl Into<Seed>,
        secret: Option<&KeySecret>,
    ) -> Result<DirectRoute> {
        let mut salts = seed.into().rng_stream(SALT_STREAM);
        let api_keys: Vec<&str> = api_keys.iter().map(AsRef::as_ref).collect();
        DirectRoute::with_salts(region, &api_keys, catalog, &mut salts, secret)
    }

    /// As [`DirectRoute::with_catalog`], drawing salts from `salts` (a
    /// registry's salt generator); on error the generator may have moved,
    /// so callers pass a copy and keep it only on success.
    pub(crate) fn with_salts(
        region: Region,
        api_keys: &[&str],
        catalog: &RegionCatalog,
        salts: &mut ChaCha8Rng,
        secret: Option<&KeySecret>,
    ) -> Result<DirectRoute> {
        catalog.check(&region)?;
        check_keys(api_keys)?;
        let mut keys = Vec::with_capacity(api_keys.len());
        for key in api_keys {
            keys.push(StoredKey::new(key, salts, secret));
        }
        Ok(DirectRoute {
            region,
            keys,
            secret: secret.cloned(),
            domain: DEFAULT_DIRECT_DOMAIN.to_owned(),
        })
    }

    /// Rebuilds a route from stored keys (snapshots, imports), checking only
    /// what digests allow: count, repeated entries, domain, and that keyed
    /// digests come with their secret.
    pub(crate) fn from_stored(
        region: Region,
        keys: Vec<StoredKey>,
        domain: &str,
        catalog: &RegionCatalog,
        secret: Option<&KeySecret>,
    ) -> Result<DirectRoute> {
        catalog.check(&region)?;
        check_key_count(keys.len())?;
        for (i, k) in keys.iter().enumerate() {
            if let Some(first) = keys[..i].iter().position(|e| e == k) {
                return Err(Error::DuplicateApiKey { index: i, first });
            }
        }
        let keyed = keys.iter().any(|k| matches!(k, StoredKey::Keyed { .. }));
        if keyed && secret.is_none() {
            return Err(Error::KeySecretMismatch { given: false });
        }
        DirectRoute {
            region,
            keys,
            secret: secret.filter(|_| keyed).cloned(),
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
        self.keys.len()
    }

    /// Whether a [`KeySecret`] keys some of the route's digests.
    pub fn is_keyed(&self) -> bool {
        self.secret.is_some()
    }

    /// The key secret, when it keys some digest.
    pub(crate) fn key_secret(&self) -> Option<&KeySecret> {
        self.secret.as_ref()
    }

    /// The stored keys, in order.
    pub(crate) fn stored_keys(&self) -> &[StoredKey] {
        &self.keys
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
    /// The presented key is digested with each stored key's salt (and the
    /// key secret, if any) and compared with every stored digest without
    /// early exit, so the time taken does not depend on where the keys
    /// differ, nor on which key matches.
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
        let mut found = false;
        for stored in &self.keys {
            found |= stored.matches(key, self.secret.as_ref());
        }
        if found { Ok(()) } else { Err(Error::Forbidden) }
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
            .field("api_keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("keyed", &self.is_keyed())
            .field("domain", &self.domain)
            .finish()
    }
}

impl fmt::Display for DirectRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.keys.len();
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

/// Validates keys (SPEC G4).
fn check_keys(keys: &[&str]) -> Result<()> {
    check_key_count(keys.len())?;
    for (index, &k) in keys.iter().enumerate() {
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
    // The smallest duplicated unsalted digest, at its first two indices: an
    // order that says nothing about the keys. A quadratic scan: there are at
    // most `MAX_API_KEYS` keys. The digests are not kept.
    let digests: Vec<KeyDigest> = keys.iter().map(|k| sha256(&[k.as_bytes()])).collect();
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
        None => Ok(()),
    }
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

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// HMAC-SHA-256 against RFC 4231 test cases 1-5 (6 and 7 use keys
    /// longer than a block, which [`KeySecret`] does not accept).
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 5] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                (1..=25).collect(),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0x0c; 20],
                b"Test With Truncation".to_vec(),
                "a3b6167473100ee06e0c796c2955552b",
            ),
        ];
        for (key, data, expected) in cases {
            let mut block = [0u8; 64];
            block[..key.len()].copy_from_slice(&key);
            // Split the message to check that parts are concatenated.
            let (a, b) = data.split_at(data.len() / 3);
            let mac = hmac_sha256(&block, &[a, b]);
            let expected = unhex(expected);
            assert_eq!(mac[..expected.len()], expected[..]);
        }
        // `KeySecret` computes the same with its own key.
        let secret = KeySecret::new(&[0x0b; 20]).unwrap();
        assert_eq!(
            secret.mac(&[b"Hi There"]).to_vec(),
            unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        );
    }

    /// Each stored scheme verifies its key and only its key; a keyed digest
    /// needs the secret.
    #[test]
    fn stored_keys_match_by_scheme() {
        let salt = [3u8; 16];
        let secret = KeySecret::new(&[5; 32]).unwrap();
        let unsalted = StoredKey::Unsalted(sha256(&[b"k1"]));
        let salted = StoredKey::Salted {
            salt,
            digest: sha256(&[&salt, b"k1"]),
        };
        let keyed = StoredKey::Keyed {
            salt,
            digest: secret.mac(&[&salt, b"k1"]),
        };
        for key in [unsalted, salted, keyed] {
            assert!(key.matches("k1", Some(&secret)), "{key:?}");
            assert!(!key.matches("k2", Some(&secret)), "{key:?}");
        }
        assert!(!keyed.matches("k1", None));
        assert!(!keyed.matches("k1", Some(&KeySecret::new(&[6; 32]).unwrap())));
    }

    #[test]
    fn duplicate_reports_both_positions() {
        let err = check_keys(&["a", "b", "a"]).unwrap_err();
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
            let digests: Vec<KeyDigest> = keys.iter().map(|k| sha256(&[k.as_bytes()])).collect();
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by_key(|&i| (digests[i], i));
            let expected = order
                .windows(2)
                .find(|w| digests[w[0]] == digests[w[1]])
                .map(|w| Error::DuplicateApiKey {
                    index: w[1],
                    first: w[0],
                });
            assert_eq!(check_keys(&keys).err(), expected, "{keys:?}");
        }
    }
}
