"""Client API part 2: lists, filters, markers, conversations and the rest

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

Reserved in order so that work on several issues can add tables side by side; a revision
with nothing to do yet upgrades and downgrades as a no-op.
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
