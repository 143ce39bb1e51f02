"""A local anvil node owned by this process.

Why start the npm binary directly (not ``npx anvil``): the PID we hold is anvil's own, so
``stop()`` can terminate it and wait for it — no wrapper shell left behind as an orphan.
Accounts come from anvil's ``--config-out`` file so that the addresses and keys we hand out
are exactly the ones anvil funded (no second derivation that could drift).

That file and ``anvil.log`` (anvil prints the private keys at start) hold keys: both are
created 0600 by us before anvil writes a byte into them (anvil truncates and keeps the
mode), anvil itself runs with umask 077, and the data dir is made 0700.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import structlog

from claudedex.errors import DevnetError
from claudedex.security.files import create_private_empty, open_private_append, private_dir

log = structlog.get_logger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
ANVIL_BIN = NODE_MODULES / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
CHAIN_ID = 31337


@dataclass(frozen=True)
class DevAccount:
    """A funded anvil dev account: checksummed address and its hex private key."""

    address: str
    private_key: str


def anvil_binary() -> Path:
    """The anvil binary from node_modules, or a DevnetError naming the fix."""
    override = os.environ.get("CLAUDEDEX_ANVIL")
    path = Path(override) if override else ANVIL_BIN
    if not path.is_file() or not os.access(path, os.X_OK):
        raise DevnetError(
            f"anvil not found at {path}: run `npm ci` in {REPO_ROOT} (or `make run`, which does)"
        )
    return path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (anvil cannot report a port it picked itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _rpc_answers(url: str, timeout: float = 0.5) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    req = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - local URL
            return b"result" in resp.read()
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


def _parent_death_signal() -> None:
    """In the child: ask Linux to SIGTERM anvil when the spawning thread dies.

    Why: if ``devnet up`` is SIGKILLed it cannot stop anvil; the kernel then does. Only
    safe when the spawning thread lives as long as the process (the main/event-loop thread).
    """
    import ctypes

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return  # not glibc Linux: best effort only
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


def private_data_dir(path: Path) -> Path:
    """Create ``path`` if needed and make it 0700 (the devnet keeps dev private keys in it)."""
    try:
        return private_dir(path)
    except OSError as exc:
        raise DevnetError(f"cannot make the devnet data dir {path} private (0700): "
                          f"{exc.strerror or exc}") from None


def rpc_answers(url: str, timeout: float = 0.5) -> bool:
    """True when a JSON-RPC node at ``url`` answers eth_chainId."""
    return _rpc_answers(url, timeout)


class AnvilProcess:
    """Start, wait for and stop one anvil node; usable as a context manager."""

    def __init__(
        self,
        *,
        port: int = 0,
        block_time: int = 0,
        accounts: int = 10,
        balance_eth: int = 10_000,
        data_dir: Path | None = None,
        mnemonic: str = DEFAULT_MNEMONIC,
        chain_id: int = CHAIN_ID,
        host: str = "127.0.0.1",
        startup_timeout_s: float = 20.0,
        die_with_parent: bool = False,
    ) -> None:
        if block_time < 0:
            raise DevnetError("block_time must be >= 0 (0 = automine)")
        self.host = host
        self.port = port or free_port(host)
        self._auto_port = port == 0
        self._port_retries = 3
        self.block_time = block_time
        self.n_accounts = accounts
        self.balance_eth = balance_eth
        self.mnemonic = mnemonic
        self.chain_id = chain_id
        self.startup_timeout_s = startup_timeout_s
        self.die_with_parent = die_with_parent
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="claudedex-anvil-")
            data_dir = Path(self._tmp.name)
        self.data_dir = private_data_dir(Path(data_dir))  # config and log hold private keys
        self.log_path = self.data_dir / "anvil.log"
        self.config_path = self.data_dir / "anvil-config.json"
        self.accounts: list[DevAccount] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self) -> list[str]:
        cmd = [
            str(anvil_binary()),
            "--host", self.host,
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--accounts", str(self.n_accounts),
            "--balance", str(self.balance_eth),
            "--mnemonic", self.mnemonic,
            "--config-out", str(self.config_path),
        ]  # fmt: skip
        if self.block_time > 0:
            cmd += ["--block-time", str(self.block_time)]
        return cmd

    def start(self) -> AnvilProcess:
        """Spawn anvil and block until its RPC answers (or raise DevnetError)."""
        if self.running():
            return self
        cmd = self.command()
        create_private_empty(self.config_path)  # anvil fills it: it never exists world-readable
        log_file = open_private_append(self.log_path)  # closed in stop()
        self._log_file = log_file
        self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            cmd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a terminal's Ctrl-C reaches us, not anvil: we stop it
            umask=0o077,  # anything anvil creates itself is private too
            preexec_fn=_parent_death_signal if self.die_with_parent else None,  # noqa: PLW1509
        )
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-800:]
                self._close_log()
                if self._auto_port and self._port_retries > 0 and "in use" in tail:
                    # another process took the free port between our probe and anvil's bind
                    self._port_retries -= 1
                    self.port = free_port(self.host)
                    return self.start()
                raise DevnetError(f"anvil exited with code {self._proc.returncode}: {tail}")
            if self._config_written() and _rpc_answers(self.rpc_url):
                self.accounts = self._read_accounts()
                log.info("anvil.ready", rpc_url=self.rpc_url, pid=self._proc.pid)
                return self
            time.sleep(0.02)
        self.stop()
        raise DevnetError(f"anvil did not answer on {self.rpc_url} within "
                          f"{self.startup_timeout_s:.0f}s (log: {self.log_path})")

    def _config_written(self) -> bool:
        try:
            return self.config_path.stat().st_size > 0
        except FileNotFoundError:
            return False

    def _read_accounts(self) -> list[DevAccount]:
        from eth_utils.address import to_checksum_address

        for _ in range(50):
            try:
                data = json.loads(self.config_path.read_text())
                break
            except (json.JSONDecodeError, OSError):
                time.sleep(0.02)
        else:
            raise DevnetError(f"anvil config {self.config_path} unreadable")
        return [
            DevAccount(to_checksum_address(a), k)
            for a, k in zip(data["available_accounts"], data["private_keys"], strict=True)
        ]

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM, wait, then SIGKILL: anvil never outlives us."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout_s)
            log.info("anvil.stopped", pid=proc.pid)
        self._close_log()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> AnvilProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
