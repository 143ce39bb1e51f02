"""Red-team findings on the newer CLI surfaces: each was a silent success or a traceback;
now one line on stderr, exit 2, and nothing written."""

from __future__ import annotations

from pathlib import Path

from tests.unit.backtest.test_candle_validation import rows, write_json
from tests.unit.core.cli_run import claudedex


def test_orders_id_of_no_order_is_one_line_not_an_empty_success(_isolated_home: Path) -> None:
    # before: exit 0 and no output, as if the order had no history
    claudedex("orders", "--id", "no-such-order").one_line(2, "no-such-order", "no such order")


def test_search_best_out_in_a_missing_directory_is_refused_before_the_trials(
        tmp_path: Path) -> None:
    # before: every trial ran, then write_text raised FileNotFoundError (a traceback)
    data = write_json(tmp_path / "ETH_USDT-5m.json", rows(400))
    target = tmp_path / "no-such-dir" / "best.toml"
    out = claudedex("backtest", "--data", str(data), "--strategy", "momentum", "--approve",
                    "all", "--search", "ema_slow=12:20", "--trials", "1", "--jobs", "1",
                    "--best-out", str(target))
    out.one_line(2, "--best-out", "existing directory")
    assert out.stdout == "" and not target.parent.exists()  # no trials table: none ran
