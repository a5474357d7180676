"""Where a source key is read online: the Microsoft Learn page, its title and the copy's date.

WHY here and as data: every figure of the catalog keeps a source key (``sources.json``), and an
answer must show the admin the page behind it. ``data/learn_links.json`` holds titles, dates and
the URLs that cannot be derived; a key whose docs path is ``Teams/<name>.md`` gets the one rule
``https://learn.microsoft.com/<locale>/microsoftteams/<name>``, so a path fixed in
``sources.json`` fixes its link. Keys of the French docs repo link the ``fr-fr`` page in French
(a localized page exists); every other key links ``en-us`` whatever the language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from knowledge.catalog import DATA_DIR, load_catalog

_TEAMS_PATH = re.compile(r"^Teams/(?P<name>[A-Za-z0-9/_.-]+?)\.md\b")


@dataclass(frozen=True, slots=True)
class SourceLink:
    """One source as an answer cites it (``url`` None: no public page, e.g. a project choice).
    A plain dataclass: ``callplan check`` cites its sources without importing pydantic."""

    key: str
    title: str
    url: str | None = None
    date: str | None = None  # YYYY-MM-DD or YYYY-MM: the copy the catalog was built from


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads((DATA_DIR / "learn_links.json").read_text(encoding="utf-8"))


def teams_page(path: str | None) -> str | None:
    """``Teams/a/b.md (note)`` -> ``a/b``; None when the path is not a Teams docs page."""
    match = _TEAMS_PATH.match(path or "")
    return match.group("name") if match else None


def _locale(key: str, lang: str) -> str:
    data = _data()
    meta = load_catalog().sources.get(key, {})
    localized = meta.get("repo") == data["localized_repo"]
    return data["locales"]["fr" if lang == "fr" and localized else "en"]


def source_link(key: str, lang: str = "en") -> SourceLink:
    """The link for one source key in ``lang`` (``en``/``fr``); ``KeyError`` for an unknown key."""
    return _source_link(key, "fr" if (lang or "").lower().startswith("fr") else "en")


@lru_cache(maxsize=512)
def _source_link(key: str, lang: str) -> SourceLink:
    """Cached: every card with a domain fact asks for the same few keys (the result is frozen)."""
    data = _data()
    entry = data["links"][key]
    if key not in load_catalog().sources:
        raise KeyError(key)
    locale = _locale(key, lang)
    if "url" in entry:
        url = entry["url"].replace("{locale}", locale) if entry["url"] else None
    else:
        name = teams_page(load_catalog().sources[key].get("path"))
        url = data["teams_url"].format(locale=locale, name=name) if name else None
    return SourceLink(key=key, title=entry["title"][lang], url=url, date=entry.get("date"))


def source_links(keys: Iterable[str], lang: str = "en") -> list[SourceLink]:
    """Links for ``keys`` in order, once per key and once per page (the first key wins)."""
    out: list[SourceLink] = []
    seen: set[str] = set()
    for key in dict.fromkeys(keys):
        link = source_link(key, lang)
        ident = link.url or f"key:{key}"
        if ident not in seen:
            seen.add(ident)
            out.append(link)
    return out


def sources_json(keys: Iterable[str]) -> list[dict[str, str | None]]:
    """``[{"key", "title", "url"}]`` in English, what ``--json`` outputs carry."""
    links = (source_link(key, "en") for key in dict.fromkeys(keys))
    return [{"key": link.key, "title": link.title, "url": link.url} for link in links]
