"""web3.py's and aiohttp's exception classes, imported when an ``except`` clause needs one.

Why: ``import web3.exceptions`` imports the whole ``web3`` package (eth-account, ENS,
the providers: about 0.4 s) and ``import aiohttp`` its client (70 ms), and execution's
error handling is imported by every engine, a backtest's included, which never talks to
a node. An ``except`` clause's expression is
evaluated only when an exception reaches it, so ``except (*ERRORS, web3_exception()):``
costs nothing on a path where web3 raises nothing, and is exactly the old clause where
it does. Each function returns the class itself (``issubclass`` holds as before).
"""

from __future__ import annotations

from functools import cache


@cache
def client_error() -> type[Exception]:
    """``aiohttp.ClientError``: the base of aiohttp's client errors (connection, payload,
    response), which web3.py's HTTP provider lets through."""
    from aiohttp import ClientError

    return ClientError


@cache
def web3_exception() -> type[Exception]:
    """``web3.exceptions.Web3Exception``: the base of every error web3.py raises itself."""
    from web3.exceptions import Web3Exception

    return Web3Exception


@cache
def block_not_found() -> type[Exception]:
    """``web3.exceptions.BlockNotFound``: the node has no block at that number or hash."""
    from web3.exceptions import BlockNotFound

    return BlockNotFound


@cache
def transaction_not_found() -> type[Exception]:
    """``web3.exceptions.TransactionNotFound``: no such transaction (or receipt) yet."""
    from web3.exceptions import TransactionNotFound

    return TransactionNotFound


__all__ = ["block_not_found", "client_error", "transaction_not_found", "web3_exception"]
