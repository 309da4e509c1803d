"""Home feeds are filled in batches (``feed_pending``), and follows are indexed for fan-out

A post wrote one home-feed row per local follower in its own transaction. Each row goes to
a different page of the feed's index, so a post by someone with 200 followers wrote some
200 pages; on a large instance that capped posting at about 150 a second. A post now writes
one ``feed_pending`` row, and the feeds are filled in batches (fediverse/feeds.py). The
index on follows by followed account now holds the follower as well, so that fan-out reads
the index alone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_pending",
        sa.Column("status_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("author_account_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_feed_pending_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("status_id", name=op.f("pk_feed_pending")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_follows_target_account_id_account_id",
        "follows",
        ["target_account_id", "account_id"],
    )
    op.drop_index("ix_follows_target_account_id", table_name="follows")


def downgrade() -> None:
    op.create_index("ix_follows_target_account_id", "follows", ["target_account_id"])
    op.drop_index("ix_follows_target_account_id_account_id", table_name="follows")
    op.drop_table("feed_pending")
