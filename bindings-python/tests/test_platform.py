"""SPEC P1-P3 from Python: plain dicts in and out, operations that apply
themselves and render as firectl commands and REST requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import replica_router as rr

ACCOUNT = json.loads(
    (Path(__file__).resolve().parents[2] / "testdata" / "platform" / "account.json").read_text()
)


def test_p1_import_list_pages_and_report() -> None:
    reg = rr.Registry("my-account", seed=42)
    report = reg.import_resources(ACCOUNT)
    assert report["deployments"] == [
        "accounts/my-account/deployments/current-deployment",
        "accounts/my-account/deployments/abcd1234",
    ]
    assert [s["reason"] for s in report["skipped"]] == ["its state is DELETING"]
    assert "[0].deployments[0].acceleratorType" in report["ignored_fields"]
    assert reg.traffic_split("my-router").total_replicas == 4
    auto = reg.get_router("current-deployment-auto")
    assert auto.auto_generated and not reg.get_router("my-router").auto_generated
    with pytest.raises(rr.PermissionDeniedError) as e:
        reg.delete_router("current-deployment-auto")
    assert e.value.code == "READ_ONLY_ROUTER"


def test_p1_json_text_and_strict_paths() -> None:
    reg = rr.Registry("my-account", seed=1)
    reg.import_resources(json.dumps(ACCOUNT))
    with pytest.raises(rr.ValidationError) as e:
        reg.import_resources({"name": "accounts/my-account/deployments/x", "baseModel": "m",
                              "maxReplicaCount": "2"})
    assert e.value.code == "INVALID_RESOURCE_JSON"
    assert "maxReplicaCount" in str(e.value)
    with pytest.raises(rr.ValidationError) as e:
        reg.import_resources({"name": "accounts/my-account/routers/r", "deployments": ["nope"]})
    assert e.value.code == "INVALID_RESOURCE"
    assert isinstance(e.value.__cause__, rr.NotFoundError)
    with pytest.raises(TypeError):
        reg.import_resources(42)  # type: ignore[arg-type]
    assert len(reg.list_routers()) == 2


def test_p2_export_imports_to_the_same_registry() -> None:
    reg = rr.Registry("my-account", seed=1)
    reg.create_deployment("m", id="a", min_replicas=0, max_replicas=3)
    reg.scale_deployment("a", 2)
    reg.create_deployment("m", id="pinned", region="US_IOWA_1",
                          direct_route_api_keys=["secretKey1"])
    reg.create_router(["a"], id="r", strategy="weighted-round-robin", public=True)
    exported = reg.export_resources()
    assert "secretKey1" not in json.dumps(exported)
    assert exported[0]["deployments"][1]["directRouteApiKeys"] == ["<DIRECT_ROUTE_API_KEY_1>"]
    copy = rr.Registry("my-account", seed=1)
    copy.import_resources(exported)
    assert copy.export_resources() == exported


def test_p3_plan_renders_three_ways_and_applies() -> None:
    reg = rr.Registry("my-account", seed=42)
    reg.import_resources(ACCOUNT)
    plan = reg.plan_migration("my-router", "current-deployment", "new-deployment",
                              target_replicas=4, traffic_steps=[20, 80, 100])
    ops = plan.operations()
    assert [op.firectl_command() for op in ops] == plan.firectl_commands()
    first = ops[0].rest_request()
    assert first == {
        "method": "POST",
        "path": "/v1/accounts/my-account/deployments",
        "query": {"deploymentId": "new-deployment"},
        "body": {"baseModel": "accounts/fireworks/models/llama-v3p1-8b-instruct",
                 "minReplicaCount": 1, "maxReplicaCount": 1},
    }
    assert ops[-1].to_dict()["rest"]["method"] == "PATCH"
    by_steps = rr.Registry.from_json(reg.to_json())
    for i in range(len(plan.steps)):
        by_steps.apply_step(plan, i)
    for op in ops:
        op.apply(reg)
    assert reg.to_json() == by_steps.to_json()
    with pytest.raises(rr.ValidationError) as e:
        reg.scale_deployment("new-deployment", 9)
    assert e.value.code == "REPLICAS_OUT_OF_BOUNDS"
