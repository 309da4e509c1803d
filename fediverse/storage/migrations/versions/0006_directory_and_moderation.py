"""Staff directory and moderation: profile fields, departments, reports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Accounts get the staff directory's fields (phone, workplace, languages, "ask me about") and
``sensitized_at``; notifications get ``report_id`` (for ``admin.report``); reports are new.
Columns with constant defaults are added in place, which SQLite allows without a rebuild.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("phone", sa.String(length=50), server_default="", nullable=False),
        sa.Column("workplace", sa.String(length=200), server_default="", nullable=False),
        sa.Column("languages", sa.Text(), server_default="[]", nullable=False),
        sa.Column("ask_me_about", sa.Text(), server_default="[]", nullable=False),
        sa.Column("sensitized_at", sa.BigInteger(), nullable=True),
    ]


def _account_ref(name: str, *, cascade: bool) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [name],
        ["accounts.id"],
        name=op.f(f"fk_reports_{name}_accounts"),
        ondelete="CASCADE" if cascade else "SET NULL",
    )


def upgrade() -> None:
    for column in _account_columns():
        op.add_column("accounts", column)
    op.add_column("notifications", sa.Column("report_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_ids", sa.Text(), server_default="[]", nullable=False),
        sa.Column("rule_ids", sa.Text(), server_default="[]", nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("category", sa.String(length=20), server_default="other", nullable=False),
        sa.Column("forwarded", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("assigned_account_id", sa.BigInteger(), nullable=True),
        sa.Column("action_taken_at", sa.BigInteger(), nullable=True),
        sa.Column("action_taken_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        _account_ref("account_id", cascade=True),
        _account_ref("target_account_id", cascade=True),
        _account_ref("assigned_account_id", cascade=False),
        _account_ref("action_taken_by_account_id", cascade=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("uri", name=op.f("uq_reports_uri")),
    )
    op.create_index("ix_reports_target_account_id", "reports", ["target_account_id"])
    op.create_index("ix_reports_action_taken_at_id", "reports", ["action_taken_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_reports_action_taken_at_id", table_name="reports")
    op.drop_index("ix_reports_target_account_id", table_name="reports")
    op.drop_table("reports")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild of accounts would lose the
    # expression index on usernames, which cannot be reflected.
    op.execute("ALTER TABLE notifications DROP COLUMN report_id")
    for column in reversed(_account_columns()):
        op.execute(f"ALTER TABLE accounts DROP COLUMN {column.name}")
