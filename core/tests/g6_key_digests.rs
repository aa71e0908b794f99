//! SPEC G6 (revised), issue 15 item 6: stored API keys are salted digests,
//! optionally keyed by a secret the caller holds outside the snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use replica_router::{DeploymentSpec, DirectRoute, Error, KeySecret, Region, Registry};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn with_route(reg: &mut Registry, id: &str, keys: &[&str]) {
    reg.create_deployment(
        DeploymentSpec::new("m")
            .id(id)
            .region("US_ARIZONA_1")
            .direct_route(keys.iter().copied()),
    )
    .unwrap();
}

/// The stored keys of deployment `index` of a snapshot.
fn stored(json: &str, index: usize) -> Vec<Value> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["deployments"][index]["direct_route"]["api_keys"]
        .as_array()
        .unwrap()
        .clone()
}

/// Issue 15: `hashlib.sha256(b"secret1").hexdigest()` appeared verbatim in
/// snapshots. Now neither the key nor its unsalted digest does.
#[test]
fn g6_unsalted_digest_no_longer_in_snapshot() {
    let mut reg = Registry::new("acme", 1).unwrap();
    with_route(&mut reg, "d1", &["secret1"]);
    let json = reg.to_json();
    let unsalted = hex(&Sha256::digest(b"secret1"));
    assert_eq!(
        unsalted,
        "5b11618c2e44027877d0cd0921ed166b9f176f50587fc91e7534dd2946db77d6"
    );
    assert!(!json.contains(&unsalted));
    assert!(!json.contains("secret1"));
    // (That is `hashlib.sha256(b"secret1").hexdigest()`.) What is stored is SHA-256(salt ‖ key), with a 16-byte salt.
    let key = &stored(&json, 0)[0];
    assert_eq!(key["scheme"], "salted-sha256");
    let salt = unhex(key["salt"].as_str().unwrap());
    assert_eq!(salt.len(), 16);
    let mut h = Sha256::new();
    h.update(&salt);
    h.update(b"secret1");
    assert_eq!(key["digest"], hex(&h.finalize()));
    // And it still verifies, before and after a round trip.
    let loaded = Registry::from_json(&json).unwrap();
    assert_eq!(loaded.to_json(), json);
    assert!(
        loaded
            .authorize_direct_route("d1", Some("Bearer secret1"))
            .is_ok()
    );
    assert_eq!(
        loaded.authorize_direct_route("d1", Some("Bearer secret2")),
        Err(Error::Forbidden)
    );
}

/// Equal keys give unequal digests: in two deployments of one registry,
/// in two registries with different seeds, and in one route's salts.
#[test]
fn g6_equal_keys_give_unequal_digests() {
    let mut reg = Registry::new("acme", 1).unwrap();
    with_route(&mut reg, "d1", &["sharedKey", "other"]);
    with_route(&mut reg, "d2", &["sharedKey"]);
    let json = reg.to_json();
    let (a, b) = (stored(&json, 0), stored(&json, 1));
    assert_ne!(a[0]["digest"], b[0]["digest"]);
    assert_ne!(a[0]["salt"], b[0]["salt"]);
    assert_ne!(a[0]["salt"], a[1]["salt"]);
    let mut other = Registry::new("acme", 2).unwrap();
    with_route(&mut other, "d1", &["sharedKey", "other"]);
    let c = stored(&other.to_json(), 0);
    assert_ne!(a[0]["digest"], c[0]["digest"]);
    // Standalone routes: salts come from the given seed.
    let region = Region::new("US_ARIZONA_1").unwrap();
    let r1 = DirectRoute::new(region.clone(), &["sharedKey"], 1).unwrap();
    let r2 = DirectRoute::new(region.clone(), &["sharedKey"], 2).unwrap();
    let r1_again = DirectRoute::new(region, &["sharedKey"], 1).unwrap();
    assert_ne!(r1, r2);
    assert_eq!(r1, r1_again);
}

/// Salts come from their own generator stream: generated IDs and routing
/// picks are the same with and without direct routes in between.
#[test]
fn g6_salts_leave_ids_and_routing_unchanged() {
    let run = |with_keys: bool| {
        let mut reg = Registry::new("acme", 3).unwrap();
        let mut spec = DeploymentSpec::new("m").region("US_ARIZONA_1");
        if with_keys {
            spec = spec.direct_route(["k1", "k2"]);
        }
        let a = reg.create_deployment(spec).unwrap();
        let b = reg.create_deployment(DeploymentSpec::new("m")).unwrap();
        (a.name().to_string(), b.name().to_string())
    };
    assert_eq!(run(true), run(false));
}

/// With a key secret, a leaked snapshot alone does not reveal even a
/// one-character key: no candidate's salted SHA-256 matches, and the
/// snapshot does not load or verify without the secret.
#[test]
fn g6_short_key_with_a_secret_does_not_verify_without_it() {
    let secret = KeySecret::new(b"held-outside-the-snapshot-32byte").unwrap();
    let mut reg = Registry::new("acme", 1)
        .unwrap()
        .with_key_secret(secret.clone())
        .unwrap();
    with_route(&mut reg, "d1", &["a"]);
    let json = reg.to_json();
    assert!(!json.contains("held-outside"));
    let key = &stored(&json, 0)[0];
    assert_eq!(key["scheme"], "hmac-sha256");
    let salt = unhex(key["salt"].as_str().unwrap());
    let digest = key["digest"].as_str().unwrap();
    // An attacker with the snapshot tries every one-character key.
    let alphabet = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for c in alphabet {
        for candidate in [Sha256::digest([*c]), {
            let mut h = Sha256::new();
            h.update(&salt);
            h.update([*c]);
            h.finalize()
        }] {
            assert_ne!(hex(&candidate), digest);
        }
    }
    assert_eq!(
        Registry::from_json(&json).unwrap_err(),
        Error::KeySecretMismatch { given: false }
    );
    // A secret held elsewhere verifies the key, and only that secret.
    let loaded = Registry::from_json_with_key_secret(&json, &secret).unwrap();
    assert!(
        loaded
            .authorize_direct_route("d1", Some("Bearer a"))
            .is_ok()
    );
    assert_eq!(
        loaded.authorize_direct_route("d1", Some("Bearer b")),
        Err(Error::Forbidden)
    );
    assert_eq!(loaded.to_json(), json);
    let route = loaded.get_deployment("d1").unwrap().direct_route().unwrap();
    assert!(route.is_keyed());
    assert!(!format!("{route:?} {route} {secret:?}").contains("held-outside"));
}

