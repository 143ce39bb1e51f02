"""The halt file is atomic and fails safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudedex.errors import StorageError
from claudedex.halt import HaltSwitch


def test_corrupt_halt_file_means_halted(tmp_path: Path) -> None:
    path = tmp_path / "halt.json"
    path.write_text("{not json")
    assert HaltSwitch(path).is_halted()


def test_set_writes_no_temp_leftovers(tmp_path: Path) -> None:
    switch = HaltSwitch(tmp_path / "halt.json")
    assert not switch.is_halted()
    switch.set(True, "r", "me")
    assert [p.name for p in tmp_path.glob("halt*")] == ["halt.json"]
    assert HaltSwitch(tmp_path / "halt.json").state.by == "me"


def test_halt_written_by_another_process_is_seen(tmp_path: Path) -> None:
    engine_side = HaltSwitch(tmp_path / "halt.json")
    assert not engine_side.is_halted()
    HaltSwitch(tmp_path / "halt.json").set(True, "from cli", "cli")
    assert engine_side.is_halted()
    assert engine_side.state.reason == "from cli"


def test_deleting_the_halt_file_does_not_lift_a_halt(tmp_path: Path) -> None:
    """Red team: `rm halt.json` while halted let the next trade fill, with no resume in the
    audit log. A missing file reads as "not halted" only when it was not halted."""
    path = tmp_path / "halt.json"
    engine_side = HaltSwitch(path)
    engine_side.set(True, "drill", "operator")
    path.unlink()
    assert engine_side.is_halted() and "removed while halted" in engine_side.state.reason
    assert HaltSwitch(path).is_halted() is False  # a fresh start with no file: not halted
    engine_side.set(False, "resumed", "operator")  # resume writes the file: lifted
    assert not engine_side.is_halted()
    path.unlink()
    assert not engine_side.is_halted()  # removed while running: still not halted


def test_an_unwatched_switch_reads_its_file_once_and_keeps_its_own_flag(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay's switch (its scratch dir's file): set, read back, never re-read."""
    path = tmp_path / "halt.json"
    HaltSwitch(path).set(True, "left from before", "cli")
    replay = HaltSwitch(path, watched=False)
    assert replay.is_halted()  # what the file held when it was opened
    replay.set(False, "resumed", "replay")
    HaltSwitch(path).set(True, "another process", "cli")
    stats: list[object] = []
    with monkeypatch.context() as m:
        m.setattr("claudedex.halt.os.stat", lambda *a, **k: stats.append(a))
        assert not replay.is_halted() and stats == []  # its own flag, no file read
    replay.set(True, "breaker", "replay")
    assert replay.is_halted() and HaltSwitch(path).state.reason == "breaker"  # still written


@pytest.mark.parametrize("content", [b"[]", b"null", b"42", b'"halted"', b'{"halted": 1}',
                                     b'{"halted": "false"}', b'{"reason": "no flag"}',
                                     b'{"halted": false, "since": "yesterday"}',
                                     b'{"halted": false, "reason": 7}',
                                     b'{"halted": false, "since": NaN}', b"\xff\xfe", b""])
def test_malformed_halt_file_fails_safe(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "halt.json"
    path.write_bytes(content)
    switch = HaltSwitch(path)  # what the engine and the signer read
    assert switch.is_halted()
    assert str(path) in switch.state.reason and "unreadable" in switch.state.reason
    switch.set(False, "", "cli")  # resume repairs it
    assert not HaltSwitch(path).is_halted()


def test_halt_file_that_is_a_directory_fails_safe_and_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "halt.json"
    path.mkdir()
    switch = HaltSwitch(path)
    assert switch.is_halted() and "a directory" in switch.state.reason
    switch.set(True, "stop", "cli")
    assert HaltSwitch(path).state.reason == "stop"
    assert len(list(tmp_path.glob("halt.json.unreadable-*"))) == 1


def test_engine_side_sees_a_file_turn_malformed(tmp_path: Path) -> None:
    path = tmp_path / "halt.json"
    engine_side = HaltSwitch(path)
    assert not engine_side.is_halted()
    path.write_text("[]")
    assert engine_side.is_halted()


def test_a_halt_that_cannot_be_written_is_a_typed_error(tmp_path: Path) -> None:
    switch = HaltSwitch(tmp_path / "gone" / "halt.json")
    with pytest.raises(StorageError, match="cannot write halt file"):
        switch.set(True, "stop", "cli")
    assert switch.is_halted()  # the flag in this process flipped before the write
