"""The optional external integrations a profile can name: private relay, aggregator, DexScreener,
the advisory APIs (GoPlus, honeypot.is, TokenSniffer) and the Redis level of their cache.

Why here and not in the builder: each is "when ``apis.<x>_url`` is set, build the client,
register its closer, hand it to its consumer", and a setting that validates but is read by
nobody is a bug (an operator who sets a private relay must actually get one). The builder
calls these; each returns None when the profile leaves the integration off.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import structlog

from claudedex.config import Profile
from claudedex.kernel import Resources

if TYPE_CHECKING:
    from claudedex.apis.cache import TwoLevelCache
    from claudedex.bus import EventBus
    from claudedex.discovery.dexscreener_watch import DexScreenerWatcher
    from claudedex.domain import PairInfo
    from claudedex.execution.aggregator import AggregatorClient
    from claudedex.execution.relay import Broadcaster
    from claudedex.observability.metrics import EngineMetrics
    from claudedex.safety.external import ExternalAdvisory

log = structlog.get_logger(__name__)
Audit = Callable[[str, dict[str, Any]], Awaitable[None]]


def _secret(env_name: str) -> str:
    return os.environ.get(env_name, "") if env_name else ""


def broadcaster_for(profile: Profile, w3: Any, res: Resources,
                    audit: Audit) -> Broadcaster | None:
    """A private-relay broadcaster when ``apis.private_relay_url`` is set, else None (public).

    Without ``private_relay_fallback_public`` a relay that is down fails the order before
    anything is sent publicly. With it, each fallback is written to the audit log.
    """
    from claudedex.execution.relay import (
        FallbackBroadcaster,
        PrivateBroadcaster,
        PublicBroadcaster,
        RelayClient,
    )

    apis = profile.apis
    if not apis.private_relay_url:
        return None
    relay = RelayClient(apis.private_relay_url, auth_key=_secret(apis.private_relay_auth_env),
                        timeout_s=float(apis.timeout_s))
    res.add_closer(relay.close)
    private = PrivateBroadcaster(w3, relay)
    log.info("execution.private_relay", url=apis.private_relay_url,
             public_fallback=apis.private_relay_fallback_public)
    if not apis.private_relay_fallback_public:
        return private

    async def on_fallback(detail: str) -> None:
        log.warning("execution.relay_fallback_public", detail=detail)
        await audit("relay_fallback_public", {"relay": apis.private_relay_url,
                                              "detail": detail})

    return FallbackBroadcaster(private, PublicBroadcaster(w3), on_fallback)


def aggregator_for(profile: Profile, res: Resources) -> AggregatorClient | None:
    """An aggregator client when ``apis.aggregator_url`` is set; the planner takes its route
    only when it beats the direct venues and its calldata passes the same checks."""
    from claudedex.execution.aggregator import AggregatorClient

    apis = profile.apis
    if not apis.aggregator_url:
        return None
    client = AggregatorClient(apis.aggregator_url, profile.chain.chain_id,
                              api_key=_secret(apis.aggregator_api_key_env),
                              timeout_s=float(apis.timeout_s))
    res.add_closer(client.close)
    log.info("execution.aggregator", url=apis.aggregator_url)
    return client


def dexscreener_watcher(
    profile: Profile, bus: EventBus, w3: Any, res: Resources, *, chain_slug: str,
    followed: MutableMapping[str, tuple[str, bool]], poll_interval_s: float = 10.0,
) -> DexScreenerWatcher | None:
    """DexScreener as a second discovery source, limited to the profile's own venues.

    A listed pair is published only when the venue's factory returns it from
    ``getPair(token, quote)`` (DexScreener's ``dexId`` also covers V3 pools and forks), and
    only once across both sources: ``followed`` is the on-chain follower's pair map, checked
    before publishing and updated after, so the follower neither re-publishes the pair nor
    misses its Syncs.
    """
    from aiolimiter import AsyncLimiter
    from eth_utils.address import to_checksum_address

    from claudedex.apis.dexscreener import DexScreenerClient
    from claudedex.apis.http import JsonHttpClient
    from claudedex.discovery.dexscreener_watch import DexScreenerWatcher
    from claudedex.execution import calls
    from claudedex.execution.routing import eth_call

    apis = profile.apis
    factories = {v.name: v.factory for v in profile.venues if v.factory}
    if not apis.dexscreener_url or not factories:
        return None
    limiter = AsyncLimiter(apis.dexscreener_requests_per_min, 60)
    http = JsonHttpClient(apis.dexscreener_url, name="dexscreener",
                          timeout_s=float(apis.timeout_s), limiter=limiter)
    res.add_closer(http.close)
    quote = profile.chain.quote_token.lower()

    async def admit(info: PairInfo) -> bool:
        if info.pair in followed:
            return False
        raw = await eth_call(w3, factories[info.venue], calls.get_pair(
            to_checksum_address(info.token), to_checksum_address(quote)))
        if calls.decode_address(raw).lower() != info.pair or info.pair in followed:
            return False
        followed[info.pair] = (info.token, int(quote, 16) < int(info.token, 16))
        return True

    log.info("discovery.dexscreener", url=apis.dexscreener_url, chain=chain_slug,
             venues=sorted(factories))
    return DexScreenerWatcher(bus, DexScreenerClient(http), profile.chain.chain_id, chain_slug,
                              quote, {name: name for name in factories},
                              poll_interval_s=poll_interval_s, admit=admit)


async def api_cache_for(profile: Profile, res: Resources, w3: Any,
                        metrics: EngineMetrics | None) -> TwoLevelCache:
    """The engine's two-level cache: L1 in process, L2 Redis when ``storage.redis_url_env``
    names a set variable. Keys live under the chain's id and genesis hash (two devnets share
    a chain id and token addresses). Also caches token metadata by block on ``w3``."""
    from claudedex.apis.cache import make_cache
    from claudedex.tokenmeta import cache_token_meta

    redis_url = _secret(profile.storage.redis_url_env)
    genesis = await w3.eth.get_block(0)
    chain = f"{profile.chain.chain_id}:{bytes(genesis['hash']).hex()[:16]}"
    cache = make_cache(redis_url, l1_ttl_s=profile.storage.cache_l1_ttl_s,
                       namespace=f"claudedex:{chain}")
    res.add_closer(cache.close)
    if metrics is not None:
        metrics.ops.watch_cache(cache.stats)
    cache_token_meta(w3, cache, chain)
    log.info("cache.ready", l1_ttl_s=cache.l1_ttl_s, l2="redis" if redis_url else "off")
    return cache


def advisory_for(profile: Profile, res: Resources,
                 cache: TwoLevelCache | None) -> ExternalAdvisory | None:
    """GoPlus, honeypot.is and TokenSniffer, each when its ``apis.*_url`` is set, through the
    engine's cache; None when the profile names none."""
    from claudedex.safety.external import advisory_from_config

    apis = profile.apis
    if apis.tokensniffer_url and not _secret(apis.tokensniffer_api_key_env):
        log.warning("safety.tokensniffer_no_key", env=apis.tokensniffer_api_key_env,
                    detail="apis.tokensniffer_api_key_env names no set variable: TokenSniffer "
                           "will refuse every request (shown as unavailable)")
    advisory = advisory_from_config(
        apis.goplus_url, apis.honeypot_url, timeout_s=float(apis.timeout_s),
        redis_url=_secret(profile.storage.redis_url_env), cache=cache,
        tokensniffer_url=apis.tokensniffer_url,
        tokensniffer_key=_secret(apis.tokensniffer_api_key_env))
    if advisory is not None:
        for client in (advisory.goplus, advisory.honeypot, advisory.tokensniffer):
            if client is not None:
                res.add_closer(client.http.close)
        log.info("safety.advisory", goplus=bool(apis.goplus_url),
                 honeypot=bool(apis.honeypot_url), tokensniffer=bool(apis.tokensniffer_url))
    return advisory


__all__ = ["advisory_for", "aggregator_for", "api_cache_for", "broadcaster_for",
           "dexscreener_watcher"]
