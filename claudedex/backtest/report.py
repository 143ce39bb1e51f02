"""Write a backtest report directory: HTML with equity and drawdown plots, trades CSV.

Why matplotlib imported lazily: it is heavy and only this writer needs it. The HTML holds
the figures as inline PNGs so the directory is self-contained.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from claudedex.backtest.replay import BacktestResult
from claudedex.errors import UserInputError


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def write_trades_csv(result: BacktestResult, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "ts",
                "block",
                "proposal",
                "token",
                "side",
                "amount_in",
                "amount_out",
                "min_amount_out",
                "gas_cost_wei",
                "reverted",
                "strategy",
                "reason",
            ]
        )
        for f in result.fills:
            p = f.proposal
            w.writerow(
                [
                    f.ts,
                    f.block,
                    p.id,
                    p.token,
                    p.side.value,
                    f.amount_in,
                    f.amount_out,
                    p.min_amount_out,
                    f.gas_cost_wei,
                    f.reverted,
                    p.strategy,
                    p.reason,
                ]
            )


def write_report(result: BacktestResult, metrics: dict[str, Any], out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserInputError(
            f"--report {out_dir}: cannot create directory ({exc.strerror})"
        ) from None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ts = [t for t, _ in result.equity]
    eq = [float(Decimal(v) / Decimal(10**18)) for _, v in result.equity]
    peak, dd = 0.0, []
    for v in eq:
        peak = max(peak, v)
        dd.append((v / peak - 1.0) * 100 if peak > 0 else 0.0)
    fig, ax = plt.subplots(figsize=(9, 3.2))
    ax.plot(ts, eq, lw=1.2)
    ax.set_title("Equity (quote)")
    ax.set_xlabel("time (s)")
    equity_png = _png(fig)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(9, 2.4))
    ax.fill_between(ts, dd, 0, color="tab:red", alpha=0.4)
    ax.set_title("Drawdown (%)")
    drawdown_png = _png(fig)
    plt.close(fig)
    write_trades_csv(result, out_dir / "trades.csv")
    (out_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2, default=str) + "\n", "utf-8"
    )
    rows = "\n".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in metrics.items()
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>ClaudeDex backtest</title>"
        "<style>body{font-family:sans-serif;margin:2em}"
        "td,th{padding:2px 10px;text-align:left}</style>"
        f"</head><body><h1>Backtest report</h1><table>{rows}</table>"
        f"<h2>Equity</h2><img alt='equity curve' src='data:image/png;base64,{equity_png}'>"
        f"<h2>Drawdown</h2><img alt='drawdown' src='data:image/png;base64,{drawdown_png}'>"
        "<p>Trades: <a href='trades.csv'>trades.csv</a></p></body></html>\n"
    )
    path = out_dir / "report.html"
    path.write_text(page, "utf-8")
    return path
