"""``claudedex scan``: judge tokens on any chain; one RiskReport JSON object per line.

Nothing is sent: every check is a simulation on a copy of the node's state. Bad input (an
address that is not one, a node that does not answer, a router without code, a token without
a pair) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import asyncio
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _address(value: str, what: str) -> str:
    from claudedex.errors import UserInputError

    if not ADDRESS.match(value.strip()):
        raise UserInputError(f"{what} {value!r} is not a 0x-prefixed 20-byte hex address")
    return value.strip().lower()


def _split(values: list[str]) -> list[str]:
    return [v for item in values for v in item.split(",") if v.strip()]


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan(
        rpc_url: Annotated[str, typer.Option("--rpc-url", help="JSON-RPC URL of the node.")],
        router: Annotated[str, typer.Option("--router", help="Uniswap V2 Router02 address.")],
        token: Annotated[list[str], typer.Option("--token", help="Token address (repeatable).")],
        more: Annotated[list[str] | None, typer.Argument(help="More token addresses.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
        amount: Annotated[str, typer.Option("--amount", help="Simulated buy, in quote units.")]
        = "0.1",
        goplus_url: Annotated[str, typer.Option("--goplus-url", help="GoPlus base URL.")] = "",
        honeypot_url: Annotated[str, typer.Option("--honeypot-url",
                                                  help="honeypot.is base URL.")] = "",
        no_owner_probe: Annotated[bool, typer.Option("--no-owner-probe",
                                                     help="Skip owner-privilege probing.")]
        = False,
    ) -> None:
        """Simulate buys, sells and owner actions for each token; print a verdict per token."""
        from claudedex.errors import UserInputError

        router_addr = _address(router, "--router")
        tokens = [_address(t, "--token") for t in _split(list(token) + list(more or []))]
        if not tokens:
            raise UserInputError("give at least one --token address")
        if not rpc_url.startswith(("http://", "https://")):
            raise UserInputError(f"--rpc-url {rpc_url!r} must be an http(s) URL")
        try:
            size = Decimal(amount)
        except InvalidOperation:
            raise UserInputError(f"--amount {amount!r} is not a number") from None
        if size <= 0:
            raise UserInputError("--amount must be positive")
        reports = asyncio.run(_scan(rpc_url, router_addr, tokens, size, goplus_url,
                                    honeypot_url, not no_owner_probe))
        for rep in reports:
            if as_json:
                typer.echo(json.dumps(rep, separators=(",", ":")))
            else:
                typer.echo(_human(rep))


def _human(rep: dict[str, Any]) -> str:
    lines = [f"{rep['token']}  {rep['verdict'].upper()}  buy tax {rep['buy_tax_bps']} bps, "
             f"sell tax {rep['sell_tax_bps']} bps  ({rep['elapsed_ms']} ms)"]
    for f in rep["findings"]:
        if f["severity"] != "info":
            detail = json.dumps(f["detail"])[1:-1]  # escapes control characters
            lines.append(f"  [{f['severity']}] {f['code']}: {detail}")
    return "\n".join(lines)


async def _scan(rpc_url: str, router: str, tokens: list[str], size: Decimal, goplus_url: str,
                honeypot_url: str, probe_owner: bool) -> list[dict[str, Any]]:
    from claudedex.apis.goplus import GoPlusClient
    from claudedex.apis.honeypot import HoneypotIsClient
    from claudedex.apis.http import JsonHttpClient
    from claudedex.errors import ChainError, UserInputError
    from claudedex.rpc import async_web3
    from claudedex.rpc.reader import ChainReader
    from claudedex.rpc.words import addr_word, as_address
    from claudedex.safety.assess import AssessConfig, TokenAssessor
    from claudedex.safety.external import ExternalAdvisory
    from claudedex.safety.report_json import report_to_json

    w3 = async_web3(rpc_url, timeout_s=30)
    https = [JsonHttpClient(u, name=n) for u, n in ((goplus_url, "goplus"),
                                                    (honeypot_url, "honeypot")) if u]
    try:
        reader = ChainReader(w3)
        try:
            chain_id = int(await reader.request("eth_chainId", []), 16)
        except ChainError as exc:
            raise UserInputError(f"--rpc-url {rpc_url}: the node does not answer ({exc})") from None
        if not await reader.code(router):
            raise UserInputError(f"--router {router}: no contract at that address")
        factory_w = await reader.call_word(router, bytes.fromhex("c45a0155"))
        weth_w = await reader.call_word(router, bytes.fromhex("ad5c4648"))
        if factory_w is None or weth_w is None:
            raise UserInputError(f"--router {router}: not a Uniswap V2 Router02 "
                                 "(factory()/WETH() failed)")
        factory, weth = as_address(factory_w), as_address(weth_w)
        pairs: dict[str, str] = {}
        for t in tokens:
            pw = await reader.call_word(factory, bytes.fromhex("e6a43905") + addr_word(t)
                                        + addr_word(weth))
            if not pw:
                raise UserInputError(f"--token {t}: no pair with WETH {weth} on this router's "
                                     "factory")
            pairs[t] = as_address(pw)
        advisory = None
        if https:
            by_name = {h.name: h for h in https}
            advisory = ExternalAdvisory(
                GoPlusClient(by_name["goplus"]) if "goplus" in by_name else None,
                HoneypotIsClient(by_name["honeypot"]) if "honeypot" in by_name else None)
        config = AssessConfig(trade_size_quote=int(size * 10**18), probe_owner=probe_owner)
        assessor = TokenAssessor(w3, config, chain_id=chain_id, advisory=advisory)
        out = []
        for t in tokens:
            report = await assessor.assess(token=t, pair=pairs[t], quote=weth, router=router)
            out.append(report_to_json(report))
        return out
    finally:
        for h in https:
            await h.close()
        await w3.provider.disconnect()
