"""Routes of the client API's second part (issue 7): lists, markers, filters and the rest."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.mastodon import announcements as ann
from web.mastodon import (
    conversations,
    domain_blocks,
    endorsements,
    featured_tags,
    lists,
    markers,
    preferences,
    push,
    scheduled,
    tags,
    trends,
)
from web.mastodon import filters as f
from web.mastodon import notifications_v2 as n2
from web.mastodon.endpoint import route


def _list_routes() -> list[BaseRoute]:
    one = "/api/v1/lists/{id}"
    return [
        *route("/api/v1/lists", GET=lists.index, POST=lists.create),
        *route(one, GET=lists.show, PUT=lists.update, DELETE=lists.destroy),
        *route(
            one + "/accounts",
            GET=lists.members,
            POST=lists.add_members,
            DELETE=lists.remove_members,
        ),
        *route("/api/v1/accounts/{id}/lists", GET=lists.of_account),
        *route("/api/v1/timelines/list/{list_id}", GET=lists.timeline),
    ]


def _filter_routes() -> list[BaseRoute]:
    v2 = "/api/v2/filters"
    return [
        *route(v2, GET=f.index, POST=f.create),
        *route(
            v2 + "/keywords/{id}",
            GET=f.show_keyword,
            PUT=f.update_keyword,
            DELETE=f.destroy_keyword,
        ),
        *route(v2 + "/statuses/{id}", GET=f.show_status, DELETE=f.destroy_status),
        *route(v2 + "/{id}", GET=f.show, PUT=f.update, DELETE=f.destroy),
        *route(v2 + "/{filter_id}/keywords", GET=f.keywords, POST=f.add_keyword),
        *route(v2 + "/{filter_id}/statuses", GET=f.statuses, POST=f.add_status),
        *route("/api/v1/filters", GET=f.v1_index, POST=f.v1_create),
        *route("/api/v1/filters/{id}", GET=f.v1_show, DELETE=f.v1_destroy),
    ]


def part2_routes() -> list[BaseRoute]:
    return [
        *route("/api/v1/markers", GET=markers.show, POST=markers.update),
        *_list_routes(),
        *_filter_routes(),
        *route("/api/v1/conversations", GET=conversations.index),
        *route("/api/v1/conversations/{id}", DELETE=conversations.remove),
        *route("/api/v1/conversations/{id}/read", POST=conversations.read),
        *_account_extra_routes(),
        *_notification_routes(),
        *_announcement_routes(),
        *_discovery_routes(),
        *route(
            "/api/v1/push/subscription",
            POST=push.subscribe,
            GET=push.show,
            PUT=push.update,
            DELETE=push.unsubscribe,
        ),
        *route("/api/v1/scheduled_statuses", GET=scheduled.index),
        *route(
            "/api/v1/scheduled_statuses/{id}",
            GET=scheduled.show,
            PUT=scheduled.update,
            DELETE=scheduled.destroy,
        ),
    ]


def _announcement_routes() -> list[BaseRoute]:
    one = "/api/v1/announcements/{id}"
    admin = "/api/v1/admin/announcements"
    return [
        *route("/api/v1/announcements", GET=ann.index),
        *route(one + "/dismiss", POST=ann.dismiss),
        *route(one + "/reactions/{name}", PUT=ann.react, DELETE=ann.unreact),
        *route(admin, GET=ann.admin_index, POST=ann.admin_create),
        *route(admin + "/{id}", PUT=ann.admin_update, DELETE=ann.admin_delete),
        *route(admin + "/{id}/read_by", GET=ann.admin_read_by),
    ]


def _notification_routes() -> list[BaseRoute]:
    """Grouped notifications (v2), the notification policy and requests."""
    v2 = "/api/v2/notifications"
    return [
        *route(v2, GET=n2.index),
        *route(v2 + "/unread_count", GET=n2.unread_count),
        *route(v2 + "/policy", GET=n2.policy, PATCH=n2.update_policy),
        *route(v2 + "/{group_key}", GET=n2.show),
        *route(v2 + "/{group_key}/accounts", GET=n2.accounts),
        *route(v2 + "/{group_key}/dismiss", POST=n2.dismiss),
        *route("/api/v1/notifications/policy", GET=n2.policy, PATCH=n2.update_policy),
        *route("/api/v1/notifications/requests", GET=n2.requests),
    ]


def _account_extra_routes() -> list[BaseRoute]:
    """Tags, domain blocks, endorsements and preferences."""
    return [
        *route("/api/v1/tags/{name}", GET=tags.show),
        *route("/api/v1/tags/{name}/follow", POST=tags.follow),
        *route("/api/v1/tags/{name}/unfollow", POST=tags.unfollow),
        *route("/api/v1/followed_tags", GET=tags.followed),
        *route(
            "/api/v1/domain_blocks",
            GET=domain_blocks.index,
            POST=domain_blocks.block,
            DELETE=domain_blocks.unblock,
        ),
        *route("/api/v1/endorsements", GET=endorsements.index),
        *route("/api/v1/accounts/{id}/pin", POST=endorsements.pin),
        *route("/api/v1/accounts/{id}/unpin", POST=endorsements.unpin),
        *route("/api/v1/preferences", GET=preferences.show),
        *route("/api/v1/featured_tags", GET=featured_tags.index, POST=featured_tags.create),
        *route("/api/v1/featured_tags/suggestions", GET=featured_tags.suggestions),
        *route("/api/v1/featured_tags/{id}", DELETE=featured_tags.destroy),
        *route("/api/v1/accounts/{id}/featured_tags", GET=featured_tags.of_account),
    ]


def _discovery_routes() -> list[BaseRoute]:
    """Trends and follow suggestions."""
    return [
        *route("/api/v1/trends", GET=trends.trending_tags),
        *route("/api/v1/trends/tags", GET=trends.trending_tags),
        *route("/api/v1/trends/statuses", GET=trends.trending_statuses),
        *route("/api/v1/trends/links", GET=trends.trending_links),
        *route("/api/v2/suggestions", GET=trends.suggestions_v2),
        *route("/api/v1/suggestions", GET=trends.suggestions_v1),
        *route("/api/v1/suggestions/{account_id}", DELETE=trends.dismiss_suggestion),
    ]
