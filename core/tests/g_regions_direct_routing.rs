//! SPEC G1-G6: regions, the catalog, placement and direct routing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::registry::*;
use replica_router::{
    DeploymentSpec, DirectRoute, Error, Id, IdKind, Placement, Region, RegionCatalog, Registry,
    ResourceKind, ResourceName,
};

fn dep(account: &str, id: &str) -> ResourceName {
    let a = Id::new(account, IdKind::Account).unwrap();
    ResourceName::parse(id, ResourceKind::Deployment, &a).unwrap()
}

#[test]
fn g1_canonical_and_host_forms() {
    let canonical = Region::new("US_ARIZONA_1").unwrap();
    for form in [
        "us-arizona-1",
        "US-ARIZONA-1",
        "Us-Arizona-1",
        "us_arizona_1",
    ] {
        assert_eq!(Region::new(form).unwrap(), canonical, "{form}");
    }
    assert_eq!(canonical.to_string(), "US_ARIZONA_1");
    assert_eq!(canonical.host_label(), "us-arizona-1");
    assert_eq!(
        Region::new("EU_FRANKFURT_1").unwrap().host_label(),
        "eu-frankfurt-1"
    );
    for bad in [
        "",
        "US",
        "US_1",
        "USA_X_1",
        "US_ARIZONA",
        "US_ARIZONA_X",
        "us-arizona_1",
        "U$_A_1",
    ] {
        assert!(
            matches!(Region::new(bad), Err(Error::InvalidRegion { .. })),
            "{bad}"
        );
    }
}

#[test]
fn g2_default_catalog_is_exactly_the_ten_reference_regions() {
    let catalog = RegionCatalog::default();
    let names: Vec<String> = catalog.regions().map(ToString::to_string).collect();
    let mut expected = vec![
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
    expected.sort_unstable();
    assert_eq!(names, expected);
    assert!(
        Region::new("us-texas-1")
            .unwrap()
            .supports_direct_routing(&catalog)
    );
    assert!(
        !Region::new("US_OREGON_1")
            .unwrap()
            .supports_direct_routing(&catalog)
    );
}

#[test]
fn g2_custom_catalogs() {
    let catalog = RegionCatalog::new(["us-oregon-1", "US_OREGON_1", "EU_PARIS_2"]).unwrap();
    assert_eq!(catalog.len(), 2);
    assert!(
        Region::new("US_OREGON_1")
            .unwrap()
            .supports_direct_routing(&catalog)
    );
    assert!(
        !Region::new("US_ARIZONA_1")
            .unwrap()
            .supports_direct_routing(&catalog)
    );
    assert!(matches!(
        RegionCatalog::new(["nope"]),
        Err(Error::InvalidRegion { .. })
    ));

    let mut reg = Registry::with_catalog(ACCOUNT, 1, catalog).unwrap();
    reg.create_deployment(
        DeploymentSpec::new(MODEL)
            .id("d")
            .region("US_OREGON_1")
            .direct_route(["k1"]),
    )
    .unwrap();
    let err = reg
        .create_deployment(
            DeploymentSpec::new(MODEL)
                .id("e")
                .region("US_ARIZONA_1")
                .direct_route(["k1"]),
        )
        .unwrap_err();
    assert!(matches!(err, Error::UnsupportedRegion { .. }));
}

#[test]
fn g3_multi_region_by_default_or_pinned() {
    let mut reg = registry();
    let d = reg
        .create_deployment(DeploymentSpec::new(MODEL).id("multi"))
        .unwrap();
    assert_eq!(d.placement(), &Placement::MultiRegion);
    assert!(d.is_multi_region());
    let d = reg
        .create_deployment(
            DeploymentSpec::new(MODEL)
                .id("pinned")
                .region("eu-frankfurt-1"),
        )
        .unwrap();
    assert_eq!(
        d.placement().region().unwrap().canonical(),
        "EU_FRANKFURT_1"
    );
    assert!(!d.is_multi_region());
}

#[test]
fn g4_direct_routing_needs_a_pinned_supported_region_and_valid_keys() {
    let mut reg = registry();
    let spec = || DeploymentSpec::new(MODEL).id("d");
    assert_eq!(
        reg.create_deployment(spec().direct_route(["k"]))
            .unwrap_err(),
        Error::RegionRequired
    );

    let err = reg
        .create_deployment(spec().region("US_OREGON_1").direct_route(["k"]))
        .unwrap_err();
    match &err {
        Error::UnsupportedRegion { region, supported } => {
            assert_eq!(region, "US_OREGON_1");
            assert_eq!(supported.len(), 10);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("US_ARIZONA_1"),
        "message lists supported regions: {err}"
    );

    let pinned = || spec().region("US_ARIZONA_1");
    assert_eq!(
        reg.create_deployment(pinned().direct_route(Vec::<String>::new()))
            .unwrap_err(),
        Error::NoApiKeys
    );
    let too_long = "k".repeat(257);
    for (keys, index) in [
        (vec!["ok", ""], 1),
        (vec!["has space"], 0),
        (vec!["ok", "ok2", "dash-key"], 2),
        (vec![too_long.as_str()], 0),
        (vec!["ünïcode"], 0),
    ] {
        let err = reg
            .create_deployment(pinned().direct_route(keys.clone()))
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidApiKey { index: i, .. } if i == index),
            "{keys:?}: {err:?}"
        );
    }
    assert_eq!(
        reg.create_deployment(pinned().direct_route(["a1", "b2", "a1"]))
            .unwrap_err(),
        Error::DuplicateApiKey { index: 2, first: 0 }
    );
    let max_len = "k".repeat(256);
    let d = reg
        .create_deployment(pinned().direct_route([max_len.as_str(), "B2"]))
        .unwrap();
    assert_eq!(d.direct_route().unwrap().key_count(), 2);
    assert!(
        reg.list_deployments().len() == 1,
        "failed creates changed nothing"
    );
}

