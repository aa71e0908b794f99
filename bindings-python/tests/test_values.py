"""Values: repr, equality, hashing, to_dict, JSON and pickle round trips
(SPEC B2, T1)."""

from __future__ import annotations

import copy
import json
import pickle
from fractions import Fraction

import pytest

import replica_router as rr
from conftest import MODEL, ab_registry

A = "accounts/my-account/deployments/deployment-a"


def test_deployment_value(reg: rr.Registry) -> None:
    d = reg.get_deployment("deployment-a")
    assert d == reg.get_deployment(A)
    assert hash(d) == hash(reg.get_deployment(A))
    assert d != reg.get_deployment("deployment-b")
    assert d != "deployment-a"
    assert (d.name, d.id, d.account, d.model) == (A, "deployment-a", "my-account", MODEL)
    assert d.region is None and d.is_multi_region and d.direct_route is None
    assert d.direct_route_handle is None
    assert repr(d) == (
        f"Deployment(name='{A}', model='{MODEL}', region=None, replicas=3, "
        "min_replicas=3, max_replicas=3, direct_route=False)"
    )
    assert d.to_dict() == {
        "name": A,
        "model": MODEL,
        "region": None,
        "min_replicas": 3,
        "max_replicas": 3,
        "replicas": 3,
        "direct_route": None,
    }
    changed = reg.update_deployment("deployment-a", min_replicas=1)
    assert changed != d
    assert d.min_replicas == 3  # a snapshot: unchanged


def test_router_value(reg: rr.Registry) -> None:
    r = reg.update_router("ab-test", display_name="A 'quoted' name", model="llama")
    assert r == reg.get_router("ab-test")
    assert hash(r) == hash(reg.get_router("ab-test"))
    assert {r, reg.get_router("ab-test")} == {r}
    assert r.display_name == "A 'quoted' name"
    assert r.model == "accounts/my-account/models/llama"
    assert repr(r) == (
        "Router(name='accounts/my-account/routers/ab-test', display_name=\"A 'quoted' name\", "
        "model='accounts/my-account/models/llama', strategy='weighted-random', "
        "session_affinity=False, public=False, "
        "deployments=['accounts/my-account/deployments/deployment-a', "
        "'accounts/my-account/deployments/deployment-b'])"
    )
    assert r.to_dict() == {
        "name": "accounts/my-account/routers/ab-test",
        "display_name": "A 'quoted' name",
        "model": "accounts/my-account/models/llama",
        "strategy": "weighted-random",
        "session_affinity": False,
        "public": False,
        "deployments": [A, "accounts/my-account/deployments/deployment-b"],
    }
    assert rr.STRATEGIES[0] == "weighted-random"


def test_split_and_share_values(reg: rr.Registry) -> None:
    split = reg.traffic_split("ab-test")
    assert split == reg.traffic_split("ab-test") and hash(split) == hash(
        reg.traffic_split("ab-test")
    )
    share = split[0]
    assert share == split.shares[0] and hash(share) == hash(split.shares[0])
    assert repr(share) == (
        f"Share(deployment='{A}', replicas=3, fraction=Fraction(3, 5), percent=60.0)"
    )
    assert share.to_dict() == {
        "deployment": A,
        "replicas": 3,
        "fraction": Fraction(3, 5),
        "percent": 60.0,
    }
    assert split.to_dict()["total_replicas"] == 5
    assert [s["percent"] for s in split.to_dict()["shares"]] == [60.0, 40.0]
    assert repr(split).startswith("TrafficSplit(router='accounts/my-account/routers/ab-test'")
    assert "60.000%" in str(split)
    reg.update_deployment("deployment-b", min_replicas=3, max_replicas=3)
    assert reg.traffic_split("ab-test") != split


