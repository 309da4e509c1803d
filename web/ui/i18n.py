"""Languages of the web app: Babel gettext catalogues, the choice of locale, and formatting.

The catalogues are the ``.po`` files under ``web/locale``, compiled in memory the first time
a locale is used, so that a fresh clone needs no build step. Message ids are English.
"""

from __future__ import annotations

import gettext
import io
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request

LOCALES = ("sv", "en")
DEFAULT = "sv"
LANG_COOKIE = "kollegium_lang"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
STOCKHOLM = "Europe/Stockholm"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``locale``; English (the message ids) needs none."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalogue = read_po(source, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _accepted(header: str) -> str | None:
    """The first of our locales in an Accept-Language header, by its q weights."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        code, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        weighted.append((-q, index, code.strip()[:2].lower()))
    for negative_q, _, code in sorted(weighted):
        if code in LOCALES and negative_q < 0:
            return code
    return None


def pick_locale(request: Request, user_locale: str | None = None) -> str:
    """``?lang=`` first, then the user's setting, then the language cookie of a visitor,
    then Accept-Language, then Swedish."""
    for wanted in (
        request.query_params.get("lang", "")[:2],
        user_locale or "",
        request.cookies.get(LANG_COOKIE, ""),
    ):
        if wanted in LOCALES:
            return wanted
    return _accepted(request.headers.get("accept-language", "")) or DEFAULT


class Formatter:
    """Dates and numbers as the reader's locale writes them, in Swedish time.

    Babel is imported when the first page is formatted, not when the server starts: the API
    alone never needs it."""

    def __init__(self, locale: str) -> None:
        from babel import Locale

        self.locale = Locale.parse(locale)

    def number(self, value: int | float) -> str:
        if isinstance(value, int) and 0 <= value < 1000:
            return str(value)  # the same in every locale, and most counts are small
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)

    def datetime(self, iso: str | None) -> str:
        return _datetime(iso, str(self.locale)) if iso else ""

    def date(self, iso: str | None) -> str:
        from babel.dates import format_date

        moment = _parse(iso)
        return format_date(moment, "long", locale=self.locale) if moment else ""

    def ago(self, iso: str | None, now: datetime | None = None) -> str:
        """ "5 minutes ago" style, for times in the last week; otherwise the date."""
        moment = _parse(iso)
        if moment is None:
            return ""
        delta = moment - (now or datetime.now(UTC))
        if abs(delta.total_seconds()) > 7 * 86400:
            return self.date(iso)
        from babel.dates import format_timedelta

        return format_timedelta(
            delta, add_direction=True, threshold=1.0, format="long", locale=self.locale
        )


@lru_cache(maxsize=4096)
def _datetime(iso: str, locale: str) -> str:
    """Cached: a post's time is shown to every reader of a timeline, page after page."""
    from babel.dates import format_datetime

    moment = _parse(iso)
    assert moment is not None
    return format_datetime(moment, "medium", tzinfo=STOCKHOLM, locale=locale)


def _parse(iso: str | None) -> datetime | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
