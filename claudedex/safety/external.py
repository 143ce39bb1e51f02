"""Check 8: GoPlus and honeypot.is opinions, as advisory findings (never above medium).

Why advisory: their simulations run elsewhere, on other state, with other sizes; ours ran on
this block with our trade size. Disagreement is worth showing the operator, not deciding on.
"""

from __future__ import annotations

import asyncio

from claudedex.apis.goplus import GoPlusClient
from claudedex.apis.honeypot import HoneypotIsClient
from claudedex.apis.http import ApiError
from claudedex.domain import Finding, Severity


class ExternalAdvisory:
    """Implements safety.assess.AdvisoryChecks over whichever clients are configured."""

    def __init__(self, goplus: GoPlusClient | None = None,
                 honeypot: HoneypotIsClient | None = None) -> None:
        self.goplus = goplus
        self.honeypot = honeypot

    async def findings(self, chain_id: int, token: str) -> tuple[Finding, ...]:
        parts = await asyncio.gather(self._goplus(chain_id, token),
                                     self._honeypot(chain_id, token))
        return parts[0] + parts[1]

    async def _goplus(self, chain_id: int, token: str) -> tuple[Finding, ...]:
        if self.goplus is None:
            return ()
        try:
            report = await self.goplus.token_security(chain_id, token)
        except ApiError as exc:
            return (Finding("GOPLUS_UNAVAILABLE", Severity.INFO, str(exc), {}),)
        if report is None:
            return (Finding("GOPLUS_UNKNOWN", Severity.INFO, "GoPlus has no data yet", {}),)
        if not report.flags:
            return (Finding("GOPLUS_CLEAN", Severity.INFO, "GoPlus raises no flag", {}),)
        return (Finding("GOPLUS_FLAGS", Severity.MEDIUM,
                        "GoPlus flags: " + ", ".join(sorted(report.flags)),
                        {"flags": ",".join(sorted(report.flags)),
                         "buy_tax": str(report.buy_tax), "sell_tax": str(report.sell_tax)}),)

    async def _honeypot(self, chain_id: int, token: str) -> tuple[Finding, ...]:
        if self.honeypot is None:
            return ()
        try:
            report = await self.honeypot.is_honeypot(chain_id, token)
        except ApiError as exc:
            return (Finding("HONEYPOT_IS_UNAVAILABLE", Severity.INFO, str(exc), {}),)
        evidence = {"risk": report.risk, "buy_tax_pct": str(report.buy_tax_pct),
                    "sell_tax_pct": str(report.sell_tax_pct)}
        if report.is_honeypot:
            return (Finding("HONEYPOT_IS_SAYS_HONEYPOT", Severity.MEDIUM,
                            f"honeypot.is: honeypot ({report.reason})", evidence),)
        return (Finding("HONEYPOT_IS", Severity.INFO,
                        f"honeypot.is: risk {report.risk or 'unknown'}", evidence),)


def advisory_from_config(
    goplus_url: str, honeypot_url: str, *, timeout_s: float = 5.0, redis_url: str = ""
) -> ExternalAdvisory | None:
    """ExternalAdvisory over the configured base URLs (None when neither is set)."""
    from claudedex.apis.cache import make_cache
    from claudedex.apis.http import JsonHttpClient

    if not goplus_url and not honeypot_url:
        return None
    cache = make_cache(redis_url)
    goplus = (GoPlusClient(JsonHttpClient(goplus_url, name="goplus", timeout_s=timeout_s), cache)
              if goplus_url else None)
    honeypot = (HoneypotIsClient(JsonHttpClient(honeypot_url, name="honeypot",
                                                timeout_s=timeout_s), cache)
                if honeypot_url else None)
    return ExternalAdvisory(goplus, honeypot)
