"""Mastodon's REST entities, built from domain rows; kept apart from ActivityPub serializers."""
