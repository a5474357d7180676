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
