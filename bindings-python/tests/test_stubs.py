"""The hand-written stubs cannot drift from the native module (SPEC B2)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import replica_router as rr
import replica_router._core as core

PACKAGE = Path(rr.__file__).parent


def test_stubtest_agrees_with_the_module(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "replica_router._core"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_ships_stubs_and_py_typed() -> None:
    assert (PACKAGE / "py.typed").exists()
    assert (PACKAGE / "_core.pyi").exists()


def test_package_reexports_everything_in_the_native_module() -> None:
    assert sorted(rr.__all__) == sorted(core.__all__)
    for name in core.__all__:
        assert getattr(rr, name) is getattr(core, name)


def test_every_public_class_and_method_has_a_docstring() -> None:
    for name in rr.__all__:
        obj = getattr(rr, name)
        if not inspect.isclass(obj):
            continue
        assert obj.__doc__, name
        for member, value in vars(obj).items():
            if member.startswith("_") or not (callable(value) or inspect.isdatadescriptor(value)):
                continue
            assert getattr(obj, member).__doc__ or value.__doc__, f"{name}.{member}"


def test_the_stubs_type_check_a_user_program(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    program = tmp_path / "user.py"
    program.write_text(
        "import replica_router as rr\n"
        "reg = rr.Registry('my-account', seed=42)\n"
        "d: rr.Deployment = reg.create_deployment('m', id='a', min_replicas=3, max_replicas=3)\n"
        "split: rr.TrafficSplit = reg.traffic_split('r')\n"
        "pct: float = split[0].percent\n"
        "picks = rr.WeightedSelector([3, 2], seed=1).pick_many(10)\n"
        "n: int = picks[0]\n"
        "try:\n"
        "    reg.route('r')\n"
        "except rr.NotFoundError as e:\n"
        "    code: str = e.code\n"
        "bad: int = reg.route('r')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(program)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    # Exactly the one deliberate mistake on the last line is reported.
    assert result.stdout.count("error:") == 1, result.stdout
    assert "user.py:12: error: Incompatible types in assignment" in result.stdout
