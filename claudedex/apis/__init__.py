"""Clients for external market and security APIs (DexScreener, GoPlus, honeypot.is).

Each sits behind timeouts, retries and a circuit breaker; tests and the devnet talk to local
aiohttp servers that speak the same documented JSON (``claudedex.apis.testing``).
"""
