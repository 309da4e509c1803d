"""Pieces both HTTP signature schemes share: header lookup, HTTP dates, time windows, keys."""

from __future__ import annotations

import binascii
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from typing import TypeAlias, TypeVar

from activitypub.errors import ExpiredSignatureError, MalformedSignatureError

# Mastodon's window (app/lib/signed_request.rb): a signature without `expires` lives five
# minutes after it was created, never more than twelve hours, and one hour of clock skew is
# forgiven on either side.
DEFAULT_LIFETIME = 5 * 60
EXPIRATION_WINDOW_LIMIT = 12 * 60 * 60
CLOCK_SKEW_MARGIN = 60 * 60

Clock: TypeAlias = float | datetime
K = TypeVar("K")
KeySource: TypeAlias = K | Callable[[str], K]

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A plain dict keyed by lowercase field name, whatever mapping the caller holds."""
    return {name.lower(): value for name, value in headers.items()}


def to_epoch(now: Clock) -> float:
    """Seconds since the epoch, from a float or an aware datetime."""
    if isinstance(now, datetime):
        return now.timestamp()
    return float(now)


def format_http_date(now: Clock) -> str:
    """An IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``) for a Date header."""
    return formatdate(to_epoch(now), usegmt=True)


# Busy inboxes see the same few Date values many times a second; remembering their parse is
# a memo of a pure function, bounded so it cannot grow with hostile input.
_DATE_CACHE: dict[str, float] = {}
_DATE_CACHE_SIZE = 256


# Each second has its own Date, but they share their hour: the start of each hour seen is
# remembered by its text (``Tue, 14 Nov 2023 22:``), and ``MM:SS`` is read from a table.
_HOUR_CACHE: dict[str, float] = {}
_MINUTES_SECONDS = {
    f"{minute:02}:{second:02}": minute * 60 + second for minute in range(60) for second in range(61)
}
_IMF_FIXDATE_LENGTH = len("Sun, 06 Nov 1994 08:49:37 GMT")


def parse_http_date(value: str) -> float:
    """Parse an HTTP date; IMF-fixdate takes a fast path, the obsolete forms the slow one."""
    cached = _DATE_CACHE.get(value)
    if cached is not None:
        return cached
    parsed = _within_known_hour(value)
    if parsed is None:
        parsed = _parse_http_date(value)
    if len(_DATE_CACHE) >= _DATE_CACHE_SIZE:
        _DATE_CACHE.clear()
    _DATE_CACHE[value] = parsed
    return parsed


def _within_known_hour(value: str) -> float | None:
    """The date, if it is a canonical IMF-fixdate in an hour already parsed; else None."""
    hour = _HOUR_CACHE.get(value[:20])
    if hour is None or len(value) != _IMF_FIXDATE_LENGTH or value[25:] != " GMT":
        return None
    offset = _MINUTES_SECONDS.get(value[20:25])
    return None if offset is None else hour + offset


def _remember_hour(value: str, parsed: float) -> None:
    # Called only with what the fixdate parser read, so the hour's text means that hour.
    offset = _MINUTES_SECONDS.get(value[20:25])
    if offset is None or len(value) != _IMF_FIXDATE_LENGTH or value[25:] != " GMT":
        return
    if len(_HOUR_CACHE) >= _DATE_CACHE_SIZE:
        _HOUR_CACHE.clear()
    _HOUR_CACHE[value[:20]] = parsed - offset


def _parse_http_date(value: str) -> float:
    parts = value.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[0].endswith(","):
        try:
            parsed = _imf_fixdate(parts)
        except (KeyError, ValueError):
            pass
        else:
            _remember_hour(value, parsed)
            return parsed
    return _obsolete_http_date(value)


def _imf_fixdate(parts: list[str]) -> float:
    # Plain integer arithmetic: building a datetime costs more than the rest of the parse.
    day, month, year = int(parts[1]), _MONTHS[parts[2]], int(parts[3])
    clock = parts[4].split(":")
    if len(clock) != 3:
        raise ValueError("not a time of day")
    hour, minute, second = int(clock[0]), int(clock[1]), int(clock[2])
    if day < 1 or (day > 28 and day > _days_in_month(year, month)):
        raise ValueError("day out of range")
    if hour > 23 or minute > 59 or second > 60 or min(hour, minute, second) < 0:
        raise ValueError("time out of range")
    return float(_days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _obsolete_http_date(value: str) -> float:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError) as exc:
        raise MalformedSignatureError("Date header is not an HTTP date") from exc
    if moment.tzinfo is None:
        # RFC 850 and asctime dates carry no zone; HTTP says they are GMT.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def check_time_window(created: float | None, expires: float | None, now: float) -> None:
    """Refuse a signature created too far in the future or expired, as Mastodon does."""
    if created is None:
        raise ExpiredSignatureError("signature has neither a Date nor a created time")
    if created > now + CLOCK_SKEW_MARGIN:
        raise ExpiredSignatureError("signature was created more than an hour in the future")
    if expires is None:
        expires = created + DEFAULT_LIFETIME
    expires = min(expires, created + EXPIRATION_WINDOW_LIMIT)
    if now > expires + CLOCK_SKEW_MARGIN:
        raise ExpiredSignatureError("signature has expired")


def b64decode(value: str, what: str) -> bytes:
    """Decode standard base64, saying which field was unreadable."""
    try:
        # binascii's strict mode is base64.b64decode(validate=True) without its regex pass;
        # it reads bytes faster than it reads text.
        return binascii.a2b_base64(value.encode(), strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedSignatureError(f"{what} is not valid base64") from exc


def b64encode(data: bytes) -> str:
    """Standard base64 as text (binascii directly: base64.b64encode adds a layer per call)."""
    return binascii.b2a_base64(data, newline=False).decode("ascii")
