"""Which minute pool: the key every pool figure is filed under.

A plain frozen dataclass, not a pydantic model: ``callplan check`` names the pool a call draws on
and must start without pydantic (issue 14); :mod:`knowledge.pools` re-exports it. The checks
run in ``__post_init__`` (a bad key is a ``ValueError``, as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PoolLine = Literal["domestic", "international"]
_LINES = ("domestic", "international")


@dataclass(frozen=True, slots=True)
class PoolKey:
    """Which pool: usage-location country (PR folded into US), plan capability, line, and the UPN
    for per-user plans (MCOPSTN8)."""

    country: str
    plan: str
    line: PoolLine
    upn: str | None = None

    def __post_init__(self) -> None:
        country = self.country.strip().upper() if isinstance(self.country, str) else ""
        if len(country) != 2 or not country.isalpha():
            raise ValueError(f"pool country {country or self.country!r} is not a two-letter code")
        plan = self.plan.strip() if isinstance(self.plan, str) else ""
        if not plan or "|" in plan:
            raise ValueError(f"pool plan {plan!r} is empty or contains '|'")
        if self.line not in _LINES:
            raise ValueError(f"pool line {self.line!r} is not one of {_LINES}")
        upn = self.upn
        if upn is not None:
            upn = upn.strip().lower() if isinstance(upn, str) else ""
            if not upn or "|" in upn:
                raise ValueError(f"pool UPN {upn!r} is empty or contains '|'")
        object.__setattr__(self, "country", country)
        object.__setattr__(self, "plan", plan)
        object.__setattr__(self, "upn", upn)

    def as_str(self) -> str:
        """``"US|MCOPSTN1|domestic"`` or ``"FR|MCOPSTN8|domestic|alice@contoso.com"``."""
        parts = [self.country, self.plan, self.line]
        if self.upn is not None:
            parts.append(self.upn)
        return "|".join(parts)

    @classmethod
    def from_str(cls, text: str) -> PoolKey:
        """Inverse of :meth:`as_str`; ``ValueError`` on anything else."""
        parts = text.split("|")
        if len(parts) not in (3, 4):
            raise ValueError(f"not a pool key: {text!r}")
        country, plan, line = parts[:3]
        return cls(country=country, plan=plan, line=line, upn=parts[3] if len(parts) == 4 else None)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.as_str()
