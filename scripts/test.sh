#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints with warnings denied, and every test,
# including the ones on the real default model (fetched here if missing), the UI's unit tests
# and the desktop app's end-to-end test (headless, under Xvfb).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> UI: npm ci, vite build (the desktop app embeds ui/dist)"
(cd ui && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
ui_build
echo "==> UI unit tests (vitest)"
(cd ui && npx vitest run)
echo "==> building (the first build compiles llama.cpp: several minutes)"
warden_build
"$WARDEN_BIN" models fetch-default >/dev/null
cargo build -p warden-desktop
echo "==> cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo test"
cargo test --workspace --no-fail-fast
echo "==> desktop end-to-end (tauri-driver + WebKitWebDriver under Xvfb)"
(cd ui && WARDEN_DESKTOP_BIN="$DESKTOP_BIN" WARDEN_CLI_BIN="$WARDEN_BIN" \
  xvfb-run -a -s "-screen 0 1280x800x24" npm run e2e)
