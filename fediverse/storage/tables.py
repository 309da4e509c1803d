"""The schema, as SQLAlchemy Core tables. Alembic migrations are generated from these.

Conventions: ids are snowflakes (``fediverse.ids``); times are unix milliseconds in
BIGINT columns (portable, compact, and what keyset pagination compares); JSON is stored
as text encoded with orjson; raw protocol fields carry an ``ap_`` prefix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column[int]:
    return Column("id", BigInteger, primary_key=True, autoincrement=False)


def _ref(name: str, target: str, *, nullable: bool = False, cascade: bool = True) -> Column[int]:
    on_delete = "CASCADE" if cascade else "SET NULL"
    return Column(
        name, BigInteger, ForeignKey(f"{target}.id", ondelete=on_delete), nullable=nullable
    )


def _created() -> Column[int]:
    return Column("created_at", BigInteger, nullable=False)


def _flag(name: str, default: bool = False) -> Column[bool]:
    return Column(
        name, Boolean, nullable=False, server_default=text("true" if default else "false")
    )


def _count(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False, server_default=text("0"))


instance_settings = Table(
    "instance_settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

id_nodes = Table(
    "id_nodes",
    metadata,
    Column("node", SmallInteger, primary_key=True, autoincrement=False),
    Column("holder", String(200), nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

departments = Table(
    "departments",
    metadata,
    _id(),
    Column("parent_id", BigInteger, ForeignKey("departments.id", ondelete="CASCADE")),
    Column("name", String(200), nullable=False),
    _created(),
    UniqueConstraint("parent_id", "name"),
)

accounts = Table(
    "accounts",
    metadata,
    _id(),
    Column("username", String(100), nullable=False),
    Column("domain", String(255)),  # NULL for local accounts
    Column("actor_type", String(20), nullable=False, server_default="Person"),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("note_source", Text, nullable=False, server_default=""),
    _flag("locked"),
    _flag("bot"),
    _flag("discoverable", default=True),
    Column("fields", Text, nullable=False, server_default="[]"),
    Column("title", String(200), nullable=False, server_default=""),
    Column("department_id", BigInteger, ForeignKey("departments.id", ondelete="SET NULL")),
    # Staff directory (issue 6.4): what colleagues look for; languages and topics are JSON lists.
    Column("phone", String(50), nullable=False, server_default=""),
    Column("workplace", String(200), nullable=False, server_default=""),
    Column("languages", Text, nullable=False, server_default="[]"),
    Column("ask_me_about", Text, nullable=False, server_default="[]"),
    Column("avatar_media_id", BigInteger),
    Column("header_media_id", BigInteger),
    Column("avatar_remote_url", Text),
    Column("header_remote_url", Text),
    Column("uri", Text, nullable=False, unique=True),
    Column("url", Text),
    Column("inbox_url", Text),
    Column("outbox_url", Text),
    Column("shared_inbox_url", Text),
    Column("followers_url", Text),
    Column("following_url", Text),
    Column("featured_url", Text),
    Column("public_key_id", Text),
    Column("public_key_pem", Text),
    Column("private_key_pem", Text),  # local accounts only
    Column("ed25519_private_key_pem", Text),  # local accounts only, for integrity proofs
    Column("ap_raw", Text),  # the last actor document fetched, for remote accounts
    _count("followers_count"),
    _count("following_count"),
    _count("statuses_count"),
    Column("last_status_at", BigInteger),
    Column("moved_to_account_id", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("suspended_at", BigInteger),
    Column("suspension_origin", String(10)),  # local (ours) or remote (its server's)
    Column("silenced_at", BigInteger),
    Column("sensitized_at", BigInteger),  # moderation: every post of theirs marked sensitive
    Column("fetched_at", BigInteger),
    _created(),
    Column("updated_at", BigInteger, nullable=False),
)
Index(
    "ix_accounts_username_domain",
    func.lower(accounts.c.username),
    func.coalesce(func.lower(accounts.c.domain), ""),
    unique=True,
)
Index("ix_accounts_domain", accounts.c.domain)
# Partial: few accounts are suspended, and the home timeline leaves their posts out.
Index(
    "ix_accounts_suspended",
    accounts.c.id,
    postgresql_where=accounts.c.suspended_at.is_not(None),
    sqlite_where=accounts.c.suspended_at.is_not(None),
)

users = Table(
    "users",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text),  # NULL when the user signs in only by single sign-on
    Column("role", String(20), nullable=False, server_default="user"),
    Column("locale", String(10), nullable=False, server_default="sv"),
    Column("settings", Text, nullable=False, server_default="{}"),
    _flag("disabled"),
    Column("confirmed_at", BigInteger),
    Column("last_sign_in_at", BigInteger),
    _created(),
    UniqueConstraint("account_id"),
)

media_attachments = Table(
    "media_attachments",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="SET NULL")),
    Column("type", String(20), nullable=False, server_default="image"),
    Column("content_type", String(100)),
    Column("file_path", Text),
    Column("thumbnail_path", Text),
    Column("file_size", BigInteger),
    Column("remote_url", Text),
    Column("description", Text, nullable=False, server_default=""),
    Column("focus_x", Integer),  # thousandths, -1000..1000
    Column("focus_y", Integer),
    Column("blurhash", String(100)),
    Column("meta", Text, nullable=False, server_default="{}"),
    Column("processing", String(20), nullable=False, server_default="complete"),
    _created(),
)
Index("ix_media_attachments_status_id", media_attachments.c.status_id)

statuses = Table(
    "statuses",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("uri", Text, nullable=False, unique=True),
    Column("url", Text),
    _flag("local"),
    Column("text", Text, nullable=False, server_default=""),  # the author's source
    Column("content", Text, nullable=False, server_default=""),  # sanitized HTML
    Column("spoiler_text", Text, nullable=False, server_default=""),
    _flag("sensitive"),
    Column("visibility", String(10), nullable=False, server_default="public"),
    _flag("local_only", default=True),
    Column("language", String(10)),
    Column("in_reply_to_id", BigInteger, ForeignKey("statuses.id", ondelete="SET NULL")),
    Column("in_reply_to_account_id", BigInteger),
    Column("in_reply_to_uri", Text),
    Column("reblog_of_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")),
    Column("conversation_id", BigInteger),
    Column("group_id", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("application_id", BigInteger),
    Column("poll_id", BigInteger),
    _count("replies_count"),
    _count("reblogs_count"),
    _count("favourites_count"),
    Column("ap_raw", Text),
    Column("edited_at", BigInteger),
    Column("deleted_at", BigInteger),
    _created(),
)
Index("ix_statuses_account_id_id", statuses.c.account_id, statuses.c.id)
Index("ix_statuses_in_reply_to_id", statuses.c.in_reply_to_id)
Index("ix_statuses_reblog_of_id_account_id", statuses.c.reblog_of_id, statuses.c.account_id)
Index("ix_statuses_group_id_id", statuses.c.group_id, statuses.c.id)

status_edits = Table(
    "status_edits",
    metadata,
    _id(),
    _ref("status_id", "statuses"),
    _ref("account_id", "accounts"),
    Column("text", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("spoiler_text", Text, nullable=False, server_default=""),
    _flag("sensitive"),
    Column("media", Text, nullable=False, server_default="[]"),
    Column("poll_options", Text),
    _created(),
)
Index("ix_status_edits_status_id", status_edits.c.status_id)

polls = Table(
    "polls",
    metadata,
    _id(),
    _ref("status_id", "statuses"),
    _ref("account_id", "accounts"),
    Column("options", Text, nullable=False),  # JSON list of titles
    Column("tallies", Text, nullable=False, server_default="[]"),  # JSON list of counts
    _flag("multiple"),
    _flag("hide_totals"),
    _count("votes_count"),
    _count("voters_count"),
    Column("expires_at", BigInteger),
    _created(),
)

poll_votes = Table(
    "poll_votes",
    metadata,
    _id(),
    _ref("poll_id", "polls"),
    _ref("account_id", "accounts"),
    Column("choice", Integer, nullable=False),
    Column("uri", Text),
    _created(),
    UniqueConstraint("poll_id", "account_id", "choice"),
)


def _account_pair(name: str, target: str, *extra: Column[Any]) -> Table:
    """A relation from one account to another, like follows and blocks."""
    return Table(
        name,
        metadata,
        _id(),
        _ref("account_id", "accounts"),
        _ref(target, "accounts"),
        Column("uri", Text),
        *extra,
        _created(),
        UniqueConstraint("account_id", target),
    )


follows = _account_pair(
    "follows",
    "target_account_id",
    _flag("show_reblogs", default=True),
    _flag("notify"),
    Column("languages", Text),
)
# Covering: fan-out reads a followed account's followers from the index alone.
Index("ix_follows_target_account_id_account_id", follows.c.target_account_id, follows.c.account_id)
# Every post asks for its author's subscribers ("notify me"); few follows are.
Index(
    "ix_follows_subscribers",
    follows.c.target_account_id,
    postgresql_where=follows.c.notify,
    sqlite_where=follows.c.notify,
)
follow_requests = _account_pair(
    "follow_requests", "target_account_id", _flag("show_reblogs", default=True), _flag("notify")
)
Index("ix_follow_requests_target_account_id", follow_requests.c.target_account_id)
blocks = _account_pair("blocks", "target_account_id")
Index("ix_blocks_target_account_id", blocks.c.target_account_id)
mutes = _account_pair(
    "mutes",
    "target_account_id",
    _flag("hide_notifications", default=True),
    Column("expires_at", BigInteger),
)


def _status_mark(name: str, *extra: Column[Any]) -> Table:
    """An account's mark on a status, like a favourite or a bookmark."""
    table = Table(
        name,
        metadata,
        _id(),
        _ref("account_id", "accounts"),
        _ref("status_id", "statuses"),
        *extra,
        _created(),
        UniqueConstraint("account_id", "status_id"),
    )
    Index(f"ix_{name}_status_id", table.c.status_id)
    return table


