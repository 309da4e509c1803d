"""The accessibility statement (tillgänglighetsredogörelse), linked from every page, with
the form to report a problem; the admin edits the statement here too."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import accessibility
from fediverse.accessibility import ProblemReport
from fediverse.errors import ForbiddenError, KollegiumError
from web.ui.pages import Ui
from web.ui.views import local_path


async def statement(ui: Ui, error: str | None = None, status: int = 200) -> Response:
    found = await accessibility.statement(ui.runtime.store)
    paragraphs = [p.strip() for p in found.text.split("\n\n") if p.strip()]
    return ui.render(
        "ui/accessibility.html",
        ui.gettext("Accessibility statement"),
        status,
        paragraphs=paragraphs,
        updated_at=found.updated_at,
        error=error,
        sent=ui.request.query_params.get("sent") == "1",
        page_url=local_path(ui.request.query_params.get("page", ""), ""),
    )


async def report(ui: Ui) -> Response:
    problem = ProblemReport(
        description=ui.field("description"),
        page=ui.field("page"),
        contact=ui.field("contact"),
        account_id=ui.user.account_id if ui.user else None,
    )
    try:
        await accessibility.report_problem(ui.runtime.store, problem)
    except KollegiumError as exc:
        return await statement(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/accessibility?sent=1#report")


def _admin(ui: Ui) -> None:
    if ui.user is None or not ui.user.is_admin:
        raise ForbiddenError(ui.gettext("Only an administrator may do that."))


async def edit_form(ui: Ui) -> Response:
    _admin(ui)
    found = await accessibility.statement(ui.runtime.store)
    reports = await accessibility.open_reports(ui.runtime.store)
    return ui.render(
        "ui/accessibility_edit.html",
        ui.gettext("Edit the accessibility statement"),
        text=found.text,
        reports=reports,
    )


async def edit(ui: Ui) -> Response:
    _admin(ui)
    assert ui.user is not None
    await accessibility.set_statement(
        ui.runtime.store,
        ui.field("statement"),
        actor=ui.user.username,
        account_id=ui.user.account_id,
    )
    return ui.redirect("/accessibility")
