"""The conversations on channel ``msteams``: routing, the guided purchase, the number check,
pool balance and users, interruptions, language memory, tenants and a damaged store."""

from __future__ import annotations

from typing import Any

import pytest

from dialogs.cards import pool_table_card, purchase_summary_card, verdict_card
from dialogs.nlu.i18n import format_number, is_clearly_french, t
from dialogs.nlu.slots import PurchaseSlots
from dialogs.purchase import advice_request
from knowledge.advisor import AdviceRequest, recommend
from knowledge.numbers import check_call
from knowledge.store import DEFAULT_TENANT_ID, Store
from testkit.check import caller_line

MENU = [{"intent": "purchase"}, {"intent": "check"}, {"intent": "pool"}, {"intent": "help"}]


def question(replies, h) -> tuple[str, list]:
    """The question a turn ends with: its text and its buttons' values (empty when typed)."""
    last = replies[-1]
    values = [d["value"] for c in h.cards([last]) for d in h.submits(c)]
    return h.said(last), values


def assert_teams_rendering(replies, h):
    """Every reply says something, once; every attachment is an Adaptive Card with Action.Submit only."""
    for reply in replies:
        assert h.said(reply) and h.said(reply).strip()
        for card in h.cards([reply]):
            assert card["version"] == "1.5"
            kinds = {e["type"] for e in h.walk(card) if e.get("type", "").startswith("Action.")}
            assert kinds <= {"Action.Submit"}


# --- routing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale"), [("help", "en-US"), ("hi", "en-US"), ("aide", "fr-FR"), ("bonjour", "en-US")]
)
async def test_help_and_greetings_answer_with_the_menu(talk, h, text, locale):
    replies = await talk.send(text, locale=locale)
    lang = "fr" if locale.startswith("fr") or text == "bonjour" else "en"
    assert h.texts(replies) == [t(lang, "welcome.text")]
    assert h.submits(h.cards(replies)[0]) == MENU
    assert_teams_rendering(replies, h)


async def test_unknown_input_gets_the_three_things_not_a_shrug(talk, h):
    replies = await talk.send("the weather in Lyon is lovely")
    assert h.texts(replies) == [t("en", "unknown.text")]
    assert h.submits(h.cards(replies)[0]) == MENU


@pytest.mark.parametrize(("text", "lang"), [("cancel", "en"), ("annuler", "fr")])
async def test_cancel_with_nothing_in_progress_is_one_short_bubble(talk, h, text, lang):
    replies = await talk.send(text)
    assert len(replies) == 1
    assert replies[0].text == t(lang, "nothing_to_cancel") and not replies[0].attachments


async def test_a_click_on_a_closed_question(talk, h):
    replies = await talk.click("E5")
    assert len(replies) == 1  # the menu card, saying first that the question is closed
    assert h.texts(replies) == [t("en", "stale_answer")]
    assert h.card_texts(h.cards(replies)[0])[0] == t("en", "stale_answer")
    assert h.submits(h.cards(replies)[0]) == MENU


async def test_menu_buttons_start_each_request(talk, h, store):
    text, values = question(await talk.send(value={"intent": "purchase"}), h)
    assert text == t("en", "prompt.countries") and "FR" in values
    await talk.send("cancel")
    text, values = question(await talk.send(value={"intent": "check"}), h)
    assert text == t("en", "prompt.number") and values == []
    await talk.send("cancel")
    replies = await talk.send(value={"intent": "pool"})
    assert h.cards(replies) and h.said(replies[-1]) == pool_table_card(await store.pools(DEFAULT_TENANT_ID), "en").text


# --- the guided purchase ------------------------------------------------------------------------------


