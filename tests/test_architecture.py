"""The one-way import rule of DESIGN.md as a test: web, federation, fediverse, activitypub."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "activitypub": {"fediverse", "federation", "web"},
    "fediverse": {"federation", "web"},
    "federation": {"web"},
    "web": set(),
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(package: str) -> list[str]:
    banned = FORBIDDEN[package]
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, name in imported_packages(path)
        if name.split(".")[0] in banned
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_go_one_way_only(package: str) -> None:
    assert violations(package) == []


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    offender = tmp_path / "bad.py"
    offender.write_text("from web.app import create_app\nimport federation.http\n")
    names = [name for _line, name in imported_packages(offender)]
    assert names == ["web.app", "federation.http"]
    assert all(name.split(".")[0] in FORBIDDEN["fediverse"] for name in names)


def test_activitypub_does_no_io() -> None:
    io_modules = {"httpx", "socket", "asyncio", "databases", "sqlalchemy", "aiosqlite", "asyncpg"}
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "activitypub").rglob("*.py"))
        for _line, name in imported_packages(path)
        if name.split(".")[0] in io_modules
    ]
    assert found == []
