"""`kollegium backup` then `kollegium restore` gives the same instance, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fediverse.ops.backup import has_pg_tools
from tests.ops.conftest import Populated
from tests.ops.support import home_timeline, run, served, snapshot
from tests.support.databases import postgres_database_sync
from tests.support.processes import kollegium


def test_sqlite__a_backup_taken_while_serving_restores_the_same_instance(
    populated: Populated, tmp_path: Path
) -> None:
    instance = populated.instance
    run(instance.env, tmp_path, "backup", str(tmp_path / "backup.db"))  # its server runs
    before = snapshot(instance.url)
    assert len(before["statuses"]) == 30 and len(before["follows"]) == 1
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    out = run(instance.env | {"KOLLEGIUM_DATABASE_URL": restored}, tmp_path, "restore",
              str(tmp_path / "backup.db"))  # fmt: skip
    assert "restored" in out
    assert snapshot(restored) == before  # statuses, follows, keys: every value


@pytest.fixture
def pg_pair() -> Iterator[tuple[str, str]]:
    if not has_pg_tools():
        pytest.skip("pg_dump and pg_restore are not installed")
    with postgres_database_sync() as source, postgres_database_sync() as target:
        yield source, target


@pytest.mark.postgres
def test_postgresql__pg_dump_backup_restores_the_same_instance(
    populated: Populated, pg_pair: tuple[str, str], tmp_path: Path
) -> None:
    source, target = pg_pair
    env = populated.instance.env
    run(env, tmp_path, "migrate", "--to", source)
    with served(populated.instance, source) as base_url:
        run(env | {"KOLLEGIUM_DATABASE_URL": source}, tmp_path, "backup", str(tmp_path / "pg.dump"))
        before = snapshot(source)
        out = run(env | {"KOLLEGIUM_DATABASE_URL": target}, tmp_path, "restore",
                  str(tmp_path / "pg.dump"))  # fmt: skip
    assert "restored" in out
    assert snapshot(target) == before
    with served(populated.instance, target) as base_url:
        assert home_timeline(base_url, populated.made["bosse"]) == populated.timeline


def test_backup__refuses_to_overwrite_and_a_missing_directory(
    populated: Populated, tmp_path: Path
) -> None:
    (tmp_path / "there.db").write_bytes(b"keep me")
    for target, message in (
        (tmp_path / "there.db", "exists already; use --force"),
        (tmp_path / "nowhere" / "b.db", "there is no directory"),
    ):
        done = kollegium("backup", str(target), env=populated.instance.env, cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1 and message in done.stderr
    assert (tmp_path / "there.db").read_bytes() == b"keep me"
    assert not (tmp_path / "nowhere").exists()


def test_restore__refuses_a_file_that_is_no_backup_and_an_instance_with_data(
    populated: Populated, tmp_path: Path
) -> None:
    instance = populated.instance
    before = snapshot(instance.url)
    (tmp_path / "junk").write_text("not a backup")
    run(instance.env, tmp_path, "backup", str(tmp_path / "b.db"))
    for args, message in (
        (["restore", str(tmp_path / "junk")], "is not a Kollegium backup"),
        (["restore", str(tmp_path / "missing")], "cannot read"),
        (["restore", str(tmp_path / "b.db")], "add --force"),
    ):
        done = kollegium(*args, env=instance.env, cwd=tmp_path)
        assert done.returncode == 1, args
        assert done.stderr.count("\n") == 1 and message in done.stderr
    pg_env = instance.env | {"KOLLEGIUM_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    done = kollegium("restore", str(tmp_path / "b.db"), env=pg_env, cwd=tmp_path)
    assert done.returncode == 1
    assert "is a sqlite backup but the database is postgresql" in done.stderr
    assert snapshot(instance.url) == before
