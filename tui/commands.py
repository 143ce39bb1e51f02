"""The console's own commands in Textual's command palette (``ctrl+p``).

Why a provider: an operator who forgets a key can type "close" or "halt" and find it.
Each entry runs the same app action its key runs, so the palette adds no second path
into the engine (the emergency stop, the confirmations and the focus rules are the same).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, what it does, app action)
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Halt: emergency stop", "the signer refuses every transaction from now (ctrl+x)",
     "halt"),
    ("Resume trading", "re-arm the signer after a halt; asks you to type RESUME (ctrl+r)",
     "resume"),
    ("Buy by address", "quote, summary, then send a buy of any token (b)", "buy"),
    ("Close position", "sell all of the position under the cursor (c, positions pane)",
     "close_position"),
    ("Approve proposal", "approve the proposal under the cursor (a, approvals pane)",
     "approve"),
    ("Reject proposal", "reject the proposal under the cursor (r, approvals pane)", "reject"),
    ("Override proposal", "size, slippage or a typed RISKY acceptance (o)", "override"),
    ("Filter the pair feed", "words, or a verdict: safe, risky, scam, unknown, pending (/)",
     "filter"),
    ("Pair details", "findings with evidence, ML score, charts (d)", "details"),
    ("Wallet balances", "the signer's ETH and every held token (w)", "view('wallet')"),
    ("Orders and trades", "order history with each trade's P&L (h)", "view('history')"),
    ("Exits", "each exit's rule and outcome (e)", "view('exits')"),
    ("Decision log", "every signal: proposed, dropped (why) or cooling down (s)",
     "view('decisions')"),
    ("Maximise the log", "the log and alerts over the whole screen (l)", "log"),
    ("Maximise the focused pane", "or restore it (z)", "zoom"),
    ("Help: every key", "keys, mouse and what each does (?)", "help"),
)


class ConsoleCommands(Provider):
    """Halt, resume, trading actions, filter and the history screens."""

    async def _run(self, action: str) -> None:
        await self.app.run_action(action)

    async def discover(self) -> Hits:
        for title, help_text, action in COMMANDS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in COMMANDS:
            score = max(matcher.match(title), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action),
                          text=title, help=help_text)
