"""AnvilProcess: starts on a free port, hands out funded keys, stops without orphans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from eth_account import Account

from claudedex.devnet.anvil import AnvilProcess, anvil_binary, rpc_answers
from claudedex.devnet.testing import connect
from claudedex.errors import DevnetError

pytestmark = pytest.mark.anvil


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); read its state
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_start_answers_and_stop_leaves_no_process(tmp_path: Path) -> None:
    with AnvilProcess(accounts=12, data_dir=tmp_path) as anvil:
        pid = anvil.pid
        assert pid is not None
        w3 = connect(anvil.rpc_url)
        assert w3.eth.chain_id == 31337
        assert len(anvil.accounts) == 12
        for acct in anvil.accounts:
            assert Account.from_key(acct.private_key).address == acct.address
            assert w3.eth.get_balance(acct.address) == 10_000 * 10**18
        assert anvil.accounts[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        assert anvil.ws_url == anvil.rpc_url.replace("http://", "ws://")
        url = anvil.rpc_url
    assert not _alive(pid)
    assert not rpc_answers(url)
    assert (tmp_path / "anvil.log").exists()


def test_block_time_mode_mines_without_transactions(tmp_path: Path) -> None:
    with AnvilProcess(block_time=1, data_dir=tmp_path) as anvil:
        w3 = connect(anvil.rpc_url)
        start = w3.eth.block_number
        # wait (bounded) for anvil's interval miner; this is behaviour, not a timing assert
        import time

        for _ in range(60):
            if w3.eth.block_number > start:
                break
            time.sleep(0.1)
        assert w3.eth.block_number > start


def test_missing_binary_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLAUDEDEX_ANVIL", str(tmp_path / "nope" / "anvil"))
    with pytest.raises(DevnetError, match="npm ci"):
        anvil_binary()
    with pytest.raises(DevnetError, match="npm ci"):
        AnvilProcess(data_dir=tmp_path).start()


async def test_ws_url_serves_json_rpc(tmp_path: Path) -> None:
    from web3 import AsyncWeb3, WebSocketProvider

    with AnvilProcess(data_dir=tmp_path) as anvil:
        w3 = await AsyncWeb3(WebSocketProvider(anvil.ws_url))
        try:
            assert await w3.eth.chain_id == 31337
        finally:
            await w3.provider.disconnect()


def test_port_in_use_is_a_devnet_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(DevnetError, match="in use"):
            AnvilProcess(port=port, data_dir=tmp_path).start()
