"""Check 7: the deployer's track record: every token of theirs we judged, and how.

Why a store behind a protocol: listing every contract an address ever created needs an
indexer, but the safety layer already judges every token it meets, so it remembers each
deployer's tokens and verdicts. The engine and ``claudedex scan`` share one record through
the database (``claudedex.storage.repo_deployers.DeployerRepo``), so a deployer's earlier
scams are known to whichever of them meets its next token; tests and one-off assessors use
the in-memory :class:`DeployerHistory`. The deployer's transaction count says how busy it
has been.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from claudedex.domain import Finding, Severity, Verdict
from claudedex.errors import StorageError
from claudedex.rpc.reader import ChainReader


class DeployerStore(Protocol):
    """Where deployer history lives. Addresses are compared lower-case."""

    async def record(self, chain_id: int, deployer: str, token: str, verdict: Verdict) -> None:
        """Remember ``verdict`` as the latest judgement of ``deployer``'s ``token``."""
        ...

    async def tokens(self, chain_id: int, deployer: str) -> dict[str, Verdict]:
        """Every token of ``deployer`` seen on ``chain_id`` -> its latest verdict."""
        ...


class DeployerHistory:
    """In-memory DeployerStore (one process; the engine and scan use the database's)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, str], dict[str, Verdict]] = defaultdict(dict)

    async def record(self, chain_id: int, deployer: str, token: str, verdict: Verdict) -> None:
        self._seen[(chain_id, deployer.lower())][token.lower()] = verdict

    async def tokens(self, chain_id: int, deployer: str) -> dict[str, Verdict]:
        return dict(self._seen.get((chain_id, deployer.lower()), {}))


async def deployer_findings(
    reader: ChainReader, history: DeployerStore, chain_id: int, creator: str | None, token: str
) -> tuple[Finding, ...]:
    """DEPLOYER_LAUNCHED_SCAMS (medium) when an earlier token of the creator was a scam."""
    if not creator:
        return (Finding("DEPLOYER_UNKNOWN", Severity.INFO,
                        "the node cannot name the contract's creator", {}),)
    nonce = int(await reader.request("eth_getTransactionCount", [creator, "latest"]), 16)
    try:
        seen = await history.tokens(chain_id, creator)
    except StorageError as exc:
        return (Finding("DEPLOYER_HISTORY_UNAVAILABLE", Severity.INFO,
                        f"the deployer history could not be read: {exc}",
                        {"creator": creator, "nonce": str(nonce)}),)
    past = {t: v for t, v in seen.items() if t != token.lower()}
    scams = sorted(t for t, v in past.items() if v is Verdict.SCAM)
    evidence = {"creator": creator, "nonce": str(nonce), "tokens_seen": str(len(past))}
    if scams:
        evidence["scams"] = ",".join(scams[:5])
        return (Finding("DEPLOYER_LAUNCHED_SCAMS", Severity.MEDIUM,
                        f"the deployer launched {len(scams)} token(s) we judged scams",
                        evidence),)
    return (Finding("DEPLOYER", Severity.INFO,
                    f"deployer {creator}: {len(past)} other token(s) seen, nonce {nonce}",
                    evidence),)
