"""Settings: profile and avatar, default audience, language, notifications, connected apps,
my data."""

from __future__ import annotations

import orjson
from starlette.datastructures import UploadFile
from starlette.responses import Response

from fediverse import connected_apps, directory, notifications, profiles
from fediverse.errors import KollegiumError
from fediverse.export import export_account
from fediverse.media import IMAGE_SIZE_LIMIT
from fediverse.profiles import ProfileChange
from fediverse.web_users import LANGUAGES, set_locale
from web.mastodon.serializers.accounts import serialize_account
from web.ui.compose import default_audience
from web.ui.messages import N_
from web.ui.pages import Ui

CONTACT_FIELDS = 4


# What each kind of notification is, said as the settings page asks "Notify me when ...".
NOTIFICATION_KINDS = {
    "mention": N_("someone mentions me"),
    "status": N_("someone whose posts I subscribed to posts"),
    "reblog": N_("someone boosts my post"),
    "favourite": N_("someone favourites my post"),
    "follow": N_("someone follows me"),
    "follow_request": N_("someone asks to follow me"),
    "poll": N_("a poll I made or voted in has ended"),
    "update": N_("a post I boosted is edited"),
    "group_join_request": N_("someone asks to join a group I moderate"),
}


async def show(ui: Ui, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    row = await directory.account_by_id(ui.runtime.store, ui.account_id)
    account = serialize_account(row, ui.settings.base_url)
    blank = [{"name": "", "value": ""}] * CONTACT_FIELDS
    return ui.render(
        "ui/settings.html",
        ui.gettext("Settings"),
        status,
        account=account,
        note_source=row["note_source"] or "",
        fields=[*account["fields"], *blank][:CONTACT_FIELDS],
        audience=default_audience(ui),
        languages=LANGUAGES,
        kinds=[(kind, ui.gettext(label)) for kind, label in NOTIFICATION_KINDS.items()],
        off=await notifications.types_off(ui.runtime.store, ui.account_id),
        errors=errors or {},
        saved=ui.request.query_params.get("saved") == "1",
    )


def _avatar(ui: Ui) -> UploadFile | None:
    upload = ui.form.get("avatar") if ui.form is not None else None
    return upload if isinstance(upload, UploadFile) and upload.filename else None


async def save(ui: Ui) -> Response:
    audience = ui.field("audience")
    fields = [
        (ui.field(f"field_name_{i}").strip(), ui.field(f"field_value_{i}").strip())
        for i in range(CONTACT_FIELDS)
    ]
    avatar = _avatar(ui)
    change = ProfileChange(
        display_name=ui.field("display_name").strip(),
        note=ui.field("note"),
        avatar=await avatar.read(IMAGE_SIZE_LIMIT + 1) if avatar else None,
        fields=[f for f in fields if f[0] or f[1]],
        privacy="direct" if audience == "direct" else "public",
        local_only=audience != "federated",
    )
    try:
        await profiles.update_profile(ui.runtime, ui.account_id, change)
        locale = ui.field("locale")
        if locale in LANGUAGES and ui.user is not None:
            await set_locale(ui.runtime.store, ui.user.user_id, locale)
        wanted = {kind for kind in NOTIFICATION_KINDS if ui.field(f"notify_{kind}") == "on"}
        await notifications.set_types_off(
            ui.runtime.store, ui.account_id, set(NOTIFICATION_KINDS) - wanted
        )
    except KollegiumError as exc:
        return await show(ui, {"form": ui.gettext(exc.message)}, exc.status)
    return ui.redirect("/settings?saved=1")


async def apps(ui: Ui) -> Response:
    assert ui.user is not None
    found = await connected_apps.connected_apps(ui.runtime.store, ui.user.user_id)
    return ui.render(
        "ui/apps.html",
        ui.gettext("Connected apps"),
        apps=found,
        revoked=ui.request.query_params.get("revoked") == "1",
    )


async def revoke(ui: Ui) -> Response:
    assert ui.user is not None
    raw = ui.field("application_id")
    if raw.isdigit() and len(raw) <= 19:
        await connected_apps.revoke_app(ui.runtime.store, ui.user.user_id, int(raw))
    return ui.redirect("/settings/apps?revoked=1")


async def export(ui: Ui) -> Response:
    data = await export_account(ui.runtime.store, ui.account_id)
    assert ui.user is not None
    name = f"kollegium-{ui.user.username}.json"
    return Response(
        orjson.dumps(data, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
