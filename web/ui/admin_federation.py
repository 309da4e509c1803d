"""Admin: how the municipality federates. The mode (only listed municipalities, everyone but
blocked ones, or nobody) and each domain's policy: allow, silence or suspend, and whether
its media is rejected. ``fediverse.instances`` audits each change; it takes effect at once."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import instances
from fediverse.errors import KollegiumError
from fediverse.settings import FEDERATION_MODES
from web.ui.admin import require_admin
from web.ui.pages import Ui

POLICIES = ("allow", "silence", "suspend", "none")


def mode_texts(ui: Ui) -> dict[str, tuple[str, str]]:
    _ = ui.gettext
    return {
        "allowlist": (
            _("Only listed municipalities"),
            _("We talk only with the domains allowed below. Recommended."),
        ),
        "blocklist": (
            _("Open federation"),
            _("We talk with every server except those silenced or suspended below."),
        ),
        "closed": (_("Closed"), _("Nothing leaves this server and nothing comes in.")),
    }


def policy_texts(ui: Ui) -> dict[str, tuple[str, str]]:
    _ = ui.gettext
    return {
        "allow": (_("Allow"), _("Staff here and there can follow each other and share groups.")),
        "silence": (
            _("Silence"),
            _("Their posts reach only those who follow them; their follows need approval."),
        ),
        "suspend": (_("Suspend"), _("No contact at all; what we hold from them is deleted.")),
        "none": (_("No decision"), _("Only the media rule below applies.")),
    }


async def index(ui: Ui, error: str | None = None, status: int = 200) -> Response:
    require_admin(ui)
    store = ui.runtime.store
    return ui.render(
        "ui/admin/federation.html",
        ui.gettext("Federation"),
        status,
        mode=await instances.federation_mode(store, ui.settings.federation_mode),
        modes=mode_texts(ui),
        policies=policy_texts(ui),
        domains=await instances.domain_policies(store),
        error=error,
        form={"domain": ui.field("domain"), "policy": ui.field("policy", "allow")},
        done=ui.request.query_params.get("done", ""),
    )


async def set_mode(ui: Ui) -> Response:
    by = require_admin(ui)
    mode = ui.field("mode")
    if mode not in FEDERATION_MODES:
        return await index(ui, ui.gettext("Choose how the municipality federates."), 422)
    await instances.set_federation_mode(ui.runtime.store, mode, actor=by.actor)
    return ui.redirect("/admin/federation?done=mode")


async def set_domain(ui: Ui) -> Response:
    by = require_admin(ui)
    policy = ui.field("policy")
    reject_media = ui.field("reject_media") == "on"
    if policy not in POLICIES:
        return await index(ui, ui.gettext("Choose what to do with the domain."), 422)
    if policy == "none" and not reject_media:
        return await index(
            ui, ui.gettext("Choose allow, silence or suspend, or reject the media."), 422
        )
    try:
        await instances.set_domain_policy(
            ui.runtime.store,
            ui.field("domain"),
            policy,
            actor=by.actor,
            reject_media=reject_media,
            public_comment=ui.field("public_comment").strip() or None,
        )
    except KollegiumError as exc:
        return await index(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/admin/federation?done=domain")


async def remove_domain(ui: Ui) -> Response:
    by = require_admin(ui)
    try:
        await instances.clear_domain_policy(ui.runtime.store, ui.field("domain"), actor=by.actor)
    except KollegiumError as exc:
        return await index(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/admin/federation?done=removed")
