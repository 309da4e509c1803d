"""Errors of the domain. Each carries an HTTP status and a message safe to show::

    KollegiumError (500)
    ├── SettingsError (500)         a setting is missing or has a wrong value
    ├── StorageError (500)          the database is unreachable or not migrated
    ├── ValidationError (422)       input is well-formed but not acceptable
    ├── BadRequestError (400)       input is malformed
    ├── NotFoundError (404)         no such record, or the viewer may not see it
    ├── ConflictError (409)         the record exists already
    ├── ForbiddenError (403)        the actor may not do this
    └── JobError (500)              a job cannot be enqueued or has no handler

Only ``web/`` turns these into responses.
"""

from __future__ import annotations


class KollegiumError(Exception):
    """Base of every domain error; ``status`` is the HTTP status web/ answers with."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SettingsError(KollegiumError):
    """A setting is missing or has a wrong value; the message names the variable."""


class StorageError(KollegiumError):
    """The database is unreachable, misconfigured or not migrated."""


class ValidationError(KollegiumError):
    status = 422


class BadRequestError(KollegiumError):
    status = 400


class NotFoundError(KollegiumError):
    status = 404


class ConflictError(KollegiumError):
    status = 409


class ForbiddenError(KollegiumError):
    status = 403


class JobError(KollegiumError):
    """A job cannot be enqueued or has no registered handler."""
