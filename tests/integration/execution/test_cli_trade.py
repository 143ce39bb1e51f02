"""`claudedex trade` / `orders` against a devnet manifest: the same execution path."""

from __future__ import annotations

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
    ).write(data_dir("devnet"))


def test_trade_buy_sell_orders_and_halt(chain) -> None:
    from claudedex.devnet.uniswap import erc20_contract
    from cli.main import app

    account = next(chain.accounts)
    write_manifest(chain, account)
    runner = CliRunner()
    res = runner.invoke(app, ["trade", "buy", "--token", chain.plain, "--amount", "0.01"])
    assert res.exit_code == 0, res.output
    assert "filled" in res.output and "signed" in res.output
    token = erc20_contract(chain.w3, chain.plain)
    assert token.functions.balanceOf(account.address).call() > 0
    res = runner.invoke(app, ["trade", "sell", "--token", chain.plain, "--amount", "all"])
    assert res.exit_code == 0, res.output
    assert token.functions.balanceOf(account.address).call() == 0
    res = runner.invoke(app, ["orders", "--json"])
    assert res.exit_code == 0 and res.output.count('"filled"') == 3  # buy, approve, sell
    runner.invoke(app, ["halt", "--reason", "drill"])
    res = runner.invoke(app, ["trade", "buy", "--token", chain.plain, "--amount", "0.01"])
    assert res.exit_code != 0
    assert chain.w3.eth.get_transaction_count(account.address) == 3


def test_trade_rejects_bad_input(chain) -> None:
    from claudedex.errors import UserInputError
    from cli.main import app

    write_manifest(chain, next(chain.accounts))
    res = CliRunner().invoke(app, ["trade", "buy", "--token", "0x12", "--amount", "1"])
    assert isinstance(res.exception, UserInputError)
    res = CliRunner().invoke(app, ["trade", "buy", "--token", chain.plain, "--amount", "-1"])
    assert isinstance(res.exception, UserInputError)
