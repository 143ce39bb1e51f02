"""The engine's devnet launcher keeps its data dir 0700 and ``devnet-up.log`` 0600."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from claudedex.devnet import launcher
from claudedex.errors import DevnetError
from claudedex.security.files import mode_of


async def test_up_log_and_data_dir_are_private(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "devnet"
    data.mkdir()
    os.chmod(data, 0o755)
    log = data / launcher.UP_LOG
    log.write_text("earlier run\n")
    os.chmod(log, 0o644)
    # a `devnet up` stand-in that fails at once, after writing to its stderr (the log)
    script = "import sys; sys.stderr.write('up failed\\n'); sys.exit(3)"
    monkeypatch.setattr(launcher, "up_command", lambda _p, _d: [sys.executable, "-c", script])
    with pytest.raises(DevnetError, match="up failed"):
        await launcher.ensure_devnet(None, data, timeout_s=60)
    assert mode_of(data) == 0o700
    assert mode_of(log) == 0o600
    assert log.read_text() == "earlier run\nup failed\n"
