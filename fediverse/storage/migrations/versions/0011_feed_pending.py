"""Home feeds are filled in batches (``feed_pending``), and follows are indexed for fan-out

A post wrote one home-feed row per local follower in its own transaction. Each row goes to
a different page of the feed's index, so a post by someone with 200 followers wrote some
200 pages; on a large instance that capped posting at about 150 a second. A post now writes
one ``feed_pending`` row, and the feeds are filled in batches (fediverse/feeds.py). The
index on follows by followed account now holds the follower as well, so that fan-out reads
the index alone, and a partial index holds the subscribers ("notify me") every post asks
for, which had meant reading every follow of the author. The feed's foreign key to its
account goes: checking it cost PostgreSQL 1.4 ms a post on the large dataset, and a feed
belongs to a local account, which is never deleted. SQLite cannot drop a constraint, so
there the feed is copied into a table without it (a few seconds a million rows).

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


_FEED_FK = "fk_home_feed_account_id_accounts"
_FEED_WITHOUT_FK = (
    "CREATE TABLE home_feed_new (account_id BIGINT NOT NULL, status_id BIGINT NOT NULL, "
    "author_account_id BIGINT NOT NULL, "
    "CONSTRAINT pk_home_feed PRIMARY KEY (account_id, status_id)) WITHOUT ROWID"
)
_FEED_WITH_FK = _FEED_WITHOUT_FK.replace(
    "PRIMARY KEY (account_id, status_id)",
    f"PRIMARY KEY (account_id, status_id), CONSTRAINT {_FEED_FK} FOREIGN KEY(account_id) "
    "REFERENCES accounts (id) ON DELETE CASCADE",
)


def _copy_feed_sqlite(create: str) -> None:
    op.execute(create)
    op.execute(
        "INSERT INTO home_feed_new SELECT account_id, status_id, author_account_id FROM home_feed"
    )
    op.execute("DROP TABLE home_feed")
    op.execute("ALTER TABLE home_feed_new RENAME TO home_feed")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(_FEED_FK, "home_feed", type_="foreignkey")
    else:
        _copy_feed_sqlite(_FEED_WITHOUT_FK)
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
    op.create_index(
        "ix_follows_subscribers",
        "follows",
        ["target_account_id"],
        postgresql_where=sa.text("notify"),
        sqlite_where=sa.text("notify"),
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.create_foreign_key(
            _FEED_FK, "home_feed", "accounts", ["account_id"], ["id"], ondelete="CASCADE"
        )
    else:
        _copy_feed_sqlite(_FEED_WITH_FK)
    op.drop_index("ix_follows_subscribers", table_name="follows")
    op.create_index("ix_follows_target_account_id", "follows", ["target_account_id"])
    op.drop_index("ix_follows_target_account_id_account_id", table_name="follows")
    op.drop_table("feed_pending")
