"""Profiles name secrets: ``"secret:NAME"`` is replaced at load; values are scrubbed from logs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claudedex.config import load_profile
from claudedex.paths import data_dir
from claudedex.secrets.resolve import MASK, env_name, scrub
from claudedex.secrets.store import SecretsError, open_store

PROFILE = """
name = "refs"
mode = "paper"
[chain]
chain_id = 1
name = "ethereum"
rpc_url = "secret:rpc-url"
[apis]
private_relay_url = "secret:relay-url"
aggregator_api_key_env = "secret:agg-key"
[api]
enabled = true
jwt_key_secret = "api-key"
"""


@pytest.fixture
def profile_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLAUDEDEX_SECRETS_PASSPHRASE", "pass phrase")
    store = open_store(data_dir("refs"), create=True)
    store.set("rpc-url", "https://mainnet.example/v3/KEY-rpc-0123456789")
    store.set("relay-url", "https://user:relay-pw-98765@relay.example")
    store.set("agg-key", "agg-key-value-5555")
    path = tmp_path / "refs.toml"
    path.write_text(PROFILE)
    return path


def test_references_are_resolved_at_load(profile_file: Path) -> None:
    profile = load_profile(str(profile_file))
    assert profile.rpc_url() == "https://mainnet.example/v3/KEY-rpc-0123456789"
    assert profile.apis.private_relay_url == "https://user:relay-pw-98765@relay.example"
    # a field naming an environment variable gets a variable of ours holding the value
    assert profile.apis.aggregator_api_key_env == env_name("agg-key")
    assert os.environ[env_name("agg-key")] == "agg-key-value-5555"
    assert profile.api.jwt_key_secret == "api-key"  # a name, resolved by the API itself
    line = f"relay {profile.apis.private_relay_url} key agg-key-value-5555 ok"
    assert scrub(line) == f"relay {MASK} key {MASK} ok"


def test_unresolved_load_and_a_missing_secret(profile_file: Path) -> None:
    raw = load_profile(str(profile_file), resolve_secrets=False)
    assert raw.chain.rpc_url == "secret:rpc-url"
    profile_file.write_text(PROFILE.replace("secret:rpc-url", "secret:nope"))
    with pytest.raises(SecretsError, match="no secret named 'nope'"):
        load_profile(str(profile_file))


def test_a_locked_store_stops_the_load_with_one_line(profile_file: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAUDEDEX_SECRETS_PASSPHRASE")
    with pytest.raises(SecretsError, match="locked"):
        load_profile(str(profile_file))


def test_a_resolved_value_that_fails_validation_is_not_echoed(profile_file: Path) -> None:
    # the refusal names the field and the input; the input is the secret's value here
    profile_file.write_text(PROFILE + '[limits]\nmax_trade_quote = "secret:agg-key"\n')
    with pytest.raises(Exception, match="max_trade_quote") as caught:
        load_profile(str(profile_file))
    assert "agg-key-value-5555" not in str(caught.value) and MASK in str(caught.value)
