"""SPEC G6 (revised), issue 15 item 6: API keys are stored as salted
digests, optionally keyed by a secret the caller holds; issue 19 item 13:
``DirectRoute`` pickles like ``Registry``."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import pickle
from pathlib import Path

import pytest

import replica_router as rr

MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
SECRET = b"held-outside-the-snapshot-32byte"
V2 = (Path(__file__).parents[2] / "testdata" / "snapshots" / "v2.json").read_text()


def pinned(reg: rr.Registry, id: str, keys: list[str]) -> None:
    reg.create_deployment(MODEL, id=id, region="US_ARIZONA_1", direct_route_api_keys=keys)


def stored(text: str, index: int) -> list[dict[str, str]]:
    return json.loads(text)["deployments"][index]["direct_route"]["api_keys"]


def test_unsalted_sha256_of_a_key_no_longer_in_the_snapshot() -> None:
    reg = rr.Registry("acme", seed=1)
    pinned(reg, "d1", ["secret1"])
    text = reg.to_json()
    assert hashlib.sha256(b"secret1").hexdigest() not in text
    assert "secret1" not in text
    (key,) = stored(text, 0)
    assert key["scheme"] == "salted-sha256"
    salt = bytes.fromhex(key["salt"])
    assert len(salt) == 16
    assert key["digest"] == hashlib.sha256(salt + b"secret1").hexdigest()
    rr.Registry.from_json(text).authorize_direct_route("d1", "Bearer secret1")


def test_equal_keys_in_two_deployments_give_different_digests() -> None:
    reg = rr.Registry("acme", seed=1)
    pinned(reg, "d1", ["sharedKey"])
    pinned(reg, "d2", ["sharedKey"])
    a, b = stored(reg.to_json(), 0)[0], stored(reg.to_json(), 1)[0]
    assert a["salt"] != b["salt"] and a["digest"] != b["digest"]
    # Two registries with OS-entropy seeds, too.
    regs = [rr.Registry("acme"), rr.Registry("acme")]
    for r in regs:
        pinned(r, "d1", ["sharedKey"])
    assert stored(regs[0].to_json(), 0) != stored(regs[1].to_json(), 0)


def test_short_key_with_a_secret_does_not_appear_or_verify_without_it() -> None:
    reg = rr.Registry("acme", seed=1, key_secret=SECRET)
    pinned(reg, "d1", ["a"])
    text = reg.to_json()
    assert SECRET.decode() not in text
    (key,) = stored(text, 0)
    assert key["scheme"] == "hmac-sha256"
    salt = bytes.fromhex(key["salt"])
    # Every one-character key, tried offline against the leaked snapshot.
    for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for guess in (hashlib.sha256(c.encode()), hashlib.sha256(salt + c.encode())):
            assert guess.hexdigest() != key["digest"]
    # The holder of the secret computes it (documented HMAC-SHA-256).
    assert key["digest"] == hmac.new(SECRET, salt + b"a", "sha256").hexdigest()
    with pytest.raises(rr.ValidationError) as e:
        rr.Registry.from_json(text)
    assert e.value.code == "KEY_SECRET_MISMATCH"
    loaded = rr.Registry.from_json(text, key_secret=SECRET)
    loaded.authorize_direct_route("d1", "Bearer a")
    with pytest.raises(rr.AuthError):
        loaded.authorize_direct_route("d1", "Bearer b")
    assert loaded.to_json() == text
    # A str secret is its UTF-8 bytes.
    assert rr.Registry.from_json(text, key_secret=SECRET.decode()) == loaded


def test_wrong_or_bad_secret_is_a_clear_error() -> None:
    reg = rr.Registry("acme", seed=1, key_secret=SECRET)
    pinned(reg, "d1", ["k1"])
    with pytest.raises(rr.ValidationError) as e:
        rr.Registry.from_json(reg.to_json(), key_secret=b"x" * 32)
    assert e.value.code == "KEY_SECRET_MISMATCH"
    assert "x" * 32 not in str(e.value)
    for bad in (b"short", "", b"x" * 65):
        with pytest.raises(rr.ValidationError) as e:
            rr.Registry("acme", seed=1, key_secret=bad)
        assert e.value.code == "INVALID_KEY_SECRET"
    with pytest.raises(TypeError):
        rr.Registry("acme", seed=1, key_secret=12345)  # type: ignore[arg-type]
    # A str secret with a lone surrogate (not UTF-8) is a coded error, not a
    # UnicodeEncodeError, wherever a key_secret is taken (found by test_fuzz).
    surrogate = "\ud800" * 16
    for call in (
        lambda: rr.Registry("acme", seed=1, key_secret=surrogate),
        lambda: rr.Registry.from_json("", key_secret=surrogate),
        lambda: rr.DirectRoute("US_ARIZONA_1", ["k1"], key_secret=surrogate),
    ):
        with pytest.raises(rr.ValidationError) as e:
            call()
        assert e.value.code == "INVALID_KEY_SECRET"


def test_version_2_snapshot_loads_and_its_keys_verify() -> None:
    reg = rr.Registry.from_json(V2)
    for key in ("key1", "Key2"):
        reg.authorize_direct_route("pinned", f"Bearer {key}")
        reg.get_deployment("pinned").direct_route.authorize(f"Bearer {key}")
    with pytest.raises(rr.AuthError):
        reg.authorize_direct_route("pinned", "Bearer key2")
    assert json.loads(reg.to_json())["format_version"] == 3


def test_registry_with_a_secret_does_not_pickle() -> None:
    reg = rr.Registry("acme", seed=1, key_secret=SECRET)
    with pytest.raises(TypeError, match="key_secret"):
        pickle.dumps(reg)


def test_direct_route_pickles_and_copies_by_its_salted_digests() -> None:
    route = rr.DirectRoute("US_ARIZONA_1", ["k1", "k2"], seed=3, domain="example.com")
    data = pickle.dumps(route)
    assert b"k1" not in data
    assert hashlib.sha256(b"k1").hexdigest().encode() not in data
    for clone in (pickle.loads(data), copy.copy(route), copy.deepcopy(route)):
        assert clone == route and hash(clone) == hash(route)
        assert clone.domain == "example.com" and clone.key_count == 2
        clone.authorize("Bearer k1")
        clone.authorize("Bearer k2")
        with pytest.raises(rr.AuthError):
            clone.authorize("Bearer k3")
    # From a registry's deployment too.
    reg = rr.Registry("acme", seed=1)
    pinned(reg, "d1", ["k9"])
    detached = reg.get_deployment("d1").direct_route
    pickle.loads(pickle.dumps(detached)).authorize("Bearer k9")


def test_direct_route_seed_and_key_secret() -> None:
    a = rr.DirectRoute("US_ARIZONA_1", ["k1"], seed=1)
    assert a == rr.DirectRoute("US_ARIZONA_1", ["k1"], seed=1)
    assert a != rr.DirectRoute("US_ARIZONA_1", ["k1"], seed=2)
    assert rr.DirectRoute("US_ARIZONA_1", ["k1"]) != rr.DirectRoute("US_ARIZONA_1", ["k1"])
    keyed = rr.DirectRoute("US_ARIZONA_1", ["k1"], seed=1, key_secret=SECRET)
    assert keyed.is_keyed and not a.is_keyed
    keyed.authorize("Bearer k1")
    with pytest.raises(TypeError, match="key_secret"):
        pickle.dumps(keyed)
    text = keyed.to_json()
    with pytest.raises(rr.ValidationError) as e:
        rr.DirectRoute.from_json(text)
    assert e.value.code == "KEY_SECRET_MISMATCH"
    rr.DirectRoute.from_json(text, key_secret=SECRET).authorize("Bearer k1")
