"""Backups and restores of the whole database.

SQLite uses its online backup API, which copies a consistent snapshot page by page while
the server keeps running. PostgreSQL is handed to ``pg_dump`` / ``pg_restore`` (custom
format), which are the tools a database administrator already trusts. A backup is written
to a temporary file beside the target and renamed at the end, so a failed backup leaves
nothing behind; a PostgreSQL restore runs in one transaction, so a failed one changes
nothing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from fediverse.errors import StorageError, ValidationError
from fediverse.storage.database import Store, driver_url, sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PAGES_PER_STEP = 1024  # lets writers in between the steps of a long online backup
TOOL_TIMEOUT_SECONDS = 6 * 3600


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``, from the first bytes of a backup file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}") from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise ValidationError(f"{path} is not a Kollegium backup (neither SQLite nor pg_dump)")


def check_destination(path: Path, *, overwrite: bool) -> None:
    """Refuse a backup file that exists (unless ``overwrite``) or whose folder does not."""
    if path.exists() and not overwrite:
        raise ValidationError(f"{path} exists already; use --force to replace it")
    if not path.parent.is_dir():
        raise ValidationError(f"there is no directory {path.parent}")


def backup(database_url: str, path: Path) -> None:
    """Write a consistent copy of the database to ``path``."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        if sqlite_path(database_url) is not None:
            _backup_sqlite(database_url, partial)
        else:
            _run_tool(_pg_dump_command(database_url, partial), database_url)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _backup_sqlite(database_url: str, target: Path) -> None:
    source_path = sqlite_path(database_url)
    assert source_path is not None
    if not source_path.exists():
        raise StorageError(f"there is no database at {source_path}: run `kollegium init`")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination, pages=PAGES_PER_STEP)
    finally:
        destination.close()
        source.close()


def check_restorable(database_url: str, path: Path) -> str:
    """The kind of backup at ``path``, refused unless it fits the database's kind."""
    kind = backup_kind(path)
    target = "sqlite" if sqlite_path(database_url) is not None else "postgresql"
    if kind != target:
        raise ValidationError(
            f"{path} is a {kind} backup but the database is {target}; "
            "restore it into a database of its kind (then `kollegium migrate --to` if needed)"
        )
    return kind


def restore(database_url: str, path: Path) -> None:
    """Replace the database's contents with the backup at ``path``."""
    if check_restorable(database_url, path) == "sqlite":
        _restore_sqlite(path, database_url)
    else:
        _run_tool(_pg_restore_command(database_url, path), database_url)


def _restore_sqlite(path: Path, database_url: str) -> None:
    target_path = sqlite_path(database_url)
    assert target_path is not None
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.execute("SELECT count(*) FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        source.close()
        raise ValidationError(f"{path} is not a Kollegium database: {exc}") from exc
    # The backup API writes into the live file under SQLite's own locks, so a process
    # that still has it open sees the restored pages rather than a file swapped under it.
    destination = sqlite3.connect(target_path)
    try:
        source.backup(destination, pages=PAGES_PER_STEP)
    finally:
        destination.close()
        source.close()


def has_pg_tools() -> bool:
    return shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password (kept out of the process list) and libpq's environment."""
    parts = urlsplit(driver_url(database_url))
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    bare = urlunsplit(("postgresql", f"{user}{host}{port}", parts.path, parts.query, ""))
    return bare, env


def _pg_dump_command(database_url: str, target: Path) -> list[str]:
    bare, _env = _libpq(database_url)
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={bare}"]


def _pg_restore_command(database_url: str, source: Path) -> list[str]:
    bare, _env = _libpq(database_url)
    return [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={bare}",
        str(source),
    ]


def _run_tool(command: list[str], database_url: str) -> None:
    if shutil.which(command[0]) is None:
        raise StorageError(f"{command[0]} is not installed (Debian: apt install postgresql-client)")
    _bare, env = _libpq(database_url)
    result = subprocess.run(  # noqa: S603 (a fixed program with arguments we built)
        command, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = lines[0] if lines else f"exit status {result.returncode}"
        raise StorageError(f"{command[0]} failed: {detail}")


async def database_has_data(database_url: str) -> bool:
    """Whether the database exists and holds accounts (an instance worth not overwriting)."""
    store = Store(database_url, readers=1)
    try:
        await store.connect()
    except Exception:  # missing file, unknown database: nothing there to overwrite
        return False
    try:
        async with store.read() as conn:
            return bool(await conn.fetch_val("SELECT EXISTS (SELECT 1 FROM accounts)"))
    except Exception:  # no accounts table: an empty or foreign database, nothing to lose
        return False
    finally:
        await store.disconnect()
