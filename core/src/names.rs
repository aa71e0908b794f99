//! IDs and resource names (SPEC N1, N2).
//!
//! | rule | items |
//! | --- | --- |
//! | N1 IDs | [`Id`] |
//! | N2 resource names | [`ResourceName`], [`ResourceKind`] |
//!
//! An [`Id`] is 1 to 63 characters of `[a-z0-9-]`, first and last a letter or
//! digit. A [`ResourceName`] is `accounts/{account}/{deployments|routers|models}/{id}`;
//! wherever a name is taken, a bare ID is accepted too and resolved against
//! the caller's account, as the reference CLI does. Display is always the
//! full name.

use std::fmt;

use crate::error::{Error, IdKind, Result};
use crate::limits::MAX_ID_LEN;

/// A validated ID (SPEC N1): 1 to 63 characters of `[a-z0-9-]`, first and
/// last a letter or digit.
///
/// ```
/// use replica_router::{Id, IdKind};
/// assert_eq!(Id::new("my-router", IdKind::Router).unwrap().as_str(), "my-router");
/// assert!(Id::new("My_Router", IdKind::Router).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

impl Id {
    /// Validates `input` as an ID of the given kind.
    ///
    /// # Errors
    /// [`Error::InvalidName`] quoting the input when it breaks SPEC N1.
    pub fn new(input: &str, kind: IdKind) -> Result<Id> {
        if is_valid_id(input) {
            Ok(Id(input.to_owned()))
        } else {
            Err(Error::InvalidName {
                kind,
                input: input.to_owned(),
            })
        }
    }

    /// The ID as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// True when `s` is a valid ID (SPEC N1). Allocation-free.
pub(crate) fn is_valid_id(s: &str) -> bool {
    // A byte table, one load per byte: routing checks names on every request.
    static ALLOWED: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
            c += 1;
        }
        t
    };
    let allowed = |c: u8| ALLOWED[c as usize];
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            b.len() <= MAX_ID_LEN && first != b'-' && last != b'-' && b.iter().all(|&c| allowed(c))
        }
        _ => false,
    }
}

/// The kind of resource a [`ResourceName`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// `accounts/{account}/deployments/{id}`
    Deployment,
    /// `accounts/{account}/routers/{id}`
    Router,
    /// `accounts/{account}/models/{id}`
    Model,
}

impl ResourceKind {
    /// The collection segment: `"deployments"`, `"routers"` or `"models"`.
    pub const fn collection(self) -> &'static str {
        match self {
            ResourceKind::Deployment => "deployments",
            ResourceKind::Router => "routers",
            ResourceKind::Model => "models",
        }
    }

    /// The kind of the resource's own ID.
    pub const fn id_kind(self) -> IdKind {
        match self {
            ResourceKind::Deployment => IdKind::Deployment,
            ResourceKind::Router => IdKind::Router,
            ResourceKind::Model => IdKind::Model,
        }
    }

    const fn expected(self) -> &'static str {
        match self {
            ResourceKind::Deployment => {
                "accounts/{account}/deployments/{id} or a bare deployment ID"
            }
            ResourceKind::Router => "accounts/{account}/routers/{id} or a bare router ID",
            ResourceKind::Model => "accounts/{account}/models/{id} or a bare model ID",
        }
    }

    fn from_collection(s: &str) -> Option<ResourceKind> {
        match s {
            "deployments" => Some(ResourceKind::Deployment),
            "routers" => Some(ResourceKind::Router),
            "models" => Some(ResourceKind::Model),
            _ => None,
        }
    }
}

/// A full resource name (SPEC N2): `accounts/{account}/{collection}/{id}`.
///
/// Ordered by account, then kind, then ID (SPEC T2 listings use this order).
///
/// ```
/// use replica_router::{Id, IdKind, ResourceKind, ResourceName};
/// let me = Id::new("my-account", IdKind::Account).unwrap();
/// let bare = ResourceName::parse("my-router", ResourceKind::Router, &me).unwrap();
/// let full = ResourceName::parse("accounts/my-account/routers/my-router", ResourceKind::Router, &me).unwrap();
/// assert_eq!(bare, full);
/// assert_eq!(bare.to_string(), "accounts/my-account/routers/my-router");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceName {
    account: Id,
    kind: ResourceKind,
    id: Id,
}

impl ResourceName {
    /// A name from validated parts.
    pub fn new(account: Id, kind: ResourceKind, id: Id) -> ResourceName {
        ResourceName { account, kind, id }
    }

    /// Parses a full name of the given kind, or a bare ID resolved against
    /// `default_account`.
    ///
    /// # Errors
    /// [`Error::InvalidResourceName`] when the input has the wrong shape or
    /// collection; [`Error::InvalidName`] when the account or ID breaks N1.
    pub fn parse(input: &str, kind: ResourceKind, default_account: &Id) -> Result<ResourceName> {
        let (account, id) = split(input, kind)?;
        let account = match account {
            Some(a) => Id::new(a, IdKind::Account)?,
            None => default_account.clone(),
        };
        Ok(ResourceName {
            account,
            kind,
            id: Id::new(id, kind.id_kind())?,
        })
    }

