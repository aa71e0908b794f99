//! IDs and resource names (SPEC N1, N2).
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
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            b.len() <= MAX_ID_LEN
                && alnum(first)
                && alnum(last)
                && b.iter().all(|&c| alnum(c) || c == b'-')
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
    let (account, rest) = rest.split_once('/')?;
    let (collection, id) = rest.split_once('/')?;
    let kind = ResourceKind::from_collection(collection)?;
    Some((account, kind, id))
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

/// Parses a request's `model` field (SPEC R6) against the caller's account.
pub(crate) fn parse_route_target<'a>(input: &'a str, caller: &'a str) -> Result<TargetRef<'a>> {
    let invalid = || Error::InvalidResourceName {
        input: input.to_owned(),
        expected: ROUTE_TARGET_EXPECTED,
    };
    let target = if input.contains('/') {
        match parse_full(input) {
            Some((account, kind @ (ResourceKind::Router | ResourceKind::Deployment), id)) => {
                TargetRef {
                    account,
                    kind: Some(kind),
                    id,
                }
            }
            _ => return Err(invalid()),
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
