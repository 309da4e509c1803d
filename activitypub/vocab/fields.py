"""Tolerant readers for the fields of untrusted ActivityStreams JSON."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeAlias, TypeGuard

from activitypub.errors import InvalidIdError, ParseError

RawObject: TypeAlias = dict[str, Any]
"""Untrusted JSON as it came off the wire, before it is parsed into a frozen dataclass."""

AS_NS = "https://www.w3.org/ns/activitystreams#"
PUBLIC = AS_NS + "Public"
# JSON-LD compaction lets servers write the public collection three ways; all mean the same.
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})

# Shared by every object without a language map, so it must not be mutable.
_NO_LANGUAGES: Mapping[str, str] = MappingProxyType({})
_DEFAULT_PORTS = {"https": ":443", "http": ":80"}
# Scheme and authority of an absolute http(s) URL. The authority may not hold whitespace,
# userinfo (``@``) or quoting characters, and must end the string or be followed by / ? #.
_ORIGIN = re.compile(r"(https?)://([^/?#\s\\@<>\"'`{}|^:][^/?#\s\\@<>\"'`{}|^]*)(?=[/?#]|\Z)")
# Peers are few and their origins repeat in every document, so each scheme://authority
# prefix that matched is remembered with its origin; bounded against hostile input.
_KNOWN_ORIGINS: dict[str, str] = {}
_KNOWN_ORIGINS_SIZE = 1024


def as_list(value: object) -> list[Any]:
    """Return ``value`` as a list: ``None`` is empty, a list stays, anything else is wrapped."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def origin_of(url: str) -> str | None:
    """Return ``scheme://host[:port]`` (host lowercased, default port dropped) or None."""
    # The text before the first "/" past the scheme is the remembered prefix, if any.
    end = url.find("/", 8)
    prefix = url if end < 0 else url[:end]
    origin = _KNOWN_ORIGINS.get(prefix)
    if origin is None:
        origin = _match_origin(url, prefix)
    return origin


def _match_origin(url: str, prefix: str) -> str | None:
    match = _ORIGIN.match(url)
    if match is None:
        return None
    scheme, authority = match.groups()
    origin = f"{scheme}://{authority.lower().removesuffix(_DEFAULT_PORTS[scheme])}"
    # Only a prefix that is exactly scheme and authority stands for every URL it starts.
    if match.end() == len(prefix):
        if len(_KNOWN_ORIGINS) >= _KNOWN_ORIGINS_SIZE:
            _KNOWN_ORIGINS.clear()
        _KNOWN_ORIGINS[prefix] = origin
    return origin


def check_url(value: object, field: str) -> str:
    """Return ``value`` if it is an absolute http(s) URL, else raise InvalidIdError."""
    if isinstance(value, str) and origin_of(value) is not None:
        return value
    raise InvalidIdError(f"{field} is not an absolute http(s) URL")


def is_url(value: object) -> TypeGuard[str]:
    """True when ``value`` is an absolute http(s) URL."""
    if not isinstance(value, str):
        return False
    # origin_of's lookup, inlined: this runs for every URL of every document.
    end = value.find("/", 8)
    if (value if end < 0 else value[:end]) in _KNOWN_ORIGINS:
        return True
    return origin_of(value) is not None


def url_and_origin(value: object, field: str) -> tuple[str, str]:
    """``value`` and its origin, in one match; it must be an absolute http(s) URL."""
    if isinstance(value, str):
        origin = origin_of(value)
        if origin is not None:
            return value, origin
    raise InvalidIdError(f"{field} is not an absolute http(s) URL")


def read_id_and_origin(raw: RawObject, key: str) -> tuple[str, str]:
    """Like ``read_id``, also returning the id's origin for the checks that follow."""
    value = raw.get(key)
    if value is None:
        raise ParseError(f"{key} is missing")
    return url_and_origin(value if isinstance(value, str) else id_of(value), key)


def require_origin(origin: str | None, owner_origin: str, field: str) -> None:
    """Raise InvalidIdError unless ``origin`` is the origin of the owning actor."""
    if origin != owner_origin:
        raise InvalidIdError(f"{field} is not on the origin of its actor")


def same_origin(first: str, second: str) -> bool:
    """True when two URLs share scheme, host and port."""
    return origin_of(first) == origin_of(second)


