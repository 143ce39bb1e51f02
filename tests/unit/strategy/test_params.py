"""Typed strategy params: one model per built-in, checked at profile load and at build."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from claudedex.errors import UserInputError
from claudedex.strategy.base import Strategy
from claudedex.strategy.params import PARAMS_MODELS, RUNNER_KEYS, check_params, own_defaults
from claudedex.strategy.registry import BUILTIN, build_strategy


def test_every_builtin_has_its_model_and_defaults_from_it() -> None:
    assert set(PARAMS_MODELS) == set(BUILTIN)
    for name, cls in BUILTIN.items():
        assert cls.params_model is PARAMS_MODELS[name]
        assert dict(cls.defaults) == own_defaults(PARAMS_MODELS[name])
        assert not set(cls.defaults) & RUNNER_KEYS


def test_runner_keys_are_accepted_by_every_strategy() -> None:
    params: dict[str, Any] = {"equity_quote": "5", "sizing": "kelly", "fraction": "0.1",
                              "take_profit": [[30, 0.5], [60, "0.25"]], "stop_loss_pct": 0,
                              "max_hold_s": 600, "require_report": True}
    for name in BUILTIN:
        check_params(name, params)
        build_strategy(name, params)


@pytest.mark.parametrize(("params", "key"), [
    ({"equity_quote": "5 ETH"}, "equity_quote"),
    ({"equity_quote": 0}, "equity_quote"),
    ({"sizing": "yolo"}, "sizing"),
    ({"fraction": "1.5"}, "fraction"),
    ({"take_profit": [[30]]}, "take_profit"),
    ({"trailing_pct": 120}, "trailing_pct"),
    ({"max_scam_probability": 2}, "max_scam_probability"),
    ({"ema_fast": 0}, "ema_fast"),
    ({"rsi_period": 2.5}, "rsi_period"),
])
def test_bad_values_name_the_key(params: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_params("momentum", params)
    assert caught.value.errors()[0]["loc"][0] == key
    with pytest.raises(UserInputError, match=f"strategy momentum: parameter '{key}"):
        build_strategy("momentum", params)  # a backtest's --param overrides meet it too


def test_crossing_needs_fast_below_slow() -> None:
    with pytest.raises(UserInputError, match="ema_fast .* must be below ema_slow"):
        build_strategy("scalping", {"ema_fast": 30, "ema_slow": 20})


def test_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(UserInputError, match=r"unknown parameter 'ema_fats' \(known: .*ema_fast"):
        build_strategy("momentum", {"ema_fats": 3})


def test_a_strategy_from_a_file_keeps_its_own_keys() -> None:
    class Mine(Strategy):
        name = "mine"
        defaults = {"depth": 3}

    assert Mine({"depth": 4, "equity_quote": "2"}).params["depth"] == 4
    check_params("mine", {"depth": 4, "equity_quote": "2"})  # its keys: its business
    with pytest.raises(ValidationError):
        check_params("mine", {"equity_quote": "two"})  # runner keys are still checked
