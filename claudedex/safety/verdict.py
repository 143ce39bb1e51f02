"""Check 9: fold every finding into safe / risky / scam.

Why by severity only: each check already decided how bad its own fact is (a 99 % sell tax
is critical, a 3 % one low), so the verdict rule stays one line an operator can remember:
any critical finding is a scam, any high one is risky, the rest is safe. External API
findings are capped at medium by their check, so they never decide on their own. Facts whose
weight depends on company (blocking power, computed balances, time-bounded restrictions) are
first given their severity by the decision table in ``safety.decision``.
"""

from __future__ import annotations

from collections.abc import Iterable

from claudedex.domain import Finding, RiskReport, Severity, Verdict

_ORDER = list(Severity)


def decide(findings: Iterable[Finding]) -> Verdict:
    worst = max((_ORDER.index(f.severity) for f in findings), default=0)
    if worst >= _ORDER.index(Severity.CRITICAL):
        return Verdict.SCAM
    if worst >= _ORDER.index(Severity.HIGH):
        return Verdict.RISKY
    return Verdict.SAFE


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Worst first, so a face can show the reason for the verdict on top."""
    return tuple(sorted(findings, key=lambda f: -_ORDER.index(f.severity)))


CONTROLLER_KEYS = ("caller", "creator", "owner", "admin", "controller")


def report_controllers(report: RiskReport) -> set[str]:
    """Addresses a report names as controlling the token (lower-case): owner-probe callers,
    the creator, owners and admins found in the findings' evidence."""
    found: set[str] = set()
    for finding in report.findings:
        for key in CONTROLLER_KEYS:
            value = finding.evidence.get(key, "")
            if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
                found.add(value.lower())
    return found