def require_same_origin(url: str, owner: str, field: str) -> None:
    """Raise InvalidIdError unless ``url`` lives on the origin of ``owner``."""
    if origin_of(url) != origin_of(owner):
        raise InvalidIdError(f"{field} is not on the origin of its actor")


def id_of(value: object) -> object:
    """The id of a value that is either an id or an embedded object (or a one-item list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return value.get("id")
    return value


def read_id(raw: RawObject, key: str) -> str:
    """Read a required id (a string or an embedded object with an id)."""
    if raw.get(key) is None:
        raise ParseError(f"{key} is missing")
    return check_url(id_of(raw[key]), key)


def read_optional_id(raw: RawObject, key: str) -> str | None:
    """Read an optional id; a missing value or one that is not a URL gives None."""
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        value = id_of(value)
        if not isinstance(value, str):
            return None
    return value if is_url(value) else None


def read_ids(raw: RawObject, key: str) -> tuple[str, ...]:
    """Read a value-or-list of ids or embedded objects, keeping only valid URLs."""
    value = raw.get(key)
    if isinstance(value, str):
        return (value,) if is_url(value) else ()
    ids = []
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("id")
        if is_url(item):
            ids.append(item)
    return tuple(ids)


def read_audience(raw: RawObject, key: str) -> tuple[str, ...]:
    """Read an addressing field, writing every public alias as the full Public IRI."""
    value = raw.get(key)
    if value is None:
        return ()
    audience = []
    for item in value if isinstance(value, list) else (value,):
        if isinstance(item, dict):
            item = item.get("id")
        if not isinstance(item, str):
            continue
        if item in PUBLIC_ALIASES:
            audience.append(PUBLIC)
        elif is_url(item):
            audience.append(item)
    return tuple(audience)


def read_str(raw: RawObject, key: str) -> str | None:
    """Read an optional string; null is None, any other non-string is an error."""
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ParseError(f"{key} must be a string")


def read_required_str(raw: RawObject, key: str) -> str:
    """Read a string that must be present."""
    value = read_str(raw, key)
    if value is None:
        raise ParseError(f"{key} is missing")
    return value


def read_bool(raw: RawObject, key: str, default: bool = False) -> bool:
    """Read an optional boolean; null or a non-boolean gives the default."""
    value = raw.get(key)
    return value if isinstance(value, bool) else default


def read_int(raw: RawObject, key: str) -> int | None:
    """Read an optional non-negative integer; anything else gives None."""
    value = raw.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def read_datetime(raw: RawObject, key: str) -> datetime | None:
    """Read an optional ISO 8601 timestamp; one we cannot read gives None, as Mastodon does."""
    value = raw.get(key)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read_language_map(raw: RawObject, key: str) -> Mapping[str, str]:
    """Read a ``contentMap``-style field, keeping only string keys with string values."""
    value = raw.get(key)
    if not isinstance(value, dict):
        return _NO_LANGUAGES
    return {lang: text for lang, text in value.items() if isinstance(text, str)}


def first_text(text: str | None, language_map: Mapping[str, str]) -> str | None:
    """The plain field if it has text, else the first entry of its language map."""
    if text:
        return text
    for value in language_map.values():
        return value
    return text


# Types that need no prefix stripping: a set lookup spares the string work on the hot path.
_PLAIN_TYPES = frozenset(
    {"Note", "Create", "Announce", "Update", "Delete", "Like", "Follow", "Accept", "Undo"}
    | {"Person", "Group", "Service", "Image", "Document", "Video", "Mention", "Hashtag", "Emoji"}
)


def kind_of(raw: RawObject) -> str | None:
    """The object's type without any ``as:`` prefix (a list gives its first string), or None."""
    value = raw.get("type")
    if isinstance(value, str) and value in _PLAIN_TYPES:
        return value
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("as:"):
        return value[3:]
    if value.startswith(AS_NS):
        return value[len(AS_NS) :]
    return value


def type_of(raw: RawObject) -> str:
    """Like ``kind_of`` for a type that must be present."""
    kind = kind_of(raw)
    if kind is None:
        raise ParseError("type is missing")
    return kind


def require_object(value: object, field: str) -> RawObject:
    """Return ``value`` if it is a JSON object, else raise ParseError."""
    if isinstance(value, dict):
        return value
    raise ParseError(f"{field} must be a JSON object")
