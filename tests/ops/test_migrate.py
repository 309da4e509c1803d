"""`kollegium migrate --to postgresql://...` moves a populated instance and loses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.conftest import Populated
from tests.ops.support import home_timeline, run, served, snapshot
from tests.support.databases import postgres_database_sync
from tests.support.processes import kollegium

pytestmark = pytest.mark.postgres


@pytest.fixture
def target() -> Iterator[str]:
    with postgres_database_sync() as url:
        yield url


def test_migrate__copies_every_row_and_the_api_shows_the_same(
    populated: Populated, target: str, tmp_path: Path
) -> None:
    instance = populated.instance
    before = snapshot(instance.url)
    out = run(instance.env, tmp_path, "migrate", "--to", target)
    assert "counts verified" in out
    after = snapshot(target)
    assert {name: len(rows) for name, rows in after.items()} == {
        name: len(rows) for name, rows in before.items()
    }
    assert after == before  # ids, keys, times: every value
    assert len(after["statuses"]) == 30 and len(after["follows"]) == 1
    with served(instance, target) as base_url:
        assert home_timeline(base_url, populated.made["bosse"]) == populated.timeline
    assert len(populated.timeline) == 30


def test_migrate__refuses_a_target_with_data_or_out_of_reach(
    populated: Populated, target: str, tmp_path: Path
) -> None:
    env = populated.instance.env
    run(env, tmp_path, "migrate", "--to", target)
    before = snapshot(target)
    for url, message in (
        (target, "the target database is not empty: "),
        (target.rsplit("/", 1)[0] + "/no_such_database", "cannot reach the target database"),
    ):
        done = kollegium("migrate", "--to", url, env=env, cwd=tmp_path)
        assert done.returncode == 1
        assert message in done.stderr and done.stderr.count("\n") == 1
    assert snapshot(target) == before
    done = kollegium("migrate", "--to", "mysql://x/y", env=env, cwd=tmp_path)
    assert done.returncode == 2 and "expected a postgresql:// URL" in done.stderr