/// A wrong secret is a clear error, not every key silently failing.
#[test]
fn g6_wrong_secret_is_an_error() {
    let secret = KeySecret::new(&[1; 32]).unwrap();
    let wrong = KeySecret::new(&[2; 32]).unwrap();
    let mut reg = Registry::new("acme", 1)
        .unwrap()
        .with_key_secret(secret.clone())
        .unwrap();
    with_route(&mut reg, "d1", &["k1"]);
    let json = reg.to_json();
    let err = Registry::from_json_with_key_secret(&json, &wrong).unwrap_err();
    assert_eq!(err, Error::KeySecretMismatch { given: true });
    assert_eq!(err.code(), "KEY_SECRET_MISMATCH");
    // A registry keeps its secret.
    assert_eq!(
        reg.clone().with_key_secret(wrong).unwrap_err(),
        Error::KeySecretMismatch { given: true }
    );
    assert!(reg.clone().with_key_secret(secret).is_ok());
    // A tampered check value is caught too.
    let v: Value = serde_json::from_str(&json).unwrap();
    let check = v["key_secret_check"].as_str().unwrap();
    assert_eq!(check.len(), 16);
    let flipped = json.replace(check, &"0".repeat(16));
    assert_ne!(flipped, json);
    assert_eq!(
        Registry::from_json_with_key_secret(&flipped, &KeySecret::new(&[1; 32]).unwrap())
            .unwrap_err(),
        Error::KeySecretMismatch { given: true }
    );
    for bad in [&[0u8; 15][..], &[0u8; 65][..], b""] {
        assert_eq!(
            KeySecret::new(bad).unwrap_err(),
            Error::InvalidKeySecret { len: bad.len() }
        );
    }
}

/// Malformed stored keys are errors that say what was expected.
#[test]
fn g6_malformed_stored_keys_are_errors() {
    let mut reg = Registry::new("acme", 1).unwrap();
    with_route(&mut reg, "d1", &["k1"]);
    let json = reg.to_json();
    let mut v: Value = serde_json::from_str(&json).unwrap();
    let cases: Vec<(&str, Value)> = vec![
        ("scheme", "md5".into()),
        ("scheme", "sha256".into()),
        ("salt", Value::Null),
        ("salt", "00".into()),
        ("digest", "XYZ".into()),
    ];
    for (field, value) in cases {
        let mut w = v.clone();
        w["deployments"][0]["direct_route"]["api_keys"][0][field] = value.clone();
        let err = Registry::from_json(&w.to_string()).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(
                err,
                Error::InvalidJson { .. } | Error::InvalidSnapshot { .. }
            ),
            "{field}={value}: {msg}"
        );
        assert!(msg.contains("api_keys[0]"), "{msg}");
    }
    // A keyed digest without a check value needs a secret all the same.
    v["deployments"][0]["direct_route"]["api_keys"][0]["scheme"] = "hmac-sha256".into();
    let err = Registry::from_json(&v.to_string()).unwrap_err();
    assert!(err.to_string().contains("key secret"), "{err}");
}

/// A standalone route saves as its salted digests (Python pickles it so)
/// and loads back authorizing the same keys; a keyed one needs its secret.
#[test]
fn g6_route_json_round_trip() {
    let region = Region::new("eu-frankfurt-1").unwrap();
    let route = DirectRoute::new(region.clone(), &["k1", "k2"], 4)
        .unwrap()
        .with_domain("example.com")
        .unwrap();
    let json = route.to_json();
    assert!(!json.contains("\"k1\"") && !json.contains(&hex(&Sha256::digest(b"k1"))));
    let loaded = DirectRoute::from_json(&json, None).unwrap();
    assert_eq!(loaded, route);
    assert_eq!(loaded.to_json(), json);
    for key in ["k1", "k2"] {
        assert!(loaded.authorize(Some(&format!("Bearer {key}"))).is_ok());
    }
    assert_eq!(loaded.authorize(Some("Bearer k3")), Err(Error::Forbidden));

    let secret = KeySecret::new(&[4; 16]).unwrap();
    let catalog = replica_router::RegionCatalog::default();
    let keyed = DirectRoute::with_catalog(region, &["k1"], &catalog, 4, Some(&secret)).unwrap();
    let json = keyed.to_json();
    assert_eq!(
        DirectRoute::from_json(&json, None).unwrap_err(),
        Error::KeySecretMismatch { given: false }
    );
    assert_eq!(
        DirectRoute::from_json(&json, Some(&KeySecret::new(&[5; 16]).unwrap())).unwrap_err(),
        Error::KeySecretMismatch { given: true }
    );
    let loaded = DirectRoute::from_json(&json, Some(&secret)).unwrap();
    assert_eq!(loaded, keyed);
    assert!(loaded.authorize(Some("Bearer k1")).is_ok());
    assert!(matches!(
        DirectRoute::from_json("{}", None),
        Err(Error::InvalidJson { .. })
    ));
}
