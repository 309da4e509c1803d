"""Parsing posts, tags and attachments: tolerant of shapes, strict about ids and origins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from activitypub.errors import InvalidIdError, ParseError
from activitypub.vocab import (
    PUBLIC,
    Article,
    Attachment,
    Emoji,
    Hashtag,
    Mention,
    Note,
    Question,
    parse_document,
    parse_note,
    parse_question,
)
from activitypub.vocab.fields import (
    as_list,
    first_text,
    origin_of,
    read_bool,
    read_datetime,
    read_int,
    read_required_str,
    read_str,
    same_origin,
    type_of,
)
from activitypub.vocab.media import parse_attachment, parse_image, parse_tag
from tests.activitypub.conftest import make_note


@pytest.mark.parametrize("alias", ["as:Public", "Public", PUBLIC])
def test_parse_note__accepts_every_spelling_of_public(alias: str) -> None:
    note = parse_note(make_note(to=alias, cc=[{"id": alias}]))
    assert note.to == (PUBLIC,)
    assert note.cc == (PUBLIC,)


def test_parse_note__drops_addresses_that_are_not_urls() -> None:
    note = parse_note(make_note(to=["not a url", 3, "https://kommun-b.test/users/bo"]))
    assert note.to == ("https://kommun-b.test/users/bo",)


def test_parse_note__falls_back_to_content_map_and_its_language() -> None:
    note = parse_note(make_note(content=None, contentMap={"sv": "<p>Hej</p>", "x": 1}))
    assert note.content == "<p>Hej</p>"
    assert note.language == "sv"
    assert note.content_map == {"sv": "<p>Hej</p>"}


def test_parse_note__reads_summary_and_name_maps() -> None:
    note = parse_note(make_note(summaryMap={"sv": "CW"}, nameMap={"sv": "Titel"}))
    assert note.summary == "CW"
    assert note.name == "Titel"
    assert note.language == "sv"


def test_parse_note__reads_sensitive_reply_and_conversation() -> None:
    note = parse_note(
        make_note(
            sensitive=True,
            inReplyTo={"id": "https://kommun-a.test/users/bo/statuses/9", "type": "Note"},
            conversation="tag:kommun-b.test,2024:objectId=1:objectType=Conversation",
        )
    )
    assert note.sensitive is True
    assert note.in_reply_to == "https://kommun-a.test/users/bo/statuses/9"
    assert note.conversation == "tag:kommun-b.test,2024:objectId=1:objectType=Conversation"


def test_parse_note__uses_context_when_there_is_no_conversation() -> None:
    note = parse_note(make_note(context="https://kommun-b.test/contexts/1"))
    assert note.conversation == "https://kommun-b.test/contexts/1"


@pytest.mark.parametrize("key", ["quote", "quoteUrl", "quoteUri", "_misskey_quote"])
def test_parse_note__reads_quotes_under_every_name(key: str) -> None:
    note = parse_note(make_note(**{key: "https://kommun-a.test/notes/1"}))
    assert note.quote == "https://kommun-a.test/notes/1"


def test_parse_note__ignores_a_quote_that_is_not_a_url() -> None:
    assert parse_note(make_note(quoteUrl="nope")).quote is None


def test_parse_note__reads_attributed_to_as_a_list() -> None:
    note = parse_note(make_note(attributedTo=["https://kommun-b.test/users/anna", "x"]))
    assert note.attributed_to == ("https://kommun-b.test/users/anna",)


def test_parse_note__refuses_an_id_on_another_origin_than_its_author() -> None:
    with pytest.raises(InvalidIdError):
        parse_note(make_note(attributedTo="https://evil.test/users/mallory"))


@pytest.mark.parametrize(
    "bad_id",
    [None, "ftp://kommun-b.test/1", "/relative", "https://", "https://a b/x", 12, "https://u@h/x"],
)
def test_parse_note__refuses_ids_that_are_not_absolute_http_urls(bad_id: object) -> None:
    with pytest.raises(ParseError):
        parse_note(make_note(id=bad_id) if bad_id is not None else make_note(id=None))


def test_parse_note__refuses_content_of_the_wrong_type() -> None:
    with pytest.raises(ParseError, match="content"):
        parse_note(make_note(content=["list"]))


def test_parse_note__prefers_the_html_url_among_links() -> None:
    links = [
        {"type": "Link", "mediaType": "video/mp4", "href": "https://kommun-b.test/v.mp4"},
        {"type": "Link", "mediaType": "text/html", "href": "https://kommun-b.test/@anna/1"},
        "bad",
    ]
    assert parse_note(make_note(url=links)).url == "https://kommun-b.test/@anna/1"
    assert parse_note(make_note(url=links[:1])).url == "https://kommun-b.test/v.mp4"
    assert parse_note(make_note(url=None)).url is None


def test_parse_note__reads_tags_of_every_shape() -> None:
    tags = [
        {"type": "Mention", "href": "https://kommun-a.test/users/bo", "name": "@bo@kommun-a.test"},
        {"type": "as:Hashtag", "name": "#förskola", "href": "https://kommun-b.test/tags/förskola"},
        {"type": ["Emoji"], "name": ":blob:", "icon": {"url": "https://kommun-b.test/e.png"}},
        {"type": "Mention", "href": "not a url"},
        {"type": "Hashtag", "name": ""},
        {"type": "Emoji", "name": ":x:"},
        {"type": "Emoji", "name": ":x:", "icon": {"url": "bad"}},
        {"type": "Unknown"},
        {"name": "@actor"},
        "string",
    ]
    note = parse_note(make_note(tag=tags))
    assert note.tags == (
        Mention("https://kommun-a.test/users/bo", "@bo@kommun-a.test"),
        Hashtag("#förskola", "https://kommun-b.test/tags/förskola"),
        Emoji(":blob:", "https://kommun-b.test/e.png"),
    )


def test_parse_tag__reads_a_single_tag_object() -> None:
    assert parse_tag({"type": "Hashtag", "name": "#a", "href": 5}) == Hashtag("#a", None)


def test_parse_note__reads_attachments_and_skips_what_it_cannot_show() -> None:
    attachments = {
        "type": "Document",
        "mediaType": "image/png",
        "url": "https://files.kommun-b.test/1.png",
        "name": "En bild",
        "width": 640,
        "height": 480,
        "focalPoint": [0, 1.5],
    }
    note = parse_note(make_note(attachment=[attachments, {"type": "Link", "href": "x"}, 4]))
    assert note.attachments == (
        Attachment(
            "Document",
            "https://files.kommun-b.test/1.png",
            "image/png",
            "En bild",
            None,
            None,
            640,
            480,
        ),
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ([{"href": "https://f.test/v.mp4", "mediaType": "video/mp4"}], "video/mp4"),
        ({"type": "Link", "href": "https://f.test/v.mp4"}, None),
    ],
)
def test_parse_attachment__reads_urls_given_as_links(url: object, expected: str | None) -> None:
    attachment = parse_attachment({"type": "Video", "url": url})
    assert attachment is not None
    assert attachment.url == "https://f.test/v.mp4"
    assert attachment.media_type == expected


def test_parse_attachment__skips_attachments_without_a_url() -> None:
    assert parse_attachment({"type": "Image", "url": "nope"}) is None
    assert parse_attachment({"type": "Image", "focalPoint": [True, 0]}) is None


def test_parse_image__reads_urls_objects_and_lists() -> None:
    assert parse_image("https://f.test/a.png") == Attachment("Image", "https://f.test/a.png")
    assert parse_image([{"url": "https://f.test/a.png", "mediaType": "image/png"}]) == Attachment(
        "Image", "https://f.test/a.png", "image/png"
    )
    assert parse_image({"url": "bad"}) is None
    assert parse_image(None) is None


def test_parse_question__reads_one_of_options_with_counts() -> None:
    raw = make_note(
        type="Question",
        oneOf=[
            {"type": "Note", "name": "Ja", "replies": {"type": "Collection", "totalItems": 3}},
            {"type": "Note", "name": "Nej"},
            {"type": "Note"},
        ],
        endTime="2024-05-02T10:00:00Z",
        votersCount=3,
    )
    question = parse_document(raw)
    assert isinstance(question, Question)
    assert [(option.name, option.votes) for option in question.options] == [("Ja", 3), ("Nej", 0)]
    assert question.multiple is False
    assert question.end_time == datetime(2024, 5, 2, 10, tzinfo=UTC)
    assert question.closed is None
    assert question.voters_count == 3


def test_parse_question__reads_any_of_and_closed_given_as_true() -> None:
    raw = make_note(
        type="Question", anyOf=[{"name": "A"}], endTime="2024-05-02T10:00:00Z", closed=True
    )
    question = parse_question(raw)
    assert question.multiple is True
    assert question.closed == question.end_time


def test_parse_question__reads_closed_as_a_time() -> None:
    question = parse_question(make_note(oneOf=[{"name": "A"}], closed="2024-05-03T10:00:00Z"))
    assert question.closed == datetime(2024, 5, 3, 10, tzinfo=UTC)


def test_parse_question__refuses_a_poll_without_options() -> None:
    with pytest.raises(ParseError, match="oneOf"):
        parse_question(make_note(type="Question"))


@pytest.mark.parametrize(("kind", "cls"), [("Article", Article), ("Page", Article), ("Note", Note)])
def test_parse_document__reads_posts_by_type(kind: str, cls: type[Note]) -> None:
    document = parse_document(make_note(type=kind))
    assert type(document) is cls
    assert document.type == kind


@pytest.mark.parametrize(
    "kind", ["as:Note", "https://www.w3.org/ns/activitystreams#Note", ["Note", "Other"]]
)
def test_parse_document__reads_prefixed_and_listed_types(kind: object) -> None:
    assert isinstance(parse_document(make_note(type=kind)), Note)


@pytest.mark.parametrize("kind", [None, "", [], [1]])
def test_parse_document__refuses_a_missing_type(kind: object) -> None:
    with pytest.raises(ParseError, match="type"):
        parse_document(make_note(type=kind) if kind is not None else make_note(type=None))


def test_fields__read_values_tolerantly() -> None:
    assert as_list(None) == [] and as_list([1]) == [1] and as_list(1) == [1]
    assert read_bool({"a": "yes"}, "a", default=True) is True
    assert read_int({"a": -1}, "a") is None and read_int({"a": True}, "a") is None
    assert read_datetime({"a": "2024-01-01T00:00:00"}, "a") == datetime(2024, 1, 1, tzinfo=UTC)
    assert read_datetime({"a": "yesterday"}, "a") is None
    assert read_str({}, "a") is None
    assert first_text(None, {}) is None
    assert type_of({"type": "Note"}) == "Note"
    with pytest.raises(ParseError):
        read_required_str({}, "a")
    assert read_required_str({"a": "x"}, "a") == "x"


def test_origin_of__normalizes_case_and_default_ports() -> None:
    assert origin_of("https://Kommun-B.test:443/x") == "https://kommun-b.test"
    assert origin_of("http://127.0.0.1:80?x") == "http://127.0.0.1"
    assert origin_of("http://127.0.0.1:8001#a") == "http://127.0.0.1:8001"
    assert origin_of("https://:443/") is None
    assert same_origin("https://a.test/1", "https://a.test:443/2")
    assert not same_origin("https://a.test/1", "http://a.test/1")
