"""The Mastodon client API: every route that Mastodon apps call, wired in one list."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.mastodon import accounts as a
from web.mastodon import instance, media, notifications, search, timelines
from web.mastodon import statuses as s
from web.mastodon.admin_domains import admin_domain_routes
from web.mastodon.admin_routes import admin_routes
from web.mastodon.endpoint import route
from web.mastodon.groups import group_routes
from web.mastodon.oauth import oauth_routes
from web.mastodon.part2_routes import part2_routes


def _account_routes() -> list[BaseRoute]:
    base = "/api/v1/accounts"
    return [
        *route(f"{base}/verify_credentials", GET=a.verify_credentials),
        *route(f"{base}/update_credentials", PATCH=a.update_credentials, PUT=a.update_credentials),
        *route(f"{base}/lookup", GET=a.lookup),
        *route(f"{base}/relationships", GET=a.relationships_of),
        *route(f"{base}/familiar_followers", GET=a.familiar_followers),
        *route(f"{base}/search", GET=a.search),
        *route(base, GET=a.many_accounts),
        *route(base + "/{id}", GET=a.show_account),
        *route(base + "/{id}/statuses", GET=a.account_statuses),
        *route(base + "/{id}/followers", GET=a.followers),
        *route(base + "/{id}/following", GET=a.following),
        *route(base + "/{id}/follow", POST=a.follow),
        *route(base + "/{id}/unfollow", POST=a.unfollow),
        *route(base + "/{id}/remove_from_followers", POST=a.remove_from_followers),
        *route(base + "/{id}/block", POST=a.block),
        *route(base + "/{id}/unblock", POST=a.unblock),
        *route(base + "/{id}/mute", POST=a.mute),
        *route(base + "/{id}/unmute", POST=a.unmute),
        *route(base + "/{id}/note", POST=a.note),
        *route("/api/v1/follow_requests", GET=a.follow_requests),
        *route("/api/v1/follow_requests/{id}/authorize", POST=a.authorize_request),
        *route("/api/v1/follow_requests/{id}/reject", POST=a.reject_request),
        *route("/api/v1/mutes", GET=a.mutes),
        *route("/api/v1/blocks", GET=a.blocks),
    ]


def _status_routes() -> list[BaseRoute]:
    base = "/api/v1/statuses"
    one = base + "/{id}"
    return [
        *route(one, GET=s.show, DELETE=s.delete, PUT=s.edit),
        *route(one + "/context", GET=s.context),
        *route(one + "/history", GET=s.history),
        *route(one + "/source", GET=s.source),
        *route(one + "/favourite", POST=s.favourite),
        *route(one + "/unfavourite", POST=s.unfavourite),
        *route(one + "/reblog", POST=s.reblog),
        *route(one + "/unreblog", POST=s.unreblog),
        *route(one + "/bookmark", POST=s.bookmark),
        *route(one + "/unbookmark", POST=s.unbookmark),
        *route(one + "/pin", POST=s.pin),
        *route(one + "/unpin", POST=s.unpin),
        *route(one + "/favourited_by", GET=s.favourited_by),
        *route(one + "/reblogged_by", GET=s.reblogged_by),
        *route("/api/v1/bookmarks", GET=s.bookmarks),
        *route("/api/v1/favourites", GET=s.favourites),
        *route("/api/v1/polls/{id}", GET=s.show_poll),
        *route("/api/v1/polls/{id}/votes", POST=s.vote),
    ]


def _other_routes() -> list[BaseRoute]:
    return [
        *route("/api/v1/instance", GET=instance.instance_v1),
        *route("/api/v2/instance", GET=instance.instance_v2),
        *route("/api/v1/instance/rules", GET=instance.rules),
        *route("/api/v1/instance/peers", GET=instance.peers),
        *route("/api/v1/custom_emojis", GET=instance.custom_emojis),
        *route("/api/v1/timelines/public", GET=timelines.public),
        *route("/api/v1/timelines/tag/{hashtag}", GET=timelines.tag),
        *route("/api/v1/notifications/clear", POST=notifications.clear),
        *route("/api/v1/notifications/unread_count", GET=notifications.unread_count),
        *route("/api/v1/notifications/{id}", GET=notifications.show),
        *route("/api/v1/notifications/{id}/dismiss", POST=notifications.dismiss),
        *route("/api/v2/search", GET=search.search),
        *route("/api/v1/media", POST=media.upload_v1),
        *route("/api/v2/media", POST=media.upload_v2),
        *route("/api/v1/media/{id}", GET=media.show, PUT=media.update),
        Route("/media/{path:path}", media.serve_media, methods=["GET", "HEAD"]),
        Route("/static/{path:path}", media.serve_static, methods=["GET", "HEAD"]),
    ]


def _hot_routes() -> list[BaseRoute]:
    """Matched first: routes are tried in order, and these are called the most."""
    return [
        *route("/api/v1/timelines/home", GET=timelines.home),
        *route("/api/v1/statuses", POST=s.create, GET=s.show_many),
        *route("/api/v1/notifications", GET=notifications.index),
    ]


def mastodon_routes() -> list[BaseRoute]:
    return [
        *_hot_routes(),
        *oauth_routes(),
        # Before the others: /api/v1/notifications/policy would otherwise be read as an id.
        *part2_routes(),
        *_account_routes(),
        *_status_routes(),
        *_other_routes(),
        *admin_domain_routes(),
        *admin_routes(),
        *group_routes(),
    ]
