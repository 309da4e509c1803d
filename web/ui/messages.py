"""Domain error messages a person may meet in the web app, marked so that Babel extracts
them: the domain speaks English (as the API does), the page translates what it shows."""

from __future__ import annotations


def N_(message: str) -> str:  # the gettext convention: mark for extraction, do not translate
    return message


# Shown by both sign-in pages (the web app's and the OAuth consent page's) when an address
# has failed too often (fediverse.sign_in_limits).
TOO_MANY_ATTEMPTS = N_(
    "Too many failed sign-ins from your network. Wait a few minutes and try again."
)

DOMAIN_MESSAGES = (
    N_("Validation failed: Text can't be blank"),
    N_("Validation failed: Text character limit of 500 exceeded"),
    N_("Validation failed: Poll options must be different"),
    N_("Validation failed: Display name is too long (maximum is 30 characters)"),
    N_("Validation failed: Note is too long (maximum is 500 characters)"),
    N_("Record not found"),
    N_("Authorization code"),
    N_("Something is wrong with the sign-in request"),
    N_("More posts loaded"),
    N_("This action is not allowed"),
    N_("You cannot follow yourself"),
    N_("Describe the problem"),
    N_("Validation failed: File content type is invalid or the image is broken"),
    N_("Validation failed: File content type is invalid"),
)
