"""RiskReport <-> JSON-ready dicts (the scan command, logs, storage, faces).

Why one place: every face prints the same fields with the same names; untrusted text in
evidence stays plain strings (json.dumps escapes control characters).
"""

from __future__ import annotations

from typing import Any

from claudedex.domain import Finding, RiskReport, Severity, Verdict
from claudedex.safety.decision import score


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity.value, "detail": f.detail,
            "evidence": dict(f.evidence)}


def reason_to_json(f: Finding) -> dict[str, Any]:
    """A finding as the scan contract's ``reasons`` entry: code, severity, detail."""
    return {"code": f.code, "severity": f.severity.value, "detail": f.detail}


def report_score(r: RiskReport) -> int:
    """The report's 0-100 score (``decision.score``); 0 when nothing could be judged."""
    return 0 if r.verdict is Verdict.UNKNOWN else score(r.findings)


def report_to_json(r: RiskReport) -> dict[str, Any]:
    """The scan contract's keys (``reasons``: findings above info, worst first; ``score``),
    plus ``findings`` with evidence and the report's other fields."""
    return {
        "token": r.token, "pair": r.pair, "verdict": r.verdict.value,
        "score": report_score(r),
        "reasons": [reason_to_json(f) for f in r.findings if f.severity is not Severity.INFO],
        "buy_tax_bps": r.buy_tax_bps, "sell_tax_bps": r.sell_tax_bps,
        "liquidity_quote": str(r.liquidity_quote) if r.liquidity_quote is not None else None,
        "block_number": r.block_number, "elapsed_ms": round(r.elapsed_ms, 2),
        "findings": [finding_to_json(f) for f in r.findings],
    }


def report_from_json(d: dict[str, Any]) -> RiskReport:
    findings = tuple(Finding(f["code"], Severity(f["severity"]), f["detail"],
                             {str(k): str(v) for k, v in f.get("evidence", {}).items()})
                     for f in d.get("findings", []))
    liq = d.get("liquidity_quote")
    return RiskReport(token=d["token"], pair=d["pair"], verdict=Verdict(d["verdict"]),
                      findings=findings, buy_tax_bps=d.get("buy_tax_bps"),
                      sell_tax_bps=d.get("sell_tax_bps"),
                      liquidity_quote=int(liq) if liq is not None else None,
                      block_number=int(d.get("block_number", 0)),
                      elapsed_ms=float(d.get("elapsed_ms", 0.0)))
