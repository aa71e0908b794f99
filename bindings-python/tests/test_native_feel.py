"""Issue 19.9-19.14: the Python API behaves like Python (regions compare with
strings, one step numbering, clearing fields, registry equality and repr,
PermissionError, batch conveniences)."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest

import replica_router as rr
from conftest import MODEL, ab_registry
from test_migration import reference

# ----- 19.9: regions equal either spelling of themselves ----------------------


def test_19_9_region_equals_either_spelling_and_hashes_as_canonical() -> None:
    reg = rr.Registry("acme", seed=1)
    d = reg.create_deployment(MODEL, id="pinned", region="us-arizona-1")
    assert d.region == "US_ARIZONA_1"
    assert d.region == "us-arizona-1"
    assert d.region == "Us-Arizona-1"
    assert "US_ARIZONA_1" == d.region  # reflected
    assert d.region != "US_IOWA_1"
    assert d.region != "not a region"
    assert d.region != 42
    assert d.region == rr.Region("US_ARIZONA_1")
    assert not (d.region != "us-arizona-1")
    assert hash(d.region) == hash("US_ARIZONA_1") == hash(rr.Region("us-arizona-1"))
    assert {"US_ARIZONA_1": "az"}[d.region] == "az"
    assert d.region in {"US_ARIZONA_1"}
    assert len({rr.Region("us-arizona-1"), rr.Region("US_ARIZONA_1"), "US_ARIZONA_1"}) == 1


# ----- 19.10: one step numbering ---------------------------------------------


def test_19_10_steps_are_numbered_from_0_everywhere() -> None:
    reg, plan = reference()
    assert len(plan) == 3
    assert plan[0] == plan.steps[0] and plan[-1] == plan.steps[2]
    assert list(plan) == plan.steps
    with pytest.raises(IndexError, match="numbered from 0"):
        plan[3]
    # The table's step column uses the same numbers as plan[i].
    lines = plan.table().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("step "))
    rows = [line.split()[0] for line in lines[header + 1 :] if line[:1].strip()]
    assert rows == ["start", "0", "1", "2"]
    # rollback(i) starts after plan[i]: after applying plan[0] only.
    start = reg.to_json()
    reg.apply_step(plan, 0)
    back = plan.rollback(0)
    assert back.rollback_after_step == 0
    assert "from after step 0" in back.table()
    assert reg.apply_plan(back) == len(back)
    assert reg.to_json() == start


# ----- 19.11: display name and model can be cleared ---------------------------


def test_19_11_update_router_clears_display_name_and_model() -> None:
    reg = ab_registry()
    reg.update_router("ab-test", display_name="A/B", model="my-model")
    r = reg.get_router("ab-test")
    assert (r.display_name, r.model) == ("A/B", "accounts/my-account/models/my-model")
    # None still means "unchanged".
    r = reg.update_router("ab-test", display_name=None, model=None)
    assert r.display_name == "A/B"
    r = reg.update_router("ab-test", clear_display_name=True)
    assert (r.display_name, r.model) == (None, "accounts/my-account/models/my-model")
    r = reg.update_router("ab-test", clear_model=True)
    assert (r.display_name, r.model) == (None, None)
    assert reg.get_router("ab-test") == r
    before = reg.to_json()
    with pytest.raises(TypeError, match="display_name=... or clear_display_name=True, not both"):
        reg.update_router("ab-test", display_name="x", clear_display_name=True)
    with pytest.raises(TypeError, match="model=... or clear_model=True, not both"):
        reg.update_router("ab-test", model="m", clear_model=True)
    assert reg.to_json() == before


# ----- 19.12: registry equality and a repr that shows every account -----------


def test_19_12_registry_equality_follows_the_snapshot() -> None:
    reg = ab_registry()
    again = rr.Registry.from_json(reg.to_json())
    assert again == reg and not (again != reg)
    assert reg == reg
    assert pickle.loads(pickle.dumps(reg)) == reg
    again.route("ab-test")  # advances the routing generator: different state
    assert again != reg
    assert reg != ab_registry(seed=43)
    assert reg != "registry"
    with pytest.raises(TypeError):
        hash(reg)


def test_19_12_repr_counts_other_accounts_resources() -> None:
    reg = ab_registry()
    reg.account = "bob"
    assert repr(reg) == (
        "Registry(account='bob', deployments=0, routers=0, total_accounts=1, "
        "total_deployments=2, total_routers=1)"
    )


# ----- 19.13: exception classes, plan JSON message ----------------------------


def test_19_13_permission_and_auth_errors_are_permission_errors() -> None:
    assert issubclass(rr.PermissionDeniedError, PermissionError)
    assert issubclass(rr.AuthError, PermissionError)
    reg = ab_registry()
    with pytest.raises(PermissionError) as e:
        reg.route("accounts/my-account/routers/ab-test", "someone-else")
    assert type(e.value) is rr.PermissionDeniedError and e.value.code == "PERMISSION_DENIED"
    assert "ab-test" in str(e.value)
    route = rr.DirectRoute("US_ARIZONA_1", ["keyOne1"])
    with pytest.raises(PermissionError) as e2:
        route.authorize("Bearer wrongKey2")
    assert type(e2.value) is rr.AuthError
    again = pickle.loads(pickle.dumps(e2.value))
    assert type(again) is rr.AuthError and again.code == e2.value.code


def test_19_13_floor_above_ceiling_or_target_is_an_infeasible_plan() -> None:
    reg, _ = reference()
    for kwargs, code in (
        ({"min_total_replicas": 5, "max_total_replicas": 4}, "FLOOR_ABOVE_CEILING"),
        ({"target_replicas": 2, "min_total_replicas": 3}, "FLOOR_ABOVE_TARGET"),
    ):
        with pytest.raises(rr.InfeasiblePlanError) as e:
            reg.plan_migration(
                "my-router", "current-deployment", "n", traffic_steps=[100], **kwargs
            )
        assert e.value.code == code
        assert not isinstance(e.value, rr.ValidationError)


def test_19_13_plan_from_registry_json_says_what_was_expected() -> None:
    reg, _ = reference()
    with pytest.raises(rr.ValidationError) as e:
        rr.MigrationPlan.from_json(reg.to_json())
    assert e.value.code == "INVALID_PLAN_JSON"
    assert "expected the output of a migration plan's to_json(), not a registry snapshot" in str(
        e.value
    )
    assert "::" not in str(e.value)


# ----- 19.14: apply_plan and route_many ---------------------------------------


def test_19_14_apply_plan_applies_the_remaining_steps() -> None:
    reg, plan = reference()
    fresh = rr.Registry.from_json(reg.to_json())
    assert fresh.apply_plan(plan) == 3
    stepwise = rr.Registry.from_json(reg.to_json())
    for i in range(len(plan)):
        stepwise.apply_step(plan, i)
    assert fresh == stepwise
    # From the middle: only the remaining steps; when done, nothing.
    reg.apply_step(plan, 0)
    assert reg.apply_plan(plan) == 2
    assert reg == stepwise
    assert reg.apply_plan(plan) == 0
    # A registry in no state of the plan: a ConflictError, nothing changes.
    other = ab_registry()
    before = other.to_json()
    with pytest.raises(rr.NotFoundError):
        other.apply_plan(plan)
    assert other.to_json() == before
    reg2, plan2 = reference()
    reg2.update_deployment("current-deployment", min_replicas=3, max_replicas=3)
    before = reg2.to_json()
    with pytest.raises(rr.ConflictError) as e:
        reg2.apply_plan(plan2)
    assert e.value.code == "STEP_NOT_APPLICABLE"
    assert reg2.to_json() == before


def test_19_14_route_many_matches_n_route_calls() -> None:
    batch_reg, single_reg = ab_registry(seed=9), ab_registry(seed=9)
    names, picks = batch_reg.route_many("ab-test", n=5000)
    assert names == [
        "accounts/my-account/deployments/deployment-a",
        "accounts/my-account/deployments/deployment-b",
    ]
    assert picks.typecode == "I" and len(picks) == 5000
    assert [names[i] for i in picks] == [single_reg.route("ab-test") for _ in range(5000)]
    assert batch_reg == single_reg  # the same generator position afterwards
    # Shares: 3/5 and 2/5 (chi-square, 1 degree of freedom, p = 0.001).
    counts = Counter(picks)
    expected = (3000, 2000)
    chi2 = sum((counts[i] - e) ** 2 / e for i, e in enumerate(expected))
    assert chi2 < 10.83, counts
    # A deployment name: one name, every pick 0.
    names, picks = batch_reg.route_many("deployment-b", n=3)
    assert names == ["accounts/my-account/deployments/deployment-b"] and picks.tolist() == [0, 0, 0]
    names, picks = batch_reg.route_many("ab-test", n=0)
    assert len(names) == 2 and len(picks) == 0


def test_19_14_route_many_errors_before_drawing() -> None:
    reg = ab_registry()
    before = reg.to_json()
    with pytest.raises(rr.PermissionDeniedError):
        reg.route_many("accounts/my-account/routers/ab-test", "someone-else", n=10)
    with pytest.raises(rr.NotFoundError):
        reg.route_many("nope", n=10)
    with pytest.raises(rr.ValidationError) as e:
        reg.route_many("ab-test", n=rr.MAX_BATCH_PICKS + 1)
    assert e.value.code == "LIMIT_EXCEEDED"
    with pytest.raises(rr.ValidationError) as e:
        reg.route_many("ab-test", n=-1)
    assert e.value.code == "OUT_OF_RANGE"
    assert reg.to_json() == before
    reg.update_deployment("deployment-a", min_replicas=0, max_replicas=0)
    reg.update_deployment("deployment-b", min_replicas=0, max_replicas=0)
    with pytest.raises(rr.NoCapacityError):
        reg.route_many("ab-test", n=10)
