"""The personal chat in the Agents Playground, driven like a person would (page object).

What the DOM looks like (playground 0.2.28, learned from screenshots and page.content()):
- Every bot activity renders as one ``.fai-OutputCard``: plain text as a ``<p>``, an
  Adaptive Card as ``.ac-adaptiveCard`` (buttons: ``.ac-actionSet button[title=...]``,
  the title is also the aria-label), a Hero card as ``[data-tid="hero-card"]`` (title
  ``[data-tid="hero-card-title"]``, buttons ``[data-tid="hero-card-buttons"] button``
  whose text is the title, no title attribute). Clicking a Hero card's imBack or
  messageBack button sends NOTHING: the playground only shows "Action type imBack is not
  supported yet in Microsoft 365 Agents playground" (see ``playground_warnings``). So
  botbuilder's ChoicePrompt/ConfirmPrompt on msteams (Hero card + imBack) cannot be
  clicked here; Adaptive Card ``Action.Submit`` works. The user's own messages are NOT
  ``.fai-OutputCard`` (a plain ``<span>`` in a right-aligned bubble).
- Each message has a ``[aria-label="Message header"]``; bot messages also carry
  ``[aria-label="Message author"]`` ("Test Bot" unless the config renames the bot).
- The message box is ``[data-lexical-editor="true"][role="textbox"]``; the log panel is
  a plain ``[contenteditable="true"]`` without that attribute, so this selector is unique.
- The playground may render the user's own bubble AFTER the bot's first reply (it shows
  it when the bot's HTTP call returns), so never reason about DOM order across senders.
  The bot's outputs keep their order, so waits look only at bot outputs rendered after
  a *mark* (their count when the step began).
- Each page load starts an empty chat and makes the playground send
  ``installationUpdate`` (action add) then ``conversationUpdate`` (bot and user added)
  again, with the same conversation id.

Texts are compared after collapsing whitespace, including the no-break spaces French
formatting uses (U+00A0, U+202F), so "1 234,50 €" matches whatever space Babel chose.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from e2e_harness.playground import DEFAULT_CURRENT_USER, RunningPlayground

if TYPE_CHECKING:
    from playwright.sync_api import Page

OUTPUT = ".fai-OutputCard"
ADAPTIVE_CARD = ".ac-adaptiveCard"
HERO_CARD = '[data-tid="hero-card"]'
CARD = f"{ADAPTIVE_CARD}, {HERO_CARD}"
MESSAGE_BOX = '[data-lexical-editor="true"][role="textbox"]'
# How the playground says it did not deliver something (e.g. a Hero card's imBack).
UNSUPPORTED_HINT = "not supported yet in Microsoft 365 Agents playground"

# JavaScript shared by the waits: the normalized texts of bot outputs from index `since`.
_JS_TEXTS = """
(args) => Array.from(document.querySelectorAll(args.selector)).slice(args.since)
  .map(e => (e.innerText || '').replace(/[\\s\\u00a0\\u202f]+/g, ' ').trim())
