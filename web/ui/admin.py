"""What every admin page shares: who may see it (admins; moderators see reports), the acting
moderator for the audit log, the start page, the audit log and the instance page.

The domain services write every change to the audit log; these pages only call them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.responses import Response

from fediverse import about, instances, moderation
from fediverse.errors import ForbiddenError
from fediverse.moderation import AuditFilter
from fediverse.reports import STAFF_ROLES, Moderator
from web.ui.pages import Ui
from web.ui.views import page_query

AUDIT_PAGE = 50


def iso(ms: int | None) -> str:
    """A time in milliseconds as the templates' formatter reads it."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def require_admin(ui: Ui) -> Moderator:
    if ui.user is None or ui.user.role != "admin":
        raise ForbiddenError(ui.gettext("Only an administrator may see this page."))
    return Moderator(ui.user.account_id, ui.user.username)


def require_staff(ui: Ui) -> Moderator:
    """Admins and moderators."""
    if ui.user is None or ui.user.role not in STAFF_ROLES:
        raise ForbiddenError(ui.gettext("Only administrators and moderators may see this page."))
    return Moderator(ui.user.account_id, ui.user.username)


async def index(ui: Ui) -> Response:
    require_staff(ui)
    if ui.user is not None and ui.user.role != "admin":
        return ui.redirect("/admin/reports")
    return ui.redirect("/admin/users")


async def audit(ui: Ui) -> Response:
    require_admin(ui)
    action = ui.request.query_params.get("action", "").strip()[:100] or None
    entries = await moderation.audit_page(
        ui.runtime.store, AuditFilter(action=action), page_query(ui, AUDIT_PAGE)
    )
    for entry in entries:
        entry["iso"] = iso(entry["created_at"])
    older = None
    if len(entries) == AUDIT_PAGE:
        params = {"max_id": str(entries[-1]["id"]), **({"action": action} if action else {})}
        older = f"/admin/audit?{urlencode(params)}"
    return ui.render(
        "ui/admin/audit.html",
        ui.gettext("Audit log"),
        entries=entries,
        action=action or "",
        older=older,
    )


async def instance(ui: Ui) -> Response:
    require_admin(ui)
    stats = await about.instance_stats(ui.runtime.store)
    mode = await instances.federation_mode(ui.runtime.store, ui.settings.federation_mode)
    return ui.render(
        "ui/admin/instance.html",
        ui.gettext("Instance settings"),
        stats=stats,
        mode=mode,
    )
