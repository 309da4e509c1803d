"""SQL functions that mean the same on both databases.

``fold(x)`` lower-cases text for case-insensitive matching. PostgreSQL's ``lower()`` folds
every alphabet; SQLite's folds only A-Z, so "Åsa" would never match "åsa". On SQLite it is
a function of our own, registered on every connection the store opens.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

SQLITE_FOLD = "kollegium_fold"
# quote(x): x percent-encoded for a URL path, as urllib.parse.quote does (SQLite only; the
# PostgreSQL side is an expression, in web.mastodon.serializers.sqljson).
SQLITE_QUOTE = "kollegium_quote"


class fold(GenericFunction[str]):
    type = Text()
    inherit_cache = True


@compiles(fold)
def _fold_default(element: fold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_sqlite(element: fold, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


def fold_text(value: object) -> object:
    """The SQLite side of ``fold``: Python's full Unicode lower-casing."""
    return value.lower() if isinstance(value, str) else value


def quote_text(value: object) -> object:
    """The SQLite side of ``quote``: urllib's percent-encoding of a URL path."""
    return quote(value) if isinstance(value, str) else value