async def test_guided_purchase_from_nothing_asks_only_where_how_many_and_the_scope_typed(talk, h):
    asked = []
    for answer in (None, "France and Germany", "30 in France, 10 in Germany", "no"):
        replies = await talk.send("which plan should we buy?" if answer is None else answer)
        assert_teams_rendering(replies, h)
        asked.append(h.said(replies[-1]))
    # The licence, the carrier and the minutes would not be asked: they are assumed, on the card.
    assert asked[:-1] == [
        t("en", k, countries="France and Germany")
        for k in ("prompt.countries", "prompt.users_each", "prompt.international")
    ]
    expected = recommend(AdviceRequest(countries=["FR", "DE"], users_per_country={"FR": 30, "DE": 10}))
    summary = h.cards(replies)[-1]
    assert h.said(replies[-1]) == purchase_summary_card(expected, "en").text
    texts = h.card_texts(summary)
    assert t("en", "assume.title") in texts
    for assumed in ("carrier", "licence", "minutes"):
        assert any(t("en", f"assume.{assumed}") in text for text in texts)
    assert not any(t("en", "assume.international") in text for text in texts)  # answered, not assumed
    # The dialog is over: "thanks" is no answer to a question, just acknowledged.
    assert h.texts(await talk.send("thanks!")) == [t("en", "ack")]


async def test_guided_purchase_asks_only_what_the_first_sentence_leaves_out_clicked(talk, h):
    replies = await talk.send("which calling plan should we buy for our users in France who call the UK?")
    assert h.said(replies[0]) == "Noted: users in France, they call abroad."
    assert question(replies, h)[0] == t("en", "prompt.users_in", country="France")
    replies = await talk.send("40")  # where, how many and the scope: enough to answer
    expected = recommend(AdviceRequest(countries=["FR"], users=40, international=True))
    assert expected.calling_plan == "MCOPSTN2"
    assert h.texts(replies) == [purchase_summary_card(expected, "en").text]
    changes = [d["change"] for d in h.submits(h.cards(replies)[-1]) if "change" in d]
    assert {"base_licence": "E3"} in changes and {"international_minutes": 600} in changes
    replies = await talk.send(value={"intent": "purchase", "change": {"base_licence": "E3"}})
    expected = recommend(AdviceRequest(countries=["FR"], users=40, international=True, base_licence="E3"))
    assert h.texts(replies) == [purchase_summary_card(expected, "en").text]


async def test_a_complete_first_sentence_goes_straight_to_the_summary(talk, h):
    replies = await talk.send(
        "we have E5 and no carrier, which plan for 10 users in Spain who never call abroad, about 50 minutes each"
    )
    slots = PurchaseSlots(
        countries=["ES"], users=10, international=False, base_licence="E5", carrier="none", minutes_per_user=50
    )
    expected = recommend(advice_request(slots))
    assert expected.calling_plan == "MCOPSTN5"  # 50 minutes fit the 120-minute plan
    assert h.texts(replies) == [
        "Noted: 10 users in Spain, they call within their country only, about 50 outbound minutes per user a month,"
        " base licence Microsoft 365 / Office 365 E5.",
        purchase_summary_card(expected, "en").text,
    ]


async def test_bad_answers_are_asked_again_saying_what_is_expected_and_lose_nothing(talk, h):
    await talk.send("which plan for users in France?")
    replies = await talk.send("lots")
    assert h.texts(replies) == [f"{t('en', 'reason.not_a_count', text='lots')} {t('en', 'reprompt.users')}"]
    replies = await talk.send("-3")
    assert h.texts(replies) == [f"{t('en', 'reason.users_range', count=-3, max=1_000_000)} {t('en', 'reprompt.users')}"]
    replies = await talk.send("40")
    text, _ = question(replies, h)
    assert text == t("en", "prompt.international", countries="France")
    replies = await talk.send("perhaps")
    assert h.said(replies[-1]) == t("en", "reprompt.yes_no")
    assert [d["value"] for d in h.submits(h.cards(replies)[-1])] == [True, False]  # the buttons again
    replies = await talk.click("maybe")  # a value no button has
    assert h.said(replies[-1]) == t("en", "reprompt.yes_no")
    replies = await talk.click(False)
    expected = recommend(AdviceRequest(countries=["FR"], users=40))
    assert h.said(replies[-1]) == purchase_summary_card(expected, "en").text


@pytest.mark.parametrize("steps", [0, 1, 2])
async def test_cancel_works_at_every_step(talk, h, steps):
    answers = ["France", "40"]
    await talk.send("which plan should we buy?")
    for answer in answers[:steps]:
        await talk.send(answer)
    replies = await talk.send("cancel")
    assert h.texts(replies) == [t("en", "cancelled")]
    assert h.texts(await talk.send("France"))[0] == t("en", "unknown.text")  # not an answer any more


