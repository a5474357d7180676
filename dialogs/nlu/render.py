"""Knowledge results in words: stable codes and their params rendered in English or French.

The knowledge layer answers with codes (``international_needs_credits``, ``buy_calling_plan``)
and params that are codes too (ISO countries, SKUs, alternative ids), plus an English default
text. This module turns a code into a sentence of the locale files (``k.<code>``), first turning
each param into words of the same language: country names, plan names, "A, B or C" lists, numbers
formatted for the locale. It is the only place that knows how params are shaped, so cards and
dialogs never parse English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from babel import Locale
from babel.lists import format_list

from dialogs.nlu.i18n import babel_locale, has_string, normalize_lang, t
from knowledge.catalog import load_catalog

#: Params that hold counts (rendered with the locale's digit grouping even when given as text).
NUMERIC_PARAMS = frozenset({"quantity", "hours", "users", "minutes_per_user", "allowance", "count", "minutes"})


def code_key(code: str) -> str:
    """The locale key of a knowledge code."""
    return f"k.{code}"


def country_name(iso: str | None, lang: str) -> str:
    """``FR`` -> "France"; ``DE`` -> "Allemagne" in French. Unknown codes come back as given."""
    if not iso:
        return t(lang, "unknown_value")
    lang = normalize_lang(lang)
    country = load_catalog().country(iso)
    if country is not None:
        return country.name[lang]
    return Locale(lang).territories.get(iso.upper(), iso)


def plan_name(sku: str | None, lang: str) -> str:
    """A Calling Plan or licence SKU as its name in ``lang`` (the SKU itself when unknown)."""
    if not sku:
        return t(lang, "unknown_value")
    lang = normalize_lang(lang)
    catalog = load_catalog()
    plan = catalog.find_plan(sku)
    if plan is not None:
        return getattr(plan.name, lang)
    licence = catalog.licence(sku)
    if licence is not None:
        return getattr(licence.name, lang)
    return sku


def carrier_name(carrier: str | None, lang: str) -> str:
    """``direct_routing`` -> "Direct Routing" / "Routage direct" (from the catalog's alternatives)."""
    if not carrier:
        return t(lang, "unknown_value")
    lang = normalize_lang(lang)
    for alternative in load_catalog().alternatives:
        if alternative.id == carrier:
            return getattr(alternative.name, lang)
    if has_string(lang, f"carrier.{carrier}"):
        return t(lang, f"carrier.{carrier}")
    return carrier.replace("_", " ")


def line_name(line: str | None, lang: str) -> str:
    return t(lang, f"line.{line}") if line and has_string(lang, f"line.{line}") else t(lang, "unknown_value")


def join(items: Iterable[str], lang: str, *, style: str = "standard") -> str:
    """``["France", "Allemagne"]`` -> "France et Allemagne" (``style="or"``: "France ou Allemagne").
    One item is itself, as babel returns it; longer lists are formatted with the language's
    parsed babel locale (:func:`babel_locale`: named by a string, babel parses it every call)."""
    items = [item for item in items if item]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return format_list(items, style=style, locale=babel_locale(normalize_lang(lang)))


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def localize_params(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Params of a knowledge item, turned into words of ``lang`` (see the module docstring)."""
    lang = normalize_lang(lang)
    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            out[name] = t(lang, "unknown_value")
        elif name in ("country", "caller_iso", "destination_iso", "shares_with_iso"):
            out[name] = country_name(str(value), lang)
        elif name == "caller":
            out[name] = country_name(params["caller_iso"], lang) if params.get("caller_iso") else value
        elif name in ("destination", "shares_with"):  # a country's English name, its ISO code beside it
            iso = params.get(f"{name}_iso")
            out[name] = country_name(str(iso), lang) if iso else value
        elif name == "countries":
            out[name] = join((country_name(iso, lang) for iso in _as_list(value)), lang)
        elif name in ("options", "alternatives"):
            out[name] = join((carrier_name(a, lang) for a in _as_list(value)), lang, style="or")
        elif name == "carrier":
            out[name] = carrier_name(str(value), lang)
        elif name == "plan_name":
            out[name] = plan_name(params["plan"], lang) if params.get("plan") else value
        elif name == "name" and params.get("sku"):
            out[name] = plan_name(str(params["sku"]), lang)
        elif name == "licences":
            out[name] = join((plan_name(sku, lang) for sku in _as_list(value)), lang)
        elif name == "why":
            out[name] = join((_word(lang, "why", c) for c in _as_list(value)), lang)
        elif name == "funding":
            out[name] = t(lang, code_key(str(value))) if has_string(lang, code_key(str(value))) else value
        elif name == "number_kind":
            out[name] = _word(lang, "number_kind", str(value).replace("-", "_"))
        elif name in NUMERIC_PARAMS and isinstance(value, str) and value.isdigit():
            out[name] = int(value)
        elif isinstance(value, (list, tuple)):
            out[name] = join((str(v) for v in value), lang)
        else:
            out[name] = value
    return out


def _word(lang: str, prefix: str, code: str) -> str:
    key = f"{prefix}.{code}"
    return t(lang, key) if has_string(lang, key) else code.replace("_", " ")


def render(code: str, params: Mapping[str, Any] | None, lang: str) -> str:
    """The sentence for a knowledge ``code`` in ``lang``, its params localized."""
    return t(lang, code_key(code), **localize_params(params or {}, lang))


def render_item(item: Any, lang: str) -> str:
    """A knowledge item with ``code`` and ``params`` (advisor Step/Caveat/Reason)."""
    return render(item.code, item.params, lang)
