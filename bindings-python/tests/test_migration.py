"""SPEC M1-M6 through Python: the reference migration (M5), applying steps,
rollback, JSON, rendering, and infeasible plans."""

from __future__ import annotations

from fractions import Fraction

import pytest

import replica_router as rr

MODEL = "llama-v3p1-8b-instruct"
CUR = "accounts/my-account/deployments/current-deployment"
NEW = "accounts/my-account/deployments/new-deployment"

# reference/routers.md, "Example: traffic migration", from step 2 on.
REFERENCE_COMMANDS = [
    "firectl deployment create accounts/my-account/models/llama-v3p1-8b-instruct "
    "--deployment-id=new-deployment",
    "firectl router update my-router --deployments=current-deployment,new-deployment",
    "firectl deployment update new-deployment --min-replica-count=4 --max-replica-count=4",
    "firectl deployment update current-deployment --min-replica-count=1 --max-replica-count=1",
    "firectl deployment update current-deployment --min-replica-count=0 --max-replica-count=0",
    "firectl router update my-router --deployments=new-deployment",
]


def reference() -> tuple[rr.Registry, rr.MigrationPlan]:
    reg = rr.Registry("my-account", seed=42)
    reg.create_deployment(MODEL, id="current-deployment", min_replicas=4, max_replicas=4)
    reg.create_router(["current-deployment"], id="my-router")
    plan = reg.plan_migration(
        "my-router", "current-deployment", "new-deployment",
        target_replicas=4, traffic_steps=[20, 80, 100],
    )  # fmt: skip
    return reg, plan


def test_m5_reference_plan_steps_splits_and_shares() -> None:
    _, plan = reference()
    assert (plan.kind, plan.router, plan.from_, plan.to) == (
        "migration", "accounts/my-account/routers/my-router", CUR, NEW,
    )  # fmt: skip
    assert plan.target_replicas == 4 and plan.max_total_replicas is None
    assert plan.schedule == {"steps": [20, 80, 100]}
    assert len(plan) == 3
    assert [(s.to_replicas, s.from_replicas) for s in plan] == [(1, 4), (4, 1), (4, 0)]
    assert [s.to_share for s in plan.steps] == [Fraction(1, 5), Fraction(4, 5), Fraction(1)]
    assert [s.requested_share for s in plan.steps] == [
        Fraction(1, 5), Fraction(4, 5), Fraction(1),
    ]  # fmt: skip
    assert plan.steps[0].split == [(CUR, 4, Fraction(4, 5)), (NEW, 1, Fraction(1, 5))]
    assert plan.steps[1].split == [(CUR, 1, Fraction(1, 5)), (NEW, 4, Fraction(4, 5))]
    assert plan.steps[2].split == [(NEW, 4, Fraction(1))]
    assert [[str(a) for a in s.actions] for s in plan] == [
        ["create new-deployment with 1 replica", "add new-deployment to my-router"],
        ["scale new-deployment to 4 replicas", "scale current-deployment to 1 replica"],
        ["scale current-deployment to 0 replicas", "remove current-deployment from my-router"],
    ]
    assert plan.initial["from"]["replicas"] == 4 and plan.initial["to"]["exists"] is False
    assert plan.steps[2].state["to_share"] == 1


def test_m5_cli_commands_match_the_reference_exactly() -> None:
    _, plan = reference()
    assert plan.firectl_commands() == REFERENCE_COMMANDS
    assert [c for s in plan for c in s.firectl_commands()] == REFERENCE_COMMANDS


def test_m2_actions_as_values() -> None:
    _, plan = reference()
    create, add = plan.steps[0].actions
    assert (create.kind, create.deployment, create.replicas) == ("create_deployment", NEW, 1)
    assert create.model == "accounts/my-account/models/llama-v3p1-8b-instruct"
    assert create.router is None and create.min_replicas is None
    assert add.kind == "add_to_router" and add.deployments == [CUR, NEW]
    scale = plan.steps[1].actions[0]
    assert scale.to_dict() == {
        "kind": "set_replica_bounds", "deployment": NEW, "min_replicas": 4, "max_replicas": 4,
    }  # fmt: skip
    assert repr(scale) == "MigrationAction('scale new-deployment to 4 replicas')"
    assert scale == plan.steps[1].actions[0] and scale != create


