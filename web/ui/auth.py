"""Signing in with a password, and out; the language choice of a visitor."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import oauth
from fediverse.sign_in_limits import TooManyAttemptsError
from fediverse.web_users import record_sign_out, set_locale
from web.mastodon import sessions
from web.mastodon.auth import client_address
from web.ui import i18n
from web.ui.messages import TOO_MANY_ATTEMPTS
from web.ui.pages import Ui
from web.ui.views import local_path


async def sign_in_form(ui: Ui) -> Response:
    if ui.user is not None:
        return ui.redirect(local_path(ui.request.query_params.get("next", "/")))
    return _form(ui)


def _form(ui: Ui, error: str | None = None, login: str = "", status: int = 401) -> Response:
    return ui.render(
        "ui/sign_in.html",
        ui.gettext("Sign in"),
        status if error else 200,
        error=error,
        login=login,
        next=local_path(ui.request.query_params.get("next") or ui.field("next") or "/"),
    )


async def sign_in(ui: Ui) -> Response:
    login = ui.field("login").strip()
    try:
        user = await oauth.sign_in(
            ui.runtime.store, client_address(ui.request), login, ui.field("password")
        )
    except TooManyAttemptsError as exc:
        response = _form(ui, ui.gettext(TOO_MANY_ATTEMPTS), login, 429)
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    if user is None:
        return _form(ui, ui.gettext("Wrong e-mail, username or password."), login)
    response = ui.redirect(local_path(ui.field("next", "/")))
    sessions.start_session(response, ui.settings, int(user["id"]))
    return response


async def sign_out(ui: Ui) -> Response:
    if ui.user is not None:  # a copy of the cookie, wherever it is, no longer signs in
        await record_sign_out(ui.runtime.store, ui.user.user_id)
    response = ui.redirect("/sign_in")
    sessions.end_session(response)
    return response


async def choose_language(ui: Ui) -> Response:
    """The footer's language button: a user's setting, or a visitor's cookie."""
    wanted = ui.field("locale")
    back = local_path(ui.field("next", "/"))
    if wanted not in i18n.LOCALES:
        return ui.redirect(back)
    if ui.user is not None:
        await set_locale(ui.runtime.store, ui.user.user_id, wanted)
    response = ui.redirect(back)
    response.set_cookie(
        i18n.LANG_COOKIE,
        wanted,
        max_age=365 * 86400,
        httponly=True,
        secure=not ui.settings.dev_insecure,
        samesite="lax",
    )
    return response
