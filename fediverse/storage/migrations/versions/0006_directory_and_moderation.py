"""Staff directory and moderation: profile fields, departments, reports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Reserved in order so that work on several issues can add tables side by side; a revision
with nothing to do yet upgrades and downgrades as a no-op.
"""

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
