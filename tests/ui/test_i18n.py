"""The web app's languages without a browser: the catalogues are complete, the locale is
chosen in the documented order, dates and numbers follow the locale."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.requests import Request

from web.ui import i18n

ROOT = Path(__file__).resolve().parent.parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _request(query: str = "", headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "query_string": query.encode(), "headers": raw})


def _catalogue(locale: str) -> dict[object, object]:
    with (i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def _singular(msgid: object) -> str:
    """A message's id; a plural's first form."""
    return msgid if isinstance(msgid, str) else str(msgid[0])  # type: ignore[index]


def _source_messages() -> set[object]:
    method_map = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(
        str(ROOT), method_map, options, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
    )
    return {m[2] if isinstance(m[2], str) else m[2][:2] for m in found}


def test_catalogues__every_message_in_the_code_is_in_both_and_swedish_is_translated() -> None:
    messages = {_singular(m) for m in _source_messages()}
    swedish = {_singular(k): v for k, v in _catalogue("sv").items()}
    english = {_singular(k) for k in _catalogue("en")}
    assert sorted(messages - set(swedish)) == [], "run web/locale/update.sh and translate"
    assert sorted(messages - english) == [], "run web/locale/update.sh"
    untranslated = [k for k, v in swedish.items() if not v or (isinstance(v, tuple) and not all(v))]
    assert untranslated == []


def test_catalogues__every_message_in_them_is_marked_in_the_code() -> None:
    """What web/locale/update.sh keeps: a message the code no longer marks would be made
    obsolete there, and its translation lost from the page (a domain error the web app shows
    must be in web/ui/messages.py)."""
    messages = {_singular(m) for m in _source_messages()}
    for locale in i18n.LOCALES:
        kept = {_singular(k) for k in _catalogue(locale)}
        assert sorted(kept - messages) == [], f"{locale}: mark these with N_ in the code"


def test_translations__swedish_from_the_po_file_english_from_the_ids() -> None:
    assert i18n.translations("sv").gettext("Sign in") == "Logga in"
    assert i18n.translations("en").gettext("Sign in") == "Sign in"
    assert i18n.translations("sv").ngettext("%(num)s vote", "%(num)s votes", 2) == "%(num)s röster"


def test_pick_locale__query_then_user_then_cookie_then_accept_language_then_swedish() -> None:
    assert i18n.pick_locale(_request()) == "sv"
    assert i18n.pick_locale(_request(headers={"accept-language": "en-GB,en;q=0.9"})) == "en"
    assert i18n.pick_locale(_request(headers={"accept-language": "de,sv;q=0.5,en;q=0.8"})) == "en"
    assert i18n.pick_locale(_request(headers={"accept-language": "fr, de"})) == "sv"
    assert i18n.pick_locale(_request(headers={"accept-language": "en;q=0"})) == "sv"
    cookie = {"cookie": "kollegium_lang=en", "accept-language": "sv"}
    assert i18n.pick_locale(_request(headers=cookie)) == "en"
    assert i18n.pick_locale(_request(headers=cookie), user_locale="sv") == "sv"
    assert i18n.pick_locale(_request("lang=en"), user_locale="sv") == "en"
    assert i18n.pick_locale(_request("lang=xx"), user_locale="en") == "en"


def test_formatter__numbers_and_dates_per_locale_in_swedish_time() -> None:
    sv, en = i18n.Formatter("sv"), i18n.Formatter("en")
    assert sv.number(1234567.5) == "1\xa0234\xa0567,5"
    assert en.number(1234567.5) == "1,234,567.5"
    assert sv.datetime("2026-06-01T10:00:00.000Z") == "1 juni 2026 12:00:00"
    assert sv.date("2026-11-27T10:00:00Z") == "27 november 2026"
    assert en.date("2026-11-27T10:00:00Z") == "November 27, 2026"
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert sv.ago("2026-11-27T11:55:00Z", now) == "för 5 minuter sedan"
    assert en.ago("2026-11-27T11:55:00Z", now) == "5 minutes ago"
    assert sv.ago("2026-10-01T11:55:00Z", now) == "1 oktober 2026"
    assert sv.ago(None) == ""


def _msgids(lines: list[str]) -> list[str]:
    """Every msgid as written, its continuation lines joined (read_po merges duplicates)."""
    ids: list[str] = []
    current: str | None = None
    for line in [*lines, ""]:
        if current is not None and line.startswith('"'):
            current += line
            continue
        if current is not None:
            ids.append(current)
            current = None
        if line.startswith("msgid "):
            current = line
    return [i for i in ids if i != 'msgid ""']


def test_catalogues__no_message_twice() -> None:
    for locale in i18n.LOCALES:
        lines = (i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").read_text().splitlines()
        ids = _msgids(lines)
        assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
