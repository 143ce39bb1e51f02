"""Read routes on a running engine with odd query and path values: 400 or 404, never 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.test_api_devnet import Client

pytestmark = pytest.mark.anvil

ODD = ["/audit?after_id=99999999999999999999999", "/audit?after_id=-99999999999999999999999",
       "/audit?after_id=1e3", "/audit?limit=99999999999999999999", "/orders?limit=0",
       "/pairs?limit=x", "/reports/0x" + "f" * 40, "/reports/%ED%A0%80", "/reports/..%2F..",
       "/orders?open=maybe", "/reports?limit=-1"]


async def test_odd_reads_are_refused_not_internal_errors(api_engine: Any) -> None:
    async with api_engine() as engine:
        call = Client(engine)
        admin, _ = call.token("admin")
        answers = {path: await call("GET", path, admin) for path in ODD}
    crashed = {p: a for p, a in answers.items() if a[0] not in (200, 400, 404)}
    assert not crashed, crashed