favourites = _status_mark("favourites", Column("uri", Text))
bookmarks = _status_mark("bookmarks")
status_pins = _status_mark("status_pins")

mentions = Table(
    "mentions",
    metadata,
    _id(),
    _ref("status_id", "statuses"),
    _ref("account_id", "accounts"),
    _flag("silent"),
    UniqueConstraint("status_id", "account_id"),
)
Index("ix_mentions_account_id_status_id", mentions.c.account_id, mentions.c.status_id)

tags = Table(
    "tags",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),  # lower-cased, unique
    Column("display_name", String(200), nullable=False),
    _flag("usable", default=True),
    _flag("trendable", default=True),
    _created(),
    UniqueConstraint("name"),
)

statuses_tags = Table(
    "statuses_tags",
    metadata,
    Column(
        "status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("tag_id", BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)
Index("ix_statuses_tags_tag_id_status_id", statuses_tags.c.tag_id, statuses_tags.c.status_id)

notifications = Table(
    "notifications",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    _ref("from_account_id", "accounts"),
    Column("type", String(30), nullable=False),
    Column("status_id", BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")),
    Column("group_key", String(100)),
    Column("report_id", BigInteger),  # admin.report notifications: which report
    # group_join_request notifications: the join request (a follow request to the group);
    # they go with it, however it ends (fediverse.group_requests)
    Column(
        "follow_request_id",
        BigInteger,
        ForeignKey("follow_requests.id", ondelete="CASCADE"),
    ),
    _flag("read"),
    _created(),
)
Index("ix_notifications_account_id_id", notifications.c.account_id, notifications.c.id)
# Partial: only join requests have one, and each follow request that ends looks it up.
Index(
    "ix_notifications_follow_request_id",
    notifications.c.follow_request_id,
    postgresql_where=notifications.c.follow_request_id.is_not(None),
    sqlite_where=notifications.c.follow_request_id.is_not(None),
)

oauth_applications = Table(
    "oauth_applications",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("website", Text),
    Column("redirect_uris", Text, nullable=False),
    Column("scopes", Text, nullable=False, server_default="read"),
    Column("client_id", String(100), nullable=False, unique=True),
    Column("client_secret", String(100), nullable=False),
    Column("owner_account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")),
    _created(),
)

oauth_authorization_codes = Table(
    "oauth_authorization_codes",
    metadata,
    _id(),
    Column("code_hash", String(128), nullable=False, unique=True),
    _ref("application_id", "oauth_applications"),
    _ref("user_id", "users"),
    Column("redirect_uri", Text, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("code_challenge", String(200)),
    Column("code_challenge_method", String(10)),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger),
    _created(),
)

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    _id(),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("refresh_token_hash", String(128), unique=True),
    _ref("application_id", "oauth_applications"),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE")),  # NULL: app token
    Column("scopes", Text, nullable=False),
    Column("expires_at", BigInteger),
    Column("revoked_at", BigInteger),
    Column("last_used_at", BigInteger),
    _created(),
)
Index("ix_oauth_tokens_user_id", oauth_tokens.c.user_id)

instances = Table(
    "instances",
    metadata,
    Column("domain", String(255), primary_key=True),
    # allow, silence, suspend, or none: what the admins decided for this domain.
    Column("policy", String(10), nullable=False, server_default="none"),
    _flag("reject_media"),
    Column("public_comment", Text, nullable=False, server_default=""),
    Column("private_comment", Text, nullable=False, server_default=""),
    Column("software", String(100)),
    Column("version", String(100)),
    Column("signature_scheme", String(20)),  # which HTTP signature scheme the peer accepted
    _count("failure_count"),
    Column("last_success_at", BigInteger),
    Column("unavailable_since", BigInteger),
    _created(),
    Column("updated_at", BigInteger, nullable=False),
)

groups = Table(
    "groups",
    metadata,
    Column(
        "account_id", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("privacy", String(10), nullable=False, server_default="internal"),
    Column("partner_domains", Text, nullable=False, server_default="[]"),
    _flag("moderators_only_start_threads"),
    Column("created_by_account_id", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")),
    _created(),
)

group_memberships = Table(
    "group_memberships",
    metadata,
    _id(),
    _ref("group_account_id", "accounts"),
    _ref("account_id", "accounts"),
    Column("role", String(10), nullable=False, server_default="member"),
    Column("state", String(10), nullable=False, server_default="member"),  # pending, member, banned
    _created(),
    UniqueConstraint("group_account_id", "account_id"),
)
Index("ix_group_memberships_account_id", group_memberships.c.account_id)

jobs = Table(
    "jobs",
    metadata,
    _id(),
    Column("name", String(100), nullable=False),
    Column("payload", Text, nullable=False),
    Column("state", String(10), nullable=False, server_default="queued"),  # queued, running, failed
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("max_attempts", Integer, nullable=False),
    Column("run_at", BigInteger, nullable=False),
    Column("locked_until", BigInteger),
    Column("locked_by", String(200)),
    Column("last_error", Text),
    _created(),
)
Index("ix_jobs_state_run_at", jobs.c.state, jobs.c.run_at)

received_activities = Table(
    "received_activities",
    metadata,
    _id(),
    Column("ap_id", Text, nullable=False, unique=True),
    Column("ap_type", String(50), nullable=False),
    Column("actor_uri", Text, nullable=False),
    Column("ap_raw", Text, nullable=False),
    Column("processed_at", BigInteger),
    _created(),
)

audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("account_id", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("actor", String(200), nullable=False),  # who: an account handle, or "cli"
    Column("action", String(100), nullable=False),
    Column("target_type", String(50)),
    Column("target", Text),
    Column("data", Text, nullable=False, server_default="{}"),
    _created(),
)
Index("ix_audit_log_created_at", audit_log.c.created_at)

account_notes = Table(
    "account_notes",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    _ref("target_account_id", "accounts"),
    Column("comment", Text, nullable=False),
    _created(),
    UniqueConstraint("account_id", "target_account_id"),
)

# A client's Idempotency-Key for POST /api/v1/statuses: the same key gives the same status.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("key", String(200), nullable=False),
    _ref("status_id", "statuses"),
    _created(),
    UniqueConstraint("account_id", "key"),
)

# Each local account's home timeline, filled when a status is posted (fan-out on write), so
# that reading a page is one range scan of the primary key instead of a query over follows.
# Only the primary key is indexed and nothing is a foreign key: every further index or check
# is paid once per follower and post (see fediverse/feeds.py; PostgreSQL's check of
# account_id cost 1.4 ms a post, 20% of posting on the large dataset). A feed belongs to a
# local account, and accounts are never deleted. Rows whose status is gone are skipped by
# the join that reads the feed.
home_feed = Table(
    "home_feed",
    metadata,
    Column("account_id", BigInteger, nullable=False),
    Column("status_id", BigInteger, nullable=False),
    Column("author_account_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "status_id"),
    sqlite_with_rowid=False,
)

# Local posts whose followers' home feeds are still to be filled (fediverse/feeds.py): a post
# writes one row here instead of one per follower, and the feeds are filled in batches, in
# the order of the feed's key, so that a page of a feed is written once for many posts.
# Until then the home timeline reads these rows as well, so no reader sees the difference.
feed_pending = Table(
    "feed_pending",
    metadata,
    Column(
        "status_id",
        BigInteger,
        ForeignKey("statuses.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("author_account_id", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

# --- Web app (issue 8) ----------------------------------------------------------------------
# A problem with accessibility, reported from the accessibility statement page (DOS-lagen
# requires a way to report one); signed in or not, so ``account_id`` may be NULL.
accessibility_reports = Table(
    "accessibility_reports",
    metadata,
    _id(),
    _ref("account_id", "accounts", nullable=True),
    Column("page", Text, nullable=False, server_default=""),
    Column("description", Text, nullable=False),
    Column("contact", String(320), nullable=False, server_default=""),
    Column("handled_at", BigInteger),
    _created(),
)

# Failed sign-ins by network address, for the limit on attempts (fediverse.sign_in_limits);
# rows older than its window are deleted as new ones come.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    _id(),
    Column("address", String(100), nullable=False),
    _created(),
)
Index(
    "ix_sign_in_failures_address_created_at",
    sign_in_failures.c.address,
    sign_in_failures.c.created_at,
)
Index("ix_sign_in_failures_created_at", sign_in_failures.c.created_at)

# The kinds of notification a member turned off in the web app's settings: none is written.
notification_types_off = Table(
    "notification_types_off",
    metadata,
    _ref("account_id", "accounts"),
    Column("type", String(30), nullable=False),
    PrimaryKeyConstraint("account_id", "type"),
)


# --- Moderation (issue 6.5) -----------------------------------------------------------------
# A report about an account (and some of its statuses), by a local user or from another server
# (a Flag, whose id is kept in ``uri``). Resolved when ``action_taken_at`` is set.
reports = Table(
    "reports",
    metadata,
    _id(),
    _ref("account_id", "accounts"),  # who reported: a local account, or a remote actor
    _ref("target_account_id", "accounts"),
    Column("status_ids", Text, nullable=False, server_default="[]"),
    Column("rule_ids", Text, nullable=False, server_default="[]"),
    Column("comment", Text, nullable=False, server_default=""),
    Column("category", String(20), nullable=False, server_default="other"),
    _flag("forwarded"),
    Column("uri", Text, unique=True),
    _ref("assigned_account_id", "accounts", nullable=True, cascade=False),
    Column("action_taken_at", BigInteger),
    _ref("action_taken_by_account_id", "accounts", nullable=True, cascade=False),
    _created(),
    Column("updated_at", BigInteger, nullable=False),
)
Index("ix_reports_target_account_id", reports.c.target_account_id)
Index("ix_reports_action_taken_at_id", reports.c.action_taken_at, reports.c.id)


# --- Client API part 2 (issue 7) ------------------------------------------------------------
# Where a user stopped reading a timeline (home, notifications), shared by their apps.
markers = Table(
    "markers",
    metadata,
    _ref("account_id", "accounts"),
    Column("timeline", String(20), nullable=False),
    Column("last_read_id", BigInteger, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("updated_at", BigInteger, nullable=False),
    PrimaryKeyConstraint("account_id", "timeline"),
)

lists = Table(
    "lists",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("title", String(200), nullable=False),
    Column("replies_policy", String(10), nullable=False, server_default="list"),
    _flag("exclusive"),
    _created(),
)
Index("ix_lists_account_id", lists.c.account_id)

list_accounts = Table(
    "list_accounts",
    metadata,
    _id(),
    _ref("list_id", "lists"),
    _ref("account_id", "accounts"),
    _created(),
    UniqueConstraint("list_id", "account_id"),
)
Index("ix_list_accounts_account_id", list_accounts.c.account_id)

# Filters v2: a filter has keywords and statuses, applies in some contexts, warns or hides.
filters = Table(
    "filters",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("title", String(200), nullable=False),
    Column("context", Text, nullable=False, server_default="[]"),  # JSON list
    Column("action", String(10), nullable=False, server_default="warn"),
    Column("expires_at", BigInteger),
    _created(),
)
Index("ix_filters_account_id", filters.c.account_id)

filter_keywords = Table(
    "filter_keywords",
    metadata,
    _id(),
    _ref("filter_id", "filters"),
    Column("keyword", String(200), nullable=False),
    _flag("whole_word", default=True),
    _created(),
)
Index("ix_filter_keywords_filter_id", filter_keywords.c.filter_id)

filter_statuses = Table(
    "filter_statuses",
    metadata,
    _id(),
    _ref("filter_id", "filters"),
    _ref("status_id", "statuses"),
    _created(),
    UniqueConstraint("filter_id", "status_id"),
)

tag_follows = Table(
    "tag_follows",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    _ref("tag_id", "tags"),
    _created(),
    UniqueConstraint("account_id", "tag_id"),
)
Index("ix_tag_follows_tag_id", tag_follows.c.tag_id)

# Domains a user hides (their accounts' posts and notifications), as Mastodon's domain_blocks.
account_domain_blocks = Table(
    "account_domain_blocks",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("domain", String(255), nullable=False),
    _created(),
    UniqueConstraint("account_id", "domain"),
)

# Accounts a user features on their profile (endorsements).
account_pins = _account_pair("account_pins", "target_account_id")

# What a user did to a direct conversation: read up to a status, or removed it from the list.
conversation_marks = Table(
    "conversation_marks",
    metadata,
    _ref("account_id", "accounts"),
    Column("conversation_id", BigInteger, nullable=False),
    Column("last_read_status_id", BigInteger, nullable=False, server_default=text("0")),
    Column("hidden_before_id", BigInteger, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("account_id", "conversation_id"),
)

# Instance announcements, made by admins; who read (dismissed) each, and reactions to it.
announcements = Table(
    "announcements",
    metadata,
    _id(),
    Column("text", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("starts_at", BigInteger),
    Column("ends_at", BigInteger),
    _flag("all_day"),
    _flag("published", default=True),
    Column("created_by_account_id", BigInteger, ForeignKey("accounts.id", ondelete="SET NULL")),
    _created(),
    Column("updated_at", BigInteger, nullable=False),
)

announcement_reads = Table(
    "announcement_reads",
    metadata,
    _ref("announcement_id", "announcements"),
    _ref("account_id", "accounts"),
    _created(),
    PrimaryKeyConstraint("announcement_id", "account_id"),
)

announcement_reactions = Table(
    "announcement_reactions",
    metadata,
    _ref("announcement_id", "announcements"),
    _ref("account_id", "accounts"),
    Column("name", String(100), nullable=False),
    _created(),
    PrimaryKeyConstraint("announcement_id", "account_id", "name"),
)

# A status to post later; a durable job (fediverse.jobs) posts it at ``scheduled_at``.
scheduled_statuses = Table(
    "scheduled_statuses",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    Column("scheduled_at", BigInteger, nullable=False),
    Column("params", Text, nullable=False),  # JSON: what POST /api/v1/statuses was sent
    Column("media_ids", Text, nullable=False, server_default="[]"),
    _created(),
)
Index("ix_scheduled_statuses_account_id", scheduled_statuses.c.account_id)

# Accounts a user asked not to be suggested to them again (DELETE /api/v1/suggestions/:id).
suggestion_dismissals = Table(
    "suggestion_dismissals",
    metadata,
    _ref("account_id", "accounts"),
    _ref("target_account_id", "accounts"),
    _created(),
    PrimaryKeyConstraint("account_id", "target_account_id"),
)

# Hashtags a user features on their profile.
featured_tags = Table(
    "featured_tags",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    _ref("tag_id", "tags"),
    _created(),
    UniqueConstraint("account_id", "tag_id"),
)

# Web Push subscriptions: one per access token, as Mastodon keeps them.
push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    _id(),
    _ref("account_id", "accounts"),
    _ref("token_id", "oauth_tokens"),
    Column("endpoint", Text, nullable=False),
    Column("key_p256dh", String(200), nullable=False),
    Column("key_auth", String(100), nullable=False),
    Column("alerts", Text, nullable=False, server_default="{}"),  # JSON: type -> bool
    Column("policy", String(10), nullable=False, server_default="all"),
    # The subscribing token, encrypted with a key derived from SECRET_KEY: Mastodon's push
    # payload carries it, and only its hash is kept with the token itself.
    Column("access_token_sealed", Text),
    _created(),
    UniqueConstraint("token_id"),
)
Index("ix_push_subscriptions_account_id", push_subscriptions.c.account_id)
