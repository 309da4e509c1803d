"""`kollegium check` reports each finding and exits non-zero when something is wrong."""

from __future__ import annotations

from pathlib import Path

from tests.ops.conftest import Populated
from tests.support.processes import instance_env, kollegium


def test_check__a_served_instance_passes_with_every_topic_reported(
    populated: Populated, tmp_path: Path
) -> None:
    done = kollegium("check", env=populated.instance.env, cwd=populated.instance.cwd)
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    expected = (
        "ok    media:",
        "ok    database: reachable, schema at",
        "ok    keys:",
        "ok    peers: no failing instances",
        "ok    domain: 127.0.0.1 resolves",
    )
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert any(line.startswith("warn  http:") and "is healthy" in line for line in lines)
    assert any(line.startswith(("ok    queue", "warn  queue")) for line in lines)
    assert lines[-1] == "kollegium: all checks passed"


def test_check__an_uninitialised_database_and_a_dead_domain_fail(tmp_path: Path) -> None:
    env = instance_env(f"sqlite:///{tmp_path / 'none.db'}", "kommun-x.invalid",
                       KOLLEGIUM_MEDIA_DIR=str(tmp_path / "media"))  # fmt: skip
    done = kollegium("check", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "FAIL  database: there is no database at" in done.stdout
    assert "FAIL  domain: kommun-x.invalid does not resolve" in done.stdout
    assert done.stdout.splitlines()[-1] == "kollegium: 2 problem(s) found"
    assert not (tmp_path / "none.db").exists()


def test_check__an_unwritable_media_dir_fails(populated: Populated, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    env = populated.instance.env | {"KOLLEGIUM_MEDIA_DIR": str(tmp_path / "file" / "media")}
    done = kollegium("check", env=env, cwd=populated.instance.cwd)
    assert done.returncode == 1
    assert "FAIL  media:" in done.stdout and "is not writable" in done.stdout
