"""The scorer's social buffer on the devnet's real /posts server; TensorFlow stays lazy."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from pathlib import Path

from claudedex.apis.http import JsonHttpClient
from claudedex.devnet.http_server import start_http
from claudedex.devnet.pricebook import PriceBook
from claudedex.devnet.social import SocialFeed
from claudedex.discovery.social import HttpPostFeed
from claudedex.ml.social import FeedSocial

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "0x" + "ab" * 20


def test_posts_are_stamped_when_first_seen_and_kept_per_token() -> None:
    async def scenario() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        feed = SocialFeed(random.Random(1))
        runner, url = await start_http(PriceBook(), feed)
        http = JsonHttpClient(url, name="social")
        now = [100.0]
        social = FeedSocial(HttpPostFeed(http), clock=lambda: now[0])
        try:
            feed.on_launch(TOKEN, "[bold]Name[/bold]", "SYM", "uniswap")
            await social.refresh()
            first = list(await social.posts(TOKEN.upper().replace("0X", "0x")))
            now[0] = 200.0
            feed.on_scam(TOKEN, "SYM")
            await social.refresh()
            return first, list(await social.posts(TOKEN))
        finally:
            await http.close()
            await runner.cleanup()

    first, later = asyncio.run(scenario())
    assert first and all(p["ts"] == 100.0 for p in first)
    assert len(later) == len(first) + 1 and later[-1]["ts"] == 200.0
    assert isinstance(later[0]["text"], str)


def test_serving_never_imports_tensorflow() -> None:
    code = ("import sys\nimport claudedex.ml.scorer, claudedex.ml.serve, claudedex.ml.registry, "
            "claudedex.ml.training, claudedex.ml.train_job\n"
            "print('TF', [m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert "TF []" in out.stdout, out.stdout + out.stderr
