"""The bot as an admin meets it: the real bot, in the Agents Playground, driven like a person.

Issue 7's scenarios, one test each: the welcome card; the guided purchase for "40 users in
France who call the UK" by clicking card buttons up to the summary card; a number check for
demo users; a pool lookup; the same in French; cancel in the middle of a dialog.

What the assertions rest on (never on a copy of the bot's output):
- the numbers come from the bot's own data folder, read with ``callplan users|pools|check
  --json`` (the playground's tenant, ``00000000-...-0000000000001``, is not in the store: the
  bot must answer from the demo tenant, as it does in local mode);
- plan, licence and country names and the minutes per user come from the catalog (the
  sourced fact sheet); numbers are formatted here (``48,000`` / ``48 000``), not by Babel;
- everything is read from the rendered page: card headings and text blocks, FactSet rows,
  ColumnSet label/value pairs, list items and button titles (see ``e2e_harness/chat.py``),
  and every card is
  checked for leftovers (``{placeholder}``, raw Markdown, empty blocks, Hero cards, the
  playground's "not supported" warnings).

Each step saves a screenshot (``NN-step.png``) and tall cards a whole-card one
(``NN-step-card.png``) under ``artifacts/e2e/<test>/``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from dialogs.nlu.i18n import with_english_articles
from e2e_harness.bots import E2E_NOW, REPO
from e2e_harness.chat import HERO_CARD
from e2e_harness.playground import DEFAULT_TENANT_ID
from knowledge.catalog import load_catalog
from testkit.months import MONTH_NAMES as MONTHS

pytestmark = pytest.mark.e2e

# Without a seat count, so the bot guides (a message with the count, the country and the scope
# is answered in one turn: tests/bot/test_followups.py).
PURCHASE_QUESTION = "which calling plan should we buy for our users in France who call the UK?"
FRENCH_PURCHASE_QUESTION = "quel forfait acheter pour nos utilisateurs en France qui appellent le Royaume-Uni ?"
UK_NUMBER = "+44 20 7946 0958"
PARIS_NUMBER = "+33 1 23 45 67 89"
USERS = 40
DEMO_TENANT = "demo-tenant"
WELCOME_BUTTONS = ["Choose a plan", "Check a number", "Pool balance", "Help"]
E3 = "Microsoft 365 / Office 365 E3"


# What must never reach an admin's screen: an unfilled "{placeholder}", Markdown the card
# did not render, an escaped newline or HTML entity, a Python/JS empty value.
LEFTOVERS = re.compile(r"\{\w+\}|\*\*|\]\(|\\n|&[a-z]+;|\bNone\b|\bnan\b|\bundefined\b")


def number(n: int, lang: str) -> str:
    """48000 -> "48,000" (en) or "48 000" (fr; the page's U+202F is compared as a space)."""
    text = f"{n:,}"
    return text.replace(",", " ") if lang == "fr" else text


def month_title(month: str, lang: str) -> str:
    year, nr = month.split("-")
    return f"{MONTHS[lang][int(nr) - 1]} {year}"


# --- the oracle: the bot's own data, read with the CLI --------------------------------------


@dataclass(frozen=True)
class DemoTenant:
    """The demo tenant the running bot serves, as ``callplan ... --json`` reports it."""

    users: list[dict]
    pools: list[dict]
    month: str

    def user(self, location: str, licence: str) -> dict:
        """The first user located in ``location`` holding ``licence`` (picked from the data,
        so the scenario does not depend on the demo's names)."""
        found = [u for u in self.users if u["usage_location"] == location and licence in u["licenses"]]
        assert found, f"the demo tenant has no user in {location} with {licence}"
        return found[0]

    def pool(self, country: str, plan: str, line: str) -> dict:
        found = [p for p in self.pools if (p["country"], p["plan"], p["line"], p["upn"]) == (country, plan, line, None)]
        assert len(found) == 1, f"no single pool {country}/{plan}/{line}: {found!r}"
        return found[0]


def callplan(*args: str) -> Any:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args, "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CALLPLAN_NOW": E2E_NOW},
    )  # the bot's clock
    assert result.returncode == 0, f"callplan {' '.join(args)}: {result.stderr.strip()}"
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo(real_bot) -> DemoTenant:
    month = E2E_NOW[:7]  # the bot's "this month"
    where = ("--data-dir", str(real_bot.data_dir), "--tenant", DEMO_TENANT)
    users = callplan("users", *where)
    pools = callplan("pools", *where, "--month", month)["pools"]
    assert users and pools, "the demo tenant is empty"
    # The playground's tenant is not the demo's: what the bot shows proves its fallback.
    assert DEFAULT_TENANT_ID != DEMO_TENANT
    return DemoTenant(users, pools, month)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


