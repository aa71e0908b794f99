//! Serde for the public value types that appear in neither JSON format
//! (feature `serde`): traffic splits, registry totals and route decisions.
//! Written and read like the formats' own values (the same [`Writer`] and
//! readers, field names in snake case, resource names as full-name strings,
//! fractions as `"3/5"`, unknown fields rejected), so every value has one
//! serde shape.

use crate::migration::plan_json::{fraction, name};
use crate::support::json::serde_impls::serde_via_format;
use crate::support::json::{Field, Read, Writer};
use crate::{RegistryTotals, RouteDecision, Share, TrafficSplit};

fn write_share(w: &mut Writer, s: &Share) {
    w.object(|w| {
        w.key("deployment").text(&s.deployment);
        w.key("replicas").uint(s.replicas);
        w.key("fraction").text(s.fraction);
    });
}

fn read_share(f: Field<'_, '_>) -> Read<Share> {
    f.object(|m| {
        Ok(Share {
            deployment: name(m.get("deployment")?)?,
            replicas: m.uint("replicas")?,
            fraction: fraction(m.get("fraction")?)?,
        })
    })
}

fn write_split(w: &mut Writer, s: &TrafficSplit) {
    w.object(|w| {
        w.key("router").text(&s.router);
        w.key("total_replicas").uint(s.total_replicas);
        w.key("shares").array(&s.shares, write_share);
    });
}

fn read_split(f: Field<'_, '_>) -> Read<TrafficSplit> {
    f.object(|m| {
        Ok(TrafficSplit {
            router: name(m.get("router")?)?,
            total_replicas: m.uint("total_replicas")?,
            shares: m.get("shares")?.array(read_share)?,
        })
    })
}

fn write_totals(w: &mut Writer, t: &RegistryTotals) {
    w.object(|w| {
        w.key("accounts").uint(t.accounts as u64);
        w.key("deployments").uint(t.deployments as u64);
        w.key("routers").uint(t.routers as u64);
    });
}

fn read_totals(f: Field<'_, '_>) -> Read<RegistryTotals> {
    f.object(|m| {
        Ok(RegistryTotals {
            accounts: m.uint("accounts")?,
            deployments: m.uint("deployments")?,
            routers: m.uint("routers")?,
        })
    })
}

serde_via_format!(
    /// `{"deployment": "accounts/.../deployments/...", "replicas": 3,
    /// "fraction": "3/5"}`. Fields are public, so any values deserialize;
    /// the name and fraction are checked as in the plan JSON.
    Share,
    write: write_share,
    read: read_share,
);
serde_via_format!(
    /// `{"router": "accounts/.../routers/...", "total_replicas": 5,
    /// "shares": [...]}`, shares as [`Share`]. Fields are public, so any
    /// values deserialize.
    TrafficSplit,
    write: write_split,
    read: read_split,
);
serde_via_format!(
    /// `{"accounts": 1, "deployments": 2, "routers": 1}`.
    RegistryTotals,
    write: write_totals,
    read: read_totals,
);

/// `{"deployment": "accounts/.../deployments/...", "replica": null,
/// "next_cursor": null}`. Serialize only: the decision borrows its
/// deployment name from the registry.
impl serde::Serialize for RouteDecision<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::support::json::serde_impls::serialize_written(s, |w| {
            w.object(|w| {
                w.key("deployment").text(self.deployment);
                w.key("replica").option(self.replica, Writer::uint);
                w.key("next_cursor").option(self.next_cursor, Writer::uint);
            });
        })
    }
}
