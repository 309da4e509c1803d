"""Parsing activities: the object as id or embedded, and the origin rules that matter."""

from __future__ import annotations

import orjson
import pytest

from activitypub.errors import InvalidIdError, ParseError
from activitypub.vocab import (
    Actor,
    Create,
    Flag,
    Follow,
    GenericObject,
    Move,
    Note,
    Undo,
    parse_activity,
    parse_activity_json,
    parse_actor_document,
    parse_document,
    parse_json,
    parse_post_document,
)
from activitypub.vocab.activities import MAX_DEPTH
from tests.activitypub.conftest import load_fixture, make_activity, make_note

ANNA = "https://kommun-b.test/users/anna"


def test_parse_activity__reads_an_embedded_note() -> None:
    create = parse_activity(make_activity(published="2024-05-01T10:00:00Z"))
    assert isinstance(create, Create)
    assert isinstance(create.object, Note)
    assert create.published is not None


def test_parse_activity__reads_an_object_given_by_id_or_as_a_list() -> None:
    follow = parse_activity(make_activity("Follow", "https://kommun-a.test/users/bo"))
    listed = parse_activity(make_activity("Like", ["https://kommun-a.test/notes/1", "x"]))
    assert isinstance(follow, Follow)
    assert follow.object_id == "https://kommun-a.test/users/bo"
    assert listed.object_id == "https://kommun-a.test/notes/1"


@pytest.mark.parametrize("actor", [{"id": ANNA, "type": "Person"}, [ANNA], [{"id": ANNA}]])
def test_parse_activity__reads_an_embedded_or_listed_actor(actor: object) -> None:
    assert parse_activity(make_activity(actor=actor)).actor == ANNA


def test_parse_activity__refuses_an_activity_id_on_a_foreign_origin() -> None:
    with pytest.raises(InvalidIdError):
        parse_activity(make_activity(id="https://evil.test/activities/1"))


def test_parse_activity__refuses_a_create_of_a_foreign_object() -> None:
    foreign = make_note(
        id="https://evil.test/notes/1", attributedTo="https://evil.test/users/mallory"
    )
    with pytest.raises(InvalidIdError, match="object id"):
        parse_activity(make_activity("Create", foreign))


def test_parse_activity__lets_a_group_announce_a_foreign_activity() -> None:
    inner = make_activity()
    announce = make_activity(
        "Announce", inner, id="https://groups.test/a/1", actor="https://groups.test/g/1"
    )
    assert isinstance(parse_activity(announce).object, Create)


def test_parse_activity__refuses_an_undo_of_someone_elses_activity() -> None:
    follow = make_activity(
        "Follow",
        ANNA,
        id="https://kommun-b.test/follows/2",
        actor="https://kommun-b.test/users/bo",
    )
    with pytest.raises(InvalidIdError, match="Undo"):
        parse_activity(make_activity("Undo", follow))


def test_parse_activity__reads_an_undo_of_the_actors_own_follow() -> None:
    follow = make_activity("Follow", "https://kommun-a.test/users/bo")
    assert isinstance(parse_activity(make_activity("Undo", follow)), Undo)


def test_parse_activity__requires_an_object() -> None:
    with pytest.raises(ParseError, match="object is missing"):
        parse_activity(make_activity("Like", None, object=None))
    with pytest.raises(ParseError, match="object is empty"):
        parse_activity(make_activity("Like", []))
    with pytest.raises(ParseError, match="JSON object"):
        parse_activity(make_activity("Like", 5))


def test_parse_activity__requires_a_target_for_move() -> None:
    with pytest.raises(ParseError, match="target"):
        parse_activity(make_activity("Move", ANNA))
    move = parse_activity(make_activity("Move", ANNA, target="https://kommun-a.test/users/anna"))
    assert isinstance(move, Move)
    assert move.target == "https://kommun-a.test/users/anna"


