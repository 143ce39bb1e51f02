"""`claudedex backtest`: replay history through the live strategy, risk and portfolio code."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)


def backtest(
    data: Annotated[Path, typer.Option("--data", help="swap-history .jsonl, or candle file/dir")],
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy",
            help="ai | momentum | scalping | user. ai acts on the ML scores recorded in the"
            " history ('score' lines, written by the engine's HistoryRecorder from the live"
            " scorer's TokenScored): the model's features need chain reads at each token's"
            " cut-off block, which a replay does not have, so the backtest never re-scores.",
        ),
    ],
    profile: Annotated[
        str, typer.Option("--profile", help="profile for limits and params")
    ] = "devnet",
    json_out: Annotated[
        bool, typer.Option("--json", help="print the metrics as one JSON line")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="write report.html + trades.csv")
    ] = None,
    strategy_file: Annotated[
        Path | None, typer.Option("--strategy-file", help="Python file with a Strategy class")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="strategy param KEY=VALUE (JSON value)")
    ] = None,
    liquidity: Annotated[
        str, typer.Option("--liquidity", help="candles: virtual pool depth in quote units"
                          " (a decimal, above zero; deep enough for the prices)")
    ] = "1000",
    timeframe: Annotated[
        str | None,
        typer.Option("--timeframe", help="candles: 5m, 1h, ...; must agree with the file name"
                     " (PAIR-5m.json) and the data's spacing; needed when the name has none"),
    ] = None,
    on_duplicates: Annotated[
        str, typer.Option("--on-duplicates", help="error | drop: skip rows identical to an"
                          " earlier one (same date, different values: always an error)")
    ] = "error",
    on_unsorted: Annotated[
        str, typer.Option("--on-unsorted", help="error | sort: order rows by time")
    ] = "error",
    on_gaps: Annotated[
        str, typer.Option("--on-gaps", help="candles: error | fill (flat candles at the"
                          " previous close, no volume) | ignore")
    ] = "error",
    segment: Annotated[
        int | None,
        typer.Option("--segment", help="swap history recorded across engine restarts: replay"
                     " run N (1, 2, ...) alone"),
    ] = None,
    latency_blocks: Annotated[
        int,
        typer.Option("--latency-blocks", help="swaps: fill on the recorded reserves"
                     " this many blocks after the order (0: on the reserves it was planned on;"
                     " a recording of a run that traded already holds its own swaps later)"),
    ] = 0,
    approve: Annotated[
        str,
        typer.Option("--approve", help="proposals the profile's auto rules leave to the"
                     " operator: auto (left to expire, as live with nobody at the console) |"
                     " safe (approve sells and safe buys) | all (approve all the gate allows,"
                     " risky buys by override) | none (reject them); counted in the report"),
    ] = "auto",
    search: Annotated[list[str] | None, typer.Option(
        "--search", help="NAME=LOW:HIGH (repeat): optuna parameter search on the first part"
        " of the data, the best replayed on the held-out rest")] = None,
    trials: Annotated[int | None, typer.Option("--trials", help="search: trials (20)")] = None,
    objective: Annotated[str | None, typer.Option(
        "--objective", help="search: report figure to optimise (sharpe)")] = None,
    holdout: Annotated[float | None, typer.Option(
        "--holdout", help="search: share of the data kept out of sample (0.3)")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", help="search: trials at once, in processes (CPUs)")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="search: sampler seed (0)")] = None,
    best_out: Annotated[Path | None, typer.Option(
        "--best-out", help="search: TOML file for the best parameters")] = None,
    lookahead_check: Annotated[bool, typer.Option(
        "--lookahead-check/--no-lookahead-check",
        help="candles, vectorised strategies: recompute the columns on prefixes of the data"
        " and refuse any that read later candles (claudedex.backtest.lookahead)")] = True,
) -> None:
    """Replay recorded swaps (JSONL) or OHLCV candles; deterministic for the same inputs.

    ML scores come from the history's recorded 'score' lines (what the live scorer
    published), never from re-scoring: features need chain state a replay lacks.

    The data is checked first: duplicated or unsorted rows, missing, infinite or impossible
    values (prices <= 0, high < low, open/close outside low..high), unreadable dates, gaps, a
    timeframe the data does not have and a history spanning engine restarts are each one line
    naming the file and row, exit 2, unless --on-duplicates, --on-unsorted, --on-gaps or
    --segment says what to do. Dates without a timezone are UTC. Strategies emit no signal
    during their warm-up (startup_candle_count), so trades do not depend on where the data
    starts. A vectorised strategy whose columns read later candles is refused (see
    --no-lookahead-check); one that raises during the replay stops it (no figures).
    """
    from cli.backtest_search import maybe_search

    if maybe_search(locals()):  # --search: trials of this same command (cli.backtest_search)
        return
    from claudedex.backtest.data import load_candles, swap_events
    from claudedex.backtest.metrics import compute
    from claudedex.backtest.policy import DataPolicy
    from claudedex.backtest.replay import APPROVE_CHOICES, Backtest, ReplayAborted
    from claudedex.config import load_profile
    from claudedex.errors import UserInputError
    from cli.backtest_checks import (
        FailureWatch,
        check_depth,
        check_report_dir,
        liquidity_wei,
        raised_in,
        strategy_factory,
    )

    if not data.exists():
        raise UserInputError(f"--data {data}: no such file or directory")
    policy = DataPolicy.from_flags(on_duplicates, on_unsorted, on_gaps)
    if approve not in APPROVE_CHOICES:
        raise UserInputError(f"--approve {approve!r}: expected one of "
                             f"{', '.join(APPROVE_CHOICES)}")
    if latency_blocks < 0:
        raise UserInputError(f"--latency-blocks {latency_blocks}: a number of blocks, 0 or more")
    is_swaps = data.is_file() and data.suffix == ".jsonl"
    _check_flags(is_swaps, timeframe, on_gaps, segment)
    depth = liquidity_wei(liquidity)
    if report is not None:
        check_report_dir(report)
    watch = FailureWatch(strategy_file)
    watch.install()  # warnings to stderr; a component's failure noted (checked below)
    prof = load_profile(profile)
    # the profile's params for its own strategy are left out by the registry when another
    # strategy runs (claudedex.strategy.registry.own_params); risk and sizing params stay
    params: dict[str, Any] = dict(prof.strategy.params)
    for item in param or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--param {item!r}: expected KEY=VALUE")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    _check_runner_params(strategy, params, {i.partition("=")[0] for i in param or []})
    prof = prof.model_copy(
        update={"strategy": prof.strategy.model_copy(update={"name": strategy, "params": params})}
    )
    make = strategy_factory(strategy, params, strategy_file)  # its __init__ tried once
    series = None if is_swaps else load_candles(data, timeframe, policy)
    interval = float(series[0].timeframe_s) if series else None
    if series:
        check_depth(series, depth, liquidity)
        if lookahead_check:
            from claudedex.backtest.lookahead import check_lookahead

            check_lookahead(make, {s.pair: s.candles for s in series}, float(interval or 0),
                            user_code=strategy_file is not None)
    from claudedex.backtest.simvenue import SimConfig

    fee = prof.venues[0].fee_bps if prof.venues else 30
    # candles come from a CEX-style series: no gas, fill at the next open (no latency);
    # swaps replay a chain: gas at the recorded base fee (5 gwei before the first)
    venue = (SimConfig(fee_bps=fee, latency_blocks=0, gas_price_wei=0) if series
             else SimConfig(fee_bps=fee, latency_blocks=latency_blocks))
    bt = Backtest(prof, strategy_file, venue=venue, candle_interval_s=interval,
                  approve=approve)

    def events() -> Any:  # checked line by line as the replay reads them
        return swap_events(data, policy=policy, segment=segment)

    try:
        result = _run(bt, series, depth, events, strategy_file)
    except ReplayAborted as exc:  # the replay stopped at the failure: name whose it was
        watch.check()  # the supervisor saw it (a task): its log event says where
        cause = exc.__cause__  # the replay called the component itself: its traceback
        where = (None if strategy_file is None or cause is None
                 else raised_in(cause, strategy_file))
        if where is not None:
            raise UserInputError(f"strategy file {strategy_file} ({where}): {exc}") from None
        if strategy_file is not None and exc.component == "strategy":  # what it returned
            raise UserInputError(f"strategy file {strategy_file}: {exc}") from None
        raise
    watch.check()  # a component that raised: the figures are not the strategy's
    if strategy == "ai" and result.scores == 0:
        sys.stderr.write(
            f"warning: {data} holds no 'score' lines; the ai strategy trades only on recorded"
            " ML scores, so it made no trades\n"
        )
    result.repairs = dict(policy.repairs)
    from claudedex.heap import batch_collection

    with batch_collection():  # the replay's heap is large: no full pass per few hundred rows
        metrics = compute(result)
        if report is not None:
            from claudedex.backtest.report import write_report

            write_report(result, metrics, report)
    if json_out:
        sys.stdout.write(json.dumps(metrics, default=str, sort_keys=True) + "\n")
    else:
        for key, value in metrics.items():
            sys.stdout.write(f"{key:28} {value}\n")
    sys.stdout.flush()


def _check_flags(is_swaps: bool, timeframe: str | None, on_gaps: str,
                 segment: int | None) -> None:
    """A flag for the other kind of data is a mistake, not something to ignore."""
    from claudedex.errors import UserInputError

    if is_swaps and (timeframe is not None or on_gaps != "error"):
        raise UserInputError("--timeframe and --on-gaps apply to candle files, not to a swap"
                             " history (.jsonl)")
    if segment is not None and not is_swaps:
        raise UserInputError("--segment applies to a swap history (.jsonl), not to candles")
    if segment is not None and segment < 1:
        raise UserInputError(f"--segment {segment}: segments are numbered from 1")


def _run(bt: Any, series: Any, liquidity_wei: int, events: Any,
         strategy_file: Path | None) -> Any:
    """The replay, with a progress bar on a terminal. A strategy file that calls
    ``sys.exit`` mid-replay, or raises where the replay calls it directly (held ticks on
    the fast path), is one line, exit 2: before, exit 0 and nothing printed, or a
    traceback. An exception that did not pass through the file is a bug: it propagates."""
    from claudedex.errors import ClaudeDexError, UserInputError
    from cli.backtest_checks import one_line, raised_in

    try:
        return _replay(bt, series, liquidity_wei, events)
    except ClaudeDexError:
        raise
    except (Exception, SystemExit) as exc:
        where = None if strategy_file is None else raised_in(exc, strategy_file)
        if where is None:
            raise
        if isinstance(exc, SystemExit):
            raise UserInputError(f"strategy file {strategy_file} ({where}): sys.exit"
                                 f"({exc.code!r}) during the replay; a strategy returns "
                                 f"signals, it does not end the backtest") from None
        raise UserInputError(f"strategy file {strategy_file} ({where}) raised "
                             f"{type(exc).__name__}: {one_line(str(exc))}") from None


def _replay(bt: Any, series: Any, liquidity_wei: int, events: Any) -> Any:
    if not sys.stderr.isatty():  # no bar to draw: rich's Progress (3 ms to import) is not
        return _replay_with(bt, series, liquidity_wei, events, _no_progress)  # needed
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    total = sum(len(s.candles) for s in series) if series else None
    with Progress(
        TextColumn("backtest"),
        BarColumn(),
        TextColumn("{task.completed} records"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("replay", total=total)

        def tick(n: int) -> None:
            bar.update(task, completed=n)

        return _replay_with(bt, series, liquidity_wei, events, tick)


def _no_progress(_n: int) -> None:
    """The progress callback when stderr is not a terminal (no bar is shown)."""


def _replay_with(bt: Any, series: Any, liquidity_wei: int, events: Any,
                 tick: Callable[[int], None]) -> Any:
    """The replay of the swap history (``series`` None) or of the candle series."""
    if series is None:
        return bt.run_events(events(), progress=tick)
    return bt.run_candles(
        {s.pair: s.candles for s in series},
        float(series[0].timeframe_s),
        liquidity_wei,
        progress=tick,
    )


def _check_runner_params(strategy: str, params: dict[str, Any], overridden: set[str]) -> None:
    """The runner's keys and the operator's ``--param`` overrides, checked before anything is
    built (a strategy's own keys from the profile are its registry's business): one line,
    exit 2, on a bad value such as ``equity_quote=5 ETH``."""
    from pydantic import ValidationError

    from claudedex.config import _refusal
    from claudedex.strategy.params import RUNNER_KEYS, check_params

    checked = {k: v for k, v in params.items() if k in RUNNER_KEYS or k in overridden}
    try:
        check_params(strategy, checked)
    except ValidationError as exc:
        raise _refusal(exc, "--param", ("strategy", "params")) from None
