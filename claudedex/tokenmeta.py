"""Read a token's name, symbol, decimals and totalSupply without trusting any of them.

Why one module: every answer a token gives is attacker-chosen bytes. A token may have no
``decimals()``, answer 2**256-1 (``Decimal(10) ** d`` then overflows), return ``bytes32``
instead of ``string``, invalid UTF-8, terminal escapes or a megabyte of text, or revert.
Discovery, safety, ML observation and the manual trade path all read through here, so each
answer is bounded and validated once:

* decimals: 0..:data:`MAX_DECIMALS` accepted; anything else (a revert, an empty or short
  answer, a bigger number) is ``None`` plus the raw answer, which :func:`metadata_findings`
  turns into a ``BAD_DECIMALS`` finding and :func:`require_decimals` into a refusal;
* name, symbol: ``string`` or ``bytes32`` ABI answers, invalid UTF-8 replaced, control and
  format characters dropped, at most :data:`TEXT_MAX` characters; never an exception;
* totalSupply: a uint256 or ``None``.

Every call is gas-capped (:data:`CALL_GAS`): a token whose ``symbol()`` loops or returns a
huge buffer runs out of gas, and that reads as "no answer" (like a revert), so it cannot
stall discovery. Only errors of the node itself (:class:`~claudedex.errors.ChainError`:
unreachable, rate-limited, malformed) leave these functions.

Pure code (no chain client import at run time): a :class:`Caller` is anything with
``ChainReader.call``'s shape, so layers that must not import chain clients may still use
:func:`safe_units` and the decoders.
"""

from __future__ import annotations

import asyncio
import unicodedata
import weakref
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from claudedex.domain import Finding, Severity
from claudedex.errors import ChainError, RpcError, UserInputError

NAME = bytes.fromhex("06fdde03")  # name()
SYMBOL = bytes.fromhex("95d89b41")  # symbol()
DECIMALS = bytes.fromhex("313ce567")  # decimals()
TOTAL_SUPPLY = bytes.fromhex("18160ddd")  # totalSupply()

MAX_DECIMALS = 36  # more than this cannot be a real token's, and 10**d stays exact
DEFAULT_DECIMALS = 18  # what a display assumes when the token gives no valid number
TEXT_MAX = 64  # characters kept of a name or symbol
RAW_TEXT_MAX = TEXT_MAX * 4 + 16  # bytes of an answer looked at (4 UTF-8 bytes a char)
CALL_GAS = 200_000  # a real token answers these in a few thousand gas
WORD = 32

# Bidirectional overrides ("Trojan Source"), zero-width and other invisible characters,
# control characters (ESC, BEL, C1), surrogates, private use, unassigned, line separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class Caller(Protocol):
    """What the readers need: ``ChainReader.call`` (``None`` when the call reverts)."""

    async def call(self, to: str, data: bytes, *, block: str | int = "latest",
                   gas: int | None = None) -> bytes | None: ...


class BadDecimals(UserInputError):
    """A token whose ``decimals()`` is missing or out of range, where a number is needed."""


@dataclass(frozen=True, slots=True)
class DecimalsRead:
    """``decimals()`` as answered: ``value`` 0..MAX_DECIMALS, or ``None`` and why."""

    value: int | None
    raw: str  # the answer for evidence: the number, "reverted", "empty" or hex

    @property
    def problem(self) -> str:
        """Why ``value`` is None, in words ('' when it is valid)."""
        if self.value is not None:
            return ""
        if self.raw in ("reverted", "empty"):
            return f"decimals() {'reverted' if self.raw == 'reverted' else 'returned nothing'}"
        if self.raw.startswith("0x"):
            return "decimals() returned a malformed answer"
        return f"decimals() returned {_short(self.raw)}"


@dataclass(frozen=True, slots=True)
class TextRead:
    """A decoded name or symbol; ``odd`` when anything was dropped, replaced or cut."""

    text: str
    odd: bool = False


@dataclass(frozen=True, slots=True)
class TokenMeta:
    """Everything :func:`read_token_meta` learned, every field bounded."""

    token: str
    name: str
    symbol: str
    decimals: DecimalsRead
    total_supply: int | None
    odd_text: bool = False  # name or symbol needed cleaning (see TextRead.odd)

    @property
    def display_decimals(self) -> int:
        """The decimals to show amounts with: the token's, or 18 when it gave none valid."""
        value = self.decimals.value
        return value if value is not None else DEFAULT_DECIMALS


def _short(text: str, keep: int = 24) -> str:
    return text if len(text) <= keep else f"{text[:keep]}...({len(text)} digits)"


def clean_text(raw: bytes | str) -> str:
    """Printable text only: control and format characters dropped, at most TEXT_MAX."""
    return _clean(raw).text


