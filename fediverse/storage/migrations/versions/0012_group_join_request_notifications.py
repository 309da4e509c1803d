"""Notifications name the join request they are about (``group_join_request``)

A join request to a closed group is a follow request to the group's account, and it is
every moderator's to decide. Each moderator is told by a ``group_join_request``
notification that names the request in ``follow_request_id``; the foreign key deletes the
notifications with the request, however it ends (approved, turned down, withdrawn, the
asker banned or their server suspended). A partial index serves that lookup, written only
for the notifications that have one.

SQLite can add a column with a foreign key in place, but then keeps the key as a column
constraint, which it reports without its name or its ON DELETE; so there the table is
rebuilt with a named table constraint, in both directions (a few seconds a million rows).
The rebuild reflects the table, and with it ``accounts``, whose expression index on
usernames cannot be reflected and need not be: the warning about it is expected.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_notifications_follow_request_id_follow_requests"
_INDEX = "ix_notifications_follow_request_id"
_HAS_ONE = sa.text("follow_request_id IS NOT NULL")


@contextmanager
def _rebuilt_notifications() -> Iterator[BatchOperations]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table("notifications", recreate="always") as batch:
            yield batch


def upgrade() -> None:
    column = sa.Column("follow_request_id", sa.BigInteger(), nullable=True)
    if op.get_context().dialect.name == "postgresql":
        op.add_column("notifications", column)
        op.create_foreign_key(
            _FK,
            "notifications",
            "follow_requests",
            ["follow_request_id"],
            ["id"],
            ondelete="CASCADE",
        )
    else:
        with _rebuilt_notifications() as batch:
            batch.add_column(column)
            batch.create_foreign_key(
                _FK, "follow_requests", ["follow_request_id"], ["id"], ondelete="CASCADE"
            )
    op.create_index(
        _INDEX,
        "notifications",
        ["follow_request_id"],
        postgresql_where=_HAS_ONE,
        sqlite_where=_HAS_ONE,
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="notifications")
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(_FK, "notifications", type_="foreignkey")
        op.drop_column("notifications", "follow_request_id")
        return
    with _rebuilt_notifications() as batch:
        batch.drop_constraint(_FK, type_="foreignkey")
        batch.drop_column("follow_request_id")
