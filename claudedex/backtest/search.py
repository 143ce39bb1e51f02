"""Parameter search for a backtest: optuna trials in parallel processes, with a hold-out.

Why a hold-out: the best of many trials on one stretch of data is partly the best fit to
that stretch's noise. The last part of the data (``holdout``, 30 % by default) is kept out
of every trial; the winner is then replayed on it once, and both figures are reported side
by side, so an in-sample Sharpe of 3 that becomes -1 out of sample is seen, not trusted.

Why the trial runner is handed in: a trial must be exactly the normal ``claudedex
backtest`` (same profile handling, venue and report), and that path lives in the CLI
layer. This module only samples, splits, schedules and reports; ``runner(data, params)``
returns the backtest report's metrics (``claudedex.backtest.metrics.compute``) or raises
:class:`UserInputError` for parameters the strategy refuses (that trial fails, the search
goes on). The runner must be picklable: trials run in worker processes.

Determinism: optuna's TPE sampler is seeded and trials are asked for in batches of
``jobs``, run together and told back in trial order, so the same seed gives the same
trials whatever order the processes finish in.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from claudedex.backtest.candle_files import CandleSeries
from claudedex.errors import UserInputError

# objective -> optuna direction; every key is a figure of the backtest report
Direction = Literal["maximize", "minimize"]
OBJECTIVES: dict[str, Direction] = {
    "sharpe": "maximize",
    "sortino": "maximize",
    "calmar": "maximize",
    "total_return": "maximize",
    "excess_return": "maximize",
    "cagr": "maximize",
    "win_rate": "maximize",
    "profit_factor": "maximize",
    "max_drawdown": "minimize",
}
SHOWN = ("trades", "total_return", "max_drawdown")  # beside the objective in the tables
SPEC_RE = re.compile(r"^(?P<name>[A-Za-z_]\w*)=(?P<low>[^:]+):(?P<high>[^:]+)$")
INT_RE = re.compile(r"^[+-]?\d+$")

Runner = Callable[[Path, Mapping[str, int | float]], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class ParamRange:
    """One ``--search NAME=LOW:HIGH``: integers when both bounds are, else floats."""

    name: str
    low: float
    high: float
    is_int: bool


@dataclass(slots=True)
class TrialRow:
    """One finished trial: its parameters and in-sample figures, or why it failed."""

    number: int
    params: dict[str, int | float]
    value: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Every trial, the winner, and the winner's out-of-sample report (None: no winner)."""

    objective: str
    trials: list[TrialRow]
    best: TrialRow | None
    out_of_sample: Mapping[str, Any] | None


def parse_ranges(specs: Sequence[str], known: set[str]) -> list[ParamRange]:
    """``NAME=LOW:HIGH`` strings, checked; ``known`` is what the strategy accepts.

    Raises UserInputError (one line) for a malformed spec, a bound that is not a number,
    LOW > HIGH, a parameter the strategy does not know, or one given twice.
    """
    out: list[ParamRange] = []
    for spec in specs:
        m = SPEC_RE.match(spec.strip())
        if m is None:
            raise UserInputError(f"--search {spec!r}: expected NAME=LOW:HIGH (ema_fast=3:20)")
        name, lo, hi = m["name"], m["low"].strip(), m["high"].strip()
        try:
            low, high = float(lo), float(hi)
        except ValueError:
            raise UserInputError(f"--search {spec!r}: LOW and HIGH must be numbers") from None
        if not (math.isfinite(low) and math.isfinite(high)):
            raise UserInputError(f"--search {spec!r}: LOW and HIGH must be finite")
        if low > high:
            raise UserInputError(f"--search {spec!r}: LOW {lo} is above HIGH {hi}")
        if name not in known:
            raise UserInputError(f"--search {spec!r}: unknown parameter '{name}' "
                                 f"(known: {', '.join(sorted(known))})")
        if any(r.name == name for r in out):
            raise UserInputError(f"--search {spec!r}: '{name}' is searched twice")
        out.append(ParamRange(name, low, high, bool(INT_RE.match(lo) and INT_RE.match(hi))))
    if not out:
        raise UserInputError("--search: give at least one NAME=LOW:HIGH")
    return out


