"""Property tests: the parser raises nothing but ParseError, whatever JSON it is given."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activitypub.errors import ParseError
from activitypub.vocab import ACTIVITY_TYPES, ACTOR_TYPES, parse_document
from tests.activitypub.conftest import make_activity, make_note

KEYS = [
    "id",
    "type",
    "actor",
    "object",
    "target",
    "to",
    "cc",
    "audience",
    "attributedTo",
    "content",
    "contentMap",
    "summary",
    "name",
    "tag",
    "attachment",
    "url",
    "inReplyTo",
    "published",
    "oneOf",
    "anyOf",
    "closed",
    "endTime",
    "inbox",
    "publicKey",
    "icon",
    "endpoints",
    "href",
    "mediaType",
    "focalPoint",
    "quoteUrl",
    "conversation",
    "sensitive",
]
TYPES = sorted({*ACTIVITY_TYPES, *ACTOR_TYPES, "Note", "Question", "Tombstone", "Image"})
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["https://kommun-b.test/users/anna", "as:Public", *TYPES])
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=30,
)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse(raw: Any) -> None:
    with contextlib.suppress(ParseError):
        parse_document(raw)


@SETTINGS
@given(JSON)
def test_parse_document__raises_only_parse_error_on_arbitrary_json(raw: Any) -> None:
    _parse(raw)


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8), st.sampled_from(TYPES))
def test_parse_document__raises_only_parse_error_on_typed_objects(
    fields: dict[str, Any], kind: str
) -> None:
    _parse({**fields, "type": kind})


@SETTINGS
@given(st.sampled_from(KEYS), JSON, st.sampled_from(sorted(ACTIVITY_TYPES)))
def test_parse_document__raises_only_parse_error_when_one_field_of_a_valid_activity_changes(
    key: str, value: Any, kind: str
) -> None:
    activity = make_activity(kind)
    activity["object"] = make_note(**{key: value})
    _parse(activity)
    _parse({**make_activity(kind), key: value})
