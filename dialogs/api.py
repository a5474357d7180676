"""Everything the host (``bot/``) uses of the dialogs layer, in one place.

``bot/`` imports ``dialogs`` only through this module (tests/test_architecture.py checks it), so
the dialogs' insides can move without touching the host, and what the host relies on is this
list. The contract itself (what the host gives and gets) is described in :mod:`dialogs.root`.
"""

from __future__ import annotations

from dialogs.alerts import alert_card
from dialogs.cards import CardReply, card_activity, shared_card_json, welcome_card
from dialogs.nlu import router
from dialogs.nlu.i18n import detect_language
from dialogs.nlu.recognizer import recognize
from dialogs.root import apology_text, create_root_dialog, state_reset_text, tenant_refusal_text
from dialogs.turn import TurnLanguage, tenant_id_of

__all__ = [
    "CardReply",
    "TurnLanguage",
    "alert_card",
    "apology_text",
    "card_activity",
    "create_root_dialog",
    "detect_language",
    "shared_card_json",
    "state_reset_text",
    "tenant_id_of",
    "tenant_refusal_text",
    "warm_understanding",
    "welcome_card",
]


def warm_understanding() -> None:
    """Do once, at start (the host calls it on a thread), what the first message would otherwise
    pay for on the event loop: train the learned router (~0.3 s) and load the recognizer's
    lexicon and the fact search index (measured: the first question of fact after start went
    from ~400 ms to ~30 ms on a loaded machine, bench/records/router2_scores.md)."""
    recognize("what does the Domestic Calling Plan include?")  # first what every turn needs (not the router)
    router.warm()
