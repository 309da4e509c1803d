"""PostgreSQL keeps each account's and status's own entity fields written (``own_fields``)

The home timeline's page is written by the database (web.mastodon.serializers.sqljson).
On PostgreSQL most of its cost was writing, for every request, the fields an account or a
status has from its own row (an account's with its department's name). A row is read far
more often than it changes, so a trigger writes them whenever the row is written, and the
page splices them in; renaming a department writes its accounts again. SQLite needs none of
this (it writes the page on a thread of ours) and is left as it was.

The two expressions below are ``sqljson.own_fields_object`` as it was at this revision,
kept here as text as a migration must be; a test compares them with the code, so a change
to those fields comes with a migration that replaces the functions. Upgrading writes every
account and status once.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_OBJECT = (
    "json_build_object('id', CAST(NEW.id AS TEXT), 'username', NEW.username, 'acct', "
    "CASE WHEN NEW.domain IS NULL THEN NEW.username ELSE NEW.username || '@' || "
    "NEW.domain END, 'display_name', NEW.display_name, 'locked', "
    "coalesce((NEW.locked), false), 'bot', coalesce((NEW.bot OR NEW.actor_type IN "
    "('Service', 'Application')), false), 'discoverable', "
    "coalesce((NEW.discoverable), false), 'indexable', coalesce((NEW.discoverable), "
    "false), 'group', coalesce((NEW.actor_type = 'Group'), false), 'created_at', "
    "to_char(to_timestamp(NEW.created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD') || "
    "'T00:00:00.000Z', 'note', NEW.note, 'url', coalesce(nullif(NEW.url, ''), "
    "NEW.uri), 'uri', NEW.uri, 'followers_count', NEW.followers_count, "
    "'following_count', NEW.following_count, 'statuses_count', NEW.statuses_count, "
    "'last_status_at', to_char(to_timestamp(NEW.last_status_at / 1000) AT TIME ZONE "
    "'UTC', 'YYYY-MM-DD'), 'hide_collections', 'false'::json, 'noindex', "
    "coalesce((NOT NEW.discoverable), false), 'emojis', '[]'::json, 'roles', "
    "'[]'::json, 'fields', CASE WHEN coalesce(NEW.fields, '') IN ('', '[]') THEN "
    "'[]'::json ELSE coalesce((SELECT json_agg(json_build_object('name', "
    "coalesce(f.e->>'name', ''), 'value', CASE WHEN f.e::jsonb -> 'value_html' IS NOT "
    "NULL THEN f.e->>'value_html' ELSE coalesce(f.e->>'value', '') END, "
    "'verified_at', f.e->'verified_at') ORDER BY f.n) FROM "
    "json_array_elements(coalesce(nullif(NEW.fields, ''), '[]')::json) WITH "
    "ORDINALITY AS f(e, n) WHERE json_typeof(f.e) = 'object'), '[]'::json) END, "
    "'kollegium', json_build_object('title', coalesce(NEW.title, ''), 'department', "
    "CASE WHEN (SELECT dn.name FROM departments dn WHERE dn.id = NEW.department_id) "
    "IS NOT NULL THEN json_build_object('id', CAST(NEW.department_id AS TEXT), "
    "'name', (SELECT dn.name FROM departments dn WHERE dn.id = NEW.department_id)) "
    "END, 'phone', coalesce(NEW.phone, ''), 'workplace', coalesce(NEW.workplace, ''), "
    "'languages', CASE WHEN coalesce(NEW.languages, '') IN ('', '[]') THEN '[]'::json "
    "ELSE coalesce((SELECT json_agg(to_json(v.t) ORDER BY v.n) FROM "
    "json_array_elements_text(coalesce(nullif(NEW.languages, ''), '[]')::json) WITH "
    "ORDINALITY AS v(t, n)), '[]'::json) END, 'ask_me_about', CASE WHEN "
    "coalesce(NEW.ask_me_about, '') IN ('', '[]') THEN '[]'::json ELSE "
    "coalesce((SELECT json_agg(to_json(v.t) ORDER BY v.n) FROM "
    "json_array_elements_text(coalesce(nullif(NEW.ask_me_about, ''), '[]')::json) "
    "WITH ORDINALITY AS v(t, n)), '[]'::json) END))"
)

STATUS_OBJECT = (
    "json_build_object('id', CAST(NEW.id AS TEXT), 'created_at', "
    "to_char(to_timestamp(NEW.created_at / 1000) AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad((NEW.created_at % 1000)::text, 3, '0') "
    "|| 'Z', 'in_reply_to_id', CAST(NEW.in_reply_to_id AS TEXT), "
    "'in_reply_to_account_id', CAST(NEW.in_reply_to_account_id AS TEXT), "
    "'spoiler_text', NEW.spoiler_text, 'visibility', NEW.visibility, 'language', "
    "NEW.language, 'uri', NEW.uri, 'url', coalesce(nullif(NEW.url, ''), NEW.uri), "
    "'replies_count', NEW.replies_count, 'reblogs_count', NEW.reblogs_count, "
    "'favourites_count', NEW.favourites_count, 'edited_at', "
    "to_char(to_timestamp(NEW.edited_at / 1000) AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad((NEW.edited_at % 1000)::text, 3, '0') "
    "|| 'Z', 'local_only', coalesce((NEW.local_only), false), 'emojis', '[]'::json, "
    "'card', NULL, 'filtered', '[]'::json, 'muted', 'false'::json, 'content', "
    "NEW.content)"
)

OBJECTS = {"accounts": ACCOUNT_OBJECT, "statuses": STATUS_OBJECT}
FUNCTION = """
CREATE FUNCTION kollegium_{table}_own_fields() RETURNS trigger LANGUAGE plpgsql AS $fields$
BEGIN
    NEW.own_fields := ({object})::text;
    NEW.own_fields := substr(NEW.own_fields, 2, length(NEW.own_fields) - 2);
    RETURN NEW;
END
$fields$
"""
# An account's kept fields hold its department's name: a renamed department's accounts are
# written again (deleting one sets their department_id to null, which writes them too).
RENAMED = """
CREATE FUNCTION kollegium_department_renamed() RETURNS trigger LANGUAGE plpgsql AS $renamed$
BEGIN
    UPDATE accounts SET own_fields = NULL WHERE department_id = NEW.id;
    RETURN NULL;
END
$renamed$
"""
TRIGGER = (
    "CREATE TRIGGER {table}_own_fields BEFORE INSERT OR UPDATE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION kollegium_{table}_own_fields()"
)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table, json_object in OBJECTS.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN own_fields text")
        op.execute(FUNCTION.format(table=table, object=json_object))
        op.execute(TRIGGER.format(table=table))
        # The trigger writes them (table names are ours, not input).
        op.execute(f"UPDATE {table} SET own_fields = NULL")  # noqa: S608
    op.execute(RENAMED)
    op.execute(
        "CREATE TRIGGER departments_renamed AFTER UPDATE OF name ON departments "
        "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) "
        "EXECUTE FUNCTION kollegium_department_renamed()"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER departments_renamed ON departments")
    op.execute("DROP FUNCTION kollegium_department_renamed()")
    for table in OBJECTS:
        op.execute(f"DROP TRIGGER {table}_own_fields ON {table}")
        op.execute(f"DROP FUNCTION kollegium_{table}_own_fields()")
        op.execute(f"ALTER TABLE {table} DROP COLUMN own_fields")
