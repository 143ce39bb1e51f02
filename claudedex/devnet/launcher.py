"""How the engine gets a devnet: reuse a running one, or spawn ``claudedex devnet up``.

Why a subprocess and not in-process: the devnet (anvil, market thread, HTTP servers) is a
separate program the operator can also run by hand; the engine treats it like any chain.
A running devnet is reused only if its manifest's RPC answers with the right chain id.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import structlog

from claudedex.devnet.anvil import REPO_ROOT, private_data_dir, rpc_answers
from claudedex.devnet.manifest import DevnetManifest, read_manifest
from claudedex.errors import DevnetError
from claudedex.security.files import open_private_append

log = structlog.get_logger(__name__)

STARTUP_TIMEOUT_S = 60.0
UP_LOG = "devnet-up.log"


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_devnet(data_dir: Path) -> DevnetManifest | None:
    """The manifest of a devnet that is up now (its anvil alive and answering), else None."""
    manifest = read_manifest(data_dir)
    if manifest is None or not _alive(manifest.pid):
        return None
    return manifest if rpc_answers(manifest.rpc_url, timeout=1.0) else None


def _prepare(data_dir: Path) -> DevnetManifest | None:
    private_data_dir(data_dir)  # the devnet writes dev private keys here (manifest, anvil)
    return running_devnet(data_dir)


def up_command(profile: Any, data_dir: Path) -> list[str]:
    """``python -m cli.main devnet up --json ...`` from the profile's [devnet] section."""
    cfg = getattr(profile, "devnet", None)
    cmd = [sys.executable, "-m", "cli.main", "devnet", "up", "--json",
           "--data-dir", str(data_dir)]  # fmt: skip
    if cfg is not None:
        cmd += ["--seed", str(cfg.seed), "--block-time", str(cfg.block_time_s),
                "--launch-rate", str(cfg.launch_rate_per_min)]  # fmt: skip
        if cfg.port:
            cmd += ["--port", str(cfg.port)]
        if not cfg.market:
            cmd.append("--no-market")
    return cmd


async def ensure_devnet(
    profile: Any, data_dir: Path, timeout_s: float = STARTUP_TIMEOUT_S
) -> tuple[DevnetManifest, asyncio.subprocess.Process | None]:
    """Reuse a running devnet (process None) or start one and return it with its process.

    ``profile``: a claudedex.config.Profile (its ``devnet`` section gives seed, block time,
    launch rate, port, market). The caller stops a process it got with ``stop_devnet``.
    """
    existing = await asyncio.to_thread(_prepare, data_dir)
    if existing is not None:
        chain = getattr(profile, "chain", None)
        want = getattr(chain, "chain_id", existing.chain_id)
        if existing.chain_id != want:
            raise DevnetError(
                f"the devnet running in {data_dir} has chain id {existing.chain_id} (shape "
                f"{existing.shape}), the profile wants {want}: stop it or use another data dir"
            )
        log.info("devnet.reused", rpc_url=existing.rpc_url)
        return existing, None
    cmd = up_command(profile, data_dir)
    log_path = data_dir / UP_LOG
    err = await asyncio.to_thread(open_private_append, log_path)  # 0600: it may echo secrets
    try:
        proc = await asyncio.create_subprocess_exec(
            *cmd, stdout=asyncio.subprocess.PIPE, stderr=err, stdin=asyncio.subprocess.DEVNULL,
            cwd=str(REPO_ROOT),
        )  # fmt: skip
    finally:
        err.close()
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=timeout_s)
        if not line:
            await proc.wait()
            tail = (await asyncio.to_thread(log_path.read_text, errors="replace"))[-1500:]
            raise DevnetError(f"`claudedex devnet up` exited ({proc.returncode}): {tail}")
        manifest = DevnetManifest.from_json(json.loads(line))
    except BaseException:
        await stop_devnet(proc)
        raise
    log.info("devnet.started", rpc_url=manifest.rpc_url, pid=proc.pid)
    return manifest, proc


async def stop_devnet(proc: asyncio.subprocess.Process | None, timeout_s: float = 30.0) -> None:
    """SIGTERM the ``devnet up`` process (it stops anvil), SIGKILL if it hangs."""
    if proc is None or proc.returncode is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), timeout=timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
