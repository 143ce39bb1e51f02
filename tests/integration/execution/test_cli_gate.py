"""`claudedex trade` goes through the kernel's gate on every path.

- A scam is refused (exit 1, nothing signed, an audit row); a never-judged token is judged
  first; a CLI fill is a position in an engine started afterwards, with its exits armed.
- 24 concurrent `claudedex trade buy` processes on one profile, with no engine running
  (one takes the writer lock and serves the rest) and with one running: every order
  reported filled has its own transaction, the account's transaction count equals the
  journal's filled orders, and no order ends in a state its history does not allow.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from pathlib import Path

import pytest
from eth_account import Account

from tests.integration.execution.test_cli_trade import trade, write_manifest

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
CONCURRENT = 24
ROOT = str(Path(__file__).resolve().parents[3])


def honeypot(chain) -> str:
    from claudedex.devnet.zoo import deploy_family, launch

    owner = Account.from_key(chain.anvil.accounts[1].private_key)
    token = deploy_family(chain.w3, "honeypot", owner, name="Honey", symbol="HNY",
                          supply=10**24, rng=random.Random(5), deployment=chain.deployment)
    launch(chain.w3, token, chain.deployment.venues["uniswap"].router,
           token_amount=5 * 10**23, eth_amount=5 * 10**18)
    return str(token.address)


async def audit_rows(action: str) -> list[dict]:
    from claudedex.paths import data_dir
    from claudedex.security.audit import AuditLog
    from claudedex.storage.database import Database

    db = Database(f"sqlite+aiosqlite:///{data_dir('devnet') / 'claudedex.db'}")
    await db.open()
    try:
        entries = await AuditLog(db).entries()
        return [dict(e.detail) for e in entries if e.action == action]
    finally:
        await db.close()


def test_scam_refused_unjudged_judged_and_fill_becomes_position(chain) -> None:
    account = next(chain.accounts)
    write_manifest(chain, account)
    scam = honeypot(chain)
    res = trade("buy", "--token", scam, "--amount", "0.01", "--override", "risky")
    assert res.exit_code == 1, res.output
    assert "scam" in str(res.exception) or "scam" in res.output
    assert chain.w3.eth.get_transaction_count(account.address) == 0  # nothing signed
    refused = asyncio.run(audit_rows("trade_refused"))
    assert refused and refused[-1]["token"].lower() == scam.lower()
    assert refused[-1]["verdict"] == "scam"

    # never judged before this command: judged now (a report is stored), then bought
    res = trade("buy", "--token", chain.plain, "--amount", "0.02", "--override", "risky")
    assert res.exit_code == 0, res.output
    bought = json.loads(res.output.strip().splitlines()[-1])
    requested = asyncio.run(audit_rows("trade_requested"))
    assert requested[-1]["verdict"] in ("safe", "risky")

    async def position_after_restart() -> None:
        from claudedex.config import load_profile
        from claudedex.engine import Engine
        from claudedex.kernel import BuildOptions
        from claudedex.paths import data_dir

        engine = Engine(load_profile("devnet"), data_dir=data_dir("devnet"),
                        options=BuildOptions(feeds=False, start_devnet=False))
        await engine.start()
        try:
            assert engine.kernel is not None
            book = engine.kernel.portfolio.core.book
            position = book.positions[chain.plain.lower()]
            assert position.amount == int(bought["amount_out"])
            exits = engine.kernel.portfolio.core.rules
            assert exits.stop_loss_pct > 0  # the profile's stop-loss watches it
        finally:
            await engine.stop()

    asyncio.run(position_after_restart())


def _spawn_buys(chain, n: int) -> list[tuple[int, dict | None, str]]:
    """Start ``n`` `claudedex trade buy` processes at once; (exit code, result, stderr)."""

    async def one() -> tuple[int, dict | None, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cli.main", "trade", "buy", "--token", chain.plain,
            "--amount", "0.001", "--override", "risky", "--json",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=dict(os.environ), cwd=ROOT)
        out, err = await proc.communicate()
        lines = out.decode().strip().splitlines()
        result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None
        return proc.returncode or 0, result, err.decode()[-2000:]

    async def all_of_them() -> list[tuple[int, dict | None, str]]:
        return list(await asyncio.gather(*(one() for _ in range(n))))

    return asyncio.run(all_of_them())


def _check_invariants(chain, account, runs) -> None:
    from claudedex.execution.states import ALLOWED, OrderState

    filled = [r for code, r, _ in runs if code == 0 and r and r["state"] == "filled"]
    for code, _result, err in runs:
        assert code in (0, 1), err  # never a traceback or a lock it could not get
    hashes = [r["tx_hash"] for r in filled]
    assert len(set(hashes)) == len(hashes) == len(filled)
    for h in hashes:
        receipt = chain.w3.eth.get_transaction_receipt(h)
        assert receipt["status"] == 1 and receipt["from"] == account.address

    def journal() -> dict[str, list[str]]:
        import sqlite3

        from claudedex.paths import data_dir

        con = sqlite3.connect(data_dir("devnet") / "claudedex.db")
        try:
            rows = con.execute("SELECT order_id, state FROM order_events ORDER BY id").fetchall()
        finally:
            con.close()
        out: dict[str, list[str]] = {}
        for order_id, state in rows:
            out.setdefault(order_id, []).append(state)
        return out

    histories = journal()
    journal_filled = [i for i, h in histories.items() if h[-1] == "filled"]
    assert len(journal_filled) == chain.w3.eth.get_transaction_count(account.address)
    for order_id, states in histories.items():
        for a, b in zip(states, states[1:], strict=False):
            assert OrderState(b) in ALLOWED[OrderState(a)], (order_id, states)
        assert states.count("filled") <= 1, (order_id, states)


def test_concurrent_cli_buys_without_an_engine(chain) -> None:
    account = next(chain.accounts)
    write_manifest(chain, account)
    runs = _spawn_buys(chain, CONCURRENT)
    _check_invariants(chain, account, runs)
    assert sum(1 for code, r, _ in runs if code == 0) >= CONCURRENT // 2


def test_concurrent_cli_buys_with_an_engine_running(chain) -> None:
    account = next(chain.accounts)
    write_manifest(chain, account)

    async def scenario() -> list[tuple[int, dict | None, str]]:
        from claudedex.config import load_profile
        from claudedex.engine import Engine
        from claudedex.kernel import BuildOptions
        from claudedex.paths import data_dir

        engine = Engine(load_profile("devnet"), data_dir=data_dir("devnet"),
                        options=BuildOptions(feeds=False, start_devnet=False))
        await engine.start()
        try:
            return await asyncio.to_thread(_spawn_buys, chain, CONCURRENT)
        finally:
            await engine.stop()

    runs = asyncio.run(scenario())
    _check_invariants(chain, account, runs)
    assert all(code == 0 for code, _, _ in runs), [(r, e) for c, r, e in runs if c][:2]
