"""``claudedex trade buy|sell``: one order through the same execution path as the console."""

from __future__ import annotations

import typer


def _run(side: str, token: str, amount: str, profile: str, slippage_bps: int,
         dry_run: bool) -> None:
    import asyncio

    from claudedex.config import load_profile
    from claudedex.domain import Side
    from claudedex.execution.headless import trade
    from claudedex.execution.states import OrderState

    prof = load_profile(profile)
    order = asyncio.run(trade(prof, Side(side), token, amount, slippage_bps=slippage_bps,
                              dry_run=dry_run, echo=typer.echo))
    typer.echo(f"{order.id}: {order.state} in={order.amount_in} out={order.amount_out} "
               f"min_out={order.amount_out_min} tx={order.mined_hash}")
    if order.state not in (OrderState.FILLED, OrderState.SIMULATED):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    trade_app = typer.Typer(help="Buy or sell headlessly through the same pipeline as the "
                            "console.", no_args_is_help=True)

    @trade_app.command("buy")
    def buy(
        token: str = typer.Option(..., "--token", help="Token address to buy."),
        amount: str = typer.Option(..., "--amount", help="ETH to spend, e.g. 0.05."),
        profile: str = typer.Option("devnet", "--profile"),
        slippage_bps: int = typer.Option(0, "--slippage-bps",
                                         help="0 = the profile's max_slippage_bps."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Quote only, sign nothing."),
    ) -> None:
        """Buy TOKEN with AMOUNT ETH."""
        _run("buy", token, amount, profile, slippage_bps, dry_run)

    @trade_app.command("sell")
    def sell(
        token: str = typer.Option(..., "--token", help="Token address to sell."),
        amount: str = typer.Option(..., "--amount", help="Tokens to sell (decimal) or 'all'."),
        profile: str = typer.Option("devnet", "--profile"),
        slippage_bps: int = typer.Option(0, "--slippage-bps"),
        dry_run: bool = typer.Option(False, "--dry-run"),
    ) -> None:
        """Sell AMOUNT of TOKEN for ETH."""
        _run("sell", token, amount, profile, slippage_bps, dry_run)

    app.add_typer(trade_app, name="trade")
