"""User and licence rosters: who has which Calling Plan, and where (their usage location).

Two formats, told apart by their header:

* the Microsoft 365 admin center *Active users* export (``User principal name``, ``Display
  name``, ``Usage location``, ``Licenses``, ``ObjectId`` and some 25 other columns, which are
  ignored). ``Licenses`` holds ``+``-separated SKU part numbers prefixed with the tenant's
  short name (``contoso:SPE_E5+contoso:MCOPSTN1``) or ``Unlicensed``;
* a plain CSV ``upn,usage_location,licenses`` (optionally ``display_name``, ``object_id``)
  for admins who build the list themselves; licences separated by ``+`` or ``;``.

Usage location may be a code (``FR``) or an English name (``France``). The pool key uses the
usage location, never the address columns (``Country/Region``), as the fact sheet §1 says.

Checked per row: the UPN is an address, the usage location a country the catalog knows (or
empty: unlicensed users often have none). A licence the catalog does not know is kept on the
user (it may matter to the admin) but reported by :func:`unknown_licences`, and it never
counts as a Calling Plan (:func:`knowledge.pools.pool_sizes` only counts catalog plans).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

from knowledge.catalog import load_catalog
from knowledge.importers.csv_rows import open_csv
from knowledge.importers.fields import clean, code_for, country_code, parse_upn, reason_for
from knowledge.importers.summary import RowError
from knowledge.store.records import UserRecord

ADMIN_CENTER_SIGNATURE = frozenset({"user principal name", "licenses"})
PLAIN_SIGNATURE = frozenset({"upn", "usage_location", "licenses"})

#: Column names per format: upn, display name, usage location, licences, object id.
_COLUMNS = {
    "admin_center": ("user principal name", "display name", "usage location", "licenses", "objectid"),
    "plain": ("upn", "display_name", "usage_location", "licenses", "object_id"),
}


def roster_format(header: Iterable[str]) -> str | None:
    names = set(header)
    if names >= ADMIN_CENTER_SIGNATURE and "usage location" in names:
        return "admin_center"
    if names >= PLAIN_SIGNATURE:
        return "plain"
    return None


def parse_licenses(text: str | None) -> tuple[str, ...]:
    """SKU part numbers from ``contoso:SPE_E5+contoso:MCOPSTN1`` (sorted, no tenant prefix)."""
    skus: set[str] = set()
    for part in (text or "").replace(";", "+").split("+"):
        sku = part.strip().rpartition(":")[2].strip().upper()
        if sku and sku != "UNLICENSED":
            skus.add(sku)
    return tuple(sorted(skus))


def unknown_licences(skus: Iterable[str]) -> list[str]:
    """The SKUs of ``skus`` the catalog does not know (kept on the user, reported as a warning)."""
    catalog = load_catalog()
    return [sku for sku in skus if catalog.licence(sku) is None]


def read_roster(text: TextIO, tenant_id: str) -> Iterator[UserRecord | RowError]:
    """Yield one :class:`UserRecord` or :class:`RowError` per data row.

    A UPN that appears twice in the same file is rejected on its second line: the file
    contradicts itself and guessing which line is right would hide it.
    """
    rows, index = open_csv(text)
    fmt = roster_format(index)
    if fmt is None:
        raise ValueError(
            "not a user roster: needs 'User principal name', 'Usage location' and "
            "'Licenses' columns, or 'upn,usage_location,licenses'"
        )
    upn_at, name_at, location_at, licenses_at, object_at = (index.get(c, -1) for c in _COLUMNS[fmt])
    location_label = "Usage location" if fmt == "admin_center" else "usage_location"
    upn_label = "User principal name" if fmt == "admin_center" else "upn"
    seen: dict[str, int] = {}

    for line, row in rows:

        def cell(position: int, row: Sequence[str] = row) -> str | None:
            return clean(row[position]) if 0 <= position < len(row) else None

        try:
            user = UserRecord(
                tenant_id=tenant_id,
                upn=parse_upn(cell(upn_at), upn_label),
                object_id=(cell(object_at) or "").lower() or None,
                display_name=cell(name_at) or "",
                usage_location=country_code(cell(location_at), location_label),
                licenses=parse_licenses(cell(licenses_at)),
            )
        except ValueError as exc:
            yield RowError(line=line, reason=reason_for(exc), code=code_for(exc))
            continue
        if user.upn in seen:
            yield RowError(line=line, reason=f"{user.upn} is already on line {seen[user.upn]}", code="duplicate_user")
            continue
        seen[user.upn] = line
        yield user
