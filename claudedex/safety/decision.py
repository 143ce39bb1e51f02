"""The calibrated decision table: how much a finding weighs depends on what else is true.

Why a table and not each check's own severity: some facts are harmless alone and fatal in
company. A live owner who can blacklist is a risk an operator may accept when the LP is
burned and there is no tax; the same power next to LP the owner can pull, a 15 % tax or a
hidden admin behind a renounce is the classic rug. A reflection token's balances are
computed, so a sender's balance falls by a little less than it sent: that is the token
paying the holder, not a lie. Each row below names the findings it rewrites, when it
applies, the severity it sets and why; the first row that applies wins, a finding no row
matches keeps its check's severity, and ``verdict.decide`` then folds severities as always
(any critical: scam, any high: risky).

Contract with the checks (read from ``Finding.evidence``, all values strings):
- balance findings from a transfer leg carry ``amount``, ``sender_delta`` and
  ``receiver_delta`` (token base units);
- privileged-call findings carry ``caller`` and ``function``;
- time-bounded restrictions carry ``duration_s``: seconds until the restriction ends by
  itself (absent: it did not end within any horizon we tried).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from claudedex.domain import Finding, Severity
from claudedex.rpc.words import ZERO_ADDRESS

ROUNDING_WEI = 16  # computed balances round by a wei or two per operation
SHORT_RESTRICTION_S = 600  # a cooldown or decaying tax that ends within 10 minutes
HIGH_TAX_BPS = 1500  # a tax of 15 % or more makes blocking power critical
EXTREME_TAX_BPS = 5000  # a launch tax that takes half of every sell is no "launch tax"

# A controller's power to stop holders from trading (pause, blacklist, late blacklist).
BLOCKING_CODES = frozenset({"OWNER_CAN_BLOCK_TRADING", "OWNER_CAN_BLOCK_SELLS",
                            "OWNER_CAN_BLACKLIST", "OWNER_CAN_BLOCK_HOLDER"})
# Balances that moved by a different amount than was sent.
BALANCE_CODES = frozenset({"LYING_BALANCE"})
# Restrictions that may end by themselves (found by the held-into-the-future legs).
DECAYING_TAX_CODES = frozenset({"LAUNCH_TAX_DECAYS"})
TIME_BOUNDED_CODES = frozenset({"SELL_COOLDOWN"}) | DECAYING_TAX_CODES
# Where LP tokens sit in a wallet that can withdraw the pool.
PULLABLE_LP_CODES = frozenset({"LP_UNLOCKED", "LP_LOCK_EXPIRES_SOON", "LP_LOCK_OWNER_CAN_PULL"})
UPGRADE_FUNCTIONS = ("upgradeTo", "upgradeToAndCall", "setImplementation")


@dataclass(frozen=True)
class Facts:
    """What the whole report established, which some rows need.

    ``owner``: the address ``owner()`` returns (lower-case); None or the zero address when
    the token has no visible owner (renounced, or no such function).
    ``taxes_bps``: every buy/sell/transfer tax measured, in basis points.
    """

    codes: frozenset[str]
    owner: str | None = None
    taxes_bps: tuple[int, ...] = ()

    @property
    def max_tax_bps(self) -> int:
        return max(self.taxes_bps, default=0)

    @property
    def lp_pullable(self) -> bool:
        return bool(self.codes & PULLABLE_LP_CODES)

    @property
    def owner_visible(self) -> bool:
        return bool(self.owner) and self.owner != ZERO_ADDRESS


def _int(f: Finding, key: str) -> int | None:
    try:
        return int(f.evidence[key])
    except (KeyError, ValueError):
        return None


def _balance_gap(f: Finding) -> tuple[int, int] | None:
    """(how much less the sender's balance fell than it sent, the fee the receiver missed)."""
    amount, sent, got = (_int(f, k) for k in ("amount", "sender_delta", "receiver_delta"))
    if amount is None or sent is None or got is None:
        return None
    return amount - sent, max(amount - got, 0)


def _rounding(f: Finding, _: Facts) -> bool:
    gap = _balance_gap(f)
    return gap is not None and abs(gap[0]) <= ROUNDING_WEI


def _redistribution(f: Finding, _: Facts) -> bool:
    gap = _balance_gap(f)
    return gap is not None and 0 < gap[0] <= gap[1] + ROUNDING_WEI


def _upgrade(f: Finding, _: Facts) -> bool:
    return f.evidence.get("function", "").startswith(UPGRADE_FUNCTIONS)


def _hidden_holder(f: Finding, facts: Facts) -> bool:
    caller = f.evidence.get("caller", "").lower()
    return not facts.owner_visible or (bool(caller) and caller != facts.owner)


def _with_pullable_lp(_: Finding, facts: Facts) -> bool:
    return facts.lp_pullable


def _with_high_tax(_: Finding, facts: Facts) -> bool:
    # a tax measured by any leg (the Prober's, the wallet's) counts, as its finding says
    taxed = any(c.startswith(("HIGH_", "EXTREME_")) and c.endswith("_TAX") for c in facts.codes)
    return taxed or facts.max_tax_bps >= HIGH_TAX_BPS


def _always(_: Finding, __: Facts) -> bool:
    return True


def _moderate_tax(_: Finding, facts: Facts) -> bool:
    return facts.max_tax_bps < EXTREME_TAX_BPS


def _short(f: Finding, _: Facts) -> bool:
    duration = _int(f, "duration_s")
    return duration is not None and 0 <= duration <= SHORT_RESTRICTION_S


@dataclass(frozen=True)
class Row:
    """One line of the table: findings ``codes`` for which ``when`` holds get ``severity``
    (and ``rename``, when set); ``reason`` is why, shown in the finding's evidence."""

    name: str
    codes: frozenset[str]
    when: Callable[[Finding, Facts], bool]
    severity: Severity
    reason: str
    rename: str = ""


TABLE: tuple[Row, ...] = (
    Row("balance_rounding", BALANCE_CODES, _rounding, Severity.INFO,
        f"the balance moved within {ROUNDING_WEI} wei of the amount sent: integer rounding "
        "of a computed balance, nothing a holder can lose", "BALANCE_ROUNDING"),
    Row("balance_redistribution", BALANCE_CODES, _redistribution, Severity.LOW,
        "the sender kept less than the transfer fee back: a reflection token shares its fee "
        "with every holder, the sender included, so its computed balance falls by a little "
        "less than it sent", "BALANCE_COMPUTED"),
    Row("upgrade_blocks", BLOCKING_CODES, _upgrade, Severity.CRITICAL,
        "the power comes from replacing the token's code, which can do anything, not only "
        "stop trading"),
    Row("hidden_holder_blocks", BLOCKING_CODES, _hidden_holder, Severity.CRITICAL,
        "someone other than the visible owner (or anyone at all after a renounce) can stop "
        "trading: the renounce or the ownership is a disguise"),
    Row("blocks_with_pullable_lp", BLOCKING_CODES, _with_pullable_lp, Severity.CRITICAL,
        "the owner can stop holders from selling and withdraw the pool: the rug needs "
        "nothing else"),
    Row("blocks_with_high_tax", BLOCKING_CODES, _with_high_tax, Severity.CRITICAL,
        f"the owner can stop trading and already takes {HIGH_TAX_BPS // 100} % or more of "
        "each trade"),
    Row("live_owner_can_block", BLOCKING_CODES, _always, Severity.HIGH,
        "a live, visible owner can stop trading, but the LP is out of its reach and there is "
        "no large tax: a real risk an operator may accept, not a trap by itself"),
    Row("short_restriction", TIME_BOUNDED_CODES, _short, Severity.HIGH,
        f"the restriction ends by itself within {SHORT_RESTRICTION_S // 60} minutes "
        "(an anti-bot cooldown or a decaying launch tax): a delay, not a trap"),
    Row("decaying_launch_tax", DECAYING_TAX_CODES, _moderate_tax, Severity.HIGH,
        f"the launch tax is under {EXTREME_TAX_BPS // 100} % and falls by itself: the tax "
        "today is measured and shown, and it only gets better"),
    Row("lasting_restriction", TIME_BOUNDED_CODES, _always, Severity.CRITICAL,
        f"the restriction lasts longer than {SHORT_RESTRICTION_S // 60} minutes (or never "
        "ended in any horizon tried): holders are trapped"),
)


def _apply(row: Row, f: Finding) -> Finding:
    evidence = {**f.evidence, "rule": row.name, "rule_reason": row.reason}
    if row.rename and row.rename != f.code:
        evidence["was"] = f.code
    detail = f.detail
    if row.codes & TIME_BOUNDED_CODES and "duration_s" in f.evidence:
        detail = f"{detail} (ends by itself after {f.evidence['duration_s']} s)"
    return replace(f, code=row.rename or f.code, severity=row.severity, detail=detail,
                   evidence=evidence)


def calibrate(findings: Iterable[Finding], facts: Facts | None = None) -> list[Finding]:
    """Every finding with the severity the table gives it (first matching row wins)."""
    found = list(findings)
    if facts is None:
        facts = Facts(frozenset(f.code for f in found))
    out: list[Finding] = []
    for f in found:
        row = next((r for r in TABLE if f.code in r.codes and r.when(f, facts)), None)
        out.append(f if row is None else _apply(row, f))
    return out


# Score weights: how much of the remaining score a finding of each severity takes away.
SCORE_KEEP = {Severity.INFO: 1.0, Severity.LOW: 0.97, Severity.MEDIUM: 0.9,
              Severity.HIGH: 0.6, Severity.CRITICAL: 0.0}


def score(findings: Iterable[Finding]) -> int:
    """A 0-100 safety score: 100 when nothing was found, 0 with any critical finding.

    Each finding keeps a share of the score by severity (info 100 %, low 97 %, medium
    90 %, high 60 %, critical 0 %), multiplied together and rounded down: one high finding
    scores 60, two 36; three mediums 72. A summary for sorting and display; the verdict
    is still the table's decision.
    """
    kept = 1.0
    for f in findings:
        kept *= SCORE_KEEP[f.severity]
    return int(kept * 100 + 1e-9)
