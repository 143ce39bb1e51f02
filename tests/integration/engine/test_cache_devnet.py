"""A devnet engine with Redis as its cache's second level: re-judging a token is answered
from Redis (L2 hits on /metrics), and with Redis stopped mid-run it keeps judging and
trading on L1 alone."""

from __future__ import annotations

import asyncio
import socket
import urllib.request
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from redis.asyncio import Redis

from claudedex.apis.testing.redis_process import RedisProcess
from claudedex.apis.testing.servers import ApiData, ApiServer
from claudedex.bus import Subscription
from claudedex.config import Profile, load_profile
from claudedex.domain import RiskReport, Side, TradeProposal, Verdict
from claudedex.engine import Engine
from claudedex.events import OrderFilled, OrderUpdated, RiskAssessed, TradeProposed

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
REDIS_ENV = "CLAUDEDEX_TEST_CACHE_REDIS_URL"
SNIFFER_KEY_ENV = "CLAUDEDEX_TEST_SNIFFER_KEY"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    root = tmp_path / "redis"
    root.mkdir()
    try:
        server = RedisProcess(root)
    except FileNotFoundError as exc:
        pytest.fail(f"{exc} (scripts/ensure_services.sh)", pytrace=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def cached_profile(api_url: str, metrics_port: int) -> Profile:
    profile = load_profile("devnet")
    assert profile.devnet is not None
    return profile.model_copy(update={
        "devnet": profile.devnet.model_copy(update={"launch_rate_per_min": Decimal(30),
                                                    "seed": 3}),
        "limits": profile.limits.model_copy(update={"max_slippage_bps": 2500}),
        # L1 off: every repeat lookup must come from Redis (what a second process sees)
        "storage": profile.storage.model_copy(update={"redis_url_env": REDIS_ENV,
                                                      "cache_l1_ttl_s": 0}),
        "apis": profile.apis.model_copy(update={"goplus_url": api_url,
                                                "tokensniffer_url": api_url,
                                                "tokensniffer_api_key_env": SNIFFER_KEY_ENV}),
        "observability": profile.observability.model_copy(update={"metrics_port":
                                                                  metrics_port})})


async def scrape(port: int) -> dict[str, float]:
    def get() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            return str(r.read().decode())

    samples: dict[str, float] = {}
    for line in (await asyncio.to_thread(get)).splitlines():
        if line.startswith("claudedex_cache"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


async def buy_fills(engine: Engine, report: RiskReport, events: Subscription) -> OrderFilled:
    """Propose, approve and wait: a few tries (snipers may push a fill past its bound)."""
    for _attempt in range(4):
        proposal = TradeProposal(
            id=uuid.uuid4().hex, token=report.token, pair=report.pair, venue="",
            side=Side.BUY, amount_in=10**16, min_amount_out=1, quote_value=Decimal("0.01"),
            slippage_bps=2500, verdict=Verdict.SAFE, symbol="T", strategy="test")
        await engine.bus.publish(TradeProposed(proposal=proposal))
        async with asyncio.timeout(10):
            while not engine.pending_proposals():  # noqa: ASYNC110 - queue fills async
                await asyncio.sleep(0.05)
        await engine.approve(proposal.id)
        async with asyncio.timeout(60):
            while True:
                ev = await events.get()
                if isinstance(ev, OrderUpdated) and ev.order_id.endswith(proposal.id) and (
                        ev.state == "failed"):
                    break
                if isinstance(ev, OrderFilled) and ev.order_id.endswith(proposal.id):
                    return ev
    raise AssertionError("no order filled in four attempts")


async def test_l2_hits_then_trading_goes_on_without_redis(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_process: RedisProcess) -> None:
    monkeypatch.setenv(REDIS_ENV, redis_process.url)
    monkeypatch.setenv(SNIFFER_KEY_ENV, "sniff-key")
    port = free_port()
    async with ApiServer(ApiData(tokensniffer_key="sniff-key")) as api:
        engine = Engine(cached_profile(api.url, port), data_dir=tmp_path / "devnet",
                        serve_control=False)
        events = engine.events([RiskAssessed.topic, OrderFilled.topic, OrderUpdated.topic],
                               name="test")
        await engine.start()
        try:
            assert engine.kernel is not None
            async with asyncio.timeout(150):
                while True:
                    ev = await events.get()
                    if (isinstance(ev, RiskAssessed) and ev.report.verdict is Verdict.SAFE
                            and (ev.report.liquidity_quote or 0) > 10**18):
                        report = ev.report
                        break
            safety = engine.kernel.safety
            info = safety.pairs[report.token.lower()]
            client = Redis.from_url(redis_process.url)
            try:
                stored = await client.keys("claudedex:*")
            finally:
                await client.aclose()
            assert any(b":goplus:" in k for k in stored), stored
            assert any(b":meta:" in k for k in stored), stored
            before = await scrape(port)
            again = await safety.assess_pair(info, reason="test")
            assert again is not None
            after = await scrape(port)
            assert after['claudedex_cache_hits_total{level="l2"}'] > before.get(
                'claudedex_cache_hits_total{level="l2"}', 0)
            assert after["claudedex_cache_l2_up"] == 1.0
            assert api.data.queries, "TokenSniffer was never asked"
            assert {q["apikey"] for q in api.data.queries} == {"sniff-key"}

            redis_process.stop()  # Redis dies under the running engine
            down = await safety.assess_pair(info, reason="redis down")
            assert down is not None  # judged on L1 and the chain; no check failed
            assert "CHECKS_FAILED" not in {f.code for f in down.findings}
            filled = await buy_fills(engine, report, events)
            final = await scrape(port)
        finally:
            await engine.stop()
    assert filled.amount_out > 0 and filled.tx_hash
    assert final["claudedex_cache_l2_up"] == 0.0
    assert final["claudedex_cache_l2_errors_total"] > 0
