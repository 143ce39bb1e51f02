"""Secret-holding files are 0600 from creation, dirs 0700, atomic writes leave no temp."""

from __future__ import annotations

import os
from pathlib import Path

from claudedex.security.files import (
    create_private_empty,
    create_private_exclusive,
    mode_of,
    open_private_append,
    private_dir,
    write_private_atomic,
)


def test_private_dir_creates_and_tightens(tmp_path: Path) -> None:
    fresh = private_dir(tmp_path / "a" / "b")
    assert mode_of(fresh) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir()
    os.chmod(loose, 0o755)
    private_dir(loose)
    assert mode_of(loose) == 0o700


def test_append_creates_0600_and_tightens_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    old = os.umask(0)
    try:
        with open_private_append(path) as fh:
            fh.write(b"one\n")
    finally:
        os.umask(old)
    assert mode_of(path) == 0o600
    os.chmod(path, 0o644)
    with open_private_append(path) as fh:
        fh.write(b"two\n")
    assert mode_of(path) == 0o600
    assert path.read_bytes() == b"one\ntwo\n"


def test_empty_placeholder_replaces_a_loose_file(tmp_path: Path) -> None:
    path = tmp_path / "cfg.json"
    path.write_text("old secret")
    os.chmod(path, 0o644)
    create_private_empty(path)
    assert mode_of(path) == 0o600 and path.read_bytes() == b""


def test_atomic_and_exclusive_writes(tmp_path: Path) -> None:
    tmp_path = private_dir(tmp_path / "d")
    path = tmp_path / "f"
    write_private_atomic(path, b"1")
    write_private_atomic(path, b"2")
    assert path.read_bytes() == b"2" and mode_of(path) == 0o600
    other = tmp_path / "g"
    assert create_private_exclusive(other, b"first")
    assert not create_private_exclusive(other, b"second")
    assert other.read_bytes() == b"first" and mode_of(other) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f", "g"]