def test_region_catalog_direct_route_values() -> None:
    r = rr.Region("us-arizona-1")
    assert r == rr.Region("US_ARIZONA_1") == rr.Region(r)
    assert len({r, rr.Region("US_ARIZONA_1"), rr.Region("US_IOWA_1")}) == 2
    assert repr(r) == "Region('US_ARIZONA_1')"
    c = rr.RegionCatalog(["US_OHIO_1", "us-ohio-1", rr.Region("EU_PARIS_2")])
    assert c == rr.RegionCatalog(["EU_PARIS_2", "US_OHIO_1"])
    assert hash(c) == hash(rr.RegionCatalog(["EU_PARIS_2", "US_OHIO_1"]))
    assert c != rr.RegionCatalog()
    assert repr(c) == "RegionCatalog(['EU_PARIS_2', 'US_OHIO_1'])"
    assert c.regions == [rr.Region("EU_PARIS_2"), rr.Region("US_OHIO_1")]
    route = rr.DirectRoute(r, ["k1", "k2"], seed=1, domain="Example.COM")
    assert route == rr.DirectRoute("us-arizona-1", ["k1", "k2"], seed=1, domain="example.com")
    assert route != rr.DirectRoute("us-arizona-1", ["k1", "k3"], seed=1, domain="example.com")
    # The salts come from the seed: equal keys under another seed differ.
    assert route != rr.DirectRoute("us-arizona-1", ["k1", "k2"], seed=2, domain="example.com")
    assert repr(route) == "DirectRoute(region='US_ARIZONA_1', key_count=2, domain='example.com')"
    assert "k1" not in repr(route) and "k1" not in str(route)
    assert route.to_dict() == {"region": "US_ARIZONA_1", "domain": "example.com", "key_count": 2}
    assert rr.DirectRoute.DEFAULT_DOMAIN == rr.DEFAULT_DIRECT_DOMAIN == "direct.fireworks.ai"


def test_direct_route_names() -> None:
    route = rr.DirectRoute("US_ARIZONA_1", ["k"])
    expected = "acme-d1.us-arizona-1.direct.fireworks.ai"
    assert route.handle("accounts/acme/deployments/d1") == expected
    assert route.handle("d1", account="acme") == expected
    with pytest.raises(rr.ValidationError) as e:
        route.handle("d1")  # a bare ID needs an account
    assert e.value.code == "INVALID_RESOURCE_NAME"
    with pytest.raises(rr.ValidationError) as e:
        route.handle("x" * 40, account="y" * 40)
    assert e.value.code == "HANDLE_TOO_LONG"


def test_t1_json_round_trip_is_exact_and_makes_the_same_decisions() -> None:
    reg = ab_registry()
    reg.create_deployment(MODEL, id="pinned", region="AP_TOKYO_1", direct_route_api_keys=["s3"])
    reg.create_router(["deployment-a"], display_name="Only A", public=True)
    for _ in range(5):
        reg.route("ab-test")
    text = reg.to_json()
    assert json.loads(text)["format_version"] == 3
    assert "s3" not in json.loads(text)["deployments"][2]["direct_route"].values()
    again = rr.Registry.from_json(text)
    assert again.to_json() == text
    assert again.account == reg.account and again.seed == reg.seed
    assert again.list_deployments() == reg.list_deployments()
    assert again.list_routers() == reg.list_routers()
    assert again.traffic_split("ab-test") == reg.traffic_split("ab-test")
    assert [again.route("ab-test") for _ in range(32)] == [reg.route("ab-test") for _ in range(32)]
    again.get_deployment("pinned").direct_route.authorize("Bearer s3")


def test_registry_pickles_and_deep_copies() -> None:
    reg = ab_registry()
    for clone in (pickle.loads(pickle.dumps(reg)), copy.deepcopy(reg)):
        assert clone is not reg
        assert clone.to_json() == reg.to_json()
        clone.delete_router("ab-test")
        assert reg.get_router("ab-test").id == "ab-test"


def test_registry_properties() -> None:
    reg = rr.Registry("my-account", seed=42)
    assert repr(reg) == (
        "Registry(account='my-account', deployments=0, routers=0, total_accounts=0, "
        "total_deployments=0, total_routers=0)"
    )
    assert reg.seed == rr.WeightedSelector([1], seed=42).seed
    assert len(reg.seed) == 32
    assert rr.Registry("a", seed=bytes(range(32))).seed == bytes(range(32))
    assert rr.Registry("a", seed=bytearray(32)).seed == bytes(32)
    assert rr.Registry("a").seed != rr.Registry("a").seed  # OS entropy
    assert reg.catalog == rr.RegionCatalog()
    with pytest.raises(rr.ValidationError):
        reg.account = "Not Valid"
    assert reg.account == "my-account"
    reg.create_deployment(MODEL, id="d")
    builds = reg.table_builds
    reg.create_router(["d"], id="r")
    assert reg.table_builds == builds + 1
    for _ in range(10):
        reg.route("r")
    assert reg.table_builds == builds + 1  # SPEC R6: no rebuild per request


def test_version_is_single_sourced_from_cargo() -> None:
    import re
    from importlib.metadata import version
    from pathlib import Path

    assert rr.__version__ == version("replica-router")
    cargo = Path(__file__).resolve().parents[2] / "Cargo.toml"
    if cargo.exists():
        match = re.search(r'^version = "([^"]+)"', cargo.read_text(), re.MULTILINE)
        assert match is not None and match.group(1) == rr.__version__
