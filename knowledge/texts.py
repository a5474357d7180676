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

#: CLDR plural categories (any language); English and French use ``one`` and ``other``.
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
PLURAL_PREFIX = "plural:"


class TemplateError(ValueError):
    """A malformed plural spec in a template: a data error, caught by the tests."""


@lru_cache(maxsize=512)
def plural_variants(spec: str) -> dict[str, str]:
    """``"plural:one=# user|other=# users"`` -> ``{"one": "# user", "other": "# users"}``."""
    variants: dict[str, str] = {}
    for part in spec[len(PLURAL_PREFIX) :].split("|"):
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
def _plural_rule(lang: str) -> Callable[[Any], str]:
    """The language's rule, looked up once (``Locale.plural_form`` costs ~10 us per access).
    babel is imported here, on first use: `callplan check` prints no plural and skips it."""
    from babel import Locale

    return Locale.parse(lang).plural_form


def plural_category(count: Any, lang: str) -> str:
    """The CLDR category of ``count`` in ``lang`` ("one", "other", ...); "other" for a non-number."""
    try:
        hash(count)
    except TypeError:  # a list, a dict: not a count
        return "other"
    return _category(count, lang)


@lru_cache(maxsize=4096, typed=True)
def _category(count: Any, lang: str) -> str:
    number = _as_number(count)
    if number is None:
        return "other"
    return _plural_rule(lang)(abs(number))


#: A template with plural specs, parsed once: (literal text, field name or None, format spec,
#: plural variants or None) per piece.
_Piece = tuple[str, "str | None", str, "dict[str, str] | None"]


@lru_cache(maxsize=1024)
def _pieces(template: str) -> tuple[_Piece, ...]:
    pieces = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if field is not None and (conversion or not field.isidentifier() or "{" in (spec or "")):
            raise TemplateError(f"unsupported field {{{field}...}} in a template with plurals: {template!r}")
        spec = spec or ""
        variants = plural_variants(spec) if spec.startswith(PLURAL_PREFIX) else None
        pieces.append((literal, field, spec, variants))
    return tuple(pieces)


def fill(
    template: str,
    params: Mapping[str, Any],
    lang: str = "en",
    *,
    localize: Callable[[Any], Any] | None = None,
    missing: Callable[[str], Any] | None = None,
) -> str:
    """``template`` with ``params`` filled in: ``localize`` turns each value that is not a
    ``str`` into its text (numbers grouped for the locale; a ``str`` is its own text, and most
    params are), plural specs pick their variant by the raw value.

    A param the template names but ``params`` lacks is a ``KeyError``, unless ``missing`` gives
    its text (the knowledge layer leaves ``{name}`` in place rather than fail a CLI answer)."""
    if localize is None:
        localize = _as_is
    if PLURAL_PREFIX not in template:  # most templates: str.format_map (C, nothing parsed here)
        values = (
            params
            if localize is _as_is
            else {name: value if type(value) is str else localize(value) for name, value in params.items()}
        )
        return template.format_map(_Fallback(values, missing) if missing is not None else values)
    out = []
    for literal, field, spec, variants in _pieces(template):
        out.append(literal)
        if field is None:
            continue
        if field in params:
            value = params[field]
        elif missing is not None:
            out.append(str(missing(field)))
            continue
        else:
            raise KeyError(field)
        if variants is None:
            out.append(format(value if type(value) is str else localize(value), spec))
        else:
            text = variants.get(plural_category(value, lang), variants["other"])
            out.append(text.replace("#", str(localize(value))) if "#" in text else text)
    return "".join(out)


def _as_is(value: Any) -> Any:
    return value


class _Fallback(dict):
    def __init__(self, values: Mapping[str, Any], missing: Callable[[str], Any]) -> None:
        super().__init__(values)
        self.missing = missing

    def __missing__(self, key: str) -> Any:
        return self.missing(key)


__all__ = ["PLURAL_CATEGORIES", "TemplateError", "fill", "plural_category", "plural_variants"]
