"""`claudedex trade` counts against the same persisted daily cap as the console.

Before, the headless path built its guard with the in-memory window: every CLI run started
a fresh day, and its spending never reached ``spend.json``, so the console could then spend
the full daily cap on top.
"""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from tests.integration.execution.test_cli_trade import write_manifest

pytestmark = pytest.mark.anvil


def test_cli_trade_respects_and_records_the_persisted_daily_cap(chain) -> None:
    from claudedex.paths import data_dir
    from claudedex.wallet.spend_store import JsonSpendStore
    from cli.main import app

    account = next(chain.accounts)
    write_manifest(chain, account)
    window = data_dir("devnet") / "spend.json"
    runner = CliRunner()
    res = runner.invoke(app, ["trade", "buy", "--token", chain.plain, "--amount", "0.01",
                                       "--override", "risky"])
    assert res.exit_code == 0, res.output
    assert [v for _, v in JsonSpendStore(window).load()] == [10**16]  # the console sees it

    # the console already spent all but 0.005 of today's 5 ETH cap
    window.write_text(json.dumps([[time.time(), str(5 * 10**18 - 5 * 10**15)]]))
    res = runner.invoke(app, ["trade", "buy", "--token", chain.plain, "--amount", "0.01",
                                       "--override", "risky"])
    assert "daily cap" in res.output
    assert chain.w3.eth.get_transaction_count(account.address) == 1
