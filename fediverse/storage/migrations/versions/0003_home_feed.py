"""home feed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Generated with autogenerate and checked by hand (the empty-string server defaults it also
proposed are a false difference of SQLite reflection). Existing home timelines are filled
from follows, so an upgraded instance shows the same timelines as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_home_feed_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "home_feed",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("author_account_id", sa.BigInteger(), nullable=False),
        _fk("account_id", "accounts"),
        _fk("author_account_id", "accounts"),
        _fk("status_id", "statuses"),
        sa.PrimaryKeyConstraint("account_id", "status_id", name=op.f("pk_home_feed")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_home_feed_account_id_author_account_id",
        "home_feed",
        ["account_id", "author_account_id"],
    )
    op.create_index("ix_home_feed_status_id", "home_feed", ["status_id"])
    op.execute(
        "INSERT INTO home_feed (account_id, status_id, author_account_id) "
        "SELECT u.account_id, s.id, s.account_id FROM users u "
        "JOIN statuses s ON s.account_id = u.account_id "
        "UNION "
        "SELECT f.account_id, s.id, s.account_id FROM users u "
        "JOIN follows f ON f.account_id = u.account_id "
        "JOIN statuses s ON s.account_id = f.target_account_id AND s.visibility <> 'direct'"
    )


def downgrade() -> None:
    op.drop_index("ix_home_feed_status_id", table_name="home_feed")
    op.drop_index("ix_home_feed_account_id_author_account_id", table_name="home_feed")
    op.drop_table("home_feed")
