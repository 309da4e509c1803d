"""Schema migrations with Alembic, run from code (``kollegium init``) and from tests.

These functions are synchronous because Alembic is; from async code call them through
``asyncio.to_thread``.
"""

from __future__ import annotations

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
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite:///:memory:")).get_current_head()
    assert head is not None
    return head


def current_revision_sync(connection: object) -> str | None:
    """The revision a database is at, given a synchronous SQLAlchemy connection."""
    return MigrationContext.configure(connection).get_current_revision()  # type: ignore[arg-type]
