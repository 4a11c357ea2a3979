#!/usr/bin/env bash
# Brings Warden up on the default model: installs what is missing, builds, fetches the
# model (once, verified), and opens the desktop app — or, with no display, a terminal chat.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
echo "==> building warden (the first build compiles llama.cpp: several minutes)"
warden_build
"$WARDEN_BIN" models fetch-default >/dev/null
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "==> building the desktop app"
  desktop_build
  exec "$DESKTOP_BIN"
fi
echo "No display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop app cannot open."
echo "  On a headless machine: xvfb-run -a scripts/up.sh   (a virtual display; see it with a VNC or a screenshot)"
echo "  Starting the terminal chat instead: warden chat"
exec "$WARDEN_BIN" chat "$@"
