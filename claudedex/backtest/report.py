"""Write a backtest report directory: equity and drawdown PNGs, an HTML page, CSV and JSON.

Files: ``equity.png`` (strategy equity against buy-and-hold of the same money),
``drawdown.png``, ``report.html`` (the figures, the approvals and repairs counted, the
per-trade table, the plots), ``trades.csv`` (every fill, reverted ones too),
``round_trips.csv`` and ``metrics.json``. Why matplotlib imported lazily: it is heavy and
only this writer needs it.

Why staged: the files are written into a hidden directory beside (or inside) the target
and moved into place only when all of them were written, so a failure (a full disk, a
name already taken by a directory) leaves no half-written report that looks complete.
"""

from __future__ import annotations

import csv
import html
import json
import os
import secrets
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from claudedex.backtest.metrics import pair_array, trades
from claudedex.backtest.replay import BacktestResult
from claudedex.errors import UserInputError

WEI = Decimal(10**18)
PLOT_BUCKETS = 1000  # a 900-pixel-wide plot: each bucket keeps its first, low and high
REPORT_FILES = ("equity.png", "drawdown.png", "trades.csv", "round_trips.csv",
                "metrics.json", "report.html")
FILL_COLUMNS = ["ts", "block", "order", "token", "side", "amount_in", "amount_out",
                "min_amount_out", "gas_cost_wei", "fee_paid", "reverted", "detail"]


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def csv_text(value: str) -> str:
    """A text cell as text: a token's symbol comes from its contract (anyone's), and a
    cell starting ``=``, ``+``, ``-``, ``@`` or a tab is a formula to a spreadsheet, so it
    gets a leading ``'`` (OWASP's CSV-injection advice)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_trades_csv(result: BacktestResult, path: Path) -> None:
    """Every fill the venue settled, in base units."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(FILL_COLUMNS)
        for f in result.fills:
            w.writerow([f.ts, f.block, csv_text(f.order_id), csv_text(f.token), f.side.value,
                        f.amount_in, f.amount_out, f.min_out, f.gas_cost_wei, f.fee_paid,
                        f.reverted, csv_text(f.detail)])


def _dates(ts: Any) -> Any:
    """UTC instants (seconds) as numpy datetimes (matplotlib's date axis)."""
    import numpy as np

    return (np.asarray(ts, dtype=np.float64) * 1000).astype(np.int64).astype("datetime64[ms]")


def _envelope(n: int, values: Any, buckets: int = PLOT_BUCKETS) -> Any:
    """Indices of the points a plot needs: each bucket's first, lowest and highest point,
    in order (a line through them looks as the full series does at the plot's width);
    all ``n`` when there are few."""
    import numpy as np

    if n <= 4 * buckets:
        return np.arange(n)
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    low = np.minimum.reduceat(values, edges[:-1])
    high = np.maximum.reduceat(values, edges[:-1])
    keep: list[Any] = [edges[:-1], np.asarray([n - 1])]
    for target in (low, high):  # the first index in each bucket holding its extreme
        hit = np.flatnonzero(values == np.repeat(target, np.diff(edges)))
        keep.append(hit[np.unique(np.searchsorted(edges, hit, side="right") - 1,
                                  return_index=True)[1]])
    return np.unique(np.concatenate(keep))


def _plots(result: BacktestResult, out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    marks = pair_array(result.equity)
    stamps, eq = marks[:, 0], marks[:, 1] / 1e18
    start = float(Decimal(result.starting_cash) / WEI)
    fig, ax = plt.subplots(figsize=(10, 3.6))
    shown = _envelope(len(eq), eq)
    ax.plot(_dates(stamps[shown]), eq[shown], lw=1.2, label="strategy")
    if result.prices:
        pair, px = next(iter(result.prices.items()))
        if px and px[0][1] > 0:
            hold = pair_array(px)
            held = start * hold[:, 1] / px[0][1]
            at = _envelope(len(held), held)
            ax.plot(_dates(hold[at, 0]), held[at], lw=0.9, alpha=0.7,
                    label=f"buy and hold {result.symbols.get(pair, '') or pair[:10]}")
    ax.set_title("Equity (quote units)")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.savefig(out_dir / "equity.png", dpi=90, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)
    peak = np.maximum.accumulate(eq) if len(eq) else eq
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, (eq / peak - 1.0) * 100, 0.0)
    shown = _envelope(len(dd), dd)
    fig, ax = plt.subplots(figsize=(10, 2.6))
    ax.fill_between(_dates(stamps[shown]), dd[shown], 0, color="tab:red", alpha=0.4)
    ax.set_title("Drawdown (%)")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.savefig(out_dir / "drawdown.png", dpi=90, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                     for row in rows)
    return f"<table><tr>{head}</tr>\n{body}</table>"


