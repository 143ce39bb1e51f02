"""Profiles for backtest/strategy tests (a module, not a fixture file, for reuse)."""

from __future__ import annotations

from typing import Any

from claudedex.config import Profile, parse_profile


def profile(strategy: str = "momentum", **params: Any) -> Profile:
    base: dict[str, Any] = {
        "ema_fast": 3,
        "ema_slow": 8,
        "rsi_period": 5,
        "breakout_lookback": 5,
        "candle_interval_s": 60,
        "equity_quote": "10",
    }
    if strategy != "momentum":
        base = {"candle_interval_s": 60, "equity_quote": "10"}
    base.update(params)
    return parse_profile(
        {
            "name": "t",
            "mode": "devnet",
            "chain": {"chain_id": 31337, "name": "devnet"},
            "limits": {"max_trade_quote": "0.2"},
            # every safe buy below the trade cap goes through by the profile's own rule
            "approvals": {"auto_approve_below_quote": "1000"},
            "strategy": {"name": strategy, "params": base},
        },
        "test",
    )
