//! SPEC T3: snapshots of earlier format versions load into the meaning they
//! had. `testdata/snapshots/v1.json` was written by a version-1 build (it is
//! the snapshot its shared vectors pinned at the end of the `strategies`
//! scenario), with a router of each version-1 strategy.
//! `testdata/snapshots/v2.json` was written by a version-2 build (the
//! snapshot its shared vectors pinned at the end of the `ab-test` scenario):
//! deployment `pinned` has a direct route with keys `key1` and `Key2`,
//! stored as unsalted SHA-256 digests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use replica_router::{Error, KeySecret, Registry, RouteRequest, SessionAffinity, Strategy};
use serde_json::Value;

const V1: &str = include_str!("../../testdata/snapshots/v1.json");
const V2: &str = include_str!("../../testdata/snapshots/v2.json");

fn edit(json: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(json).unwrap();
    f(&mut v);
    v.to_string()
}

/// SPEC T3, R9: a version-1 `session-affinity` router becomes
/// `weighted-random` with the session-affinity flag; the others keep their
/// strategy without the flag.
#[test]
fn t3_version_1_loads_with_session_affinity_as_a_flag() {
    let mut reg = Registry::from_json(V1).unwrap();
    let routers: Vec<(String, Strategy, bool)> = reg
        .list_routers()
        .map(|r| {
            (
                r.name().id().to_string(),
                r.strategy(),
                r.session_affinity(),
            )
        })
        .collect();
    assert_eq!(
        routers,
        [
            ("random".to_owned(), Strategy::WeightedRandom, false),
            ("rr".to_owned(), Strategy::WeightedRoundRobin, false),
            ("sticky".to_owned(), Strategy::WeightedRandom, true),
        ]
    );
    // Keyed requests to the old session-affinity router keep their slots:
    // the same rendezvous placement over the same replicas.
    let split = reg.traffic_split("sticky").unwrap();
    let affinity = SessionAffinity::new(
        split
            .shares
            .iter()
            .map(|s| (s.deployment.to_string(), s.replicas)),
    )
    .unwrap();
    for i in 0..200 {
        let key = format!("session-{i}");
        let d = reg
            .route_request(&RouteRequest::new("sticky", "my-account").session_key(&key))
            .unwrap();
        let expected = affinity.pick(&key);
        assert_eq!(
            (d.deployment.to_string(), d.replica),
            (
                split.shares[expected.deployment as usize]
                    .deployment
                    .to_string(),
                Some(expected.replica)
            )
        );
    }
}

/// SPEC T3: a loaded old snapshot is written in the current format, which
/// round-trips exactly.
#[test]
fn t3_old_snapshots_are_written_in_the_current_format() {
    let json = Registry::from_json(V1).unwrap().to_json();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["format_version"], 3);
    let flags: Vec<(&str, bool)> = v["routers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["strategy"].as_str().unwrap(),
                r["session_affinity"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("weighted-random", false),
            ("weighted-round-robin", false),
            ("weighted-random", true)
        ]
    );
    assert_eq!(Registry::from_json(&json).unwrap().to_json(), json);
}

/// Each version has its own fields: a version-2 snapshot needs
/// `session_affinity` and no longer knows `session-affinity` as a strategy;
/// a version-1 snapshot has no `session_affinity` field.
#[test]
fn t3_each_version_reads_its_own_fields() {
    let current = Registry::from_json(V1).unwrap().to_json();
    let no_flag = edit(&current, |v| {
        v["routers"][0]
            .as_object_mut()
            .unwrap()
            .remove("session_affinity");
    });
    assert!(matches!(
        Registry::from_json(&no_flag),
        Err(Error::InvalidJson { .. })
    ));
    let old_name = edit(&current, |v| {
        v["routers"][2]["strategy"] = "session-affinity".into()
    });
    match Registry::from_json(&old_name).unwrap_err() {
        Error::InvalidSnapshot { location, source } => {
            assert_eq!(location, "routers[2]");
            assert!(matches!(*source, Error::InvalidStrategy { .. }));
        }
        other => panic!("expected InvalidSnapshot, got {other:?}"),
    }
    let v1_with_flag = edit(V1, |v| v["routers"][0]["session_affinity"] = true.into());
    assert!(matches!(
        Registry::from_json(&v1_with_flag),
        Err(Error::InvalidJson { .. })
    ));
    for version in [0, 4] {
        let other = edit(V1, |v| v["format_version"] = version.into());
        assert!(matches!(
            Registry::from_json(&other),
            Err(Error::UnsupportedFormatVersion { found, supported: 3 }) if found == version
        ));
    }
    // Version 3 stores salted keys under `api_keys` and has the salt
    // generator and the key-secret check; version 2 has neither.
    let v2_as_v3 = edit(V2, |v| v["format_version"] = 3.into());
    assert!(matches!(
        Registry::from_json(&v2_as_v3),
        Err(Error::InvalidJson { .. })
    ));
    let v2_with_salt_pos = edit(V2, |v| v["salt_rng_word_pos"] = "0".into());
    assert!(matches!(
        Registry::from_json(&v2_with_salt_pos),
        Err(Error::InvalidJson { .. })
    ));
}

/// SPEC T3, G6: a version-2 snapshot's unsalted digests still verify their
/// keys, from the registry and from the detached route.
#[test]
fn t3_version_2_keys_still_verify() {
    let reg = Registry::from_json(V2).unwrap();
    for key in ["key1", "Key2"] {
        let header = format!("Bearer {key}");
        let d = reg.authorize_direct_route("pinned", Some(&header)).unwrap();
        assert_eq!(d.name().id().as_str(), "pinned");
        let route = d.direct_route().unwrap();
        assert_eq!(route.authorize(Some(&header)), Ok(()));
    }
    for wrong in ["Bearer key2", "Bearer Key1", "Bearer key"] {
        assert_eq!(
            reg.authorize_direct_route("pinned", Some(wrong)),
            Err(Error::Forbidden),
            "{wrong}"
        );
    }
    // Written as version 3, the old digests keep scheme `sha256` (there is
    // no key to salt) and round-trip exactly.
    let json = reg.to_json();
    let v: Value = serde_json::from_str(&json).unwrap();
    let keys = &v["deployments"][2]["direct_route"]["api_keys"];
    assert_eq!(
        keys[0],
        serde_json::json!({
            "scheme": "sha256",
            "salt": null,
            "digest": "8174099687a26621f4e2cdd7cc03b3dacedb3fb962255b1aafd033cabe831530"
        })
    );
    assert_eq!(v["salt_rng_word_pos"], "0");
    assert_eq!(v["key_secret_check"], Value::Null);
    let again = Registry::from_json(&json).unwrap();
    assert_eq!(again.to_json(), json);
    assert!(
        again
            .authorize_direct_route("pinned", Some("Bearer Key2"))
            .is_ok()
    );
    // Loaded with a key secret, the old digests verify as before and the
    // secret keys the keys set from then on.
    let secret = KeySecret::new(&[9; 32]).unwrap();
    let keyed = Registry::from_json_with_key_secret(V2, &secret).unwrap();
    assert!(keyed.has_key_secret());
    assert!(
        keyed
            .authorize_direct_route("pinned", Some("Bearer key1"))
            .is_ok()
    );
}
