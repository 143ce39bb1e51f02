"""Backtest inputs: recorded swap history (JSONL) and OHLCV candles (Freqtrade layout).

Swap history, one JSON object per line (the format the devnet/engine export writes):
  {"kind": "swap"|"sync", "block": int, "ts": float, "pair": "0x..", "token": "0x..",
   "reserve_token": int, "reserve_quote": int, "amount_in": int, "amount_out": int,
   "side": "buy"|"sell", "trader": "0x.."}
Optional lines carry what the engine knew at that time:
  {"kind": "report", "ts", "block", "token", "pair", "verdict", "sell_tax_bps"?, "deployer"?}
  {"kind": "score", "ts", "token", "scam_probability", "pump_probability"?,
   "contributions"?: [[feature, value], ...], "model_version"?}  (the engine's TokenScored)
  {"kind": "warning", "ts", "token", "warning", "detail"?}
  {"kind": "block", "ts", "block", "base_fee_wei"}
Reserves and amounts may be JSON integers or decimal strings (exact either way).

Candles: Freqtrade's files ``<PAIR>-<timeframe>.{json,csv,feather}``; JSON is a list of
``[ts_ms, open, high, low, close, volume]``; CSV/feather have columns
``date, open, high, low, close, volume``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

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
from claudedex.market.candles import Candle

TIMEFRAMES = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
CANDLE_RE = re.compile(r"^(?P<pair>.+)-(?P<tf>\d+[mhdw])(?:-\w+)?\.(?P<ext>json|csv|feather)$")


def _int(row: dict[str, Any], key: str, where: str) -> int:
    try:
        value = row[key]
        if isinstance(value, bool) or isinstance(value, float):
            raise TypeError
        return int(value)
    except (KeyError, TypeError, ValueError):
        raise UserInputError(f"{where}: '{key}' must be an integer") from None


def swap_events(path: Path, chain_id: int = 0) -> Iterator[Event]:
    """Events, in file order, from a swap-history JSONL file; timestamps must not go back."""
    seen: set[str] = set()
    last_ts = float("-inf")
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                row = json.loads(line)
                ts = float(row["ts"])
                kind = str(row.get("kind", "swap"))
            except (ValueError, KeyError, TypeError):
                raise UserInputError(f"{where}: not a swap-history JSON line") from None
            if ts < last_ts:
                raise UserInputError(f"{where}: ts {ts} goes back in time")
            last_ts = ts
            yield from _row_events(row, kind, ts, where, seen, chain_id)


def _row_events(
    row: dict[str, Any], kind: str, ts: float, where: str, seen: set[str], chain_id: int
) -> Iterator[Event]:
    if kind in ("swap", "sync"):
        pair, token = str(row.get("pair", "")), str(row.get("token", ""))
        if not pair or not token:
            raise UserInputError(f"{where}: swap line needs 'pair' and 'token'")
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
        tax = row.get("sell_tax_bps")
        yield RiskAssessed(
            report=RiskReport(
                token=str(row.get("token", "")),
                pair=str(row.get("pair", "")),
                verdict=verdict,
                findings=findings,
                sell_tax_bps=int(tax) if tax is not None else None,
                block_number=int(row.get("block", 0)),
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
            base_fee_wei=int(row.get("base_fee_wei", 0)),
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
        probability = float(row.get("scam_probability", 1.0))
    except (TypeError, ValueError):
        raise UserInputError(
            f"{where}: score needs a number scam_probability and [name, number] contributions"
        ) from None
    return Score(str(row.get("token", "")), probability, contrib, str(row.get("model_version", "")))


@dataclass(frozen=True, slots=True)
class CandleSeries:
    pair: str
    timeframe_s: int
    candles: list[Candle]


def timeframe_seconds(tf: str) -> int:
    return int(tf[:-1]) * TIMEFRAMES[tf[-1]]


def load_candles(path: Path) -> list[CandleSeries]:
    """One file, or every ``<PAIR>-<tf>.<ext>`` file in a directory (Freqtrade layout)."""
    files = (
        sorted(p for p in path.iterdir() if CANDLE_RE.match(p.name)) if path.is_dir() else [path]
    )
    if not files:
        raise UserInputError(f"{path}: no candle files named <PAIR>-<timeframe>.json|csv|feather")
    out = []
    for f in files:
        m = CANDLE_RE.match(f.name)
        if m is None:
            raise UserInputError(f"{f}: candle files are named <PAIR>-<timeframe>.json|csv|feather")
        out.append(CandleSeries(m["pair"], timeframe_seconds(m["tf"]), _read(f, m["ext"])))
    tfs = {s.timeframe_s for s in out}
    if len(tfs) > 1:
        raise UserInputError(
            f"{path}: candle files mix timeframes; backtest one timeframe at a time"
        )
    return out


def _ts(value: Any) -> float:
    if isinstance(value, str) and value.replace(".", "", 1).isdigit():
        value = float(value)
    if isinstance(value, (int, float)):
        return float(value) / 1000.0 if value > 1e11 else float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _read(f: Path, ext: str) -> list[Candle]:
    try:
        rows: list[Any]
        if ext == "json":
            rows = json.loads(f.read_text(encoding="utf-8"))
            return [
                Candle(_ts(r[0]), float(r[1]), float(r[2]), float(r[3]), float(r[4]), float(r[5]))
                for r in rows
            ]
        if ext == "csv":
            with f.open(encoding="utf-8", newline="") as fh:
                return [
                    Candle(
                        _ts(r["date"]),
                        float(r["open"]),
                        float(r["high"]),
                        float(r["low"]),
                        float(r["close"]),
                        float(r["volume"]),
                    )
                    for r in csv.DictReader(fh)
                ]
        import pyarrow.feather as feather  # optional, only for feather files

        table = feather.read_table(str(f))
        cols = {
            name: table.column(name).to_pylist()
            for name in ("date", "open", "high", "low", "close", "volume")
        }
        return [
            Candle(
                _ts(d.timestamp() if hasattr(d, "timestamp") else d),
                float(o),
                float(h),
                float(lo),
                float(c),
                float(v),
            )
            for d, o, h, lo, c, v in zip(*cols.values(), strict=True)
        ]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise UserInputError(f"{f}: unreadable candle file ({type(exc).__name__}: {exc})") from None
