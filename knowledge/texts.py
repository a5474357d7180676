"""Filling message templates, with plural forms chosen by CLDR's rules (babel 2.9.1).

A template is a ``str.format`` string. A count that names a thing says so in the template, as a
format spec: ``{users:plural:one=# user|other=# users}``. The variant is chosen by babel's plural
rule for the language (``Locale.plural_form``): English "one" is exactly 1; French "one" is 0
and 1 (CLDR), so ``0 utilisateur`` but ``0 users``. In a variant, ``#`` is the number itself,
formatted like any other number of the message (``1,000`` / ``1 000``). Only CLDR category names
are accepted and ``other`` is required, so a typo fails loudly (the tests load every template).

WHY a format spec and not an object of variants per key: the locale files stay flat
``key -> string`` maps (the placeholder-parity test reads them as they are), a sentence with two
counts needs no nesting, and a translator sees the whole sentence in one place.

WHY here and not in ``dialogs``: the knowledge layer's own English defaults
(``data/texts.json``, used by the CLI) have counts too, and ``knowledge`` imports nothing above
it; the dialogs layer fills its templates with this same function (one way to do it).
"""
from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import Locale

#: CLDR plural categories (any language); English and French use ``one`` and ``other``.
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
PLURAL_PREFIX = "plural:"


class TemplateError(ValueError):
    """A malformed plural spec in a template: a data error, caught by the tests."""


@lru_cache(maxsize=512)
def plural_variants(spec: str) -> dict[str, str]:
    """``"plural:one=# user|other=# users"`` -> ``{"one": "# user", "other": "# users"}``."""
    variants: dict[str, str] = {}
    for part in spec[len(PLURAL_PREFIX):].split("|"):
        category, sep, text = part.partition("=")
        category = category.strip()
        if not sep or category not in PLURAL_CATEGORIES or category in variants:
            raise TemplateError(f"bad plural variant {part!r} in {{...:{spec}}}")
        variants[category] = text
    if "other" not in variants:
        raise TemplateError(f"plural spec {spec!r} has no 'other' variant")
    return variants


def _as_number(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


@lru_cache(maxsize=32)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_category(count: Any, lang: str) -> str:
    """The CLDR category of ``count`` in ``lang`` ("one", "other", ...); "other" for a non-number."""
    number = _as_number(count)
    if number is None:
        return "other"
    return _locale(lang).plural_form(abs(number))


class _Formatter(string.Formatter):
    def __init__(self, lang: str, localize: Callable[[Any], Any], missing: Callable[[str], Any] | None) -> None:
        super().__init__()
        self.lang = lang
        self.localize = localize
        self.missing = missing

    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs and self.missing is not None:
            return _Missing(self.missing(key))
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return value.text
        if format_spec.startswith(PLURAL_PREFIX):
            variants = plural_variants(format_spec)
            text = variants.get(plural_category(value, self.lang), variants["other"])
            return text.replace("#", str(self.localize(value))) if "#" in text else text
        return format(self.localize(value), format_spec)


class _Missing:
    __slots__ = ("text",)

    def __init__(self, text: Any) -> None:
        self.text = str(text)


def fill(
    template: str,
    params: Mapping[str, Any],
    lang: str = "en",
    *,
    localize: Callable[[Any], Any] = lambda value: value,
    missing: Callable[[str], Any] | None = None,
) -> str:
    """``template`` with ``params`` filled in: ``localize`` turns each value into its text
    (numbers grouped for the locale), plural specs pick their variant by the raw value.

    A param the template names but ``params`` lacks is a ``KeyError``, unless ``missing`` gives
    its text (the knowledge layer leaves ``{name}`` in place rather than fail a CLI answer)."""
    return _Formatter(lang, localize, missing).vformat(template, (), params)


__all__ = ["PLURAL_CATEGORIES", "TemplateError", "fill", "plural_category", "plural_variants"]
