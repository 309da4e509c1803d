"""Failed sign-ins, by network address, for the sign-in limit (fediverse.sign_in_limits)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(
        "ix_sign_in_failures_address_created_at",
        "sign_in_failures",
        ["address", "created_at"],
    )
    op.create_index("ix_sign_in_failures_created_at", "sign_in_failures", ["created_at"])


def downgrade() -> None:
    op.drop_table("sign_in_failures")
