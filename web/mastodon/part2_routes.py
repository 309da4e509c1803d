"""Routes of the client API's second part (issue 7): lists, markers, filters and the rest."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.mastodon import lists, markers
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


def part2_routes() -> list[BaseRoute]:
    return [
        *route("/api/v1/markers", GET=markers.show, POST=markers.update),
        *_list_routes(),
    ]