# --- what every rendered card must look like --------------------------------------------------


def assert_renders_cleanly(chat, card_index: int = -1) -> None:
    """No empty text block or fact, nothing unrendered, nothing the client refused."""
    blocks = chat.card_blocks(card_index)
    assert blocks, "the card shows no text"
    assert all(blocks), f"the card has an empty text block: {blocks!r}"
    facts = chat.card_facts(card_index)
    assert all(title and value for title, value in facts), f"an empty fact: {facts!r}"
    shown = [
        *blocks,
        *(x for fact in facts for x in fact),
        *chat.card_list_items(card_index),
        *chat.card_buttons(card_index),
        *chat.bot_texts(),
    ]
    leftovers = [(m.group(), text) for text in shown for m in LEFTOVERS.finditer(text)]
    assert not leftovers, f"unrendered leftovers on screen: {leftovers!r}"
    assert chat.page.locator(HERO_CARD).count() == 0, "a Hero card: its buttons do nothing here"
    assert chat.playground_warnings() == []
    # Each answer shown once: no card with the activity's text in a bubble beside it.
    assert chat.answers_shown_twice() == [], "an answer shown twice (text beside its card)"


#: The pool card's figure labels, as an admin reads them (total, used with the percentage,
#: left, and the day the pool runs out, or ran out).
POOL_LABELS = {
    "en": {
        "total": "Total",
        "used": "Used",
        "left": "Left",
        "runs_out": "Runs out",
        "ran_out": "Ran out",
        "not_this_month": "not this month",
    },
    "fr": {
        "total": "Total",
        "used": "Consommé",
        "left": "Restant",
        "runs_out": "Épuisement",
        "ran_out": "Épuisé le",
        "not_this_month": "pas ce mois-ci",
    },
}


def day_in_words(iso: str, lang: str) -> str:
    """ "2026-11-26" -> "November 26, 2026" (en) or "26 novembre 2026" (fr)."""
    year, month, day = (int(part) for part in iso.split("-"))
    name = MONTHS[lang][month - 1]
    return f"{name} {day}, {year}" if lang == "en" else f"{day} {name} {year}"


def expected_pools(
    demo: DemoTenant, catalog, lang: str, country: str | None = None
) -> list[tuple[str, dict[str, str]]]:
    """What the pool card must show for each pool, in order: the title line
    "Country · Plan · line" and the figures as {label: value}."""
    lines = {
        "en": {"domestic": "domestic", "international": "international"},
        "fr": {"domestic": "national", "international": "international"},
    }[lang]
    label = POOL_LABELS[lang]
    percent_sign = "%" if lang == "en" else " %"
    shown = []
    for pool in demo.pools:
        if country and pool["country"] != country:
            continue
        title = f"{catalog.country(pool['country']).name[lang]} · {pool['plan_names'][lang]} · {lines[pool['line']]}"
        used = f"{number(pool['used_minutes'], lang)} ({round(pool['percent_used'])}{percent_sign})"
        figures = {
            label["total"]: number(pool["total_minutes"], lang),
            label["used"]: used,
            label["left"]: number(pool["remaining_minutes"], lang),
        }
        if pool["runs_out_on"] is None:
            figures[label["runs_out"]] = label["not_this_month"]
        else:
            figures[label["ran_out" if pool["exhausted"] else "runs_out"]] = day_in_words(pool["runs_out_on"], lang)
        shown.append((title, figures))
    return shown


def shown_pools(chat) -> list[tuple[str, dict[str, str]]]:
    """The pool card as rendered: each title line (the bold "A · B · C" blocks) with the
    label/value pairs of the row of figures under it."""
    titles = [block for block in chat.card_blocks() if block.count(" · ") == 2]
    figures = [{column[0]: " ".join(column[1:]) for column in columns} for columns in chat.card_column_sets()]
    assert len(titles) == len(figures), f"{titles!r} / {figures!r}"
    return list(zip(titles, figures, strict=True))


