"""ActivityPub's faces: actors, WebFinger, NodeInfo, inboxes, outboxes and objects."""

from web.activitypub.routes import activitypub_routes

__all__ = ["activitypub_routes"]
