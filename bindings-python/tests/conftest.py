"""Shared fixtures: the reference scenario of routers.md (SPEC R5)."""

from __future__ import annotations

import pytest

import replica_router as rr

MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"


def ab_registry(a: int = 3, b: int = 2, *, seed: int = 42) -> rr.Registry:
    """``my-account`` with deployment-a (a replicas), deployment-b (b) and
    the router ab-test over both."""
    reg = rr.Registry("my-account", seed=seed)
    reg.create_deployment(MODEL, id="deployment-a", min_replicas=a, max_replicas=a)
    reg.create_deployment(MODEL, id="deployment-b", min_replicas=b, max_replicas=b)
    reg.create_router(["deployment-a", "deployment-b"], id="ab-test")
    return reg


@pytest.fixture
def reg() -> rr.Registry:
    return ab_registry()
