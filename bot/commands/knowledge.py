"""``callplan check`` and ``callplan advise``: the calling-plan knowledge from the command line.

Human-readable output by default, the full structured answer with ``--json``. A bad argument
(unknown country, plan, licence...) is a one-line error and exit code 2, never a traceback.
A number that cannot be called is an answer, not an error: ``check`` exits 0 either way.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.commands import CommandError
from knowledge.catalog import load_catalog
from knowledge.learn import source_links, sources_json
from knowledge.numbers import CARRIERS, DIAL_OUT, CallVerdict, check_call

if TYPE_CHECKING:  # the advisor and pydantic are loaded by `advise` only: `check` starts without them
    from pydantic import ValidationError

    from knowledge.advisor import Recommendation

#: Verdicts that mean the question was asked wrong, not that the call is impossible.
_ARGUMENT_REASONS = {
    "unknown_caller_country",
    "unknown_plan",
    "unknown_carrier",
    "unknown_dial_out_policy",
    "internal_error",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``check`` and ``advise``."""
    check = subparsers.add_parser(
        "check",
        description="Say whether a user located in COUNTRY with a Calling Plan can call NUMBER, why, "
        "and which minute pool the call draws on.",
        epilog="examples:\n  callplan check '+49 30 123456' --country FR --plan MCOPSTN1\n"
        "  callplan check '0845 123 4567' --country GB --plan MCOPSTN1 --credits --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "number",
        metavar="NUMBER",
        help="E.164 (+33...), 00-prefixed, or national format; masked digits (****) accepted",
    )
    check.add_argument(
        "--country", required=True, metavar="CC", help="the user's licence usage location: ISO code (FR) or name"
    )
    check.add_argument(
        "--plan",
        metavar="SKU",
        help="Calling Plan SKU (MCOPSTN1, MCOPSTN2, MCOPSTN_PAYG_2, MCOTEAMS_ESSENTIALS...) "
        "or licence SKU; omit for none",
    )
    check.add_argument("--carrier", choices=CARRIERS, help="the user's carrier when not (only) a Calling Plan")
    check.add_argument("--credits", action="store_true", help="Communications Credits are set up and assigned")
    check.add_argument(
        "--overage", action="store_true", help="pay-as-you-go overage is on (Microsoft Customer Agreement)"
    )
    check.add_argument(
        "--dial-out",
        choices=DIAL_OUT,
        default="international",
        help="the user's PSTN dial-out policy (default: international)",
    )
    check.add_argument("--upn", help="the user's UPN (names the per-user pool of MCOPSTN8)")
    check.add_argument("--json", action="store_true", help="print the verdict as JSON")
    check.set_defaults(func=run_check)

    advise = subparsers.add_parser(
        "advise",
        description="Recommend what to buy for users located in one or more countries: ordered "
        "admin center steps, the monthly minute pools, caveats and reasons.",
        epilog="examples:\n  callplan advise --country FR --users 40 --international --base E5\n"
        "  callplan advise --country US --users 10 --country CA --users 5 --base 'Business Premium' --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    advise.add_argument(
        "--country", action="append", required=True, metavar="CC", help="usage-location country (repeat for several)"
    )
    advise.add_argument(
        "--users",
        action="append",
        type=_positive_int,
        required=True,
        metavar="N",
        help="number of users: once for every country, or once per --country in the same order",
    )
    advise.add_argument("--international", action="store_true", help="users call abroad")
    advise.add_argument(
        "--international-minutes",
        type=_non_negative_int,
        metavar="MIN",
        help="expected international minutes per user per month",
    )
    advise.add_argument(
        "--minutes-per-user",
        type=_non_negative_int,
        metavar="MIN",
        help="expected outbound domestic minutes per user per month",
    )
    advise.add_argument(
        "--base",
        metavar="LICENCE",
        help="current base licence: E3, E5, A5, G5, 'Business Premium', 'Teams Essentials'... or a SKU",
    )
    advise.add_argument("--carrier", choices=CARRIERS, help="a carrier you already have")
    advise.add_argument(
        "--agreement",
        choices=("legacy", "mca"),
        help="billing agreement: legacy (MOSA/EA/CSP, Communications Credits) or mca (New Commerce, overage)",
    )
    advise.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    advise.set_defaults(func=run_advise)


def _whole_number(minimum: int, rule: str) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number of at least ``minimum`` (``rule`` says so)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{rule}: {text!r}")
        return value

    return parse


_positive_int = _whole_number(1, "must be at least 1")
_non_negative_int = _whole_number(0, "must not be negative")


# --- check ---------------------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    verdict = check_call(
        args.number,
        args.country,
        args.plan,
        carrier=args.carrier,
        has_credits=args.credits,
        overage=args.overage,
        dial_out=args.dial_out,
        upn=args.upn,
    )
    if verdict.reason in _ARGUMENT_REASONS:
        raise CommandError(verdict.message)
    if args.json:
        print(json.dumps(verdict_json(verdict), ensure_ascii=False, indent=2))
    else:
        print(format_verdict(verdict))
    return 0


