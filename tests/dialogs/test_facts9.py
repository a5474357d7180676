"""Questions of fact on the fact sheet's statements that had no fact of their own (branch
facts9, issue 12 round 2), over real HTTP (``bot.app.create_app`` through
:mod:`bench.heldout_eval`'s harness), in both languages, in words of their own (no dev item's
text; ``facts_dev7`` is the blind set that found them):

* the list of callable destinations itself (196 said, 198 listed, South Sudan, "AN", not on
  the list: credits), and a country named on it still asks whether that country is callable;
* "E5 with calling minutes" (SPE_E5_CALLINGMINUTES, its link to MCOPSTN8 unconfirmed);
* which billing account funds what (prepaid credits, postpaid MCA, with the partner via CSP);
* the PSTN minute pools report (columns, legend, delay), the usage report's export (files,
  retention), the capability codes, the blocked users report, a Graph call row's fields;
* Audio Conferencing: Zone A's countries ("zone A" is no PAYG zone), the complimentary period,
  the US/Canada add-on;
* emergency addresses and routing by country; what to check before buying;
* answers that now say what the sheet says: the organizer's country for meeting dial-out, 12
  dial-out policy instances, 33 launch markets, credit rates by destination, PAYG and the US,
  E3 with its own carrier.

Plus the retrieval data, without HTTP: every new fact is found by its own forms (that is
``tests/knowledge/test_facts.py``) and a country named with "zone A" finds Zone A.
"""

from __future__ import annotations

import pytest

from knowledge import fact_search
from testkit.dev_floors import Case, case_misses

pytestmark = pytest.mark.usefixtures("local_mode")

CASES: list[Case] = [
    # the destination list itself
    (
        "en",
        "why are there 198 destinations on the outbound list when the docs say 196?",
        ["fact"],
        [r"198", r"South Sudan"],
        [],
    ),
    (
        "fr",
        "pourquoi la table des destinations sortantes compte 198 lignes ?",
        ["fact"],
        [r"198", r"Soudan du Sud"],
        [],
    ),
    (
        "en",
        "in the outbound destination list, which country does the code AN stand for?",
        ["fact"],
        [r"Netherlands Antilles"],
        [],
    ),
    # E5 with calling minutes
    (
        "en",
        "what exactly is the SPE_E5_CALLINGMINUTES licence?",
        ["fact"],
        [r"(?i)E5 with calling minutes", r"(?i)unverified|confirms"],
        [],
    ),
    ("fr", "la licence SPE_E5_CALLINGMINUTES, c'est quoi exactement ?", ["fact"], [r"(?i)non vérifié|confirme"], []),
    # funding by billing account
    (
        "en",
        "with a legacy CSP billing account, are extra minutes prepaid or postpaid?",
        ["fact"],
        [r"(?i)prepaid Communications Credits"],
        [],
    ),
    ("fr", "avec un contrat MCA en direct, le dépassement est prépayé ou postpayé ?", ["fact"], [r"(?i)postpayé"], []),
    # reports and Graph
    (
        "en",
        "which columns will I find in the PSTN minute pools report?",
        ["fact"],
        [r"Minutes used", r"Minutes available"],
        [],
    ),
    ("fr", "quelles colonnes dans le rapport des pools de minutes RTC ?", ["fact"], [r"Minutes utilisées"], []),
    ("en", "which files come inside the Calls.Export zip?", ["fact"], [r"parameters\.json", r"150 days"], []),
    ("fr", "combien de jours garde l'export du routage direct ?", ["fact"], [r"150 jours"], []),
    ("en", "what is the FREECALL capability code?", ["fact"], [r"(?i)pricing issue"], []),
    ("fr", "que signifie le code de capacité MCOPSTNCAP ?", ["fact"], [r"(?i)zone commune"], []),
    ("en", "what does usageCountryCode hold in getPstnCalls?", ["fact"], [r"(?i)usage location"], []),
    ("fr", "que contient le champ callDurationSource ?", ["fact"], [r"(?i)Operator Connect"], []),
    ("en", "which columns does the PSTN blocked users report have?", ["fact"], [r"Blocked reason"], []),
    # Audio Conferencing
    ("en", "is Thailand part of zone A?", ["fact"], [r"Thailand", r"44"], [r"(?i)Pay-As-You-Go"]),
    ("fr", "le Brésil est-il un pays de la zone A ?", ["fact"], [r"Brésil", r"44"], [r"(?i)paiement à l'utilisation"]),
    ("en", "when did the 900-minute complimentary dial-out period end?", ["fact"], [r"2019", r"900"], []),
    (
        "fr",
        "le module de numérotation sortante US/Canada est-il mutualisé ?",
        ["fact"],
        [r"(?i)pas mutualisées|organisateur"],
        [],
    ),
    # emergency addresses and routing
    ("en", "how does emergency call routing work for numbers in Germany?", ["fact"], [r"PSAP"], []),
    ("fr", "au Canada, quand faut-il saisir l'adresse d'urgence ?", ["fact"], [r"(?i)attribution"], []),
    # extended answers
    ("en", "for meeting dial-out, whose country decides what is domestic?", ["fact"], [r"(?i)organizer"], []),
    ("fr", "combien d'instances fixes a OnlineDialOutPolicy ?", ["fact"], [r"\b12\b"], []),
    ("en", "in how many markets did Teams Phone with Calling Plan launch?", ["fact"], [r"\b33\b"], []),
    ("fr", "les crédits de communication coûtent-ils selon la destination ?", ["fact"], [r"(?i)destination"], []),
]


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_the_sheets_statements_without_a_fact_are_answered_over_http(lang):
    misses = await case_misses(lang, CASES)
    assert misses is None, misses


@pytest.mark.parametrize(
    ("text", "fact_id"),
    [
        ("is Portugal in zone A", "zone_a"),  # "zone A" is Audio Conferencing's, not a PAYG zone
        ("l'Irlande est-elle en zone A ?", "zone_a"),
        ("is Portugal in PAYG zone 2", "payg"),
        ("what are the ucap_out calls in the report?", "call_types"),  # a call type named decides
        ("what does tenantCountryCode contain?", "graph_call_fields"),
    ],
)
def test_retrieval_reads_zone_a_and_the_names_of_codes_and_fields(text, fact_id):
    assert fact_search.search(text)[0][0] == fact_id