# --- 1. welcome -------------------------------------------------------------------------------


def test_welcome_card_shows_what_the_bot_does_and_its_buttons_work(real_chat):
    chat = real_chat
    card = chat.wait_for_card("Calling Plan Assistant")
    blocks = chat.card_blocks()
    assert blocks[0] == "Calling Plan Assistant"
    for title in ("Which plan to buy", "Can this user call this number?", "How much of the minute pool is left"):
        assert title in blocks
    assert "minutes left in France" in card  # an example to type
    assert chat.card_buttons() == WELCOME_BUTTONS
    assert_renders_cleanly(chat)
    chat.screenshot("welcome card")

    # Its Help button answers with the same menu; the install and the members-added event
    # that the page load sends did not welcome twice.
    chat.click_card_button("Help")
    chat.wait_for_card("Which plan to buy")
    assert chat.card_buttons() == WELCOME_BUTTONS
    welcome_cards = [t for t in chat.card_texts() if "Which plan to buy" in t]
    assert len(welcome_cards) == 2, welcome_cards
    chat.screenshot("help button")

    # Something the bot does not understand: the menu again, introduced once, not greeted.
    chat.send("what is the weather like today?")
    chat.wait_for_card("Sorry, I didn't get that.")
    blocks = chat.card_blocks()
    assert blocks[0] == "Sorry, I didn't get that. Here is what I can do:"
    assert "Calling Plan Assistant" not in blocks
    assert sum(block.count("Here is what I can do") for block in blocks) == 1
    for title in ("Which plan to buy", "Can this user call this number?", "How much of the minute pool is left"):
        assert title in blocks
    assert chat.card_buttons() == WELCOME_BUTTONS
    assert_renders_cleanly(chat)
    chat.screenshot("not understood")


# --- 2. guided purchase -------------------------------------------------------------------------


def test_guided_purchase_by_clicking_card_buttons_ends_with_the_summary(real_chat, catalog):
    chat = real_chat
    plan = catalog.plan("MCOPSTN2")  # users who call abroad: the domestic + international plan
    teams_phone = catalog.licence("MCOEV")
    domestic = USERS * plan.minutes_for("FR", "domestic")
    international = USERS * plan.minutes_for("FR", "international")
    chat.wait_for_card("Calling Plan Assistant")

    chat.send(PURCHASE_QUESTION)
    # The first sentence answered where and "abroad": the bot says so and asks how many.
    noted = chat.wait_for_bot_text("Noted:")
    assert noted == "Noted: users in France, they call abroad."
    chat.wait_for_bot_text("How many users in France?")
    chat.send(str(USERS))
    # Where, how many and the scope are known: the answer comes at once, with what it assumes.
    chat.wait_for_card("Your purchase plan")
    blocks = chat.card_blocks()
    assert "Assumed (change any of these)" in blocks
    assert f"Base licence {E3}" in chat.card_buttons() and "We use Operator Connect" in chat.card_buttons()
    assert_renders_cleanly(chat)
    chat.screenshot("one-turn summary with assumptions")

    chat.click_card_button(f"Base licence {E3}")  # one assumption changed: the advice again
    chat.wait_for_card("Your purchase plan")
    blocks = chat.card_blocks()
    assert blocks[0] == "Your purchase plan"
    assert f"Recommended plan: {plan.name_en} (France)." in blocks
    # Ordered steps: Teams Phone first (a Calling Plan cannot be assigned without it).
    steps = chat.card_list_items()
    assert len(steps) >= 4, steps
    assert steps[0].startswith(f"Buy {USERS} {teams_phone.name.en} licences ({teams_phone.sku})")
    assert steps[1].startswith(f"Buy {USERS} x {plan.name_en} ({plan.sku})")
    assert any("usage location (France)" in step for step in steps)
    assert any(step.startswith("Assign the licences") for step in steps)
    # Licences and quantities, then the pools they make, as FactSet rows.
    facts = chat.card_facts()
    assert (teams_phone.name.en, str(USERS)) in facts
    assert (plan.name_en, str(USERS)) in facts
    per_user = plan.minutes_for("FR", "domestic")
    assert (
        f"France · {plan.name_en} · domestic",
        f"{number(domestic, 'en')} min ({USERS} × {number(per_user, 'en')})",
    ) in facts
    assert (
        f"France · {plan.name_en} · international",
        f"{number(international, 'en')} min ({USERS} × {number(plan.minutes_for('FR', 'international'), 'en')})",
    ) in facts
    assert number(domestic, "en") == "48,000"  # the issue's example, from the fact sheet
    assert "Good to know" in blocks
    assert chat.card_buttons() == ["We use Operator Connect", "We use Direct Routing", "About 600 intl min a user"]
    assert_renders_cleanly(chat)
    chat.screenshot("purchase summary")
    chat.screenshot_card("purchase summary")


