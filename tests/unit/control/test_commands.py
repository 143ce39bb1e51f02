"""The control channel's commands reach the engine facade's command API, typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudedex.config import load_profile
from claudedex.control.commands import serve_command
from claudedex.engine import Engine
from claudedex.errors import UserInputError


async def test_halt_status_resume_and_bad_commands(tmp_path: Path) -> None:
    engine = Engine(load_profile("devnet"), data_dir=tmp_path, wire=False)
    status = await serve_command(engine, "status", {}, print)
    assert status["halted"] is False and status["profile"] == "devnet"
    halted = await serve_command(engine, "halt", {"reason": "drill", "by": "api"}, print)
    assert halted["halted"] is True and engine.is_halted()
    await serve_command(engine, "resume", {"confirm": True}, print)
    assert not engine.is_halted()
    with pytest.raises(UserInputError):
        await serve_command(engine, "launch-missiles", {}, print)
    with pytest.raises(UserInputError):
        await serve_command(engine, "approve", {"proposal_id": 7}, print)
    with pytest.raises(UserInputError):  # the facade's own check: an unconfirmed resume
        await serve_command(engine, "resume", {}, print)
