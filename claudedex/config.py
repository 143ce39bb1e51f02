"""Profiles: one TOML file per profile, validated strictly.

Why strict: a typo such as ``max_slipage_bps`` silently ignored would trade with a default
the operator never chose. Unknown keys and wrong types are refused with one line naming the
file, the key and what was expected. Secrets never live in profiles: only the *names* of
environment variables that hold them, or of secrets in the encrypted store
(``"secret:NAME"``, resolved at load by :mod:`claudedex.secrets.resolve`).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from claudedex.errors import ConfigError

PROFILE_DIR = Path(__file__).resolve().parent.parent / "profiles"

# The bounds every amount of money, percentage and basis-point figure in a profile obeys:
# a limit of 0 or -1 ETH, or a 250% drawdown, is a typo that must not reach a trade.
Money = Annotated[Decimal, Field(gt=0)]  # a limit in quote (or gas) units: > 0
MoneyOrZero = Annotated[Decimal, Field(ge=0)]  # a threshold where 0 means "off"
Pct = Annotated[Decimal, Field(gt=0, le=100)]
Bps = Annotated[int, Field(ge=0, le=10_000)]
Seconds = Annotated[Decimal, Field(gt=0)]
# One path component (the data dir's name under CLAUDEDEX_HOME): no '/', no '..', not empty.
PROFILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


LIVE_CONFIRMATIONS = 2  # a live profile that names no confirmations waits for this many


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
    # other quote assets (stablecoins) a swap may route through: WETH -> USDC -> TOKEN
    route_via: tuple[Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")], ...] = ()
    # blocks on top of a fill's block before the order is final (reorg watch); unset: 0 on
    # devnet/paper, LIVE_CONFIRMATIONS on live (see Profile.confirmations)
    confirmations: int | None = Field(default=None, ge=0, le=64)
    block_time_s: Seconds = Decimal("12")


class VenueConfig(Section):
    name: str
    kind: Literal["uniswap_v2"] = "uniswap_v2"
    factory: str = ""
    router: str = ""
    fee_bps: Bps = Field(default=30, le=1000)


class LimitsConfig(Section):
    max_trade_quote: Money = Decimal("0.5")
    daily_cap_quote: Money = Decimal("2")
    max_open_positions: int = Field(default=5, ge=0)
    max_token_exposure_pct: Pct = Decimal("25")
    max_slippage_bps: Bps = Field(default=300, ge=1, le=5000)
    # a failed exit is retried with its slippage doubled each time, up to this bound
    max_exit_slippage_bps: Bps = Field(default=1500, ge=1, le=9000)
    # price impact of the route sent (pool fees included), checked before signing on every
    # path; exits have a wider limit so a stop-loss in a thinned pool still gets out
    max_price_impact_bps: Bps = Field(default=1000, ge=1, le=9000)
    max_exit_price_impact_bps: Bps = Field(default=3000, ge=1, le=9900)
    daily_loss_limit_quote: Money = Decimal("1")
    max_drawdown_pct: Pct = Decimal("20")
    max_gas_price_gwei: Money = Decimal("200")
    max_priority_fee_gwei: MoneyOrZero = Decimal("3")  # 0: no tip (some L2s)


class ApprovalsConfig(Section):
    # Exits (stop-loss, take-profit, trailing, time, anti-rug) go through without waiting
    # for the operator: a stop that waits for a click is not a stop.
    auto_approve_exits: bool = True
    auto_approve_below_quote: MoneyOrZero = Decimal("0")  # 0: never auto-approve by size
    auto_approve_verdicts: tuple[Literal["safe", "risky"], ...] = ("safe",)
    proposal_ttl_s: int = Field(default=120, ge=1)


class ConsoleConfig(Section):
    """The operator console's attention cues (``[console]``): a terminal bell and a toast
    when a proposal arrives and when an exit fails; each can be turned off."""

    bell_on_proposal: bool = True
    toast_on_proposal: bool = True
    bell_on_failed_exit: bool = True
    toast_on_failed_exit: bool = True


class SignerConfig(Section):
    kind: Literal["devnet", "keystore", "ledger", "trezor", "none"] = "none"
    keystore_path: str = ""
    password_env: str = ""
    derivation_path: str = "m/44'/60'/0'/0/0"
    allowed_targets: tuple[str, ...] = ()
    # ERC-20 approvals are bounded by what the wallet holds; true allows unlimited ones
    allow_unlimited_approve: bool = False
    # ledger/trezor: "usb" or "" = USB HID (pip install 'claudedex[hw]' for hidapi);
    # "tcp://host:port" (Speculos APDU socket); "udp://host:port"
    # (Trezor emulator); "sim" = in-process simulator holding the devnet key (demos only)
    device: str = ""


class StrategyConfig(Section):
    name: str = "momentum"
    params: dict[str, Any] = Field(default_factory=dict)


class StorageConfig(Section):
    url: str = ""  # empty: SQLite in the profile's data dir
    url_env: str = ""  # env var holding a database URL (PostgreSQL in production)
    redis_url_env: str = ""  # env var with a Redis URL: the cache's second level (L2)
    # how long an answer stays in the process (L1); 0: every lookup goes to Redis (several
    # processes then see one another's answers at once). Redis keeps the full TTL.
    cache_l1_ttl_s: int = Field(default=60, ge=0, le=3600)


class ApisConfig(Section):
    dexscreener_url: str = ""
    goplus_url: str = ""
    honeypot_url: str = ""
    tokensniffer_url: str = ""  # https://tokensniffer.com (advisory, like GoPlus)
    tokensniffer_api_key_env: str = ""  # env var with the TokenSniffer API key
    aggregator_url: str = ""
    aggregator_api_key_env: str = ""  # env var with the aggregator's API key (Bearer)
    private_relay_url: str = ""
    private_relay_auth_env: str = ""  # env var with the relay reputation key (no funds)
    # relay down or refusing: send publicly instead (the protection is lost for that order)
    private_relay_fallback_public: bool = False
    dexscreener_requests_per_min: int = Field(default=60, ge=1, le=600)
    timeout_s: Seconds = Decimal("5")


class DevnetConfig(Section):
    seed: int = 7
    block_time_s: int = Field(default=1, ge=0)
    launch_rate_per_min: Annotated[Decimal, Field(ge=0)] = Decimal("6")
    market: bool = True
    port: int = Field(default=0, ge=0, le=65535)


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IPs (127.0.0.0/8, ::1); "" means every interface."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


class ObservabilityConfig(Section):
    """The /metrics endpoint. Metrics name the tokens and amounts traded, so it binds to
    loopback unless the profile opts in with ``metrics_public = true``."""

    metrics_port: int = Field(default=0, ge=0, le=65535)  # 0: no /metrics endpoint
    metrics_public: bool = False  # declared before metrics_host: its validator reads it
    metrics_host: str = "127.0.0.1"

    @field_validator("metrics_host")
    @classmethod
    def _loopback_unless_public(cls, host: str, info: ValidationInfo) -> str:
        if not info.data.get("metrics_public", False) and not is_loopback_host(host):
            raise PydanticCustomError(
                "metrics_not_loopback",
                "not a loopback address; metrics name the tokens and amounts traded, so "
                "serving them beyond this machine needs metrics_public = true",
            )
        return host


class ApiConfig(Section):
    """The control API (``claudedex/api``): off unless ``enabled``; loopback unless
    ``public = true``; HTTPS when ``tls_cert`` names a PEM certificate (``tls_key`` its key
    when the certificate file does not hold it). Tokens are signed with the secret named
    ``jwt_key_secret`` in the profile's secrets store."""

    enabled: bool = False
    port: int = Field(default=8787, ge=0, le=65535)  # 0: any free port (tests)
    public: bool = False  # declared before host: its validator reads it
    host: str = "127.0.0.1"
    tls_cert: str = ""
    tls_key: str = ""
    jwt_key_secret: str = "api-jwt-key"
    requests_per_min: int = Field(default=120, ge=1, le=60_000)  # per token

    @field_validator("tls_key")
    @classmethod
    def _api_key_needs_cert(cls, key: str, info: ValidationInfo) -> str:
        if key and not info.data.get("tls_cert"):  # else served as plain HTTP, silently
            raise PydanticCustomError(
                "api_key_without_cert", "tls_key is set but tls_cert is not; set both for HTTPS")
        return key

    @field_validator("host")
    @classmethod
    def _api_loopback_unless_public(cls, host: str, info: ValidationInfo) -> str:
        if not info.data.get("public", False) and not is_loopback_host(host):
            raise PydanticCustomError(
                "api_not_loopback",
                "not a loopback address; the control API trades and halts, so serving it "
                "beyond this machine needs public = true (and tls_cert)",
            )
        return host