# --- 3. number check ----------------------------------------------------------------------------


def test_number_check_for_demo_users_shows_verdict_reason_and_pool(real_chat, demo, catalog):
    chat = real_chat
    chat.wait_for_card("Calling Plan Assistant")
    caller = demo.user("FR", "MCOPSTN2")
    plan = catalog.plan("MCOPSTN2")
    expected = callplan("check", UK_NUMBER, "--country", "FR", "--plan", plan.sku)
    assert expected["verdict"] == "included" and expected["scope"] == "international"
    pool = demo.pool("FR", plan.sku, "international")

    chat.send(f"can {caller['upn']} call {UK_NUMBER}?")
    chat.wait_for_card("Callable")
    blocks = chat.card_blocks()
    assert blocks[0] == "✅ Callable: included"
    # What the answer rests on, the user's usage location and plan read from the store: one line
    # of the same card, right under the verdict (one message), said once.
    line = f"{caller['upn']}: usage location France, {plan.name_en}."
    assert blocks[1] == line and blocks.count(line) == 1
    # The reason: the CLI's English sentence, with the article English running text gives the
    # country in the chat ("to the United Kingdom").
    assert with_english_articles(expected["message"]) in blocks
    # One Source line, last, its markdown links rendered as links to Microsoft Learn.
    assert blocks[-1].startswith("Source: ") and sum(b.startswith("Source: ") for b in blocks) == 1
    assert chat._card(-1).locator("a[href^='https://learn.microsoft.com/en-us/']").count() >= 1
    facts = dict(chat.card_facts())
    # the user, their country and their plan are the line's: not listed again as facts
    assert facts == {
        "Number": UK_NUMBER,
        "Destination": "United Kingdom",
        "Call type": "International call",
    }
    assert "Minute pool" in blocks
    assert f"France · {plan.name_en} · international" in blocks
    assert any(
        b.startswith(f"{number(pool['remaining_minutes'], 'en')} of {number(pool['total_minutes'], 'en')} minutes left")
        for b in blocks
    )
    assert_renders_cleanly(chat)
    chat.screenshot("callable with pool")

    # A user whose plan is domestic only: the same number goes through only per minute
    # (Communications Credits or overage), and the card says what would pay for it; no pool.
    domestic_caller = demo.user("FR", "MCOPSTN1")
    refused = callplan("check", UK_NUMBER, "--country", "FR", "--plan", "MCOPSTN1")
    assert refused["verdict"] == "per_minute" and not refused["callable"]
    chat.send(f"can {domestic_caller['upn']} call {UK_NUMBER}?")
    chat.wait_for_card("billed per minute")
    blocks = chat.card_blocks()
    assert blocks[0] == "💳 Callable, billed per minute"
    assert with_english_articles(refused["message"]) in blocks
    assert "What pays for it" in blocks
    assert "Minute pool" not in blocks
    assert f"{domestic_caller['upn']}: usage location France, {catalog.plan('MCOPSTN1').name_en}." in blocks
    assert_renders_cleanly(chat)
    chat.screenshot("per minute")

    # The same kind of check started from the welcome card, answered by clicking.
    chat.click_card_button("Check a number")
    chat.wait_for_bot_text("Which phone number should I check?")
    chat.send(PARIS_NUMBER)
    chat.wait_for_card("In which country is the caller located")
    chat.click_card_button("France")
    chat.wait_for_card("Which Calling Plan does the caller have?")
    domestic_plan = catalog.plan("MCOPSTN1")
    chat.click_card_button(domestic_plan.name_en)
    chat.wait_for_card("Callable")
    domestic_pool = demo.pool("FR", domestic_plan.sku, "domestic")
    blocks = chat.card_blocks()
    assert (
        with_english_articles(
            callplan("check", PARIS_NUMBER, "--country", "FR", "--plan", domestic_plan.sku)["message"]
        )
        in blocks
    )
    assert f"France · {domestic_plan.name_en} · domestic" in blocks
    assert any(
        b.startswith(
            f"{number(domestic_pool['remaining_minutes'], 'en')} of "
            f"{number(domestic_pool['total_minutes'], 'en')} minutes left"
        )
        for b in blocks
    )
    assert_renders_cleanly(chat)
    chat.screenshot("check by clicking")


