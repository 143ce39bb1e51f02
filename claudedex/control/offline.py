"""Audit a command that ran with no engine up (``claudedex halt`` / ``resume``).

Why: every halt and resume, from every path, belongs in the audit trail. With an engine
running, the engine sees the halt file change and audits it; with none, the command takes
the writer lock for the moment of one append. The halt itself never waits for this: the
file is written first, and a failure here is reported, not fatal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claudedex.config import Profile
from claudedex.control.lock import ProfileBusy, ProfileLock


async def audit_offline(profile: Profile, data_dir: Path, actor: str, action: str,
                        detail: dict[str, Any]) -> bool:
    """Append one audit row when no engine holds the profile; False when one does (it
    audits what it sees). Raises StorageError when the database cannot take the row,
    SecretsError when the profile's secrets (its database URL, its audit key) are locked."""
    from claudedex.builder import storage_url
    from claudedex.secrets.resolve import resolve_profile, use_audit_key
    from claudedex.security.audit import AuditLog
    from claudedex.storage.database import Database

    lock = ProfileLock(data_dir)
    try:
        lock.acquire()
    except ProfileBusy:
        return False
    try:
        profile = resolve_profile(profile)  # loaded unresolved: the stop came first
        if profile.secrets.audit_key_secret:  # the chain's key lives in the secrets store
            use_audit_key(data_dir, profile.secrets.audit_key_secret)
        db = Database(storage_url(profile, data_dir))
        await db.open()
        try:
            await AuditLog(db, key_dir=data_dir).append(actor, action, detail)
        finally:
            await db.close()
    finally:
        lock.release()
    return True
