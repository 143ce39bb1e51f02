"""`claudedex backtest --search`: the glue between the backtest command and the search.

Why each trial calls the command's own function: a trial must be the normal backtest
(profile, ``--param`` handling, venue, approvals, report figures), not a second copy of
it that could drift. ``claudedex.backtest.search`` does the sampling, the hold-out split
and the tables; this module checks the flags, splits the candles into two folders and
hands the search a picklable runner that replays one folder with one set of parameters.
"""

from __future__ import annotations

import functools
import inspect
import io
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from claudedex.errors import UserInputError

# the options that belong to the search, not to each trial's backtest
SEARCH_KEYS = ("search", "trials", "objective", "holdout", "jobs", "seed", "best_out")
DEFAULTS: dict[str, Any] = {"trials": 20, "objective": "sharpe", "holdout": 0.3, "seed": 0}


def maybe_search(args: Mapping[str, Any]) -> bool:
    """Run the search when ``--search`` is given (True); False for a plain backtest.

    ``args`` is the backtest command's arguments by name. A search-only flag without
    ``--search`` would do nothing, so it is refused (UserInputError, exit 2).
    """
    if args.get("search") is None:
        extra = [k for k in SEARCH_KEYS[1:] if args.get(k) is not None]
        if extra:
            raise UserInputError(f"--{extra[0].replace('_', '-')} needs --search NAME=LOW:HIGH")
        return False
    search_command(args)
    return True


def known_params(strategy: str, strategy_file: Path | None) -> set[str]:
    """The parameter names ``strategy`` accepts: its own and the runner's."""
    from claudedex.strategy.params import RUNNER_KEYS
    from claudedex.strategy.registry import BUILTIN, load_strategy_file

    choices = dict(BUILTIN)
    if strategy_file is not None:
        user = load_strategy_file(strategy_file)
        choices.update(user)
        if strategy not in choices and len(user) == 1:
            strategy = next(iter(user))
    cls = choices.get(strategy)
    if cls is None:
        raise UserInputError(f"unknown strategy '{strategy}' (known: {', '.join(sorted(choices))})")
    known = set(cls.defaults) | set(RUNNER_KEYS)
    if cls.params_model is not None:
        known |= set(cls.params_model.model_fields)
    return known


def run_trial(opts: Mapping[str, Any], data: Path, params: Mapping[str, int | float]
              ) -> dict[str, Any]:
    """One backtest through the command's own function; its JSON metrics (worker side)."""
    from cli.backtest import backtest

    kw = dict(opts)
    kw.update(data=data, json_out=True, report=None)
    kw["param"] = [*(opts.get("param") or []),
                   *(f"{k}={json.dumps(v)}" for k, v in params.items())]
    buf = io.StringIO()
    with redirect_stdout(buf):
        backtest(**kw)
    lines = buf.getvalue().strip().splitlines()
    if not lines:
        raise UserInputError(f"backtest of {data} printed no report")
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def search_command(args: Mapping[str, Any]) -> None:
    """Check the flags, split the data, run the trials, print the tables, write the TOML."""
    from claudedex.backtest.data import load_candles
    from claudedex.backtest.policy import DataPolicy
    from claudedex.backtest.search import (
        check_objective,
        parse_ranges,
        profile_snippet,
        report_lines,
        result_json,
        run_search,
        split_candles,
        write_candles,
    )
    from cli.backtest import backtest

    own = inspect.signature(backtest).parameters  # args may hold the caller's other locals
    opts = {k: v for k, v in args.items() if k in own and k not in SEARCH_KEYS}
    conf: dict[str, Any] = {k: (DEFAULTS.get(k) if args.get(k) is None else args[k])
                            for k in SEARCH_KEYS}
    data: Path = opts["data"]
    if not data.exists():
        raise UserInputError(f"--data {data}: no such file or directory")
    if data.is_file() and data.suffix == ".jsonl":
        raise UserInputError("--search needs candle data: a swap history (.jsonl) is not"
                             " split into in-sample and out-of-sample yet")
    if opts.get("report") is not None:
        raise UserInputError("--report writes one backtest's report; not with --search")
    if conf["trials"] <= 0:
        raise UserInputError(f"--trials {conf['trials']}: expected at least 1")
    if not 0 <= conf["seed"] < 2**32:  # optuna's sampler takes no other (a traceback)
        raise UserInputError(f"--seed {conf['seed']}: expected 0 .. {2**32 - 1}")
    if opts.get("liquidity") is not None:  # every trial would fail on it, one by one
        from cli.backtest_checks import liquidity_wei

        liquidity_wei(str(opts["liquidity"]))
    check_objective(conf["objective"])
    ranges = parse_ranges(conf["search"], known_params(opts["strategy"],
                                                       opts.get("strategy_file")))
    fixed = {p.partition("=")[0] for p in opts.get("param") or []}
    for r in ranges:
        if r.name in fixed:
            raise UserInputError(f"--search {r.name} and --param {r.name}: give one or the other")
    jobs = conf["jobs"] if conf["jobs"] is not None else min(conf["trials"], os.cpu_count() or 1)
    policy = DataPolicy.from_flags(opts.get("on_duplicates", "error"),
                                   opts.get("on_unsorted", "error"), opts.get("on_gaps", "error"))
    series = load_candles(data, opts.get("timeframe"), policy)
    ins, outs, cut = split_candles(series, float(conf["holdout"]))
    best_out = Path(conf["best_out"] or f"backtest-search-{opts['strategy']}.toml")
    if best_out.is_dir() or not best_out.parent.is_dir():  # refused before the trials run
        raise UserInputError(f"--best-out {best_out}: not a file in an existing directory")
    if best_out.suffix != ".toml":  # --best-out ETH_USDT-5m.json would replace the data
        raise UserInputError(f"--best-out {best_out}: the best parameters are TOML; name a "
                             f".toml file")
    with tempfile.TemporaryDirectory(prefix="claudedex-search-") as tmp:
        result = run_search(ranges, conf["trials"], conf["objective"],
                            functools.partial(run_trial, opts),
                            write_candles(ins, Path(tmp) / "in-sample"),
                            write_candles(outs, Path(tmp) / "out-of-sample"),
                            jobs=jobs, seed=conf["seed"])
    spans = _spans(ins, outs, cut)
    if result.best is not None:
        try:
            partial = best_out.with_name(f".{best_out.name}.partial")
            partial.write_text(profile_snippet(result, opts["strategy"],
                                               [f"data: {data}", spans]))
            os.replace(partial, best_out)  # all or nothing
        except OSError as exc:
            raise UserInputError(f"--best-out {best_out}: cannot write "
                                 f"({exc.strerror or exc})") from None
    if opts.get("json_out"):
        sys.stdout.write(json.dumps({**result_json(result), "split": spans,
                                     "best_out": str(best_out) if result.best else None},
                                    default=str) + "\n")
    else:
        sys.stdout.write("\n".join([*report_lines(result), spans]) + "\n")
        if result.best is not None:
            sys.stdout.write(f"best parameters: {best_out}\n")
    sys.stdout.flush()
    if result.best is None:
        raise UserInputError("no trial gave a value for "
                             f"{conf['objective']}: see the table's notes")


def _spans(ins: Any, outs: Any, cut: float) -> str:
    from datetime import UTC, datetime

    def day(ts: float) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")

    n_in = sum(len(s.candles) for s in ins)
    n_out = sum(len(s.candles) for s in outs)
    return (f"in-sample: {n_in} candles before {day(cut)} UTC; "
            f"out-of-sample: {n_out} candles from then on")
