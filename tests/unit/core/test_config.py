"""Profiles validate strictly and fail with one line naming file, key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudedex.config import available_profiles, load_profile
from claudedex.errors import ConfigError

REQUIRED = {"devnet", "paper-ethereum", "live-ethereum", "live-base", "live-bsc",
            "live-arbitrum", "live-polygon"}


def test_all_shipped_profiles_load() -> None:
    assert REQUIRED <= set(available_profiles())
    for name in available_profiles():
        profile = load_profile(name)
        assert profile.name == name


def test_live_profiles_keep_secrets_out(tmp_path: Path) -> None:
    for name in available_profiles():
        text = (Path(load_profile.__code__.co_filename).parent.parent / "profiles"
                / f"{name}.toml").read_text()
        assert "private_key" not in text and "password =" not in text


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(body)
    return path


BASE = 'name = "x"\nmode = "devnet"\n[chain]\nchain_id = 1\nname = "c"\n'


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[limits]\nmax_slipage_bps = 10\n")
    with pytest.raises(ConfigError) as err:
        load_profile(str(path))
    msg = str(err.value)
    assert str(path) in msg and "limits.max_slipage_bps" in msg and "unknown key" in msg
    assert "\n" not in msg


def test_wrong_type_names_expected(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[limits]\nmax_slippage_bps = \"lots\"\n")
    with pytest.raises(ConfigError) as err:
        load_profile(str(path))
    assert "limits.max_slippage_bps" in str(err.value)
    assert "integer" in str(err.value)


def test_missing_profile_lists_known(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="known: .*devnet"):
        load_profile("no-such-profile")


def test_rpc_url_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = load_profile("live-base")
    monkeypatch.delenv("CLAUDEDEX_BASE_RPC_URL", raising=False)
    with pytest.raises(ConfigError, match="CLAUDEDEX_BASE_RPC_URL"):
        profile.rpc_url()
    monkeypatch.setenv("CLAUDEDEX_BASE_RPC_URL", "http://127.0.0.1:1")
    assert profile.rpc_url() == "http://127.0.0.1:1"


def test_a_paper_profile_holds_no_signer(tmp_path: Path) -> None:
    """Paper sends nothing: a keystore or hardware signer would only be unlocked for no
    use, so a paper profile naming one is refused when it loads."""
    base = (Path(__file__).resolve().parents[3] / "profiles" / "paper-ethereum.toml").read_text()
    assert 'kind = "none"' in base
    bad = tmp_path / "paper-key.toml"
    bad.write_text(base.replace('kind = "none"', 'kind = "keystore"'))
    with pytest.raises(ConfigError, match='signer.kind must be "none", not "keystore"'):
        load_profile(str(bad))
