"""Questions the fact tests ask, kept in one place for the HTTP tests and the Playground e2e.

``BETWEEN_FACTS``: a question that falls between facts, so the bot offers the closest questions
("Did you mean...") instead of answering. As the fact base grows, such a question may become
answerable (it happened twice: "freephone numbers", then "why do some numbers fail?"); change it
here and both the HTTP test and the e2e scenario follow.
"""

from __future__ import annotations

BETWEEN_FACTS = {
    "en": "why do some calls fail?",
    "fr": "pourquoi certains appels ne passent pas ?",
}
