"""Roles and what each may do.

Why four fixed roles and no per-user lists: a token names one role; the table below is the
whole policy, small enough to read in a review. ``admin`` may do everything, issuing
tokens included; ``operator`` trades, decides proposals, halts and resumes, and reads;
``viewer`` only reads; ``auditor`` only reads and verifies the audit log.
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("admin", "operator", "viewer", "auditor")

READS = frozenset({"status", "pairs", "reports", "proposals", "positions", "orders",
                   "balances", "metrics"})
COMMANDS = frozenset({"approve", "reject", "override", "trade", "close", "halt", "resume"})
AUDIT = frozenset({"audit", "audit_verify"})
ADMIN = frozenset({"token"})

GRANTS: dict[str, frozenset[str]] = {
    "admin": READS | COMMANDS | AUDIT | ADMIN,
    "operator": READS | COMMANDS,
    "viewer": READS,
    "auditor": AUDIT,
}


def allowed(role: str, action: str) -> bool:
    """True when ``role`` may run ``action`` (an unknown role may run nothing)."""
    return action in GRANTS.get(role, frozenset())
