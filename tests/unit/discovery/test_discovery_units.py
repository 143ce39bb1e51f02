"""Pure discovery logic: state store, token text, mempool classification, volume, social."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_abi.abi import encode

from claudedex.bus import EventBus
from claudedex.discovery.mempool import classify, owner_call_kind
from claudedex.discovery.social import Post, SocialSentiment
from claudedex.discovery.state import FileStateStore
from claudedex.discovery.volume import Swap, VolumeAnalyzer
from claudedex.domain import Severity, Side
from claudedex.errors import StorageError
from claudedex.events import AlertRaised
from claudedex.safety.signatures import selector
from claudedex.tokenmeta import clean_text, decode_string

TOKEN, ROUTER, PAIR = "0x" + "aa" * 20, "0x" + "bb" * 20, "0x" + "cc" * 20


def test_file_state_store_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = FileStateStore(path)
    store.set_last_block("k", 42)
    store.add_pair("k", PAIR.upper().replace("0X", "0x"), TOKEN, True)
    again = FileStateStore(path)
    assert again.get_last_block("k") == 42
    assert again.known_pairs("k") == {PAIR: (TOKEN, True)}
    path.write_text("{not json")
    with pytest.raises(StorageError):
        FileStateStore(path)


def test_token_text_is_inert() -> None:
    assert clean_text(b"Evil\x1b[31m[bold]") == "Evil[31m[bold]"
    assert decode_string(encode(["string"], ["Coin\nX"])) == "CoinX"
    assert decode_string(b"SYM".ljust(32, b"\0")) == "SYM"
    assert decode_string(None) == ""


def _tx(to: str, data: bytes, sender: str = "0x" + "01" * 20) -> dict[str, str]:
    return {"to": to, "input": "0x" + data.hex(), "from": sender}


def test_mempool_classification() -> None:
    watched = {TOKEN}
    pause = bytes.fromhex(selector("setTrading(bool)")[2:]) + encode(["bool"], [False])
    assert [t.kind for t in classify(_tx(TOKEN, pause), watched, {ROUTER}, {})] == ["pause"]
    transfer = bytes.fromhex(selector("transfer(address,uint256)")[2:]) + bytes(64)
    assert classify(_tx(TOKEN, transfer), watched, {ROUTER}, {}) == []
    remove = bytes.fromhex(selector(
        "removeLiquidityETH(address,uint256,uint256,uint256,address,uint256)")[2:]) + encode(
        ["address", "uint256", "uint256", "uint256", "address", "uint256"],
        [TOKEN, 1, 0, 0, TOKEN, 1])
    threats = classify(_tx(ROUTER, remove), watched, {ROUTER}, {})
    assert [(t.token, t.kind, t.severe) for t in threats] == [(TOKEN, "liquidity_removal", True)]
    burn = bytes.fromhex(selector("burn(address)")[2:]) + encode(["address"], [TOKEN])
    assert classify(_tx(PAIR, burn), watched, {ROUTER}, {PAIR: TOKEN})[0].kind == (
        "liquidity_removal")
    assert classify(_tx(PAIR, burn), set(), {ROUTER}, {PAIR: TOKEN}) == []
    assert owner_call_kind(selector("updateTaxes(uint256,uint256)")) == "fee_change"
    assert owner_call_kind(selector("setBots(address[],bool)")) == "blacklist"
    assert owner_call_kind(selector("upgradeTo(address)")) == "upgrade"


def test_wash_trading_detected_and_organic_not() -> None:
    va = VolumeAnalyzer(min_swaps=12)
    for i in range(20):  # two wallets buying and selling the same size, again and again
        wallet = "0x" + ("01" if i % 4 < 2 else "02") * 20
        va.add(Swap(PAIR, wallet, Side.BUY if i % 2 == 0 else Side.SELL, 10**18, 10**20, i))
    (wash,) = va.findings(PAIR)
    assert wash.code == "WASH_TRADING" and wash.severity is Severity.MEDIUM
    organic = VolumeAnalyzer(min_swaps=12)
    for i in range(20):
        organic.add(Swap(PAIR.replace("cc", "dd"), "0x" + f"{i + 10:02d}" * 20, Side.BUY,
                         10**17 * (i + 1), 10**19, i))
    (vol,) = organic.findings(PAIR.replace("cc", "dd"))
    assert vol.code == "VOLUME" and vol.evidence["unique_traders"] == "20"


class _ListFeed:
    def __init__(self, posts: list[Post]) -> None:
        self.posts = posts

    async def fetch(self, since: int) -> tuple[list[Post], int]:
        return [p for p in self.posts if p.id > since], max(p.id for p in self.posts)


async def test_social_sentiment_alerts_on_negative_turn() -> None:
    bus = EventBus()
    sub = bus.subscribe("t", [AlertRaised.topic])
    posts = [Post(1, TOKEN, "a", "This token is amazing, great community, love it!")]
    posts += [Post(i, TOKEN, "b", "Scam! I can't sell, dev rugged us, terrible loss")
              for i in range(2, 6)]
    social = SocialSentiment(bus, _ListFeed(posts))
    assert social.score(posts[0].text) > 0.3 > -0.3 > social.score(posts[1].text)
    got, _ = await social.feed.fetch(0)
    await social.ingest(got)
    alert = sub.get_nowait()
    assert isinstance(alert, AlertRaised) and alert.source == "social"
    assert social.findings(TOKEN)[0].code == "SOCIAL_NEGATIVE"
    await social.ingest([Post(9, TOKEN, "b", "still can't sell, awful")])
    assert sub.get_nowait() is None  # one alert per token


def test_a_strangers_call_to_a_held_token_is_no_owner_threat() -> None:
    """Reproduction: any stranger's unknown call to a held token counted as an owner threat
    (and fired the anti-rug exit). Only the token's controllers threaten it now; liquidity
    removals still count whoever sends them."""
    owner, stranger = "0x" + "0a" * 20, "0x" + "0b" * 20
    pause = bytes.fromhex(selector("setTrading(bool)")[2:]) + encode(["bool"], [False])

    def controllers(token: str) -> set[str]:
        return {owner} if token == TOKEN else set()

    by_owner = classify(_tx(TOKEN, pause, owner), {TOKEN}, {ROUTER}, {}, controllers)
    assert [(t.kind, t.severe) for t in by_owner] == [("pause", True)]
    by_stranger = classify(_tx(TOKEN, pause, stranger), {TOKEN}, {ROUTER}, {}, controllers)
    assert [(t.kind, t.severe) for t in by_stranger] == [("pause", False)]
    unknown = classify(_tx(TOKEN, pause, stranger), {TOKEN}, {ROUTER}, {}, lambda _t: set())
    assert [t.severe for t in unknown] == [True]  # no controller known: fail safe


def test_report_controllers_come_from_the_findings() -> None:
    from claudedex.domain import Finding, RiskReport, Severity, Verdict
    from claudedex.safety.verdict import report_controllers

    owner = "0x" + "0A" * 20
    report = RiskReport(TOKEN, PAIR, Verdict.RISKY, (
        Finding("OWNER_CAN_PAUSE", Severity.HIGH, "x", {"caller": owner, "role": "owner"}),
        Finding("DEPLOYER", Severity.INFO, "y", {"creator": "0x" + "0c" * 20}),
        Finding("HOLDERS", Severity.INFO, "z", {"largest": "0x" + "0d" * 20})))
    assert report_controllers(report) == {owner.lower(), "0x" + "0c" * 20}