def _clean(raw: bytes | str) -> TextRead:
    cut, replaced = len(raw) > RAW_TEXT_MAX, False  # look at a bounded prefix only
    if isinstance(raw, str):
        text = raw[:RAW_TEXT_MAX]
    else:
        try:
            text = raw[:RAW_TEXT_MAX].decode("utf-8")
        except UnicodeDecodeError:
            text, replaced = raw[:RAW_TEXT_MAX].decode("utf-8", errors="replace"), True
    kept = [ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES]
    out = "".join(kept).strip()
    odd = cut or replaced or len(kept) != len(text) or len(out) > TEXT_MAX
    return TextRead(out[:TEXT_MAX], odd)


def _abi_string(out: bytes) -> bytes | None:
    """The bytes of an ABI-encoded ``string``/``bytes`` answer, or None if it is not one."""
    if len(out) < 2 * WORD:
        return None
    offset = int.from_bytes(out[:WORD], "big")
    if offset + WORD > len(out):
        return None
    length = int.from_bytes(out[offset:offset + WORD], "big")
    if length > len(out) - offset - WORD:
        return None
    start = offset + WORD
    return out[start:start + min(length, RAW_TEXT_MAX + 1)]


def decode_text(out: bytes | None) -> TextRead:
    """A name/symbol answer (``string`` or ``bytes32`` style) as bounded, inert text."""
    if not out:
        return TextRead("")
    body = _abi_string(out)
    if body is not None:
        return _clean(body)
    word = out[:WORD]
    text, _, tail = word.partition(b"\0")  # bytes32 style: text up to the first NUL
    read = _clean(text)
    return TextRead(read.text, read.odd or any(tail) or len(out) != WORD)


def decode_string(out: bytes | None) -> str:
    """:func:`decode_text`, text only."""
    return decode_text(out).text


def decode_decimals(out: bytes | None) -> DecimalsRead:
    """A ``decimals()`` answer (``None``: the call reverted), validated to 0..MAX_DECIMALS."""
    if out is None:
        return DecimalsRead(None, "reverted")
    if not out:
        return DecimalsRead(None, "empty")
    if len(out) < WORD:
        return DecimalsRead(None, "0x" + out.hex())
    value = int.from_bytes(out[:WORD], "big")
    return DecimalsRead(value if value <= MAX_DECIMALS else None, str(value))


def decode_uint(out: bytes | None) -> int | None:
    """A uint256 answer (``totalSupply()``), or ``None`` for a revert or a short answer."""
    if out is None or len(out) < WORD:
        return None
    return int.from_bytes(out[:WORD], "big")


# How nodes word a call that ran out of gas or hit a bad opcode (geth: "out of gas",
# anvil: "EVM error OutOfGas" / "EVM error InvalidFEOpcode"): the token's doing, no answer.
_EVM_FAILURES = ("evmerror", "outofgas", "invalidopcode", "stackunderflow", "stackoverflow",
                 "invalidjump", "memorylimit", "memoryoog", "revert")


def _evm_failure(exc: RpcError) -> bool:
    message = exc.rpc_message.lower().replace(" ", "").replace("_", "")
    return exc.method == "eth_call" and any(word in message for word in _EVM_FAILURES)


async def _call(caller: Caller, token: str, data: bytes, block: str | int) -> bytes | None:
    """One gas-capped read; ``None`` when the token reverted or its code failed."""
    try:
        out = await caller.call(token, data, block=block, gas=CALL_GAS)
    except RpcError as exc:
        if _evm_failure(exc):  # a gas bomb must not stall discovery: it just has no answer
            return None
        raise
    except (ValueError, TypeError) as exc:  # a node answering something that is not hex
        raise ChainError(f"eth_call {token}: malformed answer: {exc}") from exc
    return bytes(out) if out is not None else None


async def read_decimals(caller: Caller, token: str, *, block: str | int = "latest"
                        ) -> DecimalsRead:
    return decode_decimals(await _call(caller, token, DECIMALS, block))


async def read_total_supply(caller: Caller, token: str, *, block: str | int = "latest"
                            ) -> int | None:
    return decode_uint(await _call(caller, token, TOTAL_SUPPLY, block))


async def require_decimals(caller: Caller, token: str) -> int:
    """The token's decimals, or :class:`BadDecimals` naming what it answered."""
    read = await read_decimals(caller, token)
    if read.value is None:
        raise BadDecimals(f"token {token}: {read.problem} (0-{MAX_DECIMALS} accepted); "
                          "its amounts cannot be scaled")
    return read.value


class MetaCache(Protocol):
    """JSON values under string keys with a TTL (``claudedex.apis.cache.TwoLevelCache``)."""

    async def get(self, key: str) -> Any | None: ...

    async def set(self, key: str, value: Any, ttl_s: int) -> None: ...


