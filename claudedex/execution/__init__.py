"""Order execution: state machine, nonces, fees, slippage, routing, private send, recovery.

Why one package with small modules: each safety property (no nonce reuse, journal before
side effect, exact amountOutMin, private send) lives in one file that can be read and tested
on its own; :mod:`claudedex.execution.engine` only composes them.
"""