def test_parse_activity__reads_every_object_of_a_flag() -> None:
    flag = parse_activity(
        make_activity("Flag", [ANNA, {"id": "https://kommun-b.test/n/1"}, 3], content="spam")
    )
    assert isinstance(flag, Flag)
    assert flag.objects == (ANNA, "https://kommun-b.test/n/1")
    assert flag.content == "spam"


def test_parse_activity__refuses_types_that_are_not_activities() -> None:
    with pytest.raises(ParseError, match="not an activity"):
        parse_activity(make_note())


def test_parse_document__refuses_objects_nested_too_deeply() -> None:
    document: dict[str, object] = make_note()
    for _ in range(MAX_DEPTH + 1):
        document = make_activity("Announce", document)
    with pytest.raises(ParseError, match="nested"):
        parse_document(document)


def test_parse_document__keeps_an_embedded_unknown_object() -> None:
    event = {"type": "Event", "id": "https://kommun-b.test/events/1", "name": "Fika"}
    create = parse_document(make_activity("Create", event))
    assert isinstance(create, Create)
    assert create.object == GenericObject("Event", "https://kommun-b.test/events/1")
    assert parse_document({"type": "Event", "id": 3}) == GenericObject("Event", None)


def test_parse_json__reads_bytes() -> None:
    create = parse_json(orjson.dumps(make_activity()))
    assert isinstance(create, Create)


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"3", "null"])
def test_parse_json__refuses_what_is_not_a_json_object(body: bytes | str) -> None:
    with pytest.raises(ParseError):
        parse_json(body)


def test_parse_activity_json__refuses_a_document_that_is_not_an_activity() -> None:
    assert isinstance(parse_activity_json(orjson.dumps(make_activity())), Create)
    with pytest.raises(ParseError, match="not an activity"):
        parse_activity_json(orjson.dumps(make_note()))


def test_parse_actor_document__refuses_other_types() -> None:
    assert isinstance(parse_actor_document(load_fixture("mastodon/actor.json")), Actor)
    with pytest.raises(ParseError, match="not an actor"):
        parse_actor_document(make_note())


def test_parse_post_document__refuses_other_types() -> None:
    assert isinstance(parse_post_document(make_note()), Note)
    with pytest.raises(ParseError, match="not a post"):
        parse_post_document(load_fixture("mastodon/actor.json"))


def test_parse_actor__skips_keys_it_cannot_trust() -> None:
    raw = load_fixture("mastodon/actor.json")
    actor_id = raw["id"]
    raw["publicKey"] = [
        "junk",
        {"id": "https://evil.test/key", "owner": actor_id, "publicKeyPem": "PEM"},
        {"id": actor_id + "#k2", "owner": "https://x.test/u", "publicKeyPem": "PEM"},
        {"id": actor_id + "#k3", "publicKeyPem": "PEM"},
    ]
    raw["assertionMethod"] = [
        "junk",
        {"type": "Other"},
        {
            "id": actor_id + "#ed",
            "type": "Multikey",
            "controller": actor_id,
            "publicKeyMultibase": "z6M",
        },
    ]
    raw["url"] = [{"href": "https://x.test/@a"}]
    actor = parse_actor_document(raw)
    assert [key.id for key in actor.public_keys] == [actor_id + "#k3"]
    assert [key.id for key in actor.assertion_methods] == [actor_id + "#ed"]
    assert actor.url == "https://x.test/@a"


def test_parse_actor__requires_an_inbox() -> None:
    raw = load_fixture("mastodon/actor.json")
    del raw["inbox"]
    with pytest.raises(ParseError, match="inbox"):
        parse_actor_document(raw)


def test_parse_actor__has_no_url_or_shared_inbox_when_missing() -> None:
    raw = load_fixture("mastodon/actor.json")
    raw.pop("url", None)
    raw.pop("endpoints", None)
    actor = parse_actor_document(raw)
    assert actor.url is None
    assert actor.shared_inbox is None
