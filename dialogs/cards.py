"""Adaptive Cards (schema 1.5) built from data, each with a plain-text summary of the answer.

Each answer is shown once: a card reply carries NO visible ``text`` (Teams and the Agents
Playground render an activity's ``text`` as a bubble of its own beside the card, so the chat
showed every answer twice). The summary goes where it is not rendered in the chat: the
activity's ``summary`` (Teams' notification and chat-list preview) and the card's
``fallbackText`` (what a client that cannot render the card shows instead). Tests read a
reply's summary without parsing the card.
Why only ``Action.Submit``: it reaches the bot as an ordinary ``message`` activity with
``value`` set (``Action.Execute`` goes through ``invoke``, which the stock adapter mishandles).
Every string comes from the locale files through :func:`dialogs.nlu.i18n.t`.

Submit payloads are the contract with the dialogs: menu buttons send ``{"intent": ...}``,
prompt choices send ``{"value": ...}``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, Attachment
from pydantic import BaseModel, ConfigDict, model_validator

from dialogs.nlu.i18n import format_date, format_month, format_number, format_percent, has_string, normalize_lang, t
from dialogs.nlu.render import carrier_name, country_name, join, line_name, plan_name, render, render_item
from dialogs.provenance import data_block
from knowledge import wirejson
from knowledge.advisor import PlannedPool, Recommendation, SentenceMemo, code_params, plain_params
from knowledge.catalog import load_catalog
from knowledge.learn import source_links
from knowledge.numbers import CallVerdict
from knowledge.pools import PoolBalance
from knowledge.provenance import DataProvenance

ADAPTIVE_CARD_VERSION = "1.5"
ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

#: The menu intents the welcome card offers, in display order (purchase, check, pool, help).
WELCOME_ACTIONS = ("purchase", "check", "pool", "help")


class CardReply(BaseModel):
    """A card and its plain-text summary (``text``): the card's ``fallbackText`` and the
    activity's ``summary``, never a visible text beside the card (see the module docstring)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    attachment: Attachment
    text: str

    @model_validator(mode="after")
    def _card_falls_back_to_the_summary(self) -> CardReply:
        content = self.attachment.content
        if isinstance(content, dict):
            content["fallbackText"] = self.text
        return self

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card JSON itself (the attachment's content)."""
        return self.attachment.content

    def to_activity(self) -> Activity:
        """A message activity carrying the card alone, the summary as its ``summary``."""
        return card_activity(self.attachment, self.text)

    def with_notice(self, notice: str, color: str = "Attention") -> CardReply:
        """The same card with ``notice`` as its first line (and as the summary). WHY: a sentence
        about a card (a prompt asked again, "here is what I can do") sent as a text of its own
        is a second bubble for one answer."""
        card = {**self.card, "body": [text_block(notice, color=color), *self.card.get("body", [])]}
        card.pop("fallbackText", None)
        return CardReply(attachment=CardFactory.adaptive_card(card), text=notice)


def card_activity(attachment: Attachment, summary: str | None) -> Activity:
    """A message with one card and no visible text; ``summary`` is the notification preview."""
    activity = MessageFactory.attachment(attachment)
    activity.summary = summary
    return activity


# --- cards built once ----------------------------------------------------------------------

#: Cards kept at most (pool tables by tenant data, language, month and day; menus by language);
#: all are dropped when there are more.
SHARED_CARDS_MAX = 256

#: key -> (the objects the card was built from, the card). See :func:`shared_card`.
_SHARED: dict[Hashable, tuple[tuple[Any, ...], CardReply]] = {}
#: id(card content) -> (the content, its JSON text once asked for). See :func:`shared_card_json`.
_SHARED_JSON: dict[int, tuple[dict[str, Any], bytes | None]] = {}


def shared_card(key: Hashable, inputs: tuple[Any, ...], build: Callable[[], CardReply]) -> CardReply:
    """The card ``build()`` makes, built once and handed out again while it would come out the
    same: for the same ``key`` (plain values: language, month...) and the very same ``inputs``
    objects (``is``, not ``==``).

    WHY: a pool lookup rebuilt its whole table card (~15 KB of JSON, ~11% of the turn's CPU)
    on every turn, though the store hands out the same frozen ``PoolBalance`` and
    ``DataProvenance`` objects while the tenant's summary is unchanged
    (:class:`knowledge.store.memo.MemoizedAsyncStore`); a new import gives new objects, so a new
    card. Identity, not equality: comparing pydantic models field by field costs what it saves,
    and an object kept in the entry cannot be freed and its id reused while it is there.

    A shared card is never changed once built (``CardReply.with_notice`` copies it), and the
    host sends it without copying it (``bot/shared_cards.py``); its JSON text is kept too
    (:func:`shared_card_json`).
    """
    entry = _SHARED.get(key)
    if entry is not None and len(entry[0]) == len(inputs) and all(map(operator.is_, entry[0], inputs)):
        return entry[1]
    reply = build()
    if entry is not None:  # the same key, other objects (a new import): the old card goes
        _SHARED_JSON.pop(id(entry[1].card), None)
    if len(_SHARED) >= SHARED_CARDS_MAX:
        _SHARED.clear()
        _SHARED_JSON.clear()
    _SHARED[key] = (inputs, reply)
    if isinstance(reply.card, dict):
        _SHARED_JSON[id(reply.card)] = (reply.card, None)
    return reply


def shared_card_json(content: Any) -> bytes | None:
    """The JSON text (UTF-8) of ``content`` if it is a shared card's (:func:`shared_card`), else None.

    WHY: the host encodes a reply's JSON on every turn, and a pool table's is most of it; a
    shared card never changes, so its text is encoded once, as the host encodes the rest of a
    reply (:func:`knowledge.wirejson.dumps`), and spliced into the answers (``bot/replies.py``)."""
    entry = _SHARED_JSON.get(id(content))
    if entry is None or entry[0] is not content:
        return None
    if entry[1] is None:
        entry = (content, wirejson.dumps(content))
        _SHARED_JSON[id(content)] = entry
    return entry[1]


# --- small element builders -------------------------------------------------------------


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def heading(text: str) -> dict[str, Any]:
    return text_block(text, size="Large", weight="Bolder", style="heading")


def submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data}


