"""Request parameters read once per request: query, JSON, urlencoded and multipart, Rails keys."""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from fediverse.errors import BadRequestError, ValidationError

_TRUE = {"true", "1", "on", "yes", "t"}
_FALSE = {"false", "0", "off", "no", "f"}
_KEY_PART = re.compile(r"\[([^\]]*)\]")
MAX_KEYS = 1_000


def split_key(key: str) -> list[str]:
    """``poll[options][]`` -> ``["poll", "options", ""]``; ``""`` means "append to a list"."""
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    return [head, *_KEY_PART.findall("[" + rest)]


def _nest(target: dict[str, Any], parts: list[str], value: Any) -> None:
    node: Any = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following = "" if last else parts[index + 1]
        if isinstance(node, list):
            if last:
                node.append(value)
                return
            node.append({} if following else [])
            node = node[-1]
            continue
        if last:
            node[part] = value
            return
        child = node.get(part)
        wanted: type = list if following == "" else dict
        if not isinstance(child, wanted):
            child = wanted()
            node[part] = child
        node = child


def nest_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build nested parameters from flat Rails-style pairs."""
    if len(pairs) > MAX_KEYS:
        raise BadRequestError("Too many parameters")
    result: dict[str, Any] = {}
    for key, value in pairs:
        _nest(result, split_key(key), value)
    return result


async def _body_pairs(
    request: Request, opened: list[FormData]
) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """The body as flat pairs (forms) or as a JSON object."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "application/json":
        body = await request.body()
        if not body.strip():
            return [], {}
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadRequestError("The request body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise BadRequestError("The JSON body must be an object")
        return [], data
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_files=10, max_fields=MAX_KEYS)
        opened.append(form)
        return list(form.multi_items()), {}
    return [], {}


async def read_params(request: Request) -> Params:
    """Everything the client sent, merged: body values win over the query string."""
    pairs: list[tuple[str, Any]] = list(request.query_params.multi_items())
    opened: list[FormData] = []
    body_pairs, json_body = await _body_pairs(request, opened)
    merged = nest_pairs(pairs + body_pairs)
    merged.update(json_body)
    merged.update(request.path_params)
    return Params(merged, opened)


class Params:
    """Typed access to request parameters; every getter raises a 4xx on a wrong value."""

    def __init__(self, data: dict[str, Any], forms: list[FormData] | None = None) -> None:
        self.data = data
        self._forms = forms or []

    async def close(self) -> None:
        """Close uploaded files; the wrapper calls this when the request is done."""
        for form in self._forms:
            await form.close()

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def sub(self, name: str) -> Params:
        value = self.data.get(name)
        if value is None or value == "":
            return Params({})
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return Params({str(i): v for i, v in enumerate(value)})
        if not isinstance(value, dict):
            raise ValidationError(f"{name} must be an object")
        return Params(value)

    def required_str(self, name: str, *, max_length: int | None = None) -> str:
        value = self.text(name, max_length=max_length)
        if not value:
            raise BadRequestError(f"param is missing or the value is empty: {name}")
        return str(value)

    def text(self, name: str, default: str | None = None, *, max_length: int | None = None) -> Any:
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, bool | int | float):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if not isinstance(value, str):
            raise ValidationError(f"{name} must be a string")
        if max_length is not None and len(value) > max_length:
            raise ValidationError(f"{name} is too long (at most {max_length} characters)")
        return value

    def integer(self, name: str, default: int | None = None) -> Any:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise ValidationError(f"{name} must be a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
            return int(value)
        raise ValidationError(f"{name} must be a whole number")

    def id(self, name: str) -> int | None:
        """A snowflake id as clients send it (a string of digits); None when absent."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.isdigit() and len(value) <= 19:
            return int(value)
        raise ValidationError(f"{name} must be an id (a string of digits)")

    def required_id(self, name: str) -> int:
        value = self.id(name)
        if value is None:
            raise BadRequestError(f"param is missing or the value is empty: {name}")
        return value

    def flag(self, name: str, default: bool | None = None) -> Any:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.lower() in _TRUE:
            return True
        if isinstance(value, str) and value.lower() in _FALSE:
            return False
        raise ValidationError(f"{name} must be true or false")

    def items(self, name: str) -> list[Any]:
        """A list parameter, sent as ``name[]=a&name[]=b``, JSON list, or a single value."""
        value = self.data.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, dict):
            return [value[k] for k in sorted(value, key=lambda k: (len(k), k))]
        return value if isinstance(value, list) else [value]

    def str_list(self, name: str, *, max_items: int = 100) -> list[str]:
        items = self.items(name)
        if len(items) > max_items:
            raise ValidationError(f"{name} has too many items (at most {max_items})")
        if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in items):
            raise ValidationError(f"{name} must be a list of strings")
        return [str(item) for item in items]

    def id_list(self, name: str, *, max_items: int = 100) -> list[int]:
        items = self.str_list(name, max_items=max_items)
        if not all(item.isdigit() and len(item) <= 19 for item in items):
            raise ValidationError(f"{name} must be a list of ids")
        return [int(item) for item in items]

    def file(self, name: str) -> UploadFile | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, UploadFile):
            raise ValidationError(f"{name} must be a file upload")
        return value
