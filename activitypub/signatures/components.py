"""RFC 9421 component values: the message as a signature base sees it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

import http_sf
from http_sf.innerlist import ser_item_or_inner_list

from activitypub.errors import MalformedSignatureError
from activitypub.signatures._common import lower_headers

Params = dict[str, object]
Component = tuple[str, Params]

# The application/x-www-form-urlencoded percent-encode set leaves only these bytes alone.
_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")
_FIELD_PARAMS = frozenset({"sf", "key", "bs"})
# Fields RFC 9421 and RFC 9530 use whose structured type http_sf may not know by name.
_STRUCTURED_TYPES = {
    "content-digest": "dictionary",
    "repr-digest": "dictionary",
    "want-content-digest": "dictionary",
    "want-repr-digest": "dictionary",
    "signature": "dictionary",
    "signature-input": "dictionary",
    "accept-signature": "dictionary",
}


@dataclass(frozen=True, slots=True)
class HttpMessage:
    """The parts of a request or response a signature can cover; header names are lowercase."""

    headers: Mapping[str, str] = field(default_factory=dict)
    method: str | None = None
    path: str | None = None
    authority: str | None = None
    scheme: str = "https"
    status: int | None = None

    @classmethod
    def request(
        cls, method: str, path: str, headers: Mapping[str, str], scheme: str = "https"
    ) -> HttpMessage:
        """A request; ``path`` includes the query and the authority comes from Host."""
        lowered = lower_headers(headers)
        authority = lowered.get("host")
        return cls(lowered, method, path, authority and authority.strip().lower(), scheme)

    @classmethod
    def response(cls, status: int, headers: Mapping[str, str]) -> HttpMessage:
        """A response with its status code."""
        return cls(lower_headers(headers), status=status)


def component_identifier(component: Component) -> str:
    """The quoted, parameterised name as it appears in a signature base."""
    return http_sf.ser(component)  # type: ignore[arg-type]


def component_value(component: Component, message: HttpMessage) -> str:
    """The canonical value of one covered component in ``message``."""
    name, params = component
    if name.startswith("@"):
        return _derived_value(name, params, message)
    return _field_value(name, params, message.headers)


def _field_value(name: str, params: Params, headers: Mapping[str, str]) -> str:
    unknown = set(params) - _FIELD_PARAMS
    if unknown:
        raise MalformedSignatureError(f"component {name} has unsupported parameters")
    value = headers.get(name)
    if value is None:
        raise MalformedSignatureError(f"covered field {name} is not in the message")
    value = value.strip()
    if "bs" in params:
        return _byte_sequence_value(name, params, value)
    if "key" in params:
        return _dictionary_member_value(name, params["key"], value)
    if "sf" in params:
        return http_sf.ser(_parse_structured(name, value))
    return value


def _byte_sequence_value(name: str, params: Params, value: str) -> str:
    if "sf" in params or "key" in params:
        raise MalformedSignatureError(f"component {name} mixes bs with sf or key")
    return http_sf.ser([(value.encode("utf-8"), {})])


def _dictionary_member_value(name: str, key: object, value: str) -> str:
    parsed = _parse_structured(name, value, "dictionary")
    if not isinstance(parsed, dict) or not isinstance(key, str) or key not in parsed:
        raise MalformedSignatureError(f"dictionary member {key!r} of {name} is missing")
    return ser_item_or_inner_list(parsed[key])


def _parse_structured(name: str, value: str, tltype: str | None = None) -> http_sf.StructuredType:
    try:
        return http_sf.parse(
            value.encode("utf-8"), name=name, tltype=tltype or _STRUCTURED_TYPES.get(name)
        )
    except (http_sf.StructuredFieldError, KeyError) as exc:
        raise MalformedSignatureError(f"field {name} is not a known structured field") from exc


def _derived_value(name: str, params: Params, message: HttpMessage) -> str:
    if name == "@status":
        return _status_value(message)
    if name == "@query-param":
        return _query_param_value(params, _require_path(message))
    if params:
        raise MalformedSignatureError(f"component {name} takes no parameters")
    derive = _REQUEST_DERIVED.get(name)
    if derive is None:
        raise MalformedSignatureError(f"unknown derived component {name}")
    return derive(message)


def _status_value(message: HttpMessage) -> str:
    if message.status is None:
        raise MalformedSignatureError("@status is only defined for responses")
    return str(message.status)


def _require_path(message: HttpMessage) -> str:
    if message.path is None:
        raise MalformedSignatureError("request components are not defined for responses")
    return message.path


def _method(message: HttpMessage) -> str:
    _require_path(message)
    return message.method or ""


def _authority(message: HttpMessage) -> str:
    _require_path(message)
    if not message.authority:
        raise MalformedSignatureError("@authority needs a Host header")
    return message.authority


def _target_uri(message: HttpMessage) -> str:
    return f"{_scheme(message)}://{_authority(message)}{_require_path(message)}"


def _scheme(message: HttpMessage) -> str:
    _require_path(message)
    return message.scheme.lower()


def _path(message: HttpMessage) -> str:
    return _require_path(message).partition("?")[0] or "/"


def _query(message: HttpMessage) -> str:
    return "?" + _require_path(message).partition("?")[2]


_REQUEST_DERIVED = {
    "@method": _method,
    "@target-uri": _target_uri,
    "@authority": _authority,
    "@scheme": _scheme,
    "@request-target": _require_path,
    "@path": _path,
    "@query": _query,
}


def _query_param_value(params: Params, path: str) -> str:
    wanted = params.get("name")
    if set(params) != {"name"} or not isinstance(wanted, str):
        raise MalformedSignatureError("@query-param needs exactly a name parameter")
    values = [value for name, value in _query_pairs(path) if name == wanted]
    if len(values) != 1:
        # RFC 9421 section 2.2.8: a missing or repeated parameter cannot be covered.
        raise MalformedSignatureError(f"query parameter {wanted} is missing or repeated")
    return values[0]


def _query_pairs(path: str) -> list[tuple[str, str]]:
    query = path.partition("?")[2]
    pairs = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((_form_reencode(name), _form_reencode(value)))
    return pairs


def _form_reencode(raw: str) -> str:
    """Decode as application/x-www-form-urlencoded, then percent-encode the result again."""
    decoded = unquote_to_bytes(raw.replace("+", " "))
    return "".join(chr(byte) if byte in _FORM_SAFE else f"%{byte:02X}" for byte in decoded)