@pytest.mark.parametrize("steps", [0, 1, 2])
async def test_help_works_at_every_step_and_asks_the_same_question_again(talk, h, steps):
    answers = ["France", "40", "no"]
    replies = await talk.send("which plan should we buy?")
    for answer in answers[:steps]:
        replies = await talk.send(answer)
    before = question(replies, h)
    replies = await talk.send("help")
    assert h.said(replies[0]) == t("en", "help.purchase")
    assert question(replies, h) == before
    replies = await talk.send(answers[steps])
    assert h.said(replies[-1]) != before[0]  # the dialog moved on


async def test_card_cancel_and_help_buttons_interrupt_too(talk, h):
    await talk.send("plan")
    replies = await talk.send(value={"intent": "help"})
    assert h.said(replies[0]) == t("en", "help.purchase")
    replies = await talk.send(value={"intent": "cancel"})
    assert h.texts(replies) == [t("en", "cancelled")]


async def test_valid_answers_are_never_taken_for_cancel(talk, h):
    await talk.send("which plan for our users in France")
    replies = await talk.send("about 10")  # "about" is one typo from "abort"
    # the approximate count said back first, as the question card's first line
    assert question(replies, h)[0] == t("en", "purchase.noted", facts="about 10 users in France")
    assert t("en", "prompt.international", countries="France") in h.card_texts(h.cards(replies)[-1])
    replies = await talk.send("no")  # "no" to "do they call abroad?" is an answer
    assert "Your purchase plan" in h.card_texts(h.cards(replies)[-1])


async def test_a_question_mid_dialog_is_answered_then_the_dialog_resumes(talk, h, store):
    await talk.send("which plan should we buy?")
    await talk.send("France")
    replies = await talk.send("show the pool balance")
    assert h.said(replies[0]) == pool_table_card(await store.pools(DEFAULT_TENANT_ID), "en").text
    assert h.said(replies[-1]) == t("en", "prompt.users_in", country="France")  # asked again
    assert question(await talk.send("40"), h)[0] == t(
        "en", "prompt.international", countries="France"
    )  # the purchase goes on
    await talk.send(value={"intent": "cancel"})


async def test_another_dialog_request_mid_dialog_switches_to_it(talk, h):
    await talk.send("which plan should we buy?")
    await talk.send("plan")
    replies = await talk.send(value={"intent": "check"})  # a menu button from an older card
    assert question(replies, h)[0] == t("en", "prompt.number")


# --- the number check ---------------------------------------------------------------------------------


async def test_number_check_for_a_user_from_the_store(talk, h, store):
    replies = await talk.send("can alice.martin@contoso.com call 01 23 45 67 89?")
    assert len(replies) == 1  # one message: what the store says of alice is a line of the verdict card
    found = "alice.martin@contoso.com: usage location France, Domestic Calling Plan."
    assert h.said(replies[0]).endswith(" " + found)
    verdict = check_call("01 23 45 67 89", "FR", "MCOPSTN1", upn="alice.martin@contoso.com")
    assert verdict.callable and verdict.pool is not None
    balance = next(b for b in await store.pools(DEFAULT_TENANT_ID) if b.key == verdict.pool)
    upn = "alice.martin@contoso.com"  # the card names whom the check is for
    expected = verdict_card(
        verdict,
        "en",
        balance,
        await store.provenance(DEFAULT_TENANT_ID),
        caller=upn,
        caller_line=caller_line("en", upn, "FR", "MCOPSTN1"),
    )
    assert h.said(replies[-1]) == expected.text
    assert format_number(balance.remaining_minutes, "en") in h.said(replies[-1])
    assert h.card_texts(h.cards(replies)[-1]) == h.card_texts(expected.card)


async def test_number_check_per_minute_says_why_and_what_pays(talk, h):
    replies = await talk.send("can alice.martin@contoso.com call +44 20 7946 0958?")
    verdict = check_call("+44 20 7946 0958", "FR", "MCOPSTN1", upn="alice.martin@contoso.com")
    assert verdict.verdict == "per_minute" and not verdict.callable
    found = caller_line("en", "alice.martin@contoso.com", "FR", "MCOPSTN1")
    assert h.said(replies[-1]) == verdict_card(verdict, "en", caller_line=found).text
    body = h.card_texts(h.cards(replies)[-1])
    assert body[0] == t("en", "verdict.per_minute")
    assert t("en", "verdict.needs.per_minute") in body


