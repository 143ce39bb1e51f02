"""Profiles: one TOML file per profile, validated strictly.

Why strict: a typo such as ``max_slipage_bps`` silently ignored would trade with a default
the operator never chose. Unknown keys and wrong types are refused with one line naming the
file, the key and what was expected. Secrets never live in profiles: only the *names* of
environment variables that hold them.
"""

from __future__ import annotations

import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from claudedex.errors import ConfigError

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChainConfig(Section):
    chain_id: int
    name: str
    native_symbol: str = "ETH"
    rpc_url: str = ""  # literal URL (devnet: empty means start our own anvil)
    rpc_url_env: str = ""  # name of the env var holding the RPC URL (paper/live)
    ws_url_env: str = ""
    quote_token: str = ""  # WETH (or wrapped native) address; devnet fills it in
    block_time_s: Decimal = Decimal("12")


class VenueConfig(Section):
    name: str
    kind: Literal["uniswap_v2"] = "uniswap_v2"
    factory: str = ""
    router: str = ""
    fee_bps: int = Field(default=30, ge=0, le=1000)


class LimitsConfig(Section):
    max_trade_quote: Decimal = Decimal("0.5")
    daily_cap_quote: Decimal = Decimal("2")
    max_open_positions: int = Field(default=5, ge=0)
    max_token_exposure_pct: Decimal = Decimal("25")
    max_slippage_bps: int = Field(default=300, ge=1, le=5000)
    daily_loss_limit_quote: Decimal = Decimal("1")
    max_drawdown_pct: Decimal = Decimal("20")
    max_gas_price_gwei: Decimal = Decimal("200")
    max_priority_fee_gwei: Decimal = Decimal("3")


class ApprovalsConfig(Section):
    # Exits (stop-loss, take-profit, trailing, time, anti-rug) go through without waiting
    # for the operator: a stop that waits for a click is not a stop.
    auto_approve_exits: bool = True
    auto_approve_below_quote: Decimal = Decimal("0")
    auto_approve_verdicts: tuple[Literal["safe", "risky"], ...] = ("safe",)
    proposal_ttl_s: int = Field(default=120, ge=1)


class SignerConfig(Section):
    kind: Literal["devnet", "keystore", "ledger", "trezor", "none"] = "none"
    keystore_path: str = ""
    password_env: str = ""
    derivation_path: str = "m/44'/60'/0'/0/0"
    allowed_targets: tuple[str, ...] = ()
    # ERC-20 approvals are bounded by what the wallet holds; true allows unlimited ones
    allow_unlimited_approve: bool = False
    # ledger/trezor: "" = USB; "tcp://host:port" (Speculos APDU socket); "udp://host:port"
    # (Trezor emulator); "sim" = in-process simulator holding the devnet key (demos only)
    device: str = ""


class StrategyConfig(Section):
    name: str = "momentum"
    params: dict[str, Any] = Field(default_factory=dict)


class StorageConfig(Section):
    url: str = ""  # empty: SQLite in the profile's data dir
    url_env: str = ""  # env var holding a database URL (PostgreSQL in production)
    redis_url_env: str = ""


class ApisConfig(Section):
    dexscreener_url: str = ""
    goplus_url: str = ""
    honeypot_url: str = ""
    aggregator_url: str = ""
    private_relay_url: str = ""
    timeout_s: Decimal = Decimal("5")


class DevnetConfig(Section):
    seed: int = 7
    block_time_s: int = Field(default=1, ge=0)
    launch_rate_per_min: Decimal = Decimal("6")
    market: bool = True
    port: int = Field(default=0, ge=0, le=65535)


class ObservabilityConfig(Section):
    metrics_port: int = Field(default=0, ge=0, le=65535)  # 0: no /metrics endpoint
    metrics_host: str = "127.0.0.1"


class Profile(Section):
    name: str
    mode: Literal["devnet", "paper", "live"]
    description: str = ""
    chain: ChainConfig
    venues: tuple[VenueConfig, ...] = ()
    limits: LimitsConfig = LimitsConfig()
    approvals: ApprovalsConfig = ApprovalsConfig()
    signer: SignerConfig = SignerConfig()
    strategy: StrategyConfig = StrategyConfig()
    storage: StorageConfig = StorageConfig()
    apis: ApisConfig = ApisConfig()
    devnet: DevnetConfig | None = None
    observability: ObservabilityConfig = ObservabilityConfig()

    @field_validator("venues")
    @classmethod
    def _unique_venues(cls, venues: tuple[VenueConfig, ...]) -> tuple[VenueConfig, ...]:
        names = [v.name for v in venues]
        if len(names) != len(set(names)):
            raise ValueError("venue names must be unique")
        return venues

    def rpc_url(self) -> str:
        """The RPC URL, read from the environment for paper/live profiles."""
        if self.chain.rpc_url:
            return self.chain.rpc_url
        if self.chain.rpc_url_env:
            value = os.environ.get(self.chain.rpc_url_env, "")
            if not value:
                raise ConfigError(
                    f"profile {self.name}: environment variable {self.chain.rpc_url_env} "
                    "(chain.rpc_url_env) is not set; export it with your node's RPC URL"
                )
            return value
        return ""


def profile_path(name_or_path: str) -> Path:
    """A profile name resolves to ``profiles/<name>.toml``; a path is taken as is."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        return candidate
    return PROFILE_DIR / f"{name_or_path}.toml"


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def _describe(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ())) or "(top level)"
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"unknown key '{loc}'"
    if kind == "missing":
        return f"missing key '{loc}'"
    return f"key '{loc}': {error.get('msg', 'invalid value')} (got {error.get('input')!r})"


def parse_profile(data: dict[str, Any], source: str) -> Profile:
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{source}: {_describe(dict(first))}{suffix}") from None


def load_profile(name_or_path: str) -> Profile:
    path = profile_path(name_or_path)
    if not path.is_file():
        known = ", ".join(available_profiles())
        raise ConfigError(f"profile '{name_or_path}' not found at {path} (known: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_profile(data, str(path))