def verdict_json(verdict: CallVerdict) -> dict[str, Any]:
    data = verdict.to_json()
    data["pool_key"] = verdict.pool.as_str() if verdict.pool else None
    data["sources"] = sources_json(verdict.sources)
    return data


def format_verdict(verdict: CallVerdict) -> str:
    catalog = load_catalog()
    headline = {
        "included": "CALLABLE",
        "per_minute": "PER MINUTE ONLY (Communications Credits or overage)",
        "not_callable": "NOT CALLABLE",
    }[verdict.verdict]
    lines = [f"{headline}: {verdict.message}"]
    if verdict.normalized:
        masked = ", masked" if verdict.masked else ""
        lines.append(f"  number:      {verdict.normalized} ({verdict.number_type.replace('_', ' ')}{masked})")
    if verdict.destination_country:
        country = catalog.country(verdict.destination_country)
        name = country.name_en if country else verdict.destination_country
        lines.append(f"  destination: {name} ({verdict.destination_country})")
    if verdict.scope:
        lines.append(f"  scope:       {verdict.scope}")
    if verdict.pool:
        lines.append(f"  pool:        {verdict.pool.as_str()}")
    if verdict.needs:
        lines.append("  would need:  " + "; or ".join(catalog.text(code) for code in verdict.needs))
    for note in verdict.notes:
        lines.append(f"  note:        {catalog.text(note)}")
    lines.append(f"  reason code: {verdict.reason}")
    lines.extend(_format_sources(verdict.sources))
    return "\n".join(lines)


def _format_sources(keys: list[str]) -> list[str]:
    return [f"  source:      {link.title} <{link.url}>" for link in source_links(keys) if link.url]


# --- advise --------------------------------------------------------------------------------------


def run_advise(args: argparse.Namespace) -> int:
    countries: list[str] = args.country
    users: list[int] = args.users
    if len(users) not in (1, len(countries)):
        raise CommandError(f"give --users once, or once per --country ({len(countries)}), not {len(users)} times")
    from pydantic import ValidationError

    from knowledge.advisor import AdviceRequest, recommend

    try:
        per_country: dict[str, int] | None = None
        if len(countries) > 1 and len(users) == len(countries):
            per_country = {}
            for name, count in zip(countries, users, strict=True):
                per_country[name] = per_country.get(name, 0) + count  # a country given twice adds up
        request = AdviceRequest(
            countries=countries,
            users=users[0] if per_country is None else None,
            users_per_country=per_country,
            international=args.international or bool(args.international_minutes),
            international_minutes=args.international_minutes,
            minutes_per_user=args.minutes_per_user,
            base_licence=args.base,
            carrier=args.carrier,
            agreement=args.agreement,
        )
    except ValidationError as exc:
        raise CommandError(_first_error(exc)) from None
    recommendation = recommend(request)
    if args.json:
        data = recommendation.model_dump(mode="json")
        data["sources"] = sources_json(recommendation.sources)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_recommendation(recommendation))
    return 0


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    return message


def format_recommendation(rec: Recommendation) -> str:
    catalog = load_catalog()
    lines: list[str] = []
    if rec.calling_plan:
        plan = catalog.find_plan(rec.calling_plan)
        lines.append(f"Calling Plan: {plan.name_en if plan else rec.calling_plan} ({rec.calling_plan})")
    else:
        lines.append("Calling Plan: none")
    if len(set(rec.calling_plans.values())) > 1:
        for iso, sku in rec.calling_plans.items():
            lines.append(f"  {iso}: {sku or 'none'}")
    teams_phone = {
        "included": "included in your base licence",
        "teams_phone_standard": "buy Teams Phone Standard",
        "bundle": "included in the bundle",
        "none": "not needed",
    }[rec.teams_phone_source]
    lines.append(f"Teams Phone: {teams_phone}")
    lines.append("")
    lines.append("Steps:")
    lines.extend(f"  {i}. {step.text}" for i, step in enumerate(rec.steps, 1))
    if rec.pools:
        lines.append("")
        lines.append("Monthly minute pools:")
        for pool in rec.pools:
            who = "per user" if pool.per_user else f"{pool.users} users"
            if pool.minutes is None:
                lines.append(
                    f"  {pool.country} {pool.plan} {pool.line}: {who}, minutes per user not documented by Microsoft"
                )
            else:
                lines.append(
                    f"  {pool.country} {pool.plan} {pool.line}: {who} x {pool.minutes_per_user} "
                    f"= {pool.minutes:,} minutes"
                )
    if rec.alternatives:
        lines.append("")
        lines.append("No Calling Plans:")
        names = {a.id: a.name.en for a in catalog.alternatives}
        for iso, options in rec.alternatives.items():
            lines.append(f"  {iso}: " + ", ".join(names.get(o, o) for o in options))
    if rec.reasons:
        lines.append("")
        lines.append("Why:")
        lines.extend(f"  - {reason.text}" for reason in rec.reasons)
    if rec.caveats:
        lines.append("")
        lines.append("Good to know:")
        lines.extend(f"  - {caveat.text}" for caveat in rec.caveats)
    sources = _format_sources(rec.sources)
    if sources:
        lines.append("")
        lines.extend(sources)
    return "\n".join(lines)
