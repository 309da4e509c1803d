"""Entry points that turn untrusted bytes or JSON into typed ActivityStreams objects."""

from __future__ import annotations

import orjson

from activitypub.errors import ParseError
from activitypub.vocab.activities import Activity, APObject, parse_document
from activitypub.vocab.actors import Actor
from activitypub.vocab.fields import require_object
from activitypub.vocab.objects import Note


def parse_json(data: bytes | str) -> APObject:
    """Parse a JSON document received from another server."""
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ParseError("the body is not valid JSON") from error
    return parse_document(require_object(raw, "document"))


def parse_activity_json(data: bytes | str) -> Activity:
    """Parse a body POSTed to an inbox, which must be an activity."""
    document = parse_json(data)
    if not isinstance(document, Activity):
        raise ParseError("the document is not an activity")
    return document


def parse_actor_document(raw: object) -> Actor:
    """Parse a fetched actor document; any other type is an error."""
    document = parse_document(raw)
    if not isinstance(document, Actor):
        raise ParseError("the document is not an actor")
    return document


def parse_post_document(raw: object) -> Note:
    """Parse a fetched post (Note, Article, Page or Question); any other type is an error."""
    document = parse_document(raw)
    if not isinstance(document, Note):
        raise ParseError("the document is not a post")
    return document
