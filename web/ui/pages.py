"""What every page of the web app shares: the request as a ``Ui``, templates, and the
wrapper that signs in, checks CSRF and adds the security headers.

A route handler takes a ``Ui`` and returns a response; ``page()`` turns it into a Starlette
endpoint. Handlers parse the form, call one domain service and render; no SQL here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fediverse.errors import KollegiumError
from fediverse.runtime import Runtime
from fediverse.settings import Settings
from fediverse.web_users import WebUser, web_user
from web.mastodon import sessions
from web.ui import i18n
from web.ui.security import csrf_valid, secure

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_FORM_FILES = 4


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass(slots=True)
class Ui:
    """One request to the web app: who, in which language, with which form."""

    request: Request
    runtime: Runtime
    user: WebUser | None
    locale: str
    csrf_seed: str
    fresh_seed: bool
    form: FormData | None = None
    unread: int = 0  # notifications, shown in the menu
    flash: list[str] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def account_id(self) -> int:
        assert self.user is not None
        return self.user.account_id

    def gettext(self, message: str, **values: Any) -> str:
        text = i18n.translations(self.locale).gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = i18n.translations(self.locale).ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else default

    def render(self, template: str, title: str, status: int = 200, **context: Any) -> Response:
        html = (
            environment()
            .get_template(template)
            .render(
                ui=self,
                user=self.user,
                locale=self.locale,
                title=title,
                csrf=sessions.csrf_token(self.settings, self.csrf_seed),
                fmt=i18n.Formatter(self.locale),
                path=self.request.url.path,
                base_url=self.settings.base_url,
                _=self.gettext,
                gettext=self.gettext,
                ngettext=self.ngettext,
                **context,
            )
        )
        return HTMLResponse(html, status_code=status)

    def redirect(self, url: str) -> Response:
        return RedirectResponse(url, status_code=303)


Handler = Callable[[Ui], Awaitable[Response]]


def _sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/sign_in?next={quote(target, safe='')}"


async def signed_in_user(request: Request, runtime: Runtime) -> WebUser | None:
    """The user of the session cookie, unless they are gone or signed out since it began."""
    found = sessions.session_of(request, runtime.settings)
    if found is None:
        return None
    user = await web_user(runtime.store, found[0])
    if user is None or found[1] <= user.signed_out_at:
        return None
    return user


async def _ui(request: Request, runtime: Runtime) -> Ui:
    user = await signed_in_user(request, runtime)
    seed, fresh = sessions.csrf_seed(request)
    locale = i18n.pick_locale(request, user.locale if user else None)
    ui = Ui(request, runtime, user, locale, seed, fresh)
    ui.unread = user.unread_notifications if user is not None else 0
    return ui


def _finish(ui: Ui, response: Response) -> Response:
    if ui.fresh_seed:
        sessions.set_csrf_cookie(response, ui.settings, ui.csrf_seed)
    return secure(response, ui.settings)


async def _read_form(ui: Ui) -> Response | None:
    """Read a posted form; a refusal page when its CSRF token is missing or wrong."""
    ui.form = await ui.request.form(max_files=MAX_FORM_FILES)
    token = ui.form.get("csrf_token")
    if isinstance(token, str) and csrf_valid(ui.request, ui.settings, token):
        return None
    message = ui.gettext("The form has expired or came from another site. Please try again.")
    return ui.render("ui/error.html", ui.gettext("Something went wrong"), 403, message=message)


def page(handler: Handler, *, signed_in: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint for ``handler``; POSTs need a valid CSRF token."""

    async def endpoint(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        ui = await _ui(request, runtime)
        if signed_in and ui.user is None:
            return _finish(ui, RedirectResponse(_sign_in_url(request), status_code=303))
        try:
            refused = await _read_form(ui) if request.method == "POST" else None
            response = refused or await handler(ui)
        except KollegiumError as exc:
            response = ui.render(
                "ui/error.html",
                ui.gettext("Something went wrong"),
                exc.status,
                message=ui.gettext(exc.message),  # the domain's English, translated if known
            )
        finally:
            if ui.form is not None:
                await ui.form.close()
        return _finish(ui, response)

    return endpoint
