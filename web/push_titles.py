"""The titles of Web Push notifications, in the recipient's language.

Federation sends the pushes but knows no user-facing text: the web layer hands it
``push_title`` when it builds the job registry. The titles are gettext messages of the web
app's catalogues (``web/locale``).
"""

from __future__ import annotations

from web.ui.i18n import LOCALES, translations
from web.ui.messages import N_

TITLES = {
    "mention": N_("{name} mentioned you"),
    "status": N_("{name} just posted"),
    "reblog": N_("{name} boosted your post"),
    "follow": N_("{name} followed you"),
    "follow_request": N_("{name} requested to follow you"),
    "favourite": N_("{name} favourited your post"),
    "poll": N_("A poll has ended"),
    "update": N_("{name} edited a post"),
    "admin.sign_up": N_("{name} signed up"),
    "admin.report": N_("{name} filed a report"),
}


def push_title(locale: str, kind: str, name: str) -> str:
    """The title of a push about a ``kind`` notification from ``name``."""
    message = TITLES.get(kind)
    if message is None:
        return name
    language = locale if locale in LOCALES else "sv"
    return translations(language).gettext(message).format(name=name)
