"""Check 8: GoPlus, honeypot.is and TokenSniffer opinions, as advisory findings (never above
medium).

Why advisory: their simulations run elsewhere, on other state, with other sizes; ours ran on
this block with our trade size. Disagreement is worth showing the operator, not deciding on.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from claudedex.apis.goplus import GoPlusClient
from claudedex.apis.honeypot import HoneypotIsClient
from claudedex.apis.http import ApiError
from claudedex.apis.tokensniffer import TokenSnifferClient
from claudedex.domain import Finding, Severity

if TYPE_CHECKING:
    from claudedex.apis.cache import TwoLevelCache

SNIFFER_LOW_SCORE = 50  # TokenSniffer's own "dangerous" threshold is below 50 of 100


class ExternalAdvisory:
    """Implements safety.assess.AdvisoryChecks over whichever clients are configured."""

    def __init__(self, goplus: GoPlusClient | None = None,
                 honeypot: HoneypotIsClient | None = None,
                 tokensniffer: TokenSnifferClient | None = None) -> None:
        self.goplus = goplus
        self.honeypot = honeypot
        self.tokensniffer = tokensniffer

    async def findings(self, chain_id: int, token: str) -> tuple[Finding, ...]:
        parts = await asyncio.gather(self._goplus(chain_id, token),
                                     self._honeypot(chain_id, token),
                                     self._tokensniffer(chain_id, token))
        return parts[0] + parts[1] + parts[2]

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


    async def _tokensniffer(self, chain_id: int, token: str) -> tuple[Finding, ...]:
        if self.tokensniffer is None:
            return ()
        try:
            r = await self.tokensniffer.token(chain_id, token)
        except ApiError as exc:
            return (Finding("TOKENSNIFFER_UNAVAILABLE", Severity.INFO, str(exc), {}),)
        if not r.ready:
            return (Finding("TOKENSNIFFER_PENDING", Severity.INFO,
                            "TokenSniffer is still auditing this token", {}),)
        evidence = {"score": str(r.score), "failed_tests": ",".join(r.failed_tests),
                    "exploits": ",".join(r.exploits), "sellable": str(r.sellable),
                    "sell_fee_pct": str(r.sell_fee_pct)}
        worries = [w for w, bad in (
            (f"score {r.score}/100", r.score is not None and r.score < SNIFFER_LOW_SCORE),
            ("flagged as a scam", r.flagged), ("known exploits", bool(r.exploits)),
            ("not sellable in its swap simulation", r.sellable is False)) if bad]
        if worries:
            return (Finding("TOKENSNIFFER_WARNS", Severity.MEDIUM,
                            "TokenSniffer: " + ", ".join(worries), evidence),)
        return (Finding("TOKENSNIFFER", Severity.INFO,
                        f"TokenSniffer: score {r.score}/100", evidence),)


def advisory_from_config(
    goplus_url: str, honeypot_url: str, *, timeout_s: float = 5.0, redis_url: str = "",
    tokensniffer_url: str = "", tokensniffer_key: str = "", cache: TwoLevelCache | None = None,
) -> ExternalAdvisory | None:
    """ExternalAdvisory over the configured base URLs (None when none is set); answers go
    through ``cache`` (the engine's two-level cache), else a new one on ``redis_url``."""
    from claudedex.apis.cache import make_cache
    from claudedex.apis.http import JsonHttpClient

    if not goplus_url and not honeypot_url and not tokensniffer_url:
        return None
    cache = cache if cache is not None else make_cache(redis_url)
    goplus = (GoPlusClient(JsonHttpClient(goplus_url, name="goplus", timeout_s=timeout_s), cache)
              if goplus_url else None)
    honeypot = (HoneypotIsClient(JsonHttpClient(honeypot_url, name="honeypot",
                                                timeout_s=timeout_s), cache)
                if honeypot_url else None)
    sniffer = (TokenSnifferClient(JsonHttpClient(tokensniffer_url, name="tokensniffer",
                                                 timeout_s=timeout_s), tokensniffer_key, cache)
               if tokensniffer_url else None)
    return ExternalAdvisory(goplus, honeypot, sniffer)
