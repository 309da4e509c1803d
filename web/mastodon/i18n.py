"""A small gettext-ready ``_()`` for the sign-in pages: Swedish first, English on request.

Message ids are English; the Swedish catalogue lives here until the Babel catalogues arrive.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

LOCALES = ("sv", "en")
CATALOGUES: dict[str, dict[str, str]] = {
    "sv": {
        "Sign in": "Logga in",
        "E-mail or username": "E-post eller användarnamn",
        "Password": "Lösenord",
        "Wrong e-mail, username or password.": "Fel e-post, användarnamn eller lösenord.",
        "Authorize": "Godkänn",
        "Deny": "Neka",
        "%(app)s wants to use your account @%(user)s.": (
            "%(app)s vill använda ditt konto @%(user)s."
        ),
        "It asks for these permissions:": "Appen ber om dessa behörigheter:",
        "Copy this code into the app:": "Kopiera den här koden till appen:",
        "Authorization code": "Auktoriseringskod",
        "Something is wrong with the sign-in request": "Något är fel med inloggningsförfrågan",
        "The form has expired. Please try again.": "Formuläret har gått ut. Försök igen.",
        "Access was denied.": "Åtkomst nekades.",
    },
    "en": {},
}


def pick_locale(request: Request) -> str:
    """``?lang=`` first, then the browser's Accept-Language, then Swedish."""
    wanted = request.query_params.get("lang") or ""
    if wanted[:2] in LOCALES:
        return wanted[:2]
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";", 1)[0].strip()[:2].lower()
        if code in LOCALES:
            return code
    return "sv"


def translator(locale: str) -> Callable[..., str]:
    catalogue = CATALOGUES.get(locale, {})

    def gettext(message: str, **values: str) -> str:
        text = catalogue.get(message, message)
        return text % values if values else text

    return gettext