def test_m6_apply_every_step_then_roll_back_to_the_initial_snapshot() -> None:
    reg, plan = reference()
    initial = reg.to_json()
    reg.apply_step(plan, 0)
    assert [s.percent for s in reg.traffic_split("my-router")] == [80.0, 20.0]
    back = plan.rollback(0)
    assert (back.kind, back.rollback_after_step, back.from_, back.to) == ("rollback", 0, NEW, CUR)
    for i in range(len(back)):
        reg.apply_step(back, i)
    assert reg.to_json() == initial
    for i in range(len(plan)):
        reg.apply_step(plan, i)
    assert reg.get_router("my-router").deployments == [NEW]
    assert reg.get_deployment("current-deployment").replicas == 0


def test_m6_applying_out_of_order_changes_nothing() -> None:
    reg, plan = reference()
    before = reg.to_json()
    with pytest.raises(rr.ConflictError) as e:
        reg.apply_step(plan, 1)
    assert e.value.code == "STEP_NOT_APPLICABLE"
    assert "apply the steps in order" in str(e.value)
    with pytest.raises(rr.ValidationError) as e:
        reg.apply_step(plan, 3)
    assert e.value.code == "STEP_OUT_OF_RANGE"
    with pytest.raises(rr.ValidationError):
        reg.apply_step(plan, -1)
    assert reg.to_json() == before


def test_m6_plan_json_table_and_values() -> None:
    _, plan = reference()
    again = rr.MigrationPlan.from_json(plan.to_json())
    assert again == plan and hash(again) == hash(plan)
    assert again.to_json() == plan.to_json()
    table = plan.table()
    assert table == str(plan) and "new-deployment" in table
    assert repr(plan) == (
        f"MigrationPlan(kind='migration', router='accounts/my-account/routers/my-router', "
        f"from_='{CUR}', to='{NEW}', steps=3)"
    )
    d = plan.to_dict()
    assert d["from"] == CUR and len(d["steps"]) == 3
    assert d["steps"][0]["actions"][0]["kind"] == "create_deployment"
    with pytest.raises(rr.ValidationError):
        rr.MigrationPlan.from_json("{}")


def test_m1_max_step_schedule() -> None:
    reg = rr.Registry("my-account", seed=1)
    reg.create_deployment(MODEL, id="current-deployment", min_replicas=4, max_replicas=4)
    reg.create_router(["current-deployment"], id="my-router")
    plan = reg.plan_migration(
        "my-router", "current-deployment", "new-deployment", max_step_percent=25
    )
    assert plan.schedule == {"max_step": 25}
    shares = [s.to_share for s in plan]
    assert shares == sorted(shares) and shares[-1] == 1
    assert all(b - a <= Fraction(1, 4) for a, b in zip([Fraction(0)] + shares, shares))


def test_m4_infeasible_plan_is_reachable_and_says_why() -> None:
    reg = rr.Registry("my-account", seed=1)
    reg.create_deployment(MODEL, id="current-deployment", min_replicas=4, max_replicas=4)
    reg.create_router(["current-deployment"], id="my-router")
    with pytest.raises(rr.InfeasiblePlanError) as e:
        reg.plan_migration(
            "my-router", "current-deployment", "new-deployment",
            target_replicas=4, traffic_steps=[100],
            min_total_replicas=4, max_total_replicas=4,
        )  # fmt: skip
    assert e.value.code == "INFEASIBLE_PLAN"
    assert "ceiling" in str(e.value) or "floor" in str(e.value)


def test_m1_schedule_arguments() -> None:
    reg, _ = reference()
    for kwargs in ({}, {"traffic_steps": [100], "max_step_percent": 10}):
        with pytest.raises(TypeError):
            reg.plan_migration("my-router", "current-deployment", "x", **kwargs)
    with pytest.raises(rr.ValidationError):
        reg.plan_migration("my-router", "current-deployment", "x", traffic_steps=[80, 20])
    with pytest.raises(rr.NotFoundError):
        reg.plan_migration("nope", "current-deployment", "x", traffic_steps=[100])
