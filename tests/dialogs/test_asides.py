"""Round asides (issue 12 item 3): inside a dialog, a message of another kind is answered and the
dialog resumes at its step; a correction updates its slot; a value out of range gets a re-prompt
that says why, never a switch of dialog. At every prompt of the guided purchase (countries, users,
international) and of the number check (number, caller, plan), in both languages.

The conversations run through the real app factory (``bot.app.create_app``) over loopback HTTP
with the held-out harness (:mod:`bench.heldout_eval`: demo tenant, injected clock) and are read as
a person reads Teams: the kind of each reply and its visible text. They are new phrasings of what
this round fixed (none copied from ``dialogs_dev10``): a bare number after a correction cue
corrects the seat count; a country taken back ("not Austria") leaves the purchase; "minus 5"
users is out of range; "they call Germany" answers "do they call abroad?"; a correction at the
number check changes its number or the caller's country. Beside them, the prompts' asides that
already held (a question of fact, a cancel), so a later change cannot lose them.
"""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.nlu.answers import Answer, read_calls_abroad, read_users, why_not_users
from dialogs.nlu.entities import extract_entities
from dialogs.nlu.slots import negated_countries, purchase_change
from testkit.dev_floors import items_misses

pytestmark = pytest.mark.usefixtures("local_mode")

PLAN = ["prompt_plan", "prompt_caller"]  # "Which Calling Plan does the caller have?" names the caller


def _turn(text: str, kind: str | list[str], has: list[str], lacks: list[str] | None = None) -> dict[str, Any]:
    return {"text": text, "expect": {"kind": kind, "has": has, "lacks": lacks or []}}


def _conv(item_id: str, *turns: dict[str, Any]) -> dict[str, Any]:
    return {"id": item_id, "category": "conversation", "turns": list(turns)}