def check_objective(objective: str) -> Direction:
    """The objective's optuna direction; UserInputError for a figure not searchable."""
    if objective not in OBJECTIVES:
        raise UserInputError(f"--objective {objective!r}: expected one of "
                             f"{', '.join(OBJECTIVES)}")
    return OBJECTIVES[objective]


def split_candles(series: Sequence[CandleSeries], holdout: float
                  ) -> tuple[list[CandleSeries], list[CandleSeries], float]:
    """(in-sample, out-of-sample, cut timestamp): every candle at or after the cut is out.

    The cut is the timestamp at position ``len * (1 - holdout)`` of all the pairs' candle
    times together, so one instant splits every pair. Raises UserInputError when
    ``holdout`` is outside (0, 1) or either side would be empty.
    """
    if not 0 < holdout < 1:
        raise UserInputError(f"--holdout {holdout}: expected a fraction between 0 and 1")
    times = sorted({c.ts for s in series for c in s.candles})
    idx = int(len(times) * (1 - holdout))
    if idx <= 0 or idx >= len(times):
        raise UserInputError(f"--holdout {holdout}: too few candles ({len(times)}) to split")
    cut = times[idx]
    ins = [CandleSeries(s.pair, s.timeframe_s, [c for c in s.candles if c.ts < cut])
           for s in series]
    outs = [CandleSeries(s.pair, s.timeframe_s, [c for c in s.candles if c.ts >= cut])
            for s in series]
    return [s for s in ins if s.candles], [s for s in outs if s.candles], cut


def timeframe_name(seconds: int) -> str:
    """300 -> '5m', 3600 -> '1h': the largest unit that divides it (Freqtrade's names)."""
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise UserInputError(f"timeframe of {seconds} s is not a whole number of minutes")


def write_candles(series: Sequence[CandleSeries], folder: Path) -> Path:
    """Write each series as ``<PAIR>-<tf>.json`` (Freqtrade's JSON layout, ms dates)."""
    folder.mkdir(parents=True, exist_ok=True)
    for s in series:
        rows = [[round(c.ts * 1000), c.open, c.high, c.low, c.close, c.volume]
                for c in s.candles]
        (folder / f"{s.pair}-{timeframe_name(s.timeframe_s)}.json").write_text(json.dumps(rows))
    return folder


def _value(metrics: Mapping[str, Any], objective: str) -> float:
    raw = metrics.get(objective)
    if raw is None:
        raise UserInputError(f"{objective} is not defined for this run (too few days?)")
    value = float(raw)
    if not math.isfinite(value):
        raise UserInputError(f"{objective} is {raw}")
    return value


def _run_one(runner: Runner, data: Path, params: Mapping[str, int | float]
             ) -> tuple[dict[str, Any] | None, str]:
    """In a worker: (metrics, '') or (None, why the strategy refused these params)."""
    try:
        return dict(runner(data, params)), ""
    except UserInputError as exc:
        return None, str(exc)


