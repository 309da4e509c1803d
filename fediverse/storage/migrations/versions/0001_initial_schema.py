"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Generated from fediverse/storage/tables.py; the expression index on accounts was added by
hand, since autogenerate cannot compare expression indexes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["departments.id"],
            name=op.f("fk_departments_parent_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("parent_id", "name", name=op.f("uq_departments_parent_id_name")),
    )
    op.create_table(
        "id_nodes",
        sa.Column("node", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("node", name=op.f("pk_id_nodes")),
    )
    op.create_table(
        "instance_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_instance_settings")),
    )
    op.create_table(
        "instances",
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("policy", sa.String(length=10), server_default="none", nullable=False),
        sa.Column("reject_media", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("public_comment", sa.Text(), server_default="", nullable=False),
        sa.Column("private_comment", sa.Text(), server_default="", nullable=False),
        sa.Column("software", sa.String(length=100), nullable=True),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column("signature_scheme", sa.String(length=20), nullable=True),
        sa.Column("failure_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_success_at", sa.BigInteger(), nullable=True),
        sa.Column("unavailable_since", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_instances")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.BigInteger(), nullable=False),
        sa.Column("locked_until", sa.BigInteger(), nullable=True),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_run_at", ["state", "run_at"], unique=False)

    op.create_table(
        "received_activities",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ap_id", sa.Text(), nullable=False),
        sa.Column("ap_type", sa.String(length=50), nullable=False),
        sa.Column("actor_uri", sa.Text(), nullable=False),
        sa.Column("ap_raw", sa.Text(), nullable=False),
        sa.Column("processed_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_activities")),
        sa.UniqueConstraint("ap_id", name=op.f("uq_received_activities_ap_id")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("usable", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("trendable", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("actor_type", sa.String(length=20), server_default="Person", nullable=False),
        sa.Column("display_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("note_source", sa.Text(), server_default="", nullable=False),
        sa.Column("locked", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("bot", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("discoverable", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("fields", sa.Text(), server_default="[]", nullable=False),
        sa.Column("title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("avatar_media_id", sa.BigInteger(), nullable=True),
        sa.Column("header_media_id", sa.BigInteger(), nullable=True),
        sa.Column("avatar_remote_url", sa.Text(), nullable=True),
        sa.Column("header_remote_url", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("inbox_url", sa.Text(), nullable=True),
        sa.Column("outbox_url", sa.Text(), nullable=True),
        sa.Column("shared_inbox_url", sa.Text(), nullable=True),
        sa.Column("followers_url", sa.Text(), nullable=True),
        sa.Column("following_url", sa.Text(), nullable=True),
        sa.Column("featured_url", sa.Text(), nullable=True),
        sa.Column("public_key_id", sa.Text(), nullable=True),
        sa.Column("public_key_pem", sa.Text(), nullable=True),
        sa.Column("private_key_pem", sa.Text(), nullable=True),
        sa.Column("ed25519_private_key_pem", sa.Text(), nullable=True),
        sa.Column("ap_raw", sa.Text(), nullable=True),
        sa.Column("followers_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("following_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("statuses_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_status_at", sa.BigInteger(), nullable=True),
        sa.Column("moved_to_account_id", sa.BigInteger(), nullable=True),
        sa.Column("suspended_at", sa.BigInteger(), nullable=True),
        sa.Column("silenced_at", sa.BigInteger(), nullable=True),
        sa.Column("fetched_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_accounts_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["moved_to_account_id"],
            ["accounts.id"],
            name=op.f("fk_accounts_moved_to_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("uri", name=op.f("uq_accounts_uri")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_domain", ["domain"], unique=False)
    op.create_index(
        "ix_accounts_username_domain",
        "accounts",
        [sa.text("lower(username)"), sa.text("coalesce(lower(domain), '')")],
        unique=True,
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target_type", sa.String(length=50), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_audit_log_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_created_at", ["created_at"], unique=False)

    op.create_table(
        "blocks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_blocks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_blocks_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
        sa.UniqueConstraint(
            "account_id", "target_account_id", name=op.f("uq_blocks_account_id_target_account_id")
        ),
    )
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.create_index("ix_blocks_target_account_id", ["target_account_id"], unique=False)

    op.create_table(
        "follow_requests",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("show_reblogs", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("notify", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_follow_requests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_follow_requests_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_requests")),
        sa.UniqueConstraint(
            "account_id",
            "target_account_id",
            name=op.f("uq_follow_requests_account_id_target_account_id"),
        ),
    )
    with op.batch_alter_table("follow_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_requests_target_account_id", ["target_account_id"], unique=False
        )

    op.create_table(
        "follows",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("show_reblogs", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("notify", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("languages", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_follows_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_follows_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint(
            "account_id", "target_account_id", name=op.f("uq_follows_account_id_target_account_id")
        ),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index("ix_follows_target_account_id", ["target_account_id"], unique=False)

    op.create_table(
        "group_memberships",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("group_account_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=10), server_default="member", nullable=False),
        sa.Column("state", sa.String(length=10), server_default="member", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_group_memberships_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_account_id"],
            ["accounts.id"],
            name=op.f("fk_group_memberships_group_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_memberships")),
        sa.UniqueConstraint(
            "group_account_id",
            "account_id",
            name=op.f("uq_group_memberships_group_account_id_account_id"),
        ),
    )
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.create_index("ix_group_memberships_account_id", ["account_id"], unique=False)

    op.create_table(
        "groups",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("privacy", sa.String(length=10), server_default="internal", nullable=False),
        sa.Column("partner_domains", sa.Text(), server_default="[]", nullable=False),
        sa.Column(
            "moderators_only_start_threads",
            sa.Boolean(),
            server_default=sa.text("(false)"),
            nullable=False,
        ),
        sa.Column("created_by_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_groups_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_groups_created_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_groups")),
    )
    op.create_table(
        "mutes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column(
            "hide_notifications", sa.Boolean(), server_default=sa.text("(true)"), nullable=False
        ),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mutes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_mutes_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mutes")),
        sa.UniqueConstraint(
            "account_id", "target_account_id", name=op.f("uq_mutes_account_id_target_account_id")
        ),
    )
    op.create_table(
        "oauth_applications",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("redirect_uris", sa.Text(), nullable=False),
        sa.Column("scopes", sa.Text(), server_default="read", nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("client_secret", sa.String(length=100), nullable=False),
        sa.Column("owner_account_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_account_id"],
            ["accounts.id"],
            name=op.f("fk_oauth_applications_owner_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_applications")),
        sa.UniqueConstraint("client_id", name=op.f("uq_oauth_applications_client_id")),
    )
    op.create_table(
        "statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("local", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("spoiler_text", sa.Text(), server_default="", nullable=False),
        sa.Column("sensitive", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("visibility", sa.String(length=10), server_default="public", nullable=False),
        sa.Column("local_only", sa.Boolean(), server_default=sa.text("(true)"), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("in_reply_to_id", sa.BigInteger(), nullable=True),
        sa.Column("in_reply_to_account_id", sa.BigInteger(), nullable=True),
        sa.Column("in_reply_to_uri", sa.Text(), nullable=True),
        sa.Column("reblog_of_id", sa.BigInteger(), nullable=True),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("group_id", sa.BigInteger(), nullable=True),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("poll_id", sa.BigInteger(), nullable=True),
        sa.Column("replies_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reblogs_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("favourites_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("ap_raw", sa.Text(), nullable=True),
        sa.Column("edited_at", sa.BigInteger(), nullable=True),
        sa.Column("deleted_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_statuses_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["accounts.id"],
            name=op.f("fk_statuses_group_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to_id"],
            ["statuses.id"],
            name=op.f("fk_statuses_in_reply_to_id_statuses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reblog_of_id"],
            ["statuses.id"],
            name=op.f("fk_statuses_reblog_of_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuses")),
        sa.UniqueConstraint("uri", name=op.f("uq_statuses_uri")),
    )
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.create_index("ix_statuses_account_id_id", ["account_id", "id"], unique=False)
        batch_op.create_index("ix_statuses_group_id_id", ["group_id", "id"], unique=False)
        batch_op.create_index("ix_statuses_in_reply_to_id", ["in_reply_to_id"], unique=False)
        batch_op.create_index(
            "ix_statuses_reblog_of_id_account_id", ["reblog_of_id", "account_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=20), server_default="user", nullable=False),
        sa.Column("locale", sa.String(length=10), server_default="sv", nullable=False),
        sa.Column("settings", sa.Text(), server_default="{}", nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("confirmed_at", sa.BigInteger(), nullable=True),
        sa.Column("last_sign_in_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_users_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("account_id", name=op.f("uq_users_account_id")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "bookmarks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_bookmarks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_bookmarks_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmarks")),
        sa.UniqueConstraint(
            "account_id", "status_id", name=op.f("uq_bookmarks_account_id_status_id")
        ),
    )
    with op.batch_alter_table("bookmarks", schema=None) as batch_op:
        batch_op.create_index("ix_bookmarks_status_id", ["status_id"], unique=False)

    op.create_table(
        "favourites",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_favourites_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_favourites_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favourites")),
        sa.UniqueConstraint(
            "account_id", "status_id", name=op.f("uq_favourites_account_id_status_id")
        ),
    )
    with op.batch_alter_table("favourites", schema=None) as batch_op:
        batch_op.create_index("ix_favourites_status_id", ["status_id"], unique=False)

    op.create_table(
        "media_attachments",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=20), server_default="image", nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.Column("thumbnail_path", sa.Text(), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("remote_url", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("focus_x", sa.Integer(), nullable=True),
        sa.Column("focus_y", sa.Integer(), nullable=True),
        sa.Column("blurhash", sa.String(length=100), nullable=True),
        sa.Column("meta", sa.Text(), server_default="{}", nullable=False),
        sa.Column("processing", sa.String(length=20), server_default="complete", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_media_attachments_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_media_attachments_status_id_statuses"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_attachments")),
    )
    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_media_attachments_status_id", ["status_id"], unique=False)

    op.create_table(
        "mentions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("silent", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mentions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_mentions_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
        sa.UniqueConstraint(
            "status_id", "account_id", name=op.f("uq_mentions_status_id_account_id")
        ),
    )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mentions_account_id_status_id", ["account_id", "status_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=True),
        sa.Column("group_key", sa.String(length=100), nullable=True),
        sa.Column("read", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_from_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_notifications_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_account_id_id", ["account_id", "id"], unique=False)

    op.create_table(
        "oauth_authorization_codes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("code_challenge", sa.String(length=200), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["oauth_applications.id"],
            name=op.f("fk_oauth_authorization_codes_application_id_oauth_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_authorization_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_authorization_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oauth_authorization_codes_code_hash")),
    )
    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("refresh_token_hash", sa.String(length=128), nullable=True),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("last_used_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["oauth_applications.id"],
            name=op.f("fk_oauth_tokens_application_id_oauth_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_tokens")),
        sa.UniqueConstraint("refresh_token_hash", name=op.f("uq_oauth_tokens_refresh_token_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_oauth_tokens_token_hash")),
    )
    with op.batch_alter_table("oauth_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_oauth_tokens_user_id", ["user_id"], unique=False)

    op.create_table(
        "polls",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("tallies", sa.Text(), server_default="[]", nullable=False),
        sa.Column("multiple", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("hide_totals", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("votes_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("voters_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_polls_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_polls_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    op.create_table(
        "status_edits",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("spoiler_text", sa.Text(), server_default="", nullable=False),
        sa.Column("sensitive", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("media", sa.Text(), server_default="[]", nullable=False),
        sa.Column("poll_options", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_status_edits_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_status_edits_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_edits")),
    )
    with op.batch_alter_table("status_edits", schema=None) as batch_op:
        batch_op.create_index("ix_status_edits_status_id", ["status_id"], unique=False)

    op.create_table(
        "status_pins",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_status_pins_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_status_pins_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_pins")),
        sa.UniqueConstraint(
            "account_id", "status_id", name=op.f("uq_status_pins_account_id_status_id")
        ),
    )
    with op.batch_alter_table("status_pins", schema=None) as batch_op:
        batch_op.create_index("ix_status_pins_status_id", ["status_id"], unique=False)

    op.create_table(
        "statuses_tags",
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_statuses_tags_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_statuses_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("status_id", "tag_id", name=op.f("pk_statuses_tags")),
    )
    with op.batch_alter_table("statuses_tags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statuses_tags_tag_id_status_id", ["tag_id", "status_id"], unique=False
        )

    op.create_table(
        "poll_votes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("poll_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_poll_votes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_votes")),
        sa.UniqueConstraint(
            "poll_id", "account_id", "choice", name=op.f("uq_poll_votes_poll_id_account_id_choice")
        ),
    )


def downgrade() -> None:
    op.drop_table("poll_votes")
    with op.batch_alter_table("statuses_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_statuses_tags_tag_id_status_id")

    op.drop_table("statuses_tags")
    with op.batch_alter_table("status_pins", schema=None) as batch_op:
        batch_op.drop_index("ix_status_pins_status_id")

    op.drop_table("status_pins")
    with op.batch_alter_table("status_edits", schema=None) as batch_op:
        batch_op.drop_index("ix_status_edits_status_id")

    op.drop_table("status_edits")
    op.drop_table("polls")
    with op.batch_alter_table("oauth_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_oauth_tokens_user_id")

    op.drop_table("oauth_tokens")
    op.drop_table("oauth_authorization_codes")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_account_id_id")

    op.drop_table("notifications")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_account_id_status_id")

    op.drop_table("mentions")
    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_media_attachments_status_id")

    op.drop_table("media_attachments")
    with op.batch_alter_table("favourites", schema=None) as batch_op:
        batch_op.drop_index("ix_favourites_status_id")

    op.drop_table("favourites")
    with op.batch_alter_table("bookmarks", schema=None) as batch_op:
        batch_op.drop_index("ix_bookmarks_status_id")

    op.drop_table("bookmarks")
    op.drop_table("users")
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_statuses_reblog_of_id_account_id")
        batch_op.drop_index("ix_statuses_in_reply_to_id")
        batch_op.drop_index("ix_statuses_group_id_id")
        batch_op.drop_index("ix_statuses_account_id_id")

    op.drop_table("statuses")
    op.drop_table("oauth_applications")
    op.drop_table("mutes")
    op.drop_table("groups")
    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_group_memberships_account_id")

    op.drop_table("group_memberships")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index("ix_follows_target_account_id")

    op.drop_table("follows")
    with op.batch_alter_table("follow_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_requests_target_account_id")

    op.drop_table("follow_requests")
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_blocks_target_account_id")

    op.drop_table("blocks")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_created_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_domain")

    op.drop_index("ix_accounts_username_domain", table_name="accounts")
    op.drop_table("accounts")
    op.drop_table("tags")
    op.drop_table("received_activities")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_state_run_at")

    op.drop_table("jobs")
    op.drop_table("instances")
    op.drop_table("instance_settings")
    op.drop_table("id_nodes")
    op.drop_table("departments")
