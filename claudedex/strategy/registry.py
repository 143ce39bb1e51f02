"""Build a strategy by name, or load a user's strategy class from a Python file."""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from claudedex.errors import UserInputError
from claudedex.strategy.ai import AiStrategy
from claudedex.strategy.base import Strategy
from claudedex.strategy.momentum import MomentumStrategy
from claudedex.strategy.params import RUNNER_KEYS
from claudedex.strategy.scalping import ScalpingStrategy

# What other proposal makers write in TradeProposal.strategy (portfolio.core.EXIT_STRATEGY,
# manual.MANUAL): approval rules and the exit limits key on them, so no strategy may take one.
RESERVED = frozenset({"exit", "manual"})

BUILTIN: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (AiStrategy, MomentumStrategy, ScalpingStrategy)
}


def load_strategy_file(path: Path) -> dict[str, type[Strategy]]:
    """Import ``path`` and return the Strategy subclasses it defines, by name."""
    if not path.is_file():
        raise UserInputError(f"strategy file not found: {path}")
    spec = importlib.util.spec_from_file_location(f"claudedex_user_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UserInputError(f"strategy file cannot be imported: {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's file: any import failure is their input error
        raise UserInputError(f"strategy file {path} failed to import: {exc}") from exc
    found = {
        obj.name: obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Strategy) and obj is not Strategy and obj.__module__ == module.__name__
    }
    if not found:
        raise UserInputError(f"strategy file {path} defines no Strategy subclass")
    for name in found:
        if str(name).strip().lower() in RESERVED:
            raise UserInputError(f"strategy file {path}: the name '{name}' is reserved "
                                 f"(exits and manual trades use it); rename the strategy")
    return found


def build_strategy(
    name: str, params: Mapping[str, Any] | None = None, strategy_file: Path | None = None
) -> Strategy:
    """The configured strategy instance; unknown names are an operator error."""
    choices = dict(BUILTIN)
    if strategy_file is not None:
        user = load_strategy_file(strategy_file)
        choices.update(user)
        if name not in choices and len(user) == 1:
            name = next(iter(user))
    cls = choices.get(name)
    if cls is None:
        raise UserInputError(f"unknown strategy '{name}' (known: {', '.join(sorted(choices))})")
    return cls(own_params(cls, params or {}, choices.values()))


def own_params(cls: type[Strategy], params: Mapping[str, Any],
               others: Iterable[type[Strategy]] = BUILTIN.values()) -> dict[str, Any]:
    """``params`` less the keys that belong only to another strategy.

    A profile's ``[strategy.params]`` holds one strategy's knobs (momentum's ``ema_fast``)
    beside the runner's (sizing, exits); run with another strategy (a strategy file, or
    ``--strategy scalping``), those knobs are not its own and are left out. A key no
    strategy knows is kept, so the strategy still refuses a typo by name.
    """
    mine = set(cls.defaults) | RUNNER_KEYS
    if cls.params_model is not None:
        mine |= set(cls.params_model.model_fields)
    foreign = {key for other in others if other is not cls for key in other.defaults}
    return {k: v for k, v in params.items() if k in mine or k not in foreign}
