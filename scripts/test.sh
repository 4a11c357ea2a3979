#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints with warnings denied, and every test,
# including the ones on the real default model (fetched here if missing).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> building (the first build compiles llama.cpp: several minutes)"
warden_build
"$WARDEN_BIN" models fetch-default >/dev/null
echo "==> cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo test"
cargo test --workspace --no-fail-fast
