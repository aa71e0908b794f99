"""The reference facts of routers.md and direct-routing.md, through Python."""

from __future__ import annotations

from fractions import Fraction

import pytest

import replica_router as rr
from conftest import MODEL, ab_registry

A = "accounts/my-account/deployments/deployment-a"
B = "accounts/my-account/deployments/deployment-b"
ROUTER = "accounts/my-account/routers/ab-test"


def test_r5_three_and_two_replicas_split_exactly_60_40(reg: rr.Registry) -> None:
    split = reg.traffic_split("ab-test")
    assert split.router == ROUTER
    assert split.total_replicas == 5
    assert [s.deployment for s in split] == [A, B]
    assert [s.fraction for s in split] == [Fraction(3, 5), Fraction(2, 5)]
    assert [(s.numerator, s.denominator) for s in split] == [(3, 5), (2, 5)]
    assert [s.percent for s in split] == [60.0, 40.0]
    assert sum(s.fraction for s in split) == 1


def test_r5_scaling_replicas_shifts_traffic_to_80_20(reg: rr.Registry) -> None:
    reg.update_deployment("deployment-a", min_replicas=4, max_replicas=4)
    reg.update_deployment("deployment-b", min_replicas=1, max_replicas=1)
    split = reg.traffic_split(ROUTER)
    assert [s.fraction for s in split] == [Fraction(4, 5), Fraction(1, 5)]
    assert [s.percent for s in split] == [80.0, 20.0]


def test_r5_zero_replicas_get_nothing_and_zero_total_is_no_capacity(reg: rr.Registry) -> None:
    reg.update_deployment("deployment-b", min_replicas=0, max_replicas=0)
    assert [s.fraction for s in reg.traffic_split("ab-test")] == [Fraction(1), Fraction(0)]
    reg.update_deployment("deployment-a", min_replicas=0, max_replicas=0)
    with pytest.raises(rr.NoCapacityError) as e:
        reg.traffic_split("ab-test")
    assert e.value.code == "NO_CAPACITY"
    with pytest.raises(rr.NoCapacityError):
        reg.route("ab-test")


def test_r6_routing_follows_the_split_with_a_fixed_seed(reg: rr.Registry) -> None:
    n = 20_000
    picks = [reg.route(ROUTER, "my-account") for _ in range(n)]
    assert set(picks) == {A, B}
    # Binomial(20000, 3/5): sd = 69.3; 5 sd is 346.
    assert abs(picks.count(A) - 12_000) < 346


def test_s1_same_seed_routes_the_same_way() -> None:
    a, b, c = ab_registry(seed=7), ab_registry(seed=7), ab_registry(seed=8)
    routes_a = [a.route("ab-test") for _ in range(64)]
    assert routes_a == [b.route("ab-test") for _ in range(64)]
    assert routes_a != [c.route("ab-test") for _ in range(64)]


def test_r6_deployment_name_routes_to_that_deployment(reg: rr.Registry) -> None:
    assert reg.route("deployment-b") == B
    assert reg.route(B, "my-account") == B


def test_r4_deleted_router_fails_at_once(reg: rr.Registry) -> None:
    assert reg.route(ROUTER, "my-account") in (A, B)
    reg.delete_router("ab-test")
    with pytest.raises(rr.NotFoundError) as e:
        reg.route(ROUTER, "my-account")
    assert e.value.code == "NOT_FOUND"
    assert isinstance(e.value, LookupError)
    assert "ab-test" in str(e.value)
    with pytest.raises(rr.NotFoundError):
        reg.traffic_split("ab-test")
    assert reg.list_routers() == []


def test_r6_private_router_refused_to_another_account_public_one_allowed(
    reg: rr.Registry,
) -> None:
    with pytest.raises(rr.PermissionDeniedError) as e:
        reg.route(ROUTER, "other-account")
    assert e.value.code == "PERMISSION_DENIED"
    assert "other-account" in str(e.value)
    with pytest.raises(rr.PermissionDeniedError):
        reg.route(A, "other-account")
    reg.update_router("ab-test", public=True)
    assert reg.route(ROUTER, "other-account") in (A, B)
    # Another account reads the public router but cannot change it.
    reg.account = "other-account"
    assert reg.get_router(ROUTER).public is True
    with pytest.raises(rr.PermissionDeniedError):
        reg.delete_router(ROUTER)


