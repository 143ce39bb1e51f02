"""Records what the engine sees as swap-history JSONL, so any run can be backtested.

Why: ``claudedex backtest --data <data dir>/history.jsonl`` then replays the very pool
states, reports, scores and warnings a devnet, paper or live run saw, through the same
strategy and risk code (format: :mod:`claudedex.backtest.data`). Lines are flushed as they
are written; a crash loses at most the line being written. Each run's first line is
``{"kind": "start"}``: the file is appended to across restarts, and a restarted devnet is a
new chain whose blocks start again, so the replay takes one run at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

import structlog

from claudedex.bus import EventBus
from claudedex.events import (
    BlockSeen,
    EarlyWarningRaised,
    Event,
    PairDiscovered,
    PriceTicked,
    RiskAssessed,
    TokenScored,
)

log = structlog.get_logger(__name__)

TOPICS = (PairDiscovered.topic, PriceTicked.topic, RiskAssessed.topic, TokenScored.topic,
          EarlyWarningRaised.topic, BlockSeen.topic)


class HistoryRecorder:
    def __init__(self, bus: EventBus, path: Path) -> None:
        self._bus = bus
        self.path = path
        self._tokens: dict[str, tuple[str, str]] = {}  # pair -> (token, symbol)
        self._last_ts = float("-inf")
        self._started = False
        self.written = 0

    async def run(self) -> None:
        sub = self._bus.subscribe("history", TOPICS)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            try:
                async for ev in sub:
                    self.write(fh, ev)
            finally:
                sub.close()

    def write(self, fh: TextIO, ev: Event) -> None:
        row = self.row(ev)
        if row is None:
            return
        # The replay refuses time going backwards; bus order can differ by microseconds.
        self._last_ts = max(self._last_ts, ev.ts)
        row["ts"] = self._last_ts
        if not self._started:  # this run's lines begin here: a segment of its own
            self._started = True
            fh.write(json.dumps({"kind": "start", "ts": self._last_ts},
                                separators=(",", ":")) + "\n")
        fh.write(json.dumps(row, separators=(",", ":")) + "\n")
        fh.flush()
        self.written += 1

    def row(self, ev: Event) -> dict[str, Any] | None:
        if isinstance(ev, PairDiscovered):
            self._tokens[ev.pair.pair] = (ev.pair.token, ev.pair.symbol)
            return None
        if isinstance(ev, PriceTicked):
            known = self._tokens.get(ev.pair)
            if known is None:
                return None  # a pair discovered before this run: its token is unknown here
            return {"kind": "sync", "block": ev.block_number, "pair": ev.pair,
                    "token": known[0], "symbol": known[1],
                    "reserve_token": str(ev.reserve_token),
                    "reserve_quote": str(ev.reserve_quote)}
        if isinstance(ev, RiskAssessed):
            r = ev.report
            row: dict[str, Any] = {"kind": "report", "block": r.block_number, "token": r.token,
                                   "pair": r.pair, "verdict": r.verdict.value}
            for key in ("buy_tax_bps", "sell_tax_bps", "liquidity_quote"):
                value = getattr(r, key)
                if value is not None:  # the replay's venue applies the recorded taxes
                    row[key] = value if key != "liquidity_quote" else str(value)
            return row
        if isinstance(ev, TokenScored):
            row = {"kind": "score", "token": ev.score.token,
                   "scam_probability": ev.score.scam_probability}
            pump = dict(ev.score.contributions).get("pump_probability")
            if pump is not None:
                row["pump_probability"] = pump
            # The whole Score, so a replay hands the strategy exactly what the live run saw.
            row["contributions"] = [[name, value] for name, value in ev.score.contributions]
            row["model_version"] = ev.score.model_version
            return row
        if isinstance(ev, EarlyWarningRaised):
            return {"kind": "warning", "token": ev.token, "warning": ev.kind,
                    "detail": ev.detail}
        if isinstance(ev, BlockSeen):
            return {"kind": "block", "block": ev.number, "base_fee_wei": ev.base_fee_wei}
        return None