async def test_number_check_asks_what_is_missing(talk, h):
    text, _ = question(await talk.send("check"), h)
    assert text == t("en", "prompt.number")
    assert h.texts(await talk.send("hello"))[-1] == t("en", "reprompt.number")
    text, values = question(await talk.send("+33 1 23 45 67 89"), h)
    assert text == t("en", "prompt.caller_country") and "FR" in values
    text, values = question(await talk.click("FR"), h)
    assert text == t("en", "prompt.plan") and "MCOPSTN_PAYG_2" in values and "MCOPSTN6" not in values
    replies = await talk.send("pay as you go")
    verdict = check_call("+33 1 23 45 67 89", "FR", "MCOPSTN_PAYG_2")
    assert h.said(replies[-1]) == verdict_card(verdict, "en").text


async def test_number_check_of_an_unknown_user_asks_for_country_and_plan(talk, h):
    replies = await talk.send("can nobody@contoso.com call +33 1 23 45 67 89")
    assert h.said(replies[0]) == t("en", "user_unknown", user="nobody@contoso.com")
    assert question(replies, h)[0] == t("en", "prompt.caller_country")


async def test_number_check_by_first_name_and_teams_to_teams(talk, h):
    replies = await talk.send("can @Keith call @Laura")
    found = caller_line("en", "keith.smith@contoso.com", "GB", "MCOPSTN1")
    assert found.text == "keith.smith@contoso.com: usage location United Kingdom, Domestic Calling Plan."
    verdict = check_call("laura.walker@contoso.com", "GB", "MCOPSTN1")
    assert verdict.callable and verdict.reason == "teams_to_teams_free"
    assert [h.said(r) for r in replies] == [verdict_card(verdict, "en", caller_line=found).text]
    replies = await talk.send("can keith.smith@contoso.com call laura.walker@contoso.com")
    assert h.said(replies[-1]) == verdict_card(verdict, "en", caller_line=found).text


async def test_help_and_cancel_in_the_number_check(talk, h):
    await talk.send("check")
    await talk.send("+33 1 23 45 67 89")
    replies = await talk.send("help")
    assert [h.said(r) for r in replies] == [t("en", "help.check"), t("en", "prompt.caller_country")]
    replies = await talk.send("never mind")
    assert h.texts(replies) == [t("en", "cancelled")]
    replies = await talk.send("check")
    replies = await talk.send("which plan for 40 users in Spain?")  # another request: the purchase starts
    assert h.said(replies[0]) == t("en", "switched", left=t("en", "dialog.check"))  # never silently
    assert h.said(replies[1]) == "Noted: 40 users in Spain."
    assert question(replies, h)[0] == t("en", "prompt.international", countries="Spain")


async def test_user_without_a_calling_plan(talk, h):
    replies = await talk.send("can carlos.evans@contoso.com call +49 30 1234567")
    found = caller_line("en", "carlos.evans@contoso.com", "DE", None)
    assert found.text == t("en", "check.user_no_plan", user="carlos.evans@contoso.com", country="Germany")
    verdict = check_call("+49 30 1234567", "DE", None)
    assert not verdict.callable and [h.said(r) for r in replies] == [
        verdict_card(verdict, "en", caller_line=found).text
    ]


# --- pool balance and users ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keep"),
    [
        ("pool balance", lambda b: True),
        ("minutes left in France", lambda b: b.country == "FR"),
        ("US international pool", lambda b: b.country == "US" and b.line == "international"),
        ("how much is left of the 120 minute plan pool in the UK", lambda b: b.plan == "MCOPSTN5"),
    ],
)
async def test_pool_balance_shows_the_matching_pools(talk, h, store, text, keep):
    replies = await talk.send(text)
    balances = [b for b in await store.pools(DEFAULT_TENANT_ID) if keep(b)]
    assert balances
    expected = pool_table_card(balances, "en", month=balances[0].month)
    assert h.said(replies[-1]) == expected.text
    assert len(replies) == 1


