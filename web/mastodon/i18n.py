"""``_()`` for the sign-in and consent pages, from the web app's Babel catalogues
(``web/locale``): Swedish first, English on request."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from web.ui import i18n

LOCALES = i18n.LOCALES


def pick_locale(request: Request) -> str:
    """``?lang=`` first, then the visitor's language cookie, Accept-Language, then Swedish."""
    return i18n.pick_locale(request)


def translator(locale: str) -> Callable[..., str]:
    catalogue = i18n.translations(locale)

    def gettext(message: str, **values: str) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    return gettext
