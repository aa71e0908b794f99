//! SPEC D1-D3: deployments, replica bounds and deletion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::registry::*;
use replica_router::{DeploymentSpec, DeploymentUpdate, Error, RouterSpec};

#[test]
fn d1_new_deployment_has_one_replica() {
    let mut reg = registry();
    let d = reg
        .create_deployment(DeploymentSpec::new(MODEL).id("d"))
        .unwrap();
    assert_eq!(
        (d.min_replicas(), d.max_replicas(), d.replicas()),
        (1, 1, 1)
    );
    assert_eq!(d.model().to_string(), MODEL);
}

#[test]
fn d1_given_bounds_start_at_clamp_of_one() {
    let mut reg = registry();
    for (id, min, max, expect) in [
        ("a", 4, 4, 4),
        ("b", 0, 0, 0),
        ("c", 0, 5, 1),
        ("e", 2, 9, 2),
    ] {
        let d = reg
            .create_deployment(DeploymentSpec::new(MODEL).id(id).replicas(min, max))
            .unwrap();
        assert_eq!(d.replicas(), expect, "{id}");
    }
    let err = reg
        .create_deployment(DeploymentSpec::new(MODEL).id("f").replicas(3, 2))
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidReplicaBounds {
            min: 3,
            max: 2,
            replicas: None
        }
    );
}

#[test]
fn d2_update_clamps_the_current_count() {
    let mut reg = registry();
    reg.create_deployment(DeploymentSpec::new(MODEL).id("d").replicas(0, 10))
        .unwrap();
    let d = reg
        .update_deployment("d", DeploymentUpdate::new().replicas(4, 4))
        .unwrap();
    assert_eq!(d.replicas(), 4);
    let d = reg
        .update_deployment("d", DeploymentUpdate::new().replicas(0, 2))
        .unwrap();
    assert_eq!(
        (d.min_replicas(), d.max_replicas(), d.replicas()),
        (0, 2, 2)
    );
    let d = reg
        .update_deployment("d", DeploymentUpdate::new().min_replicas(1))
        .unwrap();
    assert_eq!(
        (d.min_replicas(), d.max_replicas(), d.replicas()),
        (1, 2, 2)
    );
    let d = reg
        .update_deployment("d", DeploymentUpdate::new().replicas(0, 0))
        .unwrap();
    assert_eq!(d.replicas(), 0, "min = max = 0 scales to zero");
    let d = reg.update_deployment("d", DeploymentUpdate::new()).unwrap();
    assert_eq!(
        (d.min_replicas(), d.max_replicas(), d.replicas()),
        (0, 0, 0),
        "empty update changes nothing"
    );
}

#[test]
fn d2_min_above_max_is_rejected_and_changes_nothing() {
    let mut reg = registry();
    reg.create_deployment(DeploymentSpec::new(MODEL).id("d").replicas(2, 5))
        .unwrap();
    let before = reg.to_json();
    assert_eq!(
        reg.update_deployment("d", DeploymentUpdate::new().replicas(6, 5))
            .unwrap_err(),
        Error::InvalidReplicaBounds {
            min: 6,
            max: 5,
            replicas: None
        }
    );
    assert_eq!(
        reg.update_deployment("d", DeploymentUpdate::new().min_replicas(6))
            .unwrap_err(),
        Error::InvalidReplicaBounds {
            min: 6,
            max: 5,
            replicas: None
        }
    );
    assert_eq!(reg.to_json(), before);
}

#[test]
fn d2_scaling_changes_the_split_through_the_router() {
    let mut reg = ab_test();
    reg.update_deployment("deployment-b", DeploymentUpdate::new().replicas(3, 3))
        .unwrap();
    let split = reg.traffic_split("ab-test").unwrap();
    assert_eq!(split.shares[1].fraction.to_string(), "1/2");
}

#[test]
fn d3_deleting_a_deployment_a_router_names_is_in_use() {
    let mut reg = ab_test();
    reg.create_router(RouterSpec::new(["deployment-a"]).id("solo"))
        .unwrap();
    let before = reg.to_json();
    let err = reg.delete_deployment("deployment-a").unwrap_err();
    assert_eq!(
        err,
        Error::InUse {
            deployment: dep_name("deployment-a"),
            routers: vec![router_name("ab-test"), router_name("solo")],
        }
    );
    assert_eq!(reg.to_json(), before);
    reg.delete_router("solo").unwrap();
    reg.delete_router("ab-test").unwrap();
    reg.delete_deployment("deployment-a").unwrap();
    assert!(matches!(
        reg.get_deployment("deployment-a"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        reg.delete_deployment("deployment-a"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn d_listing_and_duplicates() {
    let mut reg = registry();
    for id in ["zeta", "alpha", "mid"] {
        deployment(&mut reg, id, 1);
    }
    let ids: Vec<_> = reg
        .list_deployments()
        .map(|d| d.name().id().to_string())
        .collect();
    assert_eq!(ids, ["alpha", "mid", "zeta"], "T2: stable order by name");
    assert!(matches!(
        reg.create_deployment(DeploymentSpec::new(MODEL).id("mid")),
        Err(Error::AlreadyExists { .. })
    ));
}

#[test]
fn d_other_accounts_deployments_are_private() {
    let mut reg = ab_test();
    reg.set_account("intruder").unwrap();
    let full = dep_name("deployment-a");
    assert!(matches!(
        reg.get_deployment(&full),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        reg.update_deployment(&full, DeploymentUpdate::new().replicas(0, 0)),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        reg.delete_deployment(&full),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        reg.create_deployment(DeploymentSpec::new(MODEL).id(full.clone())),
        Err(Error::PermissionDenied { .. })
    ));
    assert_eq!(reg.list_deployments().len(), 0);
}