"""


def normalize(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


class ChatError(AssertionError):
    """A step did not happen as expected; the message says what the bot did show."""


class TeamsChat:
    """One browser page on one playground's personal chat."""

    def __init__(
        self,
        page: Page,
        playground: RunningPlayground,
        artifacts_dir: Path,
        *,
        timeout: float = 15.0,
        blocked_requests: list[str] | None = None,
    ) -> None:
        self.page = page
        self.playground = playground
        self.artifacts_dir = Path(artifacts_dir)
        self.timeout = timeout
        self._mark = 0
        self._step_started = time.monotonic()
        self._shots = 0
        # Seconds: "open" (page load to first bot output), "playground_start", and one
        # "until <text>" per wait (from the step's action to the text being rendered).
        self.timings: dict[str, float] = {}
        # Non-loopback URLs the page tried to reach (aborted): fonts from a CDN.
        self.blocked_requests = blocked_requests if blocked_requests is not None else []

    # ----------------------------------------------------------------- reading
    def bot_message_count(self) -> int:
        return self.page.locator(OUTPUT).count()

    def _texts(self, selector: str, since: int) -> list[str]:
        return self.page.evaluate(_JS_TEXTS, {"selector": selector, "since": since})

    def bot_texts(self, since: int = 0) -> list[str]:
        """The rendered text of every bot output (text messages and cards alike)."""
        return self._texts(OUTPUT, since)

    def card_texts(self, since: int = 0) -> list[str]:
        """The rendered text of every card (Adaptive or Hero), in order, buttons included.
        ``since`` counts cards, not messages."""
        return self._texts(CARD, since)

    def answers_shown_twice(self, since: int = 0) -> list[str]:
        """Bot outputs that show a card AND text outside it (an activity's ``text`` rendered
        as a bubble beside its card: the same answer shown twice). Empty when each answer
        is shown once."""
        return self.page.evaluate(
            """(a) => Array.from(document.querySelectorAll(a.out)).slice(a.since)
                  .filter(e => e.querySelector(a.card))
                  .map(e => {
                      const norm = s => (s || '').replace(/[\\s\\u00a0\\u202f]+/g, ' ').trim();
                      const inCards = Array.from(e.querySelectorAll(a.card)).map(c => norm(c.innerText)).join(' ');
                      return [norm(e.innerText), inCards];
                  })
                  .filter(([all, inCards]) => all !== inCards)
                  .map(([all]) => all)""",
            {"out": OUTPUT, "card": CARD, "since": since},
        )

    def playground_warnings(self) -> list[str]:
        """The playground's own "not supported yet" hints (e.g. a Hero card imBack click),
        shown under a message and in the log panel; deduplicated."""
        lines = self.page.evaluate("() => document.body.innerText.split('\\n')")
        seen: list[str] = []
        for line in (normalize(text) for text in lines):
            if UNSUPPORTED_HINT in line and line not in seen:
                seen.append(line)
        return seen

    def _card(self, card_index: int = -1):
        """The Adaptive Card ``card_index`` (Python-style: -1 is the last one) or None."""
        cards = self.page.locator(ADAPTIVE_CARD)
        count = cards.count()
        index = card_index if card_index >= 0 else count + card_index
        return cards.nth(index) if 0 <= index < count else None

    def card_facts(self, card_index: int = -1) -> list[tuple[str, str]]:
        """The (title, value) rows of every FactSet of one Adaptive Card, as rendered
        (``.ac-fact-title`` / ``.ac-fact-value`` grid cells, in order)."""
        card = self._card(card_index)
        if card is None:
            return []
        titles = [normalize(t) for t in card.locator(".ac-fact-title").all_inner_texts()]
        values = [normalize(v) for v in card.locator(".ac-fact-value").all_inner_texts()]
        return list(zip(titles, values, strict=True))

    def card_table(self, card_index: int = -1) -> list[list[str]]:
        """The rows of the Table of one Adaptive Card (header row first), cell texts
        whitespace-normalized. Adaptive Cards 1.5 render a Table as ``role=row`` /
        ``role=columnheader|cell`` divs."""
        card = self._card(card_index)
        if card is None:
            return []
        return [
            [normalize(c) for c in cells]
            for cells in card.locator('[role="row"]').evaluate_all(
                """rows => rows.map(r => Array.from(
                   r.querySelectorAll('[role="columnheader"], [role="cell"]'))
                   .map(c => c.innerText || ''))"""
            )
        ]

    def card_column_sets(self, card_index: int = -1) -> list[list[list[str]]]:
        """The ColumnSets of one Adaptive Card, in order: for each, its columns, and for each
        column the texts of its TextBlocks (e.g. ``[["Total", "9,600"], ["Left", "4,935"]]``),
        whitespace-normalized. The renderer gives a ColumnSet no class of its own: it is a
        ``.ac-container`` holding a ``flex-direction: row`` div whose ``.ac-container``
        children are the columns (``.ac-vertical-separator`` divs between them)."""
        card = self._card(card_index)
        if card is None:
            return []
        return [
            [[normalize(t) for t in column] for column in columns]
            for columns in card.evaluate(
                """card => Array.from(card.querySelectorAll('div'))
                .filter(d => getComputedStyle(d).flexDirection === 'row'
                             && Array.from(d.children).some(c => c.classList.contains('ac-container')))
                .map(row => Array.from(row.children)
                    .filter(c => c.classList.contains('ac-container'))
                    .map(column => Array.from(column.querySelectorAll('.ac-textBlock'))
                                        .map(b => b.innerText || '')))"""
            )
        ]

    def card_blocks(self, card_index: int = -1) -> list[str]:
        """The text of every TextBlock of one Adaptive Card (empty ones included, so a test
        can tell a card with an empty block)."""
        card = self._card(card_index)
        return [] if card is None else [normalize(t) for t in card.locator(".ac-textBlock").all_inner_texts()]

    def card_list_items(self, card_index: int = -1) -> list[str]:
        """The items of the Markdown lists of one Adaptive Card (e.g. numbered steps), as
        rendered (``<li>``): proof the list was rendered, not shown as raw Markdown."""
        card = self._card(card_index)
        return [] if card is None else [normalize(t) for t in card.locator("li").all_inner_texts()]

    def card_buttons(self, card_index: int = -1) -> list[str]:
        """The button titles of one card (default: the last one)."""
        cards = self.page.locator(CARD)
        count = cards.count()
        if count == 0:
            return []
        card = cards.nth(card_index if card_index >= 0 else count + card_index)
        return [
            normalize(t)
            for t in card.locator("button").evaluate_all(
                "bs => bs.map(b => b.getAttribute('title') || b.innerText || '')"
            )
        ]

    # ------------------------------------------------------------------ waiting
    def mark(self) -> int:
        """Remember how many bot outputs exist: later waits only look at newer ones."""
        self._mark = self.bot_message_count()
        self._step_started = time.monotonic()
        return self._mark

    def wait_for_bot_text(self, substring: str, timeout: float | None = None, *, since: int | None = None) -> str:
        """Wait until a bot output rendered after the mark contains ``substring``
        (whitespace-normalized); returns that output's whole text."""
        start = self._mark if since is None else since
        return self._wait_for(OUTPUT, start, substring, timeout)

    def wait_for_card(self, substring: str, timeout: float | None = None) -> str:
        """Wait until a card (Adaptive or Hero) rendered after the mark contains
        ``substring``; returns that card's text."""
        cards_before = self.page.evaluate(
            """(a) => Array.from(document.querySelectorAll(a.out)).slice(0, a.since)
                  .reduce((n, e) => n + e.querySelectorAll(a.card).length, 0)""",
            {"out": OUTPUT, "since": self._mark, "card": CARD},
        )
        return self._wait_for(CARD, cards_before, substring, timeout)

    def _wait_for(self, selector: str, since: int, substring: str, timeout: float | None) -> str:
        wanted = normalize(substring)
        limit = self.timeout if timeout is None else timeout
        try:
            handle = self.page.wait_for_function(
                f"(args) => ({_JS_TEXTS})(args).find(t => t.includes(args.wanted)) || null",
                arg={"selector": selector, "since": since, "wanted": wanted},
                timeout=limit * 1000,
                polling=100,
            )
            found = handle.json_value()
            self.timings[f"until {wanted[:60]}"] = time.monotonic() - self._step_started
            return found
        except Exception as exc:
            if type(exc).__name__ != "TimeoutError":
                raise
            shown = self._texts(OUTPUT, self._mark)
            warnings = self.playground_warnings()
            raise ChatError(
                f"the bot did not show {wanted!r} within {limit:.0f} s; "
                f"bot outputs since the last step: {shown!r}"
                + (f"; playground warnings: {warnings!r}" if warnings else "")
            ) from None

    # ------------------------------------------------------------------- acting
    def open(self, *, wait_for_welcome: bool = True, timeout: float = 30.0) -> None:
        """Load the playground and wait for the message box (and the bot's first output,
        normally the welcome card, which the page load triggers)."""
        started = time.monotonic()
        self.page.goto(self.playground.url, timeout=timeout * 1000)
        self.page.locator(MESSAGE_BOX).wait_for(state="visible", timeout=timeout * 1000)
        self._mark, self._step_started = 0, started
        if wait_for_welcome:
            self.page.locator(OUTPUT).first.wait_for(state="visible", timeout=timeout * 1000)
        self.timings["open"] = time.monotonic() - started

    def send(self, text: str, *, timeout: float | None = None) -> None:
        """Type ``text`` in the message box and press Enter, like a person."""
        limit = (self.timeout if timeout is None else timeout) * 1000
        box = self.page.locator(MESSAGE_BOX)
        self.mark()
        box.click(timeout=limit)
        box.fill(text, timeout=limit)
        typed = normalize(box.inner_text(timeout=limit))
        if typed != normalize(text):
            raise ChatError(f"the message box holds {typed!r}, not {text!r}")
        box.press("Enter", timeout=limit)
        # The box empties once the playground has taken the message.
        self.page.wait_for_function(
            "(sel) => (document.querySelector(sel)?.innerText || '').trim() === ''",
            arg=MESSAGE_BOX,
            timeout=limit,
            polling=100,
        )

    def send_activity(self, text: str, *, locale: str = "fr-FR", from_name: str | None = None, **fields: Any) -> dict:
        """Send a message activity with another locale through the playground's own
        "Mock an Activity > Custom activity" dialog (the only way: the playground hard-codes
        ``locale: en-US`` on what the message box sends). The dialog shows no user bubble;
        the bot's replies render as usual. Returns the activity sent.
        Note: card clicks afterwards still arrive with ``locale: en-US``."""
        limit = self.timeout * 1000
        activity = self._custom_template()
        tenant = (activity.get("conversation") or {}).get("tenantId")
        user = dict(activity.get("from") or {})
        user["name"] = from_name or self._current_user_name()
        activity.update(
            {
                "type": "message",
                "text": text,
                "textFormat": "plain",
                "locale": locale,
                "from": user,
                "entities": [{"type": "clientInfo", "locale": locale, "platform": "Web"}],
                "channelData": {"tenant": {"id": tenant}},
            }
        )
        activity.update(fields)
        self.mark()
        self.page.get_by_role("button", name="Mock an Activity").click(timeout=limit)
        self.page.get_by_role("menuitem", name="Custom activity").click(timeout=limit)
        dialog = self.page.get_by_role("dialog")
        editor = dialog.locator("textarea.inputarea")  # Monaco's input
        editor.wait_for(state="attached", timeout=limit)
        # Wait for the pre-filled template, so it cannot land after our text.
        dialog.locator(".view-lines", has_text="conversation").wait_for(timeout=limit)
        editor.focus(timeout=limit)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(json.dumps(activity, ensure_ascii=False))
        dialog.get_by_role("button", name="Send activity").click(timeout=limit)
        dialog.wait_for(state="detached", timeout=limit)
        return activity

    def _custom_template(self) -> dict:
        response = self.page.request.get(
            f"{self.playground.url}_internal/v1/customActivities/template",
            params={"conversationId": self.playground.conversation_id},
            timeout=self.timeout * 1000,
        )
        if not response.ok:
            raise ChatError(
                f"the playground refused the custom activity template: {response.status} {response.text()[:200]}"
            )
        return response.json()

    def _current_user_name(self) -> str:
        config = self.playground.config
        return (config.current_user if config else DEFAULT_CURRENT_USER).name

    def click_card_button(self, title: str, *, timeout: float | None = None) -> None:
        """Click the button titled ``title`` on the LAST card that has one, waiting for it
        to be rendered. Adaptive Card buttons work; a Hero card imBack is not delivered by
        the playground (a later wait fails and names the playground's warning)."""
        limit = (self.timeout if timeout is None else timeout) * 1000
        wanted = normalize(title)
        try:
            handle = self.page.wait_for_function(
                """(a) => {
                    const norm = s => (s || '').replace(/[\\s\\u00a0\\u202f]+/g, ' ').trim();
                    const cards = Array.from(document.querySelectorAll(a.card));
                    for (let i = cards.length - 1; i >= 0; i--) {
                        const buttons = Array.from(cards[i].querySelectorAll('button'));
                        const hit = buttons.find(b => norm(b.getAttribute('title')) === a.t
                            || norm(b.innerText) === a.t);
                        if (hit) {
                            document.querySelectorAll('[data-e2e-target]')
                                .forEach(e => e.removeAttribute('data-e2e-target'));
                            hit.setAttribute('data-e2e-target', '1');
                            return true;
                        }
                    }
                    return false;
                }""",
                arg={"card": CARD, "t": wanted},
                timeout=limit,
                polling=100,
            )
            handle.dispose()
        except Exception as exc:
            if type(exc).__name__ != "TimeoutError":
                raise
            raise ChatError(
                f"no card button {wanted!r} within {limit / 1000:.0f} s; last card's buttons: {self.card_buttons()!r}"
            ) from None
        self.mark()
        self.page.locator('[data-e2e-target="1"]').click(timeout=limit)

    def fill_card_input(self, label: str, value: str, *, timeout: float | None = None) -> None:
        """Type ``value`` into the input labelled ``label`` on the last card that has it."""
        limit = (self.timeout if timeout is None else timeout) * 1000
        field = self.page.locator(ADAPTIVE_CARD).get_by_label(label, exact=True).last
        field.fill(value, timeout=limit)

    # ---------------------------------------------------------------- evidence
    def _shot_path(self, step: str, suffix: str = "") -> Path:
        self._shots += 1
        slug = re.sub(r"[^A-Za-z0-9]+", "-", step).strip("-").lower() or "step"
        path = self.artifacts_dir / f"{self._shots:02d}-{slug}{suffix}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def screenshot(self, step: str) -> Path:
        """Save ``NN-<step>.png`` (the window, as a person sees it) under this test's
        artifacts directory."""
        path = self._shot_path(step)
        self.page.screenshot(path=str(path), timeout=self.timeout * 1000)
        return path

    def screenshot_card(self, step: str, card_index: int = -1) -> Path:
        """Save ``NN-<step>-card.png``: one whole Adaptive Card, however tall.

        Why: a summary or a pool table is taller than the window, and an element
        screenshot of it would show the playground's sticky header over the card. The
        viewport is made tall enough for the card, then restored."""
        card = self._card(card_index)
        if card is None:
            raise ChatError(f"no Adaptive Card {card_index} to screenshot")
        path = self._shot_path(step, "-card")
        limit = self.timeout * 1000
        size = self.page.viewport_size
        box = card.bounding_box(timeout=limit) or {"height": 0}
        needed = int(box["height"]) + 400
        try:
            if size and needed > size["height"]:
                self.page.set_viewport_size({"width": size["width"], "height": needed})
            card.scroll_into_view_if_needed(timeout=limit)
            card.screenshot(path=str(path), timeout=limit)
        finally:
            if size and needed > size["height"]:
                self.page.set_viewport_size(size)
        return path