# web3 connection -> (cache, namespace): readers over that connection share its cache
_META_CACHES: weakref.WeakKeyDictionary[Any, tuple[MetaCache, str]] = (
    weakref.WeakKeyDictionary())
META_TTL_S = 3600  # an answer at a given block never changes; this only bounds the memory


def cache_token_meta(w3: Any, cache: MetaCache, namespace: str) -> None:
    """Cache metadata read through ``w3`` (any reader with ``.w3``) by token and block.

    ``namespace`` must tell chains apart (chain id and genesis hash): two devnets share
    chain id and addresses. A "latest" read is pinned to the head block number first (one
    ``eth_blockNumber``), so the discovery follower and the safety check reading the same
    token in the same block make four ``eth_call`` once, not twice.
    """
    _META_CACHES[w3] = (cache, namespace)


def _meta_json(meta: TokenMeta) -> dict[str, Any]:
    return {"token": meta.token, "name": meta.name, "symbol": meta.symbol,
            "decimals": meta.decimals.value, "raw": meta.decimals.raw,
            "supply": None if meta.total_supply is None else str(meta.total_supply),
            "odd": meta.odd_text}


def _meta_from(d: dict[str, Any]) -> TokenMeta:
    dec = d["decimals"]
    return TokenMeta(token=str(d["token"]), name=str(d["name"]), symbol=str(d["symbol"]),
                     decimals=DecimalsRead(dec if isinstance(dec, int) else None, str(d["raw"])),
                     total_supply=None if d["supply"] is None else int(d["supply"]),
                     odd_text=bool(d["odd"]))


async def read_token_meta(caller: Caller, token: str, *, block: str | int = "latest"
                          ) -> TokenMeta:
    """Name, symbol, decimals and totalSupply of ``token``, each bounded (see module doc);
    from the connection's cache when :func:`cache_token_meta` set one."""
    w3 = getattr(caller, "w3", None)
    bound = _META_CACHES.get(w3) if w3 is not None else None
    head = getattr(caller, "block_number", None)  # ChainReader.block_number
    if bound is None or not (isinstance(block, int) or (block == "latest" and head)):
        return await _read_token_meta(caller, token, block)
    cache, namespace = bound
    number = block if isinstance(block, int) else int(await head())  # type: ignore[misc]
    key = f"meta:{namespace}:{token.lower()}:{number}"
    try:
        hit = await cache.get(key)
        if isinstance(hit, dict):
            return _meta_from(hit)
    except (KeyError, TypeError, ValueError):
        pass  # a foreign or stale entry: read the chain
    meta = await _read_token_meta(caller, token, number)
    await cache.set(key, _meta_json(meta), META_TTL_S)
    return meta


async def _read_token_meta(caller: Caller, token: str, block: str | int) -> TokenMeta:
    name, symbol, decimals, supply = await asyncio.gather(
        _call(caller, token, NAME, block), _call(caller, token, SYMBOL, block),
        _call(caller, token, DECIMALS, block), _call(caller, token, TOTAL_SUPPLY, block))
    name_read, symbol_read = decode_text(name), decode_text(symbol)
    return TokenMeta(token=token, name=name_read.text, symbol=symbol_read.text,
                     decimals=decode_decimals(decimals), total_supply=decode_uint(supply),
                     odd_text=name_read.odd or symbol_read.odd)


def metadata_findings(meta: TokenMeta) -> tuple[Finding, ...]:
    """``BAD_DECIMALS`` (high) for unusable decimals; ``ODD_METADATA`` (low) for text
    that had to be cleaned (escapes, invalid UTF-8, over-long: a spoofing attempt)."""
    out: list[Finding] = []
    if meta.decimals.value is None:
        out.append(Finding(
            "BAD_DECIMALS", Severity.HIGH,
            f"{meta.decimals.problem} (0-{MAX_DECIMALS} accepted): amounts in this token "
            "cannot be scaled, so it cannot be traded by size",
            {"raw": meta.decimals.raw, "accepted": f"0-{MAX_DECIMALS}"}))
    if meta.odd_text:
        out.append(Finding(
            "ODD_METADATA", Severity.LOW,
            "name()/symbol() held control characters, invalid UTF-8 or over-long text "
            "(shown cleaned)", {"name": meta.name, "symbol": meta.symbol}))
    return tuple(out)


def safe_units(amount: int, decimals: int) -> Decimal | None:
    """``amount`` base units in whole tokens, exactly; ``None`` when ``decimals`` is not
    0..36 (where ``Decimal(10) ** decimals`` would overflow or mean nothing)."""
    if isinstance(decimals, bool) or not 0 <= decimals <= MAX_DECIMALS:
        return None
    return Decimal(f"{int(amount)}E-{decimals}")  # the constructor is exact, no context
