//! Serde helpers for plan JSON: resource names as full-name strings and
//! fractions as `"numerator/denominator"` strings (exact, and safe from the
//! 2^53 limit of JSON numbers in JavaScript).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

use crate::error::IdKind;
use crate::names::{Id, ResourceKind, ResourceName};
use crate::share::Fraction;

/// Parses a full resource name of any kind; the plan validator checks kinds.
pub(super) fn parse_full_name(input: &str) -> Result<ResourceName, String> {
    let parts: Vec<&str> = input.split('/').collect();
    let kind = match parts.as_slice() {
        ["accounts", _, "deployments", _] => ResourceKind::Deployment,
        ["accounts", _, "routers", _] => ResourceKind::Router,
        ["accounts", _, "models", _] => ResourceKind::Model,
        _ => {
            return Err(format!(
                "'{}' is not a full resource name accounts/{{account}}/{{deployments|routers|models}}/{{id}}",
                input.escape_debug()
            ));
        }
    };
    let account = Id::new(parts[1], IdKind::Account).map_err(|e| e.to_string())?;
    let id = Id::new(parts[3], kind.id_kind()).map_err(|e| e.to_string())?;
    Ok(ResourceName::new(account, kind, id))
}

pub(super) mod name {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(name: &ResourceName, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(name)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ResourceName, D::Error> {
        let s = String::deserialize(d)?;
        parse_full_name(&s).map_err(D::Error::custom)
    }
}

pub(super) mod names {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        names: &[ResourceName],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(names.iter().map(ToString::to_string))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<ResourceName>, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        v.iter()
            .map(|s| parse_full_name(s).map_err(D::Error::custom))
            .collect()
    }
}

pub(super) mod fraction {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(f: &Fraction, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(f)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Fraction, D::Error> {
        let s = String::deserialize(d)?;
        let parsed = s.split_once('/').and_then(|(n, d)| {
            let (n, d) = (n.parse::<u64>().ok()?, d.parse::<u64>().ok()?);
            let f = Fraction::new(n, d)?;
            // Only lowest terms round-trip exactly.
            (f.numerator() == n && f.denominator() == d).then_some(f)
        });
        parsed.ok_or_else(|| {
            D::Error::custom(format!(
                "'{}' is not a fraction in lowest terms like \"3/5\"",
                s.escape_debug()
            ))
        })
    }
}
