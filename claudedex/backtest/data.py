"""Backtest inputs: recorded swap history (JSONL) and OHLCV candles (Freqtrade layout).

Swap history, one JSON object per line (the format the devnet/engine export writes):
  {"kind": "swap"|"sync", "block": int, "ts": float, "pair": "0x..", "token": "0x..",
   "reserve_token": int, "reserve_quote": int, "amount_in": int, "amount_out": int,
   "side": "buy"|"sell", "trader": "0x.."}
Optional lines carry what the engine knew at that time:
  {"kind": "report", "ts", "block", "token", "pair", "verdict", "buy_tax_bps"?,
   "sell_tax_bps"?, "liquidity_quote"?, "deployer"?}  (taxes: the replay's fills apply them)
  {"kind": "score", "ts", "token", "scam_probability", "pump_probability"?,
   "contributions"?: [[feature, value], ...], "model_version"?}  (the engine's TokenScored)
  {"kind": "warning", "ts", "token", "warning", "detail"?}
  {"kind": "block", "ts", "block", "base_fee_wei"}
  {"kind": "start", "ts"}  (the recorder: a run starts; see history_lines for segments)
Reserves and amounts may be JSON integers or decimal strings (exact either way); reserves and
blocks are never negative, ts is finite and never goes back, probabilities lie in [0, 1].
Each fault is one line naming the file and line (:mod:`claudedex.backtest.history_lines`).

Candles: :mod:`claudedex.backtest.candle_files` (Freqtrade's layout), re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claudedex.backtest.candle_files import (
    CANDLE_RE,
    TIMEFRAMES,
    CandleSeries,
    load_candles,
    timeframe_seconds,
)
from claudedex.backtest.history_lines import checked_lines, segment_lines
from claudedex.backtest.policy import STRICT, DataPolicy
from claudedex.domain import Finding, PairInfo, RiskReport, Score, Severity, Verdict
from claudedex.errors import UserInputError
from claudedex.events import (
    BlockSeen,
    EarlyWarningRaised,
    Event,
    PairDiscovered,
    PriceTicked,
    RiskAssessed,
    TokenScored,
)

__all__ = ["CANDLE_RE", "TIMEFRAMES", "CandleSeries", "load_candles", "swap_events",
           "timeframe_seconds"]


def _int(row: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    """A non-negative integer (JSON integer or decimal string); ``default`` when absent."""
    if default is not None and row.get(key) is None:
        return default
    try:
        value = row[key]
        if isinstance(value, bool) or isinstance(value, float):
            raise TypeError
        number = int(value)
    except (KeyError, TypeError, ValueError):
        raise UserInputError(f"{where}: '{key}' must be an integer") from None
    if number < 0:
        raise UserInputError(f"{where}: '{key}' is {number}; it cannot be negative")
    return number


def _probability(value: Any, key: str, where: str) -> float:
    try:
        p = float(value)
    except (TypeError, ValueError):
        raise UserInputError(f"{where}: '{key}' must be a number") from None
    if not 0.0 <= p <= 1.0:  # NaN too: it would pass every limit it is compared with
        raise UserInputError(f"{where}: '{key}' is {p}; a probability lies in [0, 1]")
    return p


def swap_events(
    path: Path, chain_id: int = 0, policy: DataPolicy = STRICT, segment: int | None = None
) -> Iterator[Event]:
    """Events, in file order, from a swap-history JSONL file, checked line by line as they
    stream; ``segment`` picks one run of a file recorded across engine restarts."""
    seen: set[str] = set()
    for n, row, ts in segment_lines(path, checked_lines(path, policy), segment):
        yield from _row_events(row, str(row.get("kind", "swap")), ts, f"{path}:{n}", seen,
                               chain_id)


def _row_events(
    row: dict[str, Any], kind: str, ts: float, where: str, seen: set[str], chain_id: int
) -> Iterator[Event]:
    if kind in ("swap", "sync"):
        pair, token = row.get("pair"), row.get("token")
        if not (isinstance(pair, str) and pair and isinstance(token, str) and token):
            raise UserInputError(f"{where}: swap line needs 'pair' and 'token' as address "
                                 f"texts")
        block = _int(row, "block", where)
        if pair not in seen:
            seen.add(pair)
            info = PairInfo(chain_id, "replay", pair, token, "", block, str(row.get("symbol", "")))
            yield PairDiscovered(pair=info, source="replay", ts=ts)
        yield PriceTicked(
            pair=pair,
            reserve_token=_int(row, "reserve_token", where),
            reserve_quote=_int(row, "reserve_quote", where),
            block_number=block,
            ts=ts,
        )
    elif kind == "report":
        try:
            verdict = Verdict(str(row["verdict"]))
        except (KeyError, ValueError):
            raise UserInputError(
                f"{where}: report needs a verdict (safe/risky/scam/unknown)"
            ) from None
        findings: tuple[Finding, ...] = ()
        if row.get("deployer"):
            findings = (
                Finding("deployer", Severity.INFO, "deployer", {"deployer": str(row["deployer"])}),
            )
        tax = None if row.get("sell_tax_bps") is None else _int(row, "sell_tax_bps", where)
        buy_tax = None if row.get("buy_tax_bps") is None else _int(row, "buy_tax_bps", where)
        liquidity = (None if row.get("liquidity_quote") is None
                     else _int(row, "liquidity_quote", where))
        yield RiskAssessed(
            report=RiskReport(
                token=str(row.get("token", "")),
                pair=str(row.get("pair", "")),
                verdict=verdict,
                findings=findings,
                buy_tax_bps=buy_tax,
                sell_tax_bps=tax,
                liquidity_quote=liquidity,
                block_number=_int(row, "block", where, 0),
            ),
            ts=ts,
        )
    elif kind == "score":
        yield TokenScored(score=_score(row, where), ts=ts)
    elif kind == "warning":
        yield EarlyWarningRaised(
            token=str(row.get("token", "")),
            kind=str(row.get("warning", "unknown")),
            detail=str(row.get("detail", "")),
            ts=ts,
        )
    elif kind == "block":
        yield BlockSeen(
            chain_id=chain_id,
            number=_int(row, "block", where),
            base_fee_wei=_int(row, "base_fee_wei", where, 0),
            ts=ts,
        )
    else:
        raise UserInputError(f"{where}: unknown kind '{kind}'")


def _score(row: dict[str, Any], where: str) -> Score:
    """The Score the engine published: recorded contributions and version when present."""
    contrib: tuple[tuple[str, float], ...] = ()
    try:
        if row.get("contributions") is not None:
            contrib = tuple((str(name), float(value)) for name, value in row["contributions"])
        elif row.get("pump_probability") is not None:
            contrib = (("pump_probability", float(row["pump_probability"])),)
    except (TypeError, ValueError):
        raise UserInputError(
            f"{where}: score needs a number scam_probability and [name, number] contributions"
        ) from None
    if not all(math.isfinite(value) for _, value in contrib):
        raise UserInputError(f"{where}: score contributions must be finite numbers")
    for name, value in contrib:
        if name == "pump_probability":
            _probability(value, name, where)
    probability = _probability(row.get("scam_probability", 1.0), "scam_probability", where)
    return Score(str(row.get("token", "")), probability, contrib, str(row.get("model_version", "")))
