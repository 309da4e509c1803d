"""Mastodon.py, the reference Python client, against a real `kollegium serve` process."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonNotFoundError
from PIL import Image

from tests.clients.conftest import PASSWORD, Server

SCOPES = ["read", "write", "follow", "push"]


@pytest.fixture(scope="module")
def app(server: Server) -> tuple[str, str]:
    client_id, client_secret = Mastodon.create_app(
        "Kollegium-test", api_base_url=server.base_url, scopes=SCOPES
    )
    return str(client_id), str(client_secret)


def signed_in(server: Server, app: tuple[str, str], login: str) -> Mastodon:
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=server.base_url)
    api.log_in(login, PASSWORD, scopes=SCOPES, allow_http=True)
    return api


@pytest.fixture(scope="module")
def anna(server: Server, app: tuple[str, str]) -> Mastodon:
    return signed_in(server, app, "anna@kommun-a.se")  # the e-mail, as Mastodon expects


@pytest.fixture(scope="module")
def bosse(server: Server, app: tuple[str, str]) -> Mastodon:
    return signed_in(server, app, "bosse")  # and the username, as toot and others send


def png(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def test_log_in_by_password_and_verify_credentials(anna: Mastodon) -> None:
    me = anna.account_verify_credentials()
    assert me.acct == "anna"
    assert me.source.privacy == "public"
    assert me.avatar.endswith("/static/avatar.png")


def test_log_in_by_code_through_the_authorize_page(server: Server, app: tuple[str, str]) -> None:
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=server.base_url)
    url = api.auth_request_url(
        scopes=SCOPES, redirect_uris="urn:ietf:wg:oauth:2.0:oob", allow_http=True
    )
    with httpx.Client() as browser:
        page = browser.get(url)
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        consent = browser.post(
            f"{server.base_url}/oauth/authorize",
            data=fields | {"login": "cilla", "password": PASSWORD},
        )
        assert consent.status_code == 200
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', consent.text))
        shown = browser.post(
            f"{server.base_url}/oauth/authorize", data=fields | {"step": "approve"}
        )
    code = re.search(r'id="authorization-code">([^<]+)<', shown.text)
    assert code is not None
    api.log_in(code=code.group(1), scopes=SCOPES, allow_http=True)
    assert api.account_verify_credentials().username == "cilla"


def test_update_credentials_with_an_avatar(bosse: Mastodon) -> None:
    updated = bosse.account_update_credentials(
        display_name="Bosse B",
        note="Lärare på #Solskolan",
        avatar=png((200, 30, 30)),
        avatar_mime_type="image/png",
        fields=[("Enhet", "Solskolan"), ("Telefon", "08-123 45")],
    )
    assert updated.display_name == "Bosse B"
    assert "/media/attachments/" in updated.avatar
    assert [f.name for f in updated.fields] == ["Enhet", "Telefon"]
    avatar = httpx.get(updated.avatar)
    assert avatar.status_code == 200
    assert avatar.headers["content-type"] == "image/png"


def test_post_with_media_and_poll_then_react_edit_and_delete(
    anna: Mastodon, bosse: Mastodon
) -> None:
    media = anna.media_post(png((10, 200, 10)), mime_type="image/png", description="Grönt")
    with_media = anna.status_post("Bild från #fikarummet", media_ids=[media], visibility="public")
    assert with_media.media_attachments[0].description == "Grönt"
    assert with_media.tags[0].name == "fikarummet"
    poll = anna.status_post("Fika?", poll=anna.make_poll(["Ja", "Nej"], expires_in=3600))
    voted = bosse.poll_vote(poll.poll.id, [0])
    assert voted.voted is True
    assert voted.options[0].votes_count == 1
    reply = bosse.status_reply(with_media, "Snyggt!")
    assert reply.in_reply_to_id == with_media.id
    bosse.status_favourite(with_media)
    bosse.status_reblog(with_media)
    bosse.status_bookmark(with_media)
    seen = bosse.status(with_media.id)
    assert (seen.favourited, seen.reblogged, seen.bookmarked) == (True, True, True)
    assert (seen.favourites_count, seen.reblogs_count, seen.replies_count) == (1, 1, 1)
    assert [b.id for b in bosse.bookmarks()] == [with_media.id]
    context = anna.status_context(with_media)
    assert [s.id for s in context.descendants] == [reply.id]
    edited = anna.status_update(with_media, "Bild från #fikarummet (ändrad)", media_ids=[media])
    assert edited.edited_at is not None
    assert len(anna.status_history(with_media)) == 2
    deleted = anna.status_delete(poll)
    assert deleted.text == "Fika?"
    with pytest.raises(MastodonNotFoundError):
        anna.status(poll.id)


def test_timelines_page_with_fetch_next(anna: Mastodon, bosse: Mastodon) -> None:
    anna.account_follow(bosse.me().id)
    posted = [bosse.status_post(f"Nummer {n} #sidor", visibility="public").id for n in range(7)]
    for timeline in (
        lambda: anna.timeline_home(limit=3),
        lambda: anna.timeline_public(limit=3, local=True),
        lambda: anna.timeline_hashtag("sidor", limit=3),
    ):
        page = timeline()
        seen = [s.id for s in page]
        while page and len(seen) < 7:
            page = anna.fetch_next(page)
            seen += [s.id for s in page or []]
        tagged = [i for i in seen if i in posted]
        assert tagged == posted[::-1]


def test_notifications(anna: Mastodon, bosse: Mastodon) -> None:
    before = {n.id for n in anna.notifications()}
    mine = anna.status_post("Vem läser?")
    bosse.status_favourite(mine)
    bosse.status_post("@anna hej!")
    fresh = [n for n in anna.notifications() if n.id not in before]
    assert [n.type for n in fresh] == ["mention", "favourite"]
    assert fresh[1].status.id == mine.id
    assert [n.type for n in anna.notifications(types=["favourite"]) if n.id not in before] == [
        "favourite"
    ]
    anna.notifications_dismiss(fresh[0].id)
    assert fresh[0].id not in {n.id for n in anna.notifications()}


def test_follow_requests_on_a_locked_account(server: Server, app: tuple[str, str]) -> None:
    cilla = signed_in(server, app, "cilla")
    anna = signed_in(server, app, "anna")
    cilla.account_update_credentials(locked=True)
    relationship = anna.account_follow(cilla.me().id)
    assert relationship.requested is True
    assert [a.acct for a in cilla.follow_requests()] == ["anna"]
    cilla.follow_request_authorize(anna.me().id)
    assert cilla.follow_requests() == []
    assert anna.account_relationships(cilla.me().id)[0].following is True
