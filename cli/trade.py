"""``claudedex trade buy|sell``: one manual order through the kernel's gate.

The order is handed to the running engine over its control socket (the console, a headless
run, or another ``trade`` that holds the profile); with none running, this process takes
the profile's writer lock and builds the kernel itself. Either way the token is judged, a
scam is refused, risky/unknown need ``--override risky``, risk limits apply, and the fill
becomes a position with its exits armed.
"""

from __future__ import annotations

import json

import typer


def _run(side: str, token: str, amount: str, profile: str, slippage_bps: int,
         dry_run: bool, override: str, as_json: bool) -> None:
    import asyncio

    from claudedex.config import load_profile
    from claudedex.control.dispatch import dispatch
    from claudedex.domain import Side
    from claudedex.observability.logging import configure_logging
    from claudedex.paths import data_dir
    from claudedex.trade_request import TradeRequest, TradeResult

    request = TradeRequest(Side(side), token, amount, slippage_bps=slippage_bps,
                           override=override, dry_run=dry_run, by="cli").validate()
    prof = load_profile(profile)
    # the log goes to the data dir's file: stdout is for the order and its states
    configure_logging(data_dir(prof.name), console=False)
    echo = (lambda _line: None) if as_json else typer.echo

    async def local(engine: object) -> TradeResult:
        from claudedex.engine import Engine

        assert isinstance(engine, Engine)
        return await engine.trade(request, echo)

    result = asyncio.run(dispatch(prof, data_dir(prof.name), "trade",
                                  {"request": request.to_json()}, local=local,
                                  remote=TradeResult.from_json, progress=echo,
                                  read_only=dry_run))
    if as_json:
        typer.echo(json.dumps(result.to_json(), sort_keys=True))
    else:
        typer.echo(f"{result.order_id}: {result.state} verdict={result.verdict} "
                   f"in={result.amount_in} out={result.amount_out} "
                   f"min_out={result.amount_out_min} tx={result.tx_hash}")
    if result.state not in ("filled", "simulated"):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    trade_app = typer.Typer(help="Buy or sell through the same gate as the console: judged, "
                            "risk-checked, journaled, audited.", no_args_is_help=True)

    @trade_app.command("buy")
    def buy(
        token: str = typer.Option(..., "--token", help="Token address to buy."),
        amount: str = typer.Option(..., "--amount", help="ETH to spend, e.g. 0.05."),
        profile: str = typer.Option("devnet", "--profile"),
        slippage_bps: int = typer.Option(0, "--slippage-bps",
                                         help="0 = the profile's max_slippage_bps."),
        override: str = typer.Option("", "--override",
                                     help="'risky': accept a risky or unknown verdict "
                                     "(a scam is never bought)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Judge and quote; sign nothing."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON line."),
    ) -> None:
        """Buy TOKEN with AMOUNT ETH (exit 0 filled, 1 refused or failed, 2 bad input)."""
        _run("buy", token, amount, profile, slippage_bps, dry_run, override, as_json)

    @trade_app.command("sell")
    def sell(
        token: str = typer.Option(..., "--token", help="Token address to sell."),
        amount: str = typer.Option(..., "--amount", help="Tokens to sell (decimal) or 'all'."),
        profile: str = typer.Option("devnet", "--profile"),
        slippage_bps: int = typer.Option(0, "--slippage-bps"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Judge and quote; sign nothing."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON line."),
    ) -> None:
        """Sell AMOUNT of TOKEN for ETH (exit 0 filled, 1 refused or failed, 2 bad input)."""
        _run("sell", token, amount, profile, slippage_bps, dry_run, "", as_json)

    app.add_typer(trade_app, name="trade")
