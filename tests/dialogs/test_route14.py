"""Round route14 (issue 12, heldout13's kind misses): the kind chosen for a message.

Each rule is tested end to end (the real app factory over loopback HTTP, through the held-out
harness: demo tenant, injected clock, replies read as a person reads Teams) in both languages,
with wordings written for this round (none copied from a set), beside look-alikes that keep
their kind:

* a pool lookup that asks how the pool stands now ("le pool national de la France, on en est
  où", "how's our UK international pool doing") stays a pool lookup: the learned router no
  longer overrules it (the rules already kept it from retrieval);
* "minutes dispo" asks about the tenant's minutes now (a pool lookup), as "minutes restantes";
* "once" opens a condition ("will calls stop once our minutes run out?"): its tenant words
  ("our minutes", "will") ask what the rules do, not what the pool says now;
* a pool "shared between / mutualisé entre" countries asks how pools work (one per country and
  plan), not for the tenant's pool; "what's left in our pool shared between..." stays a lookup.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.nlu.recognizer import Intent, recognize
from testkit.dev_floors import items_misses
from testkit.dev_floors import one_item as _one

pytestmark = pytest.mark.usefixtures("local_mode")


ITEMS: dict[str, list[dict[str, Any]]] = {
    "en": [
        _one("status-doing", "pool", "how's the international pool in the UK doing", "pool", ["United Kingdom|UK"]),
        _one(
            "once-run-out",
            "fact",
            "do outbound calls stop once our calling minutes run out?",
            "fact",
            [r"pay-as-you-go|Communications Credits|overage|cannot|can't|stop"],
        ),
        _one(
            "shared-between",
            "fact",
            "is the minute pool shared between Spain and Portugal?",
            "fact",
            [r"country|countries"],
        ),
    ],
    "fr": [
        _one("status-en-est-ou", "pool", "le pool national de la France, il en est où", "pool", ["France"]),
        _one("minutes-dispo", "pool", "combien de minutes dispo sur le pool D&I en Italie ?", "pool", ["Italie"]),
        _one(
            "mutualise-entre",
            "fact",
            "le pool de minutes est-il mutualisé entre la Belgique et les Pays-Bas ?",
            "fact",
            [r"pays"],
        ),
    ],
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_kinds_over_http(lang):
    misses = await items_misses(lang, ITEMS[lang])
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("how many minutes are left in our pool shared between France and Spain?", "en", Intent.POOL),
        ("minutes restantes sur le pool mutualisé entre la France et l'Espagne", "fr", Intent.POOL),
        ("how many minutes have we used this month in Canada?", "en", Intent.POOL),
        ("pool for Germany", "en", Intent.POOL),
        ("what happens when the pool runs out?", "en", Intent.FACT),
        ("le forfait national est-il disponible en Suisse ?", "fr", Intent.FACT),
    ],
)
def test_look_alikes_keep_their_reading(text, lang, intent):
    assert recognize(text, lang).intent == intent
