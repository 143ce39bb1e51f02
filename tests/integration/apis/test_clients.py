"""API clients against the local aiohttp server speaking the documented JSON shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from claudedex.apis.breaker import CircuitBreaker
from claudedex.apis.dexscreener import DexScreenerClient
from claudedex.apis.goplus import GoPlusClient
from claudedex.apis.honeypot import HoneypotIsClient
from claudedex.apis.http import ApiError, ApiUnavailable, JsonHttpClient
from claudedex.apis.testing.servers import ApiData, ApiServer, dexscreener_pair
from claudedex.domain import Severity
from claudedex.safety.external import ExternalAdvisory

TOKEN = "0x" + "ab" * 20
PAIR = "0x" + "cd" * 20
WETH = "0x" + "ee" * 20


@pytest.fixture()
async def server() -> AsyncIterator[ApiServer]:
    data = ApiData()
    data.pairs.append(dexscreener_pair("31337", PAIR, (TOKEN, "Evil\x1b[31m", "EVL"),
                                       (WETH, "Wrapped Ether", "WETH"), "0.000012345678901234",
                                       1234.5, 1_700_000_000_000))
    data.profiles.append({"url": "https://x", "chainId": "31337", "tokenAddress": TOKEN,
                          "description": "[bold]hi[/bold]",
                          "links": [{"type": "twitter", "url": "https://t/x"}]})
    data.goplus[TOKEN] = {"is_honeypot": "1", "buy_tax": "0.05", "sell_tax": "0.99",
                          "is_mintable": "0", "owner_address": "0x1"}
    data.honeypot[TOKEN] = {"simulationSuccess": True,
                            "honeypotResult": {"isHoneypot": True, "honeypotReason": "sell fails"},
                            "simulationResult": {"buyTax": 5, "sellTax": 100, "transferTax": 0},
                            "summary": {"risk": "honeypot", "riskLevel": 100}}
    async with ApiServer(data) as srv:
        yield srv


def _http(url: str, **kw: object) -> JsonHttpClient:
    return JsonHttpClient(url, timeout_s=kw.pop("timeout_s", 2.0), backoff_s=0.01,  # type: ignore[arg-type]
                          **kw)  # type: ignore[arg-type]


async def test_dexscreener_shapes(server: ApiServer) -> None:
    http = _http(server.url)
    try:
        ds = DexScreenerClient(http)
        pairs = await ds.pairs("31337", [PAIR])
        assert len(pairs) == 1 and pairs[0].pair_address == PAIR
        assert pairs[0].price_native == Decimal("0.000012345678901234")
        assert pairs[0].base.name == "Evil\x1b[31m"  # kept as inert text, not interpreted
        assert (await ds.token_pairs([TOKEN]))[0].quote.symbol == "WETH"
        profile = (await ds.latest_profiles())[0]
        assert profile.token_address == TOKEN and profile.links == (("twitter", "https://t/x"),)
    finally:
        await http.close()


async def test_retry_then_success_and_breaker_opens(server: ApiServer) -> None:
    http = _http(server.url, retries=2, breaker=CircuitBreaker("t", failure_threshold=1))
    try:
        server.data.fail_next = 2  # two 503s, the third try succeeds
        assert await DexScreenerClient(http).latest_profiles()
        server.data.fail_next = 10
        with pytest.raises(ApiError):
            await DexScreenerClient(http).latest_profiles()
        before = server.data.requests
        with pytest.raises(ApiUnavailable):
            await DexScreenerClient(http).latest_profiles()
        assert server.data.requests == before  # open breaker: nothing was sent
    finally:
        await http.close()


async def test_timeout_is_an_api_error(server: ApiServer) -> None:
    server.data.delay_s = 0.5
    http = _http(server.url, timeout_s=0.1, retries=0)
    try:
        with pytest.raises(ApiError):
            await DexScreenerClient(http).latest_profiles()
    finally:
        await http.close()


async def test_security_apis_are_cached_and_advisory(server: ApiServer) -> None:
    gp_http, hp_http = _http(server.url), _http(server.url)
    try:
        goplus, honeypot = GoPlusClient(gp_http), HoneypotIsClient(hp_http)
        report = await goplus.token_security(31337, TOKEN)
        assert report is not None and "is_honeypot" in report.flags
        assert report.sell_tax == Decimal("0.99")
        hp = await honeypot.is_honeypot(31337, TOKEN)
        assert hp.is_honeypot and hp.sell_tax_pct == Decimal(100)
        count = server.data.requests
        findings = await ExternalAdvisory(goplus, honeypot).findings(31337, TOKEN)
        assert server.data.requests == count  # both answers came from the cache
        assert {f.code for f in findings} == {"GOPLUS_FLAGS", "HONEYPOT_IS_SAYS_HONEYPOT"}
        assert all(f.severity in (Severity.INFO, Severity.MEDIUM) for f in findings)
        unknown = await ExternalAdvisory(goplus, honeypot).findings(31337, "0x" + "01" * 20)
        assert {f.code for f in unknown} == {"GOPLUS_UNKNOWN", "HONEYPOT_IS_UNAVAILABLE"}
    finally:
        await gp_http.close()
        await hp_http.close()
