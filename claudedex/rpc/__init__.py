"""Chain clients: the engine's HTTP JSON-RPC connections and raw chain reads live here.

- :mod:`claudedex.rpc.connect`: ``async_web3`` (every ``AsyncWeb3`` over HTTP), with the fix
  for web3.py's cancel-unsafe session lock (issue #3867). The discovery followers' websocket
  subscriptions (``WebSocketProvider``) are their own: that provider has no such lock.
- :mod:`claudedex.rpc.reader`: ``ChainReader``, raw ``eth_call`` / ``eth_simulateV1`` /
  code / storage / logs for safety, discovery and ML observation; reverts are data.
- :mod:`claudedex.rpc.words`: ABI word helpers (``word``, ``addr_word``, ``as_address``).
- :mod:`claudedex.rpc.jsonrpc`: ``rpc_call``, plain JSON-RPC 2.0 over aiohttp for peers web3
  does not speak to (the Flashbots-style relay).

Errors: ``claudedex.errors.ChainError`` (unreachable, malformed) and its subclass
``RpcError`` (the peer answered with a JSON-RPC error object). Only ``connect`` is imported
here, so ``import claudedex.rpc`` stays light (web3 loads when a connection is made).
"""

from __future__ import annotations

from claudedex.rpc.connect import async_web3, install_web3_lock_fix

__all__ = ["async_web3", "install_web3_lock_fix"]