def write_report(result: BacktestResult, metrics: dict[str, Any], out_dir: Path) -> Path:
    """Write the directory's :data:`REPORT_FILES` (others in it are left alone); returns the
    HTML page's path. All or nothing: raises UserInputError, with nothing of the report
    left behind, when the directory cannot be created or a file cannot be written."""
    made: list[Path] = []  # directories this call created, deepest last
    stage: Path | None = None
    try:
        if out_dir.is_dir():
            taken = [n for n in REPORT_FILES if (out_dir / n).is_dir()]
            if taken:
                raise UserInputError(f"--report {out_dir}: {taken[0]} there is a directory")
            stage = _stage_dir(out_dir, ".report")
        else:
            for parent in reversed(out_dir.parents):
                if not parent.exists():
                    parent.mkdir()
                    made.append(parent)
            stage = _stage_dir(out_dir.parent, f".{out_dir.name}")
        _write_all(result, metrics, stage)
        if out_dir.is_dir():
            for name in REPORT_FILES:
                os.replace(stage / name, out_dir / name)
            stage.rmdir()
        else:
            stage.rename(out_dir)
        stage = None
    except OSError as exc:
        raise UserInputError(f"--report {out_dir}: cannot write the report "
                             f"({exc.strerror or exc})") from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
            for parent in reversed(made):
                try:
                    parent.rmdir()
                except OSError:
                    break
    return out_dir / "report.html"


def _stage_dir(parent: Path, prefix: str) -> Path:
    """A new hidden directory in ``parent`` (mode from the umask, as ``mkdir`` makes it)."""
    stage = parent / f"{prefix}-{secrets.token_hex(4)}.partial"
    stage.mkdir()
    return stage


def _write_all(result: BacktestResult, metrics: dict[str, Any], out_dir: Path) -> None:
    """Every file of the report into ``out_dir`` (an empty directory)."""
    _plots(result, out_dir)
    write_trades_csv(result, out_dir / "trades.csv")
    round_trips = [[csv_text(t.symbol or t.token), _when(t.entry_ts), _when(t.exit_ts),
                    Decimal(t.cost_quote) / WEI, Decimal(t.proceeds_quote) / WEI,
                    Decimal(t.pnl_quote) / WEI, f"{t.return_pct:.2f}"]
                   for t in trades(result)]
    headers = ["token", "entry (UTC)", "exit (UTC)", "cost (quote, gas incl.)",
               "proceeds (quote)", "P&L (quote)", "return %"]
    with (out_dir / "round_trips.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(round_trips)
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2, default=str) + "\n", "utf-8")
    flat = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    summary = _table(["figure", "value"], [[k, v] for k, v in flat.items()])
    approvals = _table(["decision", "count"], [[k, v] for k, v in
                                               metrics.get("approvals", {}).items()])
    repairs = _table(["repair", "count"], [[k, v] for k, v in
                                           metrics.get("repairs", {}).items()])
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>ClaudeDex backtest</title>"
        "<style>body{font-family:sans-serif;margin:2em}"
        "td,th{padding:2px 10px;text-align:left}</style></head><body>"
        f"<h1>Backtest report</h1>{summary}"
        "<p>Sharpe, Sortino and Calmar: daily UTC equity, simple returns, sqrt(365), rf = 0."
        "</p>"
        f"<h2>Equity</h2><img alt='equity curve' src='equity.png'>"
        f"<h2>Drawdown</h2><img alt='drawdown' src='drawdown.png'>"
        f"<h2>Approvals</h2>{approvals}<h2>Data repairs</h2>{repairs}"
        f"<h2>Round trips ({len(round_trips)})</h2>{_table(headers, round_trips)}"
        "<p>Every fill: <a href='trades.csv'>trades.csv</a></p></body></html>\n"
    )
    (out_dir / "report.html").write_text(page, "utf-8")
