#!/usr/bin/env bash
# Brings Warden up on the default model: installs what is missing, builds, fetches the
# model (once, verified), and starts an interactive chat.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
echo "==> building warden (the first build compiles llama.cpp: several minutes)"
warden_build
"$WARDEN_BIN" models fetch-default >/dev/null
exec "$WARDEN_BIN" chat "$@"
