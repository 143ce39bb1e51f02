"""The read commands need a kernel: an engine without one says so (503 over HTTP), and
argument errors are the operator's (exit 2 / 400)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudedex.config import load_profile
from claudedex.control.commands import READS, serve_command
from claudedex.control.views import KernelMissing, limit_arg
from claudedex.engine import Engine
from claudedex.errors import UserInputError


@pytest.mark.parametrize("cmd", sorted(READS))
async def test_reads_without_a_kernel_say_so(tmp_path: Path, cmd: str) -> None:
    engine = Engine(load_profile("devnet"), data_dir=tmp_path, wire=False)
    with pytest.raises(KernelMissing, match="not running"):
        await serve_command(engine, cmd, {}, print)


def test_limit_argument() -> None:
    assert limit_arg({}) == 100 and limit_arg({"limit": "7"}) == 7
    for bad in ("0", "1001", "x", "-1"):
        with pytest.raises(UserInputError):
            limit_arg({"limit": bad})


async def test_close_checks_its_token_before_anything(tmp_path: Path) -> None:
    engine = Engine(load_profile("devnet"), data_dir=tmp_path, wire=False)
    with pytest.raises(UserInputError, match="not an address"):
        await serve_command(engine, "close", {"token": "0xnope"}, print)
