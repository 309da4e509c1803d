"""The accessibility statement (tillgänglighetsredogörelse) and reports of problems with it.

DOS-lagen requires a published statement and a way to tell the municipality about content
that is not accessible; the admin writes the statement, anyone may report.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from fediverse import audit
from fediverse.errors import ValidationError
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accessibility_reports, instance_settings

STATEMENT_KEY = "accessibility_statement"
MAX_STATEMENT = 50_000
MAX_DESCRIPTION = 5_000


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    updated_at: int | None


async def statement(store: Store) -> Statement:
    """The statement as the admin wrote it (plain text), or an empty one."""
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(instance_settings.c.value, instance_settings.c.updated_at).where(
                instance_settings.c.key == STATEMENT_KEY
            )
        )
    return Statement(row[0], row[1]) if row is not None else Statement("", None)


async def set_statement(store: Store, text: str, *, actor: str, account_id: int) -> None:
    """Replace the statement; the change is in the audit log."""
    if len(text) > MAX_STATEMENT:
        raise ValidationError(f"The statement is at most {MAX_STATEMENT} characters")
    async with store.write() as conn:
        await conn.execute(
            delete(instance_settings).where(instance_settings.c.key == STATEMENT_KEY)
        )
        await conn.execute(
            insert(instance_settings).values(key=STATEMENT_KEY, value=text, updated_at=now_ms())
        )
        await audit.record(
            store,
            conn,
            actor=actor,
            action="accessibility_statement.update",
            account_id=account_id,
            data={"length": len(text)},
        )


@dataclass(frozen=True, slots=True)
class ProblemReport:
    description: str
    page: str = ""
    contact: str = ""
    account_id: int | None = None


async def report_problem(store: Store, report: ProblemReport) -> int:
    """Keep a report for the admins; its id."""
    description = report.description.strip()
    if not description:
        raise ValidationError("Describe the problem")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(f"The description is at most {MAX_DESCRIPTION} characters")
    report_id = store.new_id()
    async with store.write() as conn:
        await conn.execute(
            insert(accessibility_reports).values(
                id=report_id,
                account_id=report.account_id,
                page=report.page[:2000],
                description=description,
                contact=report.contact.strip()[:320],
                created_at=now_ms(),
            )
        )
    return report_id


async def open_reports(store: Store, limit: int = 100) -> list[dict[str, object]]:
    """The newest reports not yet handled, for the admin."""
    query = (
        select(accessibility_reports)
        .where(accessibility_reports.c.handled_at.is_(None))
        .order_by(accessibility_reports.c.id.desc())
        .limit(limit)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    return [{str(c.name): r[c.name] for c in accessibility_reports.c} for r in rows]
