"""Canonical JSON and the chain hash are deterministic and sensitive to every field."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from claudedex.security.audit import GENESIS, canonical_json, chain_hash


def test_canonical_json_is_order_independent_and_compact() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == '{"a":[1,{"c":3,"d":2}],"b":1}'
    assert canonical_json({"x": Decimal("0.10")}) == '{"x":"0.10"}'
    assert canonical_json({"s": "ü"}) == '{"s":"ü"}'
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


def test_chain_hash_is_sha256_of_prev_plus_canonical_row() -> None:
    detail = canonical_json({"id": "p-1"})
    expected_body = '{"action":"approve","actor":"op","detail":{"id":"p-1"},"ts":"t"}'
    expected = hashlib.sha256((GENESIS + expected_body).encode()).hexdigest()
    assert chain_hash(GENESIS, "t", "op", "approve", detail) == expected


def test_every_field_changes_the_hash() -> None:
    base = chain_hash(GENESIS, "t", "op", "approve", '{"id":1}')
    variants = [
        chain_hash("1" * 64, "t", "op", "approve", '{"id":1}'),
        chain_hash(GENESIS, "u", "op", "approve", '{"id":1}'),
        chain_hash(GENESIS, "t", "oq", "approve", '{"id":1}'),
        chain_hash(GENESIS, "t", "op", "reject", '{"id":1}'),
        chain_hash(GENESIS, "t", "op", "approve", '{"id":2}'),
    ]
    assert base not in variants
    assert len(set(variants)) == len(variants)
