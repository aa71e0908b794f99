"""The docstring examples and the README's Python example run (SPEC B2)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import replica_router as rr

README = Path(__file__).resolve().parents[1] / "README.md"
ROOT_README = Path(__file__).resolve().parents[2] / "README.md"


def test_docstring_examples() -> None:
    result = doctest.testmod(rr, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0
    assert result.attempted > 60


import pytest  # noqa: E402


@pytest.mark.parametrize("readme", [README, ROOT_README], ids=["package", "root"])
def test_readme_python_example(readme: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(), re.DOTALL)
    assert blocks, f"{readme} has no python example"
    for block in blocks:
        if "import numpy" in block:
            pytest.importorskip("numpy")
        exec(compile(block, str(readme), "exec"), {})
    out = capsys.readouterr().out
    assert "3 replicas, 3/5 = 60.0%" in out
    assert "my-account-abcd1234.us-arizona-1.direct.fireworks.ai" in out
