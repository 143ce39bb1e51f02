#!/usr/bin/env bash
# End-to-end smoke of the operator console in a real terminal (tmux):
#   starts `claudedex run --profile devnet`, waits for new pairs in the feed, presses the
#   emergency stop (ctrl+x), reads HALTED from the screen and from the persisted halt file,
#   then quits with ctrl+q so the engine (and its anvil) stop cleanly.
# Env: PAIRS_TIMEOUT (s, default 120), REQUIRE_PAIRS=1 to fail when no pair shows up,
#      CLAUDEDEX (the command, default .venv/bin/claudedex).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CLAUDEDEX="${CLAUDEDEX:-$ROOT/.venv/bin/claudedex}"
PAIRS_TIMEOUT="${PAIRS_TIMEOUT:-120}"
SESSION="claudedex-smoke-$$"
HOME_DIR="$(mktemp -d)"
export CLAUDEDEX_HOME="$HOME_DIR"

screen() { tmux capture-pane -p -t "$SESSION" 2>/dev/null || true; }
cleanup() {
  if tmux has-session -t "$SESSION" 2>/dev/null; then
    tmux send-keys -t "$SESSION" C-q 2>/dev/null || true
    for _ in $(seq 1 30); do tmux has-session -t "$SESSION" 2>/dev/null || break; sleep 0.5; done
    tmux kill-session -t "$SESSION" 2>/dev/null || true
  fi
  rm -rf "$HOME_DIR"
}
trap cleanup EXIT
wait_for() {  # wait_for PATTERN SECONDS
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if screen | grep -Eq -- "$1"; then return 0; fi
    sleep 0.5
  done
  return 1
}

tmux new-session -d -s "$SESSION" -x 200 -y 50 \
  "cd '$ROOT' && CLAUDEDEX_HOME='$HOME_DIR' '$CLAUDEDEX' run --profile devnet; sleep 5"

if ! wait_for "New pairs" 60; then
  echo "FAIL: the console did not start"; screen | tail -20; exit 1
fi
echo "console up"
# A feed row carries its age ("12 s", "3 min") and a pair address (0x1234…abcd).
if wait_for "│ *[0-9]+ (s|min|h|d)[ 0-9]* +.+ 0x[0-9a-fA-F]{4}…" "$PAIRS_TIMEOUT"; then
  echo "pairs are streaming"
elif [[ "${REQUIRE_PAIRS:-0}" == "1" ]]; then
  echo "FAIL: no pair within ${PAIRS_TIMEOUT}s"; screen | tail -40; exit 1
else
  echo "WARN: no pair within ${PAIRS_TIMEOUT}s (is discovery wired?); pressing stop anyway"
fi

tmux send-keys -t "$SESSION" C-x
if ! wait_for "HALTED" 10; then
  echo "FAIL: HALTED not on screen after ctrl+x"; screen | tail -40; exit 1
fi
HALT_FILE="$HOME_DIR/devnet/halt.json"
if ! grep -q '"halted": true' "$HALT_FILE"; then
  echo "FAIL: $HALT_FILE does not say halted"; exit 1
fi
screen | grep -m1 "HALTED"
echo "PASS: emergency stop shown on screen and persisted"