def table_cell(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TableCell", "items": [text_block(text, **style)]}


def fact_set(facts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in facts]}


def section(title: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A titled block (a Container: a bold title then its items)."""
    return {
        "type": "Container",
        "spacing": "Medium",
        "items": [text_block(title, weight="Bolder", spacing="Medium"), *items],
    }


def bullets(lines: Sequence[str], lang: str) -> list[dict[str, Any]]:
    return [text_block(t(lang, "summary.bullet", text=line), spacing="Small") for line in lines]


#: Teams shows a row of at most this many buttons well; longer choice lists wrap into rows.
BUTTONS_PER_ROW = 4


def button_rows(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"type": "ActionSet", "actions": actions[i : i + BUTTONS_PER_ROW]}
        for i in range(0, len(actions), BUTTONS_PER_ROW)
    ]


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Attachment:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return CardFactory.adaptive_card(card)


#: At most this many links on a Source line: a short line under the answer, not a bibliography
#: (the knowledge result and ``--json`` keep every key). Microsoft Learn pages come first.
SOURCE_LINKS = 3
_LEARN = "https://learn.microsoft.com/"


@lru_cache(maxsize=256)
def _doc_date(value: str, lang: str) -> str:
    """A source's date (``YYYY-MM-DD`` or ``YYYY-MM``) in the conversation's language."""
    return format_date(date.fromisoformat(value), lang) if len(value) == 10 else format_month(value, lang)


def source_line(keys: Iterable[str], lang: str) -> dict[str, Any] | None:
    """The one "Source:" TextBlock that ends every card stating a domain fact: markdown links to
    the pages behind ``keys`` (catalog source keys) in ``lang`` where a localized page exists, each
    with the date of the copy the catalog rests on. None when no key has a public page.

    Kept per (keys, language): the catalog does not change while the bot runs, and a pool table
    names the same sources on every lookup. Each caller gets its own copy of the block."""
    line = _source_line(tuple(keys), lang)
    return dict(line) if line is not None else None


@lru_cache(maxsize=512)
def _source_line(keys: tuple[str, ...], lang: str) -> dict[str, Any] | None:
    links = [link for link in source_links(keys, lang) if link.url]
    links.sort(key=lambda link: not (link.url or "").startswith(_LEARN))  # stable: Learn pages first
    parts = []
    for link in links[:SOURCE_LINKS]:
        text = f"[{link.title}]({link.url})"
        parts.append(t(lang, "source.dated", link=text, date=_doc_date(link.date, lang)) if link.date else text)
    if not parts:
        return None
    return text_block(t(lang, "source.line", links="; ".join(parts)), size="Small", isSubtle=True, spacing="Medium")


def _with_sources(body: list[dict[str, Any]], keys: Iterable[str], lang: str) -> list[dict[str, Any]]:
    line = source_line(keys, lang)
    return [*body, line] if line is not None else body


# --- welcome ------------------------------------------------------------------------------


def _menu_items(lang: str) -> list[dict[str, Any]]:
    """The three things the bot does, one titled line each, then typing examples: the body the
    welcome and the unknown-input cards share (each puts its own opening above it)."""
    items: list[dict[str, Any]] = [
        {
            "type": "Container",
            "spacing": "Medium",
            "items": [
                text_block(t(lang, f"welcome.{intent}.title"), weight="Bolder"),
                text_block(t(lang, f"welcome.{intent}.body"), spacing="None", isSubtle=True),
            ],
        }
        for intent in ("purchase", "check", "pool")
    ]
    items.append(text_block(t(lang, "welcome.examples"), spacing="Medium", size="Small", isSubtle=True))
    return items


def _menu_actions(lang: str) -> list[dict[str, Any]]:
    return [submit(t(lang, f"action.{intent}"), {"intent": intent}) for intent in WELCOME_ACTIONS]


def welcome_reply(lang: str) -> CardReply:
    """What the bot can do, with one button per thing (built once per language)."""
    return shared_card(("welcome", lang), (), lambda: _welcome_reply(lang))


def _welcome_reply(lang: str) -> CardReply:
    body = [heading(t(lang, "welcome.title")), text_block(t(lang, "welcome.intro")), *_menu_items(lang)]
    return CardReply(attachment=adaptive_card(body, _menu_actions(lang)), text=t(lang, "welcome.text"))


def welcome_card(lang: str) -> Attachment:
    """The welcome Adaptive Card alone (the host sends it when the bot is added)."""
    return welcome_reply(lang).attachment


def unknown_reply(lang: str) -> CardReply:
    """The answer to a message the recognizer could not place: never a shrug, always the menu.

    Its own opening ("Sorry, I didn't get that. Here is what I can do:") replaces the welcome's
    title and greeting, which would say "Here is what I can do" a second time. Built once per
    language."""
    return shared_card(("unknown", lang), (), lambda: _unknown_reply(lang))


def _unknown_reply(lang: str) -> CardReply:
    body = [text_block(t(lang, "unknown.intro"), weight="Bolder"), *_menu_items(lang)]
    return CardReply(attachment=adaptive_card(body, _menu_actions(lang)), text=t(lang, "unknown.text"))


# --- recommendation and purchase summary -------------------------------------------------------


def _pool_facts(pools: Sequence[PlannedPool], lang: str) -> list[tuple[str, str]]:
    facts = []
    for pool in pools:
        label = _pool_label(pool.country, pool.plan, pool.line, lang)
        if pool.minutes_per_user is None:  # the bundle: Microsoft documents no figure
            value = t(lang, "pool.undocumented", users=pool.users)
        elif pool.per_user:
            value = t(lang, "pool.per_user", minutes=pool.minutes_per_user)
        else:
            value = t(lang, "pool.size", minutes=pool.minutes, users=pool.users, per_user=pool.minutes_per_user)
        facts.append((label, value))
    return facts


def _country_choice(advice: Any, lang: str, carrier_only: bool) -> str:
    if advice.calling_plan:
        return plan_name(advice.calling_plan, lang)
    if advice.alternatives:
        return t(
            lang,
            "rec.alternatives",
            alternatives=join((carrier_name(a, lang) for a in advice.alternatives), lang, style="or"),
        )
    if carrier_only:
        return t(lang, "rec.carrier_only")
    return t(lang, "unknown_value")


def _recommendation_text(rec: Recommendation, lang: str) -> str:
    return _recommendation_sentence(lang, rec.calling_plan, tuple(c.country for c in rec.countries))


@lru_cache(maxsize=1024)
def _recommendation_sentence(lang: str, plan: str | None, countries: tuple[str, ...]) -> str:
    """ "Buy the Domestic Calling Plan for the United States.": made once per language, plan SKU
    and country codes (catalog keys, as :func:`_pool_label`). WHY: every purchase summary joined
    the country names with babel and filled the template with the English articles pass (~20 us),
    for a sentence that depends on those keys alone."""
    names = join((country_name(iso, lang) for iso in countries), lang)
    if plan:
        return t(lang, "rec.text", plan=plan_name(plan, lang), countries=names)
    return t(lang, "rec.text_no_plan", countries=names)


def recommendation_card(rec: Recommendation, lang: str) -> CardReply:
    """What to buy where, and why: the plan per country, Teams Phone, pools, the reasons."""
    carrier_only = any(r.code == "carrier_no_calling_plan" for r in rec.reasons)
    body = [heading(t(lang, "rec.title"))]
    body.append(
        fact_set(
            [
                (
                    t(lang, "rec.country_users", country=country_name(c.country, lang), users=c.users),
                    _country_choice(c, lang, carrier_only),
                )
                for c in rec.countries
            ]
        )
    )
    body.append(text_block(t(lang, f"rec.teams_phone.{rec.teams_phone_source}")))
    if rec.reasons:
        body.append(section(t(lang, "rec.why"), bullets([render_item(r, lang) for r in rec.reasons], lang)))
    if rec.pools:
        body.append(section(t(lang, "rec.pools"), [fact_set(_pool_facts(rec.pools, lang))]))
    if rec.needs_funding:
        body.append(text_block(t(lang, "rec.funding"), isSubtle=True))
    return CardReply(
        attachment=adaptive_card(_with_sources(body, rec.sources, lang)), text=_recommendation_text(rec, lang)
    )


_BUY_STEPS = ("buy_teams_phone", "buy_calling_plan", "buy_from_partner")


#: What a button of the assumptions section sends: the purchase again, with slots changed.
CHANGE_INTENT = "purchase"


#: (code, language, repr of its params) -> a knowledge item's sentence (:func:`_item_text`).
_ITEM_TEXTS = SentenceMemo()


def _item_text(item: Any, lang: str) -> str:
    """``render_item(item, lang)``, rendered once per code, language and params.

    WHY: the purchase summary card rendered its ~14 steps, reasons and caveats on every purchase
    (their params localized, a template filled, lists joined by babel: ~60% of the card's build,
    issue 14, ``bench/records/issue14_stepcost2.md``), and most are the same sentence for every
    admin (a caveat, the steps for a country). A sentence depends only on the code, the params
    and the language: the locale files and the catalog do not change while the bot runs (as
    :func:`_pool_label`). Params are keyed by ``repr`` and only when they are codes
    (:func:`knowledge.advisor.code_params`): a step with the seat count the admin typed is
    rendered each time, so no entry is kept per count typed."""
    params = item.params
    if not code_params(params):
        return render_item(item, lang)
    return _ITEM_TEXTS.get_or_make((item.code, lang, repr(params)), lambda: render_item(item, lang))


def _kept_sentence(code: str, params: Mapping[str, Any], lang: str) -> str:
    """``render(code, params, lang)`` made once per code, language and plain ``params``, in the
    same memo as :func:`_item_text` (see there why that is the same sentence; ``render_item``
    is ``render`` of an item's code and params, so the two never disagree on a key)."""
    return _ITEM_TEXTS.get_or_make((code, lang, repr(params)), lambda: render(code, params, lang))


@lru_cache(maxsize=256)
def _said_once(lang: str, key: str) -> str:
    """``t(lang, key)`` for a string without params (a section title): the same in a process."""
    return t(lang, key)


@lru_cache(maxsize=4096)
def _bullet(lang: str, text: str) -> str:
    """``text`` as a bullet line ("summary.bullet"), once per sentence and language."""
    return t(lang, "summary.bullet", text=text)


#: (code, language, repr of its params, step number or "") -> an item's line (:func:`_item_lines`).
_ITEM_LINES = SentenceMemo()


def _item_lines(items: Sequence[Any], lang: str, *, numbered: bool = False, first: str | None = None) -> list[str]:
    """Each item's sentence (:func:`_item_text`) as a bullet line, or as its numbered step. A
    line is kept like its sentence, by code, params, language and number, only when the item's
    params are codes (a typed seat count in a step's line is never a key). ``first``: the first
    item's sentence, when the caller has made it already (the summary's text ends with it).

    WHY one memo of whole lines: each item asked :func:`~knowledge.advisor.code_params` of its
    params twice (for its sentence, then for its line) and was looked up in two memos; and the
    first step, whose seat count keeps it out of any memo, was rendered twice a summary."""
    lines = []
    for n, item in enumerate(items, start=1):
        number = str(n) if numbered else ""
        params = item.params
        if code_params(params):
            lines.append(_kept_line(item, lang, number))
        else:
            text = first if n == 1 and first is not None else render_item(item, lang)
            lines.append(_line(text, lang, number))
    return lines


def _kept_line(item: Any, lang: str, number: str) -> str:
    """An item's line (its params are codes), made once per code, params, language and number."""
    key = (item.code, lang, repr(item.params), number)
    return _ITEM_LINES.get_or_make(key, lambda: _line(_item_text(item, lang), lang, number))


def _line(text: str, lang: str, number: str) -> str:
    """A sentence as the ``number``-th step ("summary.step"), or as a bullet when ``number`` is ""."""
    return t(lang, "summary.step", n=number, text=text) if number else t(lang, "summary.bullet", text=text)


def _item_bullets(items: Sequence[Any], lang: str) -> list[dict[str, Any]]:
    """:func:`bullets` of knowledge items, each line made once (:func:`_item_lines`)."""
    return [text_block(line, spacing="Small") for line in _item_lines(items, lang)]


def purchase_summary_card(
    rec: Recommendation,
    lang: str,
    *,
    assumptions: Sequence[tuple[str, Sequence[tuple[str, dict[str, Any]]]]] = (),
    given: str | None = None,
) -> CardReply:
    """The end of the guided purchase: ordered admin-center steps, licences and quantities,
    the pools that will result, and the caveats. A one-turn answer also states what it
    assumed (``assumptions``: sentence and buttons, each button the slots it changes) and what
    the message said (``given``); a click re-runs the advice with that slot changed."""
    body = [heading(_said_once(lang, "summary.title")), text_block(_recommendation_text(rec, lang))]
    if rec.reasons:  # the guided purchase ends with this card alone: say why, briefly
        body.append(section(_said_once(lang, "rec.why"), _item_bullets(rec.reasons, lang)))
    steps = rec.steps
    first = _item_text(steps[0], lang) if steps else None  # the summary's text ends with it
    step_lines = _item_lines(steps, lang, numbered=True, first=first)
    body.append(section(_said_once(lang, "summary.steps"), [text_block(line, spacing="Small") for line in step_lines]))
    purchases = []
    for step in steps:
        if step.code in _BUY_STEPS:
            sku = str(step.params.get("sku") or step.params.get("plan") or "")
            label = plan_name(sku, lang)
            if step.code == "buy_from_partner":
                where = [str(step.params.get("partner") or ""), country_name(step.params.get("country"), lang)]
                label = f"{label} ({', '.join(w for w in where if w)})"
            purchases.append((label, format_number(int(step.params.get("quantity") or 0), lang)))
    licences = [fact_set(purchases)] if purchases else [text_block(_said_once(lang, "summary.nothing_to_buy"))]
    body.append(section(_said_once(lang, "summary.licences"), licences))
    pools = (
        [fact_set(_pool_facts(rec.pools, lang))] if rec.pools else [text_block(_said_once(lang, "summary.no_pools"))]
    )
    body.append(section(_said_once(lang, "summary.pools"), pools))
    if rec.caveats:
        body.append(section(_said_once(lang, "summary.caveats"), _item_bullets(rec.caveats, lang)))
    if assumptions:
        items = [text_block(t(lang, "assume.given", facts=given), spacing="Small")] if given else []
        for sentence, changes in assumptions:
            items.append(text_block(_bullet(lang, sentence), spacing="Small"))
            items.extend(
                button_rows([submit(title, {"intent": CHANGE_INTENT, "change": change}) for title, change in changes])
            )
        body.append(section(_said_once(lang, "assume.title"), items))
    text = t(lang, "summary.text", count=len(steps), first=first) if steps else _recommendation_text(rec, lang)
    return CardReply(attachment=adaptive_card(_with_sources(body, rec.sources, lang)), text=text)


# --- call verdict ------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _pool_label(country: str, plan: str, line: str, lang: str) -> str:
    """ "France, Domestic Calling Plan, domestic minutes": a pool's name in ``lang``. Kept per
    pool and language, like :func:`_source_line`: the catalog and the locale files do not change
    while the bot runs (issue 14: a quarter of the verdict card's build, three name look-ups and
    a template filled with the English articles rule, on every check that draws on a pool)."""
    return t(
        lang, "pool.label", country=country_name(country, lang), plan=plan_name(plan, lang), line=line_name(line, lang)
    )


@lru_cache(maxsize=512, typed=True)
def _pool_lines(lang: str, label: str, remaining: int, total: int, percent_used: float) -> tuple[str, str]:
    """A verdict card's two sentences about its pool: what is left of it (a line of the card)
    and the summary's end. Kept per pool figures and language like :func:`_pool_label` (a
    pool's figures change only with an import, and every check drawing on it says them): two
    templates filled with numbers formatted for the locale, ~8 us a check."""
    percent = format_percent(percent_used / 100, lang)
    return (
        t(lang, "verdict.remaining", remaining=remaining, total=total, percent=percent),
        t(lang, "verdict.text_pool", pool=label, remaining=remaining),
    )


_VERDICT_COLOURS = {"included": "Good", "per_minute": "Warning", "not_callable": "Attention"}

#: A verdict's params that name members of small sets: countries (code and English name), the
#: plan (SKU and name), a number kind, the funding, a calling code.
_VERDICT_CODES = frozenset(
    {
        "caller",
        "caller_iso",
        "plan",
        "plan_name",
        "destination",
        "destination_iso",
        "shares_with",
        "shares_with_iso",
        "calling_code",
        "number_kind",
        "funding",
    }
)


def _verdict_sentence(code: str, params: Mapping[str, Any], lang: str) -> str:
    """A verdict's reason or note in ``lang``, kept (:func:`_kept_sentence`) when its params are
    codes only: the reason a call to a French number is included in a French user's Domestic
    Calling Plan is the same sentence for every French number an admin checks, and rendering it
    (four country names, a plan name, a template, the English articles pass) was about a third
    of the verdict card's build (38 -> 27 us in English, 29 -> 22 us in French). A verdict that
    carries anything typed (a number, a country or plan the catalog does not know, a carrier, a
    dial-out policy) is rendered each time, so no entry is kept per number or per text; a
    ``destination`` without its ISO code is such a text (the number, for a number of no country)."""
    if (
        params.keys() <= _VERDICT_CODES
        and ("destination" not in params or "destination_iso" in params)
        and plain_params(params)
    ):
        return _kept_sentence(code, params, lang)
    return render(code, params, lang)


@lru_cache(maxsize=256)
def _verdict_keys(lang: str, reason: str, verdict: str) -> tuple[str, str]:
    """A verdict card's headline, and the key of its summary's template: the reason's own where
    the locale has one (a reason the sheet leaves open), else the three-valued verdict's. Made
    once per language, reason and verdict (codes): two key look-ups and a string, the same on
    every check."""
    title_key = f"verdict.title.{reason}"
    text_key = f"verdict.text.{reason}"
    return (
        t(lang, title_key if has_string(lang, title_key) else f"verdict.{verdict}"),
        text_key if has_string(lang, text_key) else f"verdict.text_{verdict}",
    )


class CallerLine(NamedTuple):
    """What the store says of the user a check is for, said as one line ("alice@contoso.com:
    usage location France, Domestic Calling Plan."): ``text``, and the user, country and plan
    (SKU) it names, so a card that shows the line does not repeat them as facts."""

    text: str
    upn: str
    country: str | None
    plan: str | None


def verdict_card(
    verdict: CallVerdict,
    lang: str,
    balance: PoolBalance | None = None,
    data: DataProvenance | None = None,
    caller: str | None = None,
    caller_line: CallerLine | None = None,
) -> CardReply:
    """Can this user call this number: the verdict, the reason, what would make it callable,
    and the pool the call draws on with what is left of it (``balance``, when known, followed
    by the data it rests on, ``data``). ``caller``: the user of the roster the check is for (the
    answer names whom it is about, also when the number came a turn after the name).

    ``caller_line``: what the store said of that user, found this turn: a line of the card under
    its headline and the end of its summary (one message, not a line then a card); the facts it
    names (the user, their country, their plan) are not listed again below it."""
    reason = _verdict_sentence(verdict.reason, verdict.params, lang)
    title, text_key = _verdict_keys(lang, verdict.reason, verdict.verdict)
    said = caller_line or CallerLine("", "", None, None)
    facts = [(_said_once(lang, "verdict.user"), caller)] if caller and caller != said.upn else []
    facts.append((_said_once(lang, "verdict.number"), verdict.number or _said_once(lang, "unknown_value")))
    if verdict.destination_country:
        facts.append((_said_once(lang, "verdict.destination"), country_name(verdict.destination_country, lang)))
    if verdict.caller_country and verdict.caller_country != said.country:
        facts.append((_said_once(lang, "verdict.caller"), country_name(verdict.caller_country, lang)))
    if verdict.plan and verdict.plan != said.plan:
        facts.append((_said_once(lang, "verdict.plan"), plan_name(verdict.plan, lang)))
    if verdict.scope:
        facts.append((_said_once(lang, "verdict.scope"), _said_once(lang, f"scope.{verdict.scope}")))
    body = [
        heading(title),
        text_block(reason, color=_VERDICT_COLOURS[verdict.verdict]),
        fact_set(facts),
    ]
    text = t(lang, text_key, number=verdict.number, reason=reason)
    if verdict.needs:
        needs = [_kept_sentence(code, {}, lang) for code in verdict.needs]
        needs_key = "verdict.needs.per_minute" if verdict.verdict == "per_minute" else "verdict.needs"
        body.append(section(t(lang, needs_key), [text_block(join(needs, lang, style="or"))]))
    if verdict.pool is not None:
        key = verdict.pool
        label = _pool_label(key.country, key.plan, key.line, lang)
        items = [text_block(label)]
        if balance is not None:
            remaining, pool_text = _pool_lines(
                lang, label, balance.remaining_minutes, balance.total_minutes, balance.percent_used
            )
            items.append(text_block(remaining))
            text += " " + pool_text
            if data is not None:
                items.append(data_block(data, lang))
        body.append(section(_said_once(lang, "verdict.pool"), items))
    elif verdict.verdict != "not_callable" and verdict.scope in ("domestic", "international"):
        body.append(text_block(_said_once(lang, "verdict.no_pool"), isSubtle=True))
    notes = [_verdict_sentence(code, verdict.params, lang) for code in verdict.notes]
    if notes:
        body.append(section(_said_once(lang, "verdict.notes"), bullets(notes, lang)))
    if caller_line is not None:  # under the headline, which says the verdict first
        body.insert(1, text_block(caller_line.text))
        text = f"{text} {caller_line.text}"
    return CardReply(attachment=adaptive_card(_with_sources(body, verdict.sources, lang)), text=text)


def destination_card(verdict: CallVerdict, lang: str) -> CardReply:
    """Can a user of this country and plan call that country, asked without a number ("can a D&I
    user in France call Morocco?"): a question of fact about the pair, answered from the catalog
    (:func:`knowledge.numbers.check_destination`). Headed by what was asked, not by a verdict on
    a number; the verdict follows as a line, then the reason, what would make it possible and
    the sources."""
    reason = _verdict_sentence(verdict.reason, verdict.params, lang)
    title_key = f"verdict.title.{verdict.reason}"
    status = t(lang, title_key if has_string(lang, title_key) else f"verdict.{verdict.verdict}")
    destination = country_name(verdict.destination_country, lang) if verdict.destination_country else ""
    caller = country_name(verdict.caller_country, lang) if verdict.caller_country else ""
    plan = plan_name(verdict.plan, lang) if verdict.plan else ""
    title = t(lang, "destination.title", destination=destination, caller=caller, plan=plan)
    facts = [(_said_once(lang, "verdict.destination"), destination), (_said_once(lang, "verdict.caller"), caller)]
    if plan:
        facts.append((_said_once(lang, "verdict.plan"), plan))
    if verdict.scope in ("domestic", "international"):
        facts.append((_said_once(lang, "verdict.scope"), _said_once(lang, f"scope.{verdict.scope}")))
    body = [
        heading(title),
        text_block(status, color=_VERDICT_COLOURS[verdict.verdict]),
        text_block(reason),
        fact_set(facts),
    ]
    if verdict.needs:
        needs = [_kept_sentence(code, {}, lang) for code in verdict.needs]
        needs_key = "verdict.needs.per_minute" if verdict.verdict == "per_minute" else "verdict.needs"
        body.append(section(t(lang, needs_key), [text_block(join(needs, lang, style="or"))]))
    notes = [_verdict_sentence(code, verdict.params, lang) for code in verdict.notes]
    if notes:
        body.append(section(_said_once(lang, "verdict.notes"), bullets(notes, lang)))
    return CardReply(
        attachment=adaptive_card(_with_sources(body, verdict.sources, lang)),
        text=t(lang, "destination.text", title=title, reason=reason),
    )


# --- pool table --------------------------------------------------------------------------------

#: The relative widths of a pool's four figures (total, used, left, runs out). WHY not an
#: eight-column Table: a chat card is about 400 px wide (Teams desktop barely more), so the Table
#: broke numbers and words mid-token ("4,8/00", "do/me/stic"). Each pool is now a titled block
#: whose four short label/value pairs fit that width in both languages; the widths are weights
#: (not "auto") so the figures of every pool line up under each other, and the last is widest
#: so a date ("November 26, 2026") fits on one line.
_POOL_FIGURE_WIDTHS = (2, 3, 2, 4)


def _pool_plan(balance: PoolBalance, lang: str) -> str:
    """The pool's plan name as the store knows it (with the UPN for a per-user plan)."""
    plan = balance.plan_names.get(normalize_lang(lang)) or plan_name(balance.plan, lang)
    return t(lang, "pools.plan_user", plan=plan, upn=balance.upn) if balance.upn else plan


def _pool_title(balance: PoolBalance, lang: str) -> str:
    """ "France · Domestic Calling Plan · domestic": the label the verdict card and the purchase
    summary give a pool too."""
    return t(
        lang,
        "pool.label",
        country=country_name(balance.country, lang),
        plan=_pool_plan(balance, lang),
        line=line_name(balance.line, lang),
    )


def _pool_figures(balance: PoolBalance, lang: str) -> list[tuple[str, str, dict[str, Any]]]:
    """``(label, value, value style)`` of total, used (with the percentage), left and runs out.

    An exhausted pool's figures are in the attention colour and say when it ran out; a day
    this month it will run out on is in the warning colour; "not this month" is subtle."""
    alert: dict[str, Any] = {"color": "Attention"} if balance.exhausted else {}
    if balance.exhausted and balance.runs_out_on is None:  # an older summary: no daily minutes
        runs_out = (t(lang, "pools.col.ran_out"), t(lang, "pools.ran_out_undated"), alert)
    elif balance.runs_out_on is None:
        runs_out = (t(lang, "pools.col.runs_out"), t(lang, "pools.not_this_month"), {"isSubtle": True})
    elif balance.exhausted:
        runs_out = (t(lang, "pools.col.ran_out"), format_date(balance.runs_out_on, lang), alert)
    else:
        runs_out = (t(lang, "pools.col.runs_out"), format_date(balance.runs_out_on, lang), {"color": "Warning"})
    used = t(lang, "pools.used", used=balance.used_minutes, percent=format_percent(balance.percent_used / 100, lang))
    return [
        (t(lang, "pools.col.total"), format_number(balance.total_minutes, lang), {}),
        (t(lang, "pools.col.used"), used, alert),
        (t(lang, "pools.col.remaining"), format_number(balance.remaining_minutes, lang), {"weight": "Bolder", **alert}),
        runs_out,
    ]


def _pool_block(balance: PoolBalance, lang: str) -> dict[str, Any]:
    """One pool: a bold title line over a row of label/value pairs (attention colour when
    the pool is exhausted)."""
    words = _pool_words(balance, lang)
    title_style: dict[str, Any] = {"color": "Attention"} if balance.exhausted else {}
    columns = [
        {
            "type": "Column",
            "width": width,
            "items": [
                text_block(label, isSubtle=True, size="Small"),
                text_block(value, spacing="None", **style),
            ],
        }
        for (label, value, style), width in zip(words.figures, _POOL_FIGURE_WIDTHS, strict=True)
    ]
    return {
        "type": "Container",
        "separator": True,
        "spacing": "Medium",
        "items": [
            text_block(words.title, weight="Bolder", **title_style),
            {"type": "ColumnSet", "spacing": "Small", "columns": columns},
        ],
    }


class _PoolWords(NamedTuple):
    title: str
    figures: tuple[tuple[str, str, dict[str, Any]], ...]
    text: str


#: The words of each pool's block and sentence, by (pool, language), while the pool object is
#: the same one. WHY: a pool table rendered ~12 strings per pool (about 124 lookups and
#: template fills for the demo's 11 pools) on every lookup, though the store hands out the same
#: frozen PoolBalance objects while its summary file is unchanged
#: (knowledge.store.memo.MemoizedAsyncStore). Keyed by identity, with the pool kept in the
#: entry so that its id cannot be reused while cached; emptied when full.
_POOL_WORDS: dict[tuple[int, str], tuple[PoolBalance, _PoolWords]] = {}
_POOL_WORDS_MAX = 2048


def _pool_words(balance: PoolBalance, lang: str) -> _PoolWords:
    key = (id(balance), lang)
    cached = _POOL_WORDS.get(key)
    if cached is not None and cached[0] is balance:
        return cached[1]
    words = _PoolWords(_pool_title(balance, lang), tuple(_pool_figures(balance, lang)), _pool_sentence(balance, lang))
    if len(_POOL_WORDS) >= _POOL_WORDS_MAX:
        _POOL_WORDS.clear()
    _POOL_WORDS[key] = (balance, words)
    return words


def _pool_text(balance: PoolBalance, lang: str) -> str:
    """The pool in one sentence, for the plain-text summary."""
    return _pool_words(balance, lang).text


def _pool_sentence(balance: PoolBalance, lang: str) -> str:
    line = t(
        lang,
        "pools.text_line",
        country=country_name(balance.country, lang),
        plan=_pool_plan(balance, lang),
        line=line_name(balance.line, lang),
        remaining=balance.remaining_minutes,
        total=balance.total_minutes,
        percent=format_percent(balance.percent_used / 100, lang),
    )
    if balance.runs_out_on is not None:
        key = "pools.text_ran_out" if balance.exhausted else "pools.text_runs_out"
        line += " " + t(lang, key, date=balance.runs_out_on)
    elif balance.exhausted:
        line += " " + t(lang, "pools.text_ran_out_undated")
    return line


#: What a pool is, in a pool table's key: (country, plan, line, upn). An ``attrgetter`` mapped
#: over the balances (C, no generator frame): the key is made on every pool lookup.
_POOL_FIELDS = operator.attrgetter("country", "plan", "line", "upn")


def pool_table_card(
    balances: Sequence[PoolBalance],
    lang: str,
    *,
    month: str | None = None,
    as_of: date | None = None,
    data: DataProvenance | None = None,
) -> CardReply:
    """Every matching pool: its country, plan and line as a title, then total, used (with the
    percentage), left and the day it runs out (or ran out); then the data the figures rest on
    (``data``: source kinds, newest call, last import, demo). Built once while the store hands
    out the same pools and data (:func:`shared_card`).

    The key names the tenant and which pools, by what they are (country, plan, line, user),
    never by the objects' ids: new pool objects after an import replace the card under the same
    key, so one card is kept per table shown, rather than a new entry per import piling up
    until the bound drops every shared card, the menus too."""
    tenant = data.tenant_id if data is not None else None
    key = ("pools", lang, month, as_of, tenant, tuple(map(_POOL_FIELDS, balances)))
    return shared_card(
        key, (*balances, data), lambda: _pool_table_card(balances, lang, month=month, as_of=as_of, data=data)
    )


def _pool_table_card(
    balances: Sequence[PoolBalance],
    lang: str,
    *,
    month: str | None,
    as_of: date | None,
    data: DataProvenance | None,
) -> CardReply:
    month = month or (balances[0].month if balances else None)
    title = t(lang, "pools.title", month=format_month(month, lang)) if month else t(lang, "rec.pools")
    body: list[dict[str, Any]] = [heading(title)]
    if as_of is not None:
        body.append(text_block(t(lang, "pools.as_of", date=as_of), isSubtle=True, spacing="None"))
    if not balances:
        body.append(text_block(t(lang, "pools.empty")))
        return CardReply(attachment=adaptive_card(body), text=t(lang, "pools.empty"))
    lines = [_pool_text(b, lang) for b in balances]
    later = next((b.roster_month for b in balances if b.roster_is_later), None)
    if later is not None:  # a past month sized by a newer roster: say so, sizes may differ
        note = t(lang, "pools.roster_later", roster_month=format_month(later, lang))
        body.append(text_block(note, isSubtle=True, size="Small", spacing="None"))
        lines.append(note)
    body.extend(_pool_block(balance, lang) for balance in balances)
    if data is not None:
        body.append(data_block(data, lang))
    body = _with_sources(body, (key for balance in balances for key in balance.sources), lang)
    # Subscribes this chat to pool alerts (80% and 100%, and "runs out this month").
    alert_me = submit(t(lang, "action.alert"), {"intent": "alert"})
    return CardReply(attachment=adaptive_card(body, [alert_me]), text="\n".join(lines))


# --- choice prompts ----------------------------------------------------------------------------


def choice_card(question: str, choices: Sequence[tuple[str, Any]], lang: str) -> CardReply:
    """A question with one button per answer; a click sends ``{"value": value}``.

    ``choices`` are ``(label, value)`` pairs. Typed answers work too: the hint says so.
    """
    actions = [submit(label, {"value": value}) for label, value in choices]
    body = [
        text_block(question, weight="Bolder"),
        *button_rows(actions),
        text_block(t(lang, "choice.hint"), isSubtle=True, size="Small"),
    ]
    return CardReply(attachment=adaptive_card(body), text=question)


def which_one_card(question: str, people: Sequence[tuple[str, dict[str, Any]]]) -> CardReply:
    """ "Which one?": one button per person a name may mean; a click sends the request again
    with that person (``people``: label and the button's data)."""
    body = [text_block(question, weight="Bolder"), *button_rows([submit(label, data) for label, data in people])]
    return CardReply(attachment=adaptive_card(body), text=question)


def licence_note(family: Any, lang: str) -> CardReply:
    """What a base licence needs before a Calling Plan ("we have E3, what do we need?"): Teams
    Phone included or not, and the paths for that licence (fact sheet 6, FR_ADDON), with its
    source. Sent before the next question of the purchase, so the request gets its fact AND goes on."""
    code = "licence_paths_included" if family.teams_phone else "licence_paths"
    text = render(code, {"base": getattr(family.name, lang)}, lang)
    return CardReply(attachment=adaptive_card(_with_sources([text_block(text)], family.sources, lang)), text=text)


#: Offered first when asking for countries: the largest Calling Plan markets (any other can be typed).
DEFAULT_COUNTRY_CHOICES = ("US", "GB", "FR", "DE", "CA", "ES", "IT", "NL")


def countries_choice(
    lang: str, countries: Sequence[str] | None = None, *, question_key: str = "prompt.countries"
) -> CardReply:
    codes = list(countries or DEFAULT_COUNTRY_CHOICES)
    return choice_card(t(lang, question_key), [(country_name(c, lang), c) for c in codes], lang)


def yes_no_choice(lang: str, question_key: str, **params: Any) -> CardReply:
    """A yes/no question; the buttons send ``{"value": true}`` / ``{"value": false}``."""
    return choice_card(t(lang, question_key, **params), [(t(lang, "yes"), True), (t(lang, "no"), False)], lang)


def plan_choice(
    lang: str, plans: Sequence[str] = ("MCOPSTN1", "MCOPSTN2", "MCOPSTN5", "MCOPSTN_PAYG_2", "MCOTEAMS_ESSENTIALS")
) -> CardReply:
    """Calling Plans by name; the value is the SKU."""
    return choice_card(t(lang, "prompt.plan"), [(plan_name(p, lang), p) for p in plans], lang)


# --- users ---------------------------------------------------------------------------------------

#: At most this many rows in the users table (a chat card, not a report: the CLI lists them all).
USERS_CARD_ROWS = 30


def users_card(users: Sequence[Any], lang: str) -> CardReply:
    """The tenant's users: name, UPN, usage location and the Calling Plan their licences give.

    ``users`` are ``knowledge.store.records.UserRecord``s (anything with ``display_name``, ``upn``,
    ``usage_location`` and ``licenses``).
    """
    catalog = load_catalog()
    body: list[dict[str, Any]] = [heading(t(lang, "users.title", count=len(users)))]
    if not users:
        body.append(text_block(t(lang, "users.empty")))
        return CardReply(attachment=adaptive_card(body), text=t(lang, "users.empty"))
    columns = ("name", "upn", "country", "plan")
    rows = [
        {
            "type": "TableRow",
            "style": "accent",
            "cells": [table_cell(t(lang, f"users.col.{c}"), weight="Bolder") for c in columns],
        }
    ]
    for user in users[:USERS_CARD_ROWS]:
        plans = [p.sku for p in (catalog.calling_plan_for(sku) for sku in user.licenses) if p is not None]
        values = {
            "name": user.display_name or user.upn,
            "upn": user.upn,
            "country": country_name(user.usage_location, lang) if user.usage_location else t(lang, "users.no_location"),
            "plan": join((plan_name(p, lang) for p in dict.fromkeys(plans)), lang) or t(lang, "users.no_plan"),
        }
        rows.append({"type": "TableRow", "cells": [table_cell(values[c], size="Small") for c in columns]})
    body.append(
        {
            "type": "Table",
            "firstRowAsHeader": True,
            "showGridLines": True,
            "gridStyle": "accent",
            "columns": [{"width": w} for w in (2, 3, 2, 2)],
            "rows": rows,
        }
    )
    if len(users) > USERS_CARD_ROWS:
        body.append(text_block(t(lang, "users.more", count=len(users) - USERS_CARD_ROWS), isSubtle=True))
    by_country: dict[str | None, int] = {}
    for user in users:
        by_country[user.usage_location] = by_country.get(user.usage_location, 0) + 1
    summary = join(
        (
            t(lang, "users.text_country", count=n, country=country_name(c, lang))
            if c
            else t(lang, "users.text_no_location", count=n)
            for c, n in sorted(by_country.items(), key=lambda item: (item[0] is None, -item[1]))
        ),
        lang,
    )
    return CardReply(attachment=adaptive_card(body), text=t(lang, "users.text", count=len(users), summary=summary))
