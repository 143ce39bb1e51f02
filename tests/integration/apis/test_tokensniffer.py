"""The TokenSniffer client against a local server speaking TokenSniffer's documented JSON,
and its advisory findings next to GoPlus and honeypot.is."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from claudedex.apis.breaker import CircuitBreaker
from claudedex.apis.http import ApiError, ApiUnavailable, JsonHttpClient
from claudedex.apis.testing.servers import ApiData, ApiServer, tokensniffer_body
from claudedex.apis.tokensniffer import TokenSnifferClient
from claudedex.domain import Severity
from claudedex.safety.external import ExternalAdvisory, advisory_from_config

GOOD = "0x" + "a1" * 20
BAD = "0x" + "b2" * 20
NEW = "0x" + "c3" * 20
KEY = "sniff-key"


@pytest.fixture()
async def server() -> AsyncIterator[ApiServer]:
    data = ApiData(tokensniffer_key=KEY)
    data.tokensniffer[GOOD] = tokensniffer_body(1, GOOD, 92)
    data.tokensniffer[BAD] = tokensniffer_body(
        1, BAD, 20, failed=("testForHoneypot", "testForHighSellFee"), sellable=False,
        sell_fee=99.0)
    async with ApiServer(data) as srv:
        yield srv


def client(server: ApiServer, key: str = KEY, **kw: object) -> TokenSnifferClient:
    http = JsonHttpClient(server.url, name="tokensniffer", timeout_s=2.0, backoff_s=0.01,
                          **kw)  # type: ignore[arg-type]
    return TokenSnifferClient(http, key)


async def test_ready_answer_is_parsed_and_cached(server: ApiServer) -> None:
    sniffer = client(server)
    try:
        report = await sniffer.token(1, GOOD)
        assert report.ready and report.score == 92 and not report.failed_tests
        assert report.sellable is True and not report.flagged
        query = server.data.queries[-1]
        assert query["apikey"] == KEY and query["include_tests"] == "true"
        assert query["include_metrics"] == "true"
        asked = server.data.requests
        again = await sniffer.token(1, GOOD.upper().replace("0X", "0x"))
        assert again == report and server.data.requests == asked  # from the cache
    finally:
        await sniffer.http.close()


async def test_pending_is_not_cached_and_says_so(server: ApiServer) -> None:
    advisory = ExternalAdvisory(tokensniffer=client(server))
    try:
        first = await advisory.findings(1, NEW)
        second = await advisory.findings(1, NEW)
    finally:
        assert advisory.tokensniffer is not None
        await advisory.tokensniffer.http.close()
    assert [f.code for f in first] == ["TOKENSNIFFER_PENDING"]
    assert second == first and server.data.requests == 2  # asked again: still auditing


async def test_bad_token_is_a_medium_advisory_with_evidence(server: ApiServer) -> None:
    advisory = advisory_from_config("", "", tokensniffer_url=server.url, tokensniffer_key=KEY)
    assert advisory is not None and advisory.tokensniffer is not None
    try:
        bad = await advisory.findings(1, BAD)
        good = await advisory.findings(1, GOOD)
    finally:
        await advisory.tokensniffer.http.close()
    (finding,) = bad
    assert finding.code == "TOKENSNIFFER_WARNS" and finding.severity is Severity.MEDIUM
    assert "score 20/100" in finding.detail and "not sellable" in finding.detail
    assert finding.evidence["failed_tests"] == "testForHoneypot,testForHighSellFee"
    assert finding.evidence["sell_fee_pct"] == "99.0"
    assert [(f.code, f.severity) for f in good] == [("TOKENSNIFFER", Severity.INFO)]


async def test_wrong_key_is_an_error_not_an_outage(server: ApiServer) -> None:
    sniffer = client(server, key="wrong")
    try:
        with pytest.raises(ApiError, match="HTTP 401"):
            await sniffer.token(1, GOOD)
        assert sniffer.http.breaker.allow()  # a refused request does not open the breaker
    finally:
        await sniffer.http.close()


async def test_breaker_opens_and_the_advisory_says_unavailable(server: ApiServer) -> None:
    sniffer = client(server, retries=0,
                     breaker=CircuitBreaker("tokensniffer", failure_threshold=2,
                                            reset_timeout_s=3600))
    advisory = ExternalAdvisory(tokensniffer=sniffer)
    server.data.fail_next = 2
    try:
        for _ in range(2):
            (down,) = await advisory.findings(1, GOOD)
            assert down.code == "TOKENSNIFFER_UNAVAILABLE"
        asked = server.data.requests
        with pytest.raises(ApiUnavailable):
            await sniffer.token(1, GOOD)
        (skipped,) = await advisory.findings(1, GOOD)
    finally:
        await sniffer.http.close()
    assert server.data.requests == asked  # open: nothing was sent
    assert skipped.code == "TOKENSNIFFER_UNAVAILABLE" and skipped.severity is Severity.INFO