# --- 4. pool lookup -----------------------------------------------------------------------------


def test_pool_lookup_shows_each_of_the_demo_tenants_pools(real_chat, demo, catalog):
    chat = real_chat
    chat.wait_for_card("Calling Plan Assistant")
    today = datetime.fromisoformat(E2E_NOW.replace("Z", "+00:00")).date()  # the bot's today

    chat.click_card_button("Pool balance")
    chat.wait_for_card(f"Minute pools, {month_title(demo.month, 'en')}")
    blocks = chat.card_blocks()
    assert f"As of {MONTHS['en'][today.month - 1]} {today.day}, {today.year}" in blocks
    # One block per pool: "Country · Plan · line", then total, used (%), left, runs out.
    assert shown_pools(chat) == expected_pools(demo, catalog, "en")
    # An exhausted pool says when it ran out (the demo tenant has one).
    assert any(p["exhausted"] for p in demo.pools)
    for pool, (_, figures) in zip(demo.pools, shown_pools(chat), strict=True):
        assert ("Ran out" in figures) == pool["exhausted"], figures
    # Under the pools, one line says what they rest on, and that this is demo data.
    assert any(b.startswith("Data: ") and b.endswith("; demo data") for b in blocks), blocks
    assert chat.card_table() == [], "the pools are no longer an eight-column table"
    assert_renders_cleanly(chat)
    chat.screenshot("all pools")
    chat.screenshot_card("all pools")

    chat.send("minutes left in France")
    chat.wait_for_card(f"Minute pools, {month_title(demo.month, 'en')}")
    france = expected_pools(demo, catalog, "en", country="FR")
    assert france, "the demo tenant has pools in France"
    assert shown_pools(chat) == france
    assert_renders_cleanly(chat)
    chat.screenshot("pools in France")


# --- 5. in French -----------------------------------------------------------------------------


def test_french_purchase_check_and_pool_lookup(real_chat, demo, catalog):
    chat = real_chat
    plan = catalog.plan("MCOPSTN2")
    teams_phone = catalog.licence("MCOEV")
    chat.wait_for_card("Calling Plan Assistant")

    # Only the playground's custom activity can say fr-FR; later clicks and typed messages
    # arrive as en-US, so the bot must remember the conversation's language.
    chat.send_activity(FRENCH_PURCHASE_QUESTION, locale="fr-FR")
    assert chat.wait_for_bot_text("C'est noté") == (
        "C'est noté : utilisateurs situés ici : France, ils appellent l'étranger."
    )
    chat.wait_for_bot_text("Combien d'utilisateurs dans ce pays : France ?")
    chat.send(str(USERS))  # typed: arrives as en-US, the conversation stays French
    chat.wait_for_card("Votre plan d'achat")
    assert "Hypothèses (modifiables)" in chat.card_blocks()
    chat.screenshot("plan d'achat avec hypothèses")
    chat.click_card_button(f"Licence de base {E3}")
    chat.wait_for_card("Votre plan d'achat")
    blocks = chat.card_blocks()
    assert blocks[0] == "Votre plan d'achat"
    assert f"Forfait recommandé : {plan.name_fr} (France)." in blocks
    steps = chat.card_list_items()
    assert steps[0].startswith(f"Achetez {USERS} licences {teams_phone.name.fr} ({teams_phone.sku})")
    facts = chat.card_facts()
    assert (teams_phone.name.fr, str(USERS)) in facts
    assert (plan.name_fr, str(USERS)) in facts
    per_user = plan.minutes_for("FR", "domestic")
    assert (
        f"France · {plan.name_fr} · national",
        f"{number(USERS * per_user, 'fr')} min ({USERS} × {number(per_user, 'fr')})",
    ) in facts
    assert number(USERS * per_user, "fr") == "48 000"
    assert_renders_cleanly(chat)
    chat.screenshot("plan d'achat")
    chat.screenshot_card("plan d'achat")

    # Typed in the message box (locale en-US on the wire): still answered in French.
    caller = demo.user("FR", "MCOPSTN2")
    pool = demo.pool("FR", plan.sku, "international")
    chat.send(f"est-ce que {caller['upn']} peut appeler le {UK_NUMBER} ?")
    chat.wait_for_card("Appel possible")
    blocks = chat.card_blocks()
    assert blocks[0] == "✅ Appel possible : inclus"
    assert dict(chat.card_facts())["Destination"] == "Royaume-Uni"
    assert (
        f"{number(pool['remaining_minutes'], 'fr')} minutes restantes sur {number(pool['total_minutes'], 'fr')}"
    ) in " ".join(blocks)
    assert_renders_cleanly(chat)
    chat.screenshot("verification en francais")

    chat.send("minutes restantes en France")
    chat.wait_for_card(f"Pools de minutes, {month_title(demo.month, 'fr')}")
    # The longest French plan name, in a title line of its own.
    pools = shown_pools(chat)
    assert pools == expected_pools(demo, catalog, "fr", country="FR")
    assert "France · Forfait d'appels nationaux et internationaux · international" in [title for title, _ in pools]
    assert_renders_cleanly(chat)
    chat.screenshot("pools en francais")
    chat.screenshot_card("pools en francais")

    # Every pool in French, the exhausted one included.
    chat.send("solde de tous les pools de minutes")
    chat.wait_for_card(f"Pools de minutes, {month_title(demo.month, 'fr')}")
    assert shown_pools(chat) == expected_pools(demo, catalog, "fr")
    assert_renders_cleanly(chat)
    chat.screenshot_card("tous les pools")


