"""The audit key and anchor files: private modes, one key per dir, anchors sealed by it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from claudedex.security.audit_key import (
    Anchor,
    AuditKeyError,
    advance_anchor,
    anchor_path,
    create_anchor,
    key_path,
    load_or_create_key,
    read_anchor,
    read_key,
)
from claudedex.security.files import mode_of


def test_key_is_created_once_0600_in_a_0700_dir(tmp_path: Path) -> None:
    key_dir = tmp_path / "profile"
    key_dir.mkdir(mode=0o755)
    os.chmod(key_dir, 0o755)
    assert read_key(key_dir) is None
    key, created = load_or_create_key(key_dir)
    assert created
    assert mode_of(key_path(key_dir)) == 0o600
    assert mode_of(key_dir) == 0o700
    again, created_again = load_or_create_key(key_dir)
    assert not created_again and again == key
    assert read_key(key_dir) == key
    assert key.secret.hex() not in repr(key)  # never shown by a log line or a traceback
    assert list(key_dir.iterdir()) == [key_path(key_dir)]  # no temp file left behind


def test_loose_key_mode_is_tightened_on_load(tmp_path: Path) -> None:
    load_or_create_key(tmp_path)
    os.chmod(key_path(tmp_path), 0o644)
    load_or_create_key(tmp_path)
    assert mode_of(key_path(tmp_path)) == 0o600


@pytest.mark.parametrize("content", ["", "zz", "ab" * 16, "ab" * 40])
def test_malformed_key_is_refused(tmp_path: Path, content: str) -> None:
    key_path(tmp_path).write_text(content)
    with pytest.raises(AuditKeyError, match="malformed"):
        read_key(tmp_path)


def test_anchor_round_trip_is_0600_and_only_moves_forward(tmp_path: Path) -> None:
    tmp_path = tmp_path / "d"
    key, _ = load_or_create_key(tmp_path)
    assert create_anchor(tmp_path, key, Anchor(0, "0" * 64, key.key_id))
    assert not create_anchor(tmp_path, key, Anchor(5, "a" * 64, key.key_id))  # exists
    assert mode_of(anchor_path(tmp_path)) == 0o600
    assert advance_anchor(tmp_path, key, Anchor(2, "b" * 64, key.key_id))
    assert not advance_anchor(tmp_path, key, Anchor(1, "c" * 64, key.key_id))
    assert read_anchor(tmp_path, key) == Anchor(2, "b" * 64, key.key_id)
    assert mode_of(anchor_path(tmp_path)) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.anchor", "audit.key"]


def test_edited_anchor_fails_its_mac(tmp_path: Path) -> None:
    key, _ = load_or_create_key(tmp_path)
    create_anchor(tmp_path, key, Anchor(7, "d" * 64, key.key_id))
    data = json.loads(anchor_path(tmp_path).read_text())
    data["count"] = 3  # pretend the chain was shorter, to hide deleted rows
    anchor_path(tmp_path).write_text(json.dumps(data))
    with pytest.raises(AuditKeyError, match="MAC"):
        read_anchor(tmp_path, key)
    anchor_path(tmp_path).write_text("{not json")
    with pytest.raises(AuditKeyError, match="malformed"):
        read_anchor(tmp_path, key)


def test_anchor_from_another_key_is_named_as_such(tmp_path: Path) -> None:
    key, _ = load_or_create_key(tmp_path)
    create_anchor(tmp_path, key, Anchor(1, "e" * 64, key.key_id))
    key_path(tmp_path).unlink()
    other, created = load_or_create_key(tmp_path)
    assert created and other.key_id != key.key_id
    with pytest.raises(AuditKeyError, match="another key"):
        read_anchor(tmp_path, other)


def test_mac_depends_on_the_key_and_differs_from_the_plain_hash(tmp_path: Path) -> None:
    a, _ = load_or_create_key(tmp_path / "a")
    b, _ = load_or_create_key(tmp_path / "b")
    assert a.mac("0" * 64, "{}") != b.mac("0" * 64, "{}")
    assert a.mac("0" * 64, "{}") == a.mac("0" * 64, "{}")
    assert len(a.mac("0" * 64, "{}")) == 64