async def test_pool_filter_without_a_match_says_so_and_shows_all(talk, h, store):
    replies = await talk.send("UK international pool")  # the demo has no UK international pool
    notice = t("en", "pools.no_match", filter="United Kingdom and international")
    assert len(replies) == 1 and h.said(replies[0]) == notice  # one answer: the notice is in the card
    all_pools = pool_table_card(await store.pools(DEFAULT_TENANT_ID), "en")
    shown = h.card_texts(h.cards(replies)[0])
    assert shown[0] == notice and set(h.card_texts(all_pools.card)) <= set(shown)  # every pool


async def test_pool_of_a_named_user(talk, h, store):
    replies = await talk.send("how many minutes does nathan.bernard@contoso.com have left?")
    balances = [b for b in await store.pools(DEFAULT_TENANT_ID) if b.country == "GB" and b.plan == "MCOPSTN5"]
    assert h.said(replies[-1]) == pool_table_card(balances, "en").text


async def test_users_list_and_filter(talk, h, demo_users):
    replies = await talk.send("list users")
    card = h.cards(replies)[0]
    assert card["body"][0]["text"] == t("en", "users.title", count=len(demo_users))
    replies = await talk.send("which users are in Germany")
    germans = [u for u in demo_users if u.usage_location == "DE"]
    assert h.said(replies[0]).startswith(f"{len(germans)} users")
    rows = [e for e in h.walk(h.cards(replies)[0]) if e.get("type") == "TableRow"]
    assert len(rows) == len(germans) + 1


# --- tenants ---------------------------------------------------------------------------------------


async def test_without_data_for_the_tenant_the_bot_says_how_to_import(memory, store, h):
    talk = h.Conversation(memory, store=store, tenant_fallback=None)
    replies = await talk.send("pool balance")
    assert h.texts(replies)[0].startswith(t("en", "data.none", tenant=h.TENANT).split("(")[0])
    assert f"callplan import <files> --tenant {h.TENANT}" in h.said(replies[0])
    assert "callplan demo" in h.said(replies[0])
    assert h.texts(await talk.send("list users"))[0] == h.said(replies[0])
    # No tenant on the activity at all, and no store at all.
    no_tenant = h.Conversation(memory, store=store, tenant=None, conversation_id="a:2")
    assert "--tenant <your tenant id>" in h.texts(await no_tenant.send("pool balance"))[0]
    no_store = h.Conversation(memory, store=None, tenant_fallback=DEFAULT_TENANT_ID, conversation_id="a:3")
    assert "callplan import" in h.texts(await no_store.send("pool balance"))[0]


async def test_the_callers_own_tenant_wins_over_the_fallback(memory, store, data_dir, h):
    roster = data_dir / "roster.csv"
    roster.write_text("upn,usage_location,licenses\nivan@fabrikam.com,DE,MCOPSTN1+SPE_E5\n", "utf-8")
    Store(data_dir).import_paths([roster], tenant_id=h.TENANT)
    talk = h.Conversation(memory, store=store, tenant_fallback=DEFAULT_TENANT_ID)
    replies = await talk.send("list users")
    assert h.said(replies[0]).startswith("1 user:")
    other = h.Conversation(
        memory, store=store, tenant_fallback=DEFAULT_TENANT_ID, tenant="someone-else", conversation_id="a:other"
    )
    assert not h.texts(await other.send("list users"))[0].startswith("1 user:")


async def test_a_damaged_store_is_one_sentence_not_a_crash(talk, h, data_dir):
    for summary in (data_dir / "store").rglob("summary.json"):
        summary.write_text("{ half a file", "utf-8")
    replies = await talk.send("pool balance")
    assert h.texts(replies)[0] == t("en", "data.error")
    replies = await talk.send("can alice.martin@contoso.com call 01 23 45 67 89")
    assert t("en", "data.error") in h.texts(replies)
    # The server's paths stay in the log, never in the chat.
    assert not any(str(data_dir) in text or "summary.json" in text for text in h.texts(replies))


# --- language --------------------------------------------------------------------------------------


