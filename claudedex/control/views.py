"""Read-only views of a running kernel, as JSON-ready data, for the control commands.

Why here and not in each face: the control socket and the HTTP API answer the same
questions (pairs, reports, positions, orders, balances, a metrics summary, the audit log)
with the same shapes. Amounts are integers in base units, sent as decimal strings (JSON
numbers lose precision past 2**53 in most clients).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING, Any

from claudedex.errors import ClaudeDexError, UserInputError

if TYPE_CHECKING:
    from claudedex.domain import RiskReport
    from claudedex.kernel import Kernel

MAX_ROWS = 1000


class KernelMissing(ClaudeDexError):
    """A view needs the kernel and the engine has none (not started, or built without)."""


def need(kernel: Kernel | None) -> Kernel:
    if kernel is None:
        raise KernelMissing("the engine is not running: no kernel to read from")
    return kernel


def limit_arg(args: dict[str, Any], default: int = 100) -> int:
    raw = args.get("limit", default)
    try:
        value = int(str(raw))
    except ValueError:
        raise UserInputError("argument 'limit' must be an integer") from None
    if not 1 <= value <= MAX_ROWS:
        raise UserInputError(f"argument 'limit' must be between 1 and {MAX_ROWS}")
    return value


def report_json(report: RiskReport, *, findings: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "token": report.token, "pair": report.pair, "verdict": str(report.verdict.value),
        "buy_tax_bps": report.buy_tax_bps, "sell_tax_bps": report.sell_tax_bps,
        "liquidity_quote": None if report.liquidity_quote is None
        else str(report.liquidity_quote), "block_number": report.block_number}
    if findings:
        out["findings"] = [{"code": f.code, "severity": str(f.severity.value),
                            "detail": f.detail, "evidence": dict(f.evidence)}
                           for f in report.findings]
    return out


def pairs(kernel: Kernel, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Pairs the safety analyzer knows, newest block first, with the verdict when judged."""
    analyzer = kernel.safety
    infos = sorted(analyzer.pairs.values(), key=lambda i: i.block_number, reverse=True)
    out = []
    for info in infos[:limit_arg(args)]:
        report = analyzer.reports.get(info.token.lower())
        out.append({"token": info.token, "pair": info.pair, "venue": info.venue,
                    "symbol": info.symbol, "name": info.name, "decimals": info.decimals,
                    "block_number": info.block_number,
                    "verdict": None if report is None else str(report.verdict.value)})
    return out


def reports(kernel: Kernel, args: dict[str, Any]) -> Any:
    """One token's report with its findings (``token``), else the latest reports."""
    token = args.get("token")
    if token is not None:
        report = kernel.safety.reports.get(str(token).lower())
        if report is None:
            raise UserInputError(f"no safety report for token {str(token)[:64]!r}")
        return report_json(report, findings=True)
    latest = sorted(kernel.safety.reports.values(), key=lambda r: r.block_number, reverse=True)
    return [report_json(r, findings=False) for r in latest[:limit_arg(args)]]


def positions(kernel: Kernel) -> list[dict[str, Any]]:
    return [{"token": p.token, "pair": p.pair, "amount": str(p.amount),
             "cost_quote": str(p.cost_quote), "realized_quote": str(p.realized_quote),
             "last_mark": str(p.last_mark), "opened_ts": p.opened_ts}
            for p in kernel.portfolio.core.book.open_positions()]


async def orders(kernel: Kernel, args: dict[str, Any]) -> list[dict[str, Any]]:
    """The journal's orders, newest first; ``open``: only those not yet final."""
    from sqlalchemy import select

    from claudedex.storage import TERMINAL_STATES
    from claudedex.storage.models import OrderRow

    stmt = select(OrderRow).order_by(OrderRow.updated_at.desc()).limit(limit_arg(args))
    if args.get("open") in (True, "true", "1"):
        stmt = stmt.where(OrderRow.state.not_in(sorted(TERMINAL_STATES)))
    async with kernel.database().session() as session:
        rows = (await session.scalars(stmt)).all()
    return [{"order": r.id, "state": r.state, "created_at": r.created_at.isoformat(),
             "updated_at": r.updated_at.isoformat()} for r in rows]


async def balances(kernel: Kernel) -> dict[str, Any]:
    """The signing account's native balance and its balance of each held token (wei)."""
    from eth_utils.address import to_checksum_address

    from claudedex.execution import calls

    address = str(getattr(kernel.signer, "address", "") or "")
    if not address:
        return {"address": "", "native": None, "tokens": {}}
    account = to_checksum_address(address)
    native = await kernel.w3.eth.get_balance(account)
    tokens: dict[str, str] = {}
    for pos in kernel.portfolio.core.book.open_positions():
        raw = await kernel.w3.eth.call({"to": to_checksum_address(pos.token),
                                        "data": calls.erc20_balance_of(account)})
        tokens[pos.token] = str(calls.decode_uint(bytes(raw)))
    return {"address": account, "native": str(native), "tokens": tokens}


async def metrics(kernel: Kernel, status: dict[str, Any]) -> dict[str, Any]:
    """A summary for dashboards: P&L and fills (wei), verdicts, order states, engine state."""
    from sqlalchemy import func, select

    from claudedex.storage.models import OrderRow

    book = kernel.portfolio.core.book
    async with kernel.database().session() as session:
        rows = (await session.execute(
            select(OrderRow.state, func.count()).group_by(OrderRow.state))).all()
    verdicts = Counter(str(r.verdict.value) for r in kernel.safety.reports.values())
    return {"halted": status.get("halted"), "block": status.get("block"),
            "pending_proposals": status.get("pending_proposals"),
            "bus_dropped": status.get("bus_dropped"),
            "components_down": sorted(k for k, v in dict(status.get("components") or {}).items()
                                      if v != "running"),
            "cash_quote": str(book.cash), "realized_quote": str(book.realized),
            "gas_paid_wei": str(book.gas_paid), "fills": book.fills,
            "open_positions": len(book.open_positions()),
            "verdicts": dict(verdicts), "orders_by_state": {str(s): int(n) for s, n in rows}}


async def audit_entries(kernel: Kernel, args: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        after = int(str(args.get("after_id", 0)))
    except ValueError:
        raise UserInputError("argument 'after_id' must be an integer") from None
    if after >= 2**63:  # past a 64-bit row id: the database driver would overflow (a 500)
        raise UserInputError("argument 'after_id' must be below 2**63")
    entries = await kernel.audit_log().entries(after_id=max(after, 0), limit=limit_arg(args))
    return [dataclasses.asdict(e) for e in entries]


async def audit_verify(kernel: Kernel) -> dict[str, Any]:
    return dataclasses.asdict(await kernel.audit_log().verify_detail())
