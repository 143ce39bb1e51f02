"""The control API inside a running devnet engine: roles, halt, trades, audit, limits.

Done-when of the control API: a viewer token gets 403 on halt; no token 401; an expired or
forged token 401; an operator token halts the running engine (its signer then refuses);
a flood gets 429; every command leaves an audit row naming its token id.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from claudedex.api.tokens import TokenIssuer

pytestmark = pytest.mark.anvil


class Client:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.url = engine.api.url
        self.issuer: TokenIssuer = engine.api.issuer

    def token(self, role: str, ttl_s: int = 600) -> tuple[str, str]:
        token, claims = self.issuer.issue(role, ttl_s)
        return token, claims.jti

    async def __call__(self, method: str, path: str, token: str | None,
                       body: dict[str, Any] | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with aiohttp.ClientSession() as http, http.request(
                method, self.url + path, json=body, headers=headers) as resp:
            return resp.status, await resp.json()

    async def until(self, path: str, token: str, ok: Any) -> Any:
        """GET ``path`` until ``ok(result)``: the portfolio applies a fill from the bus, a
        moment after the trade command has answered."""
        async with asyncio.timeout(60):
            while True:
                status, body = await self("GET", path, token)
                assert status == 200, body
                if ok(body["result"]):
                    return body["result"]
                await asyncio.sleep(0.05)


async def test_roles_and_the_halt_of_a_running_engine(api_engine, chain) -> None:
    async with api_engine() as engine:
        call = Client(engine)
        assert engine.api.url.startswith("http://127.0.0.1:")
        viewer, _ = call.token("viewer")
        operator, op_jti = call.token("operator")
        forged = TokenIssuer(bytes(32), "devnet").issue("operator", 60)[0]
        expired = call.issuer.issue("operator", 1, now=1_000_000)[0]

        assert (await call("POST", "/halt", None, {}))[0] == 401
        assert (await call("POST", "/halt", forged, {}))[0] == 401
        assert (await call("POST", "/halt", expired, {}))[0] == 401
        status, body = await call("POST", "/halt", viewer, {"reason": "not yours"})
        assert status == 403 and not engine.is_halted()

        status, body = await call("POST", "/halt", operator, {"reason": "api drill"})
        assert status == 200 and body["result"]["halted"] is True
        assert engine.is_halted()
        assert engine.halt_switch.state.by == f"api:operator:{op_jti}"
        # halted means halted: a trade through the API is refused by the gate, nothing sent
        sender = engine.kernel.signer.address
        nonce = chain.w3.eth.get_transaction_count(sender)
        status, body = await call("POST", "/trade", operator, {
            "side": "buy", "token": chain.plain, "amount": "0.01", "override": "risky"})
        assert status == 409 and body["kind"] == "EngineHalted", body
        assert chain.w3.eth.get_transaction_count(sender) == nonce
        status, body = await call("GET", "/status", viewer)
        assert status == 200 and body["result"]["halted"] is True
        status, _ = await call("POST", "/resume", operator, {"confirm": True})
        assert status == 200 and not engine.is_halted()


async def test_every_command_leaves_an_audit_row_with_its_token_id(api_engine,
                                                                    chain) -> None:
    async with api_engine() as engine:
        call = Client(engine)
        operator, op_jti = call.token("operator")
        auditor, _ = call.token("auditor")
        reads = ["/status", "/pairs", "/reports", "/proposals", "/positions", "/orders",
                 "/balances", "/metrics/summary"]
        for path in reads:
            status, body = await call("GET", path, operator)
            assert status == 200, (path, body)

        status, bought = await call("POST", "/trade", operator, {
            "side": "buy", "token": chain.plain, "amount": "0.01", "override": "risky"})
        assert status == 200 and bought["result"]["state"] == "filled", bought
        held = await call.until("/positions", operator, bool)
        assert [p["token"].lower() for p in held] == [chain.plain.lower()]
        assert held[0]["amount"] == bought["result"]["amount_out"]
        status, balances = await call("GET", "/balances", operator)
        assert balances["result"]["tokens"][held[0]["token"]] == bought["result"]["amount_out"]
        status, report = await call("GET", f"/reports/{chain.plain}", operator)
        assert status == 200 and report["result"]["findings"]
        status, closed = await call("POST", f"/positions/{chain.plain}/close", operator, {})
        assert status == 200 and closed["result"]["state"] == "filled", closed
        await call.until("/positions", operator, lambda held: held == [])
        for verb in ("approve", "reject", "override"):
            status, body = await call("POST", f"/proposals/nope/{verb}", operator, {})
            assert status == 404, (verb, body)
        assert (await call("POST", "/halt", operator, {"reason": "r"}))[0] == 200
        assert (await call("POST", "/resume", operator, {"confirm": True}))[0] == 200

        summary = await call.until("/metrics/summary", operator, lambda s: s["fills"] == 2)
        assert summary["open_positions"] == 0 and summary["orders_by_state"]["filled"] >= 2
        status, entries = await call("GET", "/audit?limit=1000", auditor)
        assert status == 200
        api_rows = [e for e in entries["result"] if e["action"].startswith("api_")]
        commands = {e["action"] for e in api_rows}
        assert commands == {"api_trade", "api_close", "api_approve", "api_reject",
                            "api_override", "api_halt", "api_resume"}
        assert all(e["detail"]["jti"] == op_jti for e in api_rows)
        assert len(api_rows) == 7
        status, verified = await call("GET", "/audit/verify", auditor)
        assert status == 200 and verified["result"]["ok"] is True
        assert verified["result"]["mode"] == "keyed"
        assert (await call("GET", "/status", auditor))[0] == 403


async def test_a_flood_gets_429_and_other_tokens_still_pass(api_engine) -> None:
    async with api_engine(requests_per_min=10) as engine:
        call = Client(engine)
        flooder, _ = call.token("viewer")
        statuses = [(await call("GET", "/status", flooder))[0] for _ in range(25)]
        assert 429 in statuses and statuses.count(200) >= 10
        other, _ = call.token("viewer")
        assert (await call("GET", "/status", other))[0] == 200


async def test_operator_decides_proposals_over_the_api(api_engine, chain) -> None:
    import uuid
    from decimal import Decimal

    from claudedex.domain import Side, TradeProposal, Verdict
    from claudedex.events import ProposalDecided, TradeProposed
    from claudedex.storage import TERMINAL_STATES

    async with api_engine() as engine:
        call = Client(engine)
        operator, jti = call.token("operator")
        viewer, _ = call.token("viewer")
        decided = engine.events([ProposalDecided.topic], name="test-decisions")
        ids = [uuid.uuid4().hex for _ in range(3)]
        # one live proposal per token and side: two buys of two tokens, and a sell
        for pid, token, side in zip(ids, (chain.plain, chain.taxed, chain.plain),
                                    (Side.BUY, Side.BUY, Side.SELL), strict=True):
            await engine.bus.publish(TradeProposed(proposal=TradeProposal(
                id=pid, token=token, pair="", venue="", side=side,
                amount_in=10**15, min_amount_out=1, quote_value=Decimal("0.001"),
                slippage_bps=300, verdict=Verdict.SAFE, symbol="T", strategy="test")))
        pending = await call.until("/proposals", viewer, lambda ps: len(ps) == 3)
        assert {p["id"] for p in pending} == set(ids)
        assert (await call("POST", f"/proposals/{ids[0]}/approve", viewer, {}))[0] == 403
        status, body = await call("POST", f"/proposals/{ids[0]}/approve", operator, {})
        assert status == 200 and body["result"]["id"] == ids[0]
        status, body = await call("POST", f"/proposals/{ids[1]}/override", operator,
                                  {"slippage_bps": 500, "amount_in": "2000000000000000"})
        assert status == 200 and body["result"]["slippage_bps"] == 500
        assert body["result"]["amount_in"] == 2 * 10**15
        status, _ = await call("POST", f"/proposals/{ids[2]}/reject", operator,
                               {"reason": "not today"})
        assert status == 200
        assert (await call("GET", "/proposals", viewer))[1]["result"] == []
        seen: dict[str, ProposalDecided] = {}
        async with asyncio.timeout(30):
            while len(seen) < 3:
                ev = await decided.get()
                if isinstance(ev, ProposalDecided):
                    seen[ev.proposal_id] = ev
        assert [seen[p].decision for p in ids] == ["approved", "overridden", "rejected"]
        assert all(seen[p].by == f"api:operator:{jti}" for p in ids)
        # the two decided buys run through execution to a final state before the engine stops
        await call.until("/orders", viewer, lambda orders: len(orders) == 2 and all(
            o["state"] in TERMINAL_STATES for o in orders))
        decided.close()