def test_r2_region_pinned_deployment_cannot_join_a_router(reg: rr.Registry) -> None:
    reg.create_deployment(MODEL, id="pinned", region="US_ARIZONA_1")
    with pytest.raises(rr.ValidationError) as e:
        reg.create_router(["pinned"], id="r2")
    assert e.value.code == "NOT_MULTI_REGION"
    assert [r.id for r in reg.list_routers()] == ["ab-test"]


def test_d3_deployment_in_use_is_a_conflict_and_nothing_changes(reg: rr.Registry) -> None:
    before = reg.to_json()
    with pytest.raises(rr.ConflictError) as e:
        reg.delete_deployment("deployment-a")
    assert e.value.code == "IN_USE"
    assert ROUTER in str(e.value)
    assert reg.to_json() == before


def test_r3_failed_update_changes_nothing(reg: rr.Registry) -> None:
    before = reg.to_json()
    with pytest.raises(rr.NotFoundError):
        reg.update_router("ab-test", deployments=["deployment-a", "nope"], public=True)
    with pytest.raises(rr.ValidationError):
        reg.update_router("ab-test", strategy="fastest")
    assert reg.to_json() == before


def test_d1_d2_replica_bounds(reg: rr.Registry) -> None:
    d = reg.create_deployment(MODEL, id="c")
    assert (d.min_replicas, d.max_replicas, d.replicas) == (1, 1, 1)
    d = reg.update_deployment("c", max_replicas=5)
    assert (d.min_replicas, d.max_replicas, d.replicas) == (1, 5, 1)
    d = reg.update_deployment("c", min_replicas=3)
    assert d.replicas == 3
    with pytest.raises(rr.ValidationError) as e:
        reg.update_deployment("c", min_replicas=6)
    assert e.value.code == "INVALID_REPLICA_BOUNDS"


def test_n3_generated_ids_are_deterministic() -> None:
    ids = []
    for _ in range(2):
        reg = rr.Registry("my-account", seed=9)
        reg.create_deployment(MODEL, id="d")
        ids.append(reg.create_router(["d"]).id)
    assert ids[0] == ids[1]
    assert len(ids[0]) == 8 and ids[0].isalnum()


def test_g4_g5_direct_route_handle_of_the_reference() -> None:
    reg = rr.Registry("my-account", seed=1)
    d = reg.create_deployment(
        MODEL, id="abcd1234", region="US_ARIZONA_1", direct_route_api_keys=["secret1", "k2"]
    )
    assert d.region == rr.Region("US_ARIZONA_1")
    assert not d.is_multi_region
    assert d.direct_route_handle == "my-account-abcd1234.us-arizona-1.direct.fireworks.ai"
    route = d.direct_route
    assert route is not None
    assert route.key_count == 2
    assert route.handle(d) == d.direct_route_handle
    assert route.base_url(d.name) == (
        "https://my-account-abcd1234.us-arizona-1.direct.fireworks.ai/v1"
    )
    route.authorize("Bearer secret1")
    route.authorize("  bearer k2 ")
    with pytest.raises(rr.AuthError) as e:
        route.authorize("Bearer account-level-key")
    assert e.value.code == "FORBIDDEN"
    for bad in (None, "", "Basic secret1", "Bearer", "Bearer a b"):
        with pytest.raises(rr.AuthError) as e:
            route.authorize(bad)
        assert e.value.code == "UNAUTHENTICATED"
        assert "secret1" not in str(e.value)


