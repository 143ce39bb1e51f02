"""Control API and secrets store costs; prints JSON.

- ``status_rps``: authenticated ``GET /status`` answers per second from one client (token
  verified, rate-checked, role-checked, dispatched to an unwired engine facade).
- ``halt_ms_p50``: ``POST /halt`` round trip, audit row (keyed SQLite chain) included.
- ``scrypt_ms``: one passphrase-to-key derivation (the store's N=2**15, r=8).
- ``verify_us``: one JWT verification (HS256).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402

from claudedex.api.server import ApiServer  # noqa: E402
from claudedex.api.tokens import TokenIssuer  # noqa: E402
from claudedex.config import ApiConfig, load_profile  # noqa: E402
from claudedex.engine import Engine  # noqa: E402
from claudedex.secrets.crypto import Kdf, StoreKey  # noqa: E402
from claudedex.security.audit import AuditLog  # noqa: E402
from claudedex.storage.database import Database  # noqa: E402


async def http_numbers(tmp: Path, n: int) -> dict[str, float]:
    os.environ["CLAUDEDEX_SECRETS_PASSPHRASE"] = "bench"
    engine = Engine(load_profile("devnet"), data_dir=tmp / "data", wire=False)
    db = Database(f"sqlite+aiosqlite:///{tmp / 'audit.db'}")
    await db.open()
    audit = AuditLog(db, key_dir=tmp / "data")
    server = ApiServer(engine, ApiConfig(enabled=True, port=0, requests_per_min=60_000),
                       profile_name="devnet", data_dir=tmp / "data", audit=audit.append)
    await server.start()
    assert server.issuer is not None
    token = server.issuer.issue("admin", 600)[0]
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            start = time.perf_counter()
            for _ in range(n):
                async with http.get(server.url + "/status") as resp:
                    assert resp.status == 200
                    await resp.read()
            rps = n / (time.perf_counter() - start)
            halts = []
            for _ in range(50):
                t0 = time.perf_counter()
                async with http.post(server.url + "/halt", json={"reason": "bench"}) as resp:
                    assert resp.status == 200
                halts.append((time.perf_counter() - t0) * 1000)
    finally:
        await server.close()
        await db.close()
    return {"status_rps": round(rps, 1), "halt_ms_p50": round(statistics.median(halts), 2)}


def main() -> None:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CLAUDEDEX_HOME"] = tmp
        out = asyncio.run(http_numbers(Path(tmp), n))
    kdf = Kdf.fresh_scrypt()
    t0 = time.perf_counter()
    StoreKey.from_passphrase("bench passphrase", kdf)
    out["scrypt_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    issuer = TokenIssuer(bytes(32), "devnet")
    token = issuer.issue("viewer", 60)[0]
    t0 = time.perf_counter()
    for _ in range(2000):
        issuer.verify(token)
    out["verify_us"] = round((time.perf_counter() - t0) / 2000 * 1e6, 1)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
