"""The data dir: one path component inside CLAUDEDEX_HOME, a writable directory, or refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claudedex.errors import DataDirError, UserInputError
from claudedex.paths import data_dir


def test_data_dir_is_created_inside_the_home(_isolated_home: Path) -> None:
    assert data_dir("devnet") == _isolated_home / "devnet"
    assert (_isolated_home / "devnet").is_dir()


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b", "/etc", "a\\b", " x"])
def test_names_that_would_leave_the_home_are_refused(_isolated_home: Path, name: str) -> None:
    with pytest.raises(DataDirError, match="cannot name a data dir"):
        data_dir(name)
    assert list(_isolated_home.iterdir()) == []
    assert issubclass(DataDirError, UserInputError)  # exit 2 at the command line


def test_home_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "file"
    home.write_text("")
    monkeypatch.setenv("CLAUDEDEX_HOME", str(home))
    with pytest.raises(DataDirError, match="is not a directory"):
        data_dir("devnet")


def test_unwritable_data_dir(_isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom permission bits do not bind: os.access is what a read-only
    # mount or a non-root operator's chmod would answer.
    target = _isolated_home / "devnet"
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == target
                        else real(p, mode))
    with pytest.raises(DataDirError, match=f"data dir {target} is not writable"):
        data_dir("devnet")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
def test_read_only_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "ro"
    home.mkdir(mode=0o500)
    monkeypatch.setenv("CLAUDEDEX_HOME", str(home))
    try:
        with pytest.raises(DataDirError, match="cannot create data dir"):
            data_dir("devnet")
    finally:
        home.chmod(0o700)
