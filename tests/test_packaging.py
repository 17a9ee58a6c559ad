"""What `pip install .` ships: every package under kubelite/, and the schemas."""
from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_every_kubelite_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "kubelite").rglob("__init__.py")}
    assert found - listed == set(), "an editable install hides a package missing here"
    assert "kubelite.schemas" in listed
