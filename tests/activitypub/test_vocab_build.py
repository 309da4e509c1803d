"""Our outgoing documents: Mastodon's shape and context, and they parse back with our parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pyld import jsonld

from activitypub.contexts import ACTIVITYSTREAMS, SECURITY_V1, load_context
from activitypub.vocab import (
    PUBLIC,
    Accept,
    Actor,
    Add,
    Announce,
    Block,
    Create,
    Delete,
    Emoji,
    Flag,
    Follow,
    Hashtag,
    Like,
    Mention,
    Move,
    Question,
    Reject,
    Remove,
    Tombstone,
    Undo,
    Update,
    parse_actor_document,
    parse_document,
)
from activitypub.vocab import build as b
from activitypub.vocab.build_actor import ActorSpec, build_actor

BASE = "https://kommun-a.test"
ANNA = f"{BASE}/users/anna"
WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def _loader(url: str, options: object = None) -> dict[str, Any]:
    document = load_context(url)
    if document is None:
        raise AssertionError(f"tried to fetch {url}")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def _expand(document: dict[str, Any]) -> dict[str, Any]:
    expanded: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": _loader})
    return expanded[0]


def make_spec(**overrides: Any) -> ActorSpec:
    values: dict[str, Any] = {
        "actor_id": ANNA,
        "username": "anna",
        "inbox": f"{ANNA}/inbox",
        "outbox": f"{ANNA}/outbox",
        "followers": f"{ANNA}/followers",
        "following": f"{ANNA}/following",
        "public_key_pem": "-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----\n",
    }
    values.update(overrides)
    return ActorSpec(**values)


def make_built_note(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "note_id": f"{ANNA}/statuses/1",
        "attributed_to": ANNA,
        "content_html": "<p>Hej</p>",
        "published": WHEN,
        "to": [PUBLIC],
        "cc": [f"{ANNA}/followers"],
    }
    values.update(overrides)
    return b.build_note(**values)


def test_build_actor__writes_keys_endpoints_fields_and_images() -> None:
    spec = make_spec(
        actor_type="Group",
        name="Förskolan",
        shared_inbox=f"{BASE}/inbox",
        featured=f"{ANNA}/collections/featured",
        featured_tags=f"{ANNA}/collections/tags",
        multikeys=[(f"{ANNA}#ed25519-key", "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")],
        fields=[("Roll", "Förskollärare")],
        icon=(f"{BASE}/avatar.png", "image/png"),
        image=(f"{BASE}/header.png", "image/png"),
        published=WHEN,
        also_known_as=["https://kommun-b.test/users/anna"],
        moved_to="https://kommun-b.test/users/anna",
        tags=[b.build_hashtag(f"{BASE}/tags/skola", "skola")],
    )
    document = build_actor(spec)
    assert document["@context"][:2] == [ACTIVITYSTREAMS, SECURITY_V1]
    actor = parse_document(document)
    assert isinstance(actor, Actor) and actor.is_group
    assert actor.public_key is not None and actor.public_key.id == f"{ANNA}#main-key"
    assert actor.assertion_methods[0].controller == ANNA
    assert actor.shared_inbox == f"{BASE}/inbox"
    assert actor.fields[0].value == "Förskollärare"
    assert actor.icon is not None and actor.image is not None
    assert actor.published == WHEN
    assert actor.moved_to == "https://kommun-b.test/users/anna"
    assert actor.tags == (Hashtag("#skola", f"{BASE}/tags/skola"),)
    expanded = _expand(document)
    assert "https://w3id.org/security#assertionMethod" in expanded
    assert "http://joinmastodon.org/ns#featured" in expanded


def test_build_actor__leaves_out_optional_parts() -> None:
    document = build_actor(make_spec())
    for key in (
        "assertionMethod",
        "endpoints",
        "featured",
        "icon",
        "movedTo",
        "published",
        "suspended",
    ):
        assert key not in document
    assert document["url"] == ANNA


def test_build_actor__says_suspended_in_mastodon_terms_and_parses_back() -> None:
    document = build_actor(make_spec(suspended=True))
    assert document["suspended"] is True
    assert "http://joinmastodon.org/ns#suspended" in _expand(document)
    assert parse_actor_document(document).suspended is True


def test_build_note__round_trips_through_the_parser() -> None:
    mention = b.build_mention("https://kommun-b.test/users/bo", "@bo@kommun-b.test")
    emoji = b.build_emoji(f"{BASE}/emojis/1", ":fika:", f"{BASE}/fika.png", "image/png")
    attachment = b.build_attachment(
        url=f"{BASE}/media/1.jpg",
        media_type="image/jpeg",
        name="Alt",
        blurhash="LEHV",
        focal_point=(0.1, -0.2),
        width=10,
        height=20,
    )
    document = make_built_note(
        tags=[mention, b.build_hashtag(f"{BASE}/tags/fika", "#fika"), emoji],
        attachments=[attachment],
        summary="CW",
        sensitive=True,
        language="sv",
        in_reply_to="https://kommun-b.test/users/bo/statuses/2",
        conversation="tag:kommun-a.test,2024:objectId=1",
        updated=WHEN + timedelta(minutes=5),
        replies=f"{ANNA}/statuses/1/replies",
        quote="https://kommun-b.test/users/bo/statuses/3",
    )
    note = parse_document(document)
    assert note.tags == (  # type: ignore[union-attr]
        Mention("https://kommun-b.test/users/bo", "@bo@kommun-b.test"),
        Hashtag("#fika", f"{BASE}/tags/fika"),
        Emoji(":fika:", f"{BASE}/fika.png", f"{BASE}/emojis/1", "image/png"),
    )
    assert note.attachments[0].focal_point == (0.1, -0.2)  # type: ignore[union-attr]
    assert note.language == "sv"  # type: ignore[union-attr]
    assert note.quote == "https://kommun-b.test/users/bo/statuses/3"  # type: ignore[union-attr]
    assert document["published"] == "2024-05-01T10:00:00Z"
    assert "https://www.w3.org/ns/activitystreams#sensitive" in _expand(document)


def test_build_question__turns_a_note_into_a_poll() -> None:
    note = make_built_note()
    poll = b.build_question(
        note=note,
        options=[("Ja", 2), ("Nej", 1)],
        multiple=True,
        end_time=WHEN,
        closed=WHEN,
        voters_count=3,
    )
    question = parse_document(poll)
    assert isinstance(question, Question)
    assert question.multiple and question.voters_count == 3
    assert [option.votes for option in question.options] == [2, 1]
    single = b.build_question(note=note, options=[("Ja", 0)], multiple=False, end_time=WHEN)
    assert "oneOf" in single and "closed" not in single


def test_format_datetime__writes_utc_with_z() -> None:
    local = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert b.format_datetime(local) == "2024-05-01T10:00:00Z"
    assert b.format_datetime(datetime(2024, 5, 1, 10, 0)) == "2024-05-01T10:00:00Z"


def test_build_create__copies_addressing_and_strips_the_embedded_context() -> None:
    note = make_built_note()
    create = b.build_create(f"{ANNA}/statuses/1/activity", ANNA, note)
    assert "@context" not in create["object"]
    assert create["to"] == note["to"] and create["cc"] == note["cc"]
    assert create["published"] == note["published"]
    assert isinstance(parse_document(create), Create)


@pytest.mark.parametrize("published", [None, "garbage"])
def test_build_create__tolerates_a_post_without_a_readable_time(published: object) -> None:
    note = {**make_built_note(), "published": published}
    assert "published" not in b.build_create(f"{ANNA}/a/1", ANNA, note)


def test_build_update__addresses_an_actor_update_to_public() -> None:
    actor_update = b.build_update(f"{ANNA}#updates/1", ANNA, build_actor(make_spec()), WHEN)
    assert actor_update["to"] == [PUBLIC]
    assert isinstance(parse_document(actor_update), Update)


def test_build_delete__sends_a_tombstone_or_the_actor() -> None:
    delete = b.build_delete(f"{ANNA}#delete/1", ANNA, f"{ANNA}/statuses/1", [PUBLIC])
    parsed = parse_document(delete)
    assert isinstance(parsed, Delete) and isinstance(parsed.object, Tombstone)
    actor_delete = b.build_delete(f"{ANNA}#delete", ANNA, ANNA, [PUBLIC], [f"{ANNA}/followers"])
    assert actor_delete["object"] == ANNA


def test_builders__write_every_activity_mastodon_sends() -> None:
    bo = "https://kommun-b.test/users/bo"
    follow = b.build_follow(f"{ANNA}#follows/1", ANNA, bo)
    built = {
        Follow: follow,
        Accept: b.build_accept(f"{ANNA}#accepts/1", ANNA, {**follow, "actor": ANNA}),
        Reject: b.build_reject(f"{ANNA}#rejects/1", ANNA, f"{ANNA}#follows/1"),
        Undo: b.build_undo(f"{ANNA}#undo/1", ANNA, follow),
        Announce: b.build_announce(f"{ANNA}/s/2/activity", ANNA, f"{bo}/s/1", [PUBLIC], [], WHEN),
        Like: b.build_like(f"{ANNA}#likes/1", ANNA, f"{bo}/statuses/1"),
        Block: b.build_block(f"{ANNA}#blocks/1", ANNA, bo),
        Flag: b.build_flag(f"{BASE}/reports/1", f"{BASE}/actor", [bo, f"{bo}/s/1"], "Spam"),
        Move: b.build_move(f"{ANNA}#moves/1", ANNA, "https://kommun-b.test/users/anna"),
        Add: b.build_add(f"{ANNA}#add/1", ANNA, f"{ANNA}/s/1", f"{ANNA}/collections/featured"),
        Remove: b.build_remove(f"{ANNA}#rm/1", ANNA, f"{ANNA}/s/1", f"{ANNA}/featured"),
    }
    for cls, document in built.items():
        assert type(parse_document(document)) is cls
    assert built[Accept]["to"] == [ANNA]
    assert built[Flag]["object"] == [bo, f"{bo}/s/1"]
    assert built[Flag]["content"] == "Spam"
