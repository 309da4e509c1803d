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
    # Groups (fediverse.groups, .groups_model), shown on the group pages.
    N_("Only moderators of this group may do this"),
    N_("Only moderators of this group may see this"),
    N_("This group's posts are for its members only"),
    N_("You are banned from this group"),
    N_("Only members of this group may post to it"),
    N_("Only moderators may start threads in this group"),
    N_("A moderator cannot be banned; remove the role first"),
    N_("No such join request"),
    N_("Not a member of this group"),
    N_("No such post in this group"),
    N_("a federated group cannot become internal"),
    N_("Only local staff may do this"),
    N_("name must be 1-30 characters: lower-case letters a-z, digits and underscores"),
    # Administration (fediverse.user_roles, .moderation, .departments), on the admin pages.
    N_("The last administrator cannot lose the role"),
    N_("Validation failed: You cannot take action on your own account"),
    N_("Validation failed: Remove or move its units first"),
    N_("Validation failed: Name can't be blank"),
    N_("Validation failed: A department cannot be inside itself"),
    N_("Validation failed: phone may hold digits, spaces and + ( ) - only"),
)
