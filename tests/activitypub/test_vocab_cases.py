"""Every case the funfedi and fediverse-pasture test packages carry parses or fails cleanly."""

from __future__ import annotations

from typing import Any

import funfedi_parsing_test_cases as funfedi
import pytest
from fediverse_pasture_inputs import available as pasture_inputs
from funfedi_parsing_test_cases.testing import default_env

from activitypub.errors import ParseError
from activitypub.html import sanitize_html
from activitypub.vocab import PUBLIC, Activity, Create, parse_document

SUITES = [funfedi.activity_suite, funfedi.event_suite, funfedi.notes_suite, funfedi.poll_suite]
FUNFEDI_CASES = [
    pytest.param(suite, name, case, id=f"{suite.name}-{name}-{case}")
    for suite in SUITES
    for name, case in suite.names
]
PASTURE_CASES = [
    pytest.param(name, index, example, id=f"{name}-{index}")
    for name, data in sorted(pasture_inputs.items())
    for index, example in enumerate(data.examples)
]
PASTURE_ACTOR = "http://pasture-one-actor/actor"


@pytest.mark.parametrize(("suite", "name", "case"), FUNFEDI_CASES)
def test_parse_document__handles_funfedi_case(suite: Any, name: str, case: str) -> None:
    test_case = suite.retrieve(name, case)
    activity = test_case.maker.to_send(default_env).activity
    try:
        document = parse_document(activity)
    except ParseError:
        assert test_case.status != "recommended", "a recommended case must parse"
        return
    assert isinstance(document, Activity)


def _pasture_create(example: dict[str, Any]) -> dict[str, Any]:
    """Merge an example into a Note the way the pasture's ExampleTransformer does."""
    note = {
        "type": "Note",
        "attributedTo": PASTURE_ACTOR,
        "to": [PUBLIC],
        "id": "http://pasture-one-actor/objects/1",
        "published": "2024-01-01T10:00:00Z",
        "content": "moo",
        **example,
    }
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Create",
        "actor": PASTURE_ACTOR,
        "id": "http://pasture-one-actor/activities/1",
        "to": [PUBLIC],
        "object": note,
    }


@pytest.mark.parametrize(("name", "index", "example"), PASTURE_CASES)
def test_parse_document__handles_pasture_input(
    name: str, index: int, example: dict[str, Any]
) -> None:
    try:
        document = parse_document(_pasture_create(example))
    except ParseError:
        return
    assert isinstance(document, Create)
    content = example.get("content")
    if isinstance(content, str):
        assert "<script" not in sanitize_html(content)


def test_parse_document__accepts_every_public_addressing_spelling() -> None:
    examples = pasture_inputs["public_addressing"].examples
    for example in examples:
        document = parse_document(_pasture_create(example))
        assert isinstance(document, Create)
        assert document.object.to == (PUBLIC,)  # type: ignore[union-attr]


def test_parse_document__reads_attributed_to_as_value_list_or_object() -> None:
    for example in pasture_inputs["attributed_to"].examples:
        document = parse_document(_pasture_create(example))
        assert isinstance(document, Create)
        assert document.object.author == PASTURE_ACTOR  # type: ignore[union-attr]
