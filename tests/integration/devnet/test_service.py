"""DevnetService with interval mining: ready on automine speed, then blocks by the clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from claudedex.devnet.service import DevnetOptions, DevnetService
from claudedex.devnet.testing import connect

pytestmark = pytest.mark.anvil


async def test_block_time_mode_mines_on_its_own(tmp_path: Path) -> None:
    service = DevnetService(DevnetOptions(data_dir=tmp_path, block_time=1, market=False))
    manifest = await service.start()
    try:
        assert manifest.block_time == 1 and manifest.market is False
        w3 = connect(manifest.rpc_url)
        start = await asyncio.to_thread(lambda: w3.eth.block_number)
        for _ in range(60):  # bounded wait for the interval miner, not a timing assertion
            if await asyncio.to_thread(lambda: w3.eth.block_number) > start:
                break
            await asyncio.sleep(0.1)
        assert await asyncio.to_thread(lambda: w3.eth.block_number) > start
    finally:
        await service.stop()
    assert service.anvil is not None and not service.anvil.running()
