"""Build the profile's signer, and wrap it in the guard that carries the profile's limits.

Why two steps: the caller (wiring) owns the halt switch and the audit log, so it passes them
to :func:`guard`; :func:`build_signer` only opens the key or the device.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from claudedex.clock import Clock
from claudedex.config import Profile
from claudedex.errors import ConfigError, SignerRefused
from claudedex.wallet.base import Signer
from claudedex.wallet.guard import (
    Audit,
    BalanceOf,
    GuardedSigner,
    SpendStore,
    Valuer,
    any_token,
)

WEI_PER_ETH = 10**18
USB = "usb"  # signer.device for a Ledger or Trezor on USB (also the default, "")
GWEI = 10**9


def _host_port(device: str, scheme: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(device)
    if parts.scheme != scheme or not parts.hostname:
        raise ConfigError(f"signer.device {device!r}: expected {scheme}://host:port")
    return parts.hostname, parts.port or default_port


def build_signer(
    profile: Profile, data_dir: Path, *, devnet_private_key: str | bytes | None = None
) -> Signer:
    """Open the signer the profile names. Keystore passwords come from ``password_env`` or
    a no-echo prompt; hardware signers connect now and read their address."""
    # here, not at the top: eth_account is slow to import and ``guard`` (a backtest's
    # watch-only signer) needs neither
    from claudedex.wallet.keystore import keystore_dir, read_password, resolve_keystore, unlock
    from claudedex.wallet.local import DevnetSigner

    cfg = profile.signer
    if cfg.kind == "none":
        raise ConfigError(f"profile {profile.name}: no signer configured (signer.kind = none)")
    if cfg.kind == "devnet":
        if profile.mode != "devnet":
            raise ConfigError(f"profile {profile.name}: the devnet signer is for devnet only")
        if devnet_private_key is None:
            raise ConfigError("the devnet signer needs the devnet's dev-account key")
        return DevnetSigner(devnet_private_key)
    if cfg.kind == "keystore":
        path = resolve_keystore(keystore_dir(data_dir), cfg.keystore_path)
        return unlock(path, read_password(env_name=cfg.password_env))
    if cfg.kind == "ledger":
        return _ledger(cfg.device, cfg.derivation_path, devnet_private_key)
    return _trezor(cfg.device, cfg.derivation_path, devnet_private_key)


def _sim_key(key: str | bytes | None) -> bytes:
    if key is None:
        raise ConfigError("signer.device = sim needs the devnet's dev-account key")
    return bytes.fromhex(key.removeprefix("0x")) if isinstance(key, str) else key


def _ledger(device: str, path: str, key: str | bytes | None) -> Signer:
    from claudedex.wallet.ledger import LedgerSigner
    from claudedex.wallet.ledger_transport import HidTransport, TcpTransport

    if device == "sim":
        from claudedex.wallet.sim.ledger_sim import LedgerAppSimulator, SimulatedHidDevice

        sim = SimulatedHidDevice(LedgerAppSimulator(_sim_key(key)))
        return LedgerSigner(HidTransport(sim), path)
    if device and device != USB:
        return LedgerSigner(TcpTransport(*_host_port(device, "tcp", 9999)), path)
    return LedgerSigner(HidTransport(), path)  # USB HID (the `hw` extra: hidapi)


def _trezor(device: str, path: str, key: str | bytes | None) -> Signer:
    from claudedex.wallet.trezor import TrezorSigner
    from claudedex.wallet.trezor_transport import EMULATOR_PORT, HidTransport, UdpTransport

    if device == "sim":
        from claudedex.wallet.sim.trezor_sim import TrezorSimulator, TrezorUdpServer

        server = TrezorUdpServer(TrezorSimulator(_sim_key(key)))  # daemon thread, demo only
        return TrezorSigner(UdpTransport(server.host, server.port), path)
    if device and device != USB:
        transport = UdpTransport(*_host_port(device, "udp", EMULATOR_PORT))
        if not transport.ping():
            transport.close()
            raise SignerRefused(f"no Trezor emulator answers at {device}")
        return TrezorSigner(transport, path)
    return TrezorSigner(HidTransport(), path)  # USB HID (the `hw` extra: hidapi)


def _wei(amount_eth: Decimal) -> int:
    return int(amount_eth * WEI_PER_ETH)


def guard(
    signer: Signer,
    profile: Profile,
    is_halted: Callable[[], bool],
    audit: Audit | None,
    *,
    extra_targets: set[str] | None = None,
    allowed_approve_tokens: set[str] | Callable[[str], bool] = any_token,
    clock: Clock | None = None,
    spend_store: SpendStore | None = None,
    valuer: Valuer | None = None,
    balance_of: BalanceOf | None = None,
) -> GuardedSigner:
    """The profile's limits around ``signer``: caps from ``limits`` (native units, 18
    decimals), routers from ``signer.allowed_targets`` + venue routers + ``extra_targets``
    (devnet routers are only known once deployed), fee cap from ``max_gas_price_gwei``.
    ``valuer`` prices a token-in swap's input in quote wei and ``balance_of`` bounds an
    approval by what the wallet holds (both read the chain; the kernel passes them)."""
    routers = set(profile.signer.allowed_targets)
    routers |= {v.router for v in profile.venues if v.router}
    routers |= extra_targets or set()
    if not routers:
        raise ConfigError(f"profile {profile.name}: no router to allow (venues/allowed_targets)")
    return GuardedSigner(
        signer,
        chain_id=profile.chain.chain_id,
        per_trade_cap_wei=_wei(profile.limits.max_trade_quote),
        daily_cap_wei=_wei(profile.limits.daily_cap_quote),
        allowed_targets=routers,
        allowed_approve_tokens=allowed_approve_tokens,
        is_halted=is_halted,
        audit=audit,
        clock=clock,
        max_fee_per_gas_wei=int(profile.limits.max_gas_price_gwei * GWEI),
        spend_store=spend_store,
        quote_token=profile.chain.quote_token,
        valuer=valuer,
        balance_of=balance_of,
        allow_unlimited_approve=profile.signer.allow_unlimited_approve,
        route_via=tuple(profile.chain.route_via),
    )