    /// The account that owns the resource.
    pub fn account(&self) -> &Id {
        &self.account
    }

    /// The kind of resource.
    pub fn kind(&self) -> ResourceKind {
        self.kind
    }

    /// The resource's own ID.
    pub fn id(&self) -> &Id {
        &self.id
    }
}

impl fmt::Display for ResourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "accounts/{}/{}/{}",
            self.account,
            self.kind.collection(),
            self.id
        )
    }
}

/// Splits `input` into an optional account and an ID without allocating;
/// checks the shape and the collection, not N1.
fn split(input: &str, kind: ResourceKind) -> Result<(Option<&str>, &str)> {
    if !input.contains('/') {
        return Ok((None, input));
    }
    match parse_full(input) {
        Some((account, k, id)) if k == kind => Ok((Some(account), id)),
        _ => Err(Error::InvalidResourceName {
            input: input.to_owned(),
            expected: kind.expected(),
        }),
    }
}

/// Splits a full name `accounts/{a}/{collection}/{id}` into its parts, without
/// validating the IDs. `None` when the shape is wrong.
pub(crate) fn parse_full(input: &str) -> Option<(&str, ResourceKind, &str)> {
    let rest = input.strip_prefix("accounts/")?;
    let (account, rest) = split_at_slash(rest)?;
    let (collection, id) = split_at_slash(rest)?;
    let kind = ResourceKind::from_collection(collection)?;
    Some((account, kind, id))
}

/// `s.split_once('/')`, as a plain byte scan: names are short, and `str`'s
/// `char` searcher costs more to set up than the scan (it was most of a
/// route's time).
fn split_at_slash(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b'/')?;
    // `/` is ASCII, so both halves are on character boundaries.
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// A `model` field of a request resolved without allocation: the account, the
/// kind (router or deployment; `None` for a bare ID, which may be either) and
/// the ID, all validated against N1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TargetRef<'a> {
    pub(crate) account: &'a str,
    pub(crate) kind: Option<ResourceKind>,
    pub(crate) id: &'a str,
}

pub(crate) const ROUTE_TARGET_EXPECTED: &str = "accounts/{account}/routers/{id}, \
     accounts/{account}/deployments/{id}, or a bare router or deployment ID";

/// The shape of a request's `model` field (SPEC R6), without validating
/// its IDs: a full router or deployment name, or a bare ID of `caller`'s
/// account (any input without `/`). `None` for any other shape, which
/// [`parse_route_target`] rejects as [`Error::InvalidResourceName`].
///
/// Routing looks this up first: a name found in the registry holds valid
/// IDs, so only a name not found needs [`parse_route_target`]'s checks.
pub(crate) fn split_route_target<'a>(input: &'a str, caller: &'a str) -> Option<TargetRef<'a>> {
    // A name with a `/` must be a full name.
    if input.starts_with("accounts/") {
        match parse_full(input)? {
            (account, kind @ (ResourceKind::Router | ResourceKind::Deployment), id) => {
                Some(TargetRef {
                    account,
                    kind: Some(kind),
                    id,
                })
            }
            _ => None,
        }
    } else if input.as_bytes().contains(&b'/') {
        None
    } else {
        Some(TargetRef {
            account: caller,
            kind: None,
            id: input,
        })
    }
}