def test_g4_direct_routing_needs_a_supported_region() -> None:
    reg = rr.Registry("my-account", seed=1)
    with pytest.raises(rr.ValidationError) as e:
        reg.create_deployment(MODEL, id="x", direct_route_api_keys=["k"])
    assert e.value.code == "REGION_REQUIRED"
    with pytest.raises(rr.ValidationError) as e:
        reg.create_deployment(MODEL, id="x", region="US_OHIO_1", direct_route_api_keys=["k"])
    assert e.value.code == "UNSUPPORTED_REGION"
    assert "US_ARIZONA_1" in str(e.value)
    custom = rr.Registry("my-account", seed=1, catalog=rr.RegionCatalog(["US_OHIO_1"]))
    d = custom.create_deployment(MODEL, id="x", region="us-ohio-1", direct_route_api_keys=["k"])
    assert d.direct_route_handle == "my-account-x.us-ohio-1.direct.fireworks.ai"


def test_g1_g2_regions_and_catalog() -> None:
    r = rr.Region("us-arizona-1")
    assert (r.canonical, r.host_label, str(r)) == ("US_ARIZONA_1", "us-arizona-1", "US_ARIZONA_1")
    assert r.supports_direct_routing()
    assert not rr.Region("US_OHIO_1").supports_direct_routing()
    catalog = rr.RegionCatalog()
    assert len(catalog) == 10
    assert [x.canonical for x in catalog] == sorted(rr.RegionCatalog.DEFAULT_REGIONS)
    assert "AP_TOKYO_1" in catalog and rr.Region("eu-frankfurt-1") in catalog
    assert "not a region" not in catalog and 42 not in catalog
    assert catalog.supports("us-iowa-1")
    catalog.check("US_IOWA_1")
    with pytest.raises(rr.ValidationError) as e:
        catalog.check("US_OHIO_1")
    assert e.value.code == "UNSUPPORTED_REGION"
    assert len(rr.RegionCatalog([])) == 0


def test_t2_listings_are_sorted_by_name(reg: rr.Registry) -> None:
    reg.create_deployment(MODEL, id="aaa")
    assert [d.id for d in reg.list_deployments()] == ["aaa", "deployment-a", "deployment-b"]
    reg.create_router(["aaa"], id="zzz")
    reg.create_router(["aaa"], id="abc")
    assert [r.id for r in reg.list_routers()] == ["ab-test", "abc", "zzz"]


def test_share_of_accepts_bare_and_full_names(reg: rr.Registry) -> None:
    split = reg.traffic_split("ab-test")
    share = split.share_of("deployment-b")
    assert share is not None and share.fraction == Fraction(2, 5)
    assert split.share_of(A) == split[0] == split[-2]
    assert split.share_of("not-listed") is None
    with pytest.raises(IndexError):
        split[2]


def test_g6_registry_authorizes_against_the_current_state() -> None:
    """Issue 15: a DirectRoute kept by the caller is a snapshot; the registry
    authorizes against the current state, by handle host or deployment name."""
    reg = rr.Registry("my-account", seed=5)
    created = reg.create_deployment(
        MODEL, id="pinned", region="US_ARIZONA_1", direct_route_api_keys=["oldKey1"]
    )
    stale = created.direct_route
    host = created.direct_route_handle
    assert host == "my-account-pinned.us-arizona-1.direct.fireworks.ai"
    for target in (host, "pinned", "accounts/my-account/deployments/pinned"):
        assert reg.authorize_direct_route(target, "Bearer oldKey1").id == "pinned"
    reg.delete_deployment("pinned")
    reg.create_deployment(
        MODEL, id="pinned", region="US_ARIZONA_1", direct_route_api_keys=["newKey2"]
    )
    stale.authorize("Bearer oldKey1")  # the snapshot still takes the revoked key
    for target in (host, "pinned"):
        with pytest.raises(rr.AuthError) as e:
            reg.authorize_direct_route(target, "Bearer oldKey1")
        assert e.value.code == "FORBIDDEN"
        with pytest.raises(rr.AuthError) as e:
            reg.authorize_direct_route(target, None)
        assert e.value.code == "UNAUTHENTICATED"
        assert reg.authorize_direct_route(target, "Bearer newKey2").id == "pinned"
    reg.delete_deployment("pinned")
    with pytest.raises(rr.NotFoundError):
        reg.authorize_direct_route(host, "Bearer newKey2")