def run_search(ranges: Sequence[ParamRange], trials: int, objective: str, runner: Runner,
               in_sample: Path, out_of_sample: Path, *, jobs: int = 1, seed: int = 0,
               ) -> SearchResult:
    """Run ``trials`` backtests on ``in_sample``, then the best once on ``out_of_sample``.

    ``jobs`` worker processes (spawned, so nothing of the parent's state leaks in) run
    the trials of each batch together. Raises UserInputError for trials <= 0 or jobs <= 0.
    """
    import optuna

    if trials <= 0:
        raise UserInputError(f"--trials {trials}: expected at least 1")
    if jobs <= 0:
        raise UserInputError(f"--jobs {jobs}: expected at least 1")
    direction = check_objective(objective)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction,
                                sampler=optuna.samplers.TPESampler(seed=seed))
    rows: list[TrialRow] = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, trials), mp_context=ctx) as pool:
        while len(rows) < trials:
            batch = [study.ask() for _ in range(min(jobs, trials - len(rows)))]
            asked = [(t, {r.name: (t.suggest_int(r.name, int(r.low), int(r.high)) if r.is_int
                                   else t.suggest_float(r.name, r.low, r.high))
                          for r in ranges}) for t in batch]
            futures: list[Future[tuple[dict[str, Any] | None, str]]] = [
                pool.submit(_run_one, runner, in_sample, params) for _, params in asked]
            for (trial, params), fut in zip(asked, futures, strict=True):
                metrics, error = fut.result()
                row = TrialRow(trial.number, params, metrics=metrics or {}, error=error)
                if metrics is not None:
                    try:
                        row.value = _value(metrics, objective)
                    except UserInputError as exc:
                        row.error = str(exc)
                if row.value is None:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                else:
                    study.tell(trial, row.value)
                rows.append(row)
        done = [r for r in rows if r.value is not None]
        if not done:
            return SearchResult(objective, rows, None, None)
        sign = 1.0 if direction == "maximize" else -1.0
        best = max(done, key=lambda r: (sign * (r.value or 0.0), -r.number))
        oos, error = pool.submit(_run_one, runner, out_of_sample, best.params).result()
    if oos is None:
        raise UserInputError(f"out-of-sample run of the best parameters failed: {error}")
    return SearchResult(objective, rows, best, oos)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "-" if value is None else str(value)


def _table(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip()
            for line in (header, *body)]


def report_lines(result: SearchResult) -> list[str]:
    """The trials table, then the winner in-sample beside out-of-sample (plain text)."""
    names = list(result.trials[0].params) if result.trials else []
    obj = result.objective
    header = ["trial", *names, f"{obj} (in-sample)", *SHOWN, "note"]
    body = [[str(r.number), *(_fmt(r.params[n]) for n in names), _fmt(r.value),
             *(_fmt(r.metrics.get(k)) for k in SHOWN), r.error]
            for r in result.trials]
    lines = _table(header, body)
    if result.best is None or result.out_of_sample is None:
        return [*lines, "", "no trial gave a value: no best parameters"]
    b, oos = result.best, result.out_of_sample
    lines += ["", "best: trial " + str(b.number) + "  "
              + "  ".join(f"{n}={_fmt(v)}" for n, v in b.params.items())]
    lines += _table(["figure", "in-sample", "out-of-sample"],
                    [[k, _fmt(b.metrics.get(k)), _fmt(oos.get(k))] for k in (obj, *SHOWN)])
    return lines


def result_json(result: SearchResult) -> dict[str, Any]:
    """The same as :func:`report_lines`, as one JSON-ready object."""
    return {
        "objective": result.objective,
        "trials": [{"trial": r.number, "params": r.params, "value": r.value,
                    **{k: r.metrics.get(k) for k in SHOWN}, "error": r.error}
                   for r in result.trials],
        "best": None if result.best is None else {
            "trial": result.best.number, "params": result.best.params,
            "in_sample": {k: result.best.metrics.get(k) for k in (result.objective, *SHOWN)},
            "out_of_sample": {k: (result.out_of_sample or {}).get(k)
                              for k in (result.objective, *SHOWN)},
        },
    }


def _toml_value(value: int | float) -> str:
    return repr(value) if isinstance(value, int) else repr(float(value))


def profile_snippet(result: SearchResult, strategy: str, note: Sequence[str] = ()) -> str:
    """A ``[strategy]`` section to paste into a profile; ``note`` lines become comments."""
    if result.best is None or result.out_of_sample is None:
        raise UserInputError("no trial gave a value: no best parameters to write")
    b, obj = result.best, result.objective
    lines = [f"# claudedex backtest --search: best of {len(result.trials)} trials by {obj}",
             f"# {obj}: in-sample {_fmt(b.value)}, out-of-sample "
             f"{_fmt(result.out_of_sample.get(obj))}",
             *("# " + " ".join(n.split()) for n in note),
             "[strategy]", f"name = {json.dumps(strategy)}", "", "[strategy.params]"]
    lines += [f"{name} = {_toml_value(v)}" for name, v in b.params.items()]
    return "\n".join(lines) + "\n"
