"""`claudedex backtest`: replay history through the live strategy, risk and portfolio code."""

from __future__ import annotations

import json
import sys
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
        float, typer.Option("--liquidity", help="candles: virtual pool depth in quote units")
    ] = 1000.0,
) -> None:
    """Replay recorded swaps (JSONL) or OHLCV candles; deterministic for the same inputs.

    ML scores come from the history's recorded 'score' lines (what the live scorer
    published), never from re-scoring: features need chain state a replay lacks.
    """
    from claudedex.backtest.data import load_candles, swap_events
    from claudedex.backtest.metrics import compute
    from claudedex.backtest.replay import Backtest
    from claudedex.config import load_profile
    from claudedex.errors import UserInputError

    if not data.exists():
        raise UserInputError(f"--data {data}: no such file or directory")
    prof = load_profile(profile)
    params: dict[str, Any] = dict(prof.strategy.params)
    if strategy != prof.strategy.name:
        from claudedex.strategy.registry import BUILTIN

        # The profile's params for its own strategy (e.g. momentum's ema_fast) would be
        # refused as unknown by another one; risk and sizing params stay.
        old, new = BUILTIN.get(prof.strategy.name), BUILTIN.get(strategy)
        if old is not None and new is not None:
            params = {k: v for k, v in params.items()
                      if k not in old.defaults or k in new.defaults}
    for item in param or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--param {item!r}: expected KEY=VALUE")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    prof = prof.model_copy(
        update={"strategy": prof.strategy.model_copy(update={"name": strategy, "params": params})}
    )
    is_swaps = data.is_file() and data.suffix == ".jsonl"
    series = None if is_swaps else load_candles(data)
    interval = float(series[0].timeframe_s) if series else None
    from claudedex.backtest.venue import VenueConfig

    fee = prof.venues[0].fee_bps if prof.venues else 30
    # candles come from a CEX-style series: no gas; swaps replay a chain: gas at 5 gwei
    venue = VenueConfig(fee_bps=fee, gas_price_wei=0 if series else 5 * 10**9)
    bt = Backtest(prof, strategy_file, venue=venue, candle_interval_s=interval)
    result = _run(bt, data, series, liquidity, swap_events)
    if strategy == "ai" and result.scores == 0:
        sys.stderr.write(
            f"warning: {data} holds no 'score' lines; the ai strategy trades only on recorded"
            " ML scores, so it made no trades\n"
        )
    metrics = compute(result)
    if report is not None:
        from claudedex.backtest.report import write_report

        write_report(result, metrics, report)
    if json_out:
        sys.stdout.write(json.dumps(metrics, default=str, sort_keys=True) + "\n")
    else:
        for key, value in metrics.items():
            sys.stdout.write(f"{key:28} {value}\n")


def _run(bt: Any, data: Path, series: Any, liquidity: float, swap_events: Any) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    total = sum(len(s.candles) for s in series) if series else None
    with Progress(
        TextColumn("backtest"),
        BarColumn(),
        TextColumn("{task.completed} records"),
        console=Console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("replay", total=total)

        def tick(n: int) -> None:
            bar.update(task, completed=n)

        if series is None:
            return bt.run_events(swap_events(data), progress=tick)
        return bt.run_candles(
            {s.pair: s.candles for s in series},
            float(series[0].timeframe_s),
            int(liquidity * 10**18),
            progress=tick,
        )
