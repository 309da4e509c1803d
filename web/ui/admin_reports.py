"""Admin and moderators: reports about accounts and posts. Read one, take it on, resolve it
(or reopen it); an action on the reported account resolves it too. All audited."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from fediverse import moderation, reports
from fediverse.errors import NotFoundError
from fediverse.hydrate import load_status_rows
from fediverse.moderation import AccountAction
from fediverse.reports import ReportFilter
from web.ui.admin import iso, require_staff
from web.ui.pages import Ui
from web.ui.views import account_dicts, page_query, status_dicts

PAGE = 40


def _path_id(ui: Ui) -> int:
    raw = str(ui.request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("There is no such report."))
    return int(raw)


def categories(ui: Ui) -> dict[str, str]:
    _ = ui.gettext
    return {
        "spam": _("Spam"),
        "legal": _("Against the law"),
        "violation": _("Breaks the rules"),
        "other": _("Other"),
    }


def _people(found: list[dict[str, Any]]) -> list[int]:
    ids = [r["account_id"] for r in found] + [r["target_account_id"] for r in found]
    return list(dict.fromkeys(i for i in ids if i is not None))


async def index(ui: Ui) -> Response:
    require_staff(ui)
    resolved = ui.request.query_params.get("resolved") == "1"
    found = await reports.list_reports(
        ui.runtime.store, ReportFilter(resolved=resolved), page_query(ui, PAGE)
    )
    for report in found:
        report["iso"] = iso(report["created_at"])
    return ui.render(
        "ui/admin/reports.html",
        ui.gettext("Reports"),
        categories=categories(ui),
        reports=found,
        accounts=await account_dicts(ui, _people(found)),
        resolved=resolved,
    )


async def show(ui: Ui) -> Response:
    require_staff(ui)
    report = await reports.get_report(ui.runtime.store, _path_id(ui))
    status_ids = reports.status_id_list(report)
    async with ui.runtime.store.read() as conn:
        found = await load_status_rows(conn, status_ids)
    rows = [found[i] for i in status_ids if i in found]
    return ui.render(
        "ui/admin/report.html",
        ui.gettext("Report"),
        report=report,
        categories=categories(ui),
        accounts=await account_dicts(ui, _people([report])),
        statuses=await status_dicts(ui, rows),
        done=ui.request.query_params.get("done", ""),
        next=f"/admin/reports/{report['id']}",
    )


async def change(ui: Ui) -> Response:
    """``resolve``, ``reopen``, ``assign``, or an action on the account (which resolves)."""
    by = require_staff(ui)
    report_id = _path_id(ui)
    store = ui.runtime.store
    kind = ui.field("action")
    if kind == "resolve":
        await reports.resolve(store, report_id, by)
    elif kind == "reopen":
        await reports.reopen(store, report_id, by)
    elif kind == "assign":
        await reports.assign_to_self(store, report_id, by)
    elif kind == "remove_statuses":
        report = await reports.get_report(store, report_id)
        await moderation.remove_reported_statuses(ui.runtime, report, by)
    elif kind in ("silence", "suspend"):
        report = await reports.get_report(store, report_id)
        action = AccountAction(kind, report_id=report_id, text=ui.field("text")[:1000])
        await moderation.take_action(store, int(report["target_account_id"]), action, by)
    else:
        raise NotFoundError(ui.gettext("There is no such action."))
    return ui.redirect(f"/admin/reports/{report_id}?done={kind}")
