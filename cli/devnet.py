"""``claudedex devnet up``: a local chain, Uniswap V2 twice, the token zoo and a market.

``--shape ethereum`` gives chain id 1 with WETH and both venues at their Ethereum mainnet
addresses, so the ``paper-ethereum`` / ``live-ethereum`` profiles run against it unchanged.

With ``--json`` the first (and only) stdout line is the manifest, printed as soon as the
chain is ready; logs go to stderr. Runs until SIGINT/SIGTERM, then stops anvil cleanly.
Heavy imports stay inside the command so ``claudedex --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from claudedex.errors import UserInputError

devnet_app = typer.Typer(help="Local chain + Uniswap V2 + token zoo + simulated market.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(devnet_app, name="devnet")


@devnet_app.command("up")
def up(
    port: Annotated[int, typer.Option(help="anvil RPC port (0: a free one).")] = 0,
    seed: Annotated[int, typer.Option(help="Market RNG seed: same seed, same launches.")] = 7,
    block_time: Annotated[
        int, typer.Option("--block-time", help="Seconds per block; 0 = automine.")
    ] = 1,
    launch_rate: Annotated[
        str, typer.Option("--launch-rate", help="Token launches per minute.")
    ] = "6",
    no_market: Annotated[
        bool, typer.Option("--no-market", help="Chain and venues only, no simulated market.")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print one JSON manifest line on stdout.")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Default: the profile's data dir.")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(help="Profile name for the default data dir "
                          "(default: devnet, or devnet-SHAPE for another shape)."),
    ] = None,
    http_port: Annotated[
        int, typer.Option("--http-port", help="DexScreener/social HTTP port (0: a free one).")
    ] = 0,
    shape: Annotated[
        str,
        typer.Option(help="devnet: chain id 31337, fresh addresses; ethereum: chain id 1, "
                          "WETH and Uniswap/SushiSwap at their mainnet addresses."),
    ] = "devnet",
) -> None:
    """Start the devnet and keep it running until Ctrl-C / SIGTERM."""
    from decimal import Decimal, InvalidOperation

    from claudedex.devnet.shapes import DEFAULT_SHAPE, shape_named

    if not 0 <= port <= 65535 or not 0 <= http_port <= 65535:
        raise UserInputError("--port and --http-port must be between 0 and 65535")
    if block_time < 0:
        raise UserInputError("--block-time must be >= 0 (0 = automine)")
    try:
        rate = Decimal(launch_rate)
    except InvalidOperation:
        raise UserInputError(f"--launch-rate must be a number, got {launch_rate!r}") from None
    if not rate.is_finite() or rate < 0:
        raise UserInputError("--launch-rate must be a finite number >= 0")
    shape_named(shape)  # UserInputError for an unknown shape
    if profile is None:
        # each shape its own data dir: `run --profile devnet` must not find a chain-1 devnet
        profile = DEFAULT_SHAPE if shape == DEFAULT_SHAPE else f"devnet-{shape}"

    import asyncio

    from claudedex.devnet.service import DevnetOptions
    from claudedex.paths import data_dir as profile_data_dir

    _log_to_stderr()
    options = DevnetOptions(
        data_dir=(data_dir or profile_data_dir(profile)).expanduser().resolve(),
        port=port,
        seed=seed,
        block_time=block_time,
        launch_rate_per_min=rate,
        market=not no_market,
        http_port=http_port,
        shape=shape,
    )
    asyncio.run(_serve(options, json_out))


def _log_to_stderr() -> None:
    import logging

    import structlog

    from claudedex.observability.logging import stderr_logger

    if not structlog.is_configured():
        structlog.configure(
            logger_factory=stderr_logger,
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        )


async def _serve(options: object, json_out: bool) -> None:
    import asyncio
    import signal

    from claudedex.devnet.service import DevnetOptions, DevnetService

    assert isinstance(options, DevnetOptions)
    service = DevnetService(options)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        manifest = await service.start()
        if json_out:
            sys.stdout.write(manifest.line() + "\n")
        else:
            _print_human(manifest.to_json())
        sys.stdout.flush()
        await service.wait(stop)
    finally:
        await service.stop()
        if not json_out:
            typer.echo("devnet stopped")


def _print_human(m: dict[str, object]) -> None:
    typer.echo(f"devnet ready: {m['rpc_url']} (chain id {m['chain_id']}, shape {m['shape']})")
    typer.echo(f"  ws:          {m['ws_url']}")
    typer.echo(f"  weth:        {m['weth']}")
    venues = m["venues"]
    assert isinstance(venues, dict)
    for name, v in venues.items():
        typer.echo(f"  {name:<12} factory {v['factory']}  router {v['router']}")
    typer.echo(f"  dexscreener: {m['dexscreener_url']}   social: {m['social_url']}/posts")
    typer.echo(f"  labels:      {m['labels']}  (ground truth: for scoring only)")
    accounts = m["accounts"]
    assert isinstance(accounts, list)
    typer.echo(f"  free accounts ({len(accounts)}), e.g. {accounts[0]['address']}")
    typer.echo(f"  manifest:    {m['data_dir']}/devnet.json   (Ctrl-C to stop)")
