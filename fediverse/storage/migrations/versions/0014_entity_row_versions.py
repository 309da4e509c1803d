"""PostgreSQL writes a status's or an account's row again whenever its entity changes

Web processes keep the home timeline's entities in memory between requests
(web.mastodon.serializers.entity_cache) and check each one against its row's version: the
row's ``xmin``, the transaction that last wrote it. That holds only if every change to an
entity writes its row. Most do (an edit, a count, a profile change, a renamed department);
these triggers make the rest do too:

- a status's media, mentions or tags changing after the transaction that wrote the status
  (a description set later, a remote edit's new tags) write the status again;
- a processed or changed avatar or header writes its account again;
- a mentioned account's name or address changing writes the statuses that mention it.

A trigger that finds its row written in its own transaction already leaves it alone, so
posting a status with its mentions, tags and media costs one index probe each. SQLite needs
none of this: it writes the page on a thread of ours without a cache.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Writing ``own_fields`` (the kept fields of migration 0010) writes the row again, and its
# trigger writes the same fields back; not when this transaction wrote it already (``xmin``).
PART_CHANGED = """
CREATE FUNCTION kollegium_status_part_changed() RETURNS trigger LANGUAGE plpgsql AS $part$
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.status_id IS NOT NULL THEN
        UPDATE statuses SET own_fields = NULL WHERE id = NEW.status_id
            AND xmin <> pg_current_xact_id()::xid;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status_id IS NOT NULL
            AND (TG_OP = 'DELETE' OR OLD.status_id IS DISTINCT FROM NEW.status_id) THEN
        UPDATE statuses SET own_fields = NULL WHERE id = OLD.status_id
            AND xmin <> pg_current_xact_id()::xid;
    END IF;
    RETURN NULL;
END
$part$
"""
IMAGE_CHANGED = """
CREATE FUNCTION kollegium_account_image_changed() RETURNS trigger LANGUAGE plpgsql AS $image$
BEGIN
    UPDATE accounts SET own_fields = NULL
    WHERE id = NEW.account_id AND NEW.id IN (avatar_media_id, header_media_id)
        AND xmin <> pg_current_xact_id()::xid;
    RETURN NULL;
END
$image$
"""
MENTIONED_CHANGED = """
CREATE FUNCTION kollegium_mentioned_account_changed() RETURNS trigger
LANGUAGE plpgsql AS $mentioned$
BEGIN
    UPDATE statuses SET own_fields = NULL
    WHERE id IN (SELECT status_id FROM mentions WHERE account_id = NEW.id)
        AND xmin <> pg_current_xact_id()::xid;
    RETURN NULL;
END
$mentioned$
"""
TRIGGERS = {
    "media_attachments_status_part": (
        "AFTER INSERT OR UPDATE OR DELETE ON media_attachments FOR EACH ROW "
        "EXECUTE FUNCTION kollegium_status_part_changed()"
    ),
    "mentions_status_part": (
        "AFTER INSERT OR UPDATE OR DELETE ON mentions FOR EACH ROW "
        "EXECUTE FUNCTION kollegium_status_part_changed()"
    ),
    "statuses_tags_status_part": (
        "AFTER INSERT OR UPDATE OR DELETE ON statuses_tags FOR EACH ROW "
        "EXECUTE FUNCTION kollegium_status_part_changed()"
    ),
    "media_attachments_account_image": (
        "AFTER UPDATE ON media_attachments FOR EACH ROW WHEN (NEW.status_id IS NULL) "
        "EXECUTE FUNCTION kollegium_account_image_changed()"
    ),
    "accounts_mentioned": (
        "AFTER UPDATE OF username, domain, url, uri ON accounts FOR EACH ROW "
        "WHEN (OLD.username IS DISTINCT FROM NEW.username OR OLD.domain IS DISTINCT FROM "
        "NEW.domain OR OLD.url IS DISTINCT FROM NEW.url OR OLD.uri IS DISTINCT FROM NEW.uri) "
        "EXECUTE FUNCTION kollegium_mentioned_account_changed()"
    ),
}
_TABLES = {name: definition.split(" ON ")[1].split()[0] for name, definition in TRIGGERS.items()}
_FUNCTIONS = (
    "kollegium_status_part_changed",
    "kollegium_account_image_changed",
    "kollegium_mentioned_account_changed",
)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for function in (PART_CHANGED, IMAGE_CHANGED, MENTIONED_CHANGED):
        op.execute(function)
    for name, definition in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name, table in _TABLES.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for function in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}()")