# --- 6. cancel ----------------------------------------------------------------------------------


def test_cancel_in_the_middle_of_a_purchase_and_start_afresh(real_chat):
    chat = real_chat
    # "Calling Plan Assistant", or "Assistant Forfaits d'appels" after the French scenario: the
    # playground's user is the same in every test and the welcome speaks the admin's remembered
    # language. The English request below switches the conversation to English.
    chat.wait_for_card("Assistant")
    chat.send(f"which plan for {USERS} users in France?")
    assert chat.wait_for_bot_text("Noted:") == f"Noted: {USERS} users in France."
    chat.wait_for_card("call abroad?")
    assert chat.card_buttons() == ["Yes", "No"]
    chat.screenshot("in the middle of a purchase")

    chat.send("cancel")
    assert chat.wait_for_bot_text("cancelled") == "OK, cancelled. What would you like to do next?"
    chat.screenshot("cancelled")

    # The closed question's buttons are still on screen: a click no longer answers it.
    chat.click_card_button("Yes")
    assert chat.wait_for_bot_text("already closed").startswith("That question is already closed.")
    chat.wait_for_card("Which plan to buy")
    assert chat.card_buttons() == WELCOME_BUTTONS
    chat.screenshot("stale click after cancel")

    # A new request starts from nothing: neither France nor "they call abroad" carried over.
    chat.send("which plan for 10 users in Germany?")
    assert chat.wait_for_bot_text("Noted:") == "Noted: 10 users in Germany."
    chat.wait_for_card("call abroad?")
    assert_renders_cleanly(chat)
    chat.screenshot("fresh start")

    # A question asked again is one card saying what it expects (no text bubble beside it).
    before = chat.mark()
    chat.send("perhaps")
    chat.wait_for_card("Please answer yes or no.")
    assert chat.bot_message_count() == before + 1
    assert chat.card_buttons() == ["Yes", "No"]
    assert_renders_cleanly(chat)
    chat.screenshot("question asked again")

    # Cancel, then cancel with nothing running: one short bubble, no menu card.
    chat.send("cancel")
    chat.wait_for_bot_text("cancelled")
    before = chat.mark()
    chat.send("cancel")
    assert chat.wait_for_bot_text("nothing in progress") == "There is nothing in progress to cancel."
    chat.page.wait_for_timeout(1500)  # anything else the bot sent would have arrived by now
    assert chat.bot_message_count() == before + 1
    chat.screenshot("nothing to cancel")
