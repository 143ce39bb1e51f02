"""The market simulator on a real anvil: launches, trades, truth file, free accounts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from claudedex.devnet.accounts import TOTAL_ACCOUNTS, plan_accounts
from claudedex.devnet.labels import read_labels
from claudedex.devnet.market import MarketConfig, MarketSimulator
from claudedex.devnet.sim import build_market
from claudedex.devnet.testing import start_devnet_chain
from claudedex.devnet.tokens import PlainErc20Source, TokenSource, default_source

pytestmark = pytest.mark.anvil


def _run(seed: int, ticks: int, data_dir: Path, source: TokenSource) -> tuple[
    MarketSimulator, list[dict[str, object]], list[int]
]:
    anvil, w3, deployment = start_devnet_chain(accounts=TOTAL_ACCOUNTS, data_dir=data_dir)
    try:
        market = build_market(
            w3, deployment, anvil.accounts, data_dir,
            MarketConfig(seed=seed, launch_rate_per_min=Decimal(30), tick_s=1.0),
            source,
        )  # fmt: skip
        for _ in range(ticks):
            market.tick()
        free_nonces = [
            w3.eth.get_transaction_count(a.address) for a in plan_accounts(anvil.accounts).free
        ]
        return market, read_labels(data_dir / "labels.jsonl"), free_nonces
    finally:
        anvil.stop()


def _launches(labels: list[dict[str, object]]) -> list[tuple[object, ...]]:
    keys = ("index", "family", "name", "symbol", "venue", "launch_tick", "token", "supply")
    return [tuple(r[k] for k in keys) for r in labels if r["event"] == "launch"]


def test_market_launches_trades_and_records_truth(tmp_path: Path) -> None:
    market, labels, free_nonces = _run(11, 12, tmp_path, PlainErc20Source())
    launches = [r for r in labels if r["event"] == "launch"]
    assert labels[0]["event"] == "devnet"
    assert len(launches) == market.stats.launches >= 2
    assert market.stats.swaps_ok > 0
    assert all(n == 0 for n in free_nonces)  # the simulator never touches handed-out keys
    for rec in launches:
        assert rec["family"] == "plain_erc20" and rec["scam"] is False
        pairs = market.book.by_tokens([str(rec["token"])])
        assert len(pairs) == 1 and pairs[0]["pairAddress"] == rec["pair"]
        assert Decimal(pairs[0]["priceNative"]) > 0
    assert len(market.feed) >= len(launches)


def test_same_seed_same_launches(tmp_path: Path) -> None:
    _, a, _ = _run(5, 10, tmp_path / "a", PlainErc20Source())
    _, b, _ = _run(5, 10, tmp_path / "b", PlainErc20Source())
    _, c, _ = _run(6, 4, tmp_path / "c", PlainErc20Source())
    assert _launches(a) == _launches(b)
    assert len(_launches(a)) >= 2
    assert [x[1:5] for x in _launches(a)][:2] != [x[1:5] for x in _launches(c)][:2]


def test_zoo_market_fires_scams_and_labels_them(tmp_path: Path) -> None:
    source = default_source()
    market, labels, free_nonces = _run(3, 25, tmp_path, source)
    launches = [r for r in labels if r["event"] == "launch"]
    families = {str(r["family"]) for r in launches}
    assert families <= set(source.families())
    assert any(r["scam"] for r in launches) and any(not r["scam"] for r in launches)
    fired = [r for r in labels if r["event"] == "scam_fired"]
    assert market.stats.scams_fired == len(fired)
    for rec in fired:
        launch = next(r for r in launches if r["token"] == rec["token"])
        assert launch["scam"] is True
        assert rec["block"] >= rec["due_block"]
    assert all(n == 0 for n in free_nonces)


def test_same_seed_same_zoo_launches(tmp_path: Path) -> None:
    source = default_source()
    _, a, _ = _run(8, 12, tmp_path / "a", source)
    _, b, _ = _run(8, 12, tmp_path / "b", default_source())
    assert len(_launches(a)) >= 3
    assert _launches(a) == _launches(b)
    fired_a = [(r["token"], r["kind"], r["due_block"]) for r in a if r["event"] == "scam_fired"]
    fired_b = [(r["token"], r["kind"], r["due_block"]) for r in b if r["event"] == "scam_fired"]
    assert fired_a == fired_b
