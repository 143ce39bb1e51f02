"""Check 4c: controllers that can move tokens they do not have.

Why ask every controller, not only the owner: a "fee-exempt" marketing or tax wallet whose
transfers skip the balance debit can sell tokens it never held and drain the pool, while
every holder's own round trip looks perfect. Each controller (owner, creator, wallets named
in storage or code) is simulated sending part of its balance (the debit must match), sending
far more than its balance, and selling far more than its balance through the router. Success
of either, or a debit smaller than the amount sent, is a scam finding.
"""

from __future__ import annotations

from typing import Any

from claudedex.domain import Finding, Severity
from claudedex.rpc.reader import ChainReader
from claudedex.safety.batch import simulate_many
from claudedex.safety.prober import Market
from claudedex.safety.simkit import (
    SINK,
    Result,
    balance_call,
    block_spec,
    decode_blocks,
    run_blocks,
    sell_calls,
    supply_call,
    transfer_call,
)

MAX_CONTROLLERS = 6


def _amounts(held: int, supply: int) -> tuple[int, int]:
    """(part of its balance, more than it has by a tenth of the supply)."""
    return held // 2, held + max(supply // 10, 1)


def _trial(market: Market, head: dict[str, Any], who: str, held: int, supply: int
           ) -> list[dict[str, Any]]:
    token = market.token
    part, excess = _amounts(held, supply)
    calls = [transfer_call(token, who, SINK, part), balance_call(token, who),
             transfer_call(token, who, SINK, excess), balance_call(token, who),
             *sell_calls(token, market.quote, market.router, who, excess)]
    return block_spec(head, [calls])


def _judge(out: list[Result], who: str, role: str, held: int, supply: int) -> list[Finding]:
    part, excess = _amounts(held, supply)
    sent_part, after_part, sent_big, _, _, sold = out
    ev = {"caller": who, "role": role, "balance": str(held), "amount": str(excess)}
    found: list[Finding] = []
    if part and sent_part.ok and after_part.ok and held - after_part.word < part // 2:
        found.append(Finding(
            "CONTROLLER_UNBACKED_TRANSFER", Severity.CRITICAL,
            f"the {role} {who} sent {part} tokens but its balance fell by only "
            f"{held - after_part.word}", {**ev, "amount": str(part)}))
    elif sent_big.ok:
        found.append(Finding(
            "CONTROLLER_UNBACKED_TRANSFER", Severity.CRITICAL,
            f"the {role} {who} can send {excess} tokens while holding {held}", ev))
    if sold.ok:
        found.append(Finding(
            "CONTROLLER_UNBACKED_SELL", Severity.CRITICAL,
            f"the {role} {who} can sell {excess} tokens into the pool while holding {held}",
            ev))
    return found


async def unbacked_findings(
    reader: ChainReader, market: Market, head: dict[str, Any], controllers: dict[str, str]
) -> tuple[Finding, ...]:
    """Findings for controllers (address -> role) that move more than they hold: one
    simulation reads every balance, then one batch runs every controller's trial."""
    picked = list(controllers.items())[:MAX_CONTROLLERS]
    if not picked:
        return ()
    token = market.token
    reads = [balance_call(token, a) for a, _ in picked] + [supply_call(token)]
    first = (await run_blocks(reader, head, [reads]))[0]
    supply = first[-1].word
    if not first[-1].ok or not supply:
        return ()
    held = {a: r.word for (a, _), r in zip(picked, first, strict=False) if r.ok}
    todo = [(a, role) for a, role in picked if a in held]
    raw = await simulate_many(reader, [_trial(market, head, a, held[a], supply)
                                       for a, _ in todo])
    found: list[Finding] = []
    for (a, role), r in zip(todo, raw, strict=True):
        found += _judge(decode_blocks(r)[0], a, role, held[a], supply)
    return tuple(found)
