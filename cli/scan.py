"""``claudedex scan``: judge tokens on any chain; one JSON object per token and line.

    claudedex scan --rpc-url URL --router ADDR [--factory ADDR] --token ADDR ... [--json]
                   [--follow] [--profile NAME]

Each line: ``{"token", "pair", "verdict", "score", "reasons": [{"code", "severity",
"detail"}], "buy_tax_bps", "sell_tax_bps", "elapsed_ms"}`` plus ``findings`` (with evidence)
and the report's other fields. ``score`` is 0-100 (100: nothing found, 0: a critical
finding or nothing could be judged; see ``claudedex.safety.decision.score``). A token with no
pair on the factory gets its own ``unknown`` line with the reason; it never fails the batch.
``--follow`` then watches the factory and judges each new pair as it appears, until Ctrl-C
or SIGTERM (exit 0). ``--profile`` supplies the RPC URL, router and factory (its first
venue; a devnet profile's from the running devnet) and the database, so the deployer
history is the one the engine keeps. Nothing is sent: every check is a simulation. Bad input
(an address that is not one, a node that does not answer, a router without code) is one
line on stderr and exit code 2.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from claudedex.config import Profile

ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


@dataclass(frozen=True)
class Target:
    """Where to scan: node, router, factory ("" = the router's), database for history."""

    rpc_url: str
    router: str
    factory: str
    db_url: str


def _address(value: str, what: str) -> str:
    from claudedex.errors import UserInputError

    if not ADDRESS.match(value.strip()):
        raise UserInputError(f"{what} {value!r} is not a 0x-prefixed 20-byte hex address")
    return value.strip().lower()


def _split(values: list[str]) -> list[str]:
    return [v for item in values for v in item.split(",") if v.strip()]


def _profile_defaults(name: str) -> tuple[Profile, str, str, str]:
    """The profile (a devnet one with the running devnet's addresses), its RPC URL and
    its first venue's router and factory."""
    from claudedex.builder import apply_manifest
    from claudedex.config import load_profile
    from claudedex.errors import UserInputError
    from claudedex.paths import data_dir

    profile = load_profile(name)
    if profile.mode == "devnet":
        from claudedex.devnet.launcher import running_devnet

        manifest = running_devnet(data_dir(profile.name))
        if manifest is None:
            raise UserInputError(f"--profile {name}: no running devnet; start one with "
                                 "`claudedex devnet up` or pass --rpc-url and --router")
        profile = apply_manifest(profile, manifest)
    venue = profile.venues[0] if profile.venues else None
    return (profile, profile.rpc_url(), venue.router if venue else "",
            venue.factory if venue else "")


def _target(rpc_url: str, router: str, factory: str, profile_name: str, db_url: str) -> Target:
    from claudedex.builder import storage_url
    from claudedex.errors import UserInputError
    from claudedex.paths import data_dir
    from claudedex.storage.database import normalize_url

    db = normalize_url(db_url) if db_url else ""
    if profile_name:
        profile, p_rpc, p_router, p_factory = _profile_defaults(profile_name)
        rpc_url, router, factory = rpc_url or p_rpc, router or p_router, factory or p_factory
        db = db or storage_url(profile, data_dir(profile.name))
    if not rpc_url:
        raise UserInputError("give --rpc-url (or a --profile that names the node)")
    if not router:
        raise UserInputError("give --router (or a --profile with a venue)")
    if not rpc_url.startswith(("http://", "https://")):
        raise UserInputError(f"--rpc-url {rpc_url!r} must be an http(s) URL")
    return Target(rpc_url, _address(router, "--router"),
                  _address(factory, "--factory") if factory else "",
                  db or f"sqlite+aiosqlite:///{data_dir('scan') / 'claudedex.db'}")


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan(
        token: Annotated[list[str] | None, typer.Option(
            "--token", help="Token address (repeatable, or comma-separated).")] = None,
        more: Annotated[list[str] | None, typer.Argument(help="More token addresses.")] = None,
        rpc_url: Annotated[str, typer.Option("--rpc-url", help="JSON-RPC URL of the node.")]
        = "",
        router: Annotated[str, typer.Option("--router", help="Uniswap V2 Router02 address.")]
        = "",
        factory: Annotated[str, typer.Option(
            "--factory", help="Factory to find pairs on (default: the router's).")] = "",
        profile: Annotated[str, typer.Option(
            "--profile", help="Take RPC URL, router, factory and database from a profile.")]
        = "",
        follow: Annotated[bool, typer.Option(
            "--follow", help="Then judge each new pair the factory creates (Ctrl-C ends).")]
        = False,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
        amount: Annotated[str, typer.Option("--amount", help="Simulated buy, in quote units.")]
        = "0.1",
        db_url: Annotated[str, typer.Option(
            "--db-url", help="Database for deployer history (default: the profile's).")] = "",
        poll: Annotated[str, typer.Option("--poll", help="--follow poll interval (s).")]
        = "0.5",
        goplus_url: Annotated[str, typer.Option("--goplus-url", help="GoPlus base URL.")] = "",
        honeypot_url: Annotated[str, typer.Option("--honeypot-url",
                                                  help="honeypot.is base URL.")] = "",
        no_owner_probe: Annotated[bool, typer.Option("--no-owner-probe",
                                                     help="Skip owner-privilege probing.")]
        = False,
    ) -> None:
        """Simulate buys, sells and owner actions for each token; print a verdict per token."""
        from claudedex.errors import UserInputError

        _logs_to_stderr()

        tokens = [_address(t, "--token") for t in _split(list(token or []) + list(more or []))]
        if not tokens and not follow:
            raise UserInputError("give at least one --token address (or --follow)")
        size = _positive(amount, "--amount")
        poll_s = _positive(poll, "--poll")
        target = _target(rpc_url, router, factory, profile, db_url)

        def emit(line: dict[str, Any]) -> None:
            typer.echo(json.dumps(line, separators=(",", ":")) if as_json else _human(line))

        asyncio.run(_scan(target, tokens, size, goplus_url, honeypot_url, not no_owner_probe,
                          follow, float(poll_s), emit))


def _logs_to_stderr() -> None:
    """stdout carries only the reports; warnings and errors go to stderr."""
    import logging

    import structlog

    from claudedex.observability.logging import stderr_logger

    structlog.configure(logger_factory=stderr_logger,
                        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
                        cache_logger_on_first_use=False)


def _positive(value: str, what: str) -> Decimal:
    from claudedex.errors import UserInputError

    try:
        number = Decimal(value)
    except InvalidOperation:
        raise UserInputError(f"{what} {value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise UserInputError(f"{what} must be a positive number")
    return number


def _human(rep: dict[str, Any]) -> str:
    lines = [f"{rep['token']}  {rep['verdict'].upper()}  score {rep['score']}  buy tax "
             f"{rep['buy_tax_bps']} bps, sell tax {rep['sell_tax_bps']} bps  "
             f"({rep['elapsed_ms']} ms)"]
    for f in rep["reasons"]:
        detail = json.dumps(f["detail"])[1:-1]  # escapes control characters
        lines.append(f"  [{f['severity']}] {f['code']}: {detail}")
    return "\n".join(lines)


async def _scan(target: Target, tokens: list[str], size: Decimal, goplus_url: str,
                honeypot_url: str, probe_owner: bool, follow: bool, poll_s: float,
                emit: Any) -> None:
    from claudedex.apis.goplus import GoPlusClient
    from claudedex.apis.honeypot import HoneypotIsClient
    from claudedex.apis.http import JsonHttpClient
    from claudedex.rpc import async_web3
    from claudedex.safety.assess import AssessConfig
    from claudedex.safety.external import ExternalAdvisory
    from claudedex.safety.scanner import Scanner
    from claudedex.storage.database import Database
    from claudedex.storage.repo_deployers import DeployerRepo

    w3 = async_web3(target.rpc_url, timeout_s=30)
    https = [JsonHttpClient(u, name=n) for u, n in ((goplus_url, "goplus"),
                                                    (honeypot_url, "honeypot")) if u]
    db = Database(target.db_url)
    try:
        await db.open()
        advisory = None
        if https:
            by_name = {h.name: h for h in https}
            advisory = ExternalAdvisory(
                GoPlusClient(by_name["goplus"]) if "goplus" in by_name else None,
                HoneypotIsClient(by_name["honeypot"]) if "honeypot" in by_name else None)
        config = AssessConfig(trade_size_quote=int(size * 10**18), probe_owner=probe_owner)
        scanner = Scanner(w3, target.router, factory=target.factory, config=config,
                          advisory=advisory, history=DeployerRepo(db))
        await scanner.open(target.rpc_url)
        for t in tokens:
            emit(await scanner.scan(t))
        if follow:
            await _follow(scanner, emit, poll_s)
    finally:
        for h in https:
            await h.close()
        await db.close()
        await w3.provider.disconnect()


async def _follow(scanner: Any, emit: Any, poll_s: float) -> None:
    """Follow until SIGINT/SIGTERM; each report is printed as it comes."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    typer.echo(f"following factory {scanner.factory} (Ctrl-C to stop)", err=True)

    async def out(line: dict[str, Any]) -> None:
        emit(line)

    try:
        await scanner.follow(out, stop, poll_s=poll_s)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
