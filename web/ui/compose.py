"""The composer: the form of a new post, its audience in plain words, and posting it.

The audience is the one choice every post makes, so it is always on screen:
"Only my municipality" is a local-only post, "Other municipalities too" may federate,
"Only the people I mention" is direct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.responses import Response

from fediverse import media, statuses
from fediverse.errors import KollegiumError
from fediverse.polls import NewPoll
from fediverse.statuses import NewStatus
from web.ui import groups
from web.ui.pages import Ui
from web.ui.views import local_path

AUDIENCES = ("local", "federated", "direct")
POLL_OPTIONS = 4
POLL_DURATIONS = (3600, 86_400, 7 * 86_400)
IMAGE_LIMIT = media.IMAGE_SIZE_LIMIT


@dataclass(slots=True)
class Draft:
    """What the form held; given back to it, with the errors, when posting fails."""

    text: str = ""
    audience: str = "local"
    spoiler_text: str = ""
    alt: str = ""
    poll_options: list[str] = field(default_factory=lambda: [""] * POLL_OPTIONS)
    poll_duration: int = 86_400
    poll_multiple: bool = False
    in_reply_to_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    groups: list[tuple[str, str]] = field(default_factory=list)  # (audience value, name)


def default_audience(ui: Ui) -> str:
    assert ui.user is not None
    if ui.user.default_privacy == "direct":
        return "direct"
    return "local" if ui.user.default_local_only else "federated"


def _audience(chosen: str) -> str:
    if chosen in AUDIENCES or chosen.startswith(groups.GROUP_AUDIENCE):
        return chosen
    return "local"


def read_draft(ui: Ui) -> Draft:
    options = [ui.field(f"poll_option_{i}").strip() for i in range(POLL_OPTIONS)]
    duration = ui.field("poll_duration", "86400")
    reply = ui.field("in_reply_to_id")
    return Draft(
        text=ui.field("status"),
        audience=_audience(ui.field("audience")),
        spoiler_text=ui.field("spoiler_text").strip(),
        alt=ui.field("media_description").strip(),
        poll_options=options,
        poll_duration=int(duration) if duration.isdigit() else 86_400,
        poll_multiple=ui.field("poll_multiple") == "on",
        in_reply_to_id=int(reply) if reply.isdigit() and len(reply) <= 19 else None,
    )


def _image(ui: Ui) -> UploadFile | None:
    upload = ui.form.get("media") if ui.form is not None else None
    if isinstance(upload, UploadFile) and upload.filename:
        return upload
    return None


def check_draft(ui: Ui, draft: Draft, image: UploadFile | None) -> None:
    """Fill ``draft.errors`` with what a person can fix, in their language."""
    _ = ui.gettext
    options = [o for o in draft.poll_options if o]
    if not draft.text.strip() and image is None and not options:
        draft.errors["status"] = _("Write something before you post.")
    if statuses.text_length(draft.text) + len(draft.spoiler_text) > statuses.MAX_CHARACTERS:
        draft.errors["status"] = _(
            "The post is too long: at most %(n)s characters.", n=str(statuses.MAX_CHARACTERS)
        )
    if image is not None and not draft.alt:
        draft.errors["media_description"] = _(
            "Describe the image for those who cannot see it (alt text)."
        )
    if options and len(options) < 2:
        draft.errors["poll_option_0"] = _("A poll needs at least two choices.")
    if options and image is not None:
        draft.errors["media"] = _("A post can have an image or a poll, not both.")
    if draft.poll_duration not in POLL_DURATIONS:
        draft.poll_duration = 86_400


def _new_status(draft: Draft, media_ids: tuple[int, ...]) -> NewStatus:
    options = tuple(o for o in draft.poll_options if o)
    poll = NewPoll(options, draft.poll_duration, draft.poll_multiple) if options else None
    direct = draft.audience == "direct"
    return NewStatus(
        text=draft.text,
        spoiler_text=draft.spoiler_text,
        sensitive=bool(draft.spoiler_text) or None,
        visibility="direct" if direct else "public",
        # A direct post goes to whom it mentions, wherever they work.
        local_only=draft.audience == "local",
        in_reply_to_id=draft.in_reply_to_id,
        media_ids=media_ids,
        poll=poll,
    )


async def _upload(ui: Ui, draft: Draft, image: UploadFile | None) -> tuple[int, ...]:
    if image is None:
        return ()
    data = await image.read(IMAGE_LIMIT + 1)
    media_id = await media.upload(
        ui.runtime.store,
        Path(ui.settings.media_dir),
        ui.account_id,
        data,
        description=draft.alt,
    )
    return (media_id,)


async def post(ui: Ui) -> Response:
    """Post the form, then back to where it was written; the form again with errors."""
    draft = read_draft(ui)
    draft.groups = await groups.composer_groups(ui)
    image = _image(ui)
    check_draft(ui, draft, image)
    if draft.errors:
        return compose_page(ui, draft, 422)
    try:
        media_ids = await _upload(ui, draft, image)
        new = _new_status(draft, media_ids)
        if draft.audience.startswith(groups.GROUP_AUDIENCE):
            new = await groups.for_chosen_group(ui, draft.audience, new)
        status_id = await statuses.create_status(ui.runtime, ui.account_id, new)
    except KollegiumError as exc:
        draft.errors["status"] = ui.gettext(exc.message)
        return compose_page(ui, draft, exc.status)
    back = local_path(ui.field("next", "/"))
    return ui.redirect(f"{back}#s-{status_id}")


def compose_page(ui: Ui, draft: Draft | None = None, status: int = 200) -> Response:
    if draft is None:
        draft = Draft(audience=default_audience(ui))
    return ui.render(
        "ui/compose.html",
        ui.gettext("Write a post"),
        status,
        draft=draft,
        next=local_path(ui.field("next", "/")),
    )


async def compose(ui: Ui) -> Response:
    draft = Draft(audience=default_audience(ui), groups=await groups.composer_groups(ui))
    return compose_page(ui, draft)