ITEMS: dict[str, list[dict[str, Any]]] = {
    "en": [
        _conv(
            "count-corrected-at-scope",
            _turn("calling plans for 30 people in Italy", "prompt_international", ["abroad"]),
            _turn("sorry, 45", "prompt_international", ["abroad"], ["Recommended plan"]),
            _turn("nope", "recommendation", ["Italy", r"\b45\b"], [r"\b30\b"]),
        ),
        _conv(
            "country-taken-back",
            _turn("which plan for our team in Denmark, domestic only", "prompt_users", ["users"]),
            _turn("actually Norway, not Denmark", "prompt_users", ["Norway"], [r"users in Denmark"]),
            _turn("12", "recommendation", ["Norway", r"\b12\b"], ["Denmark", r"Buy 24"]),
        ),
        _conv(
            "minus-users",
            _turn("plan for the Finland office, no international calls", "prompt_users", ["users"]),
            _turn("minus 8", "prompt_users", [r"-8"], ["Recommended plan"]),
            _turn("8", "recommendation", ["Finland", r"\b8\b"]),
        ),
        _conv(
            "calls-other-countries",
            _turn("plan for 15 users in Switzerland", "prompt_international", ["abroad"]),
            _turn(
                "they mostly call Germany and Austria", "recommendation", ["Switzerland", "Domestic and International"]
            ),
        ),
        _conv(
            "number-corrected-at-caller",
            _turn("is +33 1 42 68 53 00 reachable?", "prompt_caller", ["caller|user"]),
            _turn("oops, the number is +39 06 1234 5678", "prompt_caller", ["caller|user"], ["can be called"]),
            _turn("alice.martin@contoso.com", "verdict", [r"39 06", r"international"], [r"33 1 42"]),
        ),
        _conv(
            "caller-country-corrected-at-plan",
            _turn("can a user in Spain call +49 30 1234567?", PLAN, ["Calling Plan"]),
            _turn("actually the caller is in Germany", PLAN, ["Calling Plan"], ["can be called"]),
            _turn("domestic", "verdict", [r"domestic", r"Germany"], [r"international call"]),
        ),
        _conv(
            "fact-at-users",
            _turn("plan for the Portugal office, domestic calls only", "prompt_users", ["users"]),
            _turn("are Teams to Teams calls free?", "fact", [r"free", r"how many users"]),
            _turn("9", "recommendation", ["Portugal", r"\b9\b"]),
        ),
        _conv(
            "cancel-at-number",
            _turn("can alice.martin@contoso.com call a number?", "prompt_number", ["number"]),
            _turn("forget it", "cancelled", ["cancel"]),
        ),
    ],
    "fr": [
        _conv(
            "count-corrected-at-scope",
            _turn("forfaits pour 30 personnes en Italie", "prompt_international", ["étranger"]),
            _turn("pardon, 45", "prompt_international", ["étranger"], ["Forfait recommandé"]),
            _turn("non", "recommendation", ["Italie", r"\b45\b"], [r"\b30\b"]),
        ),
        _conv(
            "country-taken-back",
            _turn(
                "forfait pour notre équipe au Danemark, appels nationaux seulement", "prompt_users", ["utilisateurs"]
            ),
            _turn("en fait la Norvège, pas le Danemark", "prompt_users", ["Norvège"], [r"pays : Danemark"]),
            _turn("12", "recommendation", ["Norvège", r"\b12\b"], ["Danemark", r"Achetez 24"]),
        ),
        _conv(
            "minus-users",
            _turn("forfait pour le bureau de Finlande, pas d'appels internationaux", "prompt_users", ["utilisateurs"]),
            _turn("moins 8", "prompt_users", [r"-8"], ["Forfait recommandé"]),
            _turn("8", "recommendation", ["Finlande", r"\b8\b"]),
        ),
        _conv(
            "calls-other-countries",
            _turn("forfait pour 15 utilisateurs en Suisse", "prompt_international", ["étranger"]),
            _turn("ils appellent surtout l'Allemagne et l'Autriche", "recommendation", ["Suisse", "internationaux"]),
        ),
        _conv(
            "number-corrected-at-caller",
            _turn("le +33 1 42 68 53 00 est-il joignable ?", "prompt_caller", ["appelant|utilisateur"]),
            _turn("oups, le numéro c'est le +39 06 1234 5678", "prompt_caller", ["appelant|utilisateur"]),
            _turn("alice.martin@contoso.com", "verdict", [r"39 06", r"international"], [r"33 1 42"]),
        ),
        _conv(
            "caller-country-corrected-at-plan",
            _turn("un utilisateur en Espagne peut-il appeler le +49 30 1234567 ?", PLAN, ["forfait"]),
            _turn("en fait l'appelant est en Allemagne", PLAN, ["forfait"], ["peut être appelé"]),
            _turn("national", "verdict", [r"national", r"Allemagne"], [r"appel international"]),
        ),
        _conv(
            "fact-at-users",
            _turn("forfait pour le bureau du Portugal, appels nationaux seulement", "prompt_users", ["utilisateurs"]),
            _turn("les appels de Teams à Teams sont-ils gratuits ?", "fact", [r"gratuit", r"combien d'utilisateurs"]),
            _turn("9", "recommendation", ["Portugal", r"\b9\b"]),
        ),
        _conv(
            "cancel-at-number",
            _turn("alice.martin@contoso.com peut-elle appeler un numéro ?", "prompt_number", ["numéro"]),
            _turn("laisse tomber", "cancelled", ["annul"]),
        ),
    ],
}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_asides_and_corrections_at_every_prompt_hold_over_http(lang):
    misses = await items_misses(lang, ITEMS[lang])
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "taken_back"),
    [
        ("actually Norway, not Denmark", {"DK"}),
        ("en fait la Norvège, pas le Danemark", {"DK"}),
        ("Norway and Denmark", set()),
        ("Norway but not Denmark", {"DK"}),
    ],
)
def test_a_country_after_not_is_taken_back(text, taken_back):
    assert negated_countries(text) == taken_back


def test_a_correction_keeps_the_countries_not_taken_back():
    text = "actually it's Norway, not Denmark"
    assert purchase_change(text, extract_entities(text))["countries"] == ["NO"]
    both = "Norway and Denmark"
    assert sorted(purchase_change(both, extract_entities(both))["countries"]) == ["DK", "NO"]


@pytest.mark.parametrize("text", ["minus 5", "moins 5", "-5", "negative 3"])
def test_a_negative_count_is_no_count_and_the_retry_says_the_range(text):
    answer = Answer(value=None, text=text)
    assert read_users(answer) is None
    reason = why_not_users(answer)
    assert reason is not None and reason[0] == "reason.users_range" and reason[1]["count"] < 0


@pytest.mark.parametrize(
    ("text", "countries", "said"),
    [
        ("they call Germany a lot", ["CH"], True),
        ("ils appellent l'Allemagne", ["CH"], True),
        ("they call Switzerland", ["CH"], None),  # their own country: no answer either way
        ("Germany and Austria", ["CH"], None),  # no call word: not read as yes
        ("no", ["CH"], False),
        ("yes", ["CH"], True),
    ],
)
def test_calls_to_other_countries_answer_do_they_call_abroad(text, countries, said):
    assert read_calls_abroad(Answer(value=None, text=text), countries) is said