async def test_french_is_kept_on_english_locale_clicks_and_neutral_answers(talk, h):
    replies = await talk.send("quel forfait pour des utilisateurs en France ?")  # locale en-US
    assert question(replies, h)[0] == t("fr", "prompt.users_in", country="France")
    replies = await talk.send("40")
    assert question(replies, h)[0] == t("fr", "prompt.international", countries="France")
    replies = await talk.click(True)
    summary = h.cards(replies)[-1]
    assert is_clearly_french(" ".join(h.card_texts(summary)))
    expected = recommend(AdviceRequest(countries=["FR"], users=40, international=True))
    assert h.said(replies[-1]) == purchase_summary_card(expected, "fr").text
    replies = await talk.send(value={"intent": "purchase", "change": {"base_licence": "E5"}})  # an assumption's button
    expected = recommend(AdviceRequest(countries=["FR"], users=40, international=True, base_licence="E5"))
    assert h.said(replies[-1]) == purchase_summary_card(expected, "fr").text


async def test_the_language_is_remembered_for_the_admin_across_conversations(memory, store, h):
    first = h.Conversation(memory, store=store, tenant_fallback=DEFAULT_TENANT_ID)
    await first.send("bonjour", locale="en-US")
    second = h.Conversation(memory, store=store, tenant_fallback=DEFAULT_TENANT_ID, conversation_id="a:second")
    replies = await second.send("?")  # neutral: the admin's language applies
    assert h.texts(replies) == [t("fr", "welcome.text")]
    replies = await second.send("what can you do")  # clearly English: switch
    assert h.texts(replies) == [t("en", "welcome.text")]


async def test_french_number_check_and_pool(talk, h, store):
    replies = await talk.send("peut-on appeler le 0044 20 7946 0958 depuis la France avec un forfait national ?")
    verdict = check_call("0044 20 7946 0958", "FR", "MCOPSTN1")
    assert h.said(replies[-1]) == verdict_card(verdict, "fr").text
    replies = await talk.send("combien de minutes restantes en France", locale="fr-FR")
    balances = [b for b in await store.pools(DEFAULT_TENANT_ID) if b.country == "FR"]
    assert h.said(replies[-1]) == pool_table_card(balances, "fr").text
    assert "\u202f" in h.said(replies[-1])  # 4 950 -> French digit grouping


# --- a dialog survives a restart (new dialog objects over the same storage) ---------------------------


async def test_a_dialog_resumes_with_new_dialog_objects_over_the_same_storage(memory, store, h):
    first = h.Conversation(memory, store=store, tenant_fallback=DEFAULT_TENANT_ID)
    await first.send("which calling plan should we buy for our users in France?")
    await first.send("40")
    second = h.Conversation(memory, store=store, tenant_fallback=DEFAULT_TENANT_ID)
    replies = await second.click(True)
    expected = recommend(AdviceRequest(countries=["FR"], users=40, international=True))
    assert h.said(replies[-1]) == purchase_summary_card(expected, "en").text


# --- odd input at every question never breaks a turn ---------------------------------------------

ODD: list[dict[str, Any]] = [
    {"text": ""},
    {"text": "   "},
    {"text": "🙂"},
    {"text": "x" * 5000},
    {"text": "0"},
    {"text": "-5"},
    {"text": "1e9"},
    {"text": "<at>Someone</at>"},
    {"text": "@"},
    {"text": "+"},
    {"text": "FR" * 50},
    {"value": {"value": None}},
    {"value": {"value": [1, 2]}},
    {"value": {"value": {"a": 1}}},
    {"value": {"value": ["FR", "ZZ"]}},
    {"value": {"value": 10**12}},
    {"value": {"intent": 5}},
    {"value": {"intent": "nope"}},
    {"value": {}},
    {"value": "plain string"},
    {"value": [1]},
]
STEPS = {
    "purchase": ["which plan should we buy?", "France", "40", "no", "E3", "none"],
    "check": ["check", "+33 1 23 45 67 89", "France"],
}


