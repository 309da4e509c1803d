"""Accounts say where their suspension came from (``suspension_origin``)

``local`` is our own moderators' (or a remote actor's deletion of itself), ``remote`` is
the actor's own server telling us, in its actor document (``suspended: true``). Only a
``remote`` suspension is lifted when that server says the actor is no longer suspended.
Suspensions made before this revision were all ours: they become ``local``.

A partial index on the suspended accounts lets the home timeline leave their posts out
cheaply: there are few of them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_accounts_suspended"
_SUSPENDED = sa.text("suspended_at IS NOT NULL")


def upgrade() -> None:
    op.add_column("accounts", sa.Column("suspension_origin", sa.String(10), nullable=True))
    op.execute("UPDATE accounts SET suspension_origin = 'local' WHERE suspended_at IS NOT NULL")
    op.create_index(
        _INDEX, "accounts", ["id"], postgresql_where=_SUSPENDED, sqlite_where=_SUSPENDED
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="accounts")
    # Not a batch rebuild on SQLite: it would lose the expression index on usernames.
    op.execute("ALTER TABLE accounts DROP COLUMN suspension_origin")
