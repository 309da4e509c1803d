"""Schema migrations with Alembic, run from code (``kollegium init``) and from tests.

These functions are synchronous because Alembic is. Our Alembic environment runs its own
event loop, so when called from inside a running loop they run in a helper thread (and
block the caller until done); from async code prefer ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from fediverse.storage.database import sqlalchemy_url, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would read a "%" in a password as a placeholder.
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    _outside_event_loop(command.upgrade, alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    _outside_event_loop(command.downgrade, alembic_config(database_url), revision)


def _outside_event_loop(function: Callable[[Config, str], None], config: Config, rev: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        function(config, rev)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(function, config, rev).result()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite:///:memory:")).get_current_head()
    assert head is not None
    return head


def current_revision_sync(connection: object) -> str | None:
    """The revision a database is at, given a synchronous SQLAlchemy connection."""
    return MigrationContext.configure(connection).get_current_revision()  # type: ignore[arg-type]
