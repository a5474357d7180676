"""Round dialogs10 (issue 12): the borders between kinds that heldout10 and dialogs_dev11 showed.

Each fix is tested end to end (the real app factory over loopback HTTP, through the held-out
harness: demo tenant, injected clock, replies read as a person reads Teams) in both languages,
beside look-alikes that must keep their kind. New phrasings, none copied from a set:

* plans named FOR a place, with no question asked ("calling plans for Latvia please") start the
  purchase; "are calling plans sold in Latvia?" stays the availability fact;
* a pick asked for our users in a country ("which calling plan for our staff in Latvia?") is a
  purchase; the same question naming a plan ("PAYG for our users in Latvia: which zone?") a fact;
* a seat count on a named plan with the pool, the included minutes or the phone numbers asked
  ("45 people in Norway on the Domestic plan, total pooled minutes?") is the calculation fact,
  not a purchase; the same seats without that ("45 domestic plan users in Norway") stay one;
* inside the number check, a question after an opener ("hang on, ...") is answered aside, a UPN
  typed with the number is the caller (looked up, then the verdict), and "the caller is <UPN>"
  at the number question is the caller, not a Teams user to call (a bare UPN still is one);
* after a pool card, a question about "it" nothing else understood is asked about the pool ("how
  often is it topped up?"); the same words with no pool before stay not understood; a pool "about
  to run out" ("bientôt épuisé") is the tenant's pool now, while a mail "when the pool is almost
  used up" stays the fact;
* a seat count of people named by their job ("20 teachers on A5 in Portugal") is a seat count,
  so the purchase is recommended for them instead of a fact answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.nlu import questions
from dialogs.nlu.entities import extract
from dialogs.nlu.recognizer import Intent, recognize
from testkit.dev_floors import conversation_item as _conv
from testkit.dev_floors import items_misses
from testkit.dev_floors import one_item as _one

pytestmark = pytest.mark.usefixtures("local_mode")

PARTIAL = ["prompt_users", "prompt_international", "prompt_licence"]


ITEMS: dict[str, list[dict[str, Any]]] = {
    "en": [
        _conv(
            "plans-for-a-place-please",
            ("calling plans for Latvia please", PARTIAL, ["Latvia"]),
            ("18", ["prompt_international", "prompt_licence"], [r"Latvia|\b18\b"]),
        ),
        _one("plans-for-a-place", "purchase", "Calling Plans for Lithuania", PARTIAL, ["Lithuania"]),
        _one("sold-in-a-place", "fact", "are calling plans sold in Latvia?", "fact", ["Latvia"], link=True),
        _one("pick-for-our-staff", "purchase", "which calling plan for our staff in Latvia", PARTIAL, ["Latvia"]),
        _one("plan-named-for-our-users", "fact", "PAYG for our users in Latvia: which zone?", "fact", ["Zone 2"]),
        _one(
            "seats-on-a-plan-pool",
            "fact",
            "45 people in Norway on the Domestic plan, total pooled minutes?",
            "fact",
            [r"54[,.\s\u202f\u00a0]?000"],
            link=True,
        ),
        _one(
            "seats-included-minutes",
            "fact",
            "how many included minutes do 12 D&I licences give in Austria",
            "fact",
            [r"14[,.\s\u202f\u00a0]?400"],
            link=True,
        ),
        _one(
            "seats-phone-numbers",
            "fact",
            "if we take 20 D&I licences how many phone numbers do we get",
            "fact",
            [r"\b32\b"],
            link=True,
        ),
        _one(
            "seats-on-a-plan-purchase",
            "purchase",
            "45 domestic plan users in Norway on E5",
            "recommendation",
            ["Norway", r"\b45\b"],
        ),
        _conv(
            "aside-after-an-opener-then-upn-and-number",
            ("verify a phone number", "prompt_number", ["number"]),
            ("hang on, are calls between teams users free?", "fact", ["free"]),
            ("ines.williams@contoso.com to +39 02 8765 4321", "verdict", ["✅"]),
        ),
        _conv(
            "caller-said-at-the-number",
            ("can one of our users dial a number in Italy?", ["prompt_number", "prompt_caller"], ["number"]),
            ("the caller is dorian.fischer@contoso.com", "prompt_number", ["Italy"]),
            ("+39 02 8765 4321", "verdict", ["💳"]),
        ),
        _conv(
            "bare-upn-at-the-number-is-the-callee",
            ("verify a phone number", "prompt_number", ["number"]),
            ("alice.martin@contoso.com", "prompt_caller", ["caller"]),  # the callee: who calls is asked
        ),
        _conv(
            "it-after-a-pool",
            ("how many minutes are left in germany", "pool", ["Germany"]),
            ("when is it reset?", "fact", ["month"]),
        ),
        _one(
            "mail-when-almost-out",
            "fact",
            "does microsoft send an email when the pool is almost used up?",
            "fact",
            ["80|no|not"],
        ),
        _one(
            "seats-by-job",
            "purchase",
            "15 nurses on E5 in Ireland, domestic only, which plan",
            "recommendation",
            ["Ireland", r"\b15\b"],
        ),
    ],
    "fr": [
        _conv(
            "plans-for-a-place-please",
            ("des forfaits pour la Lettonie stp", PARTIAL, ["Lettonie|Latvia"]),
            ("18", ["prompt_international", "prompt_licence"], [r"Lettonie|Latvia|\b18\b"]),
        ),
        _one("plans-for-a-place", "purchase", "forfaits d'appel pour la Lituanie", PARTIAL, ["Lituanie|Lithuania"]),
        _one("sold-in-a-place", "fact", "les forfaits sont vendus en Lettonie ?", "fact", ["Lettonie"], link=True),
        _one("pick-for-our-staff", "purchase", "quel forfait pour nos salariés en Lettonie", PARTIAL, ["Lettonie"]),
        _one(
            "seats-on-a-plan-pool",
            "fact",
            "45 personnes en Norvège sur le forfait national, total des minutes mutualisées ?",
            "fact",
            [r"54[,.\s\u202f\u00a0]?000"],
            link=True,
        ),
        _one(
            "seats-included-minutes",
            "fact",
            "12 licences national et international en Autriche, combien de minutes incluses ?",
            "fact",
            [r"14[,.\s\u202f\u00a0]?400"],
            link=True,
        ),
        _one(
            "seats-on-a-plan-purchase",
            "purchase",
            "45 users E5 en forfait national en Norvège",
            "recommendation",
            ["Norv[èe]ge|Norway", r"\b45\b"],
        ),
        _conv(
            "aside-after-an-opener-then-upn-and-number",
            ("vérifie un numéro de téléphone", "prompt_number", ["numéro"]),
            ("attendez, les appels entre utilisateurs teams sont gratuits ?", "fact", ["gratuit"]),
            ("ines.williams@contoso.com vers le +39 02 8765 4321", "verdict", ["✅"]),
        ),
        _conv(
            "caller-said-at-the-number",
            ("un de nos users peut composer un numéro en Italie ?", ["prompt_number", "prompt_caller"], ["numéro"]),
            ("l'appelant est dorian.fischer@contoso.com", "prompt_number", ["Italie"]),
            ("+39 02 8765 4321", "verdict", ["💳"]),
        ),
        _conv(
            "it-after-a-pool",
            ("combien de minutes il reste en allemagne", "pool", ["Allemagne"]),
            ("ça repart à zéro quand ?", "fact", ["mois"]),
        ),
        _one("pool-about-to-run-out", "pool", "notre pool allemagne est bientôt épuisé ?", "pool", ["Allemagne"]),
        _one(
            "seats-by-job",
            "purchase",
            "12 professeurs en A5 en Belgique, appels nationaux seulement, quel forfait",
            "recommendation",
            ["Belgique|Belgium", r"\b12\b"],
        ),
    ],
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_the_borders_between_kinds_hold_over_http(lang):
    misses = await items_misses(lang, ITEMS[lang])
    assert misses is None, misses


def _is_place(words: list[str]) -> bool:
    return bool(extract(" ".join(words)).entities.countries)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("calling plans for croatia", True),
        ("des forfaits pour l espagne", True),
        ("plans for the united kingdom", True),
        ("plans for new zealand", True),
        ("calling plans for our users in austria", False),  # people first, not a place after "for"
        ("calling plans in greece", False),
        ("plans for 20 users", False),
    ],
)
def test_a_place_after_for_is_read_only_right_after_it(text, named):
    assert questions.place_after_for(text.split(), _is_place) is named


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("calling plans for Spain please", Intent.PURCHASE),
        ("calling plans in Spain, please?", Intent.FACT),  # a question: "please" does not make it a request
        ("30 domestic licences for spain", Intent.PURCHASE),
        ("30 people on the 240 plan in Spain, combined minutes", Intent.FACT),
    ],
)
def test_please_and_a_calculation_decide_the_kind(text, intent):
    assert recognize(text).intent == intent
