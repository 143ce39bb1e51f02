"""`claudedex trade` / `orders`: the kernel's gate from the command line (no engine running:
the command takes the profile's writer lock and builds the kernel itself)."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.anvil


def write_manifest(chain, account) -> None:
    from claudedex.devnet.manifest import DevnetManifest
    from claudedex.paths import data_dir

    DevnetManifest(
        rpc_url=chain.rpc_url, ws_url="", chain_id=31337, weth=chain.deployment.weth,
        venues={n: {"factory": v.factory, "router": v.router}
                for n, v in chain.deployment.venues.items()},
        accounts=[{"address": account.address, "private_key": account.key.hex()}], labels="",
        pid=os.getpid(),  # "anvil is alive": the test's chain lives as long as this process
    ).write(data_dir("devnet"))


def trade(*args: str):
    from cli.main import app

    return CliRunner().invoke(app, ["trade", *args, "--json"])


def test_trade_buy_sell_orders_and_halt(chain) -> None:
    from claudedex.devnet.uniswap import erc20_contract
    from cli.main import app

    account = next(chain.accounts)
    write_manifest(chain, account)
    res = trade("buy", "--token", chain.plain, "--amount", "0.01", "--override", "risky")
    assert res.exit_code == 0, res.output
    result = json.loads(res.output.strip().splitlines()[-1])
    assert result["state"] == "filled" and int(result["amount_out"]) > 0
    token = erc20_contract(chain.w3, chain.plain)
    assert token.functions.balanceOf(account.address).call() == int(result["amount_out"])
    res = trade("sell", "--token", chain.plain, "--amount", "all")
    assert res.exit_code == 0, res.output
    assert token.functions.balanceOf(account.address).call() == 0
    res = CliRunner().invoke(app, ["orders", "--json"])
    assert res.exit_code == 0 and res.output.count('"filled"') == 3  # buy, approve, sell
    CliRunner().invoke(app, ["halt", "--reason", "drill"])
    res = trade("buy", "--token", chain.plain, "--amount", "0.01", "--override", "risky")
    assert res.exit_code == 1
    assert chain.w3.eth.get_transaction_count(account.address) == 3


def test_trade_rejects_bad_input(chain) -> None:
    from claudedex.errors import UserInputError

    write_manifest(chain, next(chain.accounts))
    for args in (["--token", "0x12", "--amount", "1"],
                 ["--token", chain.plain, "--amount", "-1"],
                 ["--token", chain.plain, "--amount", "NaN"],
                 ["--token", chain.plain, "--amount", "Infinity"],
                 ["--token", chain.plain, "--amount", "1", "--override", "scam"],
                 ["--token", chain.plain, "--amount", "1", "--slippage-bps", "10000"]):
        res = trade("buy", *args)
        assert isinstance(res.exception, UserInputError), (args, res.output)


def test_dry_run_quotes_without_recovery_or_sending(chain) -> None:
    """`--dry-run` builds no execution component: no crash recovery that could re-send a
    journaled transaction, nothing signed, nothing journaled."""
    import sqlite3

    from claudedex.paths import data_dir

    account = next(chain.accounts)
    write_manifest(chain, account)
    res = trade("buy", "--token", chain.plain, "--amount", "0.01", "--override", "risky",
                "--dry-run")
    assert res.exit_code == 0, res.output
    result = json.loads(res.output.strip().splitlines()[-1])
    assert result["state"] == "simulated" and int(result["amount_out"]) > 0
    assert chain.w3.eth.get_transaction_count(account.address) == 0
    con = sqlite3.connect(data_dir("devnet") / "claudedex.db")
    try:
        assert con.execute("SELECT COUNT(*) FROM order_events").fetchone()[0] == 0
    finally:
        con.close()


def test_selling_more_than_is_held_is_bad_input_and_nothing_is_sent(chain) -> None:
    """Red team: a sell of more than the wallet held came back as a failed order (exit 1;
    HTTP 200 with state "failed" from the API), its approval refused by the signer. It is
    the operator's input: refused naming what is held, before anything is signed."""
    from claudedex.errors import UserInputError

    account = next(chain.accounts)
    write_manifest(chain, account)
    bought = trade("buy", "--token", chain.plain, "--amount", "0.01", "--override", "risky")
    assert bought.exit_code == 0, bought.output
    held = int(json.loads(bought.output.strip().splitlines()[-1])["amount_out"])
    nonce = chain.w3.eth.get_transaction_count(account.address)
    res = trade("sell", "--token", chain.plain, "--amount", str(held * 2))  # whole tokens
    assert isinstance(res.exception, UserInputError), res.output
    assert "held" in str(res.exception)
    assert chain.w3.eth.get_transaction_count(account.address) == nonce  # nothing signed