#[test]
fn g4_api_key_limit() {
    let keys: Vec<String> = (0..=replica_router::limits::MAX_API_KEYS)
        .map(|i| format!("k{i}"))
        .collect();
    let err = DirectRoute::new(Region::new("US_IOWA_1").unwrap(), &keys, 0).unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { .. }));
    assert!(DirectRoute::new(Region::new("US_IOWA_1").unwrap(), &keys[1..], 0).is_ok());
}

#[test]
fn g5_handle_and_base_url_match_the_reference() {
    let route = DirectRoute::new(Region::new("US_ARIZONA_1").unwrap(), &["key1"], 0).unwrap();
    let d = dep("my-account", "abcd1234");
    assert_eq!(
        route.handle(&d).unwrap(),
        "my-account-abcd1234.us-arizona-1.direct.fireworks.ai"
    );
    assert_eq!(
        route.base_url(&d).unwrap(),
        "https://my-account-abcd1234.us-arizona-1.direct.fireworks.ai/v1"
    );
    let custom = route.clone().with_domain("Direct.Example.COM").unwrap();
    assert_eq!(
        custom.handle(&d).unwrap(),
        "my-account-abcd1234.us-arizona-1.direct.example.com"
    );
    for bad in [
        "",
        ".x",
        "x..y",
        "-x.com",
        "x-.com",
        "a b.com",
        &format!("{}.com", "a".repeat(64)),
    ] {
        assert!(
            matches!(
                route.clone().with_domain(bad),
                Err(Error::InvalidDomain { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn g5_first_label_is_at_most_63_characters() {
    let route = DirectRoute::new(Region::new("US_ARIZONA_1").unwrap(), &["key1"], 0).unwrap();
    // 31 + 1 + 31 = 63: allowed; one more: rejected.
    let ok = dep(&"a".repeat(31), &"b".repeat(31));
    assert!(route.handle(&ok).is_ok());
    let long = dep(&"a".repeat(31), &"b".repeat(32));
    assert!(matches!(
        route.handle(&long),
        Err(Error::HandleTooLong { .. })
    ));

    let mut reg = Registry::new(&"a".repeat(40), 1).unwrap();
    let err = reg
        .create_deployment(
            DeploymentSpec::new(MODEL)
                .id("b".repeat(30))
                .region("US_IOWA_1")
                .direct_route(["k"]),
        )
        .unwrap_err();
    assert!(matches!(err, Error::HandleTooLong { .. }));
    assert_eq!(reg.list_deployments().len(), 0);
}

#[test]
fn g6_authorize_distinguishes_unauthenticated_and_forbidden() {
    let route = DirectRoute::new(
        Region::new("US_ARIZONA_1").unwrap(),
        &["alpha1", "Beta2"],
        0,
    )
    .unwrap();
    for ok in [
        "Bearer alpha1",
        "bearer Beta2",
        "BEARER alpha1",
        "  Bearer   alpha1  ",
        "\tBearer\t alpha1\t",
    ] {
        assert_eq!(route.authorize(Some(ok)), Ok(()), "{ok}");
    }
    for unauth in [
        None,
        Some(""),
        Some("alpha1"),
        Some("Basic alpha1"),
        Some("Bearer"),
        Some("Bearer a b"),
        Some("Token alpha1"),
        // Issue 15: only ASCII space and tab are whitespace here.
        Some("Bearer alpha1\u{a0}"),
        Some("\u{2028}Bearer alpha1"),
        Some("Bearer alpha1\u{3000}"),
        Some("Bearer\u{85}alpha1"),
        Some("Bearer alpha1\n"),
    ] {
        assert!(
            matches!(route.authorize(unauth), Err(Error::Unauthenticated { .. })),
            "{unauth:?}"
        );
    }
    for forbidden in [
        "Bearer alpha2",
        "Bearer ALPHA1",
        "Bearer beta2",
        "Bearer x",
        &format!("Bearer {}", "k".repeat(300)),
    ] {
        assert_eq!(
            route.authorize(Some(forbidden)),
            Err(Error::Forbidden),
            "{forbidden}"
        );
    }
}

#[test]
fn g6_keys_never_appear_in_debug_display_errors_or_snapshots() {
    let secret = "SuperSecretKey123";
    let route = DirectRoute::new(Region::new("US_ARIZONA_1").unwrap(), &[secret], 0).unwrap();
    assert!(!format!("{route:?}").contains(secret));
    assert!(!format!("{route}").contains(secret));
    for header in [
        "Bearer wrongKey99",
        "Basic SuperSecretKey123",
        "Bearer SuperSecretKey123 extra",
    ] {
        if let Err(e) = route.authorize(Some(header)) {
            assert!(!format!("{e} {e:?}").contains(secret), "{header}");
            assert!(!format!("{e} {e:?}").contains("wrongKey99"), "{header}");
        }
    }
    let mut reg = registry();
    let spec = DeploymentSpec::new(MODEL)
        .id("d")
        .region("US_ARIZONA_1")
        .direct_route([secret]);
    assert!(!format!("{spec:?}").contains(secret));
    let d = reg.create_deployment(spec).unwrap();
    assert!(!format!("{d:?}").contains(secret));
    let json = reg.to_json();
    assert!(!json.contains(secret));
    let loaded = Registry::from_json(&json).unwrap();
    let header = format!("Bearer {secret}");
    assert_eq!(
        loaded
            .get_deployment("d")
            .unwrap()
            .direct_route()
            .unwrap()
            .authorize(Some(&header)),
        Ok(())
    );
    let err = reg
        .create_deployment(
            DeploymentSpec::new(MODEL)
                .id("e")
                .region("US_ARIZONA_1")
                .direct_route([secret, secret]),
        )
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains(secret));
}

/// Issue 15: a `DirectRoute` kept by the caller is a snapshot and still
/// accepts a key revoked by deleting and re-creating the deployment; the
/// registry authorizes against the current state, by handle or by name.
#[test]
fn g6_registry_authorizes_against_the_current_state() {
    let mut reg = Registry::new("my-account", replica_router::Seed::from_u64(5)).unwrap();
    let spec = |key: &str| {
        DeploymentSpec::new("accounts/my-account/models/m")
            .id("multi-part-id")
            .region("US_ARIZONA_1")
            .direct_route([key])
    };
    let created = reg.create_deployment(spec("oldKey1")).unwrap();
    let stale = created.direct_route().unwrap().clone();
    let host = stale.handle(created.name()).unwrap();
    assert_eq!(
        host,
        "my-account-multi-part-id.us-arizona-1.direct.fireworks.ai"
    );
    let full = "accounts/my-account/deployments/multi-part-id";
    for target in [host.as_str(), &host.to_uppercase(), full, "multi-part-id"] {
        let d = reg
            .authorize_direct_route(target, Some("Bearer oldKey1"))
            .unwrap();
        assert_eq!(d.name().to_string(), full, "{target}");
    }

    reg.delete_deployment("multi-part-id").unwrap();
    reg.create_deployment(spec("newKey2")).unwrap();
    // The detached object is a snapshot: it still takes the revoked key.
    assert_eq!(stale.authorize(Some("Bearer oldKey1")), Ok(()));
    for target in [host.as_str(), full, "multi-part-id"] {
        assert_eq!(
            reg.authorize_direct_route(target, Some("Bearer oldKey1")),
            Err(Error::Forbidden),
            "{target}"
        );
        assert!(
            reg.authorize_direct_route(target, Some("Bearer newKey2"))
                .is_ok()
        );
        assert!(matches!(
            reg.authorize_direct_route(target, None),
            Err(Error::Unauthenticated { .. })
        ));
    }
    // From another acting account, by handle or full name (a direct route
    // is guarded by its keys, not by accounts).
    reg.set_account("other-account").unwrap();
    assert!(
        reg.authorize_direct_route(&host, Some("Bearer newKey2"))
            .is_ok()
    );
    assert!(
        reg.authorize_direct_route(full, Some("Bearer newKey2"))
            .is_ok()
    );

    reg.delete_deployment(full).unwrap_err();
    reg.set_account("my-account").unwrap();
    reg.delete_deployment(full).unwrap();
    for target in [host.as_str(), full, "nowhere.example.com", "-.x", "a-b"] {
        assert!(
            matches!(
                reg.authorize_direct_route(target, Some("Bearer newKey2")),
                Err(Error::NotFound { .. })
            ),
            "{target}"
        );
    }
    // A deployment without a direct route has nothing to authorize.
    reg.create_deployment(DeploymentSpec::new("accounts/my-account/models/m").id("plain"))
        .unwrap();
    assert!(matches!(
        reg.authorize_direct_route("plain", Some("Bearer newKey2")),
        Err(Error::NotFound { .. })
    ));
}