class SecretsConfig(Section):
    """Secrets the engine takes from the store by name (values never live in profiles)."""

    audit_key_secret: str = ""  # the audit MAC key (64 hex); "" = audit.key in the data dir


class Profile(Section):
    name: str = Field(pattern=PROFILE_NAME)
    mode: Literal["devnet", "paper", "live"]
    description: str = ""
    chain: ChainConfig
    venues: tuple[VenueConfig, ...] = ()
    limits: LimitsConfig = LimitsConfig()
    approvals: ApprovalsConfig = ApprovalsConfig()
    console: ConsoleConfig = ConsoleConfig()
    signer: SignerConfig = SignerConfig()
    strategy: StrategyConfig = StrategyConfig()
    storage: StorageConfig = StorageConfig()
    apis: ApisConfig = ApisConfig()
    devnet: DevnetConfig | None = None
    observability: ObservabilityConfig = ObservabilityConfig()
    api: ApiConfig = ApiConfig()
    secrets: SecretsConfig = SecretsConfig()

    @field_validator("venues")
    @classmethod
    def _unique_venues(cls, venues: tuple[VenueConfig, ...]) -> tuple[VenueConfig, ...]:
        names = [v.name for v in venues]
        if len(names) != len(set(names)):
            raise ValueError("venue names must be unique")
        return venues

    @model_validator(mode="after")
    def _paper_holds_no_key(self) -> Profile:
        """Paper signs and sends nothing: a signer would only sit unlocked in the process
        (a keystore's key decrypted, a hardware wallet opened) for no use."""
        if self.mode == "paper" and self.signer.kind != "none":
            raise ValueError(f'mode "paper" signs nothing: signer.kind must be "none", not '
                             f'"{self.signer.kind}"')
        return self

    @property
    def confirmations(self) -> int:
        """Blocks on top of a fill before it is final: the profile's, else 0 on devnet and
        paper, :data:`LIVE_CONFIRMATIONS` on live."""
        if self.chain.confirmations is not None:
            return self.chain.confirmations
        return LIVE_CONFIRMATIONS if self.mode == "live" else 0

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


