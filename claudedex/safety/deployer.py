"""Check 7: the deployer's track record, as far as this process has seen it.

Why a local record: listing every contract an address ever created needs an indexer; the
safety analyzer already judges every token it discovers, so it remembers each deployer's
tokens and verdicts (and the deployer's transaction count says how busy it has been).
"""

from __future__ import annotations

from collections import defaultdict

from claudedex.domain import Finding, Severity, Verdict
from claudedex.rpc.reader import ChainReader


class DeployerHistory:
    """Tokens each deployer launched and how we judged them (in memory)."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, Verdict]] = defaultdict(dict)

    def record(self, deployer: str, token: str, verdict: Verdict) -> None:
        self._seen[deployer.lower()][token.lower()] = verdict

    def tokens(self, deployer: str) -> dict[str, Verdict]:
        return dict(self._seen.get(deployer.lower(), {}))


async def deployer_findings(
    reader: ChainReader, history: DeployerHistory, creator: str | None, token: str
) -> tuple[Finding, ...]:
    if not creator:
        return (Finding("DEPLOYER_UNKNOWN", Severity.INFO,
                        "the node cannot name the contract's creator", {}),)
    nonce = int(await reader.request("eth_getTransactionCount", [creator, "latest"]), 16)
    past = {t: v for t, v in history.tokens(creator).items() if t != token.lower()}
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