/// Parses a request's `model` field (SPEC R6) against the caller's account:
/// [`split_route_target`], then the IDs checked against N1.
pub(crate) fn parse_route_target<'a>(input: &'a str, caller: &'a str) -> Result<TargetRef<'a>> {
    let target = split_route_target(input, caller).ok_or_else(|| Error::InvalidResourceName {
        input: input.to_owned(),
        expected: ROUTE_TARGET_EXPECTED,
    })?;
    if !is_valid_id(target.account) {
        return Err(Error::InvalidName {
            kind: IdKind::Account,
            input: target.account.to_owned(),
        });
    }
    if !is_valid_id(target.id) {
        let kind = match target.kind {
            Some(k) => k.id_kind(),
            None => IdKind::Router,
        };
        return Err(Error::InvalidName {
            kind,
            input: target.id.to_owned(),
        });
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn acct() -> Id {
        Id::new("acme", IdKind::Account).unwrap()
    }

    #[test]
    fn n1_valid_and_invalid_ids() {
        for ok in ["a", "0", "a-b", "abc123", &"x".repeat(63), "a--b"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a_b",
            "a b",
            "é",
            &"x".repeat(64),
            "a/b",
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    /// The byte table against N1 read literally, for every one-, two- and
    /// three-byte input (multi-byte UTF-8 included) and long inputs.
    #[test]
    fn n1_is_valid_id_matches_the_rule() {
        let rule = |b: &[u8]| {
            let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
            !b.is_empty()
                && b.len() <= MAX_ID_LEN
                && b.first().is_some_and(alnum)
                && b.last().is_some_and(alnum)
                && b.iter().all(|c| alnum(c) || *c == b'-')
        };
        let mut checked = 0;
        for len in 1..=3 {
            for n in 0..1u32 << (8 * len) {
                let bytes = &n.to_le_bytes()[..len];
                if let Ok(s) = std::str::from_utf8(bytes) {
                    assert_eq!(is_valid_id(s), rule(bytes), "{s:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
        for len in [62, 63, 64, 200] {
            for s in ["a".repeat(len), format!("{}-", "a".repeat(len))] {
                assert_eq!(is_valid_id(&s), rule(s.as_bytes()), "{len}");
            }
        }
    }

    #[test]
    fn n2_full_and_bare_names_resolve_alike() {
        let a = acct();
        let full =
            ResourceName::parse("accounts/acme/deployments/d1", ResourceKind::Deployment, &a)
                .unwrap();
        let bare = ResourceName::parse("d1", ResourceKind::Deployment, &a).unwrap();
        assert_eq!(full, bare);
        assert_eq!(full.to_string(), "accounts/acme/deployments/d1");
        let other =
            ResourceName::parse("accounts/zeta/deployments/d1", ResourceKind::Deployment, &a)
                .unwrap();
        assert_eq!(other.account().as_str(), "zeta");
    }

    #[test]
    fn n2_wrong_collection_or_shape_is_rejected() {
        let a = acct();
        for bad in [
            "accounts/acme/routers/r1",
            "accounts/acme/deployments",
            "accounts//deployments/d1",
            "acme/deployments/d1",
            "accounts/acme/deployments/d1/extra",
        ] {
            let err = ResourceName::parse(bad, ResourceKind::Deployment, &a).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidResourceName { .. } | Error::InvalidName { .. }
                ),
                "{bad}: {err:?}"
            );
        }
    }

    /// The parser as it was before the byte scans: `contains` and
    /// `split_once`, the plain reading of SPEC R6.
    fn parse_route_target_reference<'a>(input: &'a str, caller: &'a str) -> Result<TargetRef<'a>> {
        let full = |input: &'a str| {
            let rest = input.strip_prefix("accounts/")?;
            let (account, rest) = rest.split_once('/')?;
            let (collection, id) = rest.split_once('/')?;
            Some((account, ResourceKind::from_collection(collection)?, id))
        };
        let target = if input.contains('/') {
            match full(input) {
                Some((account, kind @ (ResourceKind::Router | ResourceKind::Deployment), id)) => {
                    TargetRef {
                        account,
                        kind: Some(kind),
                        id,
                    }
                }
                _ => {
                    return Err(Error::InvalidResourceName {
                        input: input.to_owned(),
                        expected: ROUTE_TARGET_EXPECTED,
                    });
                }
            }
        } else {
            TargetRef {
                account: caller,
                kind: None,
                id: input,
            }
        };
        if !is_valid_id(target.account) {
            return Err(Error::InvalidName {
                kind: IdKind::Account,
                input: target.account.to_owned(),
            });
        }
        if !is_valid_id(target.id) {
            let kind = target.kind.map_or(IdKind::Router, ResourceKind::id_kind);
            return Err(Error::InvalidName {
                kind,
                input: target.id.to_owned(),
            });
        }
        Ok(target)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// The byte-scanning parser gives the same target or the same error
        /// as the reference for names built from the pieces that matter
        /// (slashes, collections, valid and invalid IDs, non-ASCII).
        #[test]
        fn route_target_parsing_matches_the_reference(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "accounts", "routers", "deployments", "models", "acme", "r1", "a-b",
                    "Bad", "", "-x", "é", "/", "//", "accounts/", "x/y",
                ]),
                0..7,
            ),
            seps in proptest::collection::vec(proptest::bool::ANY, 7),
            caller in proptest::sample::select(vec!["me", "Bad", "", "a/b"]),
        ) {
            let mut input = String::new();
            for (part, slash) in parts.iter().zip(&seps) {
                input.push_str(part);
                if *slash {
                    input.push('/');
                }
            }
            proptest::prop_assert_eq!(
                parse_route_target(&input, caller),
                parse_route_target_reference(&input, caller),
                "{:?} from {:?}", input, caller
            );
        }
    }

    #[test]
    fn route_target_parsing() {
        let t = parse_route_target("accounts/x/routers/r", "me").unwrap();
        assert_eq!(
            (t.account, t.kind, t.id),
            ("x", Some(ResourceKind::Router), "r")
        );
        let t = parse_route_target("r", "me").unwrap();
        assert_eq!((t.account, t.kind, t.id), ("me", None, "r"));
        assert!(matches!(
            parse_route_target("accounts/x/models/m", "me"),
            Err(Error::InvalidResourceName { .. })
        ));
        assert!(matches!(
            parse_route_target("Bad", "me"),
            Err(Error::InvalidName { .. })
        ));
    }
}
