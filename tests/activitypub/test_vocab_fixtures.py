"""Recorded documents from real servers parse into the expected typed objects."""

from __future__ import annotations

import pytest

from activitypub.errors import InvalidIdError, ParseError
from activitypub.vocab import (
    PUBLIC,
    Actor,
    Announce,
    Article,
    Attachment,
    Create,
    Delete,
    Emoji,
    Flag,
    GenericObject,
    Hashtag,
    Mention,
    Note,
    Tombstone,
    Undo,
    parse_document,
)
from tests.activitypub.conftest import fixture_names, load_fixture

# Documents our strict origin rule refuses on purpose, and why.
REFUSED = {
    # A moderator on ds9 updates a community that lives on enterprise: a foreign embedded object.
    "lemmy/update_group.json": InvalidIdError,
}


@pytest.mark.parametrize("name", fixture_names())
def test_parse_document__reads_every_recorded_document(name: str) -> None:
    raw = load_fixture(name)
    if name in REFUSED:
        with pytest.raises(REFUSED[name]):
            parse_document(raw)
        return
    document = parse_document(raw)
    assert document.raw is raw if hasattr(document, "raw") else True


def test_parse_document__reads_mastodon_create_note_with_mention_and_language() -> None:
    create = parse_document(load_fixture("mastodon/create_note.json"))
    assert isinstance(create, Create)
    note = create.object
    assert isinstance(note, Note)
    assert note.author == "https://mastodon.madrid/users/felix"
    assert note.tags == (Mention("https://mamot.fr/users/retiolus", "@retiolus@mamot.fr"),)
    assert note.language == "en"
    assert note.in_reply_to == "https://mamot.fr/users/retiolus/statuses/107224244380204526"
    assert note.conversation is not None and note.conversation.startswith("tag:mamot.fr")
    assert note.cc[0] == PUBLIC
    assert note.replies is not None and note.replies.endswith("/replies")
    assert create.object_id == note.id


def test_parse_document__reads_gotosocial_media_alt_text_from_summary() -> None:
    note = parse_document(load_fixture("gotosocial/note_with_media_and_tags.json"))
    assert isinstance(note, Note)
    (attachment,) = note.attachments
    assert attachment == Attachment(
        type="Image",
        url=attachment.url,
        media_type="image/jpeg",
        name="Black and white image of some 50's style text saying: Welcome On Board",
        blurhash="LIIE|gRj00WB-;j[t7j[4nWBj[Rj",
        focal_point=(-0.5, 0.5),
    )
    emoji, hashtag = note.tags
    assert isinstance(emoji, Emoji) and emoji.name == ":rainbow:"
    assert emoji.updated is not None
    assert hashtag == Hashtag("#welcome", "http://localhost:8080/tags/welcome")
    assert note.to == (PUBLIC,)


def test_parse_document__reads_lemmy_group_announce_of_create_page() -> None:
    announce = parse_document(load_fixture("lemmy/group_announce_create.json"))
    assert isinstance(announce, Announce)
    assert announce.actor == "http://enterprise.lemmy.ml/c/main"
    create = announce.object
    assert isinstance(create, Create)
    assert isinstance(create.object, Article)
    assert create.object.type == "Page"
    assert create.object.name == "post 4"


def test_parse_document__reads_mastodon_actor_keys_fields_and_images() -> None:
    actor = parse_document(load_fixture("mastodon/actor_gargron.json"))
    assert isinstance(actor, Actor)
    assert actor.public_key is not None
    assert actor.public_key.id == "https://mastodon.social/users/Gargron#main-key"
    assert actor.shared_inbox == "https://mastodon.social/inbox"
    assert actor.featured == "https://mastodon.social/users/Gargron/collections/featured"
    assert actor.fields[0].name == "Patreon"
    assert actor.icon is not None and actor.icon.media_type == "image/png"
    assert actor.also_known_as == ("https://tooting.ai/users/Gargron",)
    assert not actor.is_group and not actor.is_bot


def test_parse_document__reads_misskey_actor_with_top_level_shared_inbox() -> None:
    actor = parse_document(load_fixture("misskey/actor.json"))
    assert isinstance(actor, Actor)
    assert actor.shared_inbox == "https://misskey.io/inbox"
    assert any(isinstance(tag, Hashtag) for tag in actor.tags)


def test_parse_document__reads_groups_and_services() -> None:
    group = parse_document(load_fixture("lemmy/group.json"))
    service = parse_document(load_fixture("owncast/service.json"))
    assert isinstance(group, Actor) and group.is_group
    assert isinstance(service, Actor) and service.is_bot


def test_parse_document__keeps_unknown_types_as_generic_objects() -> None:
    video = parse_document(load_fixture("peertube/video.json"))
    assert isinstance(video, GenericObject)
    assert video.type == "Video"


def test_parse_document__reads_gotosocial_delete_without_id() -> None:
    delete = parse_document(load_fixture("gotosocial/delete_note.json"))
    assert isinstance(delete, Delete)
    assert delete.id is None
    assert delete.object_id is not None


def test_parse_document__reads_flags_with_all_reported_objects() -> None:
    flag = parse_document(load_fixture("mastodon/flag.json"))
    assert isinstance(flag, Flag)
    assert len(flag.objects) >= 1


def test_parse_document__reads_undo_of_embedded_follow() -> None:
    undo = parse_document(load_fixture("mastodon/undo_follow.json"))
    assert isinstance(undo, Undo)
    assert undo.object_id is not None


def test_parse_document__reads_tombstone() -> None:
    tombstone = parse_document(load_fixture("lemmy/tombstone.json"))
    assert isinstance(tombstone, Tombstone)


def test_parse_document__refuses_foreign_embedded_update() -> None:
    with pytest.raises(ParseError, match="origin"):
        parse_document(load_fixture("lemmy/update_group.json"))
