"""The ActivityPub routes, at the paths fediverse.urls makes ids of."""

from __future__ import annotations

from starlette.routing import Route

from web.activitypub import actors, groups, inbox, objects, wellknown


def activitypub_routes() -> list[Route]:
    return [
        Route("/.well-known/webfinger", wellknown.webfinger, methods=["GET"]),
        Route("/.well-known/host-meta", wellknown.host_meta, methods=["GET"]),
        Route("/.well-known/nodeinfo", wellknown.nodeinfo_links, methods=["GET"]),
        Route("/nodeinfo/{version}", wellknown.nodeinfo, methods=["GET"]),
        Route("/actor", actors.instance_actor, methods=["GET"]),
        Route("/actor/inbox", inbox.shared_inbox, methods=["POST"]),
        Route("/inbox", inbox.shared_inbox, methods=["POST"]),
        Route("/users/{username}", actors.user_actor, methods=["GET"]),
        Route("/users/{username}/inbox", inbox.user_inbox, methods=["POST"]),
        Route("/users/{username}/outbox", objects.outbox, methods=["GET"]),
        Route("/users/{username}/followers", objects.followers, methods=["GET"]),
        Route("/users/{username}/following", objects.following, methods=["GET"]),
        Route("/users/{username}/collections/featured", objects.featured, methods=["GET"]),
        Route("/users/{username}/moderators", groups.moderators_route, methods=["GET"]),
        Route("/users/{username}/statuses/{status_id:int}", objects.status, methods=["GET"]),
        Route(
            "/users/{username}/statuses/{status_id:int}/activity",
            objects.status_activity,
            methods=["GET"],
        ),
    ]
