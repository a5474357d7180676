"""Reading Adaptive Card JSON in tests: every element, the texts a person sees, the buttons."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(node: Any) -> Iterator[dict]:
    """Every object of a card (or of any JSON value), depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def card_texts(card: dict) -> list[str]:
    """The texts of a card in reading order: text blocks, text runs, fact titles and values."""
    found = []
    for element in walk(card):
        kind = element.get("type")
        if kind in ("TextBlock", "TextRun"):
            found.append(element["text"])
        elif kind == "FactSet":
            for fact in element["facts"]:
                found += [fact["title"], fact["value"]]
    return found


def submits(card: dict) -> list[Any]:
    """The data of every Action.Submit of a card (``{"value": ...}`` or ``{"intent": ...}``)."""
    return [element["data"] for element in walk(card) if element.get("type") == "Action.Submit"]


def _field(activity: Any, name: str, attribute: str | None = None) -> Any:
    if isinstance(activity, dict):
        return activity.get(name)
    return getattr(activity, attribute or name, None)


def shown_once(activity: Any) -> str | None:
    """What one bot message says, checking that it says it once: a text reply's ``text``; a
    card reply's ``summary``, after checking it has no visible ``text`` beside the card (Teams
    would show both) and that every card falls back to that summary (``fallbackText``).

    ``activity`` is an ``Activity`` or its JSON (``dict``)."""
    attachments = _field(activity, "attachments") or []
    text = _field(activity, "text")
    if not attachments:
        return text
    assert not text, f"a card reply carries visible text beside the card: {text!r}"
    summary = _field(activity, "summary")
    assert summary and summary.strip(), "a card reply without a summary (the notification preview)"
    for attachment in attachments:
        content = _field(attachment, "content")
        assert isinstance(content, dict) and content.get("fallbackText") == summary, content
    return summary