def _describe(error: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    loc = ".".join(str(part) for part in (*prefix, *error.get("loc", ()))) or "(top level)"
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"unknown key '{loc}'"
    if kind == "missing":
        return f"missing key '{loc}'"
    if kind == "string_pattern_mismatch" and loc == "name":
        return (f"key 'name': {error.get('input')!r} cannot name the profile's data dir: use "
                "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if isinstance(error.get("input"), dict):  # a whole section: its keys are not the news
        return f"key '{loc}': {msg}"
    return f"key '{loc}': {msg} (got {error.get('input')!r})"


def _refusal(exc: ValidationError, source: str, prefix: tuple[str, ...] = ()) -> ConfigError:
    first = exc.errors()[0]
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    from claudedex.secrets.resolve import scrub  # a "secret:NAME" value is never echoed

    return ConfigError(scrub(f"{source}: {_describe(dict(first), prefix)}{suffix}"))


def parse_profile(data: dict[str, Any], source: str) -> Profile:
    """The validated profile, its strategy's params included (typed per strategy)."""
    from claudedex.strategy.params import check_params  # strategy imports this module

    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise _refusal(exc, source) from None
    try:
        check_params(profile.strategy.name, profile.strategy.params)
    except ValidationError as exc:
        raise _refusal(exc, source, ("strategy", "params")) from None
    return profile


def load_profile(name_or_path: str, *, resolve_secrets: bool = True) -> Profile:
    """The validated profile; ``"secret:NAME"`` values come from the secrets store unless
    ``resolve_secrets`` is False (the emergency stop must never wait for a passphrase)."""
    path = profile_path(name_or_path)
    if not path.is_file():
        known = ", ".join(available_profiles())
        raise ConfigError(f"profile '{name_or_path}' not found at {path} (known: {known})")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (bad byte at offset {exc.start}); a "
                          "profile is a TOML text file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the profile: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if resolve_secrets:
        from claudedex.secrets.resolve import resolve_references  # "secret:NAME" values

        data = resolve_references(data, str(path))
    return parse_profile(data, str(path))
