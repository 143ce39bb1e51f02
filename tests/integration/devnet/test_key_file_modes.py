"""Every devnet file that holds a private key is 0600, inside a 0700 data dir.

anvil writes its funded accounts' private keys into ``anvil-config.json`` (--config-out)
and prints them into ``anvil.log``; the manifest hands the free ones to clients. Files left
0644 by an earlier run are tightened too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claudedex.devnet.accounts import TOTAL_ACCOUNTS
from claudedex.devnet.anvil import AnvilProcess
from claudedex.devnet.manifest import MANIFEST_FILE
from claudedex.devnet.service import DevnetOptions, DevnetService
from claudedex.security.files import mode_of

pytestmark = pytest.mark.anvil

KEY_FILES = ("anvil-config.json", "anvil.log")


def _loose_leftovers(data: Path) -> None:
    """What an earlier, pre-fix run left behind: a 0755 dir and 0644 key files."""
    data.mkdir()
    os.chmod(data, 0o755)
    for name in KEY_FILES:
        (data / name).write_text("old run\n")
        os.chmod(data / name, 0o644)


def _assert_private(data: Path, names: tuple[str, ...]) -> None:
    assert mode_of(data) == 0o700
    for name in names:
        assert mode_of(data / name) == 0o600, name


def test_anvil_as_the_devnet_starts_it_keeps_keys_private(tmp_path: Path) -> None:
    data = tmp_path / "devnet-data"
    _loose_leftovers(data)
    # the arguments DevnetService.start passes
    anvil = AnvilProcess(port=0, block_time=0, accounts=TOTAL_ACCOUNTS, data_dir=data,
                         die_with_parent=True)
    with anvil:
        _assert_private(data, KEY_FILES)
        key = anvil.accounts[0].private_key
        assert key.removeprefix("0x") in (data / "anvil-config.json").read_text()
        assert len(anvil.accounts) == TOTAL_ACCOUNTS
    assert key.removeprefix("0x") in (data / "anvil.log").read_text()  # the secret is there
    _assert_private(data, KEY_FILES)
    assert sorted(p.name for p in data.iterdir()) == sorted(KEY_FILES)


async def test_devnet_service_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "profile-data"
    _loose_leftovers(data)
    service = DevnetService(DevnetOptions(data_dir=data, block_time=0, market=False))
    manifest = await service.start()
    try:
        _assert_private(data, (*KEY_FILES, MANIFEST_FILE))
        assert manifest.accounts[0]["private_key"] in (data / MANIFEST_FILE).read_text()
    finally:
        await service.stop()
    _assert_private(data, KEY_FILES)