@pytest.mark.parametrize("flow", sorted(STEPS))
async def test_odd_input_at_every_question_gets_an_answer(memory, store, h, flow):
    for depth in range(1, len(STEPS[flow]) + 1):
        for n, odd in enumerate(ODD):
            talk = h.Conversation(
                memory, store=store, tenant_fallback=DEFAULT_TENANT_ID, conversation_id=f"a:{flow}-{depth}-{n}"
            )
            for text in STEPS[flow][:depth]:
                await talk.send(text)
            odd_text = odd.get("text")
            replies = await talk.send(odd_text if odd_text else None, value=odd.get("value"))
            if odd_text is None and odd.get("value") is None:
                continue  # an empty message: nothing to answer
            assert replies, (flow, depth, odd)


# --- people named by first name: "which one?" when the roster has two -------------------------------


async def test_a_shared_first_name_gets_a_which_one_card(talk, h, store, tmp_path):
    import csv

    from knowledge.store.demo import ADMIN_CENTER_COLUMNS

    row = {column: "" for column in ADMIN_CENTER_COLUMNS}
    row.update(
        {
            "Display name": "Alice Durand",
            "First name": "Alice",
            "Last name": "Durand",
            "User principal name": "alice.durand@contoso.com",
            "Usage location": "Germany",
            "Licenses": "contoso:MCOEV+contoso:MCOPSTN1",
            "ObjectId": "00000000-0000-4000-8000-0000000a11ce",
            "Block credential": "False",
            "When created": "1/10/2023 8:00:00 AM",
        }
    )
    roster = tmp_path / "users.csv"
    with roster.open("w", newline="", encoding="utf-8-sig") as file:
        writer = csv.DictWriter(file, ADMIN_CENTER_COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    await store.import_paths([roster], tenant_id=DEFAULT_TENANT_ID)
    upns = {u.upn for u in await store.users(DEFAULT_TENANT_ID) if u.display_name.startswith("Alice ")}
    assert upns == {"alice.martin@contoso.com", "alice.durand@contoso.com"}

    replies = await talk.send("can Alice call 01 23 45 67 89?")
    assert h.said(replies[-1]) == t("en", "check.which_one", name="Alice")
    choices = [d for c in h.cards(replies) for d in h.submits(c)]
    assert sorted(d["slots"]["user"] for d in choices) == sorted(upns)
    assert all(d["intent"] == "check" and d["slots"]["number"] == "01 23 45 67 89" for d in choices)
    chosen = next(d for d in choices if d["slots"]["user"] == "alice.martin@contoso.com")
    replies = await talk.send(value=chosen)  # the click checks the call for that person
    assert h.said(replies[0]).endswith(caller_line("en", "alice.martin@contoso.com", "FR", "MCOPSTN1").text)


def test_assumption_lines_are_made_once_per_language_and_hand_out_their_own_slots(monkeypatch):
    """The sentences and buttons of the assumptions depend on the language alone: filled once
    per language (``dialogs.purchase._assumption_lines``), the same as filled afresh, and each
    button's slots a new dict (they go into a card's button data)."""
    import dialogs.purchase as purchase

    slots = PurchaseSlots(
        countries=["FR"], users=40, assumed=["carrier", "international", "licence", "minutes", "international_minutes"]
    )
    purchase._assumption_lines.cache_clear()
    first = {lang: purchase.assumption_lines(slots, lang) for lang in ("en", "fr")}
    filled: list[str] = []

    def filling(lang: str, key: str, **params: Any) -> str:
        filled.append(key)
        return t(lang, key, **params)

    monkeypatch.setattr(purchase, "t", filling)
    again = {lang: purchase.assumption_lines(slots, lang) for lang in ("en", "fr")}
    assert filled == [] and again == first
    assert [sentence for sentence, _ in first["en"]] == [t("en", f"assume.{name}") for name in slots.assumed]
    assert first["en"][2][1][0] == (
        t("en", "change.licence", licence="Microsoft 365 / Office 365 E5"),
        {"base_licence": "E5"},
    )
    first["en"][0][1][0][1]["carrier"] = "changed"
    assert purchase.assumption_lines(slots, "en")[0][1][0][1] == {"carrier": "operator_connect"}
    purchase._assumption_lines.cache_clear()
    assert {lang: purchase.assumption_lines(slots, lang) for lang in ("en", "fr")} == again
    assert len(filled) == 2 * (5 + 9)  # afresh: five sentences and nine buttons per language
